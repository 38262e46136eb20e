"""``microbreak doctor``: what works on this desktop, and the exact fix for what does not.

Each check asks the same code the daemon runs (the tray probe and loader, plyer's choice of
notification backend, the idle detector choice, the config loader, the autostart status), so
its answer is the daemon's. A check that raises becomes a failed check, never a traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import platform
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs

from .. import __version__
from ..errors import first_line
from ..i18n import N_, English, _, ngettext

#: Seconds a D-Bus question may take here: long enough to activate a server, short enough to wait.
DBUS_TIMEOUT = 2.0

BUS_FIX = N_(
    "start a D-Bus session bus (log in to a desktop session; or `dbus-run-session -- microbreak`)"
)
BUS_FIRST = N_("fix the D-Bus session bus first (see its line)")
DBUS_PYTHON_FIX = N_(
    "install python3-dbus (Debian/Ubuntu) and use the README's install command (a venv made "
    "with --system-site-packages); or `pip install dbus-python`"
)
SERVER_FIX = N_(
    "install and start a notification daemon, e.g. `sudo apt install dunst` (or your desktop's)"
)
GI_FIX = N_(
    "install python3-gi gir1.2-ayatanaappindicator3-0.1 and use the README's install command"
)
GNOME_FIX = N_(
    "install the AppIndicator and KStatusNotifierItem Support extension "
    "(gnome-shell-extension-appindicator) and log in again"
)
SESSION_FIX = N_("run inside a desktop session ($DISPLAY or $WAYLAND_DISPLAY set)")
GNOME_ENABLE_FIX = N_(
    "enable the AppIndicator extension, which is installed: the Extensions app, or "
    "`gnome-extensions enable {uuid}`; then restart microbreak (it looks for a tray as it starts)"
)
#: The AppIndicator extension's ids: Debian's and Ubuntu's package, and extensions.gnome.org's.
APPINDICATOR_UUIDS = ("ubuntu-appindicators@ubuntu.com", "appindicatorsupport@rgcjonas.gmail.com")
DISPLAY_FIX = N_(
    "$DISPLAY names a display that is not there: run microbreak inside your desktop session, "
    "or set DISPLAY to the value `echo $DISPLAY` prints in a terminal there"
)
ACTIVATION_FIX = N_(
    "the session bus could not start the notification server it knows; a server that needs "
    "the display fails when the bus lacks DISPLAY: run `dbus-update-activation-environment "
    "--systemd DISPLAY WAYLAND_DISPLAY` in your session's start-up (the bus's log says why)"
)


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report; a failed ``needed`` check makes ``doctor`` exit 1."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None
    needed: bool = True
    info: bool = False  # a fact worth knowing (autostart, paths), not a verdict

    @property
    def status(self) -> str:
        """The status column: ok, FAIL (needed), warn (not needed) or info."""
        if not self.ok:
            return N_("FAIL") if self.needed else N_("warn")
        return N_("info") if self.info else N_("ok")

    @classmethod
    def fact(cls, name: str, detail: str) -> Check:
        """A line that informs (autostart, paths) and can neither fail nor warn."""
        return cls(name, True, detail, needed=False, info=True)


def _cause(error: BaseException) -> str:
    """The message of the error behind a BusError (Gio says why it could not connect)."""
    cause = error.__cause__
    if cause is None:
        return ""
    message = getattr(cause, "message", None)  # a GLib.Error's own words, without its domain
    return f": {message}" if isinstance(message, str) else f": {first_line(cause)}"


def _shown_address(address: str) -> str:
    """The bus address without its guid, which says nothing to a person."""
    return ",".join(part for part in address.split(",") if not part.startswith("guid="))


def check_bus(env: Mapping[str, str] = os.environ) -> Check:
    """Does a session bus answer? Notifications, StatusNotifier trays and GNOME idle need it."""
    from ..adapters.presence.bus import Bus, BusError, NoGio

    name = "session bus"
    bus = Bus.session(env)
    if bus.address is None:
        detail = _(
            "none: $DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus"
        )
        return Check(name, False, detail, BUS_FIX)
    try:
        bus.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId")
    except BusError as e:
        fix = GI_FIX if isinstance(e, NoGio) else BUS_FIX
        return Check(name, False, f"{e} ({_shown_address(bus.address)}){_cause(e)}", fix)
    finally:
        bus.close()
    return Check(name, True, _("{address} answers").format(address=_shown_address(bus.address)))


def check_notification_server(env: Mapping[str, str] = os.environ) -> Check:
    """Who shows notifications: ``GetServerInformation``, as the daemon's Notify would reach it
    (the call may D-Bus-activate a server, exactly as a real reminder would)."""
    from ..adapters.presence.bus import Bus, BusError
    from ..adapters.presence.notifications import NOTIFICATIONS, NOTIFICATIONS_PATH

    name = "notification server"
    bus = Bus.session(env)
    if bus.address is None:
        return Check(name, False, _("cannot ask: no session bus"), BUS_FIRST)
    with contextlib.closing(bus):
        try:
            running = bus.has_owner(NOTIFICATIONS)
        except BusError as e:
            return Check(name, False, _("cannot ask: {error}").format(error=e), BUS_FIRST)
        try:
            ask = (NOTIFICATIONS, NOTIFICATIONS_PATH, NOTIFICATIONS)
            answer = bus.call(*ask, "GetServerInformation", timeout=DBUS_TIMEOUT)
        except BusError as e:
            if e.name and e.name.startswith("org.freedesktop.DBus.Error.Spawn"):
                detail = _("starting a notification server on demand failed: {error}").format(
                    error=e
                )
                return Check(name, False, detail, ACTIVATION_FIX)
            if e.name == "org.freedesktop.DBus.Error.ServiceUnknown" or not running:
                detail = _("none: nobody owns {name} on the session bus").format(name=NOTIFICATIONS)
                return Check(name, False, detail, SERVER_FIX)
            if e.name == "org.freedesktop.DBus.Error.NoReply":
                detail = _("{name} did not answer within {seconds} s").format(
                    name=NOTIFICATIONS, seconds=f"{DBUS_TIMEOUT:g}"
                )
            else:
                detail = f"{NOTIFICATIONS} failed: {e}"
            fix = N_("restart your notification daemon (or log in again)")
            return Check(name, False, detail, fix)
    server, vendor, version, spec = (str(part) for part in answer)
    activated = "" if running else _(" (activated on demand)")
    detail = _("{server} {version} by {vendor}, spec {spec}{activated}").format(
        server=server, version=version, vendor=vendor, spec=spec, activated=activated
    )
    return Check(name, True, detail)


def _plyer_backend() -> tuple[object, list[str]]:
    """plyer's own choice of notification backend, and the warnings it gave on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from plyer.utils import platform as plyer_platform

        module = importlib.import_module(f"plyer.platforms.{plyer_platform}.notification")
        backend = module.instance()
    notes = [str(w.message).splitlines()[0] for w in caught]
    return backend, notes


