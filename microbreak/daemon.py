"""Run the daemon: signals, adapters, the tray on the main thread (or none), a clean exit.

SIGINT and SIGTERM are blocked in every thread and taken by one thread that waits in
``sigwait``: GTK's main loop owns the main thread in C and would not run Python signal handlers
until some other event woke it, and pystray resets SIGINT to its default (instant death, icon
left behind). A blocked signal simply waits for that thread, wherever the main thread is.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import sys
import threading
from typing import Any

from .adapters.clock import SystemClock
from .adapters.control import ControlServer, InstanceLock
from .adapters.history import History
from .adapters.notifier import PlyerNotifier
from .adapters.sound import Chime
from .adapters.state_store import StateStore
from .adapters.timer import SchedulerTimer
from .app import App, AppConfig
from .errors import MicrobreakError
from .local_time import local_zone
from .paths import UnsafeDirectory, history_file, package_assets, runtime_dir, state_file
from .runtime import Runtime

log = logging.getLogger("microbreak.daemon")  # not __name__: this runs as __main__

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _take_signals(app: App) -> None:
    """Route SIGINT/SIGTERM to ``app.quit`` from a dedicated thread (see module docstring)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)

        def wait() -> None:
            received = signal.sigwait(STOP_SIGNALS)
            log.info("received %s", signal.Signals(received).name)
            app.quit()

        threading.Thread(target=wait, name="signals", daemon=True).start()
    else:  # Windows: handlers run on the main thread, which pystray's win32 loop lets through
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda *_: app.quit())


def main(argv: list[str] | None = None) -> int:
    """Entry of the lean daemon process: ``python -m microbreak.daemon RUNTIME_JSON``."""
    from . import logs

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("microbreak.daemon is started by `microbreak run`", file=sys.stderr)
        return 2
    runtime = Runtime.from_json(args[0])
    path = logs.setup(runtime.verbose)
    if path is not None:
        log.debug("log file: %s", path)
    try:
        return run(runtime)
    except (MicrobreakError, UnsafeDirectory) as e:
        print(f"microbreak: {e}", file=sys.stderr)
        return getattr(e, "exit_code", 1)


def run(runtime: Runtime) -> int:
    """Run until Quit or a stop signal; returns the exit code."""
    private = runtime_dir()
    lock = InstanceLock(private / "daemon.lock")
    lock.acquire()  # raises AlreadyRunning: one daemon per user session
    if lock.previous_pid and not _alive(lock.previous_pid):
        log.info(
            "took over from a daemon that stopped without cleaning up (pid %s)", lock.previous_pid
        )
    assets = package_assets()
    if not runtime.config_exists:
        log.info("no config file at %s; using the defaults", runtime.path)
    else:
        log.info("config: %s", runtime.path)

    timer_box: list[SchedulerTimer] = []
    app_box: list[App] = []

    notifier = PlyerNotifier(
        icon=assets / "microbreak.png",
        timeout_seconds=max(1, round(runtime.notification_timeout)),
        fallback=lambda message: app_box[0].fallback(message),
    )
    timer = SchedulerTimer(lambda: app_box[0].wake())
    timer_box.append(timer)
    app = App(
        AppConfig(runtime.policy(), runtime.selection(), runtime.snoozes(), runtime.path),
        SystemClock(),
        timer,
        notifier,
        local_zone(),
    )
    app_box.append(app)
    app.store = StateStore(state_file())
    app.history = _open_history()
    app.chime = Chime() if runtime.sound else None
    _take_signals(app)

    icon = _make_tray(app, assets) if runtime.tray else None
    app.tray = icon
    app.start()
    timer.start()
    server = ControlServer(private / "control.sock", app.handle)
    server.start()
    try:
        if icon is None:
            app.stopped.wait()
        else:
            icon.run(ready=lambda: log.info("tray icon shown (%s backend)", icon.backend))
    finally:
        server.stop()
        timer.stop()
        app.close()
    log.info("stopped")
    return 0


def _open_history() -> History | None:
    """The event history, or None (said once) when its directory cannot be used."""
    try:
        history, warning = History.open(history_file())
    except (OSError, sqlite3.Error) as e:
        log.warning("running without a history (%s)", e)
        return None
    if warning:
        log.warning("%s", warning)
    return history


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _make_tray(app: App, assets: Any) -> Any:
    """The tray icon, or None (with one clear line saying why) when there can be none."""
    from .adapters import tray_probe

    choice = tray_probe.choose()
    if not choice.backends:
        log.warning("running without a tray icon: %s", choice.reason)
        return None
    from .adapters.tray import PystrayTray, TrayUnavailable

    try:
        icon = PystrayTray(app, assets, choice.backends)
    except TrayUnavailable as e:
        log.warning("running without a tray icon: no tray backend could load (%s)", e)
        return None
    if not icon.has_menu:
        log.warning("the tray icon has no menu: %s", choice.reason)
    log.info("tray: %s (%s)", icon.backend, choice.reason)
    return icon


if __name__ == "__main__":
    sys.exit(main())
