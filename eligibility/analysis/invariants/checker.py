"""Testing invariants on one rule book: first a sweep of scenarios that give every
provision each status at every epoch, then Hypothesis; a failure is shrunk, made
1-minimal and printed as scenario files."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, assume, configuration, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from ...errors import EligibilityError, printable
from ...law.rulebook import RuleBook
from ...law.scenarios import Scenario, dump_yaml, scenario_document
from ...law.vocabulary import Facts
from ..evaluate import Evaluator, Result
from ..search import ValueClasses
from .forms import INVALID, Example, Failure, FormChecks
from .generation import ScenarioGenerator
from .model import EXPANDS, Assumption, Invariant, exclusions

DEFAULT_EXAMPLES = 100


@dataclass
class Counterexample:
    date: dt.date
    facts: Facts  # the scenario that shows the failure
    explanation: list[str]  # what goes wrong, in words
    other: Facts | None = None  # the changed scenario, for two-scenario forms
    documents: list[tuple[str, str]] = field(default_factory=list)  # (label, YAML)


@dataclass
class Outcome:
    invariant: Invariant
    status: str  # passed | failed | skipped
    examples: int = 0
    seconds: float = 0.0
    counterexample: Counterexample | None = None
    reason: str = ""


@contextmanager
def private_hypothesis_storage() -> Iterator[None]:
    """Hypothesis caches what it reads from source code in `.hypothesis/` under the
    working directory, which may be a folder of case files: use a private temporary
    directory instead, removed at the end (unless the user chose one with
    HYPOTHESIS_STORAGE_DIRECTORY)."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    previous = getattr(configuration, "__hypothesis_home_directory", None)
    with tempfile.TemporaryDirectory(prefix="eligibility-check-") as directory:
        configuration.set_hypothesis_home_dir(directory)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


