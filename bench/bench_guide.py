"""Benchmark the daemon's memory around guides: idle before, and after 20 guides in a row.

The daemon runs with its tray on the test desktop; an exercise file of the user's own gives a
tiny routine (1 repetition, 0.5 s), the only one in the rotation, so the guides are quick.
Each guide is asked for as a user would (``microbreak now --guide``) and runs to its end in
its own process; the next is asked for once the daemon logged the end of the previous one.
Prints RSS and USS (MB) of the daemon idle before and after, and the difference. Target: the
idle memory does not grow (after - before <= 1 MB of USS; the guide's memory leaves with it).

    .venv/bin/python bench/bench_guide.py [--guides 20] [--idle 20]

Measured here (2 shared cores, Xvfb), two runs: RSS 66.08 -> 66.37 MB (+0.29) and
66.94 -> 67.13 MB (+0.19) after 20 guides; USS 34.03 -> 34.04 MB (+0.01) and 46.87 -> 46.72 MB
(-0.15) (USS moves with what else maps the same libraries).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import launch, memory, tray_desktop

EXERCISE = """[[exercise]]
id = "bench-shrug"
name = "Bench shrug"
instructions = "Lift both shoulders, then let them drop."
dose = "once"
position = "seated"
area = "neck"
repetitions = 1
pace_seconds = 0.5
"""


def ended(log: Path) -> int:
    """How many guides the daemon saw end, from its log file."""
    try:
        return log.read_text(errors="replace").count("guide ended: Bench shrug (done)")
    except FileNotFoundError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=20, help="guides in a row")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds idle before each look")
    args = parser.parse_args()
    with tray_desktop() as desktop:
        config = desktop.home / ".config" / "microbreak"
        (config / "exercises").mkdir(parents=True)
        (config / "exercises" / "bench.toml").write_text(EXERCISE)
        (config / "config.toml").write_text('[exercises]\ninclude = ["bench-shrug"]\n')
        log = desktop.home / ".local/state/microbreak/log/microbreak.log"
        proc, _ = launch(desktop, [sys.executable, "-m", "microbreak"])
        time.sleep(args.idle)
        before = memory(proc.pid)
        started = time.monotonic()
        for n in range(1, args.guides + 1):
            asked = desktop.run([sys.executable, "-m", "microbreak", "now", "--guide"])
            if asked.returncode != 0:
                raise SystemExit(f"now --guide failed: {asked.stderr.strip()}")
            deadline = time.monotonic() + 30
            while ended(log) < n:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"guide {n} did not end; see {log}")
                time.sleep(0.05)
        took = time.monotonic() - started
        time.sleep(args.idle)
        after = memory(proc.pid)
        alive = proc.poll() is None
        desktop.stop(proc)
    print(f"microbreak daemon around {args.guides} guides in a row ({took:.1f} s)", end="")
    print(f", idle {args.idle:.0f} s")
    for name, old, new in (("rss_mb", before.rss, after.rss), ("uss_mb", before.uss, after.uss)):
        print(f"  {name}  before {old:7.2f}  after {new:7.2f}  diff {new - old:+.2f}")
    verdict = "ok" if after.uss - before.uss <= 1.0 and alive else "GREW"
    print(f"  target: USS grows by <= 1 MB: {verdict}")


if __name__ == "__main__":
    main()
