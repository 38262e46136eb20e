"""One connection to the X server, opened when first needed and again after the server went away:
python-xlib speaks the X protocol itself, so each question is one request on an open connection.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ...i18n import _

log = logging.getLogger(__name__)

T = TypeVar("T")

#: After a failed connect, wait this long before trying again.
RETRY_AFTER = 30.0


class XUnavailable(Exception):
    """No X connection right now; the message says why, in a few words."""


class XServer:
    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        self.name = env.get("DISPLAY") or None
        self._display: Any = None
        self._atoms: dict[str, int] = {}
        self._failed_at = -math.inf  # the last failed connect
        self._lock = threading.RLock()

    def display(self) -> Any:
        """The open connection; raises ``XUnavailable`` when there is none."""
        with self._lock:
            if self._display is not None:
                return self._display
            if self.name is None:
                raise XUnavailable(_("no X display ($DISPLAY is not set)"))
            if time.monotonic() - self._failed_at < RETRY_AFTER:
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
            self._display = conn
            return conn

    def atom(self, name: str) -> int:
        """The atom for ``name`` (interned once per connection)."""
        with self._lock:
            if name not in self._atoms:
                self._atoms[name] = int(self.display().intern_atom(name))
            return self._atoms[name]

    def ask(self, question: Callable[[Any], T], what: str) -> T | None:
        """``question(display)``, or None when there is no display or it failed. An X error reply
        (BadWindow: the window just closed) keeps the connection; any other failure drops it."""
        with self._lock:
            try:
                return question(self.display())
            except XUnavailable:
                return None
            except Exception as e:
                log.debug("%s failed: %s", what, e)
                from Xlib.error import XError

                if not isinstance(e, XError):
                    self.close()
                return None

    def close(self) -> None:
        with self._lock:
            conn, self._display = self._display, None
            self._atoms.clear()
            if conn is not None:
                try:
                    conn.close()
                except Exception as e:  # the socket may already be gone
                    log.debug("closing display %s: %s", self.name, e)
