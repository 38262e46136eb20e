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

from ..core.durations import humanize
from ..core.messages import Message
from ..core.planner import Mode

log = logging.getLogger(__name__)

PAUSE_CHOICES: tuple[tuple[str, timedelta | None], ...] = (
    ("30 minutes", timedelta(minutes=30)),
    ("1 hour", timedelta(hours=1)),
    ("2 hours", timedelta(hours=2)),
)


class Controls(Protocol):
    """What the tray needs from the app: state to show and actions to call."""

    @property
    def snooze_choices(self) -> Sequence[timedelta]:
        """The durations offered under Snooze."""
        ...

    def mode(self) -> Mode:
        """The current mode, for the icon and which entries are enabled."""
        ...

    def status_line(self) -> str:
        """The status for the first menu line and the tooltip."""
        ...

    def take_break_now(self) -> None:
        """Show a reminder now."""
        ...

    def snooze(self, duration: timedelta) -> None:
        """Snooze the pending reminder."""
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
            import pystray

            return pystray, name
        except Exception as e:  # ImportError, ValueError from gi.require_version, X errors
            errors.append(f"{name}: {e}")
        finally:
            if not gl_was_set:
                os.environ.pop("GDK_GL", None)  # keep it from the editor we may start
    raise TrayUnavailable("; ".join(errors) or "no tray backend to try")


