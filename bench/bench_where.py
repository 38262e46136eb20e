"""Where the daemon's private memory goes, beyond the floor of the libraries it is built on.

Starts, each on a fresh test desktop, the floor (the smallest pystray GTK icon with a menu, as
in ``bench_floor.py``) and the daemon, and prints the private memory
(USS) of each mapping of ``/proc/PID/smaps`` where the two differ: a shared library's pages
(``libsqlite3``), Python's objects (anonymous memory and the heap). Then prints how much
Python memory python-xlib takes in a process that already holds the daemon's other modules,
measured with ``tracemalloc``: as the daemon asks (the tray probe, an idle query, a full-screen
check), and through ``Xlib.display.Display``, which the daemon does not use, for comparison.

    .venv/bin/python bench/bench_where.py [--idle 10]
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_floor import measure
from bench.measure import ICON, ICON_ENV, compile_package
from tests.desktop import Desktop

XLIB_COST = """
import gc, sys, tracemalloc
import microbreak.daemon, pystray, sqlite3
gc.collect()
tracemalloc.start()
if sys.argv[1] == "daemon":
    from microbreak.adapters import tray_probe
    from microbreak.adapters.idle.x11 import X11Idle
    from microbreak.adapters.presence.fullscreen import FullScreen
    assert tray_probe.probe().xembed_host
    assert isinstance(X11Idle.open(), X11Idle)
    FullScreen().reason()
else:
    from Xlib import display
    display.Display().screen().root.screensaver_query_info()
gc.collect()
print(tracemalloc.get_traced_memory()[0] / 2**20)
"""


def private_by_mapping(pid: int) -> collections.Counter[str]:
    """Private kB (clean + dirty) per mapped file, ``[heap]`` or ``[anon]``."""
    kb: collections.Counter[str] = collections.Counter()
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if parts and not parts[0].endswith(":"):  # a mapping's header line
            name = parts[5] if len(parts) > 5 else "[anon]"
        elif parts and parts[0] in ("Private_Clean:", "Private_Dirty:"):
            kb[name] += int(parts[1])
    return kb


def xlib_cost(route: str) -> float:
    """MB of Python memory python-xlib takes beside the daemon's other modules, asked as the
    daemon asks (``route`` "daemon") or through ``Xlib.display.Display`` ("display")."""
    with tempfile.TemporaryDirectory() as tmp, Desktop(Path(tmp) / "desktop") as desktop:
        desktop.start_tray_host()
        done = subprocess.run(
            [sys.executable, "-c", XLIB_COST, route],
            env={**desktop.env, **ICON_ENV},
            capture_output=True,
            text=True,
            check=True,
        )
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=10.0, help="seconds idle before reading")
    args = parser.parse_args()
    compile_package()  # the daemon starts as the README's install would
    floor = measure(ICON, True, args.idle, private_by_mapping)
    daemon = measure([sys.executable, "-m", "microbreak"], True, args.idle, private_by_mapping)
    total_floor, total_daemon = sum(floor.values()) / 1024, sum(daemon.values()) / 1024
    print(f"USS: floor {total_floor:.1f} MB, daemon {total_daemon:.1f} MB")
    print(f"  {'floor':>8} {'daemon':>8} {'added':>8}  (kB, mappings that differ by 64 kB or more)")
    for name in sorted(floor.keys() | daemon.keys(), key=lambda n: floor[n] - daemon[n]):
        added = daemon[name] - floor[name]
        if abs(added) >= 64:
            print(f"  {floor[name]:8d} {daemon[name]:8d} {added:+8d}  {name}")
    print("python-xlib beside the daemon's other modules, MB of Python memory:")
    asked, display = xlib_cost("daemon"), xlib_cost("display")
    print(f"  as the daemon asks {asked:.1f}, through Display {display:.1f}")


if __name__ == "__main__":
    main()
