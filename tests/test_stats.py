"""``microbreak stats``: local days across DST and midnight, compliance, streaks, pauses, output."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.bench_stats import generate
from microbreak.adapters.storage.history import History
from microbreak.adapters.storage.journal import event_row
from microbreak.core.events import EventKind
from microbreak.core.exercises import CATALOG
from microbreak.errors import EXIT_FAILURE
from microbreak.usecases import stats

from .fakes import write_history

BERLIN = ZoneInfo("Europe/Berlin")
K = EventKind


def local(text: str) -> datetime:
    """A Berlin wall-clock time, e.g. ``"2026-03-29 03:30"`` (CEST that day)."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def make(
    path: Path,
    events: list[tuple[str, EventKind] | tuple[str, EventKind, str | None, float | None]],
) -> Path:
    """Write a hand-made history: (local time, kind[, exercise, seconds])."""
    rows = []
    for event in events:
        at, kind = event[0], event[1]
        exercise, seconds = (event[2], event[3]) if len(event) == 4 else (None, None)
        rows.append((kind, local(at), exercise, seconds))
    return write_history(path, rows)


def day(result: stats.Stats, when: str) -> stats.Day:
    (found,) = [d for d in result.days if d.date == date.fromisoformat(when)]
    return found


# -- per-day numbers -----------------------------------------------------------------------------


def test_days_are_local_across_the_spring_dst_change_and_midnight(tmp_path: Path) -> None:
    # 29 March 2026: Berlin skips 02:00-03:00 (CET +1 to CEST +2); that day has 23 hours.
    path = make(
        tmp_path / "h.sqlite",
        [
            ("2026-03-28 23:30", K.PAUSED, None, None),
            ("2026-03-28 23:59", K.SHOWN, "shoulder-rolls", None),  # 22:59 UTC
            ("2026-03-29 00:01", K.SHOWN, "neck-stretch", None),  # 23:01 UTC on the 28th
            ("2026-03-29 00:02", K.DONE, "neck-stretch", None),
            ("2026-03-29 03:30", K.RESUMED),  # 3 hours after the pause: 30 min + 2 h 30 min
            ("2026-03-29 23:30", K.SHOWN, "shoulder-rolls", None),
            ("2026-03-29 23:31", K.SKIPPED, "shoulder-rolls", None),
            ("2026-03-30 00:30", K.SHOWN, "high-reach", None),  # 22:30 UTC on the 29th
            ("2026-03-30 00:31", K.SNOOZED, None, 600.0),
            ("2026-03-30 08:00", K.NATURAL_BREAK, None, 900.0),
        ],
    )
    result = stats.compute(path, days=3, goal=1, now=local("2026-03-30 12:00"), tz=BERLIN)
    assert [d.date.isoformat() for d in result.days] == ["2026-03-28", "2026-03-29", "2026-03-30"]
    first, second, third = result.days
    assert (first.reminders, first.done, first.skipped, first.snoozed) == (1, 0, 0, 0)
    assert (second.reminders, second.done, second.skipped, second.snoozed) == (2, 1, 1, 0)
    assert (third.reminders, third.done, third.skipped, third.snoozed) == (1, 0, 0, 1)
    assert third.natural_breaks == 1
    assert first.minutes_paused == pytest.approx(30)
    assert second.minutes_paused == pytest.approx(150)
    assert third.minutes_paused == 0
    assert (first.compliance, second.compliance, third.compliance) == (0, 50, 0)
    assert result.totals.reminders == 4
    assert result.totals.minutes_paused == pytest.approx(180)
    assert result.totals.compliance == 25


def test_a_pause_over_the_25_hour_autumn_day_is_split_at_each_midnight(tmp_path: Path) -> None:
    # 25 October 2026: Berlin repeats 02:00-03:00 (CEST +2 back to CET +1); 25 hours long.
    path = make(
        tmp_path / "h.sqlite",
        [
            ("2026-10-24 23:00", K.PAUSED, None, None),
            ("2026-10-25 23:30", K.SHOWN, "neck", None),  # 22:30 UTC: still the 25th
            ("2026-10-26 01:00", K.RESUMED),
        ],
    )
    result = stats.compute(path, days=3, goal=1, now=local("2026-10-26 09:00"), tz=BERLIN)
    assert [d.minutes_paused for d in result.days] == pytest.approx([60, 25 * 60, 60])
    assert day(result, "2026-10-25").reminders == 1


