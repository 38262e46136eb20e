"""GLib's process-wide parts: the program's name, and a loop for the default main context.

Gio's D-Bus signals (the notification buttons') are dispatched by the loop that runs the default
context. With a tray, its GTK loop runs it; without one nothing would, so ``ensure_glib_loop()``
runs it on a daemon thread. Call it after the tray's loop started (or with no tray): GTK's loop,
started later, would wait for our thread to release the context, i.e. forever.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_thread: threading.Thread | None = None
_loop: Any = None  # the GLib.MainLoop our thread runs


def name_the_program() -> None:
    """Our name, not the script's (``__main__.py``), before GTK starts: the X11 class and the
    Wayland app id, which the desktop matches with microbreak's application entry."""
    from gi.repository import GLib

    GLib.set_prgname("microbreak")
    GLib.set_application_name("microbreak")


def ensure_glib_loop() -> bool:
    """Run the default main context on a daemon thread unless a loop runs it; True when this
    call started one. A context we cannot acquire is being run by someone else (the tray)."""
    global _thread, _loop
    from gi.repository import GLib

    with _lock:
        if _thread is not None and _thread.is_alive():
            return False
        context = GLib.MainContext.default()
        if not context.acquire():
            return False
        context.release()
        loop = GLib.MainLoop.new(context, False)
        _thread = threading.Thread(target=loop.run, name="glib-main-loop", daemon=True)
        _loop = loop
        _thread.start()
        return True


def stop_glib_loop() -> None:
    """Stop the loop ``ensure_glib_loop`` started, if any (at quit); waits at most 2 s."""
    global _thread, _loop
    with _lock:
        thread, loop = _thread, _loop
        _thread = _loop = None
    if thread is not None:
        loop.quit()
        thread.join(2.0)
