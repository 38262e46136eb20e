"""Draw one pictogram per exercise with Pillow, so ``assets/exercises/*.png`` can be rebuilt.

Run ``python assets/make_pictograms.py`` with the project installed (it reads the catalog); it
rewrites ``exercises/<id>.png`` next to this file, and ``--sheet FILE`` also writes a contact
sheet of them all to look over. The style is one for all: a dark stick figure with round caps
and a round head, grey props (chair, floor, wall, door frame) and one or two teal arrows that
show the movement, on a light rounded tile so it reads on dark notification themes too. Drawn
at four times 128 px and shrunk with LANCZOS, like the icons; deterministic.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

from make_icons import CLEAR, INK, SUPERSAMPLE, TEAL, Pen, Point
from PIL import Image, ImageDraw

from microbreak.core.exercises import CATALOG

HERE = Path(__file__).resolve().parent
SIZE = 128

TILE = (250, 251, 251, 255)
TILE_EDGE = (206, 214, 216, 255)
PROP = (150, 160, 165, 255)  # chair, floor, wall: lighter than the figure so the figure leads
PROP_FILL = (226, 231, 233, 255)

LIMB = 0.058  # stroke widths and the head, in tile widths
PROP_LINE = 0.036
ARROW_LINE = 0.034
HEAD = 0.074


# --- drawing tools ------------------------------------------------------------------------------


def limb(pen: Pen, *points: Point) -> None:
    """A body part: a thick dark polyline with round caps and joins."""
    pen.stroke(points, LIMB, INK)


def head(pen: Pen, centre: Point) -> None:
    pen.disc(centre, HEAD, INK)


def prop(pen: Pen, *points: Point, width: float = PROP_LINE) -> None:
    """Furniture and the floor, in grey."""
    pen.stroke(points, width, PROP)


def arrow(pen: Pen, points: Sequence[Point], *, both: bool = False) -> None:
    """A teal arrow along ``points`` with a solid head at the end (and the start, if ``both``)."""
    pen.stroke(points, ARROW_LINE, TEAL)
    _arrow_head(pen, points)
    if both:
        _arrow_head(pen, list(reversed(points)))


def _arrow_head(pen: Pen, points: Sequence[Point]) -> None:
    length, half_width = 0.065, 0.048
    tip = points[-1]
    # Aim along the path a head's length back, so curved arrows point the way they travel.
    back = points[0]
    for point in reversed(points[:-1]):
        back = point
        if math.dist(point, tip) >= length:
            break
    dx, dy = tip[0] - back[0], tip[1] - back[1]
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    base = (tip[0] - ux * length, tip[1] - uy * length)
    corners = [
        (tip[0] + ux * 0.012, tip[1] + uy * 0.012),
        (base[0] - uy * half_width, base[1] + ux * half_width),
        (base[0] + uy * half_width, base[1] - ux * half_width),
    ]
    pen.draw.polygon([(x * pen.scale, y * pen.scale) for x, y in corners], fill=TEAL)


def arc(centre: Point, radii: tuple[float, float], start: float, end: float) -> list[Point]:
    """Points on an ellipse from ``start`` to ``end`` degrees (0 = right, 90 = down)."""
    steps = max(8, round(abs(end - start) / 6))
    cx, cy = centre
    rx, ry = radii
    return [
        (
            cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
            cy + ry * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def curve(*controls: Point, steps: int = 24) -> list[Point]:
    """A Bézier curve through its end points, bent toward the middle ones."""
    points = []
    for i in range(steps + 1):
        t = i / steps
        layer = list(controls)
        while len(layer) > 1:
            layer = [
                (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for a, b in pairwise(layer)
            ]
        points.append(layer[0])
    return points


# --- stock scenes -------------------------------------------------------------------------------


def chair_front(pen: Pen) -> None:
    """A chair seen from the front: the back behind the body, the seat, splayed legs."""
    pen.panel((0.31, 0.44), (0.69, 0.66), 0.03, PROP_FILL)
    prop(pen, (0.28, 0.68), (0.72, 0.68), width=0.045)
    prop(pen, (0.32, 0.68), (0.29, 0.90))
    prop(pen, (0.68, 0.68), (0.71, 0.90))


def seated_front(pen: Pen, *, shoulders: float = 0.38, bar: bool = True) -> tuple[Point, Point]:
    """Chair, lap and body seen from the front; returns the two shoulders for the arms."""
    chair_front(pen)
    limb(pen, (0.42, 0.645), (0.58, 0.645))
    limb(pen, (0.42, 0.645), (0.42, 0.88), (0.37, 0.88))
    limb(pen, (0.58, 0.645), (0.58, 0.88), (0.63, 0.88))
    neck = (0.5, shoulders)
    limb(pen, neck, (0.5, 0.645))
    left, right = (0.385, shoulders + 0.01), (0.615, shoulders + 0.01)
    if bar:
        limb(pen, left, neck, right)
    return left, right


def chair_side(pen: Pen) -> None:
    """A chair seen from the side, facing right: back post, seat, two legs."""
    prop(pen, (0.22, 0.36), (0.25, 0.68), width=0.045)
    prop(pen, (0.24, 0.68), (0.56, 0.68), width=0.045)
    prop(pen, (0.27, 0.68), (0.26, 0.91))
    prop(pen, (0.53, 0.68), (0.54, 0.91))


def seated_side(pen: Pen, *, hip: Point = (0.35, 0.64)) -> None:
    """Chair, thigh, shin and foot of a person seated facing right; the caller adds the rest."""
    chair_side(pen)
    knee = (hip[0] + 0.26, hip[1])
    limb(pen, hip, knee, (knee[0] + 0.01, 0.89), (knee[0] + 0.09, 0.89))


def floor(pen: Pen, y: float = 0.80) -> None:
    prop(pen, (0.05, y), (0.95, y))


def standing_front(pen: Pen, *, ground: bool = True) -> tuple[Point, Point]:
    """Legs and body of a person standing, seen from the front; returns the shoulders."""
    if ground:
        prop(pen, (0.26, 0.92), (0.74, 0.92))
    limb(pen, (0.36, 0.88), (0.43, 0.88), (0.46, 0.60), (0.54, 0.60), (0.57, 0.88), (0.64, 0.88))
    neck = (0.5, 0.31)
    limb(pen, neck, (0.5, 0.60))
    left, right = (0.385, 0.32), (0.615, 0.32)
    limb(pen, left, neck, right)
    return left, right


# --- the exercises, seated ----------------------------------------------------------------------


def upper_back_movement(pen: Pen) -> None:
    """Folded forward over the knees, palms on the upper back, elbows toward the floor."""
    seated_side(pen)
    hip, shoulder = (0.35, 0.62), (0.60, 0.47)
    pen.stroke(curve(hip, (0.45, 0.40), shoulder), LIMB, INK)
    limb(pen, shoulder, (0.69, 0.53))
    head(pen, (0.75, 0.57))
    pen.stroke([(0.50, 0.43), (0.69, 0.70), shoulder], LIMB * 0.8, INK)  # elbow to the floor
    arrow(pen, arc(hip, (0.42, 0.42), -100, -40), both=True)


def high_reach_stretch(pen: Pen) -> None:
    """Seated tall, both arms straight overhead, fingers fanned."""
    left, right = seated_front(pen, shoulders=0.40)
    head(pen, (0.5, 0.29))
    for shoulder, hand, side in ((left, (0.36, 0.10), -1.0), (right, (0.64, 0.10), 1.0)):
        limb(pen, shoulder, hand)
        for spread in (-0.03, 0.0, 0.03):
            pen.stroke([hand, (hand[0] + spread + side * 0.012, hand[1] - 0.045)], LIMB * 0.4, INK)
    arrow(pen, [(0.18, 0.44), (0.18, 0.18)])
    arrow(pen, [(0.82, 0.44), (0.82, 0.18)])


def shoulder_rolls(pen: Pen) -> None:
    """Seated, arms loose, a circling arrow around each shoulder."""
    left, right = seated_front(pen)
    head(pen, (0.5, 0.25))
    limb(pen, left, (0.37, 0.52), (0.40, 0.62))
    limb(pen, right, (0.63, 0.52), (0.60, 0.62))
    arrow(pen, arc((0.33, 0.38), (0.10, 0.10), 110, 325))
    arrow(pen, arc((0.67, 0.38), (0.10, 0.10), 70, -145))


def shoulder_squeeze(pen: Pen) -> None:
    """Seen from the side: elbow up at shoulder height and drawn back, head gliding back."""
    seated_side(pen, hip=(0.40, 0.64))
    hip, shoulder = (0.41, 0.62), (0.43, 0.40)
    limb(pen, hip, shoulder)
    head(pen, (0.45, 0.27))
    limb(pen, shoulder, (0.32, 0.40), (0.32, 0.17))  # elbow back, forearm up
    arrow(pen, [(0.27, 0.29), (0.10, 0.29)])
    arrow(pen, [(0.70, 0.27), (0.57, 0.27)])


def shoulder_shrug(pen: Pen) -> None:
    """Seated, shoulders lifted toward the ears, arrows up."""
    seated_front(pen, shoulders=0.345, bar=False)
    head(pen, (0.5, 0.25))
    raised_left, raised_right = (0.355, 0.30), (0.645, 0.30)
    limb(pen, raised_left, (0.43, 0.345), (0.57, 0.345), raised_right)
    limb(pen, raised_left, (0.31, 0.47), (0.39, 0.60))
    limb(pen, raised_right, (0.69, 0.47), (0.61, 0.60))
    arrow(pen, [(0.25, 0.38), (0.25, 0.16)])
    arrow(pen, [(0.75, 0.38), (0.75, 0.16)])


def seated_thoracic_rotation(pen: Pen) -> None:
    """Seated, fingertips behind the head, elbows wide; a twisting arrow around the chest."""
    left, right = seated_front(pen, shoulders=0.40)
    head(pen, (0.5, 0.27))
    limb(pen, left, (0.25, 0.32), (0.42, 0.22))
    limb(pen, right, (0.75, 0.32), (0.58, 0.22))
    arrow(pen, arc((0.5, 0.50), (0.27, 0.075), 200, 340))
    pen.stroke(arc((0.5, 0.50), (0.27, 0.075), 30, 150), ARROW_LINE, TEAL)


def gentle_neck_stretch(pen: Pen) -> None:
    """Seated, shoulders low, one ear tipped toward its shoulder."""
    left, right = seated_front(pen)
    limb(pen, (0.5, 0.38), (0.44, 0.32))
    head(pen, (0.41, 0.27))
    limb(pen, left, (0.36, 0.52), (0.40, 0.62))
    limb(pen, right, (0.64, 0.52), (0.60, 0.62))
    arrow(pen, arc((0.5, 0.38), (0.22, 0.22), -70, -140))


def seated_chest_opener(pen: Pen) -> None:
    """Seen from the side, on the front of the seat, hands linked behind, chest lifted."""
    seated_side(pen, hip=(0.42, 0.64))
    hip, shoulder = (0.43, 0.62), (0.45, 0.38)
    pen.stroke(curve(hip, (0.52, 0.50), shoulder), LIMB, INK)
    head(pen, (0.43, 0.25))
    limb(pen, shoulder, (0.38, 0.50), (0.33, 0.60))  # arm reaching down and back
    pen.disc((0.33, 0.60), 0.042, INK)  # linked hands
    arrow(pen, curve((0.60, 0.52), (0.70, 0.48), (0.72, 0.30)))
    arrow(pen, [(0.30, 0.47), (0.23, 0.58)])


def seated_backbend(pen: Pen) -> None:
    """Seen from the side, arms overhead, arching back over the top of the backrest."""
    seated_side(pen, hip=(0.40, 0.64))
    hip, shoulder = (0.40, 0.62), (0.31, 0.36)
    pen.stroke(curve(hip, (0.47, 0.46), shoulder), LIMB, INK)  # chest lifted, back arched
    head(pen, (0.37, 0.25))
    limb(pen, shoulder, (0.24, 0.21), (0.16, 0.08))  # arms overhead, reaching back
    arrow(pen, arc(hip, (0.36, 0.36), -18, -72))


def upper_back_stretch(pen: Pen) -> None:
    """Seen from the side, hands linked and pushed forward, head down, the upper back rounded."""
    seated_side(pen, hip=(0.38, 0.64))
    hip, shoulder = (0.38, 0.62), (0.46, 0.37)
    pen.stroke(curve(hip, (0.27, 0.40), shoulder), LIMB, INK)  # the back rounded outward
    head(pen, (0.55, 0.47))  # chin tucked, between the arms
    limb(pen, shoulder, (0.78, 0.38))  # straight arms reaching forward
    pen.disc((0.79, 0.38), 0.042, INK)  # linked hands
    arrow(pen, [(0.66, 0.26), (0.90, 0.26)])
    arrow(pen, [(0.28, 0.30), (0.12, 0.22)])


# --- standing -----------------------------------------------------------------------------------


def pectoralis_doorway_stretch(pen: Pen) -> None:
    """A door frame; the person leans through it, forearm against the frame."""
    pen.panel((0.06, 0.06), (0.16, 0.93), 0.02, PROP_FILL)
    prop(pen, (0.06, 0.06), (0.06, 0.93))
    prop(pen, (0.16, 0.06), (0.16, 0.93))
    prop(pen, (0.06, 0.06), (0.16, 0.06))
    prop(pen, (0.04, 0.93), (0.96, 0.93))
    hip, shoulder = (0.44, 0.58), (0.52, 0.33)
    limb(pen, (0.25, 0.89), (0.32, 0.89), (0.44, 0.58), (0.56, 0.74), (0.58, 0.89), (0.66, 0.89))
    limb(pen, hip, shoulder)
    head(pen, (0.58, 0.21))
    limb(pen, shoulder, (0.19, 0.33), (0.19, 0.14))  # forearm flat on the frame
    arrow(pen, [(0.66, 0.42), (0.86, 0.42)])


def wall_arm_slides(pen: Pen) -> None:
    """Back to a wall, arms on it in a W; arrows up and down along the wall."""
    pen.panel((0.10, 0.05), (0.90, 0.90), 0.03, PROP_FILL)
    left, right = standing_front(pen)
    head(pen, (0.5, 0.19))
    limb(pen, left, (0.27, 0.36), (0.24, 0.14))
    limb(pen, right, (0.73, 0.36), (0.76, 0.14))
    arrow(pen, [(0.15, 0.48), (0.15, 0.14)], both=True)
    arrow(pen, [(0.85, 0.48), (0.85, 0.14)], both=True)


def reaching_skyward(pen: Pen) -> None:
    """Standing tall, both hands stretched to the ceiling."""
    left, right = standing_front(pen)
    head(pen, (0.5, 0.19))
    limb(pen, left, (0.37, 0.05))
    limb(pen, right, (0.63, 0.05))
    arrow(pen, [(0.22, 0.40), (0.22, 0.08)])
    arrow(pen, [(0.78, 0.40), (0.78, 0.08)])


def pelvic_push(pen: Pen) -> None:
    """Seen from the side, hands on hips, pelvis eased forward."""
    prop(pen, (0.18, 0.92), (0.82, 0.92))
    hip, shoulder = (0.52, 0.56), (0.44, 0.31)
    limb(pen, (0.40, 0.88), (0.48, 0.88), hip, (0.52, 0.88), (0.60, 0.88))
    limb(pen, hip, (0.46, 0.43), shoulder)
    head(pen, (0.43, 0.18))
    limb(pen, shoulder, (0.34, 0.44), (0.46, 0.54))  # hand on the hip, elbow back
    arrow(pen, [(0.62, 0.56), (0.82, 0.56)])


def raise_a_knee(pen: Pen) -> None:
    """Seen from the side, one hand on a desk, one knee raised."""
    prop(pen, (0.04, 0.92), (0.96, 0.92))
    pen.panel((0.62, 0.46), (0.96, 0.52), 0.01, PROP)  # desk top
    prop(pen, (0.90, 0.52), (0.90, 0.92))
    hip, shoulder = (0.40, 0.56), (0.40, 0.31)
    limb(pen, hip, (0.40, 0.88), (0.48, 0.88))  # standing leg
    limb(pen, hip, (0.58, 0.56), (0.58, 0.74), (0.65, 0.74))  # raised knee
    limb(pen, hip, shoulder)
    head(pen, (0.41, 0.18))
    limb(pen, shoulder, (0.55, 0.40), (0.70, 0.44))  # hand on the desk
    limb(pen, shoulder, (0.33, 0.43), (0.30, 0.55))
    arrow(pen, [(0.74, 0.84), (0.74, 0.62)])


# --- floor --------------------------------------------------------------------------------------


def floor_press(pen: Pen) -> None:
    """Face down, arms straight under the shoulders, chest pushed up, hips down."""
    floor(pen)
    shoulder = (0.56, 0.50)
    limb(pen, (0.06, 0.76), (0.40, 0.76), shoulder)
    head(pen, (0.63, 0.40))
    limb(pen, shoulder, (0.58, 0.765), (0.65, 0.765))
    arrow(pen, curve((0.80, 0.72), (0.86, 0.56), (0.80, 0.38)))


def mid_trap_on_pillow(pen: Pen) -> None:
    """Seen head-on: lying on a pillow, arms straight out to the sides and lifting."""
    floor(pen, 0.82)
    pen.draw.rounded_rectangle(  # the pillow
        [v * pen.scale for v in (0.30, 0.66, 0.70, 0.80)],
        radius=0.06 * pen.scale,
        fill=PROP_FILL,
        outline=PROP,
        width=round(0.025 * pen.scale),
    )
    head(pen, (0.5, 0.55))
    limb(pen, (0.08, 0.60), (0.32, 0.64), (0.68, 0.64), (0.92, 0.60))
    arrow(pen, [(0.14, 0.52), (0.14, 0.32)])
    arrow(pen, [(0.86, 0.52), (0.86, 0.32)])


def upper_back_extension(pen: Pen) -> None:
    """Face down, arms along the body, chest a little off the floor, eyes down."""
    floor(pen)
    limb(pen, (0.06, 0.76), (0.40, 0.76), (0.62, 0.64))
    head(pen, (0.70, 0.59))
    limb(pen, (0.58, 0.66), (0.40, 0.72), (0.30, 0.725))  # arm along the body
    arrow(pen, curve((0.84, 0.72), (0.88, 0.60), (0.84, 0.48)))


def cat_camel(pen: Pen) -> None:
    """On hands and knees, the back humped up; arrows for humping and dipping."""
    floor(pen)
    hip, shoulder = (0.32, 0.50), (0.66, 0.50)
    limb(pen, (0.14, 0.765), (0.32, 0.765), hip)  # shin and thigh
    pen.stroke(curve(hip, (0.49, 0.30), shoulder), LIMB, INK)
    limb(pen, shoulder, (0.66, 0.765), (0.72, 0.765))
    head(pen, (0.74, 0.55))
    arrow(pen, [(0.49, 0.32), (0.49, 0.12)])
    arrow(pen, [(0.49, 0.50), (0.49, 0.70)])


def bridge(pen: Pen) -> None:
    """On the back, knees bent, hips raised in line with knees and shoulders."""
    floor(pen)
    head(pen, (0.12, 0.70))
    shoulder, hip, knee = (0.22, 0.74), (0.50, 0.52), (0.68, 0.40)
    limb(pen, shoulder, hip, knee, (0.76, 0.765), (0.84, 0.765))
    limb(pen, shoulder, (0.40, 0.765))
    arrow(pen, [(0.50, 0.75), (0.50, 0.61)])


DRAWINGS: dict[str, Callable[[Pen], None]] = {
    "upper-back-movement": upper_back_movement,
    "high-reach-stretch": high_reach_stretch,
    "shoulder-rolls": shoulder_rolls,
    "shoulder-squeeze": shoulder_squeeze,
    "shoulder-shrug": shoulder_shrug,
    "seated-thoracic-rotation": seated_thoracic_rotation,
    "gentle-neck-stretch": gentle_neck_stretch,
    "seated-chest-opener": seated_chest_opener,
    "seated-backbend": seated_backbend,
    "upper-back-stretch": upper_back_stretch,
    "pectoralis-doorway-stretch": pectoralis_doorway_stretch,
    "wall-arm-slides": wall_arm_slides,
    "reaching-skyward": reaching_skyward,
    "pelvic-push": pelvic_push,
    "raise-a-knee": raise_a_knee,
    "floor-press": floor_press,
    "mid-trap-on-pillow": mid_trap_on_pillow,
    "upper-back-extension": upper_back_extension,
    "cat-camel": cat_camel,
    "bridge": bridge,
}


def pictogram(draw: Callable[[Pen], None]) -> Image.Image:
    """One 128 px pictogram: the light tile, then the scene."""
    big = Image.new("RGBA", (SIZE * SUPERSAMPLE, SIZE * SUPERSAMPLE), CLEAR)
    pen = Pen(big)
    pen.panel((0.0, 0.0), (1.0, 1.0), 0.16, TILE_EDGE)
    pen.panel((0.012, 0.012), (0.988, 0.988), 0.15, TILE)
    draw(pen)
    return big.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def build(folder: Path = HERE / "exercises") -> list[Path]:
    """Write a pictogram for every catalog exercise and drop those of ids that left it.

    Fails if an exercise has no drawing, so a new one cannot ship without its pictogram.
    """
    missing = [exercise.id for exercise in CATALOG if exercise.id not in DRAWINGS]
    if missing:
        raise SystemExit(f"no pictogram drawn for: {', '.join(missing)}")
    folder.mkdir(exist_ok=True)
    written = []
    for exercise in CATALOG:
        path = folder / f"{exercise.id}.png"
        pictogram(DRAWINGS[exercise.id]).save(path, format="PNG", optimize=True)
        written.append(path)
    for stale in set(folder.glob("*.png")) - set(written):
        stale.unlink()
    return written


def contact_sheet(paths: Sequence[Path], columns: int = 5) -> Image.Image:
    """All pictograms side by side at their real size, each over its file name, for review."""
    cell, label = SIZE + 24, 18
    rows = -(-len(paths) // columns)
    sheet = Image.new("RGB", (columns * cell, rows * (cell + label)), (64, 68, 72))
    draw = ImageDraw.Draw(sheet)
    for n, path in enumerate(paths):
        x, y = n % columns * cell, n // columns * (cell + label)
        with Image.open(path) as tile:
            sheet.paste(tile, (x + 12, y + 12), tile)
        draw.text((x + 12, y + cell), path.stem, fill=(255, 255, 255))
    return sheet


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet PNG here")
    arguments = parser.parse_args()
    paths = build()
    for written_path in paths:
        print(written_path)
    if arguments.sheet is not None:
        contact_sheet(paths).save(arguments.sheet, format="PNG")
        print(arguments.sheet)
