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
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import i18n
from .adapters import backends
from .adapters.away import Away
from .adapters.backends import FREEDESKTOP, Candidate
from .adapters.clock import SystemClock, local_zone
from .adapters.editor import SystemEditor
from .adapters.guide_process import GuideProcess
from .adapters.instance_lock import LOCK_NAME, InstanceLock
from .adapters.nothing import NoChime, NoDoNotDisturb, NoHistory, NoPresence, NoTray
from .adapters.notify.plyer import PlyerNotifier
from .adapters.storage.history import History as SqliteHistory
from .adapters.storage.state import StateStore
from .adapters.timer import SchedulerTimer
from .app import App, Ports
from .channel import control_address
from .core.durations import humanize
from .core.ports import Chime, DoNotDisturb, History, Notifier, Presence
from .errors import MicrobreakError
from .paths import (
    UnsafeDirectory,
    control_key_file,
    history_file,
    package_assets,
    runtime_dir,
    site_config_files,
    state_file,
)
from .settings.record import Runtime

if TYPE_CHECKING:
    from .adapters.notify.freedesktop import Answer, FdoNotifier
    from .adapters.tray import PystrayTray

log = logging.getLogger("microbreak.daemon")  # not __name__: this runs as __main__

#: pystray backends whose GTK main loop runs GLib's default main context (the one that
#: dispatches the notification buttons' signals); with any other, we run a loop of our own.
GLIB_TRAYS = frozenset({"gtk", "appindicator"})

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
RELOAD_SIGNAL = getattr(signal, "SIGHUP", None)


def _block_signals() -> set[signal.Signals]:
    """Block the signals we take in this thread, and so in every thread started after it.

    Call it before any thread starts (Gio's D-Bus worker is one): a thread that lets SIGTERM
    through would get it, and its default action ends the process without a clean exit.
    """
    wanted = STOP_SIGNALS | ({RELOAD_SIGNAL} if RELOAD_SIGNAL is not None else set())
    if sys.platform != "win32":  # Windows has no signal masks (nor SIGTERM from outside)
        signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
    return wanted


def _take_signals(app: App, reload: Callable[[str], None]) -> None:
    """Route SIGINT/SIGTERM to ``app.quit`` and SIGHUP to a config reload, from one thread."""
    if sys.platform != "win32":
        wanted = _block_signals()

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
    i18n.use(runtime.language)  # so the quick commands' answers come in the user's language
    if path is not None:
        log.debug("log file: %s", path)
    try:
        return run(runtime)
    except (MicrobreakError, UnsafeDirectory) as e:
        print(f"microbreak: {e}", file=sys.stderr)
        return getattr(e, "exit_code", 1)


def run(runtime: Runtime) -> int:
    """Run until Quit or a stop signal; returns the exit code.

    The one composition root: every adapter is made here, once, and handed to the app.
    """
    private = runtime_dir()
    lock = InstanceLock(private / LOCK_NAME)
    lock.acquire()  # raises MicrobreakError: one daemon per user session
    if lock.previous_pid and not _alive(lock.previous_pid):
        log.info(
            "took over from a daemon that stopped without cleaning up (pid %s)", lock.previous_pid
        )
    assets = package_assets()
    if not runtime.config_exists:
        log.info("no config file at %s; using the defaults", runtime.path)
    else:
        log.info("config: %s", runtime.path)

    _block_signals()  # before the notifier's D-Bus connection starts its thread
    answer_to: list[Callable[[Answer], None]] = []  # the app's router, once the app exists

    def on_answer(answer: Answer) -> None:
        for route in answer_to:
            route(answer)

    notifier, answerable = _make_notifier(runtime, assets, on_answer)
    tray = _make_tray(assets) if runtime.tray else None
    app = App(
        runtime,
        runtime.catalog(),
        Ports(
            clock=SystemClock(),
            timer=SchedulerTimer(),
            notifier=notifier,
            tray=tray or NoTray(),
            store=StateStore(state_file()),
            history=_open_history(),
            chime=_chime(runtime),
            presence=_presence(runtime),
            dnd=_do_not_disturb(runtime),
            editor=SystemEditor(),
            guide=GuideProcess(runtime.path if runtime.config_exists else None),
        ),
        local_zone(),
    )
    if answerable is not None:
        from .adapters.notify.answers import router

        answer_to.append(router(app))
        if tray is None or tray.backend not in GLIB_TRAYS:
            # Nobody else runs the default context: without this the buttons would do nothing.
            # (A GTK tray's loop runs it; ours, started first, would keep GTK's from running.)
            from .adapters.glib_loop import ensure_glib_loop

            ensure_glib_loop()
    reload = _reloader(app, runtime, notifier)
    _take_signals(app, reload)
    stops: list[Callable[[], None]] = []  # what start_up started, stopped in reverse
    failed: list[BaseException] = []

    def start_up() -> None:
        """Start the app's timer, the control channel and the config watch, and do the desktop
        chores: once the icon is on screen, when there is one (about a tenth of a second that
        the user would otherwise spend looking at an empty tray), else at once."""
        if app.stopped.is_set():  # a stop signal came first
            return
        try:
            linux = sys.platform.startswith("linux")
            if linux:
                _name_our_notifications()  # before the first reminder can show
                _say_if_gnome_breaks_too(runtime)  # before "started", which it qualifies
            app.start()
            # The watch before the channel: once the CLI gets an answer, an edit is noticed.
            stops.append(_watch(runtime, reload))
            stops.append(_serve(app))
        except BaseException as e:  # raised again on the main thread, below
            failed.append(e)
            app.quit()
            return
        if tray is not None:
            log.info("tray icon shown (%s backend)", tray.backend)

    try:
        if tray is None:
            start_up()
            app.stopped.wait()
        else:
            tray.run(app, ready=start_up)
        if failed:
            raise failed[0]
    finally:
        for stop in reversed(stops):
            stop()
        app.close()
        if answerable is not None:
            _stop_answerable(answerable)
    log.info("stopped")
    return 0


