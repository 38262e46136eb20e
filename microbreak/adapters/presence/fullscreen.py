"""Is the active window full-screen (a presentation, a video, a game)? Asked of the X server
through EWMH properties; without an X display (pure Wayland) this cannot tell."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ...i18n import N_, _
from .xserver import XServer

REASON = N_("a full-screen window")


class FullScreen:
    name = "fullscreen"

    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        self.server = XServer(env)

    def reason(self) -> str | None:
        return _(REASON) if self.server.ask(self._full, "full-screen check") else None

    @staticmethod
    def _full(server: XServer) -> bool:
        from Xlib import Xatom

        active = server.ids(server.root(), "_NET_ACTIVE_WINDOW", Xatom.WINDOW)
        if not active or active[0] == 0:
            return False
        state = server.ids(active[0], "_NET_WM_STATE", Xatom.ATOM)
        return server.atom("_NET_WM_STATE_FULLSCREEN") in state

    def close(self) -> None:
        self.server.close()
