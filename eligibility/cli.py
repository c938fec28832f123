"""The `eligibility` command: argument parsing and dispatch only."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import EligibilityError
from .fields import parse_date

ENGINES = ("durable", "python")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code (2) and a hint to --help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"error: {message}\n(run `{self.prog} --help` for help)\n")
        raise SystemExit(EXIT_USAGE)


def _date(text: str) -> dt.date:
    if text == "today":
        return dt.date.today()
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _common(parser: argparse.ArgumentParser, *, rules: bool = True) -> None:
    if rules:
        parser.add_argument("--rules", default="us-law", metavar="R",
                            help="rule set: a bundled name (us-law, rights-based-2007) or "
                                 "the path of an overlay file or rule set directory "
                                 "(default: us-law)")
    parser.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                        help="evaluate the law in force on this date (default: the "
                             "scenario's as_of, else today)")
    parser.add_argument("--engine", choices=ENGINES, default="durable",
                        help="durable: the durable-rules engine (default); python: the "
                             "reference evaluator")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="eligibility",
                     description="Which U.S. anti-trafficking protections apply to a case, "
                                 "why, and where they depend on law enforcement. A "
                                 "teaching and research aid, not legal advice.")
    parser.add_argument("--version", action="version", version=f"eligibility {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    p = commands.add_parser("evaluate", help="machine-readable results for scenario files",
                            description="Evaluate scenario files (or directories of them).")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    _common(p)
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.add_argument("--out", metavar="FILE",
                   help="write to FILE (created 0600, atomically) instead of stdout")
    p.add_argument("--keep-going", action="store_true",
                   help="report bad scenario files and evaluate the others (exit 2 at the end)")
    p.add_argument("--no-color", action="store_true", help="plain text tables")

    p = commands.add_parser("schema", help="print the JSON Schema of scenario files")

    p = commands.add_parser("rules", help="list rule sets, provisions and amendments",
                            description="List the bundled rule sets, or show one rule set's "
                                        "provisions and amendment timeline.")
    p.add_argument("rule_set", nargs="?", metavar="R")
    p.add_argument("--no-color", action="store_true")

    p = commands.add_parser("test", help="check the expect: blocks of scenario files",
                            description="Evaluate every scenario that has an `expect:` "
                                        "block and compare.")
    p.add_argument("paths", nargs="*", default=["scenarios"], metavar="PATH")
    p.add_argument("--engine", choices=ENGINES, default="durable")
    p.add_argument("-v", "--verbose", action="store_true", help="list every check")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from . import commands
        return getattr(commands, f"run_{args.command.replace('-', '_')}")(args)
    except EligibilityError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); quietly stop writing
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - avoid a second error at exit
        except OSError:
            pass
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - never show a traceback to a user
        if os.environ.get("ELIGIBILITY_DEBUG"):
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}\n"
                         "This is a bug in eligibility. Run again with ELIGIBILITY_DEBUG=1 "
                         "for details, and report it (without any scenario data).\n")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
