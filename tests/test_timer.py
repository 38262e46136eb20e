"""The real timer: it fires once per arming, late or not, and sleeps on the monotonic clock."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

from microbreak.adapters.timer import MonotonicTimer


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
    timer = MonotonicTimer()
    timer.start(calls)
    try:
        start = time.monotonic()
        timer.arm(now() + timedelta(seconds=0.3))
        assert calls.event.wait(5)
        assert calls.times[0] - start >= 0.25
        time.sleep(0.5)
        assert len(calls.times) == 1  # fired once, not again
    finally:
        timer.stop()


def test_rearming_replaces_the_pending_wakeup() -> None:
    calls = Calls()
    timer = MonotonicTimer()
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
    timer = MonotonicTimer()
    timer.arm(now() - timedelta(hours=2))  # armed before start, long "misfired"
    timer.start(calls)
    try:
        assert calls.event.wait(5)
    finally:
        timer.stop()


def test_a_wall_clock_set_back_does_not_make_it_oversleep() -> None:
    calls = Calls()
    # The app's wall clock reads an hour earlier than when it armed: the wait was fixed at
    # arming, on the monotonic clock, so the clock set back changes nothing.
    offset = [timedelta(0)]
    timer = MonotonicTimer(wall=lambda: now() + offset[0])
    timer.start(calls)
    try:
        start = time.monotonic()
        timer.arm(now() + timedelta(seconds=0.3))
        offset[0] = -timedelta(hours=1)
        assert calls.event.wait(5)
        assert 0.25 <= calls.times[0] - start < 2
        # Armed again an hour ahead, the thread sleeps: neither spinning nor firing twice.
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
    timer: MonotonicTimer

    def callback() -> None:
        fired.append(time.monotonic())
        if len(fired) < 10:
            timer.arm(now() + timedelta(seconds=0.02))
        else:
            done.set()

    timer = MonotonicTimer()
    timer.start(callback)
    try:
        timer.arm(now())
        assert done.wait(10), f"chain stopped after {len(fired)}"
    finally:
        timer.stop()


def test_nothing_fires_after_stop() -> None:
    calls = Calls()
    timer = MonotonicTimer()
    timer.start(calls)
    timer.arm(now() + timedelta(seconds=0.2))
    timer.stop()
    assert not calls.event.wait(0.6)


def test_one_thread_does_it_all() -> None:
    """Each wake-up wakes one thread: no executor thread, and no thread per arming."""
    before = set(threading.enumerate())
    calls = Calls()
    timer = MonotonicTimer()
    timer.start(calls)
    try:
        timer.arm(now() + timedelta(seconds=0.1))
        assert calls.event.wait(5)
        added = set(threading.enumerate()) - before
        assert len(added) == 1, added
    finally:
        timer.stop()


def test_arming_from_another_thread_while_the_callback_runs_does_not_deadlock() -> None:
    """The callback runs outside the timer's lock, so another thread can arm."""
    armed_elsewhere = threading.Event()
    fired: list[float] = []
    got_through: list[bool] = []
    timer: MonotonicTimer

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

    timer = MonotonicTimer()
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
    timer: MonotonicTimer

    def callback() -> None:
        in_callback.set()
        with app_lock:
            fired.append(time.monotonic())

    def command() -> None:
        with app_lock:
            assert in_callback.wait(5)
            time.sleep(0.1)  # let the callback reach the lock we hold
            timer.arm(now() + timedelta(seconds=0.1))

    timer = MonotonicTimer()
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


def test_stop_waits_for_a_running_callback_and_may_be_called_from_it() -> None:
    entered, finished = threading.Event(), threading.Event()
    timer: MonotonicTimer

    def callback() -> None:
        entered.set()
        time.sleep(0.2)
        timer.stop()  # from the timer's own thread: returns instead of joining itself
        finished.set()

    timer = MonotonicTimer()
    timer.start(callback)
    timer.arm(now())
    assert entered.wait(5)
    timer.stop()  # from another thread: waits for the callback
    assert finished.is_set()
