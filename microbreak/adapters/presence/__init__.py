"""Whether now is a bad moment for a reminder: screen locked, or a do-not-disturb condition.
Desktop libraries are imported on first use, so this package imports anywhere."""

from __future__ import annotations

from .dnd import DoNotDisturb
from .lock import LockDetector

__all__ = ["DoNotDisturb", "LockDetector"]
