"""End-to-end harness for a second kind of test desktop: a real, headless GNOME Shell on Wayland.

Why: most Linux users run GNOME, and the Xvfb desktop (dunst, trayer) proves nothing about it:
GNOME Shell has its own notification daemon with its own rules, no XEmbed tray, and an
AppIndicator tray only through an extension. Debian's GNOME Shell runs headless here, so tests
can show what a user would see.

Everything is private to one ``GnomeShell``:
- a session bus from a config without D-Bus activation (activation would start stray
  notification daemons, so tests alone decide what runs);
- a stand-in system bus (a second ``dbus-daemon``): without one, the shell's ``loginManager.js``
  throws and the shell dies at start;
- ``gnome-shell --headless --wayland --virtual-monitor WxH --unsafe-mode`` with its own HOME,
  XDG dirs and XDG_RUNTIME_DIR, and ``GSETTINGS_BACKEND=memory`` (there is no dconf service).

Unsafe mode opens ``org.gnome.Shell.Eval``, through which the tests read and drive the shell's
own objects (its message tray, its panel, its extensions). Every process is started with
``subprocess.Popen`` and stopped by its handle, newest first, because PID 1 in our containers
does not reap orphans. Every wait polls up to a deadline and fails saying what it saw.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What both kinds of test desktop share: the private dirs and process lifecycle
# (``PrivateDesktop``), the bus without activation and the process helpers.
import pytest
from PIL import Image

from .desktop import (
    NOTIFICATIONS_NAME,
    PrivateDesktop,
    _die_with_parent,
    start_private_bus,
    wait_until,
)
from .headless import headless_env

__all__ = [
    "APPINDICATOR_UUID",
    "REQUIRED_TOOLS",
    "WATCHER_NAME",
    "GnomeShell",
    "ShellNotification",
    "SignalLog",
    "missing_tools",
    "running_shell",
]

#: Executables this harness runs.
REQUIRED_TOOLS = ("gnome-shell", "dbus-daemon")
#: Debian's gnome-shell-extension-appindicator.
APPINDICATOR_UUID = "ubuntu-appindicators@ubuntu.com"
WATCHER_NAME = "org.kde.StatusNotifierWatcher"

START_TIMEOUT = 30.0
CALL_TIMEOUT_MS = 10_000

_SHELL = ("org.gnome.Shell", "/org/gnome/Shell", "org.gnome.Shell")
_SCREENSHOT = ("org.gnome.Shell.Screenshot", "/org/gnome/Shell/Screenshot")
_IDLE = ("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core")
_REMOTE = ("org.gnome.Mutter.RemoteDesktop", "/org/gnome/Mutter/RemoteDesktop")
REMOTE_SESSION = "org.gnome.Mutter.RemoteDesktop.Session"
SHIFT = 0xFFE1  # the X keysym of the left Shift key
KEYBOARD_SETTLE = 0.5  # seconds for Mutter to add a new session's virtual keyboard

# Every notification of the message tray, as plain data (JS, returned as JSON by Eval).
_LIST_NOTIFICATIONS = """
Main.messageTray.getSources().flatMap(source => source.notifications.map(n => ({
    source: source.title,
    title: n.title,
    body: n.bannerBodyText,
    actions: n.actions.map(a => a.label),
    urgency: n.urgency,
    resident: n.resident,
    icon: n.gicon ? n.gicon.to_string() : null,
})))
"""

# Presses a button as the shell's own banner does (messageTray.js, NotificationBanner.addButton):
# the action's callback, then the notification goes away unless it is resident.
_PRESS = """
(() => {
    const title = %s, label = %s;
    const notes = Main.messageTray.getSources().flatMap(s => s.notifications);
    const note = notes.find(n => n.title === title);
    if (!note)
        return {error: `no notification titled ${title}`, titles: notes.map(n => n.title)};
    const action = note.actions.find(a => a.label === label);
    if (!action)
        return {error: `no button ${label}`, labels: note.actions.map(a => a.label)};
    action.callback();
    if (!note.resident)
        note.destroy();
    return {pressed: label};
})()
"""


# The top bar's button of one status-area key (an AppIndicator icon is a PanelMenu.Button).
_BUTTON = "Main.panel.statusArea[%s]"

# Activates a menu entry as a click does (popupMenu.js: the item emits 'activate' with the
# click's event), with a button-release event made for it.
_ACTIVATE = """
(() => {
    const button = Main.panel.statusArea[%s], label = %s;
    if (!button)
        return {error: 'no such icon', keys: Object.keys(Main.panel.statusArea)};
    const items = button.menu.box.get_children().filter(c => c.visible && c.label);
    const item = items.find(c => c.label.text === label);
    if (!item)
        return {error: `no entry ${label}`, labels: items.map(c => c.label.text)};
    const Clutter = imports.gi.Clutter;
    const click = Clutter.Event.new(Clutter.EventType.BUTTON_RELEASE);
    click.set_time(global.get_current_time() || 1);
    item.activate(click);
    return {activated: label};
})()
"""


def missing_tools(*, xwayland: bool = False) -> list[str]:
    """The REQUIRED_TOOLS (and with ``xwayland``, Xwayland) not found on PATH."""
    tools = (*REQUIRED_TOOLS, "Xwayland") if xwayland else REQUIRED_TOOLS
    return [tool for tool in tools if shutil.which(tool) is None]


def running_shell(base_dir: Path, *, xwayland: bool = False) -> Iterator[GnomeShell]:
    """A fixture's shell: skipped on a developer machine without GNOME Shell (or Xwayland,
    when asked for), a failure in CI."""
    missing = missing_tools(xwayland=xwayland)
    if missing:
        message = f"GNOME Shell missing: {', '.join(missing)} (see the README's test command)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with GnomeShell(base_dir, xwayland=xwayland) as shell:
        yield shell


@dataclass(frozen=True)
class ShellNotification:
    """One notification as GNOME Shell's message tray holds it."""

    source: str
    title: str
    body: str
    actions: tuple[str, ...]
    urgency: int
    resident: bool
    icon: str | None


