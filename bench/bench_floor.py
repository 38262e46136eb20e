"""What the chosen libraries cost on their own: the memory floor under the daemon.

Starts, one at a time on the test desktop (Xvfb + dunst + trayer), a bare Python, the smallest
pystray icon with a menu (gtk backend, as the daemon uses it) and the real daemon; prints each
one's RSS, PSS and USS once it has docked and sat idle. The difference between the last two rows
is what microbreak itself adds; the icon is the floor no code of ours can go below.

USS counts a shared library's pages as private while no other process maps it, so on this
otherwise empty desktop GTK's own code is part of every row. ``--beside`` keeps a second bare
icon running during each measurement, as the other GTK programs of a real desktop would: then
USS is what the process alone holds.

    .venv/bin/python bench/bench_floor.py [--idle 10] [--beside]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import ICON, ICON_ENV, compile_package, launch, memory, tray_desktop
from tests.desktop import tray_icon_windows, wait_until

T = TypeVar("T")

STACKS: list[tuple[str, list[str], bool]] = [
    ("bare Python", [sys.executable, "-c", "import time; time.sleep(3600)"], False),
    ("pystray icon + menu (gtk)", ICON, True),
    ("microbreak daemon", [sys.executable, "-m", "microbreak"], True),
]


def measure(
    argv: list[str], docks: bool, idle: float, read: Callable[[int], T], beside: bool = False
) -> T:
    """``read(pid)`` of ``argv`` (``memory``, say) after it docked (if it does) and sat ``idle``
    seconds; with ``beside``, while a bare icon runs next to it."""
    with tray_desktop() as desktop:
        if beside:
            launch(desktop, ICON, extra_env=ICON_ENV)
        backend = ICON_ENV if argv[1] == "-c" else None
        proc, _ = launch(desktop, argv, docks=False, extra_env=backend)
        wait_until(lambda: len(tray_icon_windows(desktop)) > beside or not docks, 30, "docking")
        time.sleep(idle)
        found = read(proc.pid)
        desktop.stop(proc)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=10.0, help="seconds idle before measuring")
    parser.add_argument("--beside", action="store_true", help="a bare icon runs beside each one")
    args = parser.parse_args()
    compile_package()  # the daemon row starts as the README's install would
    beside = ", a bare icon beside it" if args.beside else ""
    print(f"memory after docking and {args.idle:.0f} s idle{beside} (MB)")
    print(f"  {'':28} {'RSS':>6} {'PSS':>6} {'USS':>6}")
    for label, argv, docks in STACKS:
        mem = measure(argv, docks, args.idle, memory, args.beside)
        print(f"  {label:28} {mem.rss:6.1f} {mem.pss:6.1f} {mem.uss:6.1f}")


if __name__ == "__main__":
    main()
