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
    timer = SchedulerTimer()
    timer.start(calls)
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
    timer = SchedulerTimer()
    timer.start(calls)
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
    timer = SchedulerTimer()
    timer.arm(now() - timedelta(hours=2))  # armed before start, long "misfired"
    timer.start(calls)
    try:
        assert calls.event.wait(5)
    finally:
        timer.stop()


def test_guard_fires_when_the_wall_clock_went_back() -> None:
    calls = Calls()
    # The app's view of the wall clock is an hour ahead of the one APScheduler reads, which
    # is what APScheduler sees after someone set the clock back by an hour.
    timer = SchedulerTimer(grace=0.2, wall=lambda: now() + timedelta(hours=1))
    timer.start(calls)
    try:
        start = time.monotonic()
        timer.arm(now() + timedelta(hours=1, seconds=0.2))
        assert calls.event.wait(5), "the guard did not step in"
        assert 0.3 <= calls.times[0] - start < 3
        # Armed again an hour ahead, the thread sleeps: neither spinning on a passed guard nor
        # firing twice.
        timer.arm(now() + timedelta(hours=2))
        cpu = time.process_time()
        time.sleep(0.5)
        assert time.process_time() - cpu < 0.2
        assert len(calls.times) == 1
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

    timer = SchedulerTimer()
    timer.start(callback)
    try:
        timer.arm(now())
        assert done.wait(10), f"chain stopped after {len(fired)}"
    finally:
        timer.stop()


def test_nothing_fires_after_stop() -> None:
    calls = Calls()
    timer = SchedulerTimer(grace=0.1)
    timer.start(calls)
    timer.arm(now() + timedelta(seconds=0.2))
    timer.stop()
    assert not calls.event.wait(0.6)


def test_one_thread_does_it_all() -> None:
    """Each wake-up wakes one thread: no executor thread, no guard thread."""
    before = set(threading.enumerate())
    calls = Calls()
    timer = SchedulerTimer()
    timer.start(calls)
    try:
        timer.arm(now() + timedelta(seconds=0.1))
        assert calls.event.wait(5)
        added = set(threading.enumerate()) - before
        assert len(added) == 1, added
    finally:
        timer.stop()


def test_arming_from_another_thread_while_the_callback_runs_does_not_deadlock() -> None:
    """The callback runs outside APScheduler's job-store lock, so another thread can arm."""
    armed_elsewhere = threading.Event()
    fired: list[float] = []
    got_through: list[bool] = []
    timer: SchedulerTimer

    def other() -> None:
        timer.arm(now() + timedelta(seconds=0.1))
        armed_elsewhere.set()

    def callback() -> None:
        fired.append(time.monotonic())
        if len(fired) == 1:
            helper = threading.Thread(target=other)
            helper.start()
            # The control thread's arm() must get through while this callback is still running.
            got_through.append(armed_elsewhere.wait(5))
            helper.join(5)

    timer = SchedulerTimer()
    timer.start(callback)
    try:
        timer.arm(now())
        deadline = time.monotonic() + 5
        while len(fired) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert got_through == [True]  # (an exception raised in the callback would be logged)
        assert len(fired) == 2  # and the arming made from the other thread fired too
    finally:
        timer.stop()


def test_a_command_arming_under_the_app_lock_while_the_callback_waits_for_it() -> None:
    """What App does: the callback takes the app's lock; a control command arms holding it."""
    app_lock = threading.Lock()
    in_callback = threading.Event()
    fired: list[float] = []
    timer: SchedulerTimer

    def callback() -> None:
        in_callback.set()
        with app_lock:
            fired.append(time.monotonic())

    def command() -> None:
        with app_lock:
            assert in_callback.wait(5)
            time.sleep(0.1)  # let the callback reach the lock we hold
            timer.arm(now() + timedelta(seconds=0.1))

    timer = SchedulerTimer()
    timer.start(callback)
    commander = threading.Thread(target=command, daemon=True)
    commander.start()
    timer.arm(now())
    commander.join(5)
    assert not commander.is_alive(), "deadlock: arm() waited for the thread in the callback"
    try:
        deadline = time.monotonic() + 5
        while len(fired) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(fired) == 2
    finally:
        timer.stop()
