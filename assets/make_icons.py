"""Draw microbreak's app and tray icons with Pillow, so the PNGs can be rebuilt from source.

Run ``python assets/make_icons.py``; it rewrites the PNGs next to this file. Everything is drawn
from simple shapes at four times the final size and shrunk with LANCZOS, which gives smooth edges
without any external artwork, and the output is the same on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SUPERSAMPLE = 4

RGBA = tuple[int, int, int, int]
Point = tuple[float, float]

WHITE: RGBA = (255, 255, 255, 255)
INK: RGBA = (24, 32, 36, 255)  # the dark outline that keeps tray icons visible on light panels
TEAL: RGBA = (22, 150, 136, 255)
TEAL_DARK: RGBA = (12, 96, 88, 255)
TEAL_SOFT: RGBA = (34, 168, 153, 255)
AMBER: RGBA = (240, 168, 24, 255)
GREY: RGBA = (150, 156, 160, 255)
RED: RGBA = (232, 64, 40, 255)
CLEAR: RGBA = (0, 0, 0, 0)


class Pen:
    """Draws in unit coordinates (0..1 across the image) so one design serves every size; it
    draws at ``SUPERSAMPLE`` times ``size``, and ``shrunk`` gives the image at ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.image = Image.new("RGBA", (size * SUPERSAMPLE, size * SUPERSAMPLE), CLEAR)
        self.draw = ImageDraw.Draw(self.image)
        self.scale = float(self.image.width)

    def shrunk(self) -> Image.Image:
        """What was drawn, at its final size."""
        return self.image.resize((self.size, self.size), Image.Resampling.LANCZOS)

    def _px(self, value: float) -> float:
        return value * self.scale

    def _circle_box(self, centre: Point, radius: float) -> tuple[float, ...]:
        x, y = centre
        return tuple(self._px(v) for v in (x - radius, y - radius, x + radius, y + radius))

    def disc(self, centre: Point, radius: float, fill: RGBA) -> None:
        """A filled circle; also used for the round ends of strokes."""
        self.draw.ellipse(self._circle_box(centre, radius), fill=fill)

    def stroke(self, points: Sequence[Point], width: float, fill: RGBA) -> None:
        """A thick polyline with round caps and joins, which Pillow does not offer by itself."""
        pixels = [(self._px(x), self._px(y)) for x, y in points]
        self.draw.line(pixels, fill=fill, width=round(self._px(width)))
        for point in points:
            self.disc(point, width / 2, fill)

    def panel(self, top_left: Point, bottom_right: Point, radius: float, fill: RGBA) -> None:
        """A rounded rectangle: the app tile and the chair back."""
        box = (*map(self._px, top_left), *map(self._px, bottom_right))
        self.draw.rounded_rectangle(box, radius=self._px(radius), fill=fill)

    def clear_disc(self, centre: Point, radius: float) -> None:
        """Punch a transparent hole, so a badge stands apart from the disc behind it."""
        mask = Image.new("L", self.image.size, 0)
        ImageDraw.Draw(mask).ellipse(self._circle_box(centre, radius), fill=255)
        self.image.paste(Image.new("RGBA", self.image.size, CLEAR), (0, 0), mask)


def _stretcher(pen: Pen, centre: Point, unit: float, colour: RGBA, limb: float) -> None:
    """The motif: a person with both arms raised in a stretch (head, V-shaped arms, body)."""
    cx, cy = centre

    def at(dx: float, dy: float) -> Point:
        return (cx + dx * unit, cy + dy * unit)

    shoulder = at(0.0, -0.02)
    pen.stroke([at(-0.40, -0.52), at(-0.13, -0.10), shoulder], limb * unit, colour)
    pen.stroke([at(0.40, -0.52), at(0.13, -0.10), shoulder], limb * unit, colour)
    pen.stroke([shoulder, at(0.0, 0.30)], limb * unit * 1.25, colour)
    pen.disc(at(0.0, -0.30), 0.135 * unit, colour)


#: Sizes of the app icon set, 16 to 256 px.
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def app_icon(size: int) -> Image.Image:
    """The launcher icon: the figure seated on a chair, stretching, on a teal tile."""
    pen = Pen(size)
    pen.panel((0.04, 0.04), (0.96, 0.96), 0.22, TEAL)
    pen.disc((0.5, 0.44), 0.34, TEAL_SOFT)
    # Chair: a back behind the body, a seat and two splayed legs, darker so the figure leads.
    pen.panel((0.32, 0.40), (0.68, 0.64), 0.04, TEAL_DARK)
    pen.stroke([(0.26, 0.66), (0.74, 0.66)], 0.06, TEAL_DARK)
    pen.stroke([(0.31, 0.66), (0.27, 0.86)], 0.045, TEAL_DARK)
    pen.stroke([(0.69, 0.66), (0.73, 0.86)], 0.045, TEAL_DARK)
    _stretcher(pen, (0.5, 0.40), 0.52, WHITE, 0.14)
    # Lap seen from the front, then shins down to the floor with the feet turned out.
    pen.stroke([(0.40, 0.615), (0.60, 0.615)], 0.08, WHITE)
    pen.stroke([(0.40, 0.615), (0.40, 0.85), (0.35, 0.85)], 0.07, WHITE)
    pen.stroke([(0.60, 0.615), (0.60, 0.85), (0.65, 0.85)], 0.07, WHITE)
    return pen.shrunk()


def tray_icon(fill: RGBA, badge: str | None) -> Image.Image:
    """A 64 px tray icon: the figure on a coloured disc with a dark rim, plus an optional badge."""
    pen = Pen(64)
    pen.disc((0.5, 0.5), 0.48, INK)
    pen.disc((0.5, 0.5), 0.42, fill)
    _stretcher(pen, (0.5, 0.56), 0.62, WHITE, 0.15)
    if badge is not None:
        _badge(pen, badge)
    return pen.shrunk()


def _badge(pen: Pen, kind: str) -> None:
    """A round badge at bottom right, clear of the raised arms; a transparent gap sets it apart."""
    centre, radius = (0.77, 0.77), 0.22
    pen.clear_disc(centre, radius + 0.05)
    pen.disc(centre, radius, INK)
    if kind == "due":
        pen.disc(centre, radius - 0.055, RED)
        return
    pen.disc(centre, radius - 0.05, WHITE)
    x, y = centre
    if kind == "snoozed":
        z = [(x - 0.07, y - 0.07), (x + 0.07, y - 0.07), (x - 0.07, y + 0.07), (x + 0.07, y + 0.07)]
        pen.stroke(z, 0.06, INK)
    elif kind == "paused":
        pen.stroke([(x - 0.05, y - 0.07), (x - 0.05, y + 0.07)], 0.065, INK)
        pen.stroke([(x + 0.05, y - 0.07), (x + 0.05, y + 0.07)], 0.065, INK)
    else:
        raise ValueError(f"unknown badge {kind!r}")


def build(folder: Path = HERE) -> list[Path]:
    """Write every icon into ``folder`` and return the paths, for the script and for tests."""
    images = {
        "microbreak.png": app_icon(256),
        "microbreak-64.png": app_icon(64),
        # The launcher icon set, one file per size desktops ask for (hicolor theme sizes).
        **{f"icons/microbreak-{n}.png": app_icon(n) for n in ICON_SIZES},
        "tray-running.png": tray_icon(TEAL, None),
        "tray-snoozed.png": tray_icon(AMBER, "snoozed"),
        "tray-paused.png": tray_icon(GREY, "paused"),
        "tray-due.png": tray_icon(TEAL, "due"),
    }
    written = []
    for name, image in images.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, format="PNG", optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build():
        print(written_path)
