"""The exercise catalog: short moves for the neck, shoulders and upper back.

Every exercise is taken from one of the seed articles in ``shared/seeds`` and keeps the article's
numbers (holds, repetitions) where it gives them, but all wording is our own. The catalog is plain
data so the rotation, the notifier and the tests can all share one source of truth; it imports only
the standard library so the core stays free of desktop dependencies.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType


def N_(message: str) -> str:
    """Mark ``message`` for the translators' catalog; it is translated when shown
    (``i18n.shown``), so the catalog stays plain data that needs only the standard library."""
    return message


class Position(str, Enum):
    """Where the exercise is done; the default rotation offers only seated ones at a desk."""

    SEATED = "seated"
    STANDING = "standing"
    FLOOR = "floor"


class Area(str, Enum):
    """The main body area worked, so the rotation can spread breaks across the body."""

    NECK = "neck"
    SHOULDERS = "shoulders"
    UPPER_BACK = "upper back"
    CHEST = "chest"
    SPINE = "spine"
    HIPS = "hips"


@dataclass(frozen=True, slots=True)
class Source:
    """Which article an exercise comes from, so every entry can be traced and checked."""

    title: str
    seed: str


class Sides(str, Enum):
    """Whether one repetition works both sides at once or each side in turn."""

    BOTH = "both"
    EACH = "each"


@dataclass(frozen=True, slots=True)
class Routine:
    """The dose as data, so the guide can count it: ``repetitions`` of a move held for
    ``hold_seconds`` (0: no hold), on both sides at once or each in turn; ``pace_seconds`` is one
    repetition's movement in and out, besides the hold (None: the guide's calm default)."""

    repetitions: int
    hold_seconds: int
    sides: Sides
    pace_seconds: float | None = None

    def __post_init__(self) -> None:
        """A routine the guide cannot count is a bug in the catalog or in the file reader."""
        if self.repetitions < 1 or self.hold_seconds < 0:
            raise ValueError(f"a routine needs repetitions >= 1 and hold >= 0: {self}")
        if self.pace_seconds is not None and not self.pace_seconds > 0:
            raise ValueError(f"a routine's pace must be above 0 seconds: {self}")


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise, small enough to show in full in a desktop notification."""

    id: str
    name: str
    instructions: str
    dose: str
    position: Position
    area: Area
    source: Source
    #: An absolute path to a PNG shown with the reminder (user exercises); None: the pictogram.
    image: str | None = None
    #: The dose as data for the guide; None: a simple timed guide.
    routine: Routine | None = None
    #: A user exercise's own translations, as (language, field, text): ("de", "name", "...").
    translations: tuple[tuple[str, str, str], ...] = ()


_PAIN_EXERCISES = Source("Upper Back Pain Exercises", "000_7ef061d3e861d36f.txt")
_REHAB = Source("Upper Back Pain Rehabilitation Exercises", "001_2ed98539a1cf4b3c.txt")
_FIVE_EXERCISES = Source(
    "5 Exercises to Alleviate Your Upper Back Pain Once and for All",
    "002_bf43043274d389d5.txt",
)
_MICROBREAK = Source("Upper Back Pain Exercises", "003_263c19c9ee066d96.txt")
_CHOOSING = Source(
    "How do I Choose the Best Exercises for Upper Back Pain?",
    "004_fb8eb40a8535814e.txt",
)

SAFETY_NOTE = N_(
    "Talk to your doctor before you begin, and again if an ache lingers for weeks. "
    "If anything hurts sharply, stop right away; ease in gently and build up little by little."
)

#: The pace of a dose the article calls slow ("3 slow times"): seconds per repetition.
SLOW = 6.0

