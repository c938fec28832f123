"""`eligibility docs`: generate the Markdown rule handbook from the rule files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..analysis.handbook import handbook
from ..law.registry import Registry, bundled_rules_dir
from ..law.scenarios import load_scenario
from ..output import write_private
from .common import EXIT_FAILED, EXIT_OK, add_rules_argument

HELP = "generate the Markdown rule handbook (docs/handbook) from the rule files"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Write one Markdown page per provision and an index (with a Mermaid "
        "diagram of provisions and facts) generated from the rule files, "
        "so the documentation never drifts from the rules."
    )
    add_rules_argument(parser)
    parser.add_argument(
        "--out",
        default="docs/handbook",
        metavar="DIR",
        help="output directory (default: docs/handbook)",
    )
    parser.add_argument(
        "--scenarios",
        default=None,
        metavar="DIR",
        help="training scenarios to list (default: the checkout's scenarios/)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if DIR is not up to date"
    )


def run(args: argparse.Namespace, registry: Registry) -> int:
    book = registry.load(args.rules)
    directory = Path(args.scenarios) if args.scenarios else bundled_rules_dir().parent / "scenarios"
    scenarios = (
        [load_scenario(p, registry.vocabulary) for p in sorted(directory.glob("*.yaml"))]
        if directory.is_dir()
        else []
    )
    pages = handbook(book, scenarios)
    out = Path(args.out)
    if args.check:
        stale = [
            name
            for name, text in pages.items()
            if not (out / name).is_file() or (out / name).read_text() != text
        ]
        extra = (
            sorted(p.name for p in out.glob("*.md") if p.name not in pages) if out.is_dir() else []
        )
        for name in stale + extra:
            sys.stdout.write(f"out of date: {out / name}\n")
        if stale or extra:
            sys.stdout.write("run `eligibility docs` to regenerate the handbook\n")
            return EXIT_FAILED
        sys.stdout.write(f"{out} is up to date ({len(pages)} pages)\n")
        return EXIT_OK
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        write_private(str(out / name), text)
    sys.stdout.write(f"wrote {len(pages)} pages to {out}\n")
    return EXIT_OK
