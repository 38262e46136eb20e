"""The tray icon and its menu, on pystray with icons drawn from the PNGs in ``assets/``.

Every menu entry calls one of the app's actions (the same ones the CLI will use); the tray only
shows state. pystray is imported here, and only after ``tray_probe`` said which backend to use.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from ..core.durations import humanize, spelled
from ..core.messages import Message
from ..core.planner import Mode, StateError
from ..i18n import _, pgettext

log = logging.getLogger(__name__)

PAUSE_CHOICES: tuple[tuple[str, timedelta | None], ...] = (
    ("30 minutes", timedelta(minutes=30)),
    ("1 hour", timedelta(hours=1)),
    ("2 hours", timedelta(hours=2)),
)


def labels(menu: Any) -> str:
    """The visible entries of a pystray menu as the user reads them, a submenu's in brackets:
    the log's record of what the menu says (in the user's language)."""
    words = []
    for entry in menu.items:
        if not entry.visible or not entry.text:
            continue
        inner = f" [{labels(entry.submenu)}]" if entry.submenu else ""
        words.append(f"{entry.text}{inner}")
    return " | ".join(words)


class Controls(Protocol):
    """What the tray needs from the app: state to show and actions to call."""

    @property
    def snooze_choices(self) -> tuple[timedelta, ...]:
        """The durations offered under Snooze."""
        ...

    def mode(self) -> Mode:
        """The current mode, for the icon and which entries are enabled."""
        ...

    def status_line(self, *, countdown: bool = True) -> str:
        """The status for the first menu line and the tooltip (the same as the CLI's)."""
        ...

    def undelivered(self) -> str | None:
        """A reminder's exercise that no notification server took, while it is due."""
        ...

    def break_now(self, *, guide: bool = False) -> object:
        """Show a reminder now (and open the guide window for it, with ``guide``)."""
        ...

    def snooze(self, duration: timedelta | None = None) -> timedelta:
        """Snooze the pending reminder (raises StateError when there is none)."""
        ...

    def pause(self, duration: timedelta | None) -> None:
        """Pause for a while or until resumed."""
        ...

    def pause_until_morning(self) -> None:
        """Pause until tomorrow morning."""
        ...

    def resume(self) -> None:
        """End a pause."""
        ...

    def unanswered(self) -> str | None:
        """The name of the last reminder's exercise until it is marked done or skipped."""
        ...

    def done(self) -> str:
        """Mark the last reminder's exercise done."""
        ...

    def skip(self) -> str:
        """Skip the pending reminder."""
        ...

    def open_config(self) -> None:
        """Open the config file in the user's editor."""
        ...

    def quit(self) -> None:
        """Stop the daemon."""
        ...


class TrayUnavailable(RuntimeError):
    """No pystray backend could be loaded; the message lists why each failed."""


def load_pystray(backends: Sequence[str]) -> tuple[Any, str]:
    """Import pystray with the first backend that loads; keep every error to report."""
    errors = []
    for name in backends:
        os.environ["PYSTRAY_BACKEND"] = name  # pystray reads it at import time
        # A tray icon needs no OpenGL; without this GDK probes GLX at start-up and maps Mesa
        # and LLVM into the process (about 45 MB of RSS on a software-rendered display).
        gl_was_set = "GDK_GL" in os.environ
        os.environ.setdefault("GDK_GL", "disable")
        try:
            if name in ("gtk", "appindicator"):
                _name_the_program()
            import pystray

            return pystray, name
        except Exception as e:  # ImportError, ValueError from gi.require_version, X errors
            errors.append(f"{name}: {e}")
        finally:
            if not gl_was_set:
                os.environ.pop("GDK_GL", None)  # keep it from the editor we may start
    raise TrayUnavailable("; ".join(errors) or "no tray backend to try")


def _name_the_program() -> None:
    """Make GTK's windows ``WM_CLASS`` "microbreak", not the script's name (``daemon.py``):
    GTK takes it from the program name, which must be set before GTK starts."""
    from gi.repository import GLib

    GLib.set_prgname("microbreak")
    GLib.set_application_name("microbreak")


class PystrayTray:
    """A pystray icon whose look, tooltip and menu follow the app's state."""

    def __init__(self, assets: Path, backends: Sequence[str]) -> None:
        """Load pystray (raises TrayUnavailable) and the icon images; ``run`` shows the icon."""
        from PIL import Image

        self._pystray, self.backend = load_pystray(backends)
        self._images = {
            name: Image.open(assets / f"tray-{name}.png").convert("RGBA")
            for name in ("running", "snoozed", "paused", "due")
        }
        self.has_menu = bool(self._pystray.Icon.HAS_MENU)
        self._stopping = False
        self._text = "microbreak"  # the status line, once the app has started
        self._menu_shape: tuple[object, ...] | None = None
        self._tooltip = f"microbreak\n{self._text}"
        self._docked: Any = None  # the Gtk.StatusIcon, once docked (gtk backend)
        #: The icon and what it shows, from ``run`` on: before it there is nothing to redraw.
        self._shown: tuple[Any, Controls] | None = None

    # -- the menu ------------------------------------------------------------------------------

    def _menu(self, c: Controls) -> Any:
        pystray = self._pystray
        item, menu = pystray.MenuItem, pystray.Menu

        def call(action: Callable[[], object]) -> Callable[[Any, Any], None]:
            def run(icon: Any, menu_item: Any) -> None:
                try:
                    action()
                except StateError as e:  # e.g. nothing to snooze: said, not an error
                    log.info("%s", e)
                except Exception:
                    log.exception("menu action failed")

            return run

        def snooze_item(duration: timedelta) -> Any:
            return item(humanize(duration), call(lambda: c.snooze(duration)))

        def pause_item(label: str, duration: timedelta | None) -> Any:
            return item(label, call(lambda: c.pause(duration)))

        def not_paused(_: Any) -> bool:
            return c.mode() is not Mode.PAUSED

        return menu(
            item(lambda _: self._text, call(lambda: None), enabled=False),
            item(
                _("Take a break now"),
                call(lambda: c.break_now(guide=True)),
                default=not self._pystray.Icon.HAS_MENU,
            ),
            item(
                pgettext("tray menu", "Snooze"),
                # A callable, so a live config reload's new choices show up in the menu.
                menu(lambda: tuple(snooze_item(d) for d in c.snooze_choices)),
                enabled=not_paused,
            ),
            item(
                pgettext("tray menu", "Pause"),
                menu(
                    *(pause_item(spelled(d), d) for _label, d in PAUSE_CHOICES if d),
                    item(_("Until tomorrow morning"), call(c.pause_until_morning)),
                    pause_item(_("Until resumed"), None),
                ),
                enabled=not_paused,
            ),
            item(_("Resume"), call(c.resume), enabled=lambda _: c.mode() is Mode.PAUSED),
            # Shown after a reminder until it is answered, like `microbreak done` / `skip`.
            item(
                lambda _item: _("Done: {exercise}").format(exercise=c.unanswered()),
                call(c.done),
                visible=lambda _: c.unanswered() is not None,
            ),
            item(_("Skip it"), call(c.skip), visible=lambda _: c.unanswered() is not None),
            menu.SEPARATOR,
            item(_("Open config file"), call(c.open_config)),
            item(_("Quit"), call(c.quit)),
        )

    # -- following the state -------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw icon, tooltip and menu after any change of state."""
        if self._shown is not None:
            self._apply()

    def flag_due(self, message: Message) -> None:
        """No notification server: the icon and the status line say a break is due (the app
        keeps what they say, so that ``microbreak status`` says the same)."""
        self.refresh()

    def _apply(self) -> None:
        if self.backend in ("gtk", "appindicator"):
            # pystray queues each change as its own GLib idle callback; queued from this
            # thread, each one could wake the main loop on its own. Handing the whole redraw
            # over at once wakes it once, and pystray's callbacks then run while it is awake.
            from gi.repository import GLib

            def redraw() -> bool:
                try:
                    self._redraw()
                except Exception:
                    log.exception("cannot redraw the tray icon")
                return False  # once

            GLib.idle_add(redraw)
        else:
            self._redraw()

    def _redraw(self) -> None:
        """Change only what changed: a new image costs pystray a PNG written to disk, a menu
        rebuild a new Gtk.Menu, and each of them X round trips.

        The status line words the next break as a clock time, so it stays true until the state
        changes and the app calls ``refresh``; no timer wakes the daemon to redraw it. The menu
        is rebuilt whenever its text changes, before it can be opened: a label changed while
        the menu opens would come after GTK sized and placed it (partly off screen).
        """
        assert self._shown is not None
        icon, c = self._shown
        text = c.status_line(countdown=False)
        image = self._images["due" if c.undelivered() is not None else c.mode().value]
        if icon.icon is not image:
            icon.icon = image
        title = f"microbreak: {text}"
        if icon.title != title:
            icon.title = title
        shape = (text, c.mode(), c.unanswered(), tuple(c.snooze_choices))
        if shape != self._menu_shape:
            self._text, self._menu_shape = text, shape
            icon.update_menu()
            if self.backend in ("gtk", "appindicator"):
                # pystray builds the menu in an idle callback queued just now; this one comes
                # after it, so the line is logged once the new menu is in place.
                from gi.repository import GLib

                GLib.idle_add(lambda: log.debug("tray: %s", text))
            else:
                log.debug("tray: %s", text)
            log.debug("tray menu: %s", labels(icon.menu))
        tooltip = f"microbreak\n{text}"
        if tooltip != self._tooltip:
            self._tooltip = tooltip
            if self._docked is not None:
                self._docked.set_tooltip_text(tooltip)

    def _follow_status_icon(self) -> None:
        """Show the status as the GTK icon's tooltip.

        pystray's GTK backend gives its title to Gtk.StatusIcon.set_title, which only screen
        readers read, and keeps its Gtk.StatusIcon to itself. GObject's public emission hook
        hands us that StatusIcon each time a tray docks it (``size-changed``), and GTK's own
        API sets the tooltip. Called once pystray made its icon, so the class has its signals.
        """
        from gi.repository import GObject, Gtk

        def docked(status_icon: Any, *_size: object) -> bool:
            self._docked = status_icon
            status_icon.set_tooltip_text(self._tooltip)
            return True  # keep the hook: a restarted tray host docks the icon again

        GObject.add_emission_hook(Gtk.StatusIcon, "size-changed", docked)

    # -- running -------------------------------------------------------------------------------

    def run(self, controls: Controls, ready: Callable[[], None]) -> None:
        """Show the icon for ``controls`` and own the main thread until ``stop``; ``ready``
        runs (on pystray's setup thread) as soon as the icon is on its way to the tray."""
        icon = self._pystray.Icon(
            "microbreak",
            icon=self._images["running"],
            title="microbreak",
            menu=self._menu(controls),
        )
        if self.backend == "gtk":
            self._follow_status_icon()
        self._shown = (icon, controls)
        if self._stopping:
            return

        def setup(icon: Any) -> None:
            icon.visible = True  # the main loop docks it while ``ready`` runs here
            ready()
            self.refresh()

        try:
            icon.run(setup=setup)
        except Exception as e:
            if not self._stopping:
                raise
            # pystray's GTK clean-up hides its own notification over D-Bus and raises when no
            # notification server is running; by then the icon is gone and we are leaving.
            log.debug("tray clean-up: %s", e)

    def stop(self) -> None:
        """Remove the icon and leave ``run``; safe from any thread."""
        self._stopping = True
        if self._shown is None:
            return  # ``run`` sees it and returns at once
        icon = self._shown[0]
        try:
            icon.visible = False
        finally:
            icon.stop()
