"""The guide window: GTK 3 through gi, the toolkit the tray already loads (no new one).

It draws what the pure timeline (``core/guide.py``) says at each tick: name, first sentence, the
pictogram cross-faded between the poses (or pulsing), a count, a bar, Done and Skip. Polite like
a notification: it asks not to take the focus until clicked, stays above but small at the
bottom left (away from notifications), and follows the dark preference. Only X11 has requests for
the first two, so on Wayland it opens through Xwayland when there is one (``prefer_x11``);
without it, GNOME focuses the window anyway and places it itself, so Esc waits for a click.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, MutableMapping
from enum import Enum
from pathlib import Path
from typing import Any

from ..core.exercises import Exercise
from ..core.guide import Frame, Guide
from ..i18n import _, pgettext, shown
from ..paths import package_assets
from .glib_loop import name_the_program
from .gsettings import settings_with

log = logging.getLogger(__name__)

PICTURE = 128  # the pictogram's side in logical pixels
TICK_MS = 50
MARGIN = 48  # from the screen's edges
PULSE = 0.08  # how much the one picture grows at the top of its pulse
CANVAS = round(PICTURE * (1 + PULSE))  # the picture's room: the pulse grows into it
PORTAL_TIMEOUT_MS = 500  # then we go on without the portal's colour scheme

CSS = b"""
.guide-name { font-weight: bold; font-size: 15px; }
.guide-count { font-size: 26px; }
.guide-caption { opacity: 0.7; }
"""


class GuideUnavailable(Exception):
    """No GUI toolkit here (no PyGObject or GTK 3, or no display): the text says which."""


class Outcome(str, Enum):
    DONE = "done"
    SKIPPED = "skipped"


def prefer_x11(env: MutableMapping[str, str]) -> None:
    """On Wayland with Xwayland at hand (``DISPLAY`` set too), let GTK open X11 first: its "do
    not take the focus" and "keep above" are X11 hints that GNOME honours, and Wayland has no
    request for either. A ``GDK_BACKEND`` the user set wins; GTK reads it when it opens."""
    if env.get("WAYLAND_DISPLAY") and env.get("DISPLAY") and not env.get("GDK_BACKEND"):
        env["GDK_BACKEND"] = "x11,wayland"


def load_gtk() -> Any:
    """Import GTK 3 and open the display; raises GuideUnavailable with the reason."""
    prefer_x11(os.environ)  # before the import: importing Gdk or Gtk opens the display
    try:
        import gi

        gi.require_version("Gtk", "3.0")
        gi.require_version("Gdk", "3.0")
        from gi.repository import Gtk
    except (ImportError, ValueError) as e:
        raise GuideUnavailable(
            _("GTK 3 through PyGObject cannot be loaded ({error})").format(error=e)
        ) from None
    name_the_program()
    ok, _argv = Gtk.init_check(None)
    if not ok:
        raise GuideUnavailable(_("GTK cannot open the display (no DISPLAY or WAYLAND_DISPLAY)"))
    return Gtk


def first_sentence(text: str) -> str:
    """The instructions' first sentence: one line under the name."""
    head, dot, _rest = text.partition(". ")
    return head + "." if dot else text


