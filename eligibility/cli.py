"""The `eligibility` command: argument parsing and dispatch only.

Each command is a module of `eligibility.commands` with HELP, configure(parser) and
run(args, registry); this module builds the parser from them, makes the one `Registry`
the command works with (the bundled rules, or `--rules-dir DIR`), and turns errors into
exit codes:
0 success, 1 a test or check found a failure, 2 bad input or usage (a message naming
the file, the key and what was expected; never a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from . import __version__
from .commands import COMMANDS
from .errors import EligibilityError, UsageError, printable

EXIT_OK, EXIT_USAGE, EXIT_INTERNAL = 0, 2, 70


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code (2) and a hint to --help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"error: {printable(message)}\n(run `{self.prog} --help` for help)\n")
        raise SystemExit(EXIT_USAGE)


def _command_modules(names: Sequence[str]) -> dict[str, ModuleType]:
    modules = {}
    for name in names:
        try:
            modules[name] = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.commands.{name}":
                raise
    return modules


def build_parser(
    commands: Sequence[str] = COMMANDS,
) -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    """The parser of the commands named (by default all, for --help): the command to run
    is enough, since the others' imports (Hypothesis for `check`, worker pools for
    `compare`) would make every start slower; `--version` needs none."""
    parser = _Parser(
        prog="eligibility",
        description="Which U.S. anti-trafficking protections apply to a case, "
        "why, and where they depend on law enforcement. A "
        "teaching and research aid, not legal advice.",
    )
    parser.add_argument("--version", action="version", version=f"eligibility {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    modules = _command_modules(commands)
    for name, module in modules.items():
        subparser = subparsers.add_parser(name, help=module.HELP)
        module.configure(subparser)
        subparser.add_argument(
            "--rules-dir",
            metavar="DIR",
            help="read the fact vocabulary, critiques, invariants, populations and named "
            "rule sets from DIR instead of the rules installed with eligibility",
        )
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    try:
        # inside the try: a command module that fails to import is a bug to report,
        # not a traceback
        words = sys.argv[1:] if argv is None else list(argv)
        if words and words[0] in COMMANDS:
            parser, modules = build_parser((words[0],))
        else:
            parser, modules = build_parser(() if words == ["--version"] else COMMANDS)
        args = parser.parse_args(words)
        # imported here, not above: `--version` and `--help` read no rules (and YAML and
        # the law modules are most of a start-up)
        from .law.registry import Registry

        if args.rules_dir and not Path(args.rules_dir).is_dir():
            raise UsageError(f"--rules-dir {args.rules_dir}: no such directory")
        registry = Registry(Path(args.rules_dir) if args.rules_dir else None)
        return int(modules[args.command].run(args, registry))
    except EligibilityError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, and keep the interpreter
        # from failing again when it flushes stdout at exit
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except UnicodeEncodeError as exc:
        # stdout is not UTF-8 (PYTHONIOENCODING, a legacy locale): say so, not "a bug"
        sys.stderr.write(
            f"error: the output contains characters that the output "
            f"encoding ({exc.encoding}) cannot represent; set "
            f"PYTHONIOENCODING=utf-8 or use --out FILE\n"
        )
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - never show a traceback to a user
        if os.environ.get("ELIGIBILITY_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error: {type(exc).__name__}: {printable(str(exc))}\n"
            "This is a bug in eligibility. Run again with ELIGIBILITY_DEBUG=1 "
            "for details, and report it (without any scenario data).\n"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
