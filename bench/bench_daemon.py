"""Benchmark the real daemon with its tray on the test desktop.

Prints: seconds from launch to icon docked; resident memory (RSS and PSS) after an idle minute;
CPU seconds and voluntary context switches (wake-ups) per minute over a 2-minute idle window,
summed over all of the daemon's threads. Targets: docked < 1 s, RSS < 50 MB, <= 2 wake-ups and
< 0.05 CPU seconds per minute.

    .venv/bin/python bench/bench_daemon.py [--idle 60] [--window 120] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.desktop import Desktop, tray_icon_windows

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    """CPU seconds and voluntary context switches of every thread of a process."""

    cpu: float
    switches: int


def sample(pid: int) -> Sample:
    cpu = 0.0
    switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
            status = (task / "status").read_text()
        except FileNotFoundError:  # a thread that just ended
            continue
        fields = stat.rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                switches += int(line.split()[1])
    return Sample(cpu, switches)


def memory_kb(pid: int) -> tuple[int, int]:
    """RSS and PSS in kB, from smaps_rollup."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] in ("Rss:", "Pss:"):
            values[parts[0]] = int(parts[1])
    return values["Rss:"], values["Pss:"]


def launch(
    desktop: Desktop,
    argv: list[str],
    *,
    docks: bool = True,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], float]:
    """Start ``argv`` on the test desktop; once its icon docks, the process and the seconds it
    took (``docks`` False: at once, 0)."""
    started = time.monotonic()
    proc = desktop.spawn(
        argv,
        name=Path(argv[0]).name,
        extra_env=extra_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while docks and not tray_icon_windows(desktop):
        if time.monotonic() - started > 30 or proc.poll() is not None:
            raise SystemExit(f"the icon never docked: {argv}")
        time.sleep(0.005)
    return proc, (time.monotonic() - started if docks else 0.0)


def one_run(idle: float, window: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, Desktop(Path(tmp) / "desktop") as desktop:
        desktop.start_notification_server()
        desktop.start_tray_host()
        proc, docked = launch(desktop, [sys.executable, "-m", "microbreak"])
        time.sleep(idle)
        rss, pss = memory_kb(proc.pid)
        first = sample(proc.pid)
        time.sleep(window)
        last = sample(proc.pid)
        desktop.stop(proc)
        minutes = window / 60
        return {
            "docked_s": docked,
            "rss_mb": rss / 1024,
            "pss_mb": pss / 1024,
            "cpu_s_per_min": (last.cpu - first.cpu) / minutes,
            "wakeups_per_min": (last.switches - first.switches) / minutes,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=60.0, help="seconds idle before memory")
    parser.add_argument("--window", type=float, default=120.0, help="seconds of idle measured")
    parser.add_argument("--runs", type=int, default=1, help="repeat and report the median")
    args = parser.parse_args()
    results = [one_run(args.idle, args.window) for _ in range(args.runs)]
    targets = {
        "docked_s": 1.0,
        "rss_mb": 50.0,
        "pss_mb": 50.0,
        "cpu_s_per_min": 0.05,
        "wakeups_per_min": 2.0,
    }
    print(
        f"microbreak daemon, {args.runs} run(s), idle {args.idle:.0f} s, window {args.window:.0f} s"
    )
    for key, target in targets.items():
        values = [r[key] for r in results]
        median = statistics.median(values)
        verdict = "ok" if median <= target else "OVER TARGET"
        shown = ", ".join(f"{v:.3f}" for v in values)
        print(f"  {key:16} median {median:8.3f}  (target <= {target:g}; runs: {shown})  {verdict}")


if __name__ == "__main__":
    main()
