"""Node statuses -> one `ProvisionResult` per provision, for one version of the law.

What a provision's result holds follows from the statuses of the nodes of the plan (as
stated and in the two law-enforcement worlds): its status; the facts and open questions
still missing (`Plan.missing`); its law-enforcement dependency and the elements behind
it (analysis/dependency.py); the notes whose `when` is met; whether it applies; whether
it can be granted on the date. `Assembler` writes that out once per resolved rule book
as one Python function, one block of statements per provision, with the layout's
constants (roots, note conditions, which provisions can depend on law enforcement) in
place of loops over it. Assembling is most of the time of an evaluation with the
reference engine, and a loop over the layout spends it on reading the layout again for
every scenario. Texts (titles, notes, reasons) are passed in as values, so no text of a
rule file becomes source code. `assemble_by_walk` is the same, as a loop: the tests hold
the two to each other. Like a plan's evaluation (law/conditions.py), the function is
written only once an assembler has been used a few times: a report asks about the law
at every amendment date only a few times each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..law.conditions import STEPS_BEFORE_COMPILING, Plan, World
from ..law.logic import MET, NOT_MET, STATUS_NAMES, UNDETERMINED
from ..law.rulebook import ResolvedBook
from .dependency import INDEPENDENT, dependency
from .results import Element, ProvisionResult

# (statuses, favourable world's, unfavourable world's, facts, the favourable World)
AssembleFunction = Callable[
    [list[int], list[int] | None, list[int] | None, Mapping[str, Any], World | None],
    dict[str, ProvisionResult],
]


class Assembler:
    """The provision results of one resolved rule book, from node statuses."""

    def __init__(self, resolved: ResolvedBook, element: Callable[[int], Element]) -> None:
        self.resolved = resolved
        self.element = element  # a blocking or relied-on leaf, as an Element
        self._compiled: AssembleFunction | None = None
        self._uses = 0

    def __call__(
        self,
        statuses: list[int],
        favourable: list[int] | None,
        unfavourable: list[int] | None,
        facts: Mapping[str, Any],
        world: World | None,
    ) -> dict[str, ProvisionResult]:
        """The provision results (`assemble_by_walk`, written out once used enough)."""
        compiled = self._compiled
        if compiled is None:
            self._uses += 1
            if self._uses <= STEPS_BEFORE_COMPILING:
                return self.assemble_by_walk(statuses, favourable, unfavourable, facts, world)
            compiled = self.compiled()
        return compiled(statuses, favourable, unfavourable, facts, world)

    def compiled(self) -> AssembleFunction:
        """`assemble_by_walk` as one generated function (`_compile`), made once."""
        if self._compiled is None:
            self._compiled = self._compile()
        return self._compiled

    def _compile(self) -> AssembleFunction:
        plan = self.resolved.plan
        values: dict[str, Any] = {
            "ProvisionResult": ProvisionResult,
            "NAMES": STATUS_NAMES,
            "missing": plan.missing,
            "dependency": dependency,
            "INDEPENDENT": INDEPENDENT,
            "plan": plan,
            "element": self.element,
            "evaluate_world": plan.evaluate_world,
        }
        lines = [
            "def assemble(st, fav, unf, facts, world):",
            "    behind = None",
            "    out = {}",
        ]
        for k, layout in enumerate(self.resolved.layout):
            root = layout.root
            values[f"p{k}"], values[f"t{k}"], values[f"c{k}"] = (
                layout.id,
                layout.title,
                layout.citation,
            )
            lines += [
                f"    s = st[{root}]",
                f"    if s == {UNDETERMINED}:",
                f"        m, q = missing(st, {root})",
                "    else:",
                "        m = []",
                "        q = []",
            ]
            if root in plan.dependent:
                # the root statuses settle most scenarios (independent: met in the world
                # where law enforcement did not act, or not met where it did), so
                # `dependency` is called only for the others
                call = f"dependency(plan, {root}, st, fav, unf, facts)"
                lines += [
                    f"    if s == {MET}:",
                    f"        found = {call} if unf is not None and unf[{root}] == {NOT_MET} "
                    "else INDEPENDENT",
                    f"    elif (s if fav is None else fav[{root}]) == {NOT_MET}:",
                    "        found = INDEPENDENT",
                    "    else:",
                    f"        found = {call}",
                    "    level, blockers, relied_on = found",
                    '    if level == "possibly_gated" and world is not None:',
                    "        if behind is None:",
                    "            behind = evaluate_world(facts, world, st)",
                    f"        bb = [f for f in missing(behind, {root})[0] if f not in m]",
                    "    else:",
                    "        bb = []",
                    "    els = [element(i) for i in blockers] if blockers else []",
                    "    rel = [element(i) for i in relied_on] if relied_on else []",
                ]
                dependent = 'level == "gated", q, notes, level, els, rel, bb'
            else:
                dependent = f"False, q, notes, {INDEPENDENT.level!r}, [], [], []"
            lines.append("    notes = []")
            for j, (text, when) in enumerate(layout.notes):
                values[f"n{k}_{j}"] = text
                test = "" if when is None else f"if st[{when}] == {MET}: "
                lines.append(f"    {test}notes.append(n{k}_{j})")
            applicability = "True, None"
            if layout.not_applicable:
                for j, (reason, when) in enumerate(layout.not_applicable):
                    values[f"r{k}_{j}"] = reason
                    keyword = "if" if j == 0 else "elif"
                    lines.append(f"    {keyword} st[{when}] == {MET}: na = r{k}_{j}")
                lines.append("    else: na = None")
                applicability = "na is None, na"
            lines.append(
                f"    out[p{k}] = ProvisionResult(p{k}, t{k}, NAMES[s], c{k}, m, {dependent}, "
                f"{applicability}, {layout.grantable!r}, [], [])"
            )
        lines.append("    return out")
        namespace = dict(values)
        exec(compile("\n".join(lines), "<assemble>", "exec"), namespace)  # noqa: S102
        function: AssembleFunction = namespace["assemble"]
        return function

    def assemble_by_walk(
        self,
        statuses: list[int],
        favourable: list[int] | None,
        unfavourable: list[int] | None,
        facts: Mapping[str, Any],
        world: World | None,
    ) -> dict[str, ProvisionResult]:
        """`assemble`, as a loop over the layout (what `_compile` writes out)."""
        plan: Plan = self.resolved.plan
        out: dict[str, ProvisionResult] = {}
        behind: list[int] | None = None
        for layout in self.resolved.layout:
            root = layout.root
            status = statuses[root]
            missing, questions = (
                plan.missing(statuses, root) if status == UNDETERMINED else ([], [])
            )
            level, blockers, relied_on = (
                dependency(plan, root, statuses, favourable, unfavourable, facts)
                if root in plan.dependent
                else INDEPENDENT
            )
            behind_blockers: list[str] = []
            if level == "possibly_gated" and world is not None:
                if behind is None:
                    behind = plan.evaluate_world(facts, world, statuses)
                behind_blockers = [f for f in plan.missing(behind, root)[0] if f not in missing]
            notes = [text for text, when in layout.notes if when is None or statuses[when] == MET]
            reason = next(
                (text for text, when in layout.not_applicable if statuses[when] == MET), None
            )
            out[layout.id] = ProvisionResult(
                layout.id,
                layout.title,
                STATUS_NAMES[status],
                layout.citation,
                missing,
                level == "gated",
                questions,
                notes,
                level,
                [self.element(i) for i in blockers],
                [self.element(i) for i in relied_on],
                behind_blockers,
                reason is None,
                reason,
                layout.grantable,
                [],
                [],
            )
        return out