def _buttons(env: Mapping[str, str]) -> str | None:
    """The notification server's name when it lists ``actions``: the daemon then sends its
    reminders through the freedesktop API itself, with buttons, and plyer is not used (unless
    ``MICROBREAK_NOTIFICATIONS_BACKEND`` puts plyer first, as the daemon then does)."""
    from ..adapters.backends import named
    from ..adapters.presence.bus import Bus, BusError
    from ..adapters.presence.notifications import NOTIFICATIONS, NOTIFICATIONS_PATH

    wanted = [n for n in named("notifications", env) if n in ("freedesktop", "plyer")]
    if wanted and wanted[0] != "freedesktop":
        return None

    with contextlib.closing(Bus.session(env)) as bus:
        try:  # no session bus is a BusError too
            if not bus.has_owner(NOTIFICATIONS):
                return None
            ask = (NOTIFICATIONS, NOTIFICATIONS_PATH, NOTIFICATIONS)
            capabilities = bus.call(*ask, "GetCapabilities", timeout=DBUS_TIMEOUT)
            server = bus.call(*ask, "GetServerInformation", timeout=DBUS_TIMEOUT)
        except BusError:
            return None
    listed = capabilities if isinstance(capabilities, list | tuple) else ()
    return str(server[0]) if "actions" in listed and isinstance(server, tuple) else None


