"""Idle time from GNOME's compositor, Mutter, over the session bus: on GNOME under Wayland
nothing else knows about all input (Xwayland only sees what goes to X11 windows)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from ...i18n import _
from ..presence.bus import Bus, BusError

log = logging.getLogger(__name__)

SERVICE = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"


class GnomeIdle:
    name = "gnome"

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    @classmethod
    def open(cls, env: Mapping[str, str] = os.environ) -> GnomeIdle | str:
        """A working detector on the session bus, or why there is none."""
        bus = Bus.session(env)
        if bus.address is None:
            return _("no GNOME idle monitor (no D-Bus session bus)")
        try:
            running = bus.has_owner(SERVICE)
        except BusError as e:
            bus.close()
            if e.unreachable:
                return _("no GNOME idle monitor (the session bus cannot be reached)")
            return _("no GNOME idle monitor (the session bus did not answer)")
        detector = cls(bus)
        if not running or detector.idle_seconds() is None:
            detector.close()
            return _("no GNOME idle monitor")
        return detector

    def idle_seconds(self) -> float | None:
        try:
            return int(self.bus.call(SERVICE, PATH, SERVICE, "GetIdletime")) / 1000.0
        except (BusError, TypeError, ValueError) as e:
            log.debug("GNOME idle query failed: %s", e)
            return None

    def close(self) -> None:
        self.bus.close()
