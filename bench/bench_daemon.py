"""Benchmark the real daemon with its tray on the test desktop.

Prints: seconds from launch to icon docked (a first start, which checks the settings, and
then a start that finds them unchanged), beside a bare pystray GTK icon docking on a fresh
desktop of the same kind in the same run (the reference); resident, proportional and private
memory (RSS, PSS, USS) after an idle minute; CPU seconds and voluntary context switches
(wake-ups) per minute over a 2-minute idle window, summed over all of the daemon's threads.
Targets: docked no more than 0.2 s after the bare icon, USS <= 40 MB, <= 2 wake-ups and
< 0.05 CPU seconds per minute. The package's bytecode is compiled first, as the README's
install (``pip install .``) does.

    .venv/bin/python bench/bench_daemon.py [--idle 60] [--window 120] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import (
    ICON,
    ICON_ENV,
    add_idle_options,
    compile_package,
    idle_figures,
    launch,
    tray_desktop,
)

#: The figures with a target (at most this much); the others are printed for reference.
TARGETS = {"docked_over_bare_s": 0.2, "uss_mb": 40.0, "cpu_s_per_min": 0.05, "wakeups_per_min": 2.0}


def reference_dock() -> float:
    """Seconds a bare pystray GTK icon with a menu takes to dock on a fresh test desktop."""
    with tray_desktop() as desktop:
        proc, docked = launch(desktop, ICON, extra_env=ICON_ENV)
        desktop.stop(proc)
    return docked


def one_run(idle: float, window: float) -> dict[str, float]:
    reference = reference_dock()  # side by side: the machine's load weighs on both alike
    with tray_desktop() as desktop:
        # A first start checks the settings and keeps the record (microbreak/settings/
        # checked.py); every later one with the same files starts from it. Measure a later one.
        warm, first_docked = launch(desktop, [sys.executable, "-m", "microbreak"])
        desktop.stop(warm)
        proc, docked = launch(desktop, [sys.executable, "-m", "microbreak"])
        quiet = idle_figures(proc.pid, idle, window)
        desktop.stop(proc)
        return {
            "first_start_docked_s": first_docked,
            "docked_s": docked,
            "bare_icon_docked_s": reference,
            "docked_over_bare_s": docked - reference,
            **quiet.figures(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_idle_options(parser)
    parser.add_argument("--runs", type=int, default=1, help="repeat and report the median")
    args = parser.parse_args()
    compile_package()
    results = [one_run(args.idle, args.window) for _ in range(args.runs)]
    print(
        f"microbreak daemon, {args.runs} run(s), idle {args.idle:.0f} s, window {args.window:.0f} s"
    )
    for key in results[0]:
        target = TARGETS.get(key)
        values = [r[key] for r in results]
        median = statistics.median(values)
        shown = ", ".join(f"{v:.3f}" for v in values)
        if target is None:
            print(f"  {key:19} median {median:8.3f}  (runs: {shown})")
            continue
        verdict = "ok" if median <= target else "OVER TARGET"
        print(f"  {key:19} median {median:8.3f}  (target <= {target:g}; runs: {shown})  {verdict}")


if __name__ == "__main__":
    main()
