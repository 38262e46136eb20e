"""Is the active window full-screen (a presentation, a video, a game)? Asked of the X server.

The window manager names the active window in the root's ``_NET_ACTIVE_WINDOW`` and marks a
full-screen one with ``_NET_WM_STATE_FULLSCREEN`` (EWMH); two property reads on an open
connection answer. Without an X display (pure Wayland) this cannot tell and says nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from ...i18n import N_, _
from .xserver import XServer, XUnavailable, is_x_protocol_error

log = logging.getLogger(__name__)

REASON = N_("a full-screen window")


class FullScreen:
    """The do-not-disturb check for a full-screen active window."""

    name = "fullscreen"

    def __init__(self, server: XServer, *, owns_server: bool = True) -> None:
        self.server = server
        self._owns_server = owns_server

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> FullScreen:
        """For the display named by ``$DISPLAY``."""
        return cls(XServer.from_env(env))

    def reason(self) -> str | None:
        """``"a full-screen window"`` or None (also when it cannot tell)."""
        server = self.server
        with server.lock:
            try:
                display = server.display()
                from Xlib import Xatom

                root = display.screen().root
                active = root.get_full_property(server.atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW)
                if active is None or len(active.value) == 0 or int(active.value[0]) == 0:
                    return None
                window = display.create_resource_object("window", int(active.value[0]))
                state = window.get_full_property(server.atom("_NET_WM_STATE"), Xatom.ATOM)
                full = server.atom("_NET_WM_STATE_FULLSCREEN")
                if state is not None and full in (int(a) for a in state.value):
                    return _(REASON)
                return None
            except XUnavailable:
                return None
            except Exception as e:  # BadWindow (the window just closed), a lost connection
                log.debug("full-screen check failed: %s", e)
                if not is_x_protocol_error(e):
                    server.reset()
                return None

    def close(self) -> None:
        """Close the display connection if it is ours."""
        if self._owns_server:
            self.server.close()
