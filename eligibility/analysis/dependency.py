"""How far a provision's outcome depends on law enforcement, from three evaluations.

A scenario is evaluated as stated and in two counterfactual worlds: every fact tagged
`law_enforcement_action` or `cooperation` (rules/facts.yaml, `dependency:`) at its
favourable value (law enforcement acted and the person cooperated), and every one at the
other value (neither happened). With s, f and u the provision's status in the three:

    gated           s is not met, f is met: law enforcement acting (and the person
                    cooperating) is all that is missing. `law_enforcement_gated` is
                    true exactly for this level.
    possibly_gated  s is not met, f is undetermined, and law enforcement stands in the
                    way (a blocker, below): once it acted, other facts still decide.
    relies_on       s is met and u is not met: met only through a law-enforcement act
                    or the person's cooperation, on every route.
    independent     none of these.

A *blocker* is a dependency fact, not at its favourable value (unknown included), tested
by a leaf that is reached from the provision's root through elements none of which is
met as stated (an unmet `all` or `any` leads to its children, a reference to another
provision to that provision's root; nothing is followed below a `not`). Blockers are
what law enforcement (or the person's cooperation) would have to change. The elements a
`relies_on` provision rests on are found the same way through met elements.

Levels and blockers are computed from the statuses an engine returns, so every engine
(durable-rules, the reference evaluator, the column-wise engine) yields the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from ..law.conditions import Plan
from ..law.logic import MET, NOT_MET, UNDETERMINED

Level = Literal["gated", "possibly_gated", "relies_on", "independent"]
LEVELS: tuple[Level, ...] = ("gated", "possibly_gated", "relies_on", "independent")


class Dependency(NamedTuple):
    """One provision's dependency on law enforcement (a named tuple: one is made per
    provision and scenario, and a frozen dataclass costs three times as much to make)."""

    level: Level
    blockers: tuple[int, ...] = ()  # plan indexes of the blocking leaves, one per fact
    relied_on: tuple[int, ...] = ()  # for relies_on: the met leaves it rests on


def level_of(status: int, favourable: int | None, unfavourable: int | None) -> Level | None:
    """The level from the three root statuses, or None when it turns on blockers
    (status not met, undetermined in the favourable world). A world that is None has
    the status as stated: it is the scenario itself (nothing to change), or a lean world
    (law/conditions.py, `World`) of which nothing read differs from it."""
    f = status if favourable is None else favourable
    u = status if unfavourable is None else unfavourable
    if status != MET:
        if f == MET:
            return "gated"
        if f == UNDETERMINED:
            return None
        return "independent"
    return "relies_on" if u == NOT_MET else "independent"


# independent, with nothing to show: the commonest dependency (a provision none of whose
# elements tests a dependency fact, even through references, is always so)
INDEPENDENT = Dependency("independent")


def _root_level(
    root: int, statuses: list[int], favourable: list[int] | None, unfavourable: list[int] | None
) -> Level | None:
    return level_of(
        statuses[root],
        favourable[root] if favourable is not None else None,
        unfavourable[root] if unfavourable is not None else None,
    )


def dependency_level(
    plan: Plan,
    root: int,
    statuses: list[int],
    favourable: list[int] | None,
    unfavourable: list[int] | None,
    facts: Mapping[str, Any],
) -> Level:
    """The level alone, as `dependency` finds it: the walk for blockers runs only when
    the three statuses leave it open (not met, undetermined once law enforcement acted)."""
    if root not in plan.dependent:
        return "independent"
    level = _root_level(root, statuses, favourable, unfavourable)
    if level is not None:
        return level
    return "possibly_gated" if _leaves(plan, root, statuses, facts, met=False) else "independent"


def dependency(
    plan: Plan,
    root: int,
    statuses: list[int],
    favourable: list[int] | None,
    unfavourable: list[int] | None,
    facts: Mapping[str, Any],
) -> Dependency:
    """The dependency of the provision whose root is `root` (see the module docstring)."""
    if root not in plan.dependent:
        return INDEPENDENT
    # `level_of`, inline: this runs per provision and scenario
    status = statuses[root]
    if status == MET:
        if unfavourable is None or unfavourable[root] != NOT_MET:
            return INDEPENDENT
        return Dependency("relies_on", relied_on=_leaves(plan, root, statuses, facts, met=True))
    f = status if favourable is None else favourable[root]
    if f == NOT_MET:
        return INDEPENDENT
    blockers = _leaves(plan, root, statuses, facts, met=False)
    if f == MET:
        return Dependency("gated", blockers=blockers)
    return Dependency("possibly_gated", blockers=blockers) if blockers else INDEPENDENT


def _leaves(
    plan: Plan, root: int, statuses: list[int], facts: Mapping[str, Any], *, met: bool
) -> tuple[int, ...]:
    """Dependency leaves reached from `root` through elements whose status is met (met
    =True) or is not met (met=False), one per fact, in tree order. With met=False only
    facts not at their favourable value count (those are what would have to change)."""
    favourable = plan.dependency_facts
    found: dict[str, int] = {}
    for leaf, fact, chain in plan.dependency_paths(root):
        if fact in found:
            continue
        if met:
            if statuses[leaf] == MET and all(statuses[a] == MET for a in chain):
                found[fact] = leaf
        elif statuses[leaf] != MET and facts.get(fact) != favourable[fact]:
            for above in chain:  # a loop, not all(...): no generator per leaf
                if statuses[above] == MET:
                    break
            else:
                found[fact] = leaf
    return tuple(found.values())