def _serve(app: App) -> Callable[[], None]:
    """Start the control channel for the CLI; returns its stop."""
    from .adapters.control import ControlServer, handler

    address, family = control_address()
    server = ControlServer(address, family, control_key_file(), handler(app))
    server.start()
    return server.stop


def _watch(runtime: Runtime, reload: Callable[[str], None]) -> Callable[[], None]:
    """Reload on an edit of the config or exercise files; returns the watch's stop."""
    from .adapters.config_watch import ConfigWatch

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
    return watch.stop


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


def _name_our_notifications() -> None:
    """Install the application entry that names our notifications (GNOME and KDE show our
    name and icon, group the reminders and let the user mute them)."""
    from .usecases.autostart import install_app_entry

    try:
        said = install_app_entry()
    except OSError as e:
        said = f"cannot write the application entry ({e}); notifications go unnamed"
    if said:
        log.info("%s", said)


def _say_if_gnome_breaks_too(runtime: Runtime) -> None:
    """Say once when GNOME's own movement breaks are on too (two reminders to move), unless
    the user said not to."""
    from .adapters.gnome_breaks import start_warning

    warning = start_warning(runtime.gnome_breaks_warning)
    if warning:
        log.warning("%s", warning)


def _snooze_label(runtime: Runtime) -> str:
    """The Snooze button: the first snooze choice, as the tray words it ("Snooze 5 min")."""
    return i18n.pgettext("notification button", "Snooze {duration}").format(
        duration=humanize(runtime.snoozes()[0])
    )


def _make_notifier(
    runtime: Runtime, assets: Path, on_answer: Callable[[Answer], None]
) -> tuple[Notifier, FdoNotifier | None]:
    """Reminders with buttons where the server lists ``actions`` (freedesktop desktops), else
    plyer's, chosen as every backend is (``MICROBREAK_NOTIFICATIONS`` names one); says which and
    why in one line. The second item is the notifier with buttons, if any."""
    icon = assets / "microbreak.png"
    timeout = max(1, round(runtime.notification_timeout))
    plyer = PlyerNotifier(icon=icon, timeout_seconds=timeout)
    answerable: FdoNotifier | None = None

    def freedesktop(_: Mapping[str, str]) -> Notifier | str:
        nonlocal answerable
        try:
            from .adapters.notify.either import EitherNotifier
            from .adapters.notify.freedesktop import FdoNotifier
        except ImportError as e:  # no PyGObject
            return str(e)
        fdo = FdoNotifier.connect(on_answer, icon=icon, timeout_seconds=timeout)
        if fdo is None:
            return "no session bus to listen on"
        fdo.snooze_label = _snooze_label(runtime)
        if fdo.available():
            assert fdo.server is not None  # available() says so
            how = f"with Done / {fdo.snooze_label} / Skip buttons"
            why = f"{fdo.server.name} {fdo.server.version} lists actions"
        else:
            how = "plyer, without buttons, for now"
            why = (
                f"{fdo.server.name} does not list actions"
                if fdo.server is not None
                else "nobody serves notifications yet"
            )
            why += "; asked again when another server starts"
        log.info("notifications: %s (%s)", how, why)
        answerable = fdo
        return EitherNotifier(fdo, plyer)

    candidates: tuple[Candidate[Notifier], ...] = (
        Candidate("freedesktop", freedesktop, FREEDESKTOP),
        Candidate("plyer", lambda _: plyer),
    )
    choice = backends.first("notifications", candidates, os.environ, sys.platform)
    if choice.backend is not None and choice.name == "freedesktop":
        return choice.backend, answerable
    said = f", without buttons ({choice.why_none()})" if choice.failures else ""
    log.info("notifications: plyer%s", said)
    return plyer, None


