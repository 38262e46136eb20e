"""Run the daemon: the one composition root, the tray on the main thread (or none), a clean exit.

SIGINT, SIGTERM and SIGHUP are blocked in every thread and taken by one thread in ``sigwait``:
GTK's loop owns the main thread in C and would not run Python handlers until some event woke
it, and pystray resets SIGINT to its default (instant death, icon left behind).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from . import i18n, logs
from .adapters import backends, children
from .adapters.away import Away
from .adapters.backends import FREEDESKTOP, Candidate
from .adapters.clock import SystemClock
from .adapters.editor import SystemEditor
from .adapters.guide_process import GuideProcess
from .adapters.instance_lock import LOCK_NAME, InstanceLock
from .adapters.nothing import NoChime, NoDoNotDisturb, NoHistory, NoPresence, NoTray
from .adapters.notify.plyer import PlyerNotifier
from .adapters.storage.journal import EventJournal, make_room, pending_path
from .adapters.storage.state import StateStore
from .adapters.timer import MonotonicTimer
from .app import App, Ports
from .channel import UnsafeDirectory, control_address, control_key_file, runtime_dir
from .core.durations import humanize
from .core.exercises import Exercise
from .core.ports import Chime, DoNotDisturb, History, Notifier, Presence
from .errors import MicrobreakError
from .paths import config_file, history_file, package_assets, site_config_files, state_file
from .settings.record import Runtime

if TYPE_CHECKING:
    from .adapters.control import ControlServer
    from .adapters.notify.freedesktop import Answer, FdoNotifier
    from .adapters.tray import PystrayTray

log = logging.getLogger("microbreak.daemon")  # not __name__: this runs as __main__

#: Seconds the start-up check of the history file may take (a salvage reads it all).
FOLD_WITHIN = 60.0

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _block_signals() -> None:
    """Block our signals here and so in every thread started after: call it before any thread
    starts (Gio's D-Bus worker is one), or SIGTERM could end the process without a clean exit."""
    if sys.platform != "win32":  # Windows has no signal masks (nor SIGHUP)
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS | {signal.SIGHUP})


