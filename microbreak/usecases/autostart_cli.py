"""``microbreak autostart enable [--systemd] | disable | status``: start microbreak at login.

Kept apart so that ``cli.py`` stays small: ``cli.main`` hands the words after ``autostart`` here.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, MicrobreakError
from ..i18n import _
from . import autostart

PROG = "microbreak autostart"


class _Parser(argparse.ArgumentParser):
    """A usage mistake is one line naming the fix, with exit code 2 (as in ``cli.py``)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"microbreak: {message} (see `{PROG} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG, description=_("Start microbreak when you log in, or stop doing so.")
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    enable = sub.add_parser("enable", help=_("start microbreak at login"))
    enable.add_argument(
        "--systemd",
        action="store_true",
        help=_("use a systemd user unit instead of an XDG autostart entry (Linux)"),
    )
    sub.add_parser("disable", help=_("remove what `enable` added (nothing else)"))
    sub.add_parser("status", help=_("show which autostart files exist and whose they are"))
    return parser


def run(args: list[str]) -> int:
    """Run one autostart action; returns the exit code (0 done, 1 failed, 2 usage)."""
    try:
        options = build_parser().parse_args(args)
    except SystemExit as e:  # --help, or a usage error already printed on one line
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    try:
        if options.action == "enable":
            autostart.enable(systemd=options.systemd, say=print)
        elif options.action == "disable":
            autostart.disable(say=print)
        else:
            print("\n".join(autostart.describe(autostart.status())))
    except MicrobreakError as e:
        print(f"microbreak: {e}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        failed = _("autostart {action} failed: {error}").format(action=options.action, error=e)
        print(f"microbreak: {failed}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK
