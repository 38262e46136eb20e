"""The reminder chime: played by whatever audio player the system has, never in the way.

No audio library: the WAV goes to a player on PATH, or to ``winsound`` on Windows. A thread
starts the player and waits for it with a timeout, so a stuck sound server neither blocks the
caller nor leaves a child behind (an overrunning player is killed with its process group). A
chime is a nicety: failures are logged once, then at debug level; a second chime is dropped.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from ..paths import package_assets
from .children import kill_group, reap, spawn

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0  # seconds; the chime itself lasts 0.6 s

#: Players tried in order, each a program and its arguments: PipeWire's, PulseAudio's, ALSA's.
PLAYERS: tuple[tuple[str, ...], ...] = (("pw-play",), ("paplay",), ("aplay", "-q"))
if sys.platform == "darwin":
    PLAYERS = (("afplay",),)


class Chime:
    """Plays one short sound per call, in the background, at most one at a time."""

    def __init__(self, path: Path | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        # By default the packaged chime, drawn by ``assets/make_chime.py``.
        self.path = path if path is not None else package_assets() / "chime.wav"
        self.timeout = timeout
        self._busy = threading.Lock()  # held while a chime plays
        self._guard = threading.Lock()  # hands the running player over to ``close``
        self._warned = False
        self._closing = False
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def play(self) -> None:
        """Start the chime and return at once; dropped if the previous one is still playing."""
        if self._closing:
            return
        if not self._busy.acquire(blocking=False):
            log.debug("chime already playing; this one is dropped")
            return
        thread = threading.Thread(target=self._run, name="microbreak-chime", daemon=True)
        self._thread = thread
        try:
            thread.start()
        except RuntimeError:  # no more threads (interpreter shutting down): stay quiet
            self._busy.release()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the current chime to finish; True when none is playing any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self._busy.locked()

    def close(self) -> None:
        """Stop a chime that is still playing (on shutdown), and reap its player."""
        with self._guard:
            self._closing = True
            process = self._process
        if process is not None and process.poll() is None:
            kill_group(process)
        self.wait(self.timeout)

    def _run(self) -> None:
        try:
            self._play_once()
        except Exception as e:  # a chime must never take a thread down with a traceback
            self._warn("the reminder chime failed: %s", e)
        finally:
            with self._guard:
                self._process = None
            self._busy.release()

    def _play_once(self) -> None:
        if not self.path.is_file():
            self._warn("no reminder chime: %s is missing", self.path)
            return
        if sys.platform == "win32":
            import winsound

            # SND_ASYNC returns at once and Windows plays it; nothing to wait for or kill.
            winsound.PlaySound(str(self.path), winsound.SND_FILENAME | winsound.SND_ASYNC)
            return
        player = next((p for p in PLAYERS if shutil.which(p[0])), None)
        if player is None:
            names = ", ".join(p[0] for p in PLAYERS)
            self._warn("no reminder chime: none of %s is installed", names)
            return
        process, output = spawn([*player, str(self.path)])
        with self._guard:
            self._process = process
            closing = self._closing
        if closing:  # ``close`` came while we were starting it
            kill_group(process)
        code, said = reap(process, output, self.timeout)
        if code is None:
            self._warn(
                "the reminder chime player %s took longer than %g s and was stopped",
                player[0],
                self.timeout,
            )
        elif code != 0:
            self._warn(
                "the reminder chime player %s failed (exit code %s)%s",
                player[0],
                code,
                f": {said}" if said else "",
            )
        elif said:
            log.debug("the chime player %s said: %s", player[0], said)

    def _warn(self, message: str, *args: object) -> None:
        """Warn the first time only: a missing sound server is not news on every reminder."""
        if self._warned or self._closing:
            log.debug(message, *args)
            return
        self._warned = True
        log.warning(message + " (further chime problems are logged at debug level)", *args)
