"""A GLib main loop for the default main context, started only when nobody runs one.

D-Bus signals that Gio delivers (the notification buttons' ``ActionInvoked``, for one) are
dispatched by whatever loop runs the main context that was the thread's default when the
subscription was made: the default context, from any thread that did not push its own. With a
tray, its GTK loop runs that context. Without one (``--no-tray``, GNOME without a tray
extension) nothing would, and the buttons would do nothing: ``ensure_glib_loop()`` starts a
small daemon thread that runs it.

Call it after the tray's loop has started, or when there is no tray: GTK's loop, started later
in another thread, would wait for our thread to release the context, i.e. forever.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_thread: threading.Thread | None = None
_loop: Any = None  # the GLib.MainLoop our thread runs


def ensure_glib_loop() -> bool:
    """Run the default main context on a daemon thread unless a loop already runs it.

    Returns True when this call started the thread. A loop that runs the context owns it for as
    long as it runs, so a context we cannot acquire is being run by someone else (the tray).
    """
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


def stop_glib_loop(timeout: float = 2.0) -> None:
    """Stop the loop ``ensure_glib_loop`` started, if any (at quit); waits at most ``timeout``."""
    global _thread, _loop
    with _lock:
        thread, loop = _thread, _loop
        _thread = _loop = None
    if loop is None or thread is None:
        return
    loop.quit()
    thread.join(timeout)