def _gio() -> Any:
    from gi.repository import Gio

    return Gio


def _glib() -> Any:
    from gi.repository import GLib

    return GLib


def _connect(address: str) -> Any:
    """A new private GDBus connection to the bus at ``address``."""
    gio = _gio()
    flags = (
        gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    )
    return gio.DBusConnection.new_for_address_sync(address, flags, None, None)


class SignalLog:
    """Records the signals of one interface seen on a bus, on a connection of its own.

    Why: a signal such as ``ActionInvoked`` is the proof that a click reached the bus. The
    connection lives on its own GLib main context, which ``wait_for`` iterates, so no thread
    and no global main loop are involved.
    """

    def __init__(self, address: str, interface: str, member: str | None = None) -> None:
        self.seen: list[tuple[str, tuple[Any, ...]]] = []
        self._context = _glib().MainContext.new()
        self._context.push_thread_default()
        try:
            self._conn = _connect(address)
            self._id = self._conn.signal_subscribe(
                None, interface, member, None, None, _gio().DBusSignalFlags.NONE, self._on, None
            )
        finally:
            self._context.pop_thread_default()

    def _on(
        self,
        _conn: Any,
        _sender: str,
        _path: str,
        _iface: str,
        member: str,
        params: Any,
        _data: Any,
    ) -> None:
        self.seen.append((member, tuple(params.unpack())))

    def pump(self) -> None:
        """Dispatch whatever has arrived."""
        while self._context.iteration(False):
            pass

    def wait_for(
        self,
        member: str,
        check: Callable[[tuple[Any, ...]], bool] | None = None,
        timeout: float = 10.0,
    ) -> tuple[Any, ...]:
        """The first ``member`` signal (whose arguments pass ``check``) seen so far or later."""

        def found() -> tuple[Any, ...] | None:
            self.pump()
            for name, args in self.seen:
                if name == member and (check is None or check(args)):
                    return args
            return None

        result = wait_until(found, timeout, lambda: f"a {member} signal; saw {self.seen}")
        assert result is not None
        return result

    def close(self) -> None:
        """Unsubscribe and close the connection."""
        self._conn.signal_unsubscribe(self._id)
        self._conn.close_sync(None)
        self.pump()


