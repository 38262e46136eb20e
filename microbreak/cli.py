"""The command line: arguments, exit codes, one-line errors and never a traceback for a mistake."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import EXIT_OK, EXIT_USAGE, MicrobreakError

log = logging.getLogger("microbreak")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line naming the fix, with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"microbreak: {message} (see `{self.prog} --help`)\n")


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options accepted before and after the subcommand alike."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--config", metavar="PATH", default=default, help="config file (or $MICROBREAK_CONFIG)"
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", default=default, help="log debug detail"
    )


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = _Parser(
        prog="microbreak",
        description="A quiet break reminder: a seated exercise every 30 to 60 minutes.",
    )
    parser.add_argument("--version", action="version", version=f"microbreak {__version__}")
    _common(parser, top=True)
    parser.add_argument(
        "--no-tray", action="store_true", default=None, help="run without a tray icon"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run the daemon (the default)")
    _common(run, top=False)
    run.add_argument("--no-tray", action="store_true", default=argparse.SUPPRESS)

    exercises = sub.add_parser("exercises", help="list the exercise catalog")
    _common(exercises, top=False)
    exercises.add_argument(
        "--all", action="store_true", help="list every exercise, not just the allowed ones"
    )

    config = sub.add_parser("config", help="work with the config file")
    _common(config, top=False)
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help="validate and print the effective settings")
    _common(check, top=False)
    path = config_sub.add_parser("path", help="print where the config file is read from")
    _common(path, top=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``microbreak`` console script and ``python -m microbreak``."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except MicrobreakError as e:
        for line in str(e).splitlines():
            print(f"microbreak: {line}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    from . import config

    command = args.command or "run"
    if command == "config" and args.config_command == "path":
        from .paths import config_file

        print(config_file(args.config)[0])
        return EXIT_OK
    loaded = config.load(args.config)
    if command == "config":
        where = str(loaded.path) if loaded.exists else f"{loaded.path} (not there; defaults)"
        print(f"# {where}: OK")
        print(config.describe(loaded.settings))
        return EXIT_OK
    if command == "exercises":
        from .exercise_table import table

        print(table(loaded.settings.exercises.selection(), every=args.all))
        return EXIT_OK
    runtime = config.runtime(loaded, tray=not args.no_tray, verbose=bool(args.verbose))
    return _start_daemon(runtime.to_json())


def _start_daemon(runtime_json: str) -> int:
    """Become the daemon: on POSIX by exec, so pydantic's memory is not carried along."""
    argv = [sys.executable, "-m", "microbreak.daemon", runtime_json]
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)
    from . import daemon

    return daemon.main(argv[3:])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
