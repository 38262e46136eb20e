"""The local zone when TZ is a POSIX rule (``JST-9``), which tzlocal cannot read: the C
library's offset, said in the log, not UTC in silence."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SHOW = """
import logging
from datetime import datetime
from microbreak.adapters.clock import local_zone
logging.basicConfig(format="%(levelname)s: %(message)s")
print(datetime.now(local_zone()).utcoffset())
"""


@pytest.mark.parametrize(
    ("tz", "offset", "warned"),
    [("JST-9", "9:00:00", True), ("Asia/Tokyo", "9:00:00", False), ("UTC", "0:00:00", False)],
)
def test_a_posix_tz_rule_keeps_its_offset_and_is_said(tz: str, offset: str, warned: bool) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**os.environ, "TZ": tz},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == offset
    said = "WARNING: TZ=JST-9 is not a time zone name; using its offset now, UTC+0900"
    assert done.stderr.startswith(said) if warned else done.stderr == ""
