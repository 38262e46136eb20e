"""Is a microphone recording (a call)? Asked of PulseAudio or PipeWire through ``pactl``. Not
every recording stream is someone talking: level meters, paused (corked) streams and recordings
of a speaker's monitor are skipped."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping

from ...i18n import _
from ..children import output_of

TIMEOUT = 2.0
_PROPERTY_RE = re.compile(r'^\s*([\w.]+) = "(.*)"$')
_METERS = frozenset({"Peak detect", "peak detect"})


def parse_source_outputs(text: str) -> list[dict[str, str]]:
    """The streams of ``pactl list source-outputs`` (C locale): fields and properties by name."""
    outputs: list[dict[str, str]] = []
    for line in text.splitlines():
        if line.startswith("Source Output #"):
            outputs.append({})
        elif outputs:
            prop = _PROPERTY_RE.match(line)
            key, colon, value = line.strip().partition(":")
            if prop:
                outputs[-1][prop[1]] = prop[2]
            elif colon:
                outputs[-1][key] = value.strip()
    return outputs


def monitor_sources(short_sources: str) -> set[str]:
    """Indexes of monitor sources (speaker loopbacks) in ``pactl list short sources``."""
    rows = (line.split("\t") for line in short_sources.splitlines())
    return {row[0] for row in rows if len(row) >= 2 and row[1].endswith(".monitor")}


class MicrophoneInUse:
    name = "microphone"

    def __init__(
        self, pactl: str = "pactl", timeout: float = TIMEOUT, env: Mapping[str, str] = os.environ
    ) -> None:
        self.pactl = pactl
        self.timeout = timeout
        self.env = env

    def reason(self) -> str | None:
        executable = shutil.which(self.pactl)
        if executable is None:
            return None
        env = {**self.env, "LC_ALL": "C"}
        listing = output_of([executable, "list", "source-outputs"], self.timeout, env)
        if not listing:
            return None
        sources = output_of([executable, "list", "short", "sources"], self.timeout, env)
        monitors = monitor_sources(sources or "")
        for stream in parse_source_outputs(listing):
            if (
                stream.get("Corked") == "yes"
                or stream.get("Source") in monitors
                or stream.get("media.name") in _METERS
            ):
                continue
            app = stream.get("application.name")
            if app:
                return _("microphone in use (by {app})").format(app=app)
            return _("microphone in use")
        return None

    def close(self) -> None:
        """Nothing to close."""
