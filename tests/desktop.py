"""End-to-end harness for a real, private test desktop.

Why: microbreak lives in the tray and talks to a notification server; only a real X server,
a real D-Bus session bus, a real notification server (dunst) and a real XEmbed tray host
(trayer) prove that this works. Everything here is private to one test: its own Xvfb display,
its own bus (without D-Bus activation, so tests decide whether a notification server exists),
and its own HOME/XDG directories, so the app under test never touches the user's files.

Every process is started with ``subprocess.Popen`` and stopped by its handle (terminate, wait,
then kill and wait), because PID 1 in our containers does not reap orphans. Every wait polls
with a short interval up to a deadline and fails with an ``AssertionError`` saying what it saw.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

__all__ = [
    "NOTIFICATIONS_NAME",
    "REQUIRED_TOOLS",
    "TRAY_SELECTION",
    "Desktop",
    "HintValue",
    "Notification",
    "NotifyMonitor",
    "OutputLines",
    "RawHint",
    "activate_menu_item",
    "click",
    "make_desktop",
    "menu_is_open",
    "missing_tools",
    "notification_popups",
    "open_menus",
    "open_tray_menu",
    "parse_notify",
    "press_keys",
    "screenshot",
    "shown_windows_of_type",
    "stays_true",
    "stop_process",
    "tray_icon_windows",
    "wait_docked",
    "wait_menu_closed",
    "wait_menu_open",
    "wait_until",
    "window_geometry",
]

NOTIFICATIONS_NAME = "org.freedesktop.Notifications"
TRAY_SELECTION = "_NET_SYSTEM_TRAY_S0"

# Executables the harness runs; tests can skip (or fail) early when one is missing.
REQUIRED_TOOLS = (
    "Xvfb",
    "dbus-daemon",
    "dbus-monitor",
    "dbus-send",
    "dunst",
    "trayer",
    "xdotool",
)

POLL_INTERVAL = 0.02
START_TIMEOUT = 10.0

T = TypeVar("T")

# Variables that would tie a child to the real session, a service manager or a terminal
# launcher; the private desktop must not inherit them.
_DROPPED_ENV = (
    "NOTIFY_SOCKET",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
    "WATCHDOG_PID",
    "WATCHDOG_USEC",
    "INVOCATION_ID",
    "JOURNAL_STREAM",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "SESSION_MANAGER",
    "DBUS_STARTER_ADDRESS",
    "DBUS_STARTER_BUS_TYPE",
    "AT_SPI_BUS_ADDRESS",
    "DESKTOP_STARTUP_ID",
    "XDG_ACTIVATION_TOKEN",
    "XDG_CURRENT_DESKTOP",
    "XDG_SESSION_DESKTOP",
    "DESKTOP_SESSION",
    "XDG_SESSION_ID",
    "XDG_SEAT",
    "XDG_VTNR",
    "GNOME_SETUP_DISPLAY",
    "PYSTRAY_BACKEND",
)

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- Private test session bus. Deliberately no <servicedir> and no
       <standard_session_servicedirs/>: nothing may be D-Bus-activated (dunst ships an
       activation file), so tests alone decide which services exist. -->
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir={runtime_dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

_DUNSTRC = """# Minimal dunst configuration for tests: visible, quiet, no history, no helpers.
[global]
    monitor = 0
    follow = none
    width = 320
    height = 120
    origin = top-right
    offset = 10x40
    font = Monospace 9
    format = "<b>%s</b>\\n%b"
    markup = full
    show_indicators = no
    sticky_history = no
    history_length = 0
    idle_threshold = 0
    dmenu = /bin/false
    browser = /bin/false
    always_run_script = false
    mouse_left_click = close_current
    mouse_middle_click = close_current
    mouse_right_click = close_all

[urgency_low]
    timeout = 10

[urgency_normal]
    timeout = 10

[urgency_critical]
    timeout = 0
"""

TRAYER_ARGS = (
    "trayer",
    "--edge",
    "top",
    "--align",
    "right",
    "--widthtype",
    "request",
    "--height",
    "24",
    "--SetDockType",
    "true",
    "--transparent",
    "false",
)


# --------------------------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------------------------


def missing_tools() -> list[str]:
    """The REQUIRED_TOOLS not found on PATH."""
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]


def wait_until(
    check: Callable[[], T],
    timeout: float,
    what: str | Callable[[], str],
    interval: float = POLL_INTERVAL,
) -> T:
    """Poll ``check`` until it returns something truthy; return that value.

    Why: desktop state changes asynchronously; polling with a deadline is both fast and
    bounded, unlike fixed sleeps.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {detail}")
        time.sleep(interval)


def stays_true(check: Callable[[], object], duration: float, interval: float = 0.05) -> bool:
    """Return True if ``check`` stays truthy for ``duration`` seconds (to assert an absence)."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        if not check():
            return False
        time.sleep(interval)
    return bool(check())


def stop_process(proc: subprocess.Popen[Any], timeout: float = 3.0) -> int:
    """Stop a child by its handle: terminate, wait, then kill and wait (we must reap it)."""
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
    return proc.returncode


_SETPRIV = shutil.which("setpriv")


def _die_with_parent(args: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Prefix ``args`` so the child gets SIGTERM if the test process dies without cleanup.

    Why: a test run killed by a timeout skips ``close()``; its Xvfb, bus and apps would keep
    running forever (and, with a PID 1 that does not reap, could not even be reaped). The
    parent-death signal belongs to the thread that starts the child: start from the main one.
    """
    argv = [os.fspath(a) for a in args]
    return [_SETPRIV, "--pdeathsig", "TERM", "--", *argv] if _SETPRIV else argv


