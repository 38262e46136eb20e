"""Whether GNOME's own movement breaks are on (GNOME 48 and later), so we don't double up.

Older GNOME (43 in Debian 12) and other desktops have no such schema: then the answer is None.
"""

from __future__ import annotations

from .gsettings import settings_with

SCHEMA = "org.gnome.desktop.break-reminders"
KEY = "selected-breaks"
MOVEMENT = "movement"
#: How to turn GNOME's movement breaks off while keeping its eyesight breaks, for the messages.
TURN_OFF = (
    "Settings > Wellbeing > Movement Breaks, or "
    f'`gsettings set {SCHEMA} {KEY} "[\'eyesight\']"` (or "[]")'
)


def movement_breaks_on() -> bool | None:
    """True when GNOME's movement breaks are selected; None without the schema or PyGObject."""
    settings = settings_with(SCHEMA, KEY)
    if settings is None:
        return None
    return MOVEMENT in settings.get_strv(KEY)


def start_warning(wanted: bool) -> str | None:
    """The daemon's line at start when GNOME's movement breaks are on too; ``wanted`` is the
    config's ``gnome_breaks_warning``, off for a user who chose both (``doctor`` still says)."""
    if not wanted or not movement_breaks_on():
        return None
    return (
        "GNOME's own movement breaks are on as well, so you get two reminders to move; "
        f"choose one: turn GNOME's off ({TURN_OFF}), or quit microbreak "
        "(to keep both, set gnome_breaks_warning = false in the config)"
    )