def check_notification_path(env: Mapping[str, str] = os.environ) -> Check:
    """Which way the daemon will send a reminder: the freedesktop API with buttons where the
    server lists actions, else plyer: D-Bus with icon and timeout, or a poorer fallback."""
    name = "notification path"
    server = _buttons(env)
    if server is not None:
        detail = _("freedesktop API with Done / Snooze / Skip buttons ({server} lists actions)")
        return Check(name, True, detail.format(server=server))
    backend, notes = _plyer_backend()
    kind = type(backend).__name__
    said = f" ({'; '.join(notes)})" if notes else ""
    if kind == "NotifyDbus":
        detail = _("plyer NotifyDbus: D-Bus via dbus-python, with icon and timeout")
        return Check(name, True, detail)
    if kind == "NotifySendNotification":
        detail = _("plyer falls back to notify-send: no icon, no timeout, silent failures")
        return Check(name, False, detail + said, DBUS_PYTHON_FIX)
    if kind == "NotifyDesktopPortals":
        detail = _("plyer NotifyDesktopPortals (Flatpak portal): title and body only")
        return Check(name, True, detail)
    if kind == "Notification":  # plyer's facade itself: it found nothing to send with
        detail = _("plyer has no notification backend") + said
        return Check(name, False, detail, DBUS_PYTHON_FIX)
    return Check(name, True, f"plyer {kind}{said}")


def check_gnome_breaks() -> Check:
    """GNOME 48+'s own movement breaks: with ours on too, the user gets two reminders."""
    from ..adapters.gnome_breaks import SCHEMA, TURN_OFF, movement_breaks_on

    name = "GNOME breaks"
    on = movement_breaks_on()
    if on is None:
        return Check.fact(name, _("none here (no {schema} schema)").format(schema=SCHEMA))
    if not on:
        return Check.fact(name, N_("GNOME's movement breaks are off"))
    detail = N_("GNOME's own movement breaks are on as well: two reminders to move")
    fix = _("choose one: turn GNOME's off ({how}), or quit microbreak").format(how=TURN_OFF)
    return Check(name, False, detail, fix, needed=False)


def _tray_fix(reason: str, sni_host: bool) -> str:
    if reason.startswith("no display"):
        return SESSION_FIX
    if "cannot open display" in reason:
        return DISPLAY_FIX
    if sni_host or "PyGObject" in reason:
        return GI_FIX
    if "GNOME" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper():
        installed = _installed_extension()
        if installed is not None:  # on Debian installed is not enabled
            return _(GNOME_ENABLE_FIX).format(uuid=installed)
        return GNOME_FIX
    return _(
        "on GNOME: {fix}; elsewhere add a system tray (notification area) to your panel"
    ).format(fix=_(GNOME_FIX))


def _installed_extension() -> str | None:
    """The id of an AppIndicator extension installed for GNOME Shell (yours first, then the
    system's, where GNOME looks: the XDG data dirs), or None."""
    system = platformdirs.site_data_dir(multipath=True).split(os.pathsep)
    for base in (platformdirs.user_data_dir(), *system):
        for uuid in APPINDICATOR_UUIDS:
            if os.path.isfile(os.path.join(base, "gnome-shell/extensions", uuid, "metadata.json")):
                return uuid
    return None


def check_tray(env: Mapping[str, str] = os.environ) -> Check:
    """Which tray host runs and which pystray backend the daemon will use, with or without menu.
    A missing tray is not needed where the reminders carry buttons: they are answered there,
    and the ``microbreak`` command does the rest."""
    found = _tray()
    if found.ok or _buttons(env) is None:
        return found
    detail = _("{detail}; the reminders carry their own buttons").format(detail=found.detail)
    return replace(found, detail=detail, needed=False)