def test_the_end_of_a_pause(tmp_path: Path) -> None:
    path = make(
        tmp_path / "h.sqlite",
        [
            ("2026-05-01 09:00", K.PAUSED, None, 1800.0),  # planned 30 min, no resume recorded
            ("2026-05-01 11:00", K.PAUSED, None, None),  # ended by the daemon stopping
            ("2026-05-01 11:20", K.STOPPED),
            ("2026-05-01 12:00", K.STARTED),
            ("2026-05-01 13:00", K.PAUSED, None, 3600.0),  # ended by a resume before its end
            ("2026-05-01 13:10", K.RESUMED),
            ("2026-05-01 14:00", K.PAUSED, None, 600.0),  # replaced by a longer pause
            ("2026-05-01 14:05", K.PAUSED, None, None),
            ("2026-05-01 14:25", K.RESUMED),
            ("2026-05-01 16:00", K.PAUSED, None, None),  # still paused: ends now
        ],
    )
    result = stats.compute(path, days=1, goal=1, now=local("2026-05-01 16:45"), tz=BERLIN)
    assert result.days[0].minutes_paused == pytest.approx(30 + 20 + 10 + 5 + 20 + 45)


def test_a_clock_set_back_during_a_pause_does_not_stretch_it(tmp_path: Path) -> None:
    """Written in this order: the resume's time is before the pause's (NTP set the clock back
    an hour meanwhile). Read by time, the pause ran on to the stop: 7 hours."""
    path = make(
        tmp_path / "h.sqlite",
        [
            ("2026-05-01 08:00", K.STARTED),
            ("2026-05-01 10:00", K.PAUSED, None, None),
            ("2026-05-01 09:30", K.RESUMED),
            ("2026-05-01 09:40", K.SHOWN, "neck", None),
            ("2026-05-01 17:00", K.STOPPED),
        ],
    )
    result = stats.compute(path, days=1, goal=1, now=local("2026-05-01 18:00"), tz=BERLIN)
    assert result.days[0].minutes_paused == 0


def test_a_pause_begun_before_the_period_counts_inside_it(tmp_path: Path) -> None:
    path = make(
        tmp_path / "h.sqlite",
        [
            ("2026-05-01 17:00", K.PAUSED, None, None),
            ("2026-05-03 09:30", K.RESUMED),
        ],
    )
    result = stats.compute(path, days=1, goal=1, now=local("2026-05-03 12:00"), tz=BERLIN)
    assert result.days[0].minutes_paused == pytest.approx(9.5 * 60)
    two = stats.compute(path, days=2, goal=1, now=local("2026-05-03 12:00"), tz=BERLIN)
    assert [d.minutes_paused for d in two.days] == pytest.approx([24 * 60, 9.5 * 60])


def test_compliance_is_done_per_reminder_shown() -> None:
    def counts(reminders: int, done: int) -> stats.Counts:
        return stats.Counts(reminders, done, 0, 0, 0, 0.0)

    assert counts(0, 0).compliance is None
    assert counts(3, 2).compliance == 67
    assert counts(4, 4).compliance == 100
    assert counts(1, 2).compliance == 100  # done after midnight for a reminder the day before


def test_an_empty_or_missing_history(tmp_path: Path) -> None:
    now = local("2026-05-03 12:00")
    missing = stats.compute(tmp_path / "none.sqlite", days=7, goal=6, now=now, tz=BERLIN)
    assert not (tmp_path / "none.sqlite").exists()  # reading never creates the file
    assert len(missing.days) == 7
    assert missing.totals == stats.Counts(0, 0, 0, 0, 0, 0.0)
    assert missing.streak == 0
    assert missing.top_exercises == ()
    History.open(tmp_path / "empty.sqlite")[0].close()
    empty = stats.compute(tmp_path / "empty.sqlite", days=7, goal=6, now=now, tz=BERLIN)
    assert empty.totals == missing.totals


def test_reading_leaves_the_history_as_it_found_it(tmp_path: Path) -> None:
    """SQLite creates -wal and -shm beside the file for a reader too; with no daemon about,
    they are gone again after, and the database itself is not touched."""
    path = make(tmp_path / "h.sqlite", [("2026-05-03 09:00", K.DONE, "neck", None)])
    assert [p.name for p in tmp_path.iterdir()] == ["h.sqlite"]
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    result = stats.compute(path, days=1, goal=1, now=local("2026-05-03 12:00"), tz=BERLIN)
    assert result.totals.done == 1
    assert [p.name for p in tmp_path.iterdir()] == ["h.sqlite"]
    assert (path.read_bytes(), path.stat().st_mtime_ns) == (data, mtime)


