"""Has the user silenced notifications (the desktop's own do-not-disturb)? A reminder then
would only pile up in a queue. GNOME's switch is a setting; KDE's and dunst's notification
servers each have a property for it."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from ...i18n import _
from ..gsettings import settings_with
from .bus import Bus, BusError

log = logging.getLogger(__name__)

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
GNOME_SCHEMA = "org.gnome.desktop.notifications"
GNOME_KEY = "show-banners"

#: (interface, property, reason when true), asked in this order.
SERVER_FLAGS = (
    ("org.dunstproject.cmd0", "paused", "notifications paused"),
    (NOTIFICATIONS, "Inhibited", "notifications inhibited (do not disturb)"),
)
_UNSUPPORTED = frozenset(
    f"org.freedesktop.DBus.Error.{name}"
    for name in (
        "InvalidArgs",
        "UnknownInterface",
        "UnknownProperty",
        "UnknownMethod",
        "NotSupported",
    )
)


def on_gnome(env: Mapping[str, str]) -> bool:
    """Whether ``$XDG_CURRENT_DESKTOP`` names GNOME (``ubuntu:GNOME`` counts): GNOME's setting
    outlives a GNOME session, and read on another desktop it could silence microbreak for good.
    """
    return "GNOME" in env.get("XDG_CURRENT_DESKTOP", "").upper().split(":")


class GnomeBanners:
    name = "gnome-dnd"

    def __init__(
        self, settings: Any = None, schema: str = GNOME_SCHEMA, key: str = GNOME_KEY
    ) -> None:
        self.schema = schema
        self.key = key
        self._settings = settings
        self._looked_up = settings is not None

    def reason(self) -> str | None:
        try:
            if not self._looked_up:
                self._looked_up = True  # once, even if looking fails
                self._settings = settings_with(self.schema, self.key)
            if self._settings is not None and not self._settings.get_boolean(self.key):
                return _("do not disturb is on")
        except Exception as e:  # GLib errors from a broken settings backend
            log.debug("GNOME do-not-disturb check failed: %s", e)
        return None

    def close(self) -> None:
        """Nothing to close."""


class NotificationServerDnd:
    name = "notification-server"

    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        self.bus = Bus.session(env)
        self._owner: str | None = None
        self._unsupported: set[str] = set()

    def reason(self) -> str | None:
        """The first flag set on the current server (asked of its unique name, so a missing
        server is never D-Bus-activated by us), else None."""
        try:
            owner = self.bus.owner(NOTIFICATIONS)
        except BusError as e:
            log.debug("notification server check: %s", e)
            return None
        if owner is None:
            return None
        if owner != self._owner:
            self._owner, self._unsupported = owner, set()
        for interface, prop, reason in SERVER_FLAGS:
            if interface in self._unsupported:
                continue
            try:
                value = self.bus.get_property(owner, NOTIFICATIONS_PATH, interface, prop)
            except BusError as e:
                if e.name in _UNSUPPORTED:
                    self._unsupported.add(interface)
                else:
                    log.debug("notification server check: %s", e)
                continue
            if bool(value):
                return reason
        return None

    def close(self) -> None:
        self.bus.close()
