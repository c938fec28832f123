"""Invariants: properties a rule set must keep, written as data (`rules/invariants.yaml`,
or an `invariants:` list in an overlay) and tested by `eligibility check` with Hypothesis
on generated scenarios at random dates.

Every invariant has an `id`, a `text` a lawyer can read, a `citation` and/or `why`, and
optionally `rule_sets` (it holds only for the rule sets named, exactly: an overlay that
extends one is another rule set) and `dates` (`from`, `until`: it holds only on those
dates). It takes one of four forms:

- `if` / `then`: for every scenario where `if` holds (or every scenario, without `if`),
  `then` holds. Tests are written like rule conditions: `all`, `any`, `not`; a fact
  test (`fact: u_certification_signed, is: true`; `fact: citizenship, any_of: [...]`;
  `fact: age_now, known: false`; an int fact may be compared with another:
  `le: {fact: age_now}`); or a provision test (`provision: t_visa, is: met`, or a list
  of statuses; `gated: true` for `law_enforcement_gated`). A test on an unknown fact is
  undetermined, so `then` must be met outright: "u_visa met implies
  u_certification_signed is true" fails if the certification is unknown.
- `unaffected_by`: the statuses of `provisions` (default: all) never change when any of
  the facts selected (`facts: [...]` and/or `dependency: [cooperation, ...]`) changes
  to any value, or becomes unknown.
- `never_worse_when`: a list of changes (`facts`/`dependency` with `from: false, to:
  true` for yes/no facts, `from`/`to` values for choices, `to: lower|higher` for
  numbers, `to: more|fewer` for lists); none makes a provision of `provisions` worse,
  in the order not_met < undetermined < met (or, with `worse: met_to_not_met`, never
  turns met into not_met). That is monotonicity: "turning a cooperation fact from false
  to true never turns a met provision into not_met".
- `explained_by_missing_facts: true`: an undetermined provision is undetermined only
  because of its `missing_facts` (and open questions of law): answering any other
  unknown fact leaves it undetermined with the same missing facts; answering all of
  its missing facts decides it, unless an open question of law remains (then only the
  open questions remain). And answering unknown facts never changes a decided status.

`assumptions` (bundled file only) exclude impossible scenarios: a generated scenario is
discarded when an assumption is not met (a test on an unknown fact never excludes).

The package: model.py (tests, invariants, assumptions), parser.py (reading them),
generation.py (scenarios), forms.py (the check of each form), checker.py (running them).

Counterexamples are found with `hypothesis.find` (derandomized, no database, at most
`examples` scenarios per invariant), shrunk by Hypothesis, then made 1-minimal (leaving
out any one fact makes the failure go away), and printed as scenario files that
`eligibility evaluate` and `explain` accept.
"""

from .checker import (
    DEFAULT_EXAMPLES,
    Counterexample,
    InvariantChecker,
    Outcome,
    private_hypothesis_storage,
)
from .model import FORMS, Assumption, Invariant, InvariantFile, MonotoneChange, Test, exclusions
from .parser import InvariantParser, load_invariants

__all__ = [
    "DEFAULT_EXAMPLES",
    "FORMS",
    "Assumption",
    "Counterexample",
    "Invariant",
    "InvariantChecker",
    "InvariantFile",
    "InvariantParser",
    "MonotoneChange",
    "Outcome",
    "Test",
    "exclusions",
    "load_invariants",
    "private_hypothesis_storage",
]
