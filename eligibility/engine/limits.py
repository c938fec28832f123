"""What the engines cannot do, and what the durable-rules compile works around: one place.

Every number and rule here was found the hard way on durable-rules 2.0.28 (DESIGN.md,
"durable-rules: known pitfalls"; each has a test in tests/test_engine.py). The fact
vocabulary (`law/vocabulary.py`) imports the limits that concern rule authors, so that a
fact the engine could not carry is refused where it is declared, with file and line.

This module imports nothing from the project: the law layer below the engines may read it.

Limits refused where they are declared (rules/facts.yaml)
----------------------------------------------------------
- Fact names are ASCII (`FACT_NAME`): durable-rules matches attribute names byte for
  byte, and a rule compiled with "\\u00e4" never matches a fact sent as "ä" (the engine
  would silently disagree with the reference evaluator).
- `RESERVED_NAMES`: fact names become attribute names of durable-rules facts; `id` and
  `sid` are durable's own (a rule testing `id` crashes the engine), `kind` is the
  attribute our compiled rules dispatch on. Our other attributes (`P_<provision>`,
  `N<node>`) are upper case and can never clash with a fact name.
- A set fact has at most `MAX_SET_VALUES` values: a set travels as a string of one
  character per member (`SET_CODE_CHARACTERS`), tested by character-class regexes.

Limits refused when a plan is compiled
--------------------------------------
- A rule's pattern holds at most `MAX_PATTERN_GROUPS` `$and`/`$or` groups: each takes
  two of the 32 slots of a rule's expression sequence (rete.h
  MAX_SEQUENCE_EXPRESSIONS), and durable fails a larger one with a bare "error code:
  113". The bundled rule sets need at most 6; a larger condition is refused with a
  message naming it, and the reference evaluator (`--engine python`) has no such limit.
- At most `MAX_WORLDS` counterfactual worlds per evaluation, and only the two
  law-enforcement worlds (`World`, law/conditions.py): each is a fact kind with rules of
  its own in the ruleset of the later rounds, compiled with the world's dependency
  facts as constants, so a world changing other facts is refused.

Worked around in the compile and the driver (engine/compiler.py, engine/durable.py)
-----------------------------------------------------------------------------------
- No joins: a rule joining two facts that fires leaves an action frame durable still
  believes is dispatching, and retracting its facts then runs `deleteMessageFromFrame`
  past its array. Chaining between provisions therefore runs in rounds.
- Durable's alpha walk has a fixed stack of 64 pending nodes (error 303): rules hang
  under a balanced tree of always-true tests with at most `FAN_OUT` children each.
- `$iany` over an `$or` reads an uninitialised node type (rete.c); `$iall` never
  matches an empty list; word alternations in regexes are mis-evaluated; `.` makes the
  regex compiler read past a buffer; overlapping character classes exceed its 4,096
  regex states. Sets are therefore tested with exact character classes only.
- A fact that no rule accepts raises MessageNotHandled: catch-all rules per fact kind
  join on a fact never asserted, so they never fire.
- `$or` fires once per matching branch: `cap` batches the firings, conclusions are
  de-duplicated.
- Creating a session clears ~8 KB per beta node: one session (`SESSION_ID`) per
  ruleset is reused, its facts retracted after each scenario; a start fact, asserted
  once per session and consumed by a no-op rule, makes sure an action fires (deleting
  a session in which none did segfaults). A scenario that fails in a session it
  started retracts the start fact too: asserting one the session holds is refused and
  then crashes the interpreter.
- durable-rules hashes every attribute of a fact without an id into one, at assert and
  at retract: a fact carries its kind as id (one fact of a kind per ruleset and
  scenario) and is retracted by the id alone; a second fact with an id the session
  holds is refused (code 2), so a fact left behind fails the next scenario loudly.
- A ruleset name cannot be registered twice, and `Host` starts timer threads: the
  driver calls the C engine directly and names every ruleset uniquely.
- The engine compares loosely (`"17" < 18`, `true == 1`): facts are type-checked by the
  vocabulary before they reach it.
- The engine holds the GIL and crashes under threads: population runs use worker
  processes, started with "spawn" (population/workers.py).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

FACT_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
RESERVED_NAMES = frozenset({"id", "sid", "kind"})
SET_CODE_CHARACTERS = string.ascii_lowercase + string.ascii_uppercase + string.digits
MAX_SET_VALUES = len(SET_CODE_CHARACTERS)  # 62
MAX_PATTERN_GROUPS = 15  # rete.h MAX_SEQUENCE_EXPRESSIONS (32) / 2 - 1
MAX_WORLDS = 2  # law enforcement favourable, and unfavourable
FAN_OUT = 8  # children per node of the always-true tree (durable's stack holds 64)
SESSION_ID = "1"


@dataclass(frozen=True)
class Limits:
    """What one engine accepts; None where it has no limit."""

    worlds: int | None = None  # counterfactual worlds per evaluation
    set_values: int | None = None  # values a set fact may declare
    pattern_groups: int | None = None  # `and`/`or` groups in one compiled test


UNLIMITED = Limits()
DURABLE = Limits(worlds=MAX_WORLDS, set_values=MAX_SET_VALUES, pattern_groups=MAX_PATTERN_GROUPS)
