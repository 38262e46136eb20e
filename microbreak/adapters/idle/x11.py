"""Idle time on X11 from the MIT-SCREEN-SAVER extension (what xprintidle reads).

The server counts milliseconds since the last real input event whatever its blanking timeout
is, so one request on an open connection answers (tens of microseconds locally). Under Wayland
this would be Xwayland's counter, which misses input to native Wayland windows: ``choose`` does
not use it there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from ...i18n import _
from ..presence.xserver import XServer, XUnavailable, is_x_protocol_error

log = logging.getLogger(__name__)

EXTENSION = "MIT-SCREEN-SAVER"


class X11Idle:
    """Reads ``screensaver_query_info(root).idle``; None while the display is unreachable."""

    name = "x11"

    def __init__(self, server: XServer, *, owns_server: bool = True) -> None:
        self.server = server
        self._owns_server = owns_server

    @classmethod
    def open(cls, env: Mapping[str, str] = os.environ) -> X11Idle | str:
        """A working detector for ``$DISPLAY``, or why there is none."""
        server = XServer.from_env(env)
        try:
            display = server.display()
            present = bool(display.has_extension(EXTENSION))
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
        """Seconds since the last keyboard or pointer input on this display."""
        with self.server.lock:
            try:
                root = self.server.display().screen().root
                return int(root.screensaver_query_info().idle) / 1000.0
            except XUnavailable:
                return None
            except Exception as e:  # connection closed, extension gone after a reconnect
                log.debug("X11 idle query failed: %s", e)
                if not is_x_protocol_error(e):
                    self.server.reset()
                return None

    def close(self) -> None:
        """Close the display connection if it is ours."""
        if self._owns_server:
            self.server.close()
