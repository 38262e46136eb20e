"""One connection to the X server, opened when first needed and again after the server went away:
python-xlib speaks the X protocol itself, so each question is one request on an open connection.

We use its protocol layer, not ``Xlib.display.Display``: that one also imports and sets up a
module for each extension the server lists (14 on Xvfb), 1.2 to 1.4 MB more private memory in
the daemon for the same few requests (``bench/bench_where.py``, ``bench_side_by_side.py``).
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
#: The most 32-bit items read of a property: far more than a window's list of states.
PROPERTY_ITEMS = 1024


class XUnavailable(Exception):
    """No X connection right now; the message says why, in a few words."""


def connect(name: str | None) -> Any:
    """A connection to display ``name`` (None: ``$DISPLAY``); raises python-xlib's
    ``DisplayError`` or ``OSError`` when there is none, ``ImportError`` without python-xlib."""
    from Xlib.protocol import display

    class Connection(display.Display):  # type: ignore[misc]
        def get_resource_class(self, class_name: str, default: Any = None) -> Any:
            """Windows, atoms and colormaps as plain ids: we only pass them back."""
            return default

    return Connection(name)


class XServer:
    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        self.name = env.get("DISPLAY") or None
        self._display: Any = None
        self._atoms: dict[str, int] = {}
        self._opcodes: dict[str, int | None] = {}  # an extension's major opcode, None: absent
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
                conn = connect(self.name)
            except ImportError:
                raise XUnavailable(_("python-xlib is missing")) from None
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

    def root(self) -> int:
        """The root window of the display's default screen."""
        conn = self.display()
        return int(conn.info.roots[conn.default_screen].root)

    def atom(self, name: str) -> int:
        """The atom for ``name`` (interned once per connection)."""
        from Xlib.protocol import request

        with self._lock:
            if name not in self._atoms:
                reply = request.InternAtom(display=self.display(), name=name, only_if_exists=False)
                self._atoms[name] = int(reply.atom)
            return self._atoms[name]

    def opcode(self, extension: str) -> int | None:
        """The major opcode of ``extension``, or None when the server lacks it."""
        from Xlib.protocol import request

        with self._lock:
            if extension not in self._opcodes:
                reply = request.QueryExtension(display=self.display(), name=extension)
                self._opcodes[extension] = int(reply.major_opcode) if reply.present else None
            return self._opcodes[extension]

    def ids(self, window: int, name: str, kind: int) -> list[int]:
        """The 32-bit items of property ``name`` of ``window`` if it has type ``kind``
        (``Xlib.Xatom``); none when it is unset."""
        from Xlib.protocol import request

        reply = request.GetProperty(
            display=self.display(),
            delete=False,
            window=window,
            property=self.atom(name),
            type=kind,
            long_offset=0,
            long_length=PROPERTY_ITEMS,
        )
        if reply.property_type != kind:
            return []
        _format, items = reply.value
        return [int(item) for item in items]

    def ask(self, question: Callable[[XServer], T], what: str) -> T | None:
        """``question(self)``, or None when there is no display or it failed. An X error reply
        (BadWindow: the window just closed) keeps the connection; any other failure drops it."""
        with self._lock:
            try:
                return question(self)
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
            self._opcodes.clear()
            if conn is not None:
                try:
                    conn.close()
                except Exception as e:  # the socket may already be gone
                    log.debug("closing display %s: %s", self.name, e)
