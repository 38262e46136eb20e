"""The last settings record ``microbreak run`` checked, kept while nothing it was made from changed.

Checking loads pydantic: about a quarter of a second before the icon shows. The record depends
only on the fingerprint's parts (config and exercise files by path, size, mtime and inode, the
``MICROBREAK_*`` variables, the flags, this microbreak and Python), so while they match, the
cached record is what a check would make; any change means a full check. Standard library and
platformdirs only: this runs before pydantic would be imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from .. import __version__
from ..paths import cache_dir, config_file, site_config_files, write_whole
from .exercise_files import exercise_dirs

NAME = "checked-settings.json"


def fingerprint(flags: Mapping[str, object]) -> str:
    """A digest of everything the settings record is made from; a flag JSON cannot write (a
    path) goes in as its text."""
    named = flags.get("config")
    path, _named = config_file(None if named is None else str(named))
    files = [path, *site_config_files()]
    for folder in exercise_dirs():
        files.append(folder)
        if folder.is_dir():
            files += sorted(folder.glob("*.toml"))
    parts = {
        "microbreak": __version__,
        "python": [sys.executable, sys.version],
        "flags": dict(flags),
        "env": sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("MICROBREAK_")),
        "files": [_stat(f) for f in files],
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def load(stamp: str) -> str | None:
    """The record checked under ``stamp``, as JSON, or None (no record, another stamp, or an
    unreadable file: then the settings are simply checked again)."""
    try:
        saved = json.loads((cache_dir() / NAME).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("fingerprint") != stamp:
        return None
    record = saved.get("record")
    return record if isinstance(record, str) else None


def save(stamp: str, record: str) -> None:
    """Keep a record that passed the check (best effort: a failure costs the next start time)."""
    folder = cache_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        saved = json.dumps({"fingerprint": stamp, "record": record}).encode()
        write_whole(folder / NAME, saved, private=True)
    except OSError:
        pass


def _stat(path: Path) -> list[object]:
    try:
        info = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), info.st_size, info.st_mtime_ns, info.st_ino, info.st_mode]