def _tray() -> Check:
    from ..adapters import tray_probe
    from ..adapters.tray import TrayUnavailable, load_pystray

    name = "tray"
    found = tray_probe.probe()
    choice = tray_probe.choose(found)
    with English():  # the fix follows the English reason, whatever language shows it
        why = tray_probe.choose(found).reason
    yes = {True: _("yes"), False: _("no")}
    hosts = _("StatusNotifier watcher: {sni}, XEmbed tray: {xembed}").format(
        sni=yes[found.sni_host], xembed=yes[found.xembed_host]
    )
    if not choice.backends:
        return Check(name, False, f"{choice.reason} [{hosts}]", _tray_fix(why, False))
    try:
        pystray, backend = load_pystray(choice.backends)  # imported as the daemon would
    except TrayUnavailable as e:
        detail = _("no pystray backend loads: {error}").format(error=e)
        return Check(name, False, f"{detail} [{hosts}]", GI_FIX)
    xembed = N_("XEmbed tray")
    host = {"appindicator": N_("StatusNotifier host"), "gtk": xembed, "xorg": xembed}
    via = _(host[backend]) if backend in host else choice.reason
    has_menu = bool(pystray.Icon.HAS_MENU)
    menu = _("with menu") if has_menu else _("WITHOUT menu")
    detail = _("{host} -> pystray {backend} backend, {menu}").format(
        host=via, backend=backend, menu=menu
    )
    detail += f" [{hosts}]"
    if sys.platform.startswith("linux") and backend in ("gtk", "xorg") and not found.xembed_host:
        # appindicator did not load, and GTK's icon needs the XEmbed tray that is not there.
        hidden = _("{detail}: the icon would not show").format(detail=detail)
        return Check(name, False, hidden, GI_FIX)
    if not has_menu:
        return Check(name, False, f"{detail}: {choice.reason}", _tray_fix(why, True))
    return Check(name, True, detail)


def check_do_not_disturb(env: Mapping[str, str] = os.environ, *, asked: bool = True) -> Check:
    """The desktop's own do-not-disturb, asked as the daemon asks it (the same sources, and
    ``MICROBREAK_DO_NOT_DISTURB_BACKEND``): while it is on, every reminder is held and, after
    ``max_postpone``, dropped; a user who forgot the switch sees none. ``asked``: the config's
    ``[do_not_disturb] desktop``."""
    from ..adapters.presence import DoNotDisturb

    name = "do not disturb"
    if not asked:
        return Check.fact(name, N_("not asked ([do_not_disturb] desktop = false)"))
    desktop = DoNotDisturb.default(env, fullscreen=False, camera=False, microphone=False)
    with contextlib.closing(desktop):
        reason = desktop.reason()
    if reason is None:
        return Check.fact(name, _server_unasked(env) or N_("off"))
    detail = _("{reason}: reminders are held, and dropped after max_postpone").format(
        reason=_(reason)
    )
    fix = N_("turn do not disturb off to get your reminders")
    return Check(name, False, detail, fix, needed=False)


def _server_unasked(env: Mapping[str, str]) -> str | None:
    """Why the notification server's own switch could not be asked, if it could not."""
    from ..adapters.presence.bus import Bus, BusError, NoGio
    from ..adapters.presence.notifications import NOTIFICATIONS

    bus = Bus.session(env)
    if bus.address is None:
        return N_("cannot tell: no D-Bus session bus")
    with contextlib.closing(bus):
        try:
            bus.has_owner(NOTIFICATIONS)
        except NoGio:
            return None  # the notification path's line says so
        except BusError:
            return N_("cannot tell: the session bus cannot be reached")
    return None


_IDLE_SOURCES = {
    "x11": N_("the X11 screen saver extension"),
    "gnome": N_("GNOME's idle monitor (Mutter)"),
    "windows": "GetLastInputInfo",
    "macos": "HIDIdleTime",
}


def _idle_fix(reason: str) -> str:
    if "on Wayland" in reason:
        return N_(
            "none on this Wayland desktop: only GNOME's idle monitor sees all input there, so "
            "natural breaks (an idle stretch counting as a break) stay off; reminders still "
            "come on time"
        )
    if "screen saver extension" in reason:
        return N_(
            "enable the X server's MIT-SCREEN-SAVER extension; until then natural breaks are off"
        )
    if "cannot open display" in reason:
        return DISPLAY_FIX
    if "no X display" in reason or "did not answer" in reason:
        return SESSION_FIX
    if "cannot be reached" in reason:
        return BUS_FIX
    return N_("natural breaks stay off; reminders still come on time")


