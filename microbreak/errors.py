"""Typed errors that end in a one-line message and a specific exit code, never a traceback."""

from __future__ import annotations

#: Exit codes, documented in the README.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class MicrobreakError(Exception):
    """An error the user can fix; ``str()`` is the message printed, ``exit_code`` the status."""

    exit_code = EXIT_FAILURE


class ConfigError(MicrobreakError):
    """One or more problems in the configuration, each a complete line naming file and key."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def first_line(error: BaseException) -> str:
    """``Class: first line of the message``: an error in a log line or a check's detail."""
    lines = str(error).strip().splitlines()
    return f"{error.__class__.__name__}: {lines[0]}" if lines else error.__class__.__name__