class GnomeShell(PrivateDesktop):
    """A private headless GNOME Shell on Wayland with its two buses; a context manager.

    ``env`` is the environment to give a program that should run on this desktop: Wayland only
    (no DISPLAY), the shell's session bus and the stand-in system bus. With ``xwayland`` the
    shell also serves X11 clients through Xwayland, as a GNOME session does, and ``x11_env``
    holds what an X11 client needs besides (``DISPLAY`` and ``XAUTHORITY``, as the shell set
    them); without it the shell runs with ``--no-x11`` and ``x11_env`` is empty.
    """

    dir_prefix = "gnome-shell-"
    runtime_prefix = "mbgs-"

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        size: str = "1280x800",
        start_timeout: float = START_TIMEOUT,
        xwayland: bool = False,
    ) -> None:
        super().__init__(base_dir, start_timeout)
        self.size = size
        self.xwayland = xwayland
        self.x11_env: dict[str, str] = {}
        self.system_bus_address = ""
        self.wayland_display = ""
        self.shell: subprocess.Popen[Any] | None = None
        self._conn: Any = None
        self._remote: tuple[Any, str] | None = None
        self._keyboard_unused = True  # see ``key``

    # -- lifecycle -----------------------------------------------------------------------

    def _start_parts(self) -> None:
        """Both buses and the shell; then wait until Eval answers and the start-up is over."""
        self.system_bus_address = self._start_bus("system-bus")
        self.bus_address = self._start_bus("session-bus")
        self._start_shell()
        self.env = self._app_env()
        if self.xwayland:
            for name in ("DISPLAY", "XAUTHORITY"):
                value = self.eval(f"GLib.getenv({json.dumps(name)})")
                if not value:
                    raise AssertionError(f"the shell set no {name}: no Xwayland?")
                self.x11_env[name] = value
        self._settle()

    def _release(self) -> None:
        for conn in (self._remote[0] if self._remote else None, self._conn):
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close_sync(None)
        self._remote = None
        self._keyboard_unused = True
        self._conn = None
        self.shell = None

    def _stop_tracked(self, proc: subprocess.Popen[Any], timeout: float = 5.0) -> int:
        return super()._stop_tracked(proc, timeout)  # the shell takes longer to go

    def _make_dirs(self) -> None:
        super()._make_dirs()
        # The shell warns once per user that the screen cannot lock (no GDM); this file says
        # it already did (main.js, _handleLockScreenWarning).
        (self.home / ".local/share/gnome-shell").mkdir(parents=True, exist_ok=True)
        (self.home / ".local/share/gnome-shell/lock-warning-shown").touch()

    def log_text(self, name: str = "gnome-shell") -> str:
        """The captured output of ``gnome-shell``, ``session-bus`` or ``system-bus``."""
        return super().log_text(name)

    def _base_env(self) -> dict[str, str]:
        env = self._home_env("DISPLAY")
        env.update(DBUS_SYSTEM_BUS_ADDRESS=self.system_bus_address)
        return env

    def _app_env(self) -> dict[str, str]:
        env = self._base_env()
        env.update(
            WAYLAND_DISPLAY=self.wayland_display,
            XDG_SESSION_TYPE="wayland",
            XDG_CURRENT_DESKTOP="GNOME",
            GDK_BACKEND="wayland",
            PYTHONUNBUFFERED="1",
        )
        return env

    def _start_bus(self, name: str) -> str:
        """A private dbus-daemon without activation; returns its address."""
        return start_private_bus(
            name,
            self.base_dir,
            self.runtime_dir,
            self.log_dir,
            self.start_timeout,
            self._track,
        )

    def _start_shell(self) -> None:
        width, height = self.size.split("x")
        args = [
            "gnome-shell",
            "--headless",
            "--wayland",
            *(() if self.xwayland else ("--no-x11",)),
            "--sm-disable",
            "--virtual-monitor",
            f"{int(width)}x{int(height)}",
            "--unsafe-mode",
        ]
        with self._log("gnome-shell") as log:
            proc = subprocess.Popen(
                _die_with_parent(args),
                env=self._base_env(),
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.shell = self._track("gnome-shell", proc)

        def ready() -> bool:
            self._check_alive()
            try:
                return bool(self.eval("1") == 1)
            except AssertionError:
                self._drop_connection()
                return False

        wait_until(ready, self.start_timeout, self._why_not_ready, interval=0.1)
        sockets = sorted(p.name for p in self.runtime_dir.glob("wayland-*") if p.is_socket())
        if not sockets:
            raise AssertionError(f"the shell made no Wayland socket in {self.runtime_dir}")
        self.wayland_display = sockets[0]

    def _settle(self) -> None:
        """Wait for the end of the shell's start-up, then clear what it greets a session with.

        At 'startup-complete' the shell leaves action mode NONE and, in the same handler,
        notifies a root session "Logged in as a privileged user" (or opens its welcome dialog
        for another user). Tests start with no dialog, the overview closed and an empty message
        tray instead.
        """
        wait_until(
            lambda: self.eval("Main.actionMode !== Shell.ActionMode.NONE"),
            self.start_timeout,
            "the shell to finish starting up (Main.actionMode leaves NONE)",
            interval=0.05,
        )
        self.eval("Main.welcomeDialog?.close()")
        # With no window open the shell starts in the overview; a user's desktop shows windows.
        self.eval("Main.overview.hide()")
        wait_until(
            lambda: self.eval("!Main.overview.visible"),
            self.start_timeout,
            "the overview to close",
            interval=0.05,
        )
        self.clear_notifications()

    def _why_not_ready(self) -> str:
        tail = "\n".join(self.log_text().splitlines()[-30:])
        return f"org.gnome.Shell.Eval('1') to answer 1; gnome-shell log (tail):\n{tail}"

    def _check_alive(self) -> None:
        if self.shell is not None and self.shell.poll() is not None:
            tail = "\n".join(self.log_text().splitlines()[-40:])
            raise AssertionError(f"gnome-shell exited with {self.shell.returncode}:\n{tail}")

    # -- D-Bus ---------------------------------------------------------------------------

    @property
    def connection(self) -> Any:
        """The harness's own GDBus connection to the session bus (opened on first use)."""
        if self._conn is None:
            self._conn = _connect(self.bus_address)
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close_sync(None)
            self._conn = None

    def call(
        self,
        dest: str,
        path: str,
        interface: str,
        method: str,
        args: Any = None,
        reply: str | None = None,
        *,
        timeout_ms: int = CALL_TIMEOUT_MS,
    ) -> tuple[Any, ...]:
        """A method call on the session bus; ``args`` is a GLib.Variant tuple or None."""
        glib = _glib()
        reply_type = glib.VariantType.new(reply) if reply else None
        try:
            result = self.connection.call_sync(
                dest, path, interface, method, args, reply_type, 0, timeout_ms, None
            )
        except glib.Error as e:
            raise AssertionError(f"{interface}.{method} on {dest} failed: {e.message}") from None
        return tuple(result.unpack()) if result is not None else ()

    def name_has_owner(self, name: str) -> bool:
        """Whether a well-known name is owned on the session bus (asks the bus itself)."""
        (owned,) = self.call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            _glib().Variant("(s)", (name,)),
            "(b)",
        )
        return bool(owned)

    def listen(self, interface: str, member: str | None = None) -> SignalLog:
        """Start recording ``interface``'s signals on the session bus; close it when done."""
        return SignalLog(self.bus_address, interface, member)

    # -- the shell's own objects ---------------------------------------------------------

    def eval(self, js: str) -> Any:
        """Run ``js`` inside the shell and return its value, parsed from JSON.

        Eval answers ``(ok, text)``: on failure the text is the exception, which is raised here.
        An ``undefined`` value comes back as an empty text, returned as None.
        """
        ok, text = self.call(*_SHELL, "Eval", _glib().Variant("(s)", (js,)), "(bs)")
        if not ok:
            raise AssertionError(f"Eval failed: {text}\nscript: {js.strip()}")
        return json.loads(text) if text else None

    def own_notifications(self, timeout: float = 10.0) -> None:
        """Make the shell's own notification daemon own org.freedesktop.Notifications.

        In this setup the shell exports the daemon object but does not take the name itself.
        """
        self.eval(
            f"Gio.DBus.session.own_name('{NOTIFICATIONS_NAME}', "
            "Gio.BusNameOwnerFlags.REPLACE, null, null) > 0"
        )
        wait_until(
            lambda: self.name_has_owner(NOTIFICATIONS_NAME),
            timeout,
            f"the shell to own {NOTIFICATIONS_NAME}",
            interval=0.05,
        )

    def notifications(self) -> list[ShellNotification]:
        """Every notification in the shell's message tray: titles, bodies, button labels."""
        found = self.eval(_LIST_NOTIFICATIONS)
        return [
            ShellNotification(
                source=n["source"],
                title=n["title"],
                body=n["body"] or "",
                actions=tuple(n["actions"]),
                urgency=n["urgency"],
                resident=n["resident"],
                icon=n["icon"],
            )
            for n in found
        ]

    def wait_notification(
        self,
        title: str,
        timeout: float = 10.0,
        *,
        check: Callable[[ShellNotification], bool] | None = None,
    ) -> ShellNotification:
        """The notification titled ``title`` (that passes ``check``), once the tray holds it."""

        def found() -> ShellNotification | None:
            for note in self.notifications():
                if note.title == title and (check is None or check(note)):
                    return note
            return None

        result = wait_until(
            found,
            timeout,
            lambda: f"a notification {title!r}; the tray holds {self.notifications()}",
            interval=0.05,
        )
        assert result is not None
        return result

    def clear_notifications(self) -> None:
        """Remove every notification from the message tray."""
        self.eval(
            "Main.messageTray.getSources().flatMap(s => s.notifications).forEach(n => n.destroy())"
        )

    def press(self, title: str, label: str) -> None:
        """Press the button ``label`` of the notification ``title`` as its banner would."""
        outcome = self.eval(_PRESS % (json.dumps(title), json.dumps(label)))
        if outcome.get("pressed") != label:
            raise AssertionError(f"cannot press {label!r} on {title!r}: {outcome}")

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole virtual monitor, taken by the shell itself; returns ``path``."""
        path = path.absolute()
        path.parent.mkdir(parents=True, exist_ok=True)
        variant = _glib().Variant("(bbs)", (False, False, str(path)))
        ok, used = self.call(
            *_SCREENSHOT, "org.gnome.Shell.Screenshot", "Screenshot", variant, "(bs)"
        )
        if not ok or not Path(used).is_file():
            raise AssertionError(f"the shell took no screenshot (answer {ok}, file {used!r})")
        return Path(used)

    def idle_ms(self) -> int:
        """How long the session has been idle, from Mutter's own idle monitor."""
        (idle,) = self.call(*_IDLE, "org.gnome.Mutter.IdleMonitor", "GetIdletime", None, "(t)")
        return int(idle)

    def _remote_session(self) -> tuple[Any, str]:
        """A RemoteDesktop session for real input, on a connection of its own (Mutter ends a
        session when its client leaves), made on first use and kept until ``close()``."""
        if self._remote is None:
            conn = _connect(self.bus_address)
            result = conn.call_sync(
                *_REMOTE,
                "org.gnome.Mutter.RemoteDesktop",
                "CreateSession",
                None,
                _glib().VariantType.new("(o)"),
                0,
                CALL_TIMEOUT_MS,
                None,
            )
            (session,) = result.unpack()
            conn.call_sync(
                _REMOTE[0], session, REMOTE_SESSION, "Start", None, None, 0, CALL_TIMEOUT_MS, None
            )
            self._remote = (conn, session)
        return self._remote

    def _remote_input(self, member: str, signature: str, *values: Any) -> None:
        conn, session = self._remote_session()
        conn.call_sync(
            _REMOTE[0],
            session,
            REMOTE_SESSION,
            member,
            _glib().Variant(signature, values),
            None,
            0,
            CALL_TIMEOUT_MS,
            None,
        )

    def nudge(self) -> None:
        """Move the pointer by one pixel: real input."""
        for dx in (1.0, -1.0):
            self._remote_input("NotifyPointerMotionRelative", "(dd)", dx, 0.0)

    def key(self, keysym: int) -> None:
        """Press and release one key (an X keysym: 0xff1b is Escape) on the real keyboard, to
        whichever window has the focus."""
        if self._keyboard_unused:
            # Mutter adds a session's virtual keyboard a moment after its first key event and
            # drops the events before: spend a Shift on it, and give it that moment.
            self._keyboard_unused = False
            for pressed in (True, False):
                self._remote_input("NotifyKeyboardKeysym", "(ub)", SHIFT, pressed)
            time.sleep(KEYBOARD_SETTLE)
        for pressed in (True, False):
            self._remote_input("NotifyKeyboardKeysym", "(ub)", keysym, pressed)

    def enable_appindicator(self, timeout: float = 10.0) -> None:
        """Enable the AppIndicator extension and wait until it runs its StatusNotifier watcher."""
        self.eval(f"Main.extensionManager.enableExtension('{APPINDICATOR_UUID}')")

        def enabled() -> bool:
            state = self.eval(f"Main.extensionManager.lookup('{APPINDICATOR_UUID}')?.state ?? null")
            return state == 1 and self.name_has_owner(WATCHER_NAME)

        wait_until(enabled, timeout, f"{APPINDICATOR_UUID} enabled and {WATCHER_NAME} owned")

    def status_area(self) -> list[str]:
        """The keys of the top bar's status area (an AppIndicator icon adds one)."""
        keys: list[str] = self.eval("Object.keys(Main.panel.statusArea)")
        return keys

    # -- the top bar's AppIndicator icons -------------------------------------------------

    def indicator(self, name: str, timeout: float = 15.0) -> str:
        """The status-area key of the AppIndicator icon ``name``, once the top bar shows it.

        The extension keys an icon ``appindicator-<bus name>@<object path>``; libayatana's
        path ends in ``/NotificationItem/<id>``.
        """
        suffix = f"/NotificationItem/{name}"
        return wait_until(
            lambda: next(
                (
                    k
                    for k in self.status_area()
                    if k.startswith("appindicator-") and k.endswith(suffix)
                ),
                "",
            ),
            timeout,
            lambda: f"an icon {name!r} in Main.panel.statusArea: {self.status_area()}",
            interval=0.05,
        )

    def indicator_box(self, key: str) -> tuple[int, int, int, int] | None:
        """Where the top bar draws the icon ``key``: (left, top, right, bottom) in pixels, or
        None before the shell has laid it out (its position is NaN then, null in JSON)."""
        found = self.eval(
            f"(() => {{ const b = {_BUTTON % json.dumps(key)};"
            " const [x, y] = b.get_transformed_position();"
            " const [w, h] = b.get_transformed_size(); return [x, y, w, h]; })()"
        )
        if any(v is None for v in found):
            return None
        x, y, w, h = found
        return round(x), round(y), round(x + w), round(y + h)

    def menu_labels(self, key: str) -> list[str]:
        """The visible entries of the icon's menu as the shell built it (from DBusMenu)."""
        labels: list[str] = self.eval(
            f"{_BUTTON % json.dumps(key)}.menu.box.get_children()"
            ".filter(c => c.visible && c.label).map(c => c.label.text)"
        )
        return labels

    def open_menu(self, key: str, is_open: bool = True) -> None:
        """Open (or close) the icon's menu, as a click on the icon does."""
        call = "open" if is_open else "close"
        self.eval(f"{_BUTTON % json.dumps(key)}.menu.{call}()")
        wait_until(
            lambda: self.eval(f"{_BUTTON % json.dumps(key)}.menu.isOpen") == is_open,
            5.0,
            f"the menu of {key} to {call}",
            interval=0.05,
        )

    def activate(self, key: str, label: str) -> None:
        """Activate the menu entry ``label`` of the icon ``key`` as a click on it does.

        The shell's item emits ``activate`` with the click's event; the extension reads the
        event's time and sends DBusMenu's ``Event(id, "clicked", ...)`` to the application.
        A button-release event made here stands for the click.
        """
        outcome = self.eval(_ACTIVATE % (json.dumps(key), json.dumps(label)))
        if outcome.get("activated") != label:
            raise AssertionError(f"cannot activate {label!r} in the menu of {key}: {outcome}")


