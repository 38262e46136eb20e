"""A GNOME setting, read only where its schema is installed.

``Gio.Settings.new`` of a schema GLib does not know ends the whole process, and other desktops
(and older GNOME) lack ours; so every read first asks the schema source.
"""

from __future__ import annotations

from typing import Any


def settings_with(schema: str, key: str) -> Any | None:
    """The ``Gio.Settings`` of ``schema``, or None when PyGObject, the schema or its ``key``
    is missing."""
    try:
        from gi.repository import Gio
    except (ImportError, ValueError):
        return None
    source = Gio.SettingsSchemaSource.get_default()
    found = source.lookup(schema, True) if source is not None else None
    if found is None or not found.has_key(key):
        return None
    return Gio.Settings.new_full(found, None, None)
