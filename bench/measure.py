"""What the daemon benchmarks share: launching on the test desktop and reading /proc."""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.desktop import Desktop, tray_icon_windows

TICKS = os.sysconf("SC_CLK_TCK")

#: The smallest pystray icon with a menu, as the daemon uses it (gtk backend, no GL): the
#: reference a docking time and a memory figure are compared with.
ICON_SCRIPT = """
import os
os.environ["GDK_GL"] = "disable"  # as the daemon does: no Mesa for a tray icon
import pystray
from PIL import Image
item = pystray.MenuItem
menu = pystray.Menu(item("Status", None, enabled=False), item("Take a break now", lambda: None),
                    item("Quit", lambda icon: icon.stop()))
pystray.Icon("floor", Image.new("RGBA", (32, 32), (40, 120, 200, 255)), "floor", menu).run()
"""
ICON = [sys.executable, "-c", ICON_SCRIPT]
ICON_ENV = {"PYSTRAY_BACKEND": "gtk"}


@dataclass(frozen=True)
class Sample:
    """CPU seconds and voluntary context switches of every thread of a process."""

    cpu: float
    switches: int


@dataclass(frozen=True)
class Memory:
    """Resident (RSS), proportional (PSS) and private (USS) memory in MB."""

    rss: float
    pss: float
    uss: float


def compile_package(package: Path | None = None) -> Path:
    """Compile the package's bytecode (default: the one imported here), as ``pip install .``
    (the README's install) does: with ``PYTHONDONTWRITEBYTECODE`` set, an editable install would
    otherwise compile every module on every start, and that start would be slower and leave
    more memory behind than a user's."""
    if package is None:
        import microbreak  # the package the benchmarks start (``PYTHONPATH`` may pick another)

        package = Path(microbreak.__file__).parent
    if not compileall.compile_dir(package, quiet=1):
        raise SystemExit(f"cannot compile {package}")
    return package


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


def memory(pid: int) -> Memory:
    """RSS, PSS and USS (private clean + private dirty) from smaps_rollup."""
    kb: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            kb[parts[0]] = int(parts[1])
    uss = kb["Private_Clean:"] + kb["Private_Dirty:"]
    return Memory(kb["Rss:"] / 1024, kb["Pss:"] / 1024, uss / 1024)


@dataclass(frozen=True)
class Idle:
    """What a program holds and does while idle: memory, then CPU and wake-ups per minute."""

    memory: Memory
    cpu_s_per_min: float
    wakeups_per_min: float

    def figures(self) -> dict[str, float]:
        """As the benchmarks print them, by name."""
        return {
            "rss_mb": self.memory.rss,
            "pss_mb": self.memory.pss,
            "uss_mb": self.memory.uss,
            "cpu_s_per_min": self.cpu_s_per_min,
            "wakeups_per_min": self.wakeups_per_min,
        }


def add_idle_options(parser: argparse.ArgumentParser) -> None:
    """``--idle`` and ``--window``, the two spans of ``idle_figures``, with their defaults."""
    parser.add_argument("--idle", type=float, default=60.0, help="seconds idle before memory")
    parser.add_argument("--window", type=float, default=120.0, help="seconds of idle measured")


def idle_figures(pid: int, idle: float, window: float) -> Idle:
    """Memory after ``idle`` seconds, then CPU seconds and voluntary context switches (wake-ups)
    per minute over the next ``window`` seconds, all threads summed."""
    time.sleep(idle)
    mem = memory(pid)
    first = sample(pid)
    time.sleep(window)
    last = sample(pid)
    minutes = window / 60
    return Idle(mem, (last.cpu - first.cpu) / minutes, (last.switches - first.switches) / minutes)


@contextmanager
def tray_desktop() -> Iterator[Desktop]:
    """A fresh test desktop (Xvfb, a session bus) with a notification server and a tray host, in
    a temporary home: what every program is measured on, as a new user would start it."""
    with tempfile.TemporaryDirectory() as tmp, Desktop(Path(tmp) / "desktop") as desktop:
        desktop.start_notification_server()
        desktop.start_tray_host()
        yield desktop


def launch(
    desktop: Desktop,
    argv: list[str],
    *,
    docks: bool = True,
    extra_env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[subprocess.Popen[bytes], float]:
    """Start ``argv`` on the test desktop (in ``cwd``, else ours); once its icon docks, the
    process and the seconds it took (``docks`` False: at once, 0)."""
    started = time.monotonic()
    proc = desktop.spawn(
        argv,
        name=Path(argv[0]).name,
        extra_env=extra_env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while docks and not tray_icon_windows(desktop):
        if time.monotonic() - started > 30 or proc.poll() is not None:
            raise SystemExit(f"the icon never docked: {argv}")
        time.sleep(0.005)
    return proc, (time.monotonic() - started if docks else 0.0)
