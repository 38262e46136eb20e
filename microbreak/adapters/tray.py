"""The tray icon and its menu, on pystray with icons drawn from the PNGs in ``assets/``.

Every menu entry calls one of the app's actions (the same ones the CLI will use); the tray only
shows state. pystray is imported here, and only after ``tray_probe`` said which backend to use.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.durations import humanize, spelled
from ..core.planner import Mode, StateError
from ..i18n import _, pgettext
from .glib_loop import name_the_program

if TYPE_CHECKING:
    from ..app import App

log = logging.getLogger(__name__)

PAUSE_CHOICES = (timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2))
GLIB_BACKENDS = ("gtk", "appindicator")


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
            if name in GLIB_BACKENDS:
                name_the_program()
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

    def __init__(self, assets: Path, backends: Sequence[str]) -> None:
        """Load pystray (raises TrayUnavailable) and the icon images; ``run`` shows the icon."""
        from PIL import Image

        self._pystray, self.backend = load_pystray(backends)
        self._images = {
            name: Image.open(assets / f"tray-{name}.png").convert("RGBA")
            for name in ("running", "snoozed", "paused", "due")
        }
        self.has_menu = bool(self._pystray.Icon.HAS_MENU)
        #: Its main loop is GLib's, which also runs the default context (the notification
        #: buttons' signals); with another backend the daemon runs a GLib loop of its own.
        self.runs_glib = self.backend in GLIB_BACKENDS
        self._stopping = False
        self._text = "microbreak"  # the status line, once the app has started
        self._menu_shape: tuple[object, ...] | None = None
        self._tooltip = f"microbreak\n{self._text}"
        self._docked: Any = None  # the Gtk.StatusIcon, once docked (gtk backend)
        #: The icon and what it shows, from ``run`` on: before it there is nothing to redraw.
        self._shown: tuple[Any, App] | None = None

    def _menu(self, app: App) -> Any:
        pystray = self._pystray
        item, menu = pystray.MenuItem, pystray.Menu

        def act(action: Callable[[], object]) -> None:
            try:
                action()
            except StateError as e:  # e.g. nothing to snooze: said, not an error
                log.info("%s", e)
            except Exception:
                log.exception("menu action failed")

        def call(action: Callable[[], object]) -> Callable[[Any, Any], None]:
            """Off the GTK thread: an action may wait for a slow notification server (a
            reminder, a withdrawal), and the menu must not freeze meanwhile."""

            def run(icon: Any, menu_item: Any) -> None:
                threading.Thread(target=act, args=(action,), name="tray-action").start()

            return run

        def say(text: Callable[[], str]) -> Callable[[Any], str]:
            """A label read each time the menu is built: a live reload may change the language."""
            return lambda _item: text()

        def snooze_item(duration: timedelta) -> Any:
            return item(humanize(duration), call(lambda: app.snooze(duration)))

        def pause_item(duration: timedelta | None) -> Any:
            label = (lambda: spelled(duration)) if duration else (lambda: _("Until resumed"))
            return item(say(label), call(lambda: app.pause(duration)))

        def not_paused(_: Any) -> bool:
            return app.mode() is not Mode.PAUSED

        return menu(
            item(lambda _: self._text, call(lambda: None), enabled=False),
            item(
                say(lambda: _("Take a break now")),
                call(lambda: app.break_now(guide=True)),
                default=not self.has_menu,
            ),
            item(
                say(lambda: pgettext("tray menu", "Snooze")),
                # A callable, so a live config reload's new choices show up in the menu.
                menu(lambda: tuple(snooze_item(d) for d in app.snooze_choices)),
                enabled=not_paused,
            ),
            item(
                say(lambda: pgettext("tray menu", "Pause")),
                menu(
                    *(pause_item(d) for d in PAUSE_CHOICES),
                    item(say(lambda: _("Until tomorrow morning")), call(app.pause_until_morning)),
                    pause_item(None),
                ),
                enabled=not_paused,
            ),
            item(
                say(lambda: _("Resume")),
                call(app.resume),
                enabled=lambda _: app.mode() is Mode.PAUSED,
            ),
            # Shown after a reminder until it is answered, like `microbreak done` / `skip`.
            item(
                say(lambda: _("Done: {exercise}").format(exercise=app.unanswered())),
                call(app.done),
                visible=lambda _: app.unanswered() is not None,
            ),
            item(
                say(lambda: _("Skip it")),
                call(app.skip),
                visible=lambda _: app.unanswered() is not None,
            ),
            menu.SEPARATOR,
            item(say(lambda: _("Open config file")), call(app.open_config)),
            item(say(lambda: _("Quit")), call(app.quit)),
        )

    def refresh(self) -> None:
        """Redraw icon, tooltip and menu after any change of state."""
        if self._shown is not None:
            self._on_loop(self._redraw)

    def _on_loop(self, action: Callable[[], None]) -> None:
        """Run ``action`` on the GLib loop when it is pystray's, after what pystray queued, else
        now. pystray queues each change as its own idle callback, each of which could wake the
        main loop from this thread; handing it the whole redraw wakes it once."""
        if not self.runs_glib:
            action()
            return
        from gi.repository import GLib

        def once() -> bool:
            try:
                action()
            except Exception:
                log.exception("cannot redraw the tray icon")
            return False

        GLib.idle_add(once)

    def _redraw(self) -> None:
        """Change only what changed: a new image costs pystray a PNG on disk, a menu a new
        Gtk.Menu, each X round trips. The status line says the next break as a clock time, so
        no timer needs to redraw it. The menu is rebuilt when its text changes, before it can be
        opened: a label changed as it opens would come after GTK sized it (partly off screen).
        """
        assert self._shown is not None
        icon, app = self._shown
        text = app.status_line(countdown=False)
        image = self._images["due" if app.undelivered() is not None else app.mode().value]
        if icon.icon is not image:
            icon.icon = image
        title = f"microbreak: {text}"
        if icon.title != title:
            icon.title = title
        shape = (text, app.mode(), app.unanswered(), tuple(app.snooze_choices))
        if shape != self._menu_shape:
            self._text, self._menu_shape = text, shape
            icon.update_menu()
            # Logged once the new menu is in place (pystray builds it in an idle callback).
            self._on_loop(lambda: log.debug("tray: %s", text))
            log.debug("tray menu: %s", labels(icon.menu))
        tooltip = f"microbreak\n{text}"
        if tooltip != self._tooltip:
            self._tooltip = tooltip
            if self._docked is not None:
                self._docked.set_tooltip_text(tooltip)

    def _follow_status_icon(self) -> None:
        """Show the status as the GTK icon's tooltip: pystray sets only the title, which only
        screen readers read, and keeps its Gtk.StatusIcon to itself. GObject's public emission
        hook hands it to us each time a tray docks it. Call it once pystray made its icon."""
        from gi.repository import GObject, Gtk

        def docked(status_icon: Any, *_size: object) -> bool:
            self._docked = status_icon
            status_icon.set_tooltip_text(self._tooltip)
            return True  # keep the hook: a restarted tray host docks the icon again

        GObject.add_emission_hook(Gtk.StatusIcon, "size-changed", docked)

    def run(self, app: App, ready: Callable[[], None]) -> None:
        """Show the icon for ``app`` and own the main thread until ``stop``; ``ready``
        runs (on pystray's setup thread) as soon as the icon is on its way to the tray."""
        icon = self._pystray.Icon(
            "microbreak",
            icon=self._images["running"],
            title="microbreak",
            menu=self._menu(app),
        )
        if self.backend == "gtk":
            self._follow_status_icon()
        self._shown = (icon, app)
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
            if self.runs_glib:
                _close_shared_session_bus()
            icon.stop()


def _close_shared_session_bus() -> None:
    """pystray's GTK clean-up closes its own notification with a D-Bus call that has no time
    limit (GDBus's 25 s) on the session connection the process shares; a notification server
    that never answers would hold the quit that long. pystray offers no way to skip it, so the
    connection is closed first (we use our own connections): the call then fails at once, and
    the tray host drops an AppIndicator icon as its connection goes."""
    from gi.repository import Gio, GLib

    try:
        Gio.bus_get_sync(Gio.BusType.SESSION, None).close_sync(None)
    except GLib.Error as e:  # no session bus, or closed already
        log.debug("closing the shared session bus: %s", e.message)
