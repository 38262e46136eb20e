"""Synthesise microbreak's reminder chime with the standard library, so the WAV can be rebuilt.

Run ``python assets/make_chime.py``; it rewrites ``chime.wav`` next to this file. Two soft bell
notes (a rising fifth) with a few quiet overtones and an exponential decay, a short fade in so
nothing clicks and a fade out so it ends in silence. It peaks well below full scale: a reminder
should be noticed, not startle. The output is the same on every run.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
RATE = 22050
DURATION = 0.6  # seconds
PEAK = 0.30  # of full scale: quiet-ish
FADE_IN = 0.008  # seconds; long enough to avoid a click, short enough to keep the strike
FADE_OUT = 0.12

#: (start in seconds, frequency in Hz, loudness): E5 then B5, the second a little softer.
NOTES = ((0.0, 659.26, 1.0), (0.16, 987.77, 0.8))
#: Bell-like partials: (multiple of the fundamental, relative loudness, decay per second).
PARTIALS = ((1.0, 1.0, 6.0), (2.0, 0.25, 10.0), (3.0, 0.08, 16.0))


def sample(t: float) -> float:
    """The chime's amplitude at ``t`` seconds, before scaling to ``PEAK``."""
    value = 0.0
    for start, frequency, loudness in NOTES:
        age = t - start
        if age < 0:
            continue
        attack = min(1.0, age / FADE_IN)
        for multiple, level, decay in PARTIALS:
            envelope = loudness * level * attack * math.exp(-decay * age)
            value += envelope * math.sin(2 * math.pi * frequency * multiple * age)
    remaining = DURATION - t
    return value * min(1.0, remaining / FADE_OUT)


def render() -> list[float]:
    """Every sample, normalised so the loudest one is exactly ``PEAK``."""
    raw = [sample(i / RATE) for i in range(round(DURATION * RATE))]
    loudest = max(abs(v) for v in raw)
    return [v * PEAK / loudest for v in raw]


def build(path: Path = HERE / "chime.wav") -> Path:
    """Write the chime as 22050 Hz mono 16-bit PCM and return the path."""
    frames = b"".join(struct.pack("<h", round(v * 32767)) for v in render())
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    return path


if __name__ == "__main__":
    print(build())
