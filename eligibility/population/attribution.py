"""Which conditions are responsible when a provision's status differs between two sides.

The two sides may be different laws with different condition trees, so nodes are
matched by condition id within the provision. A condition *flipped* when it exists on
both sides with different statuses. A flipped condition whose matched children did not
flip is where the change starts, and is named as responsible: a changed test, a subtree
replaced whole (its new children have no counterpart), or a reference to a provision
that changed. When some of its children were kept and others added or removed, the
added and removed children that agree with its new and old status are named instead
(the removed `t3-aa-federal`: federal contact no longer required). For us-law in 2002
against 2004, a 16-year-old who never cooperated gains the T visa through
`t3-cc-minor` (its children, under 15 then, under 18 now, have new ids);
`t3-cooperation` and the root `t-visa` flipped too, but only because `t3-cc-minor` did.
When no matched condition flipped (a provision not yet in force on one side), both
roots are named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..law.conditions import Plan


@dataclass(frozen=True)
class MatchedCondition:
    """A condition id found in a provision's tree on both sides."""

    id: str
    a: int  # node index in plan A
    b: int  # node index in plan B
    children: tuple[str, ...]  # ids of children matched on both sides
    added: tuple[tuple[int, str], ...]  # children only in B: (node index in plan B, id)
    removed: tuple[tuple[int, str], ...]  # children only in A: (node index in plan A, id)


def match_conditions(plan_a: Plan, plan_b: Plan, pid: str) -> list[MatchedCondition]:
    """The conditions of provision `pid` present on both sides, matched by id (for the
    per-case comparison here and the column-wise one in vector_compare.py)."""

    def by_id(plan: Plan) -> dict[str, int]:
        return {n.condition.id: n.index for n in plan.nodes if n.owner == pid}

    on_a, on_b = by_id(plan_a), by_id(plan_b)
    out = []
    for cid, ia in on_a.items():
        ib = on_b.get(cid)
        if ib is None:
            continue
        kids_a = {plan_a.nodes[i].condition.id: i for i in plan_a.nodes[ia].children}
        kids_b = {plan_b.nodes[i].condition.id: i for i in plan_b.nodes[ib].children}
        out.append(
            MatchedCondition(
                cid,
                ia,
                ib,
                tuple(c for c in kids_a if c in kids_b),
                added=tuple((i, c) for c, i in kids_b.items() if c not in kids_a),
                removed=tuple((i, c) for c, i in kids_a.items() if c not in kids_b),
            )
        )
    return out


@dataclass
class PlanPair:
    """Two plans compared, their provision roots, and their matched conditions."""

    plan_a: Plan
    plan_b: Plan
    roots: list[tuple[int, int | None, int | None]]  # (provision, root A, root B)
    matched: dict[int, list[MatchedCondition]] = field(default_factory=dict)

    def conditions(self, k: int, pid: str) -> list[MatchedCondition]:
        """The conditions of provision `pid` (number k) present on both sides (cached)."""
        entries = self.matched.get(k)
        if entries is None:
            entries = self.matched[k] = match_conditions(self.plan_a, self.plan_b, pid)
        return entries

    def responsible(self, k: int, pid: str, st_a: list[int], st_b: list[int]) -> list[str]:
        """Where the change of provision `pid` (number k) starts (see the module
        docstring), given the node statuses on each side."""
        entries = self.conditions(k, pid)
        flipped = {m.id for m in entries if st_a[m.a] != st_b[m.b]}
        found: list[str] = []
        for m in entries:
            if m.id not in flipped or not flipped.isdisjoint(m.children):
                continue
            # Some children kept, some added or removed: name the added and removed
            # children that side with the node's new and old status (the removed
            # `t3-aa-federal`, say). A subtree replaced whole is named by its root.
            if m.children and (m.added or m.removed):
                changes = [c for i, c in m.removed if st_a[i] == st_a[m.a]]
                changes += [c for i, c in m.added if st_b[i] == st_b[m.b]]
                if changes:
                    found.extend(c for c in changes if c not in found)
                    continue
            if m.id not in found:
                found.append(m.id)
        if found:
            return found
        for plan in (self.plan_a, self.plan_b):
            if pid in plan.roots:
                cid = plan.nodes[plan.roots[pid]].condition.id
                if cid not in found:
                    found.append(cid)
        return found
