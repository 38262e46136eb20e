"""ensure_glib_loop starts a loop for the default context only when nobody runs one (each case
in a fresh interpreter: the loop thread lives as long as its process)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_PRELUDE = """
import threading
from gi.repository import GLib
from microbreak.adapters.glib_loop import ensure_glib_loop
ran = threading.Event()
"""

ALONE = """
assert ensure_glib_loop() is True
assert ensure_glib_loop() is False  # one thread is enough
GLib.idle_add(lambda: ran.set() or False)  # dispatched only if a loop runs the default context
assert ran.wait(5.0)
print("ok")
"""

TRAY_LOOP = """
tray = GLib.MainLoop()  # stands for the GTK tray's loop, already running the default context
threading.Thread(target=tray.run, daemon=True).start()
GLib.idle_add(lambda: ran.set() or False)
assert ran.wait(5.0)
assert ensure_glib_loop() is False
tray.quit()
print("ok")
"""


@pytest.mark.parametrize("case", [ALONE, TRAY_LOOP], ids=["no-tray", "tray-loop-running"])
def test_ensure_glib_loop(case: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PRELUDE + case], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
