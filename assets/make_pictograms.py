"""Draw each exercise's two pictograms with Pillow, so ``assets/exercises/*.png`` can be rebuilt.

Run ``python assets/make_pictograms.py`` with the project installed (it reads the catalog); it
rewrites ``exercises/<id>.png`` (the start pose) and ``exercises/<id>-end.png`` (where the
movement arrives) next to this file, and ``--sheet FILE`` also writes a contact sheet with the
two poses of each exercise side by side, to look over. The style is one for all: a dark stick
figure with round caps and a round head, grey props (chair, floor, wall, door frame) on a light
rounded tile, so it reads on dark notification themes too. The start pose carries one or two
teal arrows that show the movement, because a notification shows it alone; the end pose has no
arrows, since the guide window that moves between the two says what to do and how long. Both
poses share one drawing per exercise, so tile, figure and props stay the same and only the
moving parts differ. Drawn at four times 128 px and shrunk with LANCZOS, like the icons;
deterministic.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

from make_icons import INK, TEAL, Pen, Point
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
GAP = 0.022  # the tile-coloured gap that sets a part in front apart from the one behind it

T = TypeVar("T", Point, float)


@dataclass(frozen=True)
class Pose:
    """Which of an exercise's two poses to draw; a drawing gives each moving part as
    ``pose(start, end)`` (a point, or a number such as a height), so both poses come from one
    figure and differ only where it moves."""

    end: bool

    def __call__(self, start: T, end: T) -> T:
        return end if self.end else start


START, END = Pose(end=False), Pose(end=True)


# --- drawing tools ------------------------------------------------------------------------------


def mirror(points: Sequence[Point]) -> list[Point]:
    """The same points on the other side of a figure seen from the front, which stands in the
    middle of the tile."""
    return [(1 - x, y) for x, y in points]


def limb(pen: Pen, *points: Point, mirrored: bool = False) -> None:
    """A body part: a thick dark polyline with round caps and joins; with ``mirrored``, its twin
    on the other side too (both arms)."""
    pen.stroke(points, LIMB, INK)
    if mirrored:
        pen.stroke(mirror(points), LIMB, INK)


def head(pen: Pen, centre: Point, *, halo: bool = False) -> None:
    """The round head; with ``halo`` a thin gap keeps the arm behind it from merging with it."""
    if halo:
        pen.disc(centre, HEAD + GAP, TILE)
    pen.disc(centre, HEAD, INK)


def in_front(pen: Pen, *points: Point) -> None:
    """A limb that crosses in front of another part, set apart from it by a thin gap."""
    pen.stroke(points, LIMB + 2 * GAP, TILE)
    limb(pen, *points)


def prop(pen: Pen, *points: Point, width: float = PROP_LINE) -> None:
    """Furniture and the floor, in grey."""
    pen.stroke(points, width, PROP)


def arrow(pen: Pen, points: Sequence[Point], *, both: bool = False, mirrored: bool = False) -> None:
    """A teal arrow along ``points`` with a solid head at the end (and the start, if ``both``);
    with ``mirrored``, its twin on the other side too."""
    pen.stroke(points, ARROW_LINE, TEAL)
    _arrow_head(pen, points)
    if both:
        _arrow_head(pen, list(reversed(points)))
    if mirrored:
        arrow(pen, mirror(points), both=both)


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
    (cx, cy), (rx, ry) = centre, radii
    angles = [math.radians(start + (end - start) * i / steps) for i in range(steps + 1)]
    return [(cx + rx * math.cos(angle), cy + ry * math.sin(angle)) for angle in angles]


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
    limb(pen, (0.42, 0.645), (0.42, 0.88), (0.37, 0.88), mirrored=True)
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


def upper_back_movement(pen: Pen, pose: Pose) -> None:
    """Palms on the upper back, elbows up; folds forward until the elbows point at the floor."""
    seated_side(pen)
    hip = (0.35, 0.62)
    shoulder = pose((0.37, 0.38), (0.60, 0.47))
    limb(pen, *curve(hip, pose((0.35, 0.50), (0.45, 0.40)), shoulder))
    if pose.end:
        limb(pen, shoulder, (0.69, 0.53))
        head(pen, (0.75, 0.57))
        pen.stroke([(0.50, 0.43), (0.69, 0.70), shoulder], LIMB * 0.8, INK)  # elbow to the floor
        return
    pen.stroke([(0.29, 0.36), (0.46, 0.09), shoulder], LIMB * 0.8, INK)  # elbow up, hand behind
    head(pen, (0.48, 0.27), halo=True)
    arrow(pen, arc(hip, (0.58, 0.58), -64, -28))


def high_reach_stretch(pen: Pen, pose: Pose) -> None:
    """Seated tall, hands in the lap; both arms straight overhead, fingers fanned."""
    left, right = seated_front(pen, shoulders=0.40)
    head(pen, (0.5, 0.29))
    if not pose.end:
        limb(pen, left, (0.35, 0.54), (0.44, 0.62), mirrored=True)
        arrow(pen, [(0.18, 0.50), (0.18, 0.18)], mirrored=True)
        return
    for shoulder, hand, side in ((left, (0.36, 0.10), -1.0), (right, (0.64, 0.10), 1.0)):
        limb(pen, shoulder, hand)
        for spread in (-0.03, 0.0, 0.03):
            pen.stroke([hand, (hand[0] + spread + side * 0.012, hand[1] - 0.045)], LIMB * 0.4, INK)


def shoulder_rolls(pen: Pen, pose: Pose) -> None:
    """Seated, arms loose, a circling arrow around each shoulder; the top of the circle."""
    height = pose(0.38, 0.335)
    seated_front(pen, shoulders=height, bar=False)
    head(pen, (0.5, 0.25))
    left, right = pose((0.385, 0.39), (0.365, 0.315)), pose((0.615, 0.39), (0.635, 0.315))
    limb(pen, left, (0.43, height + 0.005), (0.57, height + 0.005), right)
    limb(pen, left, pose((0.37, 0.52), (0.34, 0.48)), (0.40, 0.62), mirrored=True)
    if not pose.end:
        arrow(pen, arc((0.33, 0.38), (0.10, 0.10), 110, 325), mirrored=True)


def shoulder_squeeze(pen: Pen, pose: Pose) -> None:
    """Side view, elbow bent at shoulder height; drawn back, the head glided back over it."""
    seated_side(pen, hip=(0.40, 0.64))
    hip, shoulder = (0.41, 0.62), (0.43, 0.40)
    limb(pen, hip, shoulder)
    head(pen, pose((0.50, 0.27), (0.44, 0.27)))
    elbow = pose((0.66, 0.41), (0.30, 0.40))
    limb(pen, shoulder, elbow, (elbow[0], 0.17))  # forearm up
    if not pose.end:
        arrow(pen, [(0.88, 0.30), (0.76, 0.30)])
        arrow(pen, [(0.66, 0.09), (0.36, 0.09)])


def shoulder_shrug(pen: Pen, pose: Pose) -> None:
    """Seated, shoulders low; lifted toward the ears."""
    height = pose(0.38, 0.345)
    seated_front(pen, shoulders=height, bar=False)
    head(pen, (0.5, 0.25))
    left, right = pose((0.385, 0.39), (0.355, 0.30)), pose((0.615, 0.39), (0.645, 0.30))
    limb(pen, left, (0.43, height), (0.57, height), right)
    limb(pen, left, pose((0.35, 0.52), (0.31, 0.47)), (0.40, 0.61), mirrored=True)
    if not pose.end:
        arrow(pen, [(0.25, 0.38), (0.25, 0.16)], mirrored=True)


def seated_thoracic_rotation(pen: Pen, pose: Pose) -> None:
    """Fingertips behind the head, elbows wide; the chest turned, one elbow forward, hips still.

    The arms are turned about the spine and seen from a little above, so the elbow that comes
    forward also drops and passes in front of the face: that is what reads as a turn.
    """
    turn, tilt = math.radians(pose(0.0, 42.0)), 0.38

    def turned(x: float, y: float, z: float = 0.0) -> Point:
        across = x * math.cos(turn) + z * math.sin(turn)
        toward = -x * math.sin(turn) + z * math.cos(turn)
        return (0.5 + across, y + toward * tilt)

    seated_front(pen, shoulders=0.40, bar=False)
    near, far = turned(-0.115, 0.41), turned(0.115, 0.41)
    limb(pen, far, turned(0.25, 0.32, 0.02), turned(0.08, 0.22, -0.05))
    head(pen, (0.5, 0.27), halo=True)
    limb(pen, near, (0.5, 0.40), far)
    in_front(pen, near, turned(-0.25, 0.32, 0.02), turned(-0.08, 0.22, -0.05))
    if not pose.end:
        arrow(pen, arc((0.5, 0.50), (0.27, 0.075), 200, 340))
        pen.stroke(arc((0.5, 0.50), (0.27, 0.075), 30, 150), ARROW_LINE, TEAL)


def gentle_neck_stretch(pen: Pen, pose: Pose) -> None:
    """Seated, shoulders low, head upright; one ear tipped toward its shoulder."""
    left, _ = seated_front(pen)
    limb(pen, (0.5, 0.38), pose((0.5, 0.32), (0.44, 0.32)))
    head(pen, pose((0.5, 0.25), (0.41, 0.27)))
    limb(pen, left, (0.36, 0.52), (0.40, 0.62), mirrored=True)
    if not pose.end:
        arrow(pen, arc((0.5, 0.38), (0.26, 0.26), -65, -145))


def seated_chest_opener(pen: Pen, pose: Pose) -> None:
    """Side view, on the front of the seat, hands linked behind; drawn down and back, chest up."""
    seated_side(pen, hip=(0.42, 0.64))
    hip = (0.43, 0.62)
    shoulder = pose((0.47, 0.38), (0.44, 0.37))
    limb(pen, *curve(hip, pose((0.47, 0.50), (0.55, 0.50)), shoulder))
    head(pen, pose((0.50, 0.25), (0.41, 0.24)))
    hands = pose((0.37, 0.60), (0.27, 0.58))
    limb(pen, shoulder, pose((0.39, 0.49), (0.35, 0.48)), hands)
    pen.disc(hands, 0.042, INK)  # linked hands
    if not pose.end:
        arrow(pen, curve((0.62, 0.52), (0.72, 0.48), (0.74, 0.30)))
        arrow(pen, [(0.34, 0.44), (0.24, 0.52)])


def seated_backbend(pen: Pen, pose: Pose) -> None:
    """Side view, back to the backrest, arms overhead; arched back over the top of it."""
    seated_side(pen, hip=(0.40, 0.64))
    hip = (0.40, 0.62)
    shoulder = pose((0.37, 0.37), (0.31, 0.36))
    limb(pen, *curve(hip, pose((0.39, 0.50), (0.47, 0.46)), shoulder))
    if pose.end:
        head(pen, (0.37, 0.25))
        limb(pen, shoulder, (0.24, 0.21), (0.16, 0.08))  # arms overhead, reaching back
        return
    limb(pen, shoulder, (0.33, 0.21), (0.31, 0.08))  # arms straight up
    head(pen, (0.45, 0.26), halo=True)
    arrow(pen, arc(hip, (0.52, 0.52), -108, -132))


def upper_back_stretch(pen: Pen, pose: Pose) -> None:
    """Side view, sitting tall, linked hands out at chest height; pushed on, the back rounded."""
    seated_side(pen, hip=(0.38, 0.64))
    hip = (0.38, 0.62)
    shoulder = pose((0.39, 0.37), (0.46, 0.37))
    limb(pen, *curve(hip, pose((0.38, 0.50), (0.27, 0.40)), shoulder))
    head(pen, pose((0.41, 0.24), (0.55, 0.47)))  # ends chin tucked, between the arms
    hands = pose((0.66, 0.39), (0.79, 0.38))
    limb(pen, shoulder, hands)
    pen.disc(hands, 0.042, INK)  # linked hands
    if not pose.end:
        arrow(pen, [(0.62, 0.27), (0.88, 0.27)])
        arrow(pen, [(0.30, 0.33), (0.14, 0.27)])


# --- standing -----------------------------------------------------------------------------------


def pectoralis_doorway_stretch(pen: Pen, pose: Pose) -> None:
    """A door frame, forearm flat on it; the body leans through, feet planted."""
    pen.panel((0.06, 0.06), (0.16, 0.93), 0.02, PROP_FILL)
    prop(pen, (0.06, 0.06), (0.06, 0.93))
    prop(pen, (0.16, 0.06), (0.16, 0.93))
    prop(pen, (0.06, 0.06), (0.16, 0.06))
    prop(pen, (0.04, 0.93), (0.96, 0.93))
    hip = pose((0.36, 0.58), (0.44, 0.58))
    shoulder = pose((0.35, 0.33), (0.52, 0.33))
    knee = pose((0.47, 0.74), (0.56, 0.74))
    limb(pen, (0.25, 0.89), (0.32, 0.89), hip, knee, (0.58, 0.89), (0.66, 0.89))
    limb(pen, hip, shoulder)
    head(pen, pose((0.37, 0.20), (0.58, 0.21)))
    limb(pen, shoulder, pose((0.20, 0.40), (0.19, 0.33)), (0.19, 0.18))  # forearm on the frame
    if not pose.end:
        arrow(pen, [(0.56, 0.40), (0.82, 0.40)])


def wall_arm_slides(pen: Pen, pose: Pose) -> None:
    """Back to a wall, arms on it in a low W; slid up high, still touching the wall."""
    pen.panel((0.10, 0.05), (0.90, 0.90), 0.03, PROP_FILL)
    left, _ = standing_front(pen)
    head(pen, (0.5, 0.19))
    elbow, hand = pose((0.24, 0.46), (0.29, 0.19)), pose((0.22, 0.26), (0.26, 0.05))
    limb(pen, left, elbow, hand, mirrored=True)
    if not pose.end:
        arrow(pen, [(0.13, 0.52), (0.13, 0.16)], both=True, mirrored=True)


def reaching_skyward(pen: Pen, pose: Pose) -> None:
    """Standing tall, arms down; both hands stretched to the ceiling."""
    left, _ = standing_front(pen)
    head(pen, (0.5, 0.19))
    if pose.end:
        limb(pen, left, (0.37, 0.05), mirrored=True)
        return
    limb(pen, left, (0.35, 0.46), (0.36, 0.58), mirrored=True)
    arrow(pen, [(0.22, 0.44), (0.22, 0.10)], mirrored=True)


def pelvic_push(pen: Pen, pose: Pose) -> None:
    """Side view, hands on hips, standing straight; the pelvis eased forward."""
    prop(pen, (0.18, 0.92), (0.82, 0.92))
    hip = pose((0.46, 0.56), (0.555, 0.56))
    shoulder = pose((0.45, 0.31), (0.43, 0.31))
    limb(pen, (0.40, 0.88), (0.48, 0.88), hip, (0.52, 0.88), (0.60, 0.88))
    limb(pen, hip, pose((0.455, 0.43), (0.48, 0.43)), shoulder)
    head(pen, pose((0.45, 0.18), (0.42, 0.18)))
    elbow, hand = pose((0.35, 0.44), (0.34, 0.44)), pose((0.45, 0.54), (0.49, 0.54))
    limb(pen, shoulder, elbow, hand)  # hand on the hip, elbow back
    if not pose.end:
        arrow(pen, [(0.60, 0.56), (0.82, 0.56)])


def raise_a_knee(pen: Pen, pose: Pose) -> None:
    """Side view, a hand on a desk, both feet down; one knee raised, its foot at the other knee."""
    prop(pen, (0.04, 0.92), (0.96, 0.92))
    pen.panel((0.62, 0.46), (0.96, 0.52), 0.01, PROP)  # desk top
    prop(pen, (0.90, 0.52), (0.90, 0.92))
    hip, shoulder = (0.40, 0.56), (0.40, 0.31)
    limb(pen, hip, (0.40, 0.88), (0.48, 0.88))  # standing leg
    if pose.end:
        limb(pen, hip, (0.58, 0.56), (0.58, 0.74), (0.65, 0.74))  # raised knee
    else:
        limb(pen, hip, (0.45, 0.72), (0.44, 0.88), (0.52, 0.88))
    limb(pen, hip, shoulder)
    head(pen, (0.41, 0.18))
    limb(pen, shoulder, (0.55, 0.40), (0.70, 0.44))  # hand on the desk
    limb(pen, shoulder, (0.33, 0.43), (0.30, 0.55))
    if not pose.end:
        arrow(pen, [(0.64, 0.84), (0.64, 0.60)])


# --- floor --------------------------------------------------------------------------------------


def floor_press(pen: Pen, pose: Pose) -> None:
    """Face down, hands under the shoulders; arms straight, chest up, hips down."""
    floor(pen)
    if pose.end:
        shoulder = (0.56, 0.50)
        limb(pen, (0.06, 0.76), (0.40, 0.76), shoulder)
        head(pen, (0.63, 0.40))
        limb(pen, shoulder, (0.58, 0.765), (0.65, 0.765))
        return
    shoulder = (0.60, 0.745)
    limb(pen, (0.06, 0.76), (0.40, 0.76), shoulder)
    head(pen, (0.71, 0.71))
    limb(pen, shoulder, (0.51, 0.60), (0.60, 0.765), (0.66, 0.765))  # elbow up, palm down
    arrow(pen, curve((0.80, 0.60), (0.86, 0.46), (0.80, 0.32)))


def mid_trap_on_pillow(pen: Pen, pose: Pose) -> None:
    """Seen head-on, chest on a pillow, arms out to the sides on the floor; arms lifted."""
    floor(pen, 0.82)
    pen.draw.rounded_rectangle(  # the pillow
        [v * pen.scale for v in (0.30, 0.66, 0.70, 0.80)],
        radius=0.06 * pen.scale,
        fill=PROP_FILL,
        outline=PROP,
        width=round(0.025 * pen.scale),
    )
    head(pen, (0.5, 0.55))
    left, right = pose((0.08, 0.775), (0.08, 0.52)), pose((0.92, 0.775), (0.92, 0.52))
    limb(pen, left, (0.32, 0.64), (0.68, 0.64), right)
    if not pose.end:
        arrow(pen, [(0.14, 0.62), (0.14, 0.36)], mirrored=True)


def upper_back_extension(pen: Pen, pose: Pose) -> None:
    """Face down, arms along the body; the chest a little off the floor, eyes down."""
    floor(pen)
    shoulder = pose((0.62, 0.755), (0.62, 0.64))
    limb(pen, (0.06, 0.76), (0.40, 0.76), shoulder)
    head(pen, pose((0.71, 0.715), (0.70, 0.59)))
    limb(pen, pose((0.58, 0.72), (0.58, 0.66)), (0.40, 0.72), (0.30, 0.725))
    if not pose.end:
        arrow(pen, curve((0.84, 0.66), (0.88, 0.54), (0.84, 0.42)))


def cat_camel(pen: Pen, pose: Pose) -> None:
    """On hands and knees, the back humped, chin tucked; the back dipped, chest and head up."""
    floor(pen)
    hip, shoulder = pose((0.32, 0.50), (0.32, 0.46)), pose((0.66, 0.50), (0.66, 0.47))
    limb(pen, (0.14, 0.765), (0.32, 0.765), hip)  # shin and thigh
    limb(pen, *curve(hip, pose((0.49, 0.30), (0.49, 0.68)), shoulder))
    limb(pen, shoulder, (0.66, 0.765), (0.72, 0.765))
    head(pen, pose((0.74, 0.56), (0.77, 0.37)))
    if not pose.end:
        arrow(pen, [(0.49, 0.32), (0.49, 0.12)])
        arrow(pen, [(0.49, 0.50), (0.49, 0.70)])


def bridge(pen: Pen, pose: Pose) -> None:
    """On the back, knees bent, feet flat; hips raised in line with knees and shoulders."""
    floor(pen)
    head(pen, (0.12, 0.70))
    shoulder = (0.22, 0.74)
    hip, knee = pose((0.47, 0.755), (0.50, 0.52)), pose((0.64, 0.50), (0.68, 0.40))
    limb(pen, shoulder, hip, knee, (0.76, 0.765), (0.84, 0.765))
    limb(pen, shoulder, (0.40, 0.765))
    if not pose.end:
        arrow(pen, [(0.40, 0.68), (0.40, 0.48)])


DRAWINGS: dict[str, Callable[[Pen, Pose], None]] = {
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


def pictogram(draw: Callable[[Pen, Pose], None], pose: Pose = START) -> Image.Image:
    """One 128 px pictogram: the light tile, then the scene in the given pose."""
    pen = Pen(SIZE)
    pen.panel((0.0, 0.0), (1.0, 1.0), 0.16, TILE_EDGE)
    pen.panel((0.012, 0.012), (0.988, 0.988), 0.15, TILE)
    draw(pen, pose)
    return pen.shrunk()


def build(folder: Path = HERE / "exercises") -> list[Path]:
    """Write both poses of every catalog exercise, start then end, and drop files of ids that
    left it.

    Fails if an exercise has no drawing, so a new one cannot ship without its pictograms.
    """
    missing = [exercise.id for exercise in CATALOG if exercise.id not in DRAWINGS]
    if missing:
        raise SystemExit(f"no pictogram drawn for: {', '.join(missing)}")
    folder.mkdir(exist_ok=True)
    written = []
    for exercise in CATALOG:
        # The start pose keeps the plain name that notifications have always shown.
        for suffix, pose in (("", START), ("-end", END)):
            path = folder / f"{exercise.id}{suffix}.png"
            pictogram(DRAWINGS[exercise.id], pose).save(path, format="PNG", optimize=True)
            written.append(path)
    for stale in set(folder.glob("*.png")) - set(written):
        stale.unlink()
    return written


def contact_sheet(paths: Sequence[Path], columns: int = 3) -> Image.Image:
    """Each start pose beside its end pose at their real size, over the exercise id, for review.

    ``paths`` come in pairs as ``build`` returns them: start, end, start, end...
    """
    pad, gap, label = 12, 8, 18
    pair_width = 2 * SIZE + gap + 2 * pad
    pairs = [tuple(paths[n : n + 2]) for n in range(0, len(paths), 2)]
    rows = -(-len(pairs) // columns)
    sheet = Image.new("RGB", (columns * pair_width, rows * (SIZE + pad + label)), (64, 68, 72))
    draw = ImageDraw.Draw(sheet)
    for n, pair in enumerate(pairs):
        x, y = n % columns * pair_width + pad, n // columns * (SIZE + pad + label) + pad
        for offset, path in zip((0, SIZE + gap), pair, strict=False):
            with Image.open(path) as tile:
                sheet.paste(tile, (x + offset, y), tile)
        draw.text((x, y + SIZE + 2), f"{pair[0].stem}  (start | end)", fill=(255, 255, 255))
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
