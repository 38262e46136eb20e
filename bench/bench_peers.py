"""microbreak beside the break reminders it is measured against, on the same kind of desktop.

Each program runs alone on a fresh test desktop (Xvfb, a session bus, dunst, trayer) with a
fresh home, as a new user would start it: a bare pystray GTK icon with a menu (the floor), the
microbreak daemon (a later start, after a first one checked the settings), Workrave and Safe
Eyes. The rounds take the programs in turn, so the machine's load weighs on all of them alike.
For each: the seconds until its icon docks; RSS, PSS and USS once it has sat idle; CPU seconds
and voluntary context switches (wake-ups) per minute over an idle window, all threads summed.
Last, the medians and microbreak's ratio to each peer.

Workrave and Safe Eyes are Debian's packages (``apt-get install workrave safeeyes``); one that
is not installed is left out, with a line saying so. Safe Eyes will not start without a system
bus, which the test desktop lacks, so it is given the session bus in that role (nothing answers
there for logind, as in a container).

    .venv/bin/python bench/bench_peers.py [--idle 60] [--window 120] [--runs 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
from tests.desktop import Desktop

MICROBREAK = "microbreak"
#: The table's columns, in order: a figure, its heading, its width and its decimals.
COLUMNS = (
    ("docked_s", "docked s", 8, 2),
    ("rss_mb", "RSS", 7, 1),
    ("pss_mb", "PSS", 7, 1),
    ("uss_mb", "USS", 7, 1),
    ("cpu_s_per_min", "CPU s/m", 9, 3),
    ("wakeups_per_min", "wakes/m", 9, 1),
)
HEADER = f"  {'':20} " + " ".join(heading.rjust(width) for _, heading, width, _ in COLUMNS)


@dataclass(frozen=True)
class Program:
    """How to start one program on a test desktop."""

    label: str
    argv: list[str]
    env: Callable[[Desktop], Mapping[str, str]] = lambda _desktop: {}
    warm_up: bool = False  # start and stop it once first (microbreak's checked settings)


PROGRAMS = (
    Program("bare pystray icon", ICON, lambda _: ICON_ENV),
    Program(MICROBREAK, [sys.executable, "-m", "microbreak"], warm_up=True),
    Program("Workrave", ["workrave"]),
    Program("Safe Eyes", ["safeeyes"], lambda d: {"DBUS_SYSTEM_BUS_ADDRESS": d.bus_address}),
)


def one_run(program: Program, idle: float, window: float) -> dict[str, float]:
    with tray_desktop() as desktop:
        env = dict(program.env(desktop))
        if program.warm_up:
            warm, _ = launch(desktop, program.argv, extra_env=env)
            desktop.stop(warm)
        proc, docked = launch(desktop, program.argv, extra_env=env)
        quiet = idle_figures(proc.pid, idle, window)
        desktop.stop(proc)
    return {"docked_s": docked, **quiet.figures()}


def row(label: str, figures: Mapping[str, float]) -> str:
    cells = (f"{figures[key]:{width}.{decimals}f}" for key, _, width, decimals in COLUMNS)
    return f"  {label:20} " + " ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_idle_options(parser)
    parser.add_argument("--runs", type=int, default=2, help="rounds; the medians are reported")
    args = parser.parse_args()
    compile_package()  # microbreak starts as the README's install would
    programs = [p for p in PROGRAMS if shutil.which(p.argv[0])]
    for missing in (p for p in PROGRAMS if p not in programs):
        print(f"{missing.label}: not installed, left out (apt-get install workrave safeeyes)")
    results: dict[str, list[dict[str, float]]] = {p.label: [] for p in programs}
    print(f"idle {args.idle:.0f} s before memory, then a {args.window:.0f} s window (MB, s)")
    print(HEADER)
    for n in range(args.runs):
        for program in programs:
            figures = one_run(program, args.idle, args.window)
            results[program.label].append(figures)
            print(row(f"{program.label} #{n + 1}", figures), flush=True)
    medians = {
        label: {key: statistics.median(r[key] for r in runs) for key, *_ in COLUMNS}
        for label, runs in results.items()
    }
    print(f"\nmedians of {args.runs} run(s)")
    print(HEADER)
    for label, figures in medians.items():
        print(row(label, figures))
    ours = medians.get(MICROBREAK)
    if ours is None:
        return
    print("\nmicrobreak / peer (below 1: microbreak is smaller or quicker)")
    for label, figures in medians.items():
        if label == MICROBREAK:
            continue
        ratios = ", ".join(
            f"{k.removesuffix('_mb').removesuffix('_s')} {ours[k] / figures[k]:.2f}"
            for k in ("docked_s", "rss_mb", "pss_mb", "uss_mb")
            if figures[k] > 0
        )
        print(f"  {label:20} {ratios}")


if __name__ == "__main__":
    main()
