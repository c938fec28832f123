"""Lint a rule set: what `eligibility check` finds by reading the rules, before it tests
any invariant on generated scenarios.

Every finding has the shape of an error message, `path:line: key: message`, and a
severity: an *error* fails `eligibility check` (exit 1), a *warning* is shown but does
not (unless `--strict`). The checks, in the order they are reported:

- ``load``: the rule set loads and resolves at every date on which it changes. Loader
  and resolution errors (an undeclared fact, a condition without a citation, a cycle
  between provisions, an amendment whose target does not exist at its effective date)
  become findings, not crashes.
- ``citations``: every condition in force at any date has a citation.
- ``facts``: facts used by the rules but not declared (the loader rejects them) and
  facts declared in `facts.yaml` but never used by this rule set (a warning: the
  vocabulary is shared by every rule set and is a public contract).
- ``satisfiable``: at every epoch (the interval between two dates on which the law
  changes), every provision in force can be met and can be not met, and so can every
  condition, unless a deliberate constant (`always:`) or an open question of law is
  the reason. Decided by exhaustive search, see `Search`.
- ``reachable``: no condition is written and never in force, and none is shadowed by a
  constant sibling (an `any` with a branch that is always met, an `all` with one that is
  never met) so that its outcome can never matter. Both are warnings: dead text, which
  an author may keep on purpose to show it in explanations.
- ``order``: `all` and `any` do not depend on the order of their conditions, so file
  order matters only where changes are applied one after another: amendments of one
  provision with the same effective date, and the changes of one overlay file. Two such
  changes that touch the same condition (or one inside a subtree the other replaces or
  removes) make the result depend on file order.

The exhaustive search behind ``satisfiable`` is analysis/search.py.
"""

from .findings import ERROR, WARNING, CheckSummary, Finding, LintReport, finding_from_error
from .linter import lint, lint_failure

__all__ = [
    "ERROR",
    "WARNING",
    "CheckSummary",
    "Finding",
    "LintReport",
    "finding_from_error",
    "lint",
    "lint_failure",
]
