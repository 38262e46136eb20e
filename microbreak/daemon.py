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
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .adapters.away import Away
from .adapters.clock import SystemClock
from .adapters.config_watch import ConfigWatch
from .adapters.control import ControlServer
from .adapters.history import History
from .adapters.instance_lock import LOCK_NAME, InstanceLock
from .adapters.notifier import PlyerNotifier
from .adapters.sound import Chime
from .adapters.state_store import StateStore
from .adapters.timer import SchedulerTimer
from .app import App, AppConfig
from .channel import control_address
from .core.messages import Message
from .errors import MicrobreakError
from .local_time import local_zone
from .paths import (
    UnsafeDirectory,
    control_key_file,
    history_file,
    package_assets,
    runtime_dir,
    site_config_files,
    state_file,
)
from .runtime import Runtime

log = logging.getLogger("microbreak.daemon")  # not __name__: this runs as __main__

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
RELOAD_SIGNAL = getattr(signal, "SIGHUP", None)


def _take_signals(app: App, reload: Callable[[str], None]) -> None:
    """Route SIGINT/SIGTERM to ``app.quit`` and SIGHUP to a config reload, from one thread."""
    if sys.platform != "win32":
        wanted = STOP_SIGNALS | ({RELOAD_SIGNAL} if RELOAD_SIGNAL is not None else set())
        signal.pthread_sigmask(signal.SIG_BLOCK, wanted)

        def wait() -> None:
            while True:
                received = signal.sigwait(wanted)
                if received == RELOAD_SIGNAL:
                    reload("SIGHUP")
                    continue
                log.info("received %s", signal.Signals(received).name)
                app.quit()
                return

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
    lock = InstanceLock(private / LOCK_NAME)
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

    app_box: list[App] = []  # the notifier and timer call back into the app built below

    notifier = PlyerNotifier(
        icon=assets / "microbreak.png",
        timeout_seconds=max(1, round(runtime.notification_timeout)),
        fallback=lambda message: app_box[0].fallback(message),
    )
    timer = SchedulerTimer(lambda: app_box[0].wake())
    app = App(
        _app_config(runtime),
        SystemClock(),
        timer,
        notifier,
        local_zone(),
    )
    app_box.append(app)
    app.store = StateStore(state_file())
    app.history = _open_history()
    app.chime = Chime() if runtime.sound else None
    app.presence = _presence(runtime) if runtime.detect_idle else None
    app.dnd = _do_not_disturb(runtime)
    reload = _reloader(app, runtime, notifier)
    _take_signals(app, reload)
    if not runtime.config_exists:
        # A first start has no config dir yet; made now (empty), a file written there later is
        # noticed like any edit instead of waiting for a restart.
        try:
            runtime.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            log.debug("cannot make %s: %s", runtime.path.parent, e)
    watched = [runtime.path, *site_config_files()]
    watched += [Path(d) / "*.toml" for d in runtime.exercise_dirs or ()]
    watch = ConfigWatch(watched, lambda: reload("the config file changed"))
    if not watch.start():
        log.info("config edits are not noticed on this system; send SIGHUP to reload")

    icon = _make_tray(app, assets) if runtime.tray else None
    app.tray = icon
    app.start()
    timer.start()
    address, family = control_address()
    server = ControlServer(address, family, control_key_file(), app.handle)
    try:
        server.start()
        if icon is None:
            app.stopped.wait()
        else:
            icon.run(ready=lambda: log.info("tray icon shown (%s backend)", icon.backend))
    finally:
        watch.stop()
        server.stop()
        timer.stop()
        app.close()
    log.info("stopped")
    return 0


def _app_config(runtime: Runtime) -> AppConfig:
    return AppConfig(
        runtime.policy(),
        runtime.selection(),
        runtime.snoozes(),
        runtime.path,
        work=runtime.work_week(),
        catalog=runtime.catalog(),
    )


def _validate(current: Runtime) -> tuple[Runtime | None, str | None]:
    """Check the config files as `microbreak config check` does, in a child process.

    pydantic stays out of the daemon's memory; the child is bounded in time and reaped.
    """
    command = [sys.executable, "-m", "microbreak", "config", "check", "--json"]
    if current.path.is_file():
        command += ["--config", str(current.path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"the config check could not run ({e})"
    if done.returncode != 0:
        lines = [ln.removeprefix("microbreak: ") for ln in done.stderr.splitlines() if ln]
        return None, "\n".join(lines) or f"the config check failed (exit {done.returncode})"
    fresh = Runtime.from_json(done.stdout.strip().splitlines()[-1])
    return replace(fresh, tray=current.tray, verbose=current.verbose), None


def _reloader(app: App, runtime: Runtime, notifier: PlyerNotifier) -> Callable[[str], None]:
    """A reload that keeps the previous settings on a bad edit and says so once per edit."""
    lock = threading.Lock()

    def reload(why: str) -> None:
        with lock:
            log.info("reloading the config (%s)", why)
            fresh, problem = _validate(runtime)
            if problem is not None or fresh is None:
                if problem != app.config_problem:
                    log.warning("config problem, the previous settings stay: %s", problem)
                    notifier.show(Message("Microbreak: config problem", problem or ""))
                app.config_problem = problem
                return
            app.config_problem = None
            notifier.timeout_seconds = max(1, round(fresh.notification_timeout))
            if fresh.sound and app.chime is None:
                app.chime = Chime()
            elif not fresh.sound and app.chime is not None:
                app.chime.close()
                app.chime = None
            presence = _presence(fresh) if fresh.detect_idle else None
            app.swap_detectors(presence, _do_not_disturb(fresh))
            app.reconfigure(_app_config(fresh))
            log.info("config reloaded; %s", app.status_line())

    return reload


def _presence(runtime: Runtime) -> Away:
    """Idle time and the lock state, for natural breaks; says once when they are off."""
    from datetime import timedelta

    from .adapters.idle import choose
    from .adapters.presence import LockDetector

    idle, why = choose()
    if why:
        log.warning("%s", why)
    else:
        log.info("idle detection: %s", idle.name)
    return Away(idle, LockDetector.default(), timedelta(seconds=runtime.natural_break))


def _do_not_disturb(runtime: Runtime) -> Any:
    """The enabled do-not-disturb checks, or None when all are switched off."""
    flags = dict(runtime.dnd)
    if not any(flags.values()):
        return None
    from .adapters.presence import DoNotDisturb

    return DoNotDisturb.default(
        fullscreen=flags.get("fullscreen", True),
        desktop_dnd=flags.get("desktop", True),
        camera=flags.get("camera", True),
        microphone=flags.get("microphone", False),
    )


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
    if sys.platform == "win32":  # os.kill(pid, 0) would end that process there, and the
        return False  # daemon that left its pid is gone anyway: we hold its lock now
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
