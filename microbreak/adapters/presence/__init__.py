"""Whether now is a bad moment for a reminder: screen locked, or a do-not-disturb condition.

Each detector asks the desktop one small question and answers "cannot tell" (None) rather than
raise; connections and desktop libraries are opened on first use, so this imports anywhere.
"""

from __future__ import annotations

from .dnd import DoNotDisturb
from .lock import LockDetector

__all__ = ["DoNotDisturb", "LockDetector"]
