"""A user who travels: the daemon follows the system's time zone while it runs.

Working hours, ``pause --until`` and the times the status shows are local times; when the zone
changes (timedated replaces /etc/localtime), the running daemon takes the new one at its next
look at the clock (at most ``WATCH`` later, or at once for a status request). The scenario runs
the app on the fake clock; the end-to-end test moves a real daemon's /etc/localtime, in a mount
namespace of its own so that the machine's stays as it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .fakes import FakeClock
from .headless import headless_env, private_runtime_dir, running, status
from .test_scenarios import HOUR, Sim
from .test_scenarios_presence import BERLIN, OFFICE, local, monday

NEW_YORK = "America/New_York"


def test_a_flight_to_new_york_brings_new_yorks_working_hours() -> None:
    """Monday 20:00 in Berlin is after hours; the user lands where it is 14:00, inside them:
    reminders come, within WATCH of the change, and only in New York's 09:00-17:30."""
    berlin = FakeClock(tz=ZoneInfo(BERLIN))  # the system's zone, which the app starts with
    sim = Sim(seed=4, work=OFFICE, tz=BERLIN, start=monday(20), clock=berlin)
    assert sim.app.status_line().startswith("Outside working hours")
    sim.run(HOUR)
    assert sim.shown() == []
    sim.clock.tz = ZoneInfo(NEW_YORK)  # 15:00 there
    sim.run(2 * 24 * HOUR)
    shown = [local(t, NEW_YORK) for t in sim.shown()]
    assert shown and shown[0] - local(monday(21), NEW_YORK) <= timedelta(minutes=5 + 60)
    for t in shown:
        assert (9, 0) <= (t.hour, t.minute) < (17, 30), f"outside New York's hours: {t}"
    assert sim.app.tz == ZoneInfo(NEW_YORK)
    first_tuesday = min(t for t in shown if t.weekday() == 1)
    assert (first_tuesday.hour, first_tuesday.minute) == (9, 30)


def _can_mount_privately() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        return False
    done = subprocess.run([unshare, "-m", "true"], capture_output=True, timeout=10, check=False)
    return done.returncode == 0


@pytest.mark.skipif(
    not _can_mount_privately(), reason="needs root and unshare(1) for a private /etc"
)
def test_the_running_daemon_follows_a_new_etc_localtime(tmp_path: Path) -> None:
    """The daemon sees an /etc copy of its own (a private mount); timedated's way of setting a
    zone, a new symlink renamed over /etc/localtime, moves it from UTC to New York."""
    etc = tmp_path / "etc"
    shutil.copytree("/etc", etc, symlinks=True, ignore_dangling_symlinks=True)
    localtime = etc / "localtime"
    localtime.unlink(missing_ok=True)
    localtime.symlink_to("/usr/share/zoneinfo/Etc/UTC")
    mount = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc && exec "$@"', str(etc)]
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path / "home", runtime, {"MICROBREAK_MIN_INTERVAL": "30m"})
        env.pop("TZ", None)
        with running(env, prefix=mount) as d:
            before = status(env)["line"]
            assert before.startswith("Next break in "), before
            fresh = etc / "localtime.new"
            fresh.symlink_to("/usr/share/zoneinfo/America/New_York")
            fresh.replace(localtime)
            after = status(env)["line"]  # a status request looks at the clock: at once
            d.wait_log("the time zone is now America/New_York")
            assert not d.lines("/etc/timezone"), d.lines("/etc/timezone")  # tzlocal's noise
            due = before.rsplit("(", 1)[1].rstrip(")")
            hours, minutes = (int(part) for part in due.split(":"))
            shifted = (hours * 60 + minutes - _offset_minutes(NEW_YORK)) % (24 * 60)
            assert after.endswith(f"({shifted // 60:02d}:{shifted % 60:02d})"), (before, after)


def _offset_minutes(zone: str) -> int:
    """How many minutes ``zone`` is behind UTC now."""
    from datetime import datetime, timezone

    offset = datetime.now(timezone.utc).astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return -int(offset.total_seconds() // 60)