def test_reading_while_the_daemon_writes_leaves_it_its_files(tmp_path: Path) -> None:
    """The -wal and -shm of a history open for writing are the daemon's: they stay, and what
    it writes after the stats is still recorded and read."""
    path = tmp_path / "h.sqlite"
    history, _ = History.open(path)
    with history:
        history.add([event_row(K.DONE, local("2026-05-03 09:00"), "neck", None)])
        now = local("2026-05-03 12:00")
        assert stats.compute(path, days=1, goal=1, now=now, tz=BERLIN).totals.done == 1
        assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
        history.add([event_row(K.DONE, local("2026-05-03 10:00"), "neck", None)])
        assert stats.compute(path, days=1, goal=1, now=now, tz=BERLIN).totals.done == 2
    assert [p.name for p in tmp_path.iterdir()] == ["h.sqlite"]  # the daemon's close tidied


def test_a_damaged_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"\x01" * 10_000)
    with pytest.raises(stats.HistoryUnreadable) as caught:
        stats.compute(path, days=7, goal=6, now=local("2026-05-03 12:00"), tz=BERLIN)
    assert str(caught.value).count("\n") == 0
    assert caught.value.exit_code == EXIT_FAILURE


def test_a_directory_at_the_path_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.mkdir()
    with pytest.raises(stats.HistoryUnreadable) as caught:
        stats.compute(path, days=7, goal=6, now=local("2026-05-03 12:00"), tz=BERLIN)
    assert str(caught.value) == f"cannot read the history file {path}: it is a directory"
    assert [p.name for p in tmp_path.iterdir()] == ["h.sqlite"]


# -- streaks and exercises ----------------------------------------------------------------------


def _done_per_day(path: Path, last: date, done: list[int]) -> Path:
    """A history with ``done[i]`` breaks done on each day, the last on ``last``."""
    events: list[tuple[str, EventKind] | tuple[str, EventKind, str | None, float | None]] = []
    for i, n in enumerate(done):
        when = last - timedelta(days=len(done) - 1 - i)
        for k in range(n):
            events.append((f"{when} 09:{k:02d}", K.SHOWN, "neck", None))
            events.append((f"{when} 09:{k:02d}", K.DONE, "neck", None))
    return make(path, events)


@pytest.mark.parametrize(
    ("done", "streak"),
    [
        ([2, 2, 2, 1], 3),  # today not there yet: counts up to yesterday
        ([2, 2, 2, 2], 4),  # today met: counts today
        ([2, 2, 1, 0], 0),  # yesterday missed, today not yet
        ([2, 2, 1, 3], 1),  # yesterday missed, today met
        ([0, 0, 0, 0], 0),
    ],
)
def test_streak(tmp_path: Path, done: list[int], streak: int) -> None:
    today = date(2026, 5, 10)
    path = _done_per_day(tmp_path / "h.sqlite", today, done)
    now = local(f"{today} 18:00")
    result = stats.compute(path, days=4, goal=2, now=now, tz=BERLIN)
    assert result.streak == streak
    assert result.days_goal_met == sum(n >= 2 for n in done)
    assert [d.done for d in result.days] == done


def test_a_streak_longer_than_the_period_asked_for(tmp_path: Path) -> None:
    today = date(2026, 5, 10)
    path = _done_per_day(tmp_path / "h.sqlite", today, [0] + [1] * 400)
    result = stats.compute(path, days=1, goal=1, now=local(f"{today} 18:00"), tz=BERLIN)
    assert result.streak == 400


def test_exercises_done_most(tmp_path: Path) -> None:
    path = make(
        tmp_path / "h.sqlite",
        [
            ("2026-05-10 09:00", K.DONE, "shoulder-rolls", None),
            ("2026-05-10 10:00", K.DONE, "shoulder-rolls", None),
            ("2026-05-10 11:00", K.DONE, "retired-exercise", None),
            ("2026-05-10 11:30", K.SKIPPED, "upper-back-movement", None),
            ("2026-05-01 11:00", K.DONE, "upper-back-movement", None),  # before the period
        ],
    )
    result = stats.compute(path, days=7, goal=1, now=local("2026-05-10 18:00"), tz=BERLIN)
    assert result.top_exercises == (
        stats.ExerciseCount("shoulder-rolls", "Shoulder rolls", 2),
        stats.ExerciseCount("retired-exercise", "retired-exercise", 1),
    )