class GuideWindow:
    """One guide, shown until it ends; ``run`` returns how."""

    def __init__(
        self,
        exercise: Exercise,
        pictures: tuple[Path | None, Path | None],  # the start pose and the end pose, if drawn
        *,
        chime: Callable[[], None] | None = None,
        wanted: Callable[[], bool] = lambda: True,
    ) -> None:
        self._gtk = load_gtk()
        self.exercise = exercise
        #: Asked each tick: False (the daemon that asked for it is gone) closes it, unanswered.
        self._wanted = wanted
        self.guide = Guide(exercise.routine, _)  # its words in the user's language
        self._chime = chime
        self._outcome: Outcome | None = None
        self._start = 0.0
        self._last: float | None = None
        self._pose = 0.0
        self._pixbufs = [_pixbuf(p) for p in pictures]
        self._follow_dark()
        self._window = self._build()

    def run(self) -> Outcome:
        """Show the window, count the exercise through, and return how it ended."""
        from gi.repository import GLib

        if sys.platform != "win32":
            # Ctrl-C or SIGTERM close it like the close button (GTK's loop would hold Python's
            # handlers back); a child of the daemon inherits its blocked signals.
            stop = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
            for sig in stop:
                GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, self._closed)
        self._window.show_all()
        self._start = time.monotonic()
        self._tick()
        GLib.timeout_add(TICK_MS, self._tick)
        self._gtk.main()
        return self._outcome or Outcome.SKIPPED

    def _build(self) -> Any:
        from gi.repository import Gdk

        Gtk = self._gtk
        provider = Gtk.CssProvider()
        provider.load_from_data(CSS)
        screen = Gdk.Screen.get_default()
        Gtk.StyleContext.add_provider_for_screen(
            screen, provider, Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION
        )
        title = _("{exercise} — microbreak").format(exercise=shown(self.exercise, "name"))
        window = Gtk.Window(
            title=title,
            role="microbreak-guide",
            type_hint=Gdk.WindowTypeHint.UTILITY,
            resizable=False,
            focus_on_map=False,
            accept_focus=False,  # until the user clicks into it
            default_width=340,
        )
        icon = package_assets() / "microbreak.png"
        if icon.is_file():
            window.set_icon_from_file(str(icon))
        window.set_wmclass("microbreak", "microbreak")
        window.set_keep_above(True)
        window.add_events(Gdk.EventMask.BUTTON_PRESS_MASK)
        window.connect("button-press-event", self._clicked)
        window.connect("key-press-event", self._key)
        window.connect("delete-event", self._closed)

        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8, border_width=16)
        name = self._label(shown(self.exercise, "name"), "guide-name")
        instructions = self._label(first_sentence(shown(self.exercise, "instructions")), None)
        instructions.set_properties(wrap=True, max_width_chars=38)
        self._picture = picture = Gtk.Image(width_request=CANVAS, height_request=CANVAS)
        self._render()
        self._count = self._label("", "guide-count")
        self._caption = self._label("", "guide-caption")
        self._bar = Gtk.ProgressBar()
        buttons = Gtk.Box(spacing=8, homogeneous=True)
        # The notification's words; no focus: a click answers without moving the focus.
        skip = Gtk.Button(label=pgettext("notification button", "Skip"), can_focus=False)
        done = Gtk.Button(label=pgettext("notification button", "Done"), can_focus=False)
        skip.connect("clicked", lambda *_: self._end(Outcome.SKIPPED))
        done.connect("clicked", lambda *_: self._end(Outcome.DONE))
        done.get_style_context().add_class("suggested-action")
        buttons.pack_start(skip, True, True, 0)
        buttons.pack_start(done, True, True, 0)
        for part in (name, instructions, picture, self._count, self._caption, self._bar, buttons):
            box.pack_start(part, False, False, 0)
        window.add(box)
        self._show(self.guide.at(0.0))  # the texts are in: the natural size is the real one
        box.show_all()
        self._place(window)
        return window

    def _label(self, text: str, css_class: str | None) -> Any:
        label = self._gtk.Label(label=text, justify=self._gtk.Justification.CENTER)
        if css_class:
            label.get_style_context().add_class(css_class)
        return label

    def _place(self, window: Any) -> None:
        """Bottom left of the monitor's work area: notifications use the top corners."""
        from gi.repository import Gdk

        display = Gdk.Display.get_default()
        monitor = display.get_primary_monitor() or display.get_monitor(0)
        if monitor is None:
            return
        area = monitor.get_workarea()
        # Its natural size, known before it is shown: no window manager needed to place it.
        _minimum, natural = window.get_preferred_size()
        window.move(area.x + MARGIN, area.y + area.height - MARGIN - natural.height)

    def _follow_dark(self) -> None:
        """Ask GTK for the theme's dark variant when the desktop prefers dark: the portal's
        ``color-scheme`` says so (1), else GNOME's."""
        portal = _portal_scheme()
        if portal is not None:
            dark = portal == 1
        else:  # GNOME's own setting, where its schema is installed
            gnome = settings_with("org.gnome.desktop.interface", "color-scheme")
            dark = gnome is not None and gnome.get_string("color-scheme") == "prefer-dark"
        settings = self._gtk.Settings.get_default()
        if settings is not None and dark:
            settings.set_property("gtk-application-prefer-dark-theme", True)

    def _tick(self) -> bool:
        if self._outcome is not None:
            return False
        if not self._wanted():
            log.info("nobody waits for the answer any more: closing")
            self._end(Outcome.SKIPPED)
            return False
        elapsed = time.monotonic() - self._start
        frame = self.guide.at(elapsed, self._last)
        self._last = elapsed
        self._show(frame)
        if frame.rep_ended and self._chime is not None:
            self._chime()
        if frame.over:
            self._end(Outcome.DONE)
            return False
        return True

    def _show(self, frame: Frame) -> None:
        if self._count.get_text() != frame.text:
            self._count.set_text(frame.text)
            log.debug("count: %s", frame.text)
        if self._caption.get_text() != frame.caption:
            self._caption.set_text(frame.caption)
        self._bar.set_fraction(frame.progress)
        if abs(frame.pose - self._pose) > 0.005:
            self._pose = frame.pose
            self._render()

    def _render(self) -> None:
        """Draw the two poses cross-faded, or the one pulsing; GdkPixbuf alone, as PyGObject's
        cairo bindings are a package of their own."""
        from gi.repository import GdkPixbuf

        start, end = self._pixbufs
        if start is None:
            return
        interp = GdkPixbuf.InterpType.BILINEAR
        canvas = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, True, 8, CANVAS, CANVAS)
        canvas.fill(0)
        size = PICTURE if end is not None else round(PICTURE * (1 + PULSE * self._pose))
        at = (CANVAS - size) // 2
        for pose, alpha in ((start, 255), (end, round(255 * self._pose))):
            if pose is not None and alpha > 0:
                sx, sy = size / pose.get_width(), size / pose.get_height()
                pose.composite(canvas, at, at, size, size, at, at, sx, sy, interp, alpha)
        self._picture.set_from_pixbuf(canvas)

    def _clicked(self, window: Any, event: Any) -> bool:
        """The user clicked into the guide: now it may have the focus (and Esc works)."""
        if not window.get_accept_focus():
            window.set_accept_focus(True)
            window.present_with_time(event.time)
        return False

    def _closed(self, *_: object) -> bool:
        """Closed by the window manager (its close button, Alt+F4) or a signal: a skip."""
        self._end(Outcome.SKIPPED)
        return True

    def _key(self, window: Any, event: Any) -> bool:
        """Esc skips, once the user clicked into the guide. GNOME gives a native Wayland guide
        the focus on its own (GTK 3 has no Wayland request to refuse it): an Esc typed for the
        window the user works in must not skip the exercise."""
        from gi.repository import Gdk

        if event.keyval == Gdk.KEY_Escape and window.get_accept_focus():
            self._end(Outcome.SKIPPED)
            return True
        return False

    def _end(self, outcome: Outcome) -> None:
        if self._outcome is not None:
            return
        self._outcome = outcome
        self._window.destroy()
        self._gtk.main_quit()


def _pixbuf(path: Path | None) -> Any:
    if path is None:
        return None
    from gi.repository import GdkPixbuf, GLib

    try:
        return GdkPixbuf.Pixbuf.new_from_file(str(path))
    except GLib.Error as e:
        log.warning("cannot load the picture %s: %s", path, e.message)
        return None


def _portal_scheme() -> int | None:
    """The portal's ``org.freedesktop.appearance color-scheme`` (0 none, 1 dark, 2 light)."""
    from gi.repository import Gio, GLib

    try:
        bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        reply = bus.call_sync(
            "org.freedesktop.portal.Desktop",
            "/org/freedesktop/portal/desktop",
            "org.freedesktop.portal.Settings",
            "Read",
            GLib.Variant("(ss)", ("org.freedesktop.appearance", "color-scheme")),
            None,
            Gio.DBusCallFlags.NO_AUTO_START,
            PORTAL_TIMEOUT_MS,
            None,
        )
    except GLib.Error:
        return None
    value = reply.unpack()[0]  # unpack() opens the variants inside too
    return int(value) if isinstance(value, int) else None
