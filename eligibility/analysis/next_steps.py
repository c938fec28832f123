"""Which next steps (rules/<rule set>/next-steps.yaml) apply to a result.

A step applies when it is in force on the result's date, its provision concerns the
person (`applicable`), and every test it states matches: the provision's status, its
law-enforcement dependency, a blocking fact, the status of other provisions, and a test
on the facts (`when`, read with the same semantics as rule conditions).
"""

from __future__ import annotations

from functools import lru_cache

from ..law.conditions import MET, Condition, Plan, build_plan
from ..law.guidance import STEP_KINDS, Step
from .evaluate import Result


@lru_cache(maxsize=512)
def _plan(condition: Condition) -> Plan:
    return build_plan({"when": condition}, ["when"], {})


def applies(step: Step, result: Result) -> bool:
    if not step.in_force(result.as_of):
        return False
    provision = result.provisions.get(step.provision)
    if provision is None or not provision.applicable:
        return False
    if step.statuses and provision.status not in step.statuses:
        return False
    if step.levels and provision.law_enforcement not in step.levels:
        return False
    if step.blockers and not step.blockers & {b.fact for b in provision.law_enforcement_blockers}:
        return False
    for pid, statuses in step.also.items():
        other = result.provisions.get(pid)
        if other is None or other.status not in statuses or not other.applicable:
            return False
    if step.when is not None and not _met(step.when, result):
        return False
    return step.unless is None or not _met(step.unless, result)


def _met(condition: Condition, result: Result) -> bool:
    plan = _plan(condition)
    return plan.evaluate(result.facts)[plan.roots["when"]] == MET


def next_steps(steps: tuple[Step, ...], result: Result) -> list[Step]:
    """The steps that apply, forms first, then alternatives, services and points for a
    lawyer; within a kind, in provision order and then file order."""
    order = {pid: n for n, pid in enumerate(result.provisions)}
    found = [s for s in steps if applies(s, result)]
    return sorted(found, key=lambda s: (STEP_KINDS.index(s.kind), order.get(s.provision, 0)))