def _read_line_from_fd(fd: int, proc: subprocess.Popen[Any], timeout: float, what: str) -> str:
    """Read one line a child writes to an inherited pipe (Xvfb -displayfd, dbus --print-*)."""
    deadline = time.monotonic() + timeout
    buf = b""
    while b"\n" not in buf:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}")
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.1))
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"{what}: process exited with {proc.poll()} before telling")
            buf += chunk
    return buf.split(b"\n", 1)[0].decode().strip()


def start_private_bus(
    name: str,
    base_dir: Path,
    runtime_dir: Path,
    log_dir: Path,
    timeout: float,
    track: Callable[[str, subprocess.Popen[Any]], object],
) -> str:
    """A private dbus-daemon without service activation, logging to ``log_dir/NAME.log`` and
    handed to ``track``; returns its address. Both test desktops start their buses this way."""
    from xml.sax.saxutils import escape

    config = base_dir / f"{name}.conf"
    config.write_text(_BUS_CONFIG.format(runtime_dir=escape(str(runtime_dir))))
    log_path = log_dir / f"{name}.log"
    read_fd, write_fd = os.pipe()
    try:
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                _die_with_parent(
                    [
                        "dbus-daemon",
                        f"--config-file={config}",
                        "--nofork",
                        "--nopidfile",
                        "--nosyslog",
                        f"--print-address={write_fd}",
                    ]
                ),
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        track(name, proc)
        os.close(write_fd)
        write_fd = -1
        return _read_line_from_fd(read_fd, proc, timeout, f"the {name} address")
    except AssertionError as exc:
        logged = log_path.read_text(errors="replace") if log_path.exists() else ""
        raise AssertionError(f"{exc}\n{name} log:\n{logged}") from None
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)


