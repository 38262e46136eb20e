"""One connection to the X server, opened when first needed and again after the server went away.

python-xlib speaks the X protocol itself (no subprocess, no libX11), so a question such as "how
long since the last input" is one request on a connection we keep open. The idle and full-screen
detectors can share one ``XServer``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

from ...i18n import _

log = logging.getLogger(__name__)

#: After a failed connect, wait this long before trying again.
RETRY_AFTER = 30.0


class XUnavailable(Exception):
    """No X connection right now; the message says why, in a few words."""


class XServer:
    """A lazily opened python-xlib ``Display`` for one display name."""

    def __init__(self, name: str | None, retry_after: float = RETRY_AFTER) -> None:
        self.name = name or None
        self.retry_after = retry_after
        self._display: Any = None
        self._atoms: dict[str, int] = {}
        self._failed_at: float | None = None
        self.lock = threading.RLock()

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> XServer:
        """The display named by ``$DISPLAY`` (none if unset)."""
        return cls(env.get("DISPLAY"))

    def display(self) -> Any:
        """The open connection; raises ``XUnavailable`` when there is none."""
        with self.lock:
            if self._display is not None:
                return self._display
            if self.name is None:
                raise XUnavailable(_("no X display ($DISPLAY is not set)"))
            if (
                self._failed_at is not None
                and time.monotonic() - self._failed_at < self.retry_after
            ):
                raise XUnavailable(
                    _("display {display} was unreachable a moment ago").format(display=self.name)
                )
            try:
                from Xlib import display
            except ImportError:
                raise XUnavailable(_("python-xlib is missing")) from None
            try:
                conn = display.Display(self.name)
            except Exception as e:  # Xlib.error.DisplayError, OSError
                self._failed_at = time.monotonic()
                log.debug("cannot open display %s: %s", self.name, e)
                raise XUnavailable(
                    _("cannot open display {display}").format(display=self.name)
                ) from e
            # Errors of requests without a reply would otherwise be printed to stderr.
            conn.set_error_handler(lambda *_args: None)
            self._failed_at = None
            self._display = conn
            return conn

    def atom(self, name: str) -> int:
        """The atom for ``name`` (interned once per connection)."""
        with self.lock:
            if name not in self._atoms:
                self._atoms[name] = int(self.display().intern_atom(name))
            return self._atoms[name]

    def reset(self) -> None:
        """Drop the connection after an error; the next use reconnects."""
        with self.lock:
            conn, self._display = self._display, None
            self._atoms.clear()
            if conn is not None:
                try:
                    conn.close()
                except Exception as e:  # the socket may already be gone
                    log.debug("closing display %s: %s", self.name, e)

    def close(self) -> None:
        """Close the connection."""
        self.reset()


def is_x_protocol_error(error: BaseException) -> bool:
    """True for an X error reply (BadWindow...): the connection itself is still fine."""
    try:
        from Xlib.error import XError
    except ImportError:
        return False
    return isinstance(error, XError)
