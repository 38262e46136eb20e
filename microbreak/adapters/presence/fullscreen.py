"""Is the active window full-screen (a presentation, a video, a game)? Asked of the X server
through EWMH properties; without an X display (pure Wayland) this cannot tell."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ...i18n import N_, _
from .xserver import XServer

REASON = N_("a full-screen window")


class FullScreen:
    name = "fullscreen"

    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        self.server = XServer(env)

    def reason(self) -> str | None:
        return _(REASON) if self.server.ask(self._full, "full-screen check") else None

    def _full(self, display: Any) -> bool:
        from Xlib import Xatom

        atom = self.server.atom
        active = display.screen().root.get_full_property(atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW)
        if active is None or len(active.value) == 0 or int(active.value[0]) == 0:
            return False
        window = display.create_resource_object("window", int(active.value[0]))
        state = window.get_full_property(atom("_NET_WM_STATE"), Xatom.ATOM)
        return state is not None and atom("_NET_WM_STATE_FULLSCREEN") in map(int, state.value)

    def close(self) -> None:
        self.server.close()
