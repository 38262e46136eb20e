"""Benchmark ``microbreak stats`` on five years of generated history (about 100,000 events).

Generates the history in a temp dir, then prints the median of several runs of
``stats.compute`` (opening the file read-only each time, as the command does) for 7, 30, 365
and 1825 days, against the 200 ms target; also the time ``History.open`` takes on that file
(the integrity check at daemon start).

    .venv/bin/python bench/bench_stats.py [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import sys
import tempfile
import time as clock
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from microbreak.adapters.storage.history import History
from microbreak.core.events import EventKind
from microbreak.core.exercises import CATALOG
from microbreak.usecases import stats

TARGET_MS = 200.0
BERLIN = ZoneInfo("Europe/Berlin")


def generate(
    path: Path, *, last: date, days: int = 1826, tz: tzinfo = BERLIN, seed: int = 1
) -> tuple[Counter[str], float]:
    """Write ``days`` local days of a plausible desk life ending on ``last``.

    Most days: a start in the morning, reminders every 8 to 22 minutes until the evening,
    about 60% done, some snoozed or skipped, sometimes a lunch stop, a pause, a suspend.
    Returns the count of each kind and the minutes paused, for checking ``compute``.
    """
    rng = random.Random(seed)
    exercises = [e.id for e in CATALOG[:10]]
    rows: list[tuple[int, str, str | None, float | None]] = []
    paused = 0.0

    def add(
        day: date,
        minutes: float,
        kind: EventKind,
        exercise: str | None = None,
        s: float | None = None,
    ) -> None:
        # Aware arithmetic on a zoneinfo datetime is wall-clock time: minutes past local midnight.
        local = datetime.combine(day, time(0), tzinfo=tz) + timedelta(seconds=round(minutes * 60))
        rows.append((int(local.timestamp()), kind.value, exercise, s))

    for n in range(days):
        day = last - timedelta(days=days - 1 - n)
        if rng.random() > (0.95 if day.weekday() < 5 else 0.6):
            continue
        t = rng.uniform(7 * 60 + 30, 9 * 60 + 30)
        end = rng.uniform(17 * 60, 19 * 60 + 30)
        add(day, t, EventKind.STARTED)
        lunch = rng.random() < 0.3
        pause_at = rng.uniform(10 * 60, 16 * 60) if rng.random() < 0.4 else None
        while True:
            t += rng.uniform(8, 22)
            if t >= end:
                break
            if lunch and t > 12 * 60 + 30:
                lunch = False
                add(day, t, EventKind.STOPPED)
                t += rng.uniform(30, 60)
                add(day, t, EventKind.STARTED)
                continue
            if pause_at is not None and t > pause_at:
                length = rng.choice((30.0, 60.0, 120.0))
                add(day, t, EventKind.PAUSED, s=length * 60)
                t += length
                add(day, t, EventKind.RESUMED)
                paused += length
                pause_at = None
                continue
            if rng.random() < 0.03:
                slept = rng.uniform(10, 60)
                add(day, t, EventKind.NATURAL_BREAK, s=slept * 60)
                t += slept
                continue
            exercise = rng.choice(exercises)
            add(day, t, EventKind.SHOWN, exercise)
            outcome = rng.random()
            if outcome < 0.6:
                add(day, t + 1.5, EventKind.DONE, exercise)
            elif outcome < 0.75:
                add(day, t + 0.5, EventKind.SNOOZED, exercise, rng.choice((300.0, 600.0, 900.0)))
            elif outcome < 0.85:
                add(day, t + 0.5, EventKind.SKIPPED, exercise)
            elif outcome < 0.87:
                add(day, t + 0.1, EventKind.POSTPONED_OUT, exercise)
        add(day, max(t, end), EventKind.STOPPED)

    history, _ = History.open(path)
    with history:
        history.add(rows)
    return Counter(kind for _, kind, _, _ in rows), paused


def _median_ms(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = clock.perf_counter()
        work()
        times.append((clock.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = parser.parse_args()
    last = date(2026, 11, 21)
    now = datetime(2026, 11, 21, 21, 15, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp)) / "history.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        start = clock.perf_counter()
        kinds, _ = generate(path, last=last)
        print(
            f"generated {sum(kinds.values()):,} events over 5 years in "
            f"{clock.perf_counter() - start:.1f} s; {path.stat().st_size / 1e6:.1f} MB"
        )
        open_ms = _median_ms(args.runs, lambda: History.open(path)[0].close())
        print(f"History.open (integrity check): {open_ms:6.1f} ms")
        print(f"stats.compute, median of {args.runs} runs (target < {TARGET_MS:.0f} ms):")
        worst = 0.0
        for days in (7, 30, 365, 1825):
            compute = functools.partial(stats.compute, path, days=days, goal=6, now=now, tz=BERLIN)

            def run(compute: Callable[[], stats.Stats] = compute) -> None:
                result = compute()
                stats.render_table(result)
                stats.to_json(result)

            ms = _median_ms(args.runs, compute)
            full = _median_ms(args.runs, run)
            worst = max(worst, full)
            verdict = "ok" if full < TARGET_MS else "TOO SLOW"
            print(
                f"  --days {days:>4}: compute {ms:6.1f} ms; "
                f"with table and JSON {full:6.1f} ms  {verdict}"
            )
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
