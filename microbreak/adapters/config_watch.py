"""Notice edits to the config files at once, without polling (Gio.FileMonitor); directories are
watched, not files, as editors save by renaming a new file over the old one. Each directory's
parent is watched too, for the directory coming back after it was removed (or appearing), and
a file that is a symbolic link (a dotfile manager's) has its target's directory watched."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Editors write in several steps; wait this long after the first event before reloading.
SETTLE = 0.3


class ConfigWatch:
    """Calls ``on_change`` (from its own thread) soon after a watched file changes; a path
    named ``*.toml`` stands for every TOML file in its directory."""

    def __init__(self, files: Iterable[Path], on_change: Callable[[], None]) -> None:
        self._names: dict[Path, set[str]] = {}  # directory: the file names that matter there
        self._links: dict[Path, Path] = {}  # a file that is a link: its target when last seen
        for file in files:
            file = file.expanduser().absolute()
            self._add(file)
            if file.is_symlink():
                self._links[file] = file.resolve()
                self._add(self._links[file])
        self._on_change = on_change
        self._loop: Any = None
        self._thread = threading.Thread(target=self._run, name="config-watch", daemon=True)
        self._monitors: dict[Path, Any] = {}
        self._pending: Any = None  # the SETTLE timeout of an edit under way

    def _add(self, file: Path) -> None:
        self._names.setdefault(file.parent, set()).add(file.name)

    def start(self) -> bool:
        """Start watching; False where the files cannot be watched (no PyGObject, a GLib that
        could only poll): then only SIGHUP reloads. The events go to a loop on a thread of
        ours, since without a tray nothing else runs one."""
        try:
            from gi.repository import GLib
        except ImportError as e:
            log.debug("no Gio to watch the config files: %s", e)
            return False
        context = GLib.MainContext()
        context.push_thread_default()  # monitors deliver their events to the context they see
        try:  # the directories that hold watched files, and their parents
            for directory in dict.fromkeys([*self._names, *(d.parent for d in self._names)]):
                if directory not in self._monitors:  # a parent watches its children too
                    self._watch(directory)
        finally:
            context.pop_thread_default()
        if not self._monitors:
            return False
        self._loop = GLib.MainLoop(context)
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop watching; a reload already under way finishes on its own."""
        from gi.repository import GLib

        if self._loop is None or not self._thread.is_alive():
            return
        # Handed to the loop (attaching is thread-safe), so it also ends a loop not yet running.
        quit_ = GLib.idle_source_new()
        quit_.set_callback(lambda *_: self._loop.quit())
        quit_.attach(self._loop.get_context())
        if threading.current_thread() is not self._thread:
            self._thread.join(5.0)

    def _run(self) -> None:
        context = self._loop.get_context()
        context.push_thread_default()  # a directory watched again later reports here too
        try:
            self._loop.run()
        finally:
            context.pop_thread_default()
        for monitor in self._monitors.values():
            monitor.cancel()

    def _watch(self, directory: Path) -> None:
        """(Re)start the monitor of ``directory``; a missing one stays unwatched until its
        parent sees it made."""
        from gi.repository import Gio, GLib, GObject

        old = self._monitors.pop(directory, None)
        if old is not None:
            old.cancel()
        if not directory.is_dir():
            return
        flags = Gio.FileMonitorFlags.WATCH_MOVES
        try:
            monitor = Gio.File.new_for_path(str(directory)).monitor_directory(flags, None)
        except GLib.Error as e:
            log.warning("cannot watch %s: %s", directory, e.message)
            return
        if "Poll" in GObject.type_name(monitor.__gtype__):
            log.debug("GLib can only poll %s; not watching it", directory)
            monitor.cancel()
            return
        monitor.connect("changed", self._changed, directory)
        self._monitors[directory] = monitor
        for child in self._names:  # made with it, before its monitor could see them
            if child.parent == directory and child != directory:
                self._watch(child)

    def _changed(self, _monitor: Any, file: Any, other: Any, _event: Any, directory: Path) -> None:
        names = self._names.get(directory, set())
        for changed in (file, other):
            name = changed.get_basename() if changed is not None else None
            if not name:
                continue
            if (directory / name) in self._names:  # a watched directory made, moved or removed
                self._watch(directory / name)
                self._settle()
                return
            if name in names or ("*.toml" in names and name.endswith(".toml")):
                self._settle()
                return

    def _settle(self) -> None:
        """Reload ``SETTLE`` seconds after an edit's first event; later ones join it."""
        from gi.repository import GLib

        if self._pending is not None:
            return
        source = GLib.timeout_source_new(round(SETTLE * 1000))
        source.set_callback(self._reload)
        source.attach(self._loop.get_context())
        self._pending = source

    def _reload(self, *_: object) -> bool:
        self._pending = None
        self._follow_links()
        try:
            self._on_change()
        except Exception:
            log.exception("reloading the config failed")
        return False  # GLib.SOURCE_REMOVE: once per edit

    def _follow_links(self) -> None:
        """A link pointed somewhere else: watch its new target's directory as well."""
        for link, target in self._links.items():
            now = link.resolve()
            if now != target:
                self._links[link] = now
                self._add(now)
                if now.parent not in self._monitors:
                    self._watch(now.parent)
