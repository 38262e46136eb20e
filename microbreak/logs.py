"""Logging to stderr and to a rotating file in the user log dir."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from .paths import log_dir

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file. When it cannot be written (a full disk) it says so once on
    stderr, where the standard handler prints a traceback per line; again only after a line
    got through in between."""

    failing = False  # since the last line that got through
    failed = False  # the line being written

    def emit(self, record: logging.LogRecord) -> None:
        self.failed = False
        super().emit(record)  # calls handleError when the write fails
        if not self.failed:
            self.failing = False

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed = True
        if self.failing:
            return
        self.failing = True
        print(
            f"microbreak: WARNING: cannot write the log file {self.baseFilename} "
            f"({sys.exc_info()[1]}); logging to stderr only until it can",
            file=sys.stderr,
        )


def setup(verbose: bool, *, to_file: bool = True) -> None:
    """Send microbreak's logs to stderr and, with ``to_file``, ``<log dir>/microbreak.log``."""
    root = logging.getLogger("microbreak")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter("microbreak: %(levelname)s: %(message)s"))
    root.addHandler(stderr)
    if not to_file:
        return
    path = log_dir() / "microbreak.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = LogFile(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError as e:
        root.warning("cannot write the log file %s (%s); logging to stderr only", path, e)
        return
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.debug("log file: %s", path)
