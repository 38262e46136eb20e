"""The config watcher on real files: edits, editors that rename, TOML dirs, and a quiet idle."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from microbreak.adapters import config_watch
from microbreak.adapters.config_watch import ConfigWatch

pytest.importorskip("gi")


class Reloads:
    def __init__(self) -> None:
        self.count = 0
        self.event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()

    def wait(self, timeout: float = 5.0) -> bool:
        ok = self.event.wait(timeout)
        self.event.clear()
        return ok

    def settle(self) -> None:
        """Let the last edit's events die down and forget them: the next wait sees what follows."""
        time.sleep(0.2)
        self.event.clear()


@pytest.fixture(autouse=True)
def quick_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_watch, "SETTLE", 0.05)


def watching(files: list[Path]) -> tuple[ConfigWatch, Reloads]:
    reloads = Reloads()
    watch = ConfigWatch(files, reloads)
    assert watch.start()
    return watch, reloads


def test_an_edit_in_place_and_an_editor_renaming_over_the_file_are_noticed(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('min_interval = "30m"\n')
    watch, reloads = watching([config])
    try:
        config.write_text('min_interval = "40m"\n')
        assert reloads.wait(), "an edit in place"
        for save in range(3):  # after the first rename the directory is still watched
            new = tmp_path / f".config.toml.swp{save}"
            new.write_text(f'min_interval = "{41 + save}m"\n')
            reloads.settle()  # the next event is the rename alone
            os.replace(new, config)
            assert reloads.wait(), f"save {save} by renaming"
    finally:
        watch.stop()


def test_other_files_beside_it_do_not_reload(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    watch, reloads = watching([config])
    try:
        (tmp_path / "notes.txt").write_text("x")
        (tmp_path / "other.toml").write_text("x")
        assert not reloads.wait(0.5)
        config.write_text("# touched\n")
        assert reloads.wait()
    finally:
        watch.stop()


def test_toml_files_created_later_in_an_exercise_dir_are_noticed(tmp_path: Path) -> None:
    user = tmp_path / "user" / "config.toml"
    user.parent.mkdir()
    site = tmp_path / "site" / "config.toml"
    site.parent.mkdir()
    site.write_text("")
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    watch, reloads = watching([user, site, exercises / "*.toml"])
    try:
        (exercises / "stretches.toml").write_text("[[exercise]]\n")
        assert reloads.wait(), "a new file in the exercise dir"
        (exercises / "README").write_text("x")
        assert not reloads.wait(0.5)
        site.write_text("sound = false\n")
        assert reloads.wait(), "the site file"
        user.write_text("sound = true\n")
        assert reloads.wait(), "a user file that did not exist at start"
    finally:
        watch.stop()


def test_a_config_folder_removed_and_made_again_is_watched_again(tmp_path: Path) -> None:
    folder = tmp_path / "microbreak"
    config, exercises = folder / "config.toml", folder / "exercises"
    exercises.mkdir(parents=True)
    config.write_text('min_interval = "30m"\n')
    watch, reloads = watching([config, exercises / "*.toml"])
    try:
        shutil.rmtree(folder)
        assert reloads.wait(), "the folder removed"
        exercises.mkdir(parents=True)  # the folder and the one inside it, at once
        config.write_text('min_interval = "10m"\n')
        assert reloads.wait(), "the folder made again"
        reloads.settle()
        config.write_text('min_interval = "20m"\n')
        assert reloads.wait(), "an edit in the new folder"
        reloads.settle()
        (exercises / "mine.toml").write_text("[[exercise]]\n")
        assert reloads.wait(), "a file in the new exercise folder"
    finally:
        watch.stop()


def test_the_target_of_a_linked_config_file_is_watched(tmp_path: Path) -> None:
    """As a dotfile manager (stow) sets it up: the config file is a link into another folder."""
    dotfiles, folder = tmp_path / "dotfiles", tmp_path / "microbreak"
    dotfiles.mkdir()
    folder.mkdir()
    (dotfiles / "a.toml").write_text('min_interval = "30m"\n')
    (dotfiles / "b.toml").write_text('min_interval = "40m"\n')
    config = folder / "config.toml"
    config.symlink_to(dotfiles / "a.toml")
    watch, reloads = watching([config])
    try:
        (dotfiles / "a.toml").write_text('min_interval = "31m"\n')
        assert reloads.wait(), "an edit of the target"
        reloads.settle()
        link = folder / ".config.toml.new"
        link.symlink_to(dotfiles / "b.toml")
        os.replace(link, config)
        assert reloads.wait(), "the link pointed elsewhere"
        reloads.settle()
        (dotfiles / "b.toml").write_text('min_interval = "41m"\n')
        assert reloads.wait(), "an edit of the new target"
    finally:
        watch.stop()


def test_a_burst_of_writes_is_one_reload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_watch, "SETTLE", 0.5)
    config = tmp_path / "config.toml"
    watch, reloads = watching([config])
    try:
        for i in range(5):
            config.write_text(f"# {i}\n")
        assert reloads.wait()
        assert not reloads.wait(0.8)
        assert reloads.count == 1
    finally:
        watch.stop()


def test_nothing_to_watch_says_so_and_leaves_no_thread(tmp_path: Path) -> None:
    """Neither the folder nor the folder that would hold it exists."""
    before = threading.active_count()
    watch = ConfigWatch([tmp_path / "missing" / "too" / "config.toml"], Reloads())
    assert not watch.start()
    watch.stop()
    assert threading.active_count() == before


def test_stop_ends_its_thread_and_no_reload_follows(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    watch, reloads = watching([config])
    watch.stop()
    assert "config-watch" not in {t.name for t in threading.enumerate()}
    config.write_text("# after stop\n")
    assert not reloads.wait(0.5)


def _switches(tid: int) -> int:
    for line in Path(f"/proc/self/task/{tid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError("no switch count")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_idle_it_sleeps(tmp_path: Path) -> None:
    """No polling: while nothing changes, the watcher's thread does not wake."""
    watch, _ = watching([tmp_path / "config.toml"])
    try:
        (thread,) = [t for t in threading.enumerate() if t.name == "config-watch"]
        assert thread.native_id is not None
        time.sleep(0.2)
        before = _switches(thread.native_id)
        time.sleep(1.5)
        assert _switches(thread.native_id) - before == 0
    finally:
        watch.stop()