class PystrayTray:
    """A pystray icon whose look, tooltip and menu follow the app's state."""

    def __init__(self, controls: Controls, assets: Path, backends: Sequence[str]) -> None:
        from PIL import Image

        self._controls = controls
        self._pystray, self.backend = load_pystray(backends)
        self._images = {
            name: Image.open(assets / f"tray-{name}.png").convert("RGBA")
            for name in ("running", "snoozed", "paused", "due")
        }
        self.has_menu = bool(self._pystray.Icon.HAS_MENU)
        self._due: Message | None = None
        self._stopping = False
        self._menu_shape: tuple[object, ...] | None = None
        self._tooltip: str | None = None
        self._icon = self._pystray.Icon(
            "microbreak",
            icon=self._images["running"],
            title="microbreak",
            menu=self._menu(),
        )

    # -- the menu ------------------------------------------------------------------------------

    def _menu(self) -> Any:
        pystray, c = self._pystray, self._controls
        item, menu = pystray.MenuItem, pystray.Menu

        def call(action: Callable[[], object]) -> Callable[[Any, Any], None]:
            def run(icon: Any, menu_item: Any) -> None:
                try:
                    action()
                except Exception:
                    log.exception("menu action failed")

            return run

        def snooze_item(duration: timedelta) -> Any:
            return item(f"{humanize(duration)}", call(lambda: c.snooze(duration)))

        def pause_item(label: str, duration: timedelta | None) -> Any:
            return item(label, call(lambda: c.pause(duration)))

        def not_paused(_: Any) -> bool:
            return c.mode() is not Mode.PAUSED

        return menu(
            item(lambda _: self._status_text(), call(lambda: None), enabled=False),
            item(
                "Take a break now",
                call(c.take_break_now),
                default=not self._pystray.Icon.HAS_MENU,
            ),
            item(
                "Snooze",
                # A callable, so a live config reload's new choices show up in the menu.
                menu(lambda: tuple(snooze_item(d) for d in c.snooze_choices)),
                enabled=not_paused,
            ),
            item(
                "Pause",
                menu(
                    *(pause_item(label, d) for label, d in PAUSE_CHOICES),
                    item("Until tomorrow morning", call(c.pause_until_morning)),
                    pause_item("Until resumed", None),
                ),
                enabled=not_paused,
            ),
            item("Resume", call(c.resume), enabled=lambda _: c.mode() is Mode.PAUSED),
            # Shown after a reminder until it is answered, like `microbreak done` / `skip`.
            item(
                lambda _: f"Done: {c.unanswered()}",
                call(c.done),
                visible=lambda _: c.unanswered() is not None,
            ),
            item("Skip it", call(c.skip), visible=lambda _: c.unanswered() is not None),
            menu.SEPARATOR,
            item("Open config file", call(c.open_config)),
            item("Quit", call(c.quit)),
        )

    def _status_text(self) -> str:
        if self._due is not None:
            return f"Break due: {self._due.title.removeprefix('Microbreak: ')}"
        return self._controls.status_line()

    # -- following the state -------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw icon, tooltip and menu after any change of state."""
        self._due = None
        self._apply(self._images[self._controls.mode().value])

    def flag_due(self, message: Message) -> None:
        """No notification server: the icon itself says a break is due."""
        self._due = message
        self._apply(self._images["due"])

    def _apply(self, image: Any) -> None:
        if self.backend in ("gtk", "appindicator"):
            # pystray queues each change as its own GLib idle callback; queued from this
            # thread, each one could wake the main loop on its own. Handing the whole redraw
            # over at once wakes it once, and pystray's callbacks then run while it is awake.
            from gi.repository import GLib

            def redraw() -> bool:
                try:
                    self._redraw(image)
                except Exception:
                    log.exception("cannot redraw the tray icon")
                return False  # once

            GLib.idle_add(redraw)
        else:
            self._redraw(image)

    def _redraw(self, image: Any) -> None:
        """Change only what changed: a new image costs pystray a PNG written to disk, a menu
        rebuild a new Gtk.Menu, and each of them X round trips."""
        text = self._status_text()
        if self._icon.icon is not image:
            self._icon.icon = image
        title = f"microbreak: {text}"
        if self._icon.title != title:
            self._icon.title = title
        c = self._controls
        shape = (c.mode(), c.unanswered(), tuple(c.snooze_choices))
        # The GTK menu's status line rewrites itself each time the menu opens (see
        # _gtk_follow_menu), so there only what is enabled or shown needs a rebuild; the other
        # backends read the status line when the menu is built.
        if self.backend != "gtk" or shape != self._menu_shape:
            self._menu_shape = shape
            self._icon.update_menu()
            if self.backend in ("gtk", "appindicator"):
                self._gtk_follow_menu()
        if self.backend == "gtk" and text != self._tooltip:
            self._tooltip = text
            self._gtk_tooltip(f"microbreak\n{text}")

    def _gtk_follow_menu(self) -> None:
        """Rewrite the status line each time the GTK menu opens, so "in 23 min" is never stale.

        pystray builds the Gtk.Menu in an idle callback; ours is queued after it, so it finds
        the new menu. Refreshing on every open costs nothing while the menu is closed, unlike a
        timer that would wake the daemon every minute.
        """
        from gi.repository import GLib

        def attach() -> bool:
            menu = getattr(self._icon, "_menu_handle", None)
            if menu is not None and not getattr(menu, "_microbreak_follows", False):
                first = menu.get_children()[0]
                menu.connect("map", lambda _menu: first.set_label(self._status_text()))
                menu._microbreak_follows = True
            return False

        GLib.idle_add(attach)

    def _gtk_tooltip(self, text: str) -> None:
        """Gtk.StatusIcon shows its tooltip, not its title (called on the GTK thread)."""
        status_icon = getattr(self._icon, "_status_icon", None)
        if status_icon is not None:
            status_icon.set_tooltip_text(text)

    # -- running -------------------------------------------------------------------------------

    def run(self, ready: Callable[[], None]) -> None:
        """Own the main thread until ``stop``; ``ready`` runs once the icon is shown."""

        def setup(icon: Any) -> None:
            icon.visible = True
            self.refresh()
            ready()

        try:
            self._icon.run(setup=setup)
        except Exception as e:
            if not self._stopping:
                raise
            # pystray's GTK clean-up hides its own notification over D-Bus and raises when no
            # notification server is running; by then the icon is gone and we are leaving.
            log.debug("tray clean-up: %s", e)

    def stop(self) -> None:
        """Remove the icon and leave ``run``; safe from any thread."""
        self._stopping = True
        try:
            self._icon.visible = False
        finally:
            self._icon.stop()
