"""The log file on a full disk: one line on stderr, not a traceback per record."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import pytest

from microbreak.logs import LogFile


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_log_file_that_cannot_be_written_says_so_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = logging.getLogger("test.logs.full")
    log.propagate = False
    handler = LogFile(tmp_path / "log", maxBytes=1_000_000, backupCount=1)
    log.addHandler(handler)
    good = handler.stream
    full = Path("/dev/full").open("a", encoding="utf-8")  # noqa: SIM115 (closed below)
    try:
        handler.stream = full
        for n in range(5):
            log.warning("lost %d", n)
        assert capsys.readouterr().err.splitlines() == [
            f"microbreak: WARNING: cannot write the log file {tmp_path / 'log'} ([Errno 28] No "
            "space left on device); logging to stderr only until it can"
        ]
        # A line that gets through ends the run of failures: the next failure is said again.
        handler.stream = good
        log.warning("written")
        handler.stream = full
        log.warning("lost again")
        assert len(capsys.readouterr().err.splitlines()) == 1
    finally:
        log.removeHandler(handler)
        handler.stream = good
        handler.close()
        with contextlib.suppress(OSError):  # what it still buffers cannot be flushed
            full.close()
    assert (tmp_path / "log").read_text(encoding="utf-8") == "written\n"