class InvariantChecker:
    """Runs invariants against one rule book with Hypothesis."""

    def __init__(
        self,
        book: RuleBook,
        assumptions: Sequence[Assumption] = (),
        *,
        engine: str = "durable",
        as_of: dt.date | None = None,
        examples: int = DEFAULT_EXAMPLES,
        label: str = "",
        invariants: Iterable[Invariant] = (),
    ) -> None:
        self.book = book
        self.label = label or book.name  # how the user named the rule set
        self.vocabulary = book.vocabulary
        self.assumptions = list(assumptions)
        self.evaluator = Evaluator(book, engine)
        self.as_of = as_of
        self.examples = examples
        self.names = self.vocabulary.names()
        # the values the invariants test are boundaries too (generation favours them)
        tests = [t for a in self.assumptions for t in a.holds.walk()] + [
            t for i in invariants for t in i.tests()
        ]
        self._excluded, self.linked = exclusions(self.assumptions)
        triples = []
        for t in tests:
            if t.kind == "fact" and t.fact and t.op and t.op != "known" and not t.other:
                triples.append((t.fact, t.op, t.value))
        # an overlay that `expands` a rule set is tested on scenarios of both: the
        # base's own witnesses and steering find what the base meets
        self.base = book.expands
        resolved = [book.at(d) for d in book.change_dates]
        vocabulary = book.vocabulary
        if self.base is not None:
            resolved += [self.base.at(d) for d in self.base.change_dates]
            vocabulary = vocabulary.union(self.base.vocabulary, names=(book.name, self.base.name))
        self.classes = ValueClasses.for_book(
            book, resolved, triples, self.linked, vocabulary=vocabulary
        )
        self._cache: dict[tuple[int, frozenset[tuple[str, Any]]], Result] = {}
        self.generator = ScenarioGenerator(book, self.classes, self.excluded)
        self.base_generator: ScenarioGenerator | None = None
        evaluate_base = None
        if self.base is not None:
            self.base_evaluator = Evaluator(self.base, engine)
            self._base_cache: dict[tuple[int, frozenset[tuple[str, Any]]], Result] = {}
            self.base_generator = ScenarioGenerator(self.base, self.classes, self.excluded)
            evaluate_base = self.evaluate_base
        self.forms = FormChecks(
            self.evaluate,
            self.excluded,
            self.generator,
            evaluate_base,
            (self.label, self.base.name if self.base else ""),
        )

    # -- evaluation ----------------------------------------------------------------
    def excluded(self, facts: Mapping[str, Any]) -> bool:
        return self._excluded is not None and self._excluded(facts)

    def evaluate(self, facts: Facts, date: dt.date) -> Result:
        key = (self.book.epoch(date), frozenset(facts.items()))
        result = self._cache.get(key)
        if result is None:
            if len(self._cache) > 20_000:
                self._cache.clear()
            result = self._cache[key] = self.evaluator.evaluate(facts, date, "generated")
        return result

    def evaluate_base(self, facts: Facts, date: dt.date) -> Result:
        """The result under the rule set this one `expands` (cached like `evaluate`)."""
        assert self.base is not None
        key = (self.base.epoch(date), frozenset(facts.items()))
        result = self._base_cache.get(key)
        if result is None:
            if len(self._base_cache) > 20_000:
                self._base_cache.clear()
            result = self._base_cache[key] = self.base_evaluator.evaluate(facts, date, "generated")
        return result

    def scenarios(
        self, dates: st.SearchStrategy[dt.date] | None = None
    ) -> st.SearchStrategy[tuple[dt.date, Facts]]:
        """(date, facts) pairs, for tests that want the same generator."""
        return self.generator.scenarios(dates)

    def _generators(self, inv: Invariant) -> list[ScenarioGenerator]:
        """Whose scenarios test `inv`: this rule set's, and for `expands` the base's."""
        if inv.form == EXPANDS and self.base_generator is not None:
            return [self.generator, self.base_generator]
        return [self.generator]

    # -- running -------------------------------------------------------------------
    def applicable(self, inv: Invariant) -> str:
        """Why `inv` is not checked here, or ''."""
        if not inv.applies_to(self.book.name):
            return f"holds only for {', '.join(inv.rule_sets or ())}"
        if self.as_of is not None and (
            (inv.start and self.as_of < inv.start) or (inv.until and self.as_of >= inv.until)
        ):
            return f"does not hold on {self.as_of.isoformat()} (see its `dates`)"
        return ""

    def check(self, inv: Invariant) -> Outcome:
        """Test one invariant: first on a sweep of scenarios that give every provision
        each status at every epoch (found by the exhaustive search of the lint, so the
        rare combinations that a dozen elements require are never missed), then on
        `examples` scenarios generated by Hypothesis, which shrinks any failure."""
        reason = self.applicable(inv)
        if reason:
            return Outcome(inv, "skipped", reason=reason)
        draw_extra, check = self.forms.form(inv)
        started = time.perf_counter()
        swept = 0
        for example in self._sweep(inv):
            outcome = self._run(check, inv, example)
            if outcome is INVALID:
                continue
            swept += 1
            if isinstance(outcome, Failure):
                return self._failed(inv, check, example, swept, started)
        if self.examples <= 0:
            return Outcome(inv, "passed", swept, time.perf_counter() - started)
        generators = self._generators(inv)
        dates = (
            st.just(self.as_of)
            if self.as_of
            else st.one_of(*(generator.dates(inv) for generator in generators))
        )
        which = st.sampled_from(generators)

        @st.composite
        def examples(draw: st.DrawFn) -> Example:
            date = draw(dates)
            generator = draw(which) if len(generators) > 1 else generators[0]
            facts = generator.scenario(draw, date)
            return Example(date, facts, draw_extra(draw, date, facts))

        counted = [0]

        def fails(example: Example) -> bool:
            outcome = self._run(check, inv, example)
            if outcome is INVALID:
                assume(False)
            counted[0] += 1
            return isinstance(outcome, Failure)

        config = settings(
            max_examples=self.examples,
            derandomize=True,
            database=None,
            deadline=None,
            print_blob=False,
            verbosity=Verbosity.quiet,
            suppress_health_check=list(HealthCheck),
            phases=(Phase.generate, Phase.shrink),
            report_multiple_bugs=False,
        )
        try:
            found = find(examples(), fails, settings=config)
        except NoSuchExample:
            return Outcome(inv, "passed", swept + counted[0], time.perf_counter() - started)
        except Unsatisfiable:
            return Outcome(
                inv,
                "skipped",
                swept + counted[0],
                time.perf_counter() - started,
                reason="could not generate scenarios that satisfy the assumptions",
            )
        return self._failed(inv, check, found, swept + counted[0], started)

    def _failed(
        self,
        inv: Invariant,
        check: Callable[[Invariant, Example], Any],
        example: Example,
        tried: int,
        started: float,
    ) -> Outcome:
        if inv.form == EXPANDS and example.extra:  # the scenario with the facts forgotten
            facts = {n: v for n, v in example.facts.items() if n not in example.extra}
            example = Example(example.date, facts, frozenset())
        example = self._minimal(check, inv, example)
        failure = self._run(check, inv, example)
        assert isinstance(failure, Failure)
        counterexample = Counterexample(example.date, example.facts, failure.lines, failure.other)
        counterexample.documents = self._documents(inv, counterexample)
        return Outcome(inv, "failed", tried, time.perf_counter() - started, counterexample)

    # -- the sweep -------------------------------------------------------------------
    def _sweep_dates(self, inv: Invariant) -> list[dt.date]:
        if self.as_of is not None:
            return [self.as_of]
        changes = set(self.book.change_dates)
        if inv.form == EXPANDS and self.base is not None:
            changes.update(self.base.change_dates)
        return [
            d
            for d in sorted(changes, reverse=True)  # the law of today first
            if (inv.start is None or d >= inv.start) and (inv.until is None or d < inv.until)
        ]

    def _sweep(self, inv: Invariant) -> Iterable[Example]:
        generators = self._generators(inv)
        for date in self._sweep_dates(inv):
            seen: list[Facts] = []
            for generator in generators:
                for facts in generator.witnesses(date):
                    if facts in seen:
                        continue
                    seen.append(facts)
                    for extra in self.forms.sweep_extras(inv, facts):
                        yield Example(date, facts, extra)

    def _run(
        self, check: Callable[[Invariant, Example], Any], inv: Invariant, example: Example
    ) -> Any:
        try:
            return check(inv, example)
        except EligibilityError as exc:  # an engine failure is a failure to report
            return Failure([f"evaluating this scenario failed: {exc}"])

    def _minimal(
        self, check: Callable[[Invariant, Example], Any], inv: Invariant, example: Example
    ) -> Example:
        """Leave out every fact whose absence keeps the failure (1-minimal)."""
        for name in list(example.facts):
            trial = replace(example, facts={k: v for k, v in example.facts.items() if k != name})
            if isinstance(self._run(check, inv, trial), Failure):
                example = trial
        return example

    def _documents(self, inv: Invariant, found: Counterexample) -> list[tuple[str, str]]:
        base = inv.id.replace("_", "-")
        text = printable(" ".join(inv.text.split()))
        description = (
            f"Invariant {inv.id}: {text} Counterexample found by `eligibility "
            f"check --rules {printable(self.label)}`: " + "; ".join(found.explanation[:2])
        )
        out = []
        items = [("scenario", base, found.facts)]
        if found.other is not None:
            items = [
                ("before", f"{base}-before", found.facts),
                ("after", f"{base}-after", found.other),
            ]
        for label, sid, facts in items:
            scenario = Scenario(
                id=f"counterexample-{sid}",
                facts=facts,
                title=f"Counterexample to invariant {inv.id} under "
                f"{printable(self.book.name)} ({label})",
                description=description,
                as_of=found.date,
            )
            out.append((label, dump_yaml(scenario_document(scenario, self.vocabulary))))
        return out

    def run(self, invariants: Iterable[Invariant]) -> list[Outcome]:
        return [self.check(inv) for inv in invariants]
