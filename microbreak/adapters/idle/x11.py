"""Idle time on X11 from the MIT-SCREEN-SAVER extension (what xprintidle reads): the server
counts milliseconds since the last real input whatever its blanking timeout is."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ...i18n import _
from ..presence.xserver import XServer, XUnavailable

SCREEN_SAVER = "MIT-SCREEN-SAVER"


class X11Idle:
    name = "x11"

    def __init__(self, server: XServer) -> None:
        self.server = server

    @classmethod
    def open(cls, env: Mapping[str, str] = os.environ) -> X11Idle | str:
        """A working detector for ``$DISPLAY``, or why there is none."""
        server = XServer(env)
        try:
            present = server.opcode(SCREEN_SAVER) is not None
        except XUnavailable as e:
            return str(e)
        except Exception as e:  # a broken connection while asking
            server.close()
            return _("display {display} did not answer ({error})").format(
                display=server.name, error=e.__class__.__name__
            )
        if not present:
            server.close()
            return _("no X11 screen saver extension on {display}").format(display=server.name)
        detector = cls(server)
        if detector.idle_seconds() is None:
            detector.close()
            return _("the X11 screen saver extension on {display} did not answer").format(
                display=server.name
            )
        return detector

    def idle_seconds(self) -> float | None:
        return self.server.ask(_idle, "X11 idle query")

    def close(self) -> None:
        self.server.close()


def _idle(server: XServer) -> float:
    from Xlib.ext import screensaver

    reply = screensaver.QueryInfo(
        display=server.display(), opcode=server.opcode(SCREEN_SAVER), drawable=server.root()
    )
    return int(reply.idle) / 1000.0