def daemon_env(shell: GnomeShell, tmp_path: Path, runtime: Path, **settings: str) -> dict[str, str]:
    """A quiet headless daemon's environment on the shell's buses and Wayland display
    (``settings`` are MICROBREAK_* variables on top of the quiet headless ones).

    The daemon keeps a runtime dir of its own (its socket and lock); the Wayland socket is
    named by its full path.
    """
    keep = ("DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS", "XDG_CURRENT_DESKTOP")
    extra = {key: shell.env[key] for key in keep}
    extra.update(
        WAYLAND_DISPLAY=str(shell.runtime_dir / shell.wayland_display),
        XDG_SESSION_TYPE="wayland",
        GSETTINGS_BACKEND="memory",
        NO_AT_BRIDGE="1",  # no accessibility bus here
    )
    extra.update({f"MICROBREAK_{key.upper()}": value for key, value in settings.items()})
    return headless_env(tmp_path / "home", runtime, extra)


def keep_for_readme(shot: Path, box: tuple[int, int, int, int] | None = None) -> None:
    """Where ``MICROBREAK_SCREENSHOTS`` names a folder, save ``shot`` there under its own name
    (cropped to ``box``, left, top, right, bottom): how the README's pictures are taken."""
    keep = os.environ.get("MICROBREAK_SCREENSHOTS")
    if not keep:
        return
    with Image.open(shot) as image:
        (image.crop(box) if box else image).save(Path(keep) / shot.name)
