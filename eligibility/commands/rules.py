"""`eligibility rules`: rule sets, provisions and the amendment timeline."""

from __future__ import annotations

import argparse

from ..law.registry import Registry
from .common import EXIT_OK

HELP = "list rule sets, provisions and amendments"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "List the bundled rule sets, or show one rule set's provisions and amendment timeline."
    )
    parser.add_argument("rule_set", nargs="?", metavar="R")
    parser.add_argument("--no-color", action="store_true")


def run(args: argparse.Namespace, registry: Registry) -> int:
    from .. import render

    if args.rule_set is None:
        books = [registry.load(name) for name in registry.bundled()]
        render.print_rule_sets(books, no_color=args.no_color)
        return EXIT_OK
    render.print_rule_book(registry.load(args.rule_set), no_color=args.no_color)
    return EXIT_OK