# -- output ------------------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path: Path) -> stats.Stats:
    path = make(
        tmp_path / "h.sqlite",
        [
            ("2026-05-09 09:00", K.SHOWN, "shoulder-rolls", None),
            ("2026-05-09 09:01", K.DONE, "shoulder-rolls", None),
            ("2026-05-10 09:00", K.SHOWN, "shoulder-rolls", None),
            ("2026-05-10 09:01", K.SNOOZED, None, 300.0),
            ("2026-05-10 09:06", K.SHOWN, "shoulder-rolls", None),
            ("2026-05-10 09:07", K.DONE, "shoulder-rolls", None),
            ("2026-05-10 10:00", K.SHOWN, "high-reach-stretch", None),
            ("2026-05-10 10:01", K.SKIPPED, "high-reach-stretch", None),
            ("2026-05-10 12:00", K.PAUSED, None, 5400.0),
            ("2026-05-10 13:30", K.RESUMED),
        ],
    )
    return stats.compute(path, days=3, goal=1, now=local("2026-05-10 18:00"), tz=BERLIN)


def test_json_shape(sample: stats.Stats) -> None:
    document = json.loads(stats.to_json(sample))
    counts = [
        "reminders",
        "done",
        "snoozed",
        "skipped",
        "natural_breaks",
        "minutes_paused",
        "compliance",
    ]
    assert list(document) == [
        "version",
        "generated_at",
        "timezone",
        "days",
        "goal",
        "days_goal_met",
        "streak",
        "totals",
        "top_exercises",
        "per_day",
    ]
    assert document["version"] == 1
    assert document["generated_at"] == "2026-05-10T18:00:00+02:00"
    assert document["timezone"] == "Europe/Berlin"
    assert (document["days"], document["goal"], document["streak"]) == (3, 1, 2)
    assert list(document["totals"]) == counts
    assert document["totals"]["reminders"] == 4
    assert document["top_exercises"] == [
        {"exercise": "shoulder-rolls", "name": "Shoulder rolls", "done": 2}
    ]
    days = document["per_day"]
    assert [d["date"] for d in days] == ["2026-05-08", "2026-05-09", "2026-05-10"]
    assert list(days[0]) == ["date", "weekday", *counts, "goal_met"]
    assert days[0]["compliance"] is None
    assert days[0]["goal_met"] is False
    assert days[2] == {
        "date": "2026-05-10",
        "weekday": "Sun",
        "reminders": 3,
        "done": 1,
        "snoozed": 1,
        "skipped": 1,
        "natural_breaks": 0,
        "minutes_paused": 90.0,
        "compliance": 33,
        "goal_met": True,
    }


def test_table_shows_the_numbers(sample: stats.Stats) -> None:
    text = stats.render_table(sample)
    lines = text.splitlines()
    (today,) = [line for line in lines if line.startswith("2026-05-10")]
    assert today.split() == ["2026-05-10", "Sun", "3", "1", "1", "1", "1h30m", "33%", "met"]
    (empty,) = [line for line in lines if line.startswith("2026-05-08")]
    assert empty.split() == ["2026-05-08", "Fri", "0", "0", "0", "0", "-", "-"]
    (total,) = [line for line in lines if line.startswith("total")]
    assert total.split() == ["total", "4", "2", "1", "1", "1h30m", "50%", "2/3"]
    assert "Streak: 2 days" in text
    assert "Shoulder rolls 2" in text
    header = lines[2]
    assert header.index("REMINDERS") + len("REMINDERS") == today.index(" 3 ") + 2  # aligned


