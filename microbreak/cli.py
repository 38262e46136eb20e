"""The command line: arguments, exit codes, one-line errors and never a traceback for a mistake.

The commands for the running daemon run from hotkeys: in their plain forms (``control_words``)
they go to the client before anything else is loaded, argparse and logging included. Every
other command line, ``--help`` and every mistake go through ``build_parser``.
"""

from __future__ import annotations

import os
import sys

from . import __version__
from .errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, MicrobreakError
from .protocol import COMMANDS

#: The most days ``stats --days`` covers: ten years (far more would run past the calendar).
MOST_DAYS = 3660
#: Where ``build_parser`` puts the command and the action of a command that has them.
COMMAND_KEYS = ("command", "config_command", "autostart_command")
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

    from .core.exercises import Exercise


def _(message: str) -> str:
    """``i18n._``, imported only off the quick path (gettext costs a quick command time)."""
    from .i18n import _ as translated

    return translated(message)


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    import argparse
    import contextlib

    class Parser(argparse.ArgumentParser):
        """argparse, but a usage mistake is one line naming the fix, with exit code 2."""

        def error(self, message: str) -> None:  # type: ignore[override]
            see = _("see `{command} --help`").format(command=self.prog)
            self.exit(EXIT_USAGE, f"microbreak: {message} ({see})\n")

        def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
            """argparse's, but an unknown argument after a command points at that command's
            help (argparse reports it from the top parser)."""
            parsed, extra = self.parse_known_args(args, namespace)
            if extra:
                chosen = [getattr(parsed, key, None) for key in COMMAND_KEYS]
                self.prog = " ".join([self.prog, *filter(None, chosen)])
                self.error(_("unrecognized arguments: %s") % " ".join(extra))
            return parsed

    def common(parser: argparse.ArgumentParser, *, top: bool = False) -> argparse.ArgumentParser:
        """Options accepted before and after the subcommand alike."""
        default = None if top else argparse.SUPPRESS
        config_help = _("config file (or $MICROBREAK_CONFIG)")
        parser.add_argument("--config", metavar="PATH", default=default, help=config_help)
        parser.add_argument(
            "--verbose", "-v", action="store_true", default=default, help=_("log debug detail")
        )
        return parser

    def days(text: str) -> int:
        with contextlib.suppress(ValueError):
            if 1 <= int(text) <= MOST_DAYS:
                return int(text)
        said = _("{value} is not a whole number of days from 1 to {most}")
        raise argparse.ArgumentTypeError(said.format(value=repr(text), most=MOST_DAYS))

    parser = Parser(
        prog="microbreak",
        description=_("A quiet break reminder: a seated exercise every 30 to 60 minutes."),
    )
    parser.add_argument("--version", action="version", version=f"microbreak {__version__}")
    common(parser, top=True)
    parser.add_argument(
        "--no-tray", action="store_true", default=None, help=_("run without a tray icon")
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    run = common(sub.add_parser("run", help=_("run the daemon (the default)")))
    run.add_argument("--no-tray", action="store_true", default=argparse.SUPPRESS)

    exercises = common(sub.add_parser("exercises", help=_("list the exercise catalog")))
    exercises.add_argument(
        "--all", action="store_true", help=_("list every exercise, not just the allowed ones")
    )
    exercises.add_argument(
        "--check", action="store_true", help=_("validate your own exercise files and sum them up")
    )

    config = common(sub.add_parser("config", help=_("work with the config file")))
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help=_("validate and print the effective settings"))
    common(check)
    check.add_argument(
        "--json",
        action="store_true",
        help=_(
            "print the validated settings as one line of JSON (durations in seconds), "
            "the record the daemon runs on"
        ),
    )
    common(config_sub.add_parser("path", help=_("print where the config file is read from")))
    show = common(config_sub.add_parser("show", help=_("print the effective settings")))
    show.add_argument(
        "--sources", action="store_true", help=_("say where each value comes from, aligned")
    )

    # Commands for the running daemon (see microbreak.client): quick, no config needed.
    status = sub.add_parser("status", help=_("show what the running daemon is doing"))
    status.add_argument("--json", action="store_true", help=_("machine-readable output"))
    pause = sub.add_parser("pause", help=_("pause reminders (no argument: until resumed)"))
    pause.add_argument("duration", nargs="?", help=_("e.g. 30m, 1h20m"))
    pause.add_argument("--until", metavar="HH:MM", help=_("pause until this time of day"))
    sub.add_parser("resume", help=_("end a pause"))
    snooze = sub.add_parser("snooze", help=_("push the pending reminder out"))
    snooze.add_argument(
        "duration", nargs="?", help=_("e.g. 10m (default: the first snooze choice)")
    )
    now = sub.add_parser("now", help=_("take a break now"))
    now.add_argument(
        "--guide", action="store_true", help=_("open the guide window for it (see `guide`)")
    )
    sub.add_parser("skip", help=_("drop the pending reminder and start a fresh interval"))
    sub.add_parser("done", help=_("I did the exercise of the last reminder"))
    sub.add_parser("quit", help=_("stop the running daemon"))
    guide = sub.add_parser(
        "guide", help=_("count an exercise through in a small window (no daemon needed)")
    )
    common(guide)
    guide.add_argument(
        "exercise",
        nargs="?",
        metavar="EXERCISE",
        help=_("its id (see `microbreak exercises`); default: the first of your selection"),
    )
    guide.add_argument(
        "--answer",
        action="store_true",
        help=_("say how it ended in the exit code alone: 0 done, 10 skipped (the daemon's way)"),
    )
    autostart = sub.add_parser(
        "autostart",
        help=_("start at login: enable [--systemd] | disable | status"),
        description=_("Start microbreak when you log in, or stop doing so."),
    )
    actions = autostart.add_subparsers(dest="autostart_command", metavar="ACTION", required=True)
    enable = actions.add_parser("enable", help=_("start microbreak at login"))
    enable.add_argument(
        "--systemd",
        action="store_true",
        help=_("use a systemd user unit instead of an XDG autostart entry (Linux)"),
    )
    actions.add_parser("disable", help=_("remove what `enable` added (nothing else)"))
    actions.add_parser("status", help=_("show which autostart files exist and whose they are"))
    doctor = sub.add_parser(
        "doctor", help=_("check what works on this desktop, and how to fix the rest")
    )
    common(doctor)
    doctor.add_argument("--json", action="store_true", help=_("machine-readable, for bug reports"))
    stats = common(sub.add_parser("stats", help=_("breaks taken per day, compliance, streak")))
    stats.add_argument("--days", type=days, default=7, help=_("how many days (default 7)"))
    stats.add_argument("--json", action="store_true", help=_("machine-readable output"))
    stats.add_argument(
        "--chart",
        metavar="FILE",
        help=_("also write a bar chart: .png, .svg, .pdf or .jpg (needs [charts])"),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``microbreak`` console script and ``python -m microbreak``."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``microbreak stats | head``): not worth a traceback. Python
        # flushes stdout again at exit, so point it at nothing first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


def _main(words: list[str]) -> int:
    quick = control_words(words)
    if quick is not None:
        from . import client

        cmd, duration, until, as_json = quick
        return client.run(cmd, duration=duration, until=until, as_json=as_json)
    from .i18n import LendToArgparse, spoken, use

    # The daemon's language (else the desktop's); a config's ``language`` takes over once read.
    use(spoken())
    with LendToArgparse():
        parser = build_parser()  # argparse words some of its help as the parser is built
        args = parser.parse_args(words)
        options = args.config is not None or args.no_tray  # neither applies to these two
        if args.command == "autostart" and options:
            parser.error(
                _("autostart starts `microbreak run` as is: --config and --no-tray do not apply")
            )
        if args.command in COMMANDS and options:
            said = _(
                "{command} asks the running daemon, which keeps the settings it started with: "
                "--config and --no-tray do not apply"
            )
            parser.error(said.format(command=args.command))
    try:
        return _dispatch(args)
    except MicrobreakError as e:
        for line in str(e).splitlines():
            print(f"microbreak: {line}", file=sys.stderr)
        return e.exit_code


def control_words(words: Sequence[str]) -> tuple[str, str | None, str | None, bool] | None:
    """A plain command for the daemon, read without argparse, as (command, duration, until,
    json): a bare verb, ``status --json``, ``pause|snooze DURATION``, ``pause --until HH:MM``."""
    if not words or words[0] not in COMMANDS:
        return None
    cmd, rest = words[0], list(words[1:])
    if not rest:
        return cmd, None, None, False
    if cmd == "status" and rest == ["--json"]:
        return cmd, None, None, True
    if cmd in ("pause", "snooze") and len(rest) == 1 and not rest[0].startswith("-"):
        return cmd, rest[0], None, False
    if cmd == "pause" and len(rest) == 2 and rest[0] == "--until" and rest[1][:1] != "-":
        return cmd, None, rest[1], False
    return None


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "run"
    if command in COMMANDS:
        from . import client

        return client.run(
            command,
            duration=getattr(args, "duration", None),
            until=getattr(args, "until", None),
            as_json=getattr(args, "json", False),
            guide=getattr(args, "guide", False),
        )
    if command == "autostart":
        return _autostart(args.autostart_command, systemd=getattr(args, "systemd", False))
    if command == "doctor":
        from .usecases import doctor

        return doctor.run(as_json=args.json, config=args.config)
    from .settings import checked
    from .settings.exercise_files import exercise_dirs

    stamp = None
    if command == "run":
        # Your exercise folder, which the README tells you to put files in, is made so that the
        # daemon can watch it for a first file; before the fingerprint, which reads it.
        import contextlib  # here: a quick command has no use for it

        with contextlib.suppress(OSError):  # then unwatched; the config's reading says why
            exercise_dirs()[-1].mkdir(parents=True, exist_ok=True)
        # Nothing changed since the last good check: its record, without pydantic, and this
        # process is lean enough to be the daemon (no second interpreter start).
        try:
            stamp = checked.fingerprint(vars(args))
            record = checked.load(stamp)
        except OSError:
            stamp = record = None
        if record is not None:
            from . import daemon

            return daemon.main([record])
    from .settings import config

    if command == "config" and args.config_command == "path":
        from .paths import config_file

        print(config_file(args.config)[0])
        return EXIT_OK
    if command == "exercises" and args.check:  # the exercise files alone
        from .settings.exercise_files import read_catalog

        print(_("{summary}: all valid").format(summary=read_catalog().summary()))
        return EXIT_OK
    loaded = config.load(args.config)
    if command == "config" and args.config_command == "show":
        print(config.show(loaded, sources=args.sources))
        return EXIT_OK
    if command == "config" and args.json:  # the record `run` with these options would start
        print(config.runtime(loaded, tray=not args.no_tray, verbose=bool(args.verbose)).to_json())
        return EXIT_OK
    if command == "config":
        where = str(loaded.path)
        if not loaded.exists:
            where = _("{path} (not there; defaults)").format(path=loaded.path)
        # Translators: the first line of `config check`, a TOML comment: "# PATH: OK".
        print("# " + _("{path}: OK").format(path=where))
        print(config.describe(loaded.settings))
        return EXIT_OK
    if command == "stats":
        return _stats(args, loaded.settings.daily_goal, loaded.catalog)
    if command == "guide":  # the guide window, without a daemon
        from .usecases import guide

        if args.verbose:  # each count on stderr; the daemon's log file is left to the daemon
            from . import logs

            logs.setup(True, to_file=False)
        allowed = loaded.settings.exercises.selection().allowed(loaded.catalog)
        exercise, said = guide.choose(loaded.catalog, allowed, args.exercise)
        sound = loaded.settings.notification.sound
        return guide.run(exercise, sound=sound, answer=args.answer, note=said)
    if command == "exercises":
        from .usecases.exercises import table

        print(table(loaded.settings.exercises.selection(), every=args.all))
        return EXIT_OK
    record = config.runtime(loaded, tray=not args.no_tray, verbose=bool(args.verbose)).to_json()
    if stamp is not None:
        checked.save(stamp, record)
    return _start_daemon(record)


def _stats(args: argparse.Namespace, goal: int, catalog: Sequence[Exercise]) -> int:
    from datetime import datetime, timezone

    from .adapters.clock import local_zone
    from .paths import history_file
    from .usecases import stats

    if args.chart is not None:
        stats.chart_target(args.chart)  # a mistake in the path ends here, before any work
    now = datetime.now(timezone.utc)
    result = stats.compute(
        history_file(), days=args.days, goal=goal, now=now, tz=local_zone(), catalog=catalog
    )
    chart = stats.write_chart(result, args.chart) if args.chart is not None else None
    if args.json:
        print(stats.to_json(result))
        if chart is not None:  # stdout is the JSON document alone
            print("microbreak: " + _("chart written to {path}").format(path=chart), file=sys.stderr)
    else:
        print(stats.render_table(result))
        if chart is not None:
            print("\n" + _("Chart written to {path}").format(path=chart))
    return EXIT_OK


def _autostart(action: str, *, systemd: bool) -> int:
    from .usecases import autostart

    try:
        if action == "enable":
            if not autostart.enable(systemd=systemd, say=print):  # a file of yours in the way
                return EXIT_FAILURE
        elif action == "disable":
            autostart.disable(say=print)
        else:
            print("\n".join(autostart.describe(autostart.status())))
    except OSError as e:
        failed = _("autostart {action} failed: {error}").format(action=action, error=e)
        print(f"microbreak: {failed}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


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
