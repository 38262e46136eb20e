"""Find out, before importing pystray, whether and how a tray icon can be shown.

``import pystray`` connects to the X server at import time, and its default xorg backend has no
menu. So we look first (a display, a StatusNotifier host, an XEmbed tray), pick the backends that
fit, best first, as every backend is chosen (``backends.py``), and say plainly what is missing.
The reasons are marked with ``N_`` and translated when made, once the daemon chose its language.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..i18n import N_, _
from . import backends
from .backends import FREEDESKTOP, Candidate
from .presence.xserver import connect

SNI_WATCHER = "org.kde.StatusNotifierWatcher"
OVERRIDE = "PYSTRAY_BACKEND"  # pystray's own variable: one name for both
GNOME_HINT = N_("on GNOME, install the AppIndicator and KStatusNotifierItem Support extension")


@dataclass(frozen=True, slots=True)
class Probe:
    """What the desktop offers for a tray icon."""

    display: bool
    sni_host: bool
    xembed_host: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Choice:
    """The pystray backends to try, best first; an empty list means run without a tray."""

    backends: tuple[str, ...]
    reason: str


def _sni_host() -> tuple[bool, str | None]:
    """Is a StatusNotifierWatcher registered on the session bus?"""
    from .presence.bus import Bus, BusError, NoGio, session_address

    if session_address(os.environ) is None and sys.platform.startswith("linux"):
        return False, _("no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set)")

    bus = Bus.session()
    try:
        return bus.has_owner(SNI_WATCHER), None
    except NoGio:
        return False, _("PyGObject (Gio) is missing, StatusNotifier hosts cannot be seen")
    except BusError as e:
        if e.unreachable:
            return False, _("the session bus cannot be reached")
        return False, _("the session bus did not answer ({error})").format(error=e)
    finally:
        bus.close()


def _xembed_host() -> tuple[bool, str | None]:
    """Does a window own the XEmbed system tray selection of the default screen?"""
    if not os.environ.get("DISPLAY"):
        return False, None
    try:
        from Xlib.protocol import request
    except ImportError:
        return False, _("python-xlib is missing, the XEmbed tray cannot be seen")
    try:
        conn = connect(None)
    except Exception as e:  # Xlib.error.DisplayError and connection errors
        return False, _("cannot open display {display} ({error})").format(
            display=os.environ.get("DISPLAY"), error=e
        )
    try:
        name = f"_NET_SYSTEM_TRAY_S{conn.default_screen}"
        atom = request.InternAtom(display=conn, name=name, only_if_exists=False).atom
        owner = request.GetSelectionOwner(display=conn, selection=atom).owner
        return int(owner) != 0, None  # 0: X.NONE
    finally:
        conn.close()


def probe() -> Probe:
    """Look at the desktop (Linux and other X11/Wayland systems)."""
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    sni, sni_note = _sni_host()
    xembed, x_note = _xembed_host()
    notes = tuple(n for n in (sni_note, x_note) if n)
    return Probe(has_display, sni, xembed, notes)


NO_GI = N_(
    "PyGObject is missing, so the tray icon has no menu; install python3-gi "
    "gir1.2-ayatanaappindicator3-0.1 (Debian/Ubuntu) and use the README's install command"
)
SNI_BUT_NO_GI = N_("a StatusNotifier host is running but {no_gi}")
NO_SNI = N_("no StatusNotifier host")
NO_XEMBED = N_("no XEmbed tray")

#: Why each backend was picked, said in the daemon's log and by ``doctor`` (translated there).
PICKED = {
    "appindicator": N_("StatusNotifier host found"),
    "gtk": N_("XEmbed system tray found"),
    "xorg": NO_GI,  # it shows an icon, without a menu
    "win32": N_("Windows notification area"),
    "darwin": N_("macOS menu bar"),
}


def candidates(found: Probe) -> tuple[Candidate[Literal[True]], ...]:
    """pystray's backends, best first; each opener says True where it fits, else why not."""
    gi = importlib.util.find_spec("gi") is not None

    def appindicator(_env: Mapping[str, str]) -> Literal[True] | str:
        if not found.sni_host:
            return _(NO_SNI)
        return True if gi else _(SNI_BUT_NO_GI).format(no_gi=_(NO_GI))

    def gtk(_env: Mapping[str, str]) -> Literal[True] | str:
        if not found.xembed_host:
            return _(NO_XEMBED)
        return True if gi else _(NO_GI)

    def xorg(_env: Mapping[str, str]) -> Literal[True] | str:
        return True if found.xembed_host else _(NO_XEMBED)

    return (
        Candidate("appindicator", appindicator, FREEDESKTOP),
        Candidate("gtk", gtk, FREEDESKTOP),
        Candidate("xorg", xorg, FREEDESKTOP),
        Candidate("win32", lambda _: True, ("win32",)),
        Candidate("darwin", lambda _: True, ("darwin",)),
    )


def choose(
    found: Probe | None = None, env: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> Choice:
    """Pick pystray backends for this desktop; ``PYSTRAY_BACKEND`` overrides, as in pystray."""
    free = platform.startswith(FREEDESKTOP)
    if found is None:  # elsewhere only an override tries the freedesktop backends
        found = probe() if free else Probe(True, False, False)
    if free and not found.display:
        return Choice((), _("no display ($DISPLAY and $WAYLAND_DISPLAY are not set)"))
    picked = backends.every("tray", candidates(found), env, platform, variable=OVERRIDE)
    names = tuple(name for name, _fits in picked.opened)
    override = env.get(OVERRIDE)
    if names:
        return Choice(names, f"{OVERRIDE}={override}" if override else _(PICKED[names[0]]))
    if override or not free:
        return Choice((), picked.why_none())
    if found.sni_host:
        return Choice((), _(SNI_BUT_NO_GI).format(no_gi=_(NO_GI)))
    detail = "; ".join(found.notes)
    none = _(
        "no system tray found: neither a StatusNotifier host nor an XEmbed tray is running ({hint})"
    ).format(hint=_(GNOME_HINT))
    return Choice((), none + ("; " + detail if detail else ""))