def test_a_pause_under_a_minute_is_shown_as_one(tmp_path: Path) -> None:
    """Six seconds paused round to no minutes, but "-" would say there was no pause."""
    path = make(
        tmp_path / "h.sqlite",
        [("2026-05-10 12:00:00", K.PAUSED, None, None), ("2026-05-10 12:00:06", K.RESUMED)],
    )
    result = stats.compute(path, days=2, goal=1, now=local("2026-05-10 18:00"), tz=BERLIN)
    assert json.loads(stats.to_json(result))["per_day"][1]["minutes_paused"] == 0.1
    lines = stats.render_table(result).splitlines()
    (today,) = [line for line in lines if line.startswith("2026-05-10")]
    assert today.split() == ["2026-05-10", "Sun", "0", "0", "0", "0", "<1m", "-"]
    (yesterday,) = [line for line in lines if line.startswith("2026-05-09")]
    assert yesterday.split() == ["2026-05-09", "Sat", "0", "0", "0", "0", "-", "-"]
    (total,) = [line for line in lines if line.startswith("total")]
    assert total.split() == ["total", "0", "0", "0", "0", "<1m", "-", "0/2"]


def test_chart_is_written(sample: stats.Stats, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    for n in (1, 40, 200, 800):  # a bar per day, per week, per month
        days = tuple(
            stats.Day(
                reminders=8 + k % 5,
                done=k % 9,
                snoozed=1,
                skipped=1,
                natural_breaks=0,
                minutes_paused=0.0,
                date=date(2026, 5, 10) - timedelta(days=k),
            )
            for k in range(n - 1, -1, -1)
        )
        chart = tmp_path / f"chart{n}.png"
        stats.write_chart(_with_days(sample, days), chart)
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert chart.stat().st_size > 10_000


def _with_days(sample: stats.Stats, days: tuple[stats.Day, ...]) -> stats.Stats:
    return stats.Stats(
        days, sample.totals, 6, 0, 0, sample.top_exercises, sample.generated_at, "Europe/Berlin"
    )


def test_chart_without_matplotlib_says_how_to_install_it(
    sample: stats.Stats, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(stats.ChartUnavailable) as caught:
        stats.write_chart(sample, tmp_path / "chart.png")
    assert "install it with: pip install 'microbreak[charts]'" in str(caught.value)
    assert caught.value.exit_code == EXIT_FAILURE
    assert not (tmp_path / "chart.png").exists()


def test_stats_imports_no_heavy_library() -> None:
    code = (
        "import sys, json, microbreak.usecases.stats, microbreak.adapters.storage.history\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {m.split(".")[0] for m in json.loads(out.stdout)}
    assert not loaded & {"pydantic", "pystray", "gi", "matplotlib", "platformdirs"}


# -- five years --------------------------------------------------------------------------------


def test_five_years_of_history_add_up(tmp_path: Path) -> None:
    last = date(2026, 11, 21)
    kinds, minutes_paused = generate(tmp_path / "h.sqlite", last=last, days=1826)
    assert 90_000 < sum(kinds.values()) < 110_000
    now = datetime(2026, 11, 21, 22, 59, tzinfo=timezone.utc)  # 23:59 in Berlin
    result = stats.compute(tmp_path / "h.sqlite", days=1826, goal=6, now=now, tz=BERLIN)
    totals = result.totals
    assert totals.reminders == kinds["shown"]
    assert totals.done == kinds["done"]
    assert totals.snoozed == kinds["snoozed"]
    assert totals.skipped == kinds["skipped"]
    assert totals.natural_breaks == kinds["natural_break"]
    assert totals.minutes_paused == pytest.approx(minutes_paused)
    assert sum(e.done for e in result.top_exercises) <= totals.done
    assert result.days[0].date == last - timedelta(days=1825)


def test_your_own_exercises_done_most_are_named_not_shown_by_id(tmp_path: Path) -> None:
    path = make(
        tmp_path / "h.sqlite",
        [
            ("2026-05-01 09:00", K.SHOWN, "tiny-shrug", None),
            ("2026-05-01 09:01", K.DONE, "tiny-shrug", None),
        ],
    )
    mine = replace(CATALOG[0], id="tiny-shrug", name="Tiny shrug")
    now = local("2026-05-01 12:00")
    named = stats.compute(path, days=1, goal=1, now=now, tz=BERLIN, catalog=(*CATALOG, mine))
    assert [(e.exercise, e.name) for e in named.top_exercises] == [("tiny-shrug", "Tiny shrug")]
    # Without it (a file since removed), the id stands in.
    alone = stats.compute(path, days=1, goal=1, now=now, tz=BERLIN)
    assert [e.name for e in alone.top_exercises] == ["tiny-shrug"]
