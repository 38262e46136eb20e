"""The state file on disk: what it accepts, how many unusable ones it keeps, and how every file we
rewrite is written whole."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from microbreak.adapters.storage.state import KEEP_CORRUPT, StateStore
from microbreak.paths import write_whole


def _corrupt(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".corrupt-" in p.name)


def test_only_the_newest_few_unusable_files_are_kept(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    # Two left over from earlier days, and a file of the user's that only looks similar.
    old = ["state.json.corrupt-20200101T000000", "state.json.corrupt-20200102T000000-2"]
    for name in [*old, "state.json.corrupt-mine"]:
        (tmp_path / name).write_text("old")
    moved = []
    for n in range(KEEP_CORRUPT + 3):
        store.path.write_text(f"broken {n}")
        data, warning = store.load()
        assert data is None and warning is not None and "moved it to" in warning
        moved.append(warning.split("moved it to ")[1].split(",")[0])
    left = _corrupt(tmp_path)
    assert "state.json.corrupt-mine" in left  # not ours: never touched
    ours = [name for name in left if name != "state.json.corrupt-mine"]
    assert len(ours) == KEEP_CORRUPT
    assert sorted(ours) == sorted(moved[-KEEP_CORRUPT:])  # the newest, by name and number
    assert {(tmp_path / name).read_text() for name in ours} == {
        f"broken {n}" for n in range(3, KEEP_CORRUPT + 3)
    }


def test_an_older_state_file_without_the_newer_keys_still_loads(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    planner: dict[str, object] = {
        "saved_at": "2026-11-23T09:00:00+00:00",
        "mode": "running",
        "due": "2026-11-23T09:40:00+00:00",
        "paused_until": None,
        "pause_is_relative": False,
        "last_shown": None,
        "again": None,
        "unanswered": None,
        "deck": [],
        "last": None,
    }
    store.path.write_text(json.dumps({"version": 1, "planner": planner}))
    assert store.load() == (planner, None)


def test_a_running_state_needs_a_due_time_unless_off_duty(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    base: dict[str, object] = {
        "saved_at": "2026-11-23T09:00:00+00:00",
        "mode": "running",
        "due": None,
    }
    for planner, usable in [
        (base, False),
        ({**base, "off_duty": True}, True),
        ({**base, "off_duty": "yes"}, False),
        ({**base, "off_duty": True, "held_reason": 3}, False),
        ({**base, "off_duty": True, "away_since": "yesterday"}, False),
    ]:
        store.path.write_text(json.dumps({"version": 1, "planner": planner}))
        data, warning = store.load()
        assert (data is not None) is usable, (planner, warning)


def test_a_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """``write_whole``, which every file we rewrite goes through: a write that fails half-way
    leaves the old file as it was and no scratch file beside it."""
    target = tmp_path / "kept.json"
    write_whole(target, b"old")
    with pytest.raises(TypeError):
        write_whole(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.json"]


def test_a_private_file_is_the_users_alone_and_others_follow_the_umask(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_whole(tmp_path / "key", b"k", private=True)
        write_whole(tmp_path / "entry", b"e", sync=True)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "entry").stat().st_mode) == 0o644
    assert (tmp_path / "entry").read_bytes() == b"e"
