"""`eligibility schema`: the JSON Schema of scenario files."""

from __future__ import annotations

import argparse
import json
import sys

from ..law.registry import Registry
from ..law.scenario_schema import json_schema
from .common import EXIT_OK

HELP = "print the JSON Schema of scenario files"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Print the JSON Schema (draft 2020-12) that scenario files follow."


def run(args: argparse.Namespace, registry: Registry) -> int:
    provisions = list(registry.load("us-law").sources)
    sys.stdout.write(json.dumps(json_schema(registry.vocabulary, provisions), indent=2) + "\n")
    return EXIT_OK
