"""Opening the config file in the user's editor: the tray's "Open config file"."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ..i18n import _
from ..paths import example_config

log = logging.getLogger(__name__)


class SystemEditor:
    """The desktop's handler for the file: ``xdg-open``, ``open`` on macOS, the shell on Windows.
    A missing config is first copied from the example, so every setting comes explained."""

    def open(self, path: Path, failed: Callable[[str], None]) -> None:
        """Create ``path`` if needed and open it; a problem is logged and told to ``failed``,
        never raised (one of the opener, from the thread that waits for it)."""
        try:
            if not path.exists():
                example = example_config()
                path.parent.mkdir(parents=True, exist_ok=True)
                if example is not None:
                    shutil.copyfile(example, path)
                else:
                    path.write_text("# microbreak settings; see config.example.toml\n")
                log.info("created %s from the example", path)
        except OSError as e:
            log.warning("cannot create %s: %s", path, e)
            failed(_("cannot create {path}: {error}").format(path=path, error=e))
            return
        if sys.platform == "win32":
            try:
                os.startfile(path)  # type: ignore[attr-defined,unused-ignore]
            except OSError as e:
                failed(_("cannot open {path}: {error}").format(path=path, error=e))
            return
        opener = "open" if sys.platform == "darwin" else "xdg-open"
        if shutil.which(opener) is None:
            log.warning("cannot open %s: %s is not installed", path, opener)
            said = _("cannot open {path}: {opener} is not installed")
            failed(said.format(path=path, opener=opener))
            return
        # The editor's chatter stays out of the daemon's stderr; a failure shows by its exit code.
        child = subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def reap() -> None:  # so no zombie is left behind, without blocking the menu
            code = child.wait()
            if code != 0:
                log.warning("%s could not open %s (exit code %s)", opener, path, code)
                said = _("{opener} could not open {path} (exit code {code})")
                failed(said.format(opener=opener, path=path, code=code))

        threading.Thread(target=reap, name="open-config", daemon=True).start()
