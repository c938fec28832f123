"""The four forms of invariant, each as a check of one example (a date, a scenario and
what the form draws besides: changed facts, answers to unknown facts) that returns None
(holds), a `Failure` (what goes wrong, in words) or INVALID (an assumption excludes the
scenario); with what each form draws, by Hypothesis and in the sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from ...law.logic import MET, NOT_MET, STATUS_NAMES, STATUS_OF, show
from ...law.vocabulary import Facts
from ..evaluate import Result
from .generation import ScenarioGenerator
from .model import EXPANDS, RANK, Invariant


@dataclass(frozen=True)
class Example:
    date: dt.date
    facts: Facts
    extra: Any = None


class Invalid:
    """A generated scenario that contradicts an assumption."""


INVALID = Invalid()


@dataclass
class Failure:
    lines: list[str]
    other: Facts | None = None


def _statuses(result: Result, provisions: Iterable[str]) -> str:
    parts = []
    for pid in provisions:
        p = result.provisions[pid]
        text = f"{pid} {p.status}"
        if p.missing_facts:
            shown = p.missing_facts[:4]
            more = len(p.missing_facts) - len(shown)
            text += f" (missing: {', '.join(shown)}" + (f" and {more} more)" if more else ")")
        parts.append(text)
    return "; ".join(parts)


class FormChecks:
    """Checks of every form against one rule book's evaluations."""

    def __init__(
        self,
        evaluate: Callable[[Facts, dt.date], Result],
        excluded: Callable[[Facts], bool],
        generator: ScenarioGenerator,
        evaluate_base: Callable[[Facts, dt.date], Result] | None = None,
        names: tuple[str, str] = ("", ""),
    ) -> None:
        self.evaluate = evaluate
        self.excluded = excluded
        self.generator = generator
        self.names = generator.names
        self.evaluate_base = evaluate_base  # the rule set an overlay `expands`
        self.rule_sets = names  # (this rule set, the one it expands), for messages

    def check_expands(self, inv: Invariant, ex: Example) -> Failure | None | Invalid:
        """Every provision met under the base is met under this rule set."""
        forgotten: frozenset[str] = ex.extra or frozenset()
        facts = {n: v for n, v in ex.facts.items() if n not in forgotten}
        if self.excluded(facts):
            return INVALID
        assert self.evaluate_base is not None
        base = self.evaluate_base(facts, ex.date)
        result = None
        mine, theirs = self.rule_sets
        for pid in inv.provisions:
            if base.provisions[pid].status != "met":
                continue
            result = result or self.evaluate(facts, ex.date)
            if pid not in result.provisions:
                return Failure([f"{pid} is met under {theirs} but does not exist under {mine}"])
            if result.provisions[pid].status != "met":
                return Failure(
                    [
                        f"{pid} is met under {theirs} but {result.provisions[pid].status} "
                        f"under {mine}: the expansion takes it away",
                        f"under {theirs}: " + _statuses(base, [pid]),
                        f"under {mine}: " + _statuses(result, [pid]),
                    ]
                )
        return None

    def check_then(self, inv: Invariant, ex: Example) -> Failure | None | Invalid:
        if self.excluded(ex.facts):
            return INVALID
        result = self.evaluate(ex.facts, ex.date)
        if inv.when is not None and inv.when.evaluate(ex.facts, result) != MET:
            return None
        assert inv.then is not None
        if inv.then.evaluate(ex.facts, result) == MET:
            return None
        mentioned = [t.provision for t in inv.tests() if t.provision]
        facts = [t.fact for t in inv.tests() if t.fact]
        lines = []
        if inv.when is not None:
            lines.append(f"if {inv.when.describe()}: yes")
        lines.append(f"then {inv.then.describe()}: no")
        if mentioned:
            lines.append("here: " + _statuses(result, dict.fromkeys(mentioned)))
        shown = [f"{n} is {show(ex.facts.get(n))}" for n in dict.fromkeys(facts)]
        if shown:
            lines.append("facts: " + "; ".join(shown))
        return Failure(lines)

    def _compare(
        self,
        inv: Invariant,
        ex: Example,
        after: Facts,
        change: str,
        worse: Callable[[int, int], bool],
    ) -> Failure | None | Invalid:
        if self.excluded(ex.facts) or self.excluded(after):
            return INVALID
        before_result = self.evaluate(ex.facts, ex.date)
        after_result = self.evaluate(after, ex.date)
        for pid in inv.provisions:
            old = STATUS_OF[before_result.provisions[pid].status]
            new = STATUS_OF[after_result.provisions[pid].status]
            if worse(old, new):
                return Failure(
                    [
                        f"changing {change} changes {pid} from {STATUS_NAMES[old]} to "
                        f"{STATUS_NAMES[new]}",
                        "before: " + _statuses(before_result, [pid]),
                        "after: " + _statuses(after_result, [pid]),
                    ],
                    after,
                )
        return None

    def check_unaffected(self, inv: Invariant, ex: Example) -> Failure | None | Invalid:
        changes: dict[str, Any] = ex.extra
        after = {k: v for k, v in ex.facts.items() if k not in changes}
        after.update({k: v for k, v in changes.items() if v is not None})
        after = {n: after[n] for n in self.names if n in after}
        if after == ex.facts:
            return None
        said = ", ".join(
            f"{k} from {show(ex.facts.get(k))} to {show(v)}"
            for k, v in changes.items()
            if ex.facts.get(k) != v
        )
        return self._compare(inv, ex, after, said, lambda old, new: old != new)

    def check_monotone(self, inv: Invariant, ex: Example) -> Failure | None | Invalid:
        name, old_value, new_value = ex.extra
        before = {**ex.facts, name: old_value}
        before = {n: before[n] for n in self.names if n in before}
        after = {**before, name: new_value}
        example = replace(ex, facts=before)
        if inv.worse == "met_to_not_met":

            def worse(old: int, new: int) -> bool:
                return old == MET and new == NOT_MET
        else:

            def worse(old: int, new: int) -> bool:
                return RANK[new] < RANK[old]

        return self._compare(
            inv, example, after, f"{name} from {show(old_value)} to {show(new_value)}", worse
        )

    def check_explained(self, inv: Invariant, ex: Example) -> Failure | None | Invalid:
        if self.excluded(ex.facts):
            return INVALID
        fill, chosen = ex.extra
        facts = ex.facts
        result = self.evaluate(facts, ex.date)
        unknown = [n for n in self.names if n not in facts]

        def extended(names: Iterable[str]) -> Facts | None:
            wanted = set(names)
            out = {**facts, **{n: fill[n] for n in unknown if n in wanted and n in fill}}
            out = {n: out[n] for n in self.names if n in out}
            return None if self.excluded(out) else out

        answered = extended(n for n in unknown if n in chosen)
        if answered is not None and answered != facts:
            later = self.evaluate(answered, ex.date)
            for pid in inv.provisions:
                old, new = result.provisions[pid].status, later.provisions[pid].status
                if old != "undetermined" and new != old:
                    return Failure(
                        [
                            f"{pid} is {old}, but answering "
                            f"{_answers(answered, facts)} makes it {new}: a decided status "
                            f"must not change when unknown facts are answered"
                        ],
                        answered,
                    )
        for pid in inv.provisions:
            p = result.provisions[pid]
            if p.status != "undetermined":
                continue
            if not p.missing_facts and not p.open_questions:
                return Failure(
                    [f"{pid} is undetermined but names no missing fact and no open question"]
                )
            outside = extended(n for n in unknown if n in chosen and n not in p.missing_facts)
            if outside is not None and outside != facts:
                q = self.evaluate(outside, ex.date).provisions[pid]
                if (q.status, q.missing_facts, q.open_questions) != (
                    p.status,
                    p.missing_facts,
                    p.open_questions,
                ):
                    return Failure(
                        [
                            f"{pid} is undetermined (missing: {', '.join(p.missing_facts)}), "
                            f"but answering {_answers(outside, facts)}, which are not among its "
                            f"missing facts, makes it {q.status}"
                            + (
                                f" (missing: {', '.join(q.missing_facts)})"
                                if q.missing_facts
                                else ""
                            )
                        ],
                        outside,
                    )
            complete = extended(p.missing_facts)
            if complete is None:
                continue
            q = self.evaluate(complete, ex.date).provisions[pid]
            if q.status == "undetermined" and (q.missing_facts or not q.open_questions):
                return Failure(
                    [
                        f"{pid} is undetermined (missing: {', '.join(p.missing_facts)}), and "
                        f"answering all of them ({_answers(complete, facts)}) leaves it "
                        f"undetermined"
                        + (
                            f" with missing facts {', '.join(q.missing_facts)}"
                            if q.missing_facts
                            else " without an open question of law"
                        )
                    ],
                    complete,
                )
        return None

    def form(
        self, inv: Invariant
    ) -> tuple[Callable[[st.DrawFn, dt.date, Facts], Any], Callable[[Invariant, Example], Any]]:
        """The extra data a form draws, and its check."""
        names = self.names
        if inv.form == "then":
            return (lambda draw, date, facts: None), self.check_then
        if inv.form == "unaffected_by":

            def changes(draw: st.DrawFn, date: dt.date, facts: Facts) -> dict[str, Any]:
                chosen = draw(
                    st.lists(
                        st.sampled_from(inv.facts), min_size=1, max_size=len(inv.facts), unique=True
                    )
                )
                return {n: draw(st.one_of(st.none(), self.generator.value(n))) for n in chosen}

            return changes, self.check_unaffected
        if inv.form == "never_worse_when":
            return self._draw_change(inv), self.check_monotone
        if inv.form == EXPANDS:
            # facts to forget: a reform can lose a protection where the base is met on
            # less information (a child under 18 now whose age then is unknown)
            def forget(draw: st.DrawFn, date: dt.date, facts: Facts) -> frozenset[str]:
                if not facts:
                    return frozenset()
                return frozenset(draw(st.sets(st.sampled_from(sorted(facts)))))

            return forget, self.check_expands

        def fill(draw: st.DrawFn, date: dt.date, facts: Facts) -> tuple[Facts, frozenset]:
            values = {n: draw(self.generator.value(n)) for n in names if n not in facts}
            chosen = draw(st.frozensets(st.sampled_from(names)))
            return values, chosen

        return fill, self.check_explained

    def _draw_change(self, inv: Invariant) -> Callable[[st.DrawFn, dt.date, Facts], Any]:
        def draw_change(draw: st.DrawFn, date: dt.date, facts: Facts) -> tuple[str, Any, Any]:
            change = draw(st.sampled_from(inv.changes))
            name = draw(st.sampled_from(change.facts))
            if change.direction == "set":
                return name, change.before, change.after
            strategy = self.generator.value(name)
            first = facts[name] if name in facts and draw(st.booleans()) else draw(strategy)
            second = draw(strategy)
            if change.direction in ("lower", "higher"):
                assume(first != second)
                low, high = sorted((first, second))
                return (name, high, low) if change.direction == "lower" else (name, low, high)
            union = first | second
            assume(union != first)
            return (name, first, union) if change.direction == "more" else (name, union, first)

        return draw_change

    # -- running -------------------------------------------------------------------

    def sweep_extras(self, inv: Invariant, facts: Facts) -> Iterable[Any]:
        classes = self.generator.classes
        if inv.form == "then":
            yield None
        elif inv.form == EXPANDS:
            yield frozenset()
            for name in facts:  # each fact forgotten in turn (see _draw for EXPANDS)
                yield frozenset({name})
        elif inv.form == "unaffected_by":
            for name in inv.facts:
                for value in (None, *classes[name]):
                    if facts.get(name) != value:
                        yield {name: value}
        elif inv.form == "never_worse_when":
            for change in inv.changes:
                for name in change.facts:
                    if change.direction == "set":
                        yield name, change.before, change.after
                        continue
                    values = list(classes[name])
                    current = facts.get(name)
                    if current is not None and current not in values:
                        values.append(current)
                    if change.direction in ("lower", "higher"):
                        values.sort()
                        pairs = list(zip(values, values[1:], strict=False))
                        if change.direction == "lower":
                            pairs = [(high, low) for low, high in pairs]
                        yield from ((name, a, b) for a, b in pairs)
                    else:  # one member more (monotonicity then follows for any superset)
                        atoms = {m for value in values for m in value}
                        for small in values:
                            for atom in sorted(atoms - small):
                                large = small | {atom}
                                yield (
                                    (name, small, large)
                                    if change.direction == "more"
                                    else (name, large, small)
                                )
        else:
            unknown = [n for n in self.names if n not in facts]
            for pick in (0, -1):  # every unknown fact answered one way, then another
                yield {n: classes[n][pick] for n in unknown}, frozenset(self.names)


def _answers(facts: Facts, base: Facts) -> str:
    return ", ".join(f"{k}: {show(v)}" for k, v in facts.items() if base.get(k) != v) or "nothing"