def check_idle(env: Mapping[str, str] = os.environ, *, wanted: bool = True) -> Check:
    """Which idle detector the daemon would use; none only turns natural breaks off."""
    from ..adapters import idle

    name = "idle detection"
    detector, reason = idle.choose(env)
    try:
        seconds = detector.idle_seconds() if reason is None else None
    finally:
        detector.close()
    if not wanted:
        would = detector.name if reason is None else "none"
        detail = _("off in the config (detect_idle = false); would use {detector}").format(
            detector=would
        )
        return Check(name, True, detail, needed=False)
    if reason is not None:
        with English():  # the fix follows the English reason, whatever language shows it
            again, why = idle.choose(env)
            again.close()
        return Check(name, False, reason, _idle_fix(why or reason), needed=False)
    source = _(_IDLE_SOURCES.get(detector.name, detector.name))
    idle_for = (
        _(", idle for {seconds} s").format(seconds=f"{seconds:.0f}") if seconds is not None else ""
    )
    return Check(name, True, f"{detector.name}: {source}{idle_for}", needed=False)


def check_config(explicit: str | None) -> Check:
    """Which config files are read, whether they and the MICROBREAK_* overrides are valid."""
    from ..errors import ConfigError
    from ..paths import CONFIG_ENV, config_file, user_config_file
    from ..settings import config

    name = "config"
    path, named = config_file(explicit)
    try:
        loaded = config.load(explicit)
    except ConfigError as e:
        count = len(e.problems)
        detail = ngettext("{path}: {n} problem", "{path}: {n} problems", count).format(
            path=path, n=count
        )
        return Check(name, False, detail, "\n".join(e.problems))
    state = _("valid") if loaded.exists else _("no file, defaults")
    source = ""
    if named:
        source = " (--config)" if explicit else f" (${CONFIG_ENV})"
        default = user_config_file()
        if default != path and default.is_file():
            source += _("; {path} is not read").format(path=default)
    system = [str(p) for p in loaded.system_files]
    extra = _("; under system-wide {files}").format(files=", ".join(system)) if system else ""
    overrides = sorted(
        k for k in os.environ if k.upper().startswith("MICROBREAK_") and k.upper() != CONFIG_ENV
    )
    if overrides:
        extra += _("; overridden by {variables}").format(variables=", ".join(overrides))
    return Check(name, True, f"{path}{source}: {state}{extra}")


def _switches(explicit: str | None) -> tuple[bool, bool]:
    """The config's ``detect_idle`` and ``[do_not_disturb] desktop``; both True when the
    config cannot be read (its check says why)."""
    from ..settings import config

    try:
        settings = config.load(explicit).settings
    except Exception:  # reported by check_config
        return True, True
    return settings.detect_idle, settings.do_not_disturb.desktop


def check_autostart() -> Check:
    """Whether microbreak starts at login; off is a choice, not a fault."""
    from .autostart import describe_entry, status

    name = "autostart"
    found = status()
    entry = found.starting
    if entry is None:
        unlinked = next((e for e in found.entries if e.exists and e.ours), None)
        if unlinked is not None:  # a systemd unit nothing linked: it starts nothing at login
            line = describe_entry(unlinked, found.systemd_manager)  # it says how to enable it
            return Check(name, False, line, needed=False)
        foreign = [
            _("{path} (not written by microbreak)").format(path=e.path)
            for e in found.entries
            if e.exists
        ]
        seen = _("; found {files}").format(files=", ".join(foreign)) if foreign else ""
        detail = _("off (`microbreak autostart enable` starts it at login){seen}")
        return Check.fact(name, detail.format(seen=seen))
    where = {"kind": _(entry.label), "path": entry.path}
    if not entry.current:
        detail = _("enabled, but out of date: {kind}: {path}").format(**where)
        fix = N_("run `microbreak autostart enable` again")
        return Check(name, False, detail, fix, needed=False)
    return Check.fact(name, _("enabled: {kind}: {path}").format(**where))


def check_path(name: str, path: Path) -> Check:
    """Where a file lives, and whether microbreak can write there."""
    probe = next(p for p in (path, *path.parents) if p.exists() or p == p.parent)
    if not os.access(probe, os.W_OK):
        fix = _("make {path} writable for your user (or remove it so it can be created)").format(
            path=probe
        )
        detail = _("{path}: {folder} is not writable").format(path=path, folder=probe)
        return Check(name, False, detail, fix, needed=False)
    state = _("exists") if path.exists() else _("not created yet")
    return Check.fact(name, f"{path} ({state})")


