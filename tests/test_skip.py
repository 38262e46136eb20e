"""``microbreak skip``: only a reminder that was shown can be skipped; without one it reschedules.

The stats count a skip only for a reminder the user saw. ``skip`` with nothing on screen moves
the pending reminder and is recorded as RESCHEDULED; history files from before that kind hold it
as a SKIPPED event without an exercise, which the stats leave out too. Checked in the pure
planner, in the real App with a real history file and a fake clock, and through the real CLI
against a headless daemon.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from microbreak.adapters.storage.history import connect_readonly, fold
from microbreak.adapters.storage.journal import EventJournal, pending_path
from microbreak.core.events import EventKind
from microbreak.core.planner import Planner, Policy
from microbreak.core.rotation import Rotation, Selection
from microbreak.usecases import stats

from .cli_run import clean_env
from .fakes import START, write_history
from .headless import cli, headless_env, history_file, private_runtime_dir, running
from .test_scenarios import MIN, Sim
from .test_scenarios_presence import FakeDnd

K = EventKind
UTC = timezone.utc
RESCHEDULED = "No reminder on screen to skip; rescheduled the next break"


def kinds(path: Path) -> list[tuple[EventKind, str | None]]:
    """The events in the history at ``path``, once the pending ones are folded in."""
    fold(path)
    conn = connect_readonly(path)
    try:
        rows = conn.execute("SELECT kind, exercise FROM events ORDER BY at, id").fetchall()
    finally:
        conn.close()
    return [(EventKind(kind), exercise) for kind, exercise in rows]


def totals(path: Path, now: datetime) -> stats.Counts:
    return stats.compute(path, days=7, goal=1, now=now, tz=UTC).totals


# -- the planner -------------------------------------------------------------------------------


def test_skip_of_a_held_reminder_ends_the_hold() -> None:
    rng = random.Random(1)
    planner = Planner(Policy(), Rotation(Selection().allowed(), rng), rng, UTC)
    planner.start(START)
    due = planner.due
    assert due is not None
    assert planner.tick(due, hold="camera in use") is None
    assert planner.skip(due) is None  # nothing was shown: nothing skipped
    later = due + planner.policy.max_postpone + timedelta(minutes=1)
    # Before, the hold outlived the reminder: "Holding: camera in use", and once max_postpone
    # had passed, a wake-up in the past, over and over until the new due time.
    assert planner.status(later).held is None
    wake = planner.next_wakeup(later)
    assert wake is not None and wake > later
    assert planner.due is not None and planner.due - due >= planner.policy.min_interval


# -- the app, in process, with a real history file ----------------------------------------------


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite"


@pytest.fixture
def history(path: Path) -> Iterator[EventJournal]:
    """The history as the daemon writes it: events pending for ``path``."""
    journal = EventJournal(pending_path(path))
    yield journal
    journal.close()


def sim_with(history: EventJournal, **kwargs: Any) -> Sim:
    return Sim(history=history, **kwargs)


def test_skip_with_nothing_shown_reschedules_and_is_no_skip(
    history: EventJournal, path: Path
) -> None:
    sim = sim_with(history, seed=1)
    sim.run(10 * 60)
    before = sim.app.planner.due
    assert before is not None
    assert sim.app.skip() == RESCHEDULED
    due = sim.app.planner.due
    assert due is not None and due >= sim.clock.now + MIN and due != before
    assert kinds(path) == [(K.STARTED, None), (K.RESCHEDULED, None)]
    counted = totals(path, sim.clock.now)
    assert (counted.reminders, counted.skipped, counted.compliance) == (0, 0, None)


def test_skip_of_the_reminder_shown_is_a_skip(history: EventJournal, path: Path) -> None:
    sim = sim_with(history, seed=2)
    sim.app.break_now()
    name = sim.app.unanswered()
    assert name is not None
    assert sim.app.skip() == f"Skipped {name}"
    (shown,) = [e for k, e in kinds(path) if k is K.SHOWN]
    assert kinds(path)[-1] == (K.SKIPPED, shown)
    # Once answered, a second skip has nothing on screen to skip.
    assert sim.app.skip() == RESCHEDULED
    counted = totals(path, sim.clock.now)
    assert (counted.reminders, counted.skipped, counted.compliance) == (1, 1, 0)


def test_snooze_with_nothing_on_screen_reschedules_and_is_no_snooze(
    history: EventJournal, path: Path
) -> None:
    sim = sim_with(history, seed=4)
    sim.app.break_now()
    sim.app.done()  # answered: nothing on screen any more
    sim.app.snooze(timedelta(minutes=15))
    assert [k for k, _ in kinds(path)][-2:] == [K.DONE, K.RESCHEDULED]
    assert kinds(path)[-1] == (K.RESCHEDULED, None)
    sim.app.break_now()
    sim.app.snooze(timedelta(minutes=5))  # the reminder on screen: a snooze of it
    shown = [e for k, e in kinds(path) if k is K.SHOWN][-1]
    assert kinds(path)[-1] == (K.SNOOZED, shown)
    counted = totals(path, sim.clock.now)
    assert (counted.reminders, counted.done, counted.snoozed) == (2, 1, 1)


def test_skip_of_a_snoozed_reminder_still_skips_it(history: EventJournal, path: Path) -> None:
    sim = sim_with(history, seed=3)
    sim.app.break_now()
    name = sim.app.unanswered()
    sim.app.snooze(timedelta(minutes=5))  # the same exercise comes back in 5 min
    assert sim.app.skip() == f"Skipped {name}"
    sim.run(10 * 60)
    assert len(sim.shown()) == 1  # the snoozed repeat went with it
    assert totals(path, sim.clock.now).skipped == 1


def test_skip_outside_working_hours_records_nothing(history: EventJournal, path: Path) -> None:
    office = [("09:00-17:30",)] * 5 + [(), ()]
    evening = datetime(2026, 11, 23, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    sim = sim_with(history, seed=4, work=office, tz="Europe/Berlin", start=evening)
    assert sim.app.skip() == "No reminder on screen to skip"
    assert kinds(path) == [(K.STARTED, None)]
    assert sim.app.status_line().startswith("Outside working hours")


def test_skip_of_a_held_reminder_reschedules_it(history: EventJournal, path: Path) -> None:
    dnd = FakeDnd()
    sim = Sim(seed=5, history=history, dnd=dnd)
    due = sim.app.planner.due
    assert due is not None
    dnd.why = "camera in use"
    sim.run((due - sim.clock.now).total_seconds() + 60)
    assert sim.app.status_line() == "Holding: camera in use"
    assert sim.app.skip() == RESCHEDULED
    assert sim.app.status_line().startswith("Next break in ")
    # Past max_postpone of the dropped hold, the timer still sleeps until something is due.
    sim.clock.advance(sim.app.planner.policy.max_postpone.total_seconds())
    sim.app.wake()
    assert sim.timer.armed is not None and sim.timer.armed > sim.clock.now
    assert kinds(path)[-1] == (K.RESCHEDULED, None)
    assert totals(path, sim.clock.now).skipped == 0


# -- history files written before RESCHEDULED ----------------------------------------------------


def old_history(path: Path, at: datetime, *, with_old_skips: bool) -> Path:
    """Two days of reminders; ``with_old_skips`` adds `skip` with nothing shown, recorded the
    old way (SKIPPED without an exercise), on both days."""
    rows: list[tuple[timedelta, EventKind, str | None]] = [
        (timedelta(days=-1), K.SHOWN, "shoulder-rolls"),
        (timedelta(days=-1, minutes=1), K.DONE, "shoulder-rolls"),
        (timedelta(minutes=-50), K.SHOWN, "neck-tilt"),
        (timedelta(minutes=-49), K.SKIPPED, "neck-tilt"),
        (timedelta(minutes=-20), K.SHOWN, "high-reach-stretch"),
        (timedelta(minutes=-19), K.DONE, "high-reach-stretch"),
    ]
    if with_old_skips:
        rows += [
            (timedelta(days=-1, minutes=5), K.SKIPPED, None),
            (timedelta(minutes=-40), K.SKIPPED, None),
            (timedelta(minutes=-10), K.SKIPPED, None),
        ]
    events = [(kind, at + offset, exercise, None) for offset, kind, exercise in rows]
    return write_history(path, sorted(events, key=lambda e: e[1]))


def test_old_skips_with_nothing_shown_are_not_counted(tmp_path: Path) -> None:
    now = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    old = old_history(tmp_path / "old.sqlite", now, with_old_skips=True)
    clean = old_history(tmp_path / "clean.sqlite", now, with_old_skips=False)
    got = stats.compute(old, days=3, goal=1, now=now, tz=UTC)
    want = stats.compute(clean, days=3, goal=1, now=now, tz=UTC)
    assert got == want  # table, JSON, chart, compliance and streak come from these
    assert [d.skipped for d in got.days] == [0, 0, 1]
    assert (got.totals.skipped, got.totals.compliance, got.streak) == (1, 67, 2)
    assert stats.to_json(got) == stats.to_json(want)
    assert stats.render_table(got) == stats.render_table(want)


def test_rescheduled_events_count_nowhere(tmp_path: Path) -> None:
    now = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    path = old_history(tmp_path / "h.sqlite", now, with_old_skips=False)
    before = stats.compute(path, days=3, goal=1, now=now, tz=UTC)
    later = [(K.RESCHEDULED, now + timedelta(minutes=m), None, None) for m in (-45, -30, -5)]
    write_history(path, later)
    assert stats.compute(path, days=3, goal=1, now=now, tz=UTC) == before


# -- the real CLI ----------------------------------------------------------------------------------


def stats_json(env: dict[str, str]) -> dict[str, Any]:
    result = cli(env, "stats", "--json")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_skip_through_the_cli_against_a_headless_daemon(tmp_path: Path) -> None:
    with private_runtime_dir() as runtime:
        env = headless_env(tmp_path, runtime)
        with running(env) as daemon:
            result = cli(env, "skip")
            assert result.returncode == 0, result.stderr
            assert result.stdout.startswith(f"{RESCHEDULED}. Next break in "), result.stdout
            daemon.wait_log("no reminder on screen to skip; rescheduled the next break; Next")
            assert stats_json(env)["totals"]["skipped"] == 0

            assert cli(env, "now").returncode == 0
            name = daemon.wait_log("reminder: Microbreak: ").split("Microbreak: ", 1)[1]
            skipped = cli(env, "skip")
            assert skipped.returncode == 0, skipped.stderr
            assert skipped.stdout.startswith(f"Skipped {name}. Next break in "), skipped.stdout
            daemon.wait_log(f"skipped {name}; Next break in ")
            totals = stats_json(env)["totals"]
            assert (totals["reminders"], totals["skipped"], totals["compliance"]) == (1, 1, 0)
    recorded = [(k, e) for k, e in kinds(history_file(env)) if k in (K.SKIPPED, K.RESCHEDULED)]
    assert [k for k, _ in recorded] == [K.RESCHEDULED, K.SKIPPED]
    assert recorded[1][1] is not None


def test_cli_stats_on_a_history_file_with_old_skips(tmp_path: Path) -> None:
    """Same events but for the old-style skips: the same output, table and JSON alike."""
    now = datetime.now(UTC)
    outputs = []
    for with_old_skips in (True, False):
        home = tmp_path / str(with_old_skips)
        env = clean_env(home, {"TZ": "UTC"})
        path = history_file(env)
        path.parent.mkdir(parents=True)
        old_history(path, now, with_old_skips=with_old_skips)
        table = cli(env, "stats", "--days", "3")
        document = cli(env, "stats", "--days", "3", "--json")
        assert table.returncode == document.returncode == 0, (table.stderr, document.stderr)
        data = json.loads(document.stdout)
        del data["generated_at"]
        outputs.append((table.stdout, data))
    assert outputs[0] == outputs[1]
    assert outputs[0][1]["totals"]["skipped"] == 1
