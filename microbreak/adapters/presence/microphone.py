"""Is a microphone recording (a call, a voice message)? Asked of PulseAudio or PipeWire.

``pactl`` lists the recording streams ("source outputs"). Not every stream is someone talking:
level meters (pavucontrol's "Peak detect"), paused (corked) streams and recordings of a
speaker's monitor source are skipped. Best effort: without ``pactl`` or a sound server this
says nothing. Each check runs ``pactl`` twice (with C locale, with a timeout).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field

from ...i18n import _

log = logging.getLogger(__name__)

TIMEOUT = 2.0
_PROPERTY_RE = re.compile(r'^\s*([\w.]+) = "(.*)"$')
_METERS = frozenset({"Peak detect", "peak detect"})


@dataclass
class SourceOutput:
    """One recording stream, as ``pactl list source-outputs`` describes it."""

    source: str = ""
    corked: bool = False
    properties: dict[str, str] = field(default_factory=dict)


def parse_source_outputs(text: str) -> list[SourceOutput]:
    """Parse the long form of ``pactl list source-outputs`` (C locale)."""
    outputs: list[SourceOutput] = []
    for line in text.splitlines():
        if line.startswith("Source Output #"):
            outputs.append(SourceOutput())
            continue
        if not outputs:
            continue
        current = outputs[-1]
        stripped = line.strip()
        if stripped.startswith("Source:"):
            current.source = stripped.removeprefix("Source:").strip()
        elif stripped.startswith("Corked:"):
            current.corked = stripped.removeprefix("Corked:").strip() == "yes"
        else:
            prop = _PROPERTY_RE.match(line)
            if prop:
                current.properties[prop.group(1)] = prop.group(2)
    return outputs


def monitor_sources(short_sources: str) -> set[str]:
    """Indexes of monitor sources (speaker loopbacks) in ``pactl list short sources``."""
    found: set[str] = set()
    for line in short_sources.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[1].endswith(".monitor"):
            found.add(fields[0])
    return found


def recording(outputs: list[SourceOutput], monitors: set[str]) -> SourceOutput | None:
    """The first stream that records a real microphone, if any."""
    for output in outputs:
        if output.corked or output.source in monitors:
            continue
        if output.properties.get("media.name") in _METERS:
            continue
        return output
    return None


class MicrophoneInUse:
    """The do-not-disturb check for a recording stream."""

    name = "microphone"

    def __init__(
        self,
        pactl: str = "pactl",
        timeout: float = TIMEOUT,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.pactl = pactl
        self.timeout = timeout
        self.env = env

    def _run(self, executable: str, *args: str) -> str | None:
        env = {**(self.env if self.env is not None else os.environ), "LC_ALL": "C"}
        try:
            result = subprocess.run(
                [executable, *args],
                capture_output=True,
                text=True,
                timeout=self.timeout,
                stdin=subprocess.DEVNULL,
                env=env,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            log.debug("pactl %s failed: %s", " ".join(args), e)
            return None
        return result.stdout if result.returncode == 0 else None

    def reason(self) -> str | None:
        """``"microphone in use (by <app>)"`` or None (also without pactl or a server)."""
        executable = shutil.which(self.pactl)
        if executable is None:
            return None
        listing = self._run(executable, "list", "source-outputs")
        if not listing:
            return None
        sources = self._run(executable, "list", "short", "sources") or ""
        found = recording(parse_source_outputs(listing), monitor_sources(sources))
        if found is None:
            return None
        app = found.properties.get("application.name")
        if app:
            return _("microphone in use (by {app})").format(app=app)
        return _("microphone in use")

    def close(self) -> None:
        """Nothing to close."""
