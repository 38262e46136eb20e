"""Is a camera in use (a video call)? Linux has no "camera busy" flag, but every open file is
a symlink in ``/proc/<pid>/fd``: other users' processes cannot be read, our own never counts."""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from collections.abc import Collection, Iterator
from pathlib import Path

from ...i18n import _

log = logging.getLogger(__name__)

DEVICES = "/dev/video*"
PROC = "/proc"


def holders(
    pattern: str, proc_root: str | os.PathLike[str] = PROC, exclude: Collection[int] = ()
) -> Iterator[tuple[int, str]]:
    """(pid, target) for each process with an open file matching ``pattern`` (its first)."""
    match = re.compile(fnmatch.translate(pattern)).match
    try:
        entries = list(os.scandir(proc_root))
    except OSError as e:
        log.debug("cannot list %s: %s", proc_root, e)
        return
    for entry in entries:
        if not entry.name.isdigit() or int(entry.name) in exclude:
            continue
        fd_dir = os.path.join(entry.path, "fd")
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # another user's process, or it just exited
            continue
        for fd in fds:
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if match(target):
                yield int(entry.name), target
                break


class CameraInUse:
    name = "camera"

    def __init__(
        self,
        pattern: str = DEVICES,
        proc_root: str | os.PathLike[str] = PROC,
        own_pid: int | None = None,
    ) -> None:
        self.pattern = pattern
        self.proc_root = proc_root
        self.own_pid = own_pid

    def reason(self) -> str | None:
        try:
            own = os.getpid() if self.own_pid is None else self.own_pid
            for pid, _target in holders(self.pattern, self.proc_root, (own,)):
                try:
                    name = (Path(self.proc_root) / str(pid) / "comm").read_text().strip() or "?"
                except OSError:
                    name = "?"
                return _("camera in use (by PID {pid} / {name})").format(pid=pid, name=name)
        except Exception as e:  # never let a scan problem stop the daemon
            log.debug("camera check failed: %s", e)
        return None

    def close(self) -> None:
        """Nothing to close."""