def _safely(name: str, needed: bool, check: Callable[[], Check]) -> Check:
    """Run one check; an unexpected exception is a failed check, never a traceback."""
    try:
        return check()
    except Exception as e:  # a doctor that crashes is no help in a bug report
        detail = _("the check itself failed: {error}").format(error=first_line(e))
        fix = N_("please report this line in a bug report") if needed else None
        return Check(name, False, detail, fix, needed)


def collect(config: str | None) -> list[Check]:
    """Every check, in the order of the table. The names are marked for the catalog here: the
    table shows them translated, the JSON report in English."""
    from .. import paths

    wanted_idle, asked_dnd = _switches(config)
    checks: list[tuple[str, bool, Callable[[], Check]]] = [
        (N_("session bus"), True, check_bus),
        (N_("notification server"), True, check_notification_server),
        (N_("notification path"), True, check_notification_path),
        (N_("do not disturb"), False, lambda: check_do_not_disturb(asked=asked_dnd)),
        (N_("tray"), True, check_tray),
        (N_("GNOME breaks"), False, check_gnome_breaks),
        (N_("idle detection"), False, lambda: check_idle(wanted=wanted_idle)),
        (N_("config"), True, lambda: check_config(config)),
        (N_("autostart"), False, check_autostart),
        (N_("log dir"), False, lambda: check_path("log dir", paths.log_dir())),
        (N_("history file"), False, lambda: check_path("history file", paths.history_file())),
        (N_("state file"), False, lambda: check_path("state file", paths.state_file())),
    ]
    return [_safely(name, needed, check) for name, needed, check in checks]


def _platform() -> str:
    session = os.environ.get("XDG_SESSION_TYPE") or "?"
    desktop = os.environ.get("XDG_CURRENT_DESKTOP") or "?"
    python = platform.python_version()
    return f"{platform.platform()}, Python {python}, session {session}, desktop {desktop}"


def passed(checks: list[Check]) -> bool:
    """True when every needed check is ok."""
    return all(c.ok or not c.needed for c in checks)


def to_json(checks: list[Check]) -> str:
    """The report for a bug report: ``{"ok", "version", "platform", "checks": [...]}``."""
    data = {
        "ok": passed(checks),
        "version": __version__,
        "platform": _platform(),
        "checks": [
            {key: getattr(c, key) for key in ("name", "ok", "needed", "status", "detail", "fix")}
            for c in checks
        ],
    }
    return json.dumps(data, indent=2)


def render(checks: list[Check]) -> str:
    """An aligned plain-ASCII table, then one ``fix:`` line per failing check."""
    check, status, detail = _("check"), _("status"), _("detail")
    width = max(len(check), *(len(_(c.name)) for c in checks))
    wide = max(len(status), *(len(_(c.status)) for c in checks))
    rows = [f"microbreak {__version__} doctor: {_platform()}", ""]
    rows.append(f"{check:<{width}}  {status:<{wide}}  {detail}")
    rows.append(f"{'-' * width}  {'-' * wide}  {'-' * len(detail)}")
    rows += [f"{_(c.name):<{width}}  {_(c.status):<{wide}}  {_(c.detail)}" for c in checks]
    fixes = [
        _("fix: {check}: {line}").format(check=_(c.name), line=_(line))
        for c in checks
        if not c.ok and c.fix
        for line in c.fix.splitlines()
    ]
    if fixes:
        rows += ["", *fixes]
    failed = sum(1 for c in checks if c.needed and not c.ok)
    verdict = _("everything needed works")
    if failed:
        verdict = ngettext("{n} needed check failed", "{n} needed checks failed", failed).format(
            n=failed
        )
    rows += ["", verdict]
    return "\n".join(rows)


def run(*, as_json: bool, config: str | None) -> int:
    """``microbreak doctor [--json] [--config PATH]``: 0 when everything needed works, else 1.
    The JSON report is for bug reports, so it stays in English whatever the user's language."""
    with English() if as_json else contextlib.nullcontext():
        checks = collect(config)
    print(to_json(checks) if as_json else render(checks))
    return 0 if passed(checks) else 1