# Each routine carries its dose's numbers; where the article gives a range ("5 to 10 times")
# the routine takes its low end, as the articles ask for a slow start.
CATALOG: tuple[Exercise, ...] = (
    # The five desk moves of the "wellness microbreak" (003).
    Exercise(
        id="upper-back-movement",
        name=N_("Upper back movement"),
        instructions=N_(
            "Reach back over each shoulder and rest your palms on your upper back. Fold forward, "
            "elbows dropping toward the floor, then roll up slowly, head last."
        ),
        dose=N_("3 slow times"),
        position=Position.SEATED,
        area=Area.SPINE,
        source=_MICROBREAK,
        routine=Routine(3, 0, Sides.BOTH, SLOW),
    ),
    Exercise(
        id="high-reach-stretch",
        name=N_("High-reach stretch"),
        instructions=N_(
            "Sit tall and lift both arms overhead. Fan your fingers wide and stretch up as far as "
            "is comfortable, then let your arms relax."
        ),
        dose=N_("hold 5 seconds, repeat 5 times"),
        position=Position.SEATED,
        area=Area.SHOULDERS,
        source=_MICROBREAK,
        routine=Routine(5, 5, Sides.BOTH),
    ),
    Exercise(
        id="shoulder-rolls",
        name=N_("Shoulder rolls"),
        instructions=N_(
            "Sit tall but loose, feet flat. Circle your shoulders slowly up, back and down, "
            "and let them settle before the next circle."
        ),
        dose=N_("5 times"),
        position=Position.SEATED,
        area=Area.SHOULDERS,
        source=_MICROBREAK,
        routine=Routine(5, 0, Sides.BOTH),
    ),
    Exercise(
        id="shoulder-squeeze",
        name=N_("Shoulder squeeze"),
        instructions=N_(
            "Sit tall, elbows bent at a right angle and lifted to shoulder height. Draw them back "
            "until your shoulder blades could grip a pencil, and glide your head back."
        ),
        dose=N_("hold 3 seconds, 5 to 10 times"),
        position=Position.SEATED,
        area=Area.UPPER_BACK,
        source=_MICROBREAK,
        routine=Routine(5, 3, Sides.BOTH),
    ),
    Exercise(
        id="shoulder-shrug",
        name=N_("Shoulder shrug"),
        instructions=N_(
            "Sit upright, spine easy. Lift both shoulders toward your ears and pause there, then "
            "let them drop and go loose."
        ),
        dose=N_("hold 3 seconds, repeat 5 times"),
        position=Position.SEATED,
        area=Area.NECK,
        source=_MICROBREAK,
        routine=Routine(5, 3, Sides.BOTH),
    ),
    # Other desk-friendly moves.
    Exercise(
        id="seated-thoracic-rotation",
        name=N_("Seated thoracic rotation"),
        instructions=N_(
            "Sit with feet flat, fingertips behind your head, elbows wide. Turn your chest to one "
            "side with hips still, pause, then turn to the other side."
        ),
        dose=N_("hold 2 seconds, 10 to 12 each side"),
        position=Position.SEATED,
        area=Area.SPINE,
        source=_FIVE_EXERCISES,
        routine=Routine(10, 2, Sides.EACH),
    ),
    Exercise(
        id="gentle-neck-stretch",
        name=N_("Gentle neck stretch"),
        instructions=N_(
            "Sit tall with shoulders low. Slowly tip one ear toward its shoulder until you feel a "
            "mild pull, breathe, then switch. Never force it."
        ),
        dose=N_("hold 15 seconds, 2 each side"),
        position=Position.SEATED,
        area=Area.NECK,
        source=_FIVE_EXERCISES,
        routine=Routine(2, 15, Sides.EACH),
    ),
    Exercise(
        id="seated-chest-opener",
        name=N_("Seated chest opener"),
        instructions=N_(
            "Sit near the front of your seat and link your hands behind you. Draw them gently "
            "down and back so your chest lifts and opens, then release."
        ),
        dose=N_("hold 10 seconds, 3 times"),
        position=Position.SEATED,
        area=Area.CHEST,
        source=_CHOOSING,
        routine=Routine(3, 10, Sides.BOTH),
    ),
    Exercise(
        id="seated-backbend",
        name=N_("Seated backbend"),
        instructions=N_(
            "Sit back against the backrest and raise both arms overhead. Lift your chest and arch "
            "gently back over the top of the backrest, then sit up slowly."
        ),
        dose=N_("hold 5 seconds, 3 times"),
        position=Position.SEATED,
        area=Area.CHEST,
        source=_CHOOSING,
        routine=Routine(3, 5, Sides.BOTH),
    ),
    Exercise(
        id="upper-back-stretch",
        name=N_("Upper back stretch"),
        instructions=N_(
            "Link your fingers and push your hands out in front at chest height. Round your upper "
            "back so the shoulder blades spread apart, chin tucked, then sit tall."
        ),
        dose=N_("hold 10 seconds, 3 times"),
        position=Position.SEATED,
        area=Area.UPPER_BACK,
        source=_FIVE_EXERCISES,
        routine=Routine(3, 10, Sides.BOTH),
    ),
    Exercise(
        id="pectoralis-doorway-stretch",
        name=N_("Pectoralis doorway stretch"),
        instructions=N_(
            "Stand in a doorway with a hand on each side of the frame. Lean through until the "
            "front of your chest stretches, hold, then step back."
        ),
        dose=N_("hold 15 seconds, 3 times"),
        position=Position.STANDING,
        area=Area.CHEST,
        source=_PAIN_EXERCISES,
        routine=Routine(3, 15, Sides.BOTH),
    ),
    Exercise(
        id="wall-arm-slides",
        name=N_("Wall arm slides"),
        instructions=N_(
            "Stand with your back flat to a wall, arms on the wall and palms out. Slowly slide the "
            "arms up, then back down, keeping them in contact with the wall."
        ),
        dose=N_("20 slow slides"),
        position=Position.STANDING,
        area=Area.SHOULDERS,
        source=_PAIN_EXERCISES,
        routine=Routine(20, 0, Sides.BOTH, SLOW),
    ),
    Exercise(
        id="reaching-skyward",
        name=N_("Reaching skyward"),
        instructions=N_(
            "Stand tall and stretch both hands toward the ceiling, reaching a little higher as "
            "you breathe out, then lower your arms."
        ),
        dose=N_("hold 5 seconds, 3 times"),
        position=Position.STANDING,
        area=Area.SPINE,
        source=_REHAB,
        routine=Routine(3, 5, Sides.BOTH),
    ),
    Exercise(
        id="pelvic-push",
        name=N_("Pelvic push"),
        instructions=N_(
            "Stand with feet apart and hands on your hips. Ease your pelvis forward while your "
            "feet stay planted, then come back to neutral. No bouncing."
        ),
        dose=N_("5 times"),
        position=Position.STANDING,
        area=Area.HIPS,
        source=_REHAB,
        routine=Routine(5, 0, Sides.BOTH),
    ),
    Exercise(
        id="raise-a-knee",
        name=N_("Raise a knee"),
        instructions=N_(
            "Stand tall, a hand on the desk for balance. Lift one knee until that foot is level "
            "with the other knee, lower it, then switch legs."
        ),
        dose=N_("5 each side"),
        position=Position.STANDING,
        area=Area.HIPS,
        source=_REHAB,
        routine=Routine(5, 0, Sides.EACH),
    ),
    # Floor exercises: for home, not for the office chair.
    Exercise(
        id="floor-press",
        name=N_("Floor press"),
        instructions=N_(
            "Lie face down, hands under your shoulders. Gently push your chest up off the floor "
            "while hips, knees and toes stay down, then lower."
        ),
        dose=N_("5 slow times"),
        position=Position.FLOOR,
        area=Area.SPINE,
        source=_REHAB,
        routine=Routine(5, 0, Sides.BOTH, SLOW),
    ),
    Exercise(
        id="mid-trap-on-pillow",
        name=N_("Mid trap on a pillow"),
        instructions=N_(
            "Lie face down, a pillow propping up your chest, arms straight out to the sides. "
            "Lift the arms slowly, pinching your shoulder blades, then lower."
        ),
        dose=N_("10 times"),
        position=Position.FLOOR,
        area=Area.UPPER_BACK,
        source=_PAIN_EXERCISES,
        routine=Routine(10, 0, Sides.BOTH),
    ),
    Exercise(
        id="upper-back-extension",
        name=N_("Upper back extension"),
        instructions=N_(
            "Lie face down, arms along your body. Raise your chest a little off the floor with "
            "your neck long and eyes down, pause, then lower slowly."
        ),
        dose=N_("10 to 15 times"),
        position=Position.FLOOR,
        area=Area.UPPER_BACK,
        source=_FIVE_EXERCISES,
        routine=Routine(10, 0, Sides.BOTH),
    ),
    Exercise(
        id="cat-camel",
        name=N_("Cat-camel"),
        instructions=N_(
            "On hands and knees, hands below shoulders and knees below hips. Hump your back with "
            "chin tucked, then let it dip as chest and tailbone lift."
        ),
        dose=N_("10 to 12 times"),
        position=Position.FLOOR,
        area=Area.SPINE,
        source=_FIVE_EXERCISES,
        routine=Routine(10, 0, Sides.BOTH),
    ),
    Exercise(
        id="bridge",
        name=N_("Bridge"),
        instructions=N_(
            "Lie on your back, knees bent, feet flat. Push through your heels to raise your hips "
            "until knees, hips and shoulders line up, pause, then lower."
        ),
        dose=N_("10 to 15 times"),
        position=Position.FLOOR,
        area=Area.HIPS,
        source=_FIVE_EXERCISES,
        routine=Routine(10, 0, Sides.BOTH),
    ),
)


#: Old ids merged into another exercise, so a config that names one keeps working. Scapular
#: squeezes (article 000) and the shoulder blade squeeze (002) were the same pinch of the
#: shoulder blades as the wellness microbreak's shoulder squeeze.
MERGED: Mapping[str, str] = MappingProxyType(
    {
        "scapular-squeezes": "shoulder-squeeze",
        "shoulder-blade-squeeze": "shoulder-squeeze",
    }
)


def current_id(exercise_id: str, known: Collection[str]) -> str:
    """The id to look up: ``exercise_id`` itself when ``known`` has it (so an exercise file of
    yours that reuses an old id keeps its own meaning), else what it merged into."""
    if exercise_id in known:
        return exercise_id
    return MERGED.get(exercise_id, exercise_id)
