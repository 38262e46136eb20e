"""The real APScheduler timer: it fires once per arming, late or not, and its guard steps in."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

from microbreak.adapters.timer import SchedulerTimer


class Calls:
    def __init__(self) -> None:
        self.times: list[float] = []
        self.event = threading.Event()

    def __call__(self) -> None:
        self.times.append(time.monotonic())
        self.event.set()


def now() -> datetime:
    return datetime.now(timezone.utc)


def test_fires_once_at_the_armed_time() -> None:
    calls = Calls()
    timer = SchedulerTimer(calls)
    timer.start()
    try:
        start = time.monotonic()
        timer.arm(now() + timedelta(seconds=0.3))
        assert calls.event.wait(5)
        assert calls.times[0] - start >= 0.25
        time.sleep(0.5)
        assert len(calls.times) == 1  # neither APScheduler nor the guard fires it twice
    finally:
        timer.stop()


def test_rearming_replaces_the_pending_wakeup() -> None:
    calls = Calls()
    timer = SchedulerTimer(calls)
    timer.start()
    try:
        for _ in range(20):
            timer.arm(now() + timedelta(seconds=0.2))
        timer.arm(now() + timedelta(seconds=0.4))
        assert calls.event.wait(5)
        time.sleep(0.6)
        assert len(calls.times) == 1
    finally:
        timer.stop()


def test_a_time_in_the_past_fires_at_once_instead_of_being_dropped() -> None:
    calls = Calls()
    timer = SchedulerTimer(calls)
    timer.arm(now() - timedelta(hours=2))  # armed before start, long "misfired"
    timer.start()
    try:
        assert calls.event.wait(5)
    finally:
        timer.stop()


def test_guard_fires_when_the_wall_clock_went_back() -> None:
    calls = Calls()
    # The app's view of the wall clock is an hour ahead of the one APScheduler reads, which
    # is what APScheduler sees after someone set the clock back by an hour.
    timer = SchedulerTimer(calls, grace=0.2, wall=lambda: now() + timedelta(hours=1))
    timer.start()
    try:
        start = time.monotonic()
        timer.arm(now() + timedelta(hours=1, seconds=0.2))
        assert calls.event.wait(5), "the guard did not step in"
        assert 0.3 <= calls.times[0] - start < 3
    finally:
        timer.stop()


def test_a_chain_of_rearms_from_the_callback_never_breaks() -> None:
    fired = []
    done = threading.Event()
    timer: SchedulerTimer

    def callback() -> None:
        fired.append(time.monotonic())
        if len(fired) < 10:
            timer.arm(now() + timedelta(seconds=0.02))
        else:
            done.set()

    timer = SchedulerTimer(callback)
    timer.start()
    try:
        timer.arm(now())
        assert done.wait(10), f"chain stopped after {len(fired)}"
    finally:
        timer.stop()


def test_nothing_fires_after_stop() -> None:
    calls = Calls()
    timer = SchedulerTimer(calls, grace=0.1)
    timer.start()
    timer.arm(now() + timedelta(seconds=0.2))
    timer.stop()
    assert not calls.event.wait(0.6)