def _take_signals(app: App, reload: Callable[[str], None]) -> None:
    """Route SIGINT/SIGTERM to ``app.quit`` and SIGHUP to a config reload, from one thread
    (they are blocked since ``_block_signals``)."""
    if sys.platform == "win32":  # handlers run on the main thread, which pystray's loop allows
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda *_: app.quit())
        return

    def wait() -> None:
        while (received := signal.sigwait(STOP_SIGNALS | {signal.SIGHUP})) == signal.SIGHUP:
            reload("SIGHUP")
        log.info("received %s", signal.Signals(received).name)
        app.quit()

    threading.Thread(target=wait, name="signals", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """Entry of the lean daemon process: ``python -m microbreak.daemon RUNTIME_JSON``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("microbreak.daemon is started by `microbreak run`", file=sys.stderr)
        return 2
    runtime = Runtime.from_json(args[0])
    logs.setup(runtime.verbose)
    # So that the quick commands' answers, and their own words, come in the user's language.
    i18n.use(runtime.language)
    i18n.keep(runtime.language)
    try:
        return run(runtime)
    except (MicrobreakError, UnsafeDirectory) as e:
        print(f"microbreak: {e}", file=sys.stderr)
        return getattr(e, "exit_code", 1)


def run(runtime: Runtime) -> int:
    """Make every adapter, once, hand them to the app, and run until Quit or a stop signal."""
    lock = InstanceLock(Path(runtime_dir(), LOCK_NAME))
    lock.acquire()  # raises MicrobreakError: one daemon per user session
    if lock.previous_pid:  # only a daemon that died leaves its pid, and we hold its lock now
        log.info(
            "took over from a daemon that stopped without cleaning up (pid %s)", lock.previous_pid
        )
    assets = package_assets()
    said = "config: %s" if runtime.config_exists else "no config file at %s; using the defaults"
    log.info(said, runtime.path)

    _block_signals()  # before the notifier's D-Bus connection starts its thread
    answer_to: list[Callable[[Answer], None]] = []  # the app's router, once the app exists

    def on_answer(answer: Answer) -> None:
        for route in answer_to:
            route(answer)

    plyer, answerable = _make_notifier(runtime, assets, on_answer)
    tray = _make_tray(assets) if runtime.tray else None
    told: set[str] = set()  # the lines about idle detection logged so far
    app_history = _open_history()
    app = App(
        runtime,
        runtime.catalog(),
        Ports(
            clock=SystemClock(),
            timer=MonotonicTimer(),
            notifier=answerable or plyer,
            tray=tray or NoTray(),
            store=StateStore(state_file()),
            history=app_history,
            chime=_chime(runtime),
            presence=_presence(runtime, told),
            dnd=_do_not_disturb(runtime),
            editor=SystemEditor(),
            guide=GuideProcess(runtime.path if runtime.config_exists else None),
        ),
    )
    if answerable is not None:
        from .adapters.notify.answers import router

        answer_to.append(router(app))
        if tray is None or not tray.runs_glib:
            # Else nobody runs the default context, and the buttons would do nothing.
            from .adapters.glib_loop import ensure_glib_loop

            ensure_glib_loop()
    reload = _reloader(app, runtime, plyer, answerable, told)
    _take_signals(app, reload)
    stops: list[Callable[[], None]] = []  # what start_up started, stopped in reverse
    failed: list[BaseException] = []

    def start_up() -> None:
        """Start the app, the config watch and the control channel once the icon is on screen
        (a tenth of a second the user would otherwise look at an empty tray)."""
        if app.stopped.is_set():  # a stop signal came first
            return
        try:
            if sys.platform.startswith("linux"):
                _linux_chores(runtime)
            if not isinstance(app_history, NoHistory):
                stops.append(_fold_history())
            # Listening before "started;" is said, a command sent then waits for its answer
            # rather than hearing "not running"; answered after the watch, so that once the
            # CLI gets an answer, an edit is noticed.
            channel = _channel(app)
            stops.append(channel.stop)
            app.start()
            stops.append(_watch(runtime, reload))
            channel.start()
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
        if answerable is not None:  # no reminder with dead buttons stays on screen
            from .adapters.glib_loop import stop_glib_loop

            answerable.withdraw()
            answerable.stop()
            stop_glib_loop()
    log.info("stopped")
    return 0


def _channel(app: App) -> ControlServer:
    """The control channel, listening; it answers once started."""
    from .adapters.control import ControlServer, handler

    address, family = control_address()
    server = ControlServer(address, family, Path(control_key_file()), handler(app))
    server.listen()
    return server


def _watch(runtime: Runtime, reload: Callable[[str], None]) -> Callable[[], None]:
    """Reload on an edit of the config or exercise files; returns the watch's stop."""
    from .adapters.config_watch import ConfigWatch

    if not runtime.config_exists:  # made now, a file written there later is noticed
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


def _validate(current: Runtime) -> tuple[Runtime, tuple[Exercise, ...]] | str:
    """Check the config as `microbreak config check` does, in a child process bounded in time
    (pydantic stays out of the daemon's memory): the new settings and catalog, or the problem."""
    command = [sys.executable, "-m", "microbreak", "config", "check", "--json"]
    if current.path != config_file(None)[0]:  # named by --config: gone, it is a problem
        command += ["--config", str(current.path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"the config check could not run ({e})"
    if done.returncode != 0:
        lines = [ln.removeprefix("microbreak: ") for ln in done.stderr.splitlines() if ln]
        return "\n".join(lines) or f"the config check failed (exit {done.returncode})"
    fresh = Runtime.from_json(done.stdout.strip().splitlines()[-1])
    fresh = replace(fresh, tray=current.tray, verbose=current.verbose)
    try:
        return fresh, fresh.catalog()
    except MicrobreakError as e:  # an exercise file went bad since the check
        return str(e) or "the config check failed"


def _linux_chores(runtime: Runtime) -> None:
    """Before the first reminder, the application entry that names our notifications; before
    "started", which it qualifies, a word when GNOME's own movement breaks are on too."""
    from .adapters.gnome_breaks import start_warning
    from .usecases.autostart import install_app_entry

    try:
        said = install_app_entry()
    except OSError as e:
        said = f"cannot write the application entry ({e}); notifications go unnamed"
    if said:
        log.info("%s", said)
    warning = start_warning(runtime.gnome_breaks_warning)
    if warning:
        log.warning("%s", warning)


def _snooze_label(runtime: Runtime) -> str:
    """The Snooze button as the tray words it ("Snooze 5 min")."""
    return i18n.pgettext("notification button", "Snooze {duration}").format(
        duration=humanize(runtime.snoozes()[0])
    )


def _notification_seconds(runtime: Runtime) -> int:
    """How long a notification stays: whole seconds, at least one, as both notifiers take it."""
    return max(1, round(runtime.notification_timeout))


def _make_notifier(
    runtime: Runtime, assets: Path, on_answer: Callable[[Answer], None]
) -> tuple[PlyerNotifier, FdoNotifier | None]:
    """Reminders with buttons where the server lists ``actions``, else plyer's, chosen as every
    backend is; says which and why. Returns plyer's and, if chosen, the one with buttons (which
    falls back on plyer's while the server of the moment shows none)."""
    icon = assets / "microbreak.png"
    timeout = _notification_seconds(runtime)
    plyer = PlyerNotifier(icon=icon, timeout_seconds=timeout)
    answerable: FdoNotifier | None = None

    def freedesktop(_: Mapping[str, str]) -> Notifier | str:
        nonlocal answerable
        try:
            from .adapters.notify.freedesktop import FdoNotifier
        except ImportError as e:  # no PyGObject
            return str(e)
        left = Path(runtime_dir(), "notification.json")
        fdo = FdoNotifier.connect(on_answer, icon=icon, timeout_seconds=timeout, left=left)
        if fdo is None:
            return "no session bus to listen on"
        fdo.snooze_label = _snooze_label(runtime)
        fdo.fallback = plyer
        server = fdo.server
        if fdo.available() and server is not None:
            how = f"with Done / {fdo.snooze_label} / Skip buttons"
            why = f"{server.name} {server.version} lists actions"
        else:
            how = "plyer, without buttons, for now"
            why = (
                f"{server.name} does not list actions"
                if server
                else "nobody serves notifications yet"
            )
            why += "; asked again when another server starts"
        log.info("notifications: %s (%s)", how, why)
        answerable = fdo
        return fdo

    candidates: tuple[Candidate[Notifier], ...] = (
        Candidate("freedesktop", freedesktop, FREEDESKTOP),
        Candidate("plyer", lambda _: plyer),
    )
    choice = backends.first("notifications", candidates, os.environ, sys.platform)
    if answerable is None:
        said = f", without buttons ({choice.why_none()})" if choice.failures else ""
        log.info("notifications: plyer%s", said)
    return plyer, answerable


def _reloader(
    app: App,
    runtime: Runtime,
    plyer: PlyerNotifier,
    answerable: FdoNotifier | None,
    told: set[str],
) -> Callable[[str], None]:
    """A reload that keeps the previous settings on a bad edit and says so once per edit."""
    lock = threading.Lock()

    def reload(why: str) -> None:
        with lock:
            log.info("reloading the config (%s)", why)
            checked = _validate(runtime)
            if isinstance(checked, str):
                app.config_problem(checked)
                return
            fresh, catalog = checked
            i18n.use(fresh.language)
            i18n.keep(fresh.language)
            plyer.timeout_seconds = _notification_seconds(fresh)
            if answerable is not None:
                answerable.timeout_seconds = plyer.timeout_seconds
                answerable.snooze_label = _snooze_label(fresh)
            app.reconfigure(
                fresh,
                catalog,
                presence=_presence(fresh, told),
                dnd=_do_not_disturb(fresh),
                chime=_chime(fresh),
            )
            log.info("config reloaded; %s", app.status_line())

    return reload


def _chime(runtime: Runtime) -> Chime:
    if not runtime.sound:
        return NoChime()
    from .adapters.sound import Chime as SoundChime

    return SoundChime()


def _presence(runtime: Runtime, told: set[str]) -> Presence:
    """Idle time and the lock state, for natural breaks. Why they are off (or which source is
    used) is logged once a run, not again at every reload: ``told`` keeps what was."""
    if not runtime.detect_idle:
        return NoPresence()
    from .adapters.idle import choose
    from .adapters.presence import LockDetector

    idle, why = choose()
    line = why or f"idle detection: {idle.name}"
    if line not in told:
        told.add(line)
        log.log(logging.WARNING if why else logging.INFO, "%s", line)
    return Away(idle, LockDetector.default(), timedelta(seconds=runtime.natural_break))


def _do_not_disturb(runtime: Runtime) -> DoNotDisturb:
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
    """The pending file the daemon appends its events to (see ``storage.journal``)."""
    path = history_file()
    try:
        make_room(path)
    except OSError as e:
        log.warning("running without a history (%s)", e)
        return NoHistory()
    return EventJournal(pending_path(path))


def _fold_history() -> Callable[[], None]:
    """Start the child that checks the history file and moves the pending events in (what a
    previous run left); what it says is logged. The returned call stops it at quit."""
    command = [sys.executable, "-m", "microbreak.adapters.storage.history", str(history_file())]
    try:
        process, output = children.spawn(command)
    except OSError as e:
        log.warning("the history file was not checked (%s)", e)
        return lambda: None

    def reap() -> None:
        code, said = children.reap(process, output, FOLD_WITHIN)
        if code is None:
            log.warning("the history file was not checked within %g s", FOLD_WITHIN)
        elif said:
            log.warning("%s", said)

    def stop() -> None:
        if process.poll() is None:  # a quit during the check: it is done again next start
            children.kill_group(process)
            process.wait()

    threading.Thread(target=reap, name="history-check", daemon=True).start()
    return stop


def _make_tray(assets: Path) -> PystrayTray | None:
    """The tray icon, or None (saying why) when there can be none."""
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
