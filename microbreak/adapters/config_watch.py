"""Notice edits to the config files at once, without polling: Linux inotify, via ctypes.

A thread blocks in ``read()`` on an inotify descriptor watching the directories that hold the
config files (editors save by writing a new file and renaming it over the old one, so watching
the file itself would lose track after the first save). Nothing wakes the daemon until a file
there changes. Where inotify is missing (macOS, Windows) ``start`` returns False and only
SIGHUP reloads.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import struct
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

IN_MODIFY = 0x002
IN_CLOSE_WRITE = 0x008
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_CLOEXEC = 0o2000000
MASK = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY
_EVENT = struct.Struct("iIII")
#: Editors write in several steps; wait this long after the first event before reloading.
SETTLE = 0.3


class ConfigWatch:
    """Calls ``on_change`` (from its own thread) soon after a watched file changes.

    A path whose name is ``*.toml`` stands for every TOML file in its directory.
    """

    def __init__(self, files: Iterable[Path], on_change: Callable[[], None]) -> None:
        self._files = [f.expanduser().absolute() for f in files]
        self._on_change = on_change
        self._fd: int | None = None
        self._names: dict[int, set[str]] = {}
        self._thread = threading.Thread(target=self._run, name="config-watch", daemon=True)

    def start(self) -> bool:
        """Start watching; False where inotify is not available."""
        libc_name = ctypes.util.find_library("c")
        if not libc_name:
            return False
        libc = ctypes.CDLL(libc_name, use_errno=True)
        if not hasattr(libc, "inotify_init1"):
            return False
        fd = libc.inotify_init1(IN_CLOEXEC)
        if fd < 0:
            log.warning("cannot watch the config files (inotify: errno %s)", ctypes.get_errno())
            return False
        by_dir: dict[Path, set[str]] = {}
        for file in self._files:
            by_dir.setdefault(file.parent, set()).add(file.name)
        for directory, names in by_dir.items():
            if not directory.is_dir():
                # The user dir may not exist yet: watch the nearest existing parent? Keep it
                # simple: `Open config file` creates it, and SIGHUP still reloads.
                continue
            wd = libc.inotify_add_watch(fd, os.fsencode(directory), MASK)
            if wd >= 0:
                self._names[wd] = names
        if not self._names:
            os.close(fd)
            return False
        self._fd = fd
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop watching (the blocked read ends when the descriptor closes)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _run(self) -> None:
        while self._fd is not None:
            try:
                data = os.read(self._fd, 64 * 1024)
            except OSError:
                return
            if not data or not self._relevant(data):
                continue
            time.sleep(SETTLE)  # one short settle after an edit, not a polling loop
            try:
                self._on_change()
            except Exception:
                log.exception("reloading the config failed")

    def _relevant(self, data: bytes) -> bool:
        offset = 0
        hit = False
        while offset + _EVENT.size <= len(data):
            wd, _mask, _cookie, length = _EVENT.unpack_from(data, offset)
            raw = data[offset + _EVENT.size : offset + _EVENT.size + length]
            name = raw.rstrip(b"\0").decode(errors="replace")
            names = self._names.get(wd, set())
            if name in names or ("*.toml" in names and name.endswith(".toml")):
                hit = True
            offset += _EVENT.size + length
        return hit
