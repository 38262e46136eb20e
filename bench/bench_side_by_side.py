"""The daemon's memory from two checkouts, alternately, each on a fresh test desktop.

Memory moves by about a megabyte between sessions with the machine's state, so a change is
judged against an earlier commit measured in the same session, in turn. Each round starts the
daemon from each checkout, waits for its icon to dock and ``--idle`` seconds, and reads RSS, PSS
and USS. The daemon runs in its checkout, as ``python -m`` puts the working directory first on
the path, and each checkout is checked to import its own package. Both are compiled first, as
``pip install .`` would. Make the other checkout with ``git worktree add /tmp/old REV``.

    .venv/bin/python bench/bench_side_by_side.py /tmp/old [--runs 3] [--idle 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import compile_package, launch, memory, tray_desktop

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout (a git worktree)")
    parser.add_argument("--runs", type=int, default=3, help="rounds, each starts both")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds idle before memory")
    args = parser.parse_args()
    trees = {"other": args.other.resolve(), "this": ROOT}
    for tree in trees.values():
        compile_package(tree / "microbreak")
        imported = subprocess.run(
            [sys.executable, "-c", "import microbreak; print(microbreak.__file__)"],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not Path(imported).is_relative_to(tree):
            raise SystemExit(f"{tree} imports microbreak from {imported}")
    print(f"daemon memory after docking and {args.idle:.0f} s idle (MB); other = {trees['other']}")
    for _ in range(args.runs):
        for label, tree in trees.items():
            with tray_desktop() as desktop:
                argv = [sys.executable, "-m", "microbreak"]
                # ``-m`` puts the working directory first on the path, before PYTHONPATH.
                proc, docked = launch(desktop, argv, extra_env={"PYTHONPATH": str(tree)}, cwd=tree)
                time.sleep(args.idle)
                mem = memory(proc.pid)
                desktop.stop(proc)
            print(
                f"  {label:5} docked {docked:5.2f} s  RSS {mem.rss:6.2f}  PSS {mem.pss:6.2f}"
                f"  USS {mem.uss:6.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