def _retune(notifier: Notifier, fresh: Runtime) -> None:
    """Hand a reloaded config's notification timeout (and Snooze label) to the notifier."""
    from .adapters.notify.either import EitherNotifier

    timeout = max(1, round(fresh.notification_timeout))
    if isinstance(notifier, EitherNotifier):
        notifier.configure(timeout_seconds=timeout, snooze_label=_snooze_label(fresh))
    elif isinstance(notifier, PlyerNotifier):
        notifier.timeout_seconds = timeout


def _stop_answerable(notifier: FdoNotifier) -> None:
    """At quit: no reminder with dead buttons stays on screen; then the loop goes."""
    from .adapters.glib_loop import stop_glib_loop

    notifier.withdraw()
    notifier.stop()
    stop_glib_loop()


def _reloader(app: App, runtime: Runtime, notifier: Notifier) -> Callable[[str], None]:
    """A reload that keeps the previous settings on a bad edit and says so once per edit."""
    lock = threading.Lock()

    def reload(why: str) -> None:
        with lock:
            log.info("reloading the config (%s)", why)
            fresh, problem = _validate(runtime)
            catalog = None
            if fresh is not None:
                try:
                    catalog = fresh.catalog()
                except MicrobreakError as e:  # an exercise file went bad since the check
                    problem = str(e)
            if fresh is None or catalog is None:
                app.config_problem(problem or "the config check failed")
                return
            i18n.use(fresh.language)
            _retune(notifier, fresh)
            app.reconfigure(
                fresh,
                catalog,
                presence=_presence(fresh),
                dnd=_do_not_disturb(fresh),
                chime=_chime(fresh),
            )
            log.info("config reloaded; %s", app.status_line())

    return reload


def _chime(runtime: Runtime) -> Chime:
    """The chime with each reminder, when ``notification.sound`` is on."""
    if not runtime.sound:
        return NoChime()
    from .adapters.sound import Chime as SoundChime

    return SoundChime()


def _presence(runtime: Runtime) -> Presence:
    """Idle time and the lock state, for natural breaks; says once when they are off."""
    if not runtime.detect_idle:
        return NoPresence()
    from datetime import timedelta

    from .adapters.idle import choose
    from .adapters.presence import LockDetector

    idle, why = choose()
    if why:
        log.warning("%s", why)
    else:
        log.info("idle detection: %s", idle.name)
    return Away(idle, LockDetector.default(), timedelta(seconds=runtime.natural_break))


def _do_not_disturb(runtime: Runtime) -> DoNotDisturb:
    """The enabled do-not-disturb checks (none at all when every one is switched off)."""
    flags = dict(runtime.dnd)
    if not any(flags.values()):
        return NoDoNotDisturb()
    from .adapters.presence import DoNotDisturb

    return DoNotDisturb.default(
        fullscreen=flags.get("fullscreen", True),
        desktop_dnd=flags.get("desktop", True),
        camera=flags.get("camera", True),
        microphone=flags.get("microphone", False),
    )


def _open_history() -> History:
    """The event history, or none (said once) when its directory cannot be used."""
    try:
        history, warning = SqliteHistory.open(history_file())
    except (OSError, sqlite3.Error) as e:
        log.warning("running without a history (%s)", e)
        return NoHistory()
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


def _make_tray(assets: Path) -> PystrayTray | None:
    """The tray icon, or None (with one clear line saying why) when there can be none."""
    from .adapters import tray_probe

    choice = tray_probe.choose()
    if not choice.backends:
        log.warning("running without a tray icon: %s", choice.reason)
        return None
    from .adapters.tray import PystrayTray, TrayUnavailable

    try:
        icon = PystrayTray(assets, choice.backends)
    except TrayUnavailable as e:
        log.warning("running without a tray icon: no tray backend could load (%s)", e)
        return None
    if not icon.has_menu:
        log.warning("the tray icon has no menu: %s", choice.reason)
    log.info("tray: %s (%s)", icon.backend, choice.reason)
    return icon


if __name__ == "__main__":
    sys.exit(main())