class OutputLines:
    """Collects a child's output lines on a thread, so tests can wait for a line with a timeout.

    Why: reading a pipe directly blocks without a deadline; a full pipe stalls the child.
    """

    def __init__(self, stream: IO[Any], name: str = "output") -> None:
        self.name = name
        self._stream = stream
        self._lines: list[str] = []
        self._cond = threading.Condition()
        self._eof = False
        self._thread = threading.Thread(target=self._run, name=f"OutputLines-{name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                raw = self._stream.readline()
                if not raw:
                    break
                text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
                line = text[:-1] if text.endswith("\n") else text
                with self._cond:
                    self._lines.append(line)
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self._eof = True
                self._cond.notify_all()
            with contextlib.suppress(OSError, ValueError):
                self._stream.close()

    @property
    def eof(self) -> bool:
        """Whether the stream has ended (the child closed it, usually by exiting)."""
        with self._cond:
            return self._eof

    def lines(self) -> list[str]:
        """All lines read so far, without their newline."""
        with self._cond:
            return list(self._lines)

    def wait_for_line(
        self, match: str | Callable[[str], bool], timeout: float = 10.0, *, after: int = 0
    ) -> str:
        """Wait for a line equal to ``match`` (or satisfying it) among lines[after:]."""
        pred: Callable[[str], bool] = (lambda s: s == match) if isinstance(match, str) else match
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self._lines[after:]:
                    if pred(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._eof:
                    state = "stream ended" if self._eof else f"timed out after {timeout:.1f}s"
                    raise AssertionError(
                        f"{self.name}: {state} without a line matching {match!r}; "
                        f"saw {self._lines[after:]!r}"
                    )
                self._cond.wait(min(remaining, 0.1))

    def join(self, timeout: float = 3.0) -> bool:
        """Wait for the reader to reach the end of the stream; True if it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()


# --------------------------------------------------------------------------------------------
# The desktop
# --------------------------------------------------------------------------------------------


D = TypeVar("D", bound="PrivateDesktop")


class PrivateDesktop:
    """What every test desktop shares: a private HOME, XDG dirs and runtime dir; processes
    started with ``Popen``, tracked, and stopped by their handles, newest first (PID 1 in our
    containers does not reap orphans); their logs. A context manager.

    Each kind of desktop starts its parts in ``_start_parts`` and closes its own connections
    in ``_release``.
    """

    #: ``mkdtemp`` prefixes of the base dir and the runtime dir (short: socket paths are short).
    dir_prefix = "desktop-"
    runtime_prefix = "mbrt-"

    def __init__(self, base_dir: Path | None, start_timeout: float) -> None:
        self._own_base = base_dir is None
        self.base_dir = base_dir if base_dir is not None else Path()
        self.start_timeout = start_timeout
        self.bus_address = ""
        self.env: dict[str, str] = {}
        self.home = Path()
        self.log_dir = Path()
        self.runtime_dir = Path()
        self._procs: list[tuple[str, subprocess.Popen[Any]]] = []
        self._outputs: dict[int, list[OutputLines]] = {}
        self._started = False
        self._closed = False

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self: D) -> D:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self: D) -> D:
        """Start the desktop's parts and build ``env``; on failure, clean up and raise."""
        if self._started:
            return self
        self._started = True
        try:
            self._make_dirs()
            self._start_parts()
        except BaseException:
            self.close()
            raise
        return self

    def _start_parts(self) -> None:
        """Start this kind of desktop's processes and set ``env``."""
        raise NotImplementedError

    def _release(self) -> None:
        """Close this kind's own connections, before its processes are stopped."""

    def close(self) -> None:
        """Stop every process this desktop started, newest first, by handle; remove temp dirs."""
        if self._closed:
            return
        self._closed = True
        self._release()
        for _name, proc in reversed(self._procs):
            self._stop_tracked(proc)
        self._procs.clear()
        if self.runtime_dir != Path():
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
        if self._own_base and self.base_dir != Path():
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def _stop_tracked(self, proc: subprocess.Popen[Any], timeout: float = 3.0) -> int:
        code = stop_process(proc, timeout)
        readers = self._outputs.pop(id(proc), [])
        for reader in readers:
            reader.join(2.0)
        owned = {id(r._stream) for r in readers}
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None and id(stream) not in owned:
                with contextlib.suppress(OSError):
                    stream.close()
        return code

    def _make_dirs(self) -> None:
        if self._own_base:
            self.base_dir = Path(tempfile.mkdtemp(prefix=self.dir_prefix))
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.home = self.base_dir / "home"
        self.log_dir = self.base_dir / "logs"
        # Short path in /tmp (mode 0700): unix socket paths are limited to 107 bytes.
        self.runtime_dir = Path(tempfile.mkdtemp(prefix=self.runtime_prefix, dir="/tmp"))
        self.runtime_dir.chmod(0o700)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for sub in (".config", ".local/share", ".local/state", ".cache"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)

    def _home_env(self, *dropped: str) -> dict[str, str]:
        """Our environment without the caller's desktop, with this desktop's HOME, XDG dirs,
        runtime dir and session bus."""
        env = dict(os.environ)
        for key in (*_DROPPED_ENV, *dropped):
            env.pop(key, None)
        for key in [k for k in env if k.startswith("MICROBREAK_")]:
            del env[key]  # the test run's own (MICROBREAK_SCREENSHOTS) would be config keys
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local/share"),
            XDG_STATE_HOME=str(self.home / ".local/state"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_RUNTIME_DIR=str(self.runtime_dir),
            DBUS_SESSION_BUS_ADDRESS=self.bus_address,
            # GTK would otherwise try to reach the accessibility bus and dconf over D-Bus;
            # both would be activated services, which our buses deliberately lack.
            NO_AT_BRIDGE="1",
            GSETTINGS_BACKEND="memory",
        )
        return env

    def _log(self, name: str) -> IO[bytes]:
        return open(self.log_dir / f"{name}.log", "ab")

    def log_text(self, name: str) -> str:
        """The captured stderr/stdout of a helper (``Xvfb``, ``dbus-daemon``, ``dunst``...)."""
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _track(self, name: str, proc: subprocess.Popen[Any]) -> subprocess.Popen[Any]:
        self._procs.append((name, proc))
        return proc

    # -- processes -----------------------------------------------------------------------

    def spawn(
        self,
        args: Sequence[str | os.PathLike[str]],
        *,
        name: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        die_with_parent: bool = True,
        **popen_kwargs: Any,
    ) -> subprocess.Popen[Any]:
        """Start a process with the desktop env (plus ``extra_env``); ``close()`` stops it.

        Defaults: stdin is /dev/null, a new session (no terminal signals), and SIGTERM when
        the test process dies (``die_with_parent``). Other keywords go to ``Popen``.
        """
        if not self._started or self._closed:
            raise RuntimeError("desktop is not running")
        env = dict(popen_kwargs.pop("env", self.env))
        if extra_env:
            env.update(extra_env)
        popen_kwargs.setdefault("stdin", subprocess.DEVNULL)
        popen_kwargs.setdefault("start_new_session", True)
        argv = _die_with_parent(args) if die_with_parent else [os.fspath(a) for a in args]
        proc: subprocess.Popen[Any] = subprocess.Popen(argv, env=env, **popen_kwargs)
        return self._track(name or Path(os.fspath(args[0])).name, proc)

    def watch_output(self, proc: subprocess.Popen[Any], stream: str = "stdout") -> OutputLines:
        """Collect lines of a spawned process's binary ``stdout``/``stderr`` pipe."""
        pipe = getattr(proc, stream)
        if pipe is None:
            raise ValueError(f"spawn the process with {stream}=subprocess.PIPE")
        label = next((n for n, p in self._procs if p is proc), "process")
        reader = OutputLines(pipe, name=f"{label} {stream}")
        self._outputs.setdefault(id(proc), []).append(reader)
        return reader

    def stop(self, proc: subprocess.Popen[Any], timeout: float = 3.0) -> int:
        """Stop a process started by this desktop (by its handle) and forget it."""
        self._procs = [(n, p) for n, p in self._procs if p is not proc]
        return self._stop_tracked(proc, timeout)


class Desktop(PrivateDesktop):
    """A private desktop: Xvfb, a D-Bus session bus and, on request, dunst and trayer.

    Use as a context manager; ``env`` is the environment to give the app under test.
    """

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        screen: str = "1280x800x24",
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        super().__init__(base_dir, start_timeout)
        self.screen = screen
        self.display = ""
        self._dunst: subprocess.Popen[Any] | None = None
        self._trayer: subprocess.Popen[Any] | None = None
        self._xdisplay: Any = None

    def _start_parts(self) -> None:
        self._start_xvfb()
        self._start_bus()
        self.env = self._build_env()

    def _release(self) -> None:
        if self._xdisplay is not None:
            with contextlib.suppress(Exception):
                self._xdisplay.close()
            self._xdisplay = None
        self._dunst = None
        self._trayer = None

    def _start_xvfb(self) -> None:
        read_fd, write_fd = os.pipe()
        try:
            with self._log("Xvfb") as log:
                proc = subprocess.Popen(
                    _die_with_parent(
                        [
                            "Xvfb",
                            "-displayfd",
                            str(write_fd),
                            "-screen",
                            "0",
                            self.screen,
                            "-nolisten",
                            "tcp",
                            "-s",
                            "0",
                            # Without it the server resets when its last client leaves, and
                            # a client connecting during that reset is refused.
                            "-noreset",
                        ]
                    ),
                    pass_fds=(write_fd,),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            self._track("Xvfb", proc)
            os.close(write_fd)
            write_fd = -1
            number = _read_line_from_fd(read_fd, proc, self.start_timeout, "Xvfb display number")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nXvfb log:\n{self.log_text('Xvfb')}") from None
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
        self.display = f":{number}"

    def _start_bus(self) -> None:
        self.bus_address = start_private_bus(
            "dbus-daemon",
            self.base_dir,
            self.runtime_dir,
            self.log_dir,
            self.start_timeout,
            self._track,
        )

    def _build_env(self) -> dict[str, str]:
        env = self._home_env()
        env.update(
            DISPLAY=self.display, XDG_SESSION_TYPE="x11", GDK_BACKEND="x11", PYTHONUNBUFFERED="1"
        )
        return env

    # -- helpers -------------------------------------------------------------------------

    def run(self, args: Sequence[str], timeout: float = 10.0) -> subprocess.CompletedProcess[str]:
        """Run a short helper command (xdotool, dbus-send...) with the desktop env."""
        return subprocess.run(
            list(args),
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    # -- D-Bus ---------------------------------------------------------------------------

    def name_has_owner(self, name: str) -> bool:
        """Whether a well-known name is owned on the private bus (asks the bus itself)."""
        result = self.run(
            [
                "dbus-send",
                f"--bus={self.bus_address}",
                "--print-reply=literal",
                "--reply-timeout=2000",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                f"string:{name}",
            ]
        )
        if result.returncode != 0:
            raise AssertionError(f"NameHasOwner({name}) failed: {result.stderr.strip()}")
        return result.stdout.split() == ["boolean", "true"]

    def start_notification_server(self, timeout: float = START_TIMEOUT) -> subprocess.Popen[Any]:
        """Start dunst and wait until it owns org.freedesktop.Notifications."""
        if self._dunst is not None and self._dunst.poll() is None:
            return self._dunst
        if self.name_has_owner(NOTIFICATIONS_NAME):
            raise AssertionError(f"{NOTIFICATIONS_NAME} already has an owner on this bus")
        # Outside the private XDG_CONFIG_HOME, which belongs to the app under test.
        dunstrc = self.base_dir / "dunstrc"
        dunstrc.write_text(_DUNSTRC)
        with self._log("dunst") as log:
            proc = self.spawn(
                ["dunst", "-config", str(dunstrc)], name="dunst", stdout=log, stderr=log
            )
        self._dunst = proc

        def owned() -> bool:
            if proc.poll() is not None:
                raise AssertionError(
                    f"dunst exited with {proc.returncode}:\n{self.log_text('dunst')}"
                )
            return self.name_has_owner(NOTIFICATIONS_NAME)

        wait_until(owned, timeout, f"dunst to own {NOTIFICATIONS_NAME}", interval=0.05)
        return proc

    def stop_notification_server(self, timeout: float = START_TIMEOUT) -> None:
        """Stop dunst and wait until the notifications name has no owner."""
        if self._dunst is not None:
            self.stop(self._dunst)
            self._dunst = None
        wait_until(
            lambda: not self.name_has_owner(NOTIFICATIONS_NAME),
            timeout,
            f"{NOTIFICATIONS_NAME} to lose its owner",
            interval=0.05,
        )

    # -- X -------------------------------------------------------------------------------

    @property
    def xdisplay(self) -> Any:
        """A python-xlib connection to this desktop's X server (opened on first use)."""
        if self._xdisplay is None:
            if not self.display:
                raise RuntimeError("desktop is not running")
            import Xlib.display

            self._xdisplay = Xlib.display.Display(self.display)
        return self._xdisplay

    def atom(self, name: str) -> int:
        """The X atom for ``name``."""
        return int(self.xdisplay.intern_atom(name))

    def selection_owner(self, selection: str) -> int:
        """The window owning an X selection, or 0 if nobody owns it."""
        owner = self.xdisplay.get_selection_owner(self.atom(selection))
        return int(owner if isinstance(owner, int) else owner.id)

    def tray_selection_owner(self) -> int:
        """The window owning ``_NET_SYSTEM_TRAY_S0`` (the tray host), or 0."""
        return self.selection_owner(TRAY_SELECTION)

    def start_tray_host(self, timeout: float = START_TIMEOUT) -> subprocess.Popen[Any]:
        """Start trayer and wait until it owns the system tray selection."""
        if self._trayer is not None and self._trayer.poll() is None:
            return self._trayer
        if self.tray_selection_owner():
            raise AssertionError(f"{TRAY_SELECTION} already has an owner on this display")
        with self._log("trayer") as log:
            proc = self.spawn(list(TRAYER_ARGS), name="trayer", stdout=log, stderr=log)
        self._trayer = proc

        def owned() -> int:
            if proc.poll() is not None:
                raise AssertionError(
                    f"trayer exited with {proc.returncode}:\n{self.log_text('trayer')}"
                )
            return self.tray_selection_owner()

        wait_until(owned, timeout, f"trayer to own {TRAY_SELECTION}")
        return proc

    def stop_tray_host(self, timeout: float = START_TIMEOUT) -> None:
        """Stop trayer and wait until the tray selection has no owner."""
        if self._trayer is not None:
            self.stop(self._trayer)
            self._trayer = None
        wait_until(
            lambda: not self.tray_selection_owner(), timeout, f"{TRAY_SELECTION} to lose its owner"
        )


def make_desktop(tmp_path: Path) -> Desktop:
    """Build (not start) a Desktop under a pytest ``tmp_path``: ``with make_desktop(p) as d``."""
    return Desktop(tmp_path / "desktop")


# --------------------------------------------------------------------------------------------
# X helpers: windows, tray, menus, keyboard, screenshots
# --------------------------------------------------------------------------------------------


def _walk(desktop: Desktop) -> Iterator[tuple[Any, int]]:
    """Yield (window, parent id) for every window below the root, skipping vanished ones."""
    from Xlib import error

    root = desktop.xdisplay.screen().root
    stack: list[Any] = [root]
    while stack:
        win = stack.pop()
        try:
            children = win.query_tree().children
        except error.XError:
            continue
        for child in children:
            yield child, int(win.id)
            stack.append(child)


def _is_viewable(win: Any) -> bool:
    from Xlib import X, error

    try:
        return bool(int(win.get_attributes().map_state) == X.IsViewable)
    except error.XError:
        return False


def tray_icon_windows(desktop: Desktop) -> list[int]:
    """Ids of the icon windows currently docked (embedded and viewable) in the tray host.

    Detection: a docked XEmbed icon is a window that carries ``_XEMBED_INFO``, was created
    by another X client, and whose parent (the tray's socket) was created by the client that
    owns ``_NET_SYSTEM_TRAY_S0``. X clients are told apart by the resource-id base
    (``id & ~resource_id_mask``), which the server assigns per client.
    """
    from Xlib import X, error

    owner = desktop.tray_selection_owner()
    if not owner:
        return []
    mask = int(desktop.xdisplay.display.info.resource_id_mask)
    host = owner & ~mask
    xembed_info = desktop.atom("_XEMBED_INFO")
    docked: list[int] = []
    for win, parent in _walk(desktop):
        wid = int(win.id)
        if parent & ~mask != host or wid & ~mask == host:
            continue
        try:
            prop = win.get_property(xembed_info, X.AnyPropertyType, 0, 2)
        except error.XError:
            continue
        if prop is not None and _is_viewable(win):
            docked.append(wid)
    return docked


def wait_docked(desktop: Desktop, timeout: float = 10.0, min_size: int = 8) -> int:
    """Wait until exactly one icon is docked with a settled size; return its window id.

    Settled: at least ``min_size`` pixels each way and the same geometry on two polls in a
    row (GtkStatusIcon is first embedded 1 pixel wide, then resized).
    """
    from Xlib import error

    last: list[tuple[int, int, int, int, int]] = []

    def settled() -> int:
        icons = tray_icon_windows(desktop)
        if len(icons) != 1:
            last.clear()
            return 0
        try:
            geo = (icons[0], *window_geometry(desktop, icons[0]))
        except error.XError:
            last.clear()
            return 0
        ok = geo[3] >= min_size and geo[4] >= min_size and last == [geo]
        last[:] = [geo]
        return icons[0] if ok else 0

    def why() -> str:
        owner = desktop.tray_selection_owner()
        return (
            f"one docked tray icon of at least {min_size}x{min_size} (tray owner: {owner:#x}, "
            f"docked: {[hex(w) for w in tray_icon_windows(desktop)]}, last geometry: {last})"
        )

    return wait_until(settled, timeout, why)


def window_geometry(desktop: Desktop, window: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of a window, x and y relative to the root window."""
    d = desktop.xdisplay
    win = d.create_resource_object("window", window)
    geo = win.get_geometry()
    pos = win.translate_coords(d.screen().root, 0, 0)
    # translate_coords(src=root) gives root's origin in win's coordinates: negate it.
    return (-int(pos.x), -int(pos.y), int(geo.width), int(geo.height))


_MENU_TYPES = (
    "_NET_WM_WINDOW_TYPE_POPUP_MENU",
    "_NET_WM_WINDOW_TYPE_DROPDOWN_MENU",
    "_NET_WM_WINDOW_TYPE_MENU",
)


def shown_windows_of_type(desktop: Desktop, *types: str) -> list[int]:
    """Viewable override-redirect top-level windows whose ``_NET_WM_WINDOW_TYPE`` is one of
    ``types`` (e.g. ``_NET_WM_WINDOW_TYPE_POPUP_MENU``): how popups are told apart."""
    from Xlib import X, Xatom, error

    d = desktop.xdisplay
    type_atom = desktop.atom("_NET_WM_WINDOW_TYPE")
    wanted = {desktop.atom(name) for name in types}
    found: list[int] = []
    for win in d.screen().root.query_tree().children:
        try:
            attrs = win.get_attributes()
            if not attrs.override_redirect or int(attrs.map_state) != X.IsViewable:
                continue
            prop = win.get_property(type_atom, Xatom.ATOM, 0, 16)
        except error.XError:
            continue
        if prop is not None and wanted.intersection(int(a) for a in prop.value):
            found.append(int(win.id))
    return found


def open_menus(desktop: Desktop) -> list[int]:
    """Shown popup menus (GTK types its menu windows ``_NET_WM_WINDOW_TYPE_POPUP_MENU``)."""
    return shown_windows_of_type(desktop, *_MENU_TYPES)


def notification_popups(desktop: Desktop) -> list[int]:
    """Shown notification bubbles (dunst types its window ``_NET_WM_WINDOW_TYPE_NOTIFICATION``)."""
    return shown_windows_of_type(desktop, "_NET_WM_WINDOW_TYPE_NOTIFICATION")


def menu_is_open(desktop: Desktop) -> bool:
    """Whether any popup menu is shown."""
    return bool(open_menus(desktop))


def wait_menu_open(desktop: Desktop, levels: int = 1, timeout: float = 5.0) -> list[int]:
    """Wait until at least ``levels`` popup menus are shown (2 = a submenu is open)."""

    def enough() -> list[int]:
        menus = open_menus(desktop)
        return menus if len(menus) >= levels else []

    return wait_until(enough, timeout, f"{levels} open popup menu(s)")


def wait_menu_closed(desktop: Desktop, timeout: float = 5.0) -> None:
    """Wait until no popup menu is shown."""
    wait_until(
        lambda: not open_menus(desktop),
        timeout,
        lambda: f"popup menus to close (still open: {[hex(w) for w in open_menus(desktop)]})",
    )


def _xdotool(desktop: Desktop, *args: str) -> None:
    result = desktop.run(["xdotool", *args])
    if result.returncode != 0:
        raise AssertionError(f"xdotool {' '.join(args)} failed: {result.stderr.strip()}")


def click(desktop: Desktop, window: int, button: int = 1) -> None:
    """Move the real (XTEST) pointer to the middle of ``window`` and click ``button``."""
    x, y, width, height = window_geometry(desktop, window)
    cx, cy = x + width // 2, y + height // 2
    # Not ``mousemove --sync``: it waits forever when the pointer is already there.
    _xdotool(desktop, "mousemove", str(cx), str(cy))
    root = desktop.xdisplay.screen().root

    def arrived() -> bool:
        pointer = root.query_pointer()
        return (int(pointer.root_x), int(pointer.root_y)) == (cx, cy)

    wait_until(arrived, 5.0, f"the pointer to reach {cx},{cy}")
    _xdotool(desktop, "click", str(button))


def open_tray_menu(desktop: Desktop, window: int, timeout: float = 5.0) -> int:
    """Right-click a docked icon and wait for its menu; return the menu window id.

    Gtk.StatusIcon (pystray's gtk backend) pops its menu up on button 3 press.
    """
    if menu_is_open(desktop):
        raise AssertionError("a popup menu is already open")
    click(desktop, window, button=3)
    return wait_menu_open(desktop, 1, timeout)[0]


def press_keys(desktop: Desktop, *keys: str, delay_ms: int = 40) -> None:
    """Type X keysyms (e.g. ``Down``, ``Return``) through XTEST; a menu's grab receives them."""
    if keys:
        _xdotool(desktop, "key", "--delay", str(delay_ms), *keys)


def activate_menu_item(desktop: Desktop, *path: int, timeout: float = 5.0) -> None:
    """Activate an item of the open menu with the keyboard, then wait for the menu to close.

    ``path`` holds indexes among *enabled* items, one per level: ``(1,)`` is the second
    enabled item; ``(3, 0)`` opens the submenu of the fourth enabled item and activates its
    first enabled item. Keys: ``Home`` selects the first enabled item (GTK skips disabled
    items and separators for Home/Down/Up), ``Down`` x n moves on, ``Right`` opens a submenu
    and selects its first enabled item, ``Return`` activates.
    """
    if not path:
        raise ValueError("path needs at least one index")
    if any(i < 0 for i in path):
        raise ValueError(f"indexes must be >= 0: {path}")
    wait_menu_open(desktop, 1, timeout)
    press_keys(desktop, "Home", *(["Down"] * path[0]))
    for level, index in enumerate(path[1:], start=2):
        press_keys(desktop, "Right")
        wait_menu_open(desktop, level, timeout)
        press_keys(desktop, *(["Down"] * index))
    press_keys(desktop, "Return")
    wait_menu_closed(desktop, timeout)


def screenshot(desktop: Desktop, path: Path) -> Path:
    """Save the whole screen as a PNG (python-xlib GetImage -> Pillow); return ``path``."""
    from PIL import Image
    from Xlib import X

    d = desktop.xdisplay
    root = d.screen().root
    geo = root.get_geometry()
    width, height = int(geo.width), int(geo.height)
    reply = root.get_image(0, 0, width, height, X.ZPixmap, 0xFFFFFFFF)
    image = Image.frombytes("RGB", (width, height), bytes(reply.data), "raw", "BGRX")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")
    return path


# --------------------------------------------------------------------------------------------
# Notifications seen on the bus
# --------------------------------------------------------------------------------------------


class RawHint(str):
    """A hint value too complex to parse (struct, array...): dbus-monitor's text for it."""

    __slots__ = ()


HintValue = str | int | float | bool | RawHint


@dataclass(frozen=True)
class Notification:
    """One org.freedesktop.Notifications.Notify call, as seen on the bus."""

    app_name: str
    replaces_id: int
    app_icon: str
    summary: str
    body: str
    actions: tuple[str, ...]
    hints: Mapping[str, HintValue] = field(hash=False)
    expire_timeout: int
    sender: str = ""
    raw: str = field(default="", repr=False, compare=False)


_HEADER_RE = re.compile(
    r"^(?:method call|method return|signal|error) time=\S+ sender=(?P<sender>\S+) -> "
    r"destination=(?P<dest>.*?) serial=\S+(?: path=(?P<path>[^;]*); "
    r"interface=(?P<iface>[^;]*); member=(?P<member>\S+))?"
)
_INT_RE = re.compile(r"^(?:byte|u?int(?:16|32|64)) (-?\d+)$")
_SCALAR_RE = re.compile(
    r"^(?P<type>byte|boolean|u?int(?:16|32|64)|double|object path|signature|unix fd) "
    r"(?P<value>.*)$"
)


def _strings(lines: list[str], i: int, indent: int) -> Iterator[tuple[str, int]]:
    """Every way to read a (possibly multi-line, unescaped) string at lines[i]."""
    prefix = " " * indent + 'string "'
    if i >= len(lines) or not lines[i].startswith(prefix):
        return
    parts = [lines[i][len(prefix) :]]
    j = i
    while True:
        text = "\n".join(parts)
        if text.endswith('"'):
            yield text[:-1], j + 1
        j += 1
        if j >= len(lines):
            return
        parts.append(lines[j])


def _array(
    lines: list[str],
    i: int,
    indent: int,
    element: Callable[[list[str], int, int], Iterator[tuple[T, int]]],
) -> Iterator[tuple[list[T], int]]:
    """Every way to read an ``array [`` ... ``]`` at lines[i]."""
    pad = " " * indent
    if i >= len(lines) or lines[i] != pad + "array [":
        return

    def items(k: int, acc: list[T]) -> Iterator[tuple[list[T], int]]:
        if k < len(lines) and lines[k] == pad + "]":
            yield acc, k + 1
        for value, nxt in element(lines, k, indent + 3):
            yield from items(nxt, [*acc, value])

    yield from items(i + 1, [])


def _scalar(type_name: str, text: str) -> HintValue | None:
    if type_name == "boolean":
        return text == "true"
    if type_name == "double":
        return float(text)
    if type_name in ("object path", "signature"):
        return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text
    try:
        return int(text)
    except ValueError:
        return None


def _dict_entry(
    lines: list[str], i: int, indent: int
) -> Iterator[tuple[tuple[str, HintValue], int]]:
    """Every way to read one ``dict entry(`` of an a{sv} at lines[i]."""
    pad = " " * indent
    if i >= len(lines) or lines[i] != pad + "dict entry(":
        return
    end = pad + ")"
    inner = " " * (indent + 3)
    for key, k in _strings(lines, i + 1, indent + 3):
        if k >= len(lines) or not lines[k].startswith(inner + "variant"):
            continue
        first = lines[k][len(inner) + len("variant") :].lstrip(" ")
        if first.startswith('string "'):
            synthetic = [inner + first, *lines[k + 1 :]]
            for text, m in _strings(synthetic, 0, indent + 3):
                close = k + m
                if close < len(lines) and lines[close] == end:
                    yield (key, text), close + 1
            continue
        match = _SCALAR_RE.match(first)
        if match and k + 1 < len(lines) and lines[k + 1] == end:
            value = _scalar(match["type"], match["value"])
            if value is not None:
                yield (key, value), k + 2
                continue
        for close in range(k + 1, len(lines)):
            if lines[close] == end:
                raw = "\n".join([first, *lines[k + 1 : close]])
                yield (key, RawHint(raw)), close + 1


def parse_notify(lines: list[str]) -> Notification | None:
    """Parse a dbus-monitor Notify block (header line first); None if it is not complete.

    dbus-monitor prints strings raw (no escaping, newlines kept), so a string's end is found
    by trying each line ending in a quote until the rest of the fixed signature
    ``susssasa{sv}i`` fits exactly.
    """
    if not lines:
        return None
    header = _HEADER_RE.match(lines[0])
    sender = header["sender"] if header else ""
    last = _INT_RE.match(lines[-1].removeprefix("   ")) if lines[-1].startswith("   ") else None
    if last is None or len(lines) < 10:
        return None
    n = len(lines)
    for app_name, i in _strings(lines, 1, 3):
        rid = _INT_RE.match(lines[i].removeprefix("   ")) if i < n else None
        if rid is None:
            continue
        for icon, j in _strings(lines, i + 1, 3):
            for summary, k in _strings(lines, j, 3):
                for body, m in _strings(lines, k, 3):
                    for actions, p in _array(lines, m, 3, _strings):
                        for entries, q in _array(lines, p, 3, _dict_entry):
                            if q == n - 1:
                                return Notification(
                                    app_name=app_name,
                                    replaces_id=int(rid.group(1)),
                                    app_icon=icon,
                                    summary=summary,
                                    body=body,
                                    actions=tuple(actions),
                                    hints=dict(entries),
                                    expire_timeout=int(last.group(1)),
                                    sender=sender,
                                    raw="\n".join(lines),
                                )
    return None


class _NotifyParser:
    """Turns dbus-monitor's line stream into Notifications.

    A block starts at a Notify header line. A call with the wrong signature never parses,
    and a string may contain a line that looks like a header, so every such line opens a
    candidate; the newest candidate that parses completely wins (the monitor prints whole
    messages one after another), and older open candidates are kept as ``unparsed``.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.starts: list[int] = []
        self.unparsed: list[str] = []

    def feed(self, line: str) -> Notification | None:
        header = _HEADER_RE.match(line)
        if (
            header
            and header["iface"] == NOTIFICATIONS_NAME
            and header["member"] == "Notify"
            and line.startswith("method call ")
        ):
            self.starts.append(len(self.lines))
        if not self.starts:
            return None
        self.lines.append(line)
        if not _INT_RE.match(line.removeprefix("   ")) or not line.startswith("   int"):
            return None
        for index in range(len(self.starts) - 1, -1, -1):
            start = self.starts[index]
            note = parse_notify(self.lines[start:])
            if note is not None:
                for before, after in zip(
                    self.starts[:index], self.starts[1 : index + 1], strict=False
                ):
                    self.unparsed.append("\n".join(self.lines[before:after]))
                self.lines.clear()
                self.starts.clear()
                return note
        return None


class NotifyMonitor:
    """Records every Notify call on a Desktop's bus, using ``dbus-monitor``.

    Why: asserting on the bus traffic checks exactly what the app asked the notification
    server for (title, body, icon, timeout, hints), whichever server (if any) is running.
    Ready (subscribed) when ``start()``/``__enter__`` returns: it sends probe calls until the
    monitor prints one.
    """

    PROBE_INTERFACE = "org.microbreak.TestHarness.Probe"

    def __init__(self, desktop: Desktop, *, ready_timeout: float = START_TIMEOUT) -> None:
        self.desktop = desktop
        self.ready_timeout = ready_timeout
        self._token = f"probe-{uuid.uuid4().hex}"
        self._cond = threading.Condition()
        self._notes: list[Notification] = []
        self._probe_seen = False
        self._eof = False
        self._text: list[str] = []
        self._parser = _NotifyParser()
        self._proc: subprocess.Popen[Any] | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> NotifyMonitor:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> NotifyMonitor:
        """Start dbus-monitor and return once it provably sees new calls."""
        rules = [
            f"type='method_call',interface='{NOTIFICATIONS_NAME}',member='Notify'",
            f"type='method_call',interface='{self.PROBE_INTERFACE}'",
        ]
        self._proc = self.desktop.spawn(
            ["dbus-monitor", "--address", self.desktop.bus_address, *rules],
            name="dbus-monitor",
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self._thread = threading.Thread(target=self._read, name="NotifyMonitor", daemon=True)
        self._thread.start()
        try:
            self._wait_ready()
        except BaseException:
            self.close()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while True:
            probe = self.desktop.run(
                [
                    "dbus-send",
                    f"--bus={self.desktop.bus_address}",
                    "--type=method_call",
                    "--dest=org.freedesktop.DBus",
                    "/",
                    f"{self.PROBE_INTERFACE}.Ping",
                    f"string:{self._token}",
                ]
            )
            if probe.returncode != 0:
                raise AssertionError(f"probe dbus-send failed: {probe.stderr.strip()}")
            with self._cond:
                self._cond.wait_for(lambda: self._probe_seen or self._eof, 0.2)
                if self._probe_seen:
                    return
                if self._eof or time.monotonic() >= deadline:
                    output = "\n".join(self._text[-20:])
                    raise AssertionError(
                        f"dbus-monitor not ready after {self.ready_timeout:.1f}s "
                        f"(exited: {self._eof}); output:\n{output}"
                    )

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        stream = self._proc.stdout
        parser = self._parser
        try:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace")
                line = line[:-1] if line.endswith("\n") else line
                with self._cond:
                    note = parser.feed(line)
                    if len(self._text) < 10000:
                        self._text.append(line)
                    if not self._probe_seen and self._token in line:
                        self._probe_seen = True
                    if note is not None:
                        self._notes.append(note)
                    if note is not None or self._probe_seen:
                        self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self._eof = True
                self._cond.notify_all()
            with contextlib.suppress(OSError, ValueError):
                stream.close()

    def close(self) -> None:
        """Stop dbus-monitor (by handle), let the reader drain, then forget the process."""
        if self._proc is not None:
            stop_process(self._proc)
            if self._thread is not None:
                self._thread.join(3.0)
            self.desktop.stop(self._proc)
            self._proc = None
        self._thread = None

    @property
    def count(self) -> int:
        """How many Notify calls were seen so far (use as ``after=`` for later waits)."""
        with self._cond:
            return len(self._notes)

    def all(self) -> list[Notification]:
        """Every Notify call seen so far, oldest first."""
        with self._cond:
            return list(self._notes)

    def unparsed(self) -> list[str]:
        """Raw text of Notify calls that did not fit ``susssasa{sv}i`` (a wrong signature)."""
        with self._cond:
            return list(self._parser.unparsed)

    def wait_for(
        self,
        predicate: Callable[[Notification], bool] | None = None,
        timeout: float = 10.0,
        *,
        after: int = 0,
    ) -> Notification:
        """Return the first Notify call (from index ``after`` on) matching ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for note in self._notes[after:]:
                    if predicate is None or predicate(note):
                        return note
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = "\n  ".join(repr(n) for n in self._notes[after:]) or "(none)"
                    bad = len(self._parser.unparsed)
                    raise AssertionError(
                        f"no matching Notify call within {timeout:.1f}s; saw:\n  {seen}"
                        + (f"\n(and {bad} Notify call(s) with a wrong signature)" if bad else "")
                    )
                self._cond.wait(min(remaining, 0.1))
