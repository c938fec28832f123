"""The interview's logic: which question to ask next, answers, notes, going back, saving.

No terminal I/O here (see eligibility/commands/interview.py). A session holds the legal
facts answered directly, the answers to indicator questions (rules/indicators.yaml,
turned into legal facts by its rules), the questions answered "don't know" and the
trainee's notes. It asks only questions whose answer can still change a result:

- the pool: the facts an undetermined provision is missing; when none is, the facts
  that decide whether a provision that is not met is law-enforcement gated;
- a legal fact that indicators can still give or suggest is asked through them;
- the order, from rules/interview.yaml: stage first (triage, the person's story, what
  the person did, what officials did, judgements for a lawyer), then the stage's listed
  order, then the most provisions waiting per unit of cost, then catalogue order;
- a branch (trafficking, crime) whose provisions are all settled not met, even if law
  enforcement acted, asks nothing more that only it needs;
- a question that refines another (rules/interview.yaml `refines`: the U waiver refines
  admissibility) waits until that one was asked and answered;
- the later steps (a green card, family members: provisions `reached_by` a status) are
  asked last, in their own stage, and only once the trainee chooses to go on.

Why one module of over 400 lines: one `Session`, whose rules for the next question (the
pool, stages, branches, refinements, later steps) refer to each other and to the answers
it holds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..law.indicators import Answers, Derivation, IndicatorQuestion, Indicators
from ..law.interview_guide import InterviewGuide
from ..law.scenarios import (
    MEMBER_PREFIX,
    Scenario,
    dump_yaml,
    interview_document,
    kept_document,
    scenario_document,
)
from ..law.vocabulary import Fact, Facts, Vocabulary
from .evaluate import Evaluator, Result

DONT_KNOW = {
    "?",
    "dk",
    "d",
    "don't know",
    "dont know",
    "do not know",
    "unknown",
    "not sure",
    "skip",
    "don’t know",
}
YES = {"y", "yes", "true"}
NO = {"n", "no", "false"}
NONE_OF_THEM = {"none", "0", "neither", "nothing"}
# "yes note: she said so twice", "3; note: ...", or "note: ..." alone
NOTE = re.compile(r"(?:^|[\s;,]+)note:\s*", re.I)
SETTLED_LEVELS = ("relies_on", "independent")

Item = Fact | IndicatorQuestion


class AnswerError(ValueError):
    """An answer that does not fit the question; the message says what would."""


def split_note(reply: str) -> tuple[str, str]:
    """(answer, note) of a reply; either may be empty."""
    match = NOTE.search(reply)
    if not match:
        return reply.strip(), ""
    return reply[: match.start()].strip(), reply[match.end() :].strip()


def parse_answer(fact: Item, text: str) -> Any:
    """The value an answer stands for; None means "don't know"."""
    answer = text.strip().lower()
    if answer in DONT_KNOW:
        return None
    if fact.type == "bool":
        if answer in YES:
            return True
        if answer in NO:
            return False
        raise AnswerError("Please answer yes, no, or ? for don't know.")
    if fact.type == "int":
        if not re.fullmatch(r"\d{1,4}", answer) or not (fact.min or 0) <= int(answer) <= (
            fact.max or 0
        ):
            raise AnswerError(
                f"Please give a whole number from {fact.min} to {fact.max}, or ? for don't know."
            )
        return int(answer)
    values = list(fact.values)
    if fact.type == "enum":
        chosen = _choices(values, answer)
        if len(chosen) != 1:
            raise AnswerError(
                f"Please choose one number from 1 to {len(values)}, or ? for don't know."
            )
        return chosen[0]
    if answer in NONE_OF_THEM:
        return frozenset()
    chosen = _choices(values, answer)
    if not chosen:
        raise AnswerError(
            f"Please choose numbers from 1 to {len(values)} separated by "
            f"commas, `none`, or ? for don't know."
        )
    return frozenset(chosen)


def _choices(values: list[str], answer: str) -> list[str]:
    chosen: list[str] = []
    for part in re.split(r"[,\s]+", answer):
        if not part:
            continue
        if part.isdigit() and 1 <= int(part) <= len(values):
            value = values[int(part) - 1]
        elif part in values:
            value = part
        else:
            return []
        if value not in chosen:
            chosen.append(value)
    return chosen


@dataclass
class Step:
    name: str
    previous: Any  # value before the answer (None: not answered)
    was_unknown: bool  # answered "don't know" before
    previous_note: str | None = None
    note_after: str | None = None  # the note right after the answer


@dataclass(frozen=True)
class Effect:
    """What one possible answer would make of the provisions waiting for a question."""

    answer: str
    statuses: dict[str, str]  # provision -> status after that answer


@dataclass
class Session:
    """One interview: the answers, the questions nobody can answer yet, the notes, and
    the way back."""

    evaluator: Evaluator
    vocabulary: Vocabulary
    as_of: dt.date
    facts: Facts = field(default_factory=dict)  # legal facts answered directly
    answers: Answers = field(default_factory=dict)  # indicator answers
    unknown: set[str] = field(default_factory=set)  # facts and indicators: "don't know"
    notes: dict[str, str] = field(default_factory=dict)
    history: list[Step] = field(default_factory=list)
    indicators: Indicators | None = None
    guide: InterviewGuide | None = None
    later_steps: bool = False  # the trainee chose to go on to the later steps
    # the saved case this interview resumed: what it holds that the interview does not
    # ask (findings, family members, description, expectations) is saved with it again
    base: Scenario | None = None
    _provision_facts: dict[str, set[str]] | None = field(default=None, repr=False)
    _later_only: set[str] | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ the items

    def item(self, name: str) -> Item:
        if self.indicators is not None and name in self.indicators:
            return self.indicators[name]
        return self.vocabulary[name]

    def is_indicator(self, name: str) -> bool:
        return self.indicators is not None and name in self.indicators

    def text(self, name: str, key: str) -> str:
        """The question, help or why of `name`, worded for the law on the interview's
        date (rules/interview.yaml), else as rules/facts.yaml or indicators.yaml say."""
        default = str(getattr(self.item(name), key, "") or "")
        if self.guide is None:
            return default
        return self.guide.text(name, key, default, self.as_of)

    def stage_of(self, name: str) -> int:
        """The stage that asks `name`: the later steps' stage for a question only later
        steps need, else the stage of rules/interview.yaml."""
        if self.guide is None:
            return 0
        later = self.guide.later_stage()
        if later is not None and self.later_only(name):
            return later
        return self.base_stage(name)

    def base_stage(self, name: str) -> int:
        """The stage of `name` by its controller or listing, whatever step it serves."""
        if self.guide is None:
            return 0
        return self.guide.stage_of(name, self.item(name).controlled_by)

    # ------------------------------------------------------------------ the facts

    def derivation(self) -> Derivation:
        if self.indicators is None:
            return Derivation()
        return self.indicators.derive(self.answers, self.vocabulary)

    def effective_facts(self) -> Facts:
        """The legal facts the engine sees: those the indicators give, overridden by
        the ones answered directly (a trainee may answer the legal question)."""
        return {**self.derivation().facts, **self.facts}

    def result(self) -> Result:
        return self.evaluator.evaluate(self.effective_facts(), self.as_of, "interview")

    def waiting_for(self, result: Result | None = None) -> dict[str, list[str]]:
        """Unanswered facts -> the undetermined provisions that are waiting for them."""
        result = result or self.result()
        waiting: dict[str, list[str]] = {}
        for pid, provision in result.provisions.items():
            for fact in self._askable(pid, provision.missing_facts):
                if fact not in self.unknown:
                    waiting.setdefault(fact, []).append(pid)
        return waiting

    def _askable(self, pid: str, facts: list[str]) -> list[str]:
        """The facts worth asking for a provision. Family members' facts are listed in
        the scenario file, one member at a time, never asked as the person's own (issue
        17); a later step the person has not reached (adjustment before T or U status)
        asks only the fact that says whether they have."""
        gate = self.gate_of(pid)
        if gate is not None and not self.later_steps and gate not in self.facts:
            return []  # nobody chose to go on to the later steps yet
        if gate is not None and self.facts.get(gate) is not True:
            return [gate] if facts and gate not in self.facts else []
        return [f for f in facts if not f.startswith(MEMBER_PREFIX)]

    def gate_of(self, pid: str) -> str | None:
        """The fact that says whether the person reached provision `pid` (a later step),
        or None for a protection of its own."""
        source = self.evaluator.book.sources.get(pid)
        return source.reached_by if source is not None else None

    def unreached(self, result: Result) -> list[str]:
        """The later steps the person has not reached (the status that leads to them is
        not known to be held)."""
        return [
            pid
            for pid in result.provisions
            if (gate := self.gate_of(pid)) is not None and self.facts.get(gate) is not True
        ]

    def later_only(self, name: str) -> bool:
        """Whether question `name` serves only later steps (a green card, family
        members), never a protection the person may have now."""
        if self._later_only is None:
            tested = self.provision_facts(self.result())
            later = {pid for pid in tested if self.gate_of(pid) is not None}
            now: set[str] = set().union(*(f for p, f in tested.items() if p not in later))
            self._later_only = set().union(*(tested[p] for p in later)) - now
        facts = set(self.indicators.serves(name)) if self.is_indicator(name) else {name}  # type: ignore[union-attr]
        return bool(facts) and facts <= self._later_only

    def later_steps_waiting(self) -> bool:
        """Whether a later step could still be asked, were the trainee to go on."""
        if self.later_steps:
            return False
        self.later_steps = True
        try:
            return bool(self.candidates())
        finally:
            self.later_steps = False

    def refined_yet(self, name: str) -> bool:
        """A question that refines others (rules/interview.yaml `refines`) is asked only
        once each of those was asked and one was answered: a detail of an answer the
        person gave, never a guess at one nobody knows yet."""
        refined = self.guide.refines.get(name, ()) if self.guide is not None else ()
        if not refined:
            return True
        known = self.effective_facts()
        answered = [r for r in refined if r in known or r in self.answers]
        return bool(answered) and all(r in self.unknown or r in answered for r in refined)

    def gate_questions(self, result: Result | None = None) -> dict[str, list[str]]:
        """Unanswered facts that would settle whether a provision that is not met is
        law-enforcement gated: the facts its counterfactual (every law-enforcement act
        done, full cooperation) is still missing."""
        result = result or self.result()
        facts = self.effective_facts()
        overrides = result.book.plan.counterfactual_overrides(facts) or {}
        if not overrides:
            return {}
        counterfactual = self.evaluator.evaluate({**facts, **overrides}, self.as_of)
        waiting: dict[str, list[str]] = {}
        for pid, provision in result.provisions.items():
            if provision.status != "not_met":  # undetermined ones wait in waiting_for
                continue
            for fact in self._askable(pid, counterfactual.provisions[pid].missing_facts):
                if fact not in self.unknown and fact not in overrides:
                    waiting.setdefault(fact, []).append(pid)
        return waiting

    # ------------------------------------------------------------------ branches

    def provision_facts(self, result: Result) -> dict[str, set[str]]:
        """Provision -> every fact its conditions test, across references."""
        if self._provision_facts is None:
            plan = result.book.plan
            found: dict[str, set[str]] = {}
            for pid in plan.provisions:
                seen: set[int] = set()
                stack = [plan.roots[pid]]
                facts: set[str] = set()
                while stack:
                    index = stack.pop()
                    if index in seen:
                        continue
                    seen.add(index)
                    node = plan.nodes[index]
                    if node.condition.kind == "fact" and node.condition.fact:
                        facts.add(node.condition.fact)
                    stack.extend(node.children)
                    if node.target is not None:
                        stack.append(node.target)
                found[pid] = facts
            self._provision_facts = found
        return self._provision_facts

    def settled_branches(self, result: Result) -> list[str]:
        """Branches (rules/interview.yaml) none of whose provisions can be met any
        more: each is not met, and would stay not met if law enforcement acted. A later
        step (a green card on T status) follows its branch and does not count here."""
        if self.guide is None:
            return []
        settled = []
        for name, pids in self.guide.branches.items():
            present = [
                pid for pid in pids if pid in result.provisions and self.gate_of(pid) is None
            ]
            if present and all(
                result.provisions[pid].status == "not_met"
                and result.provisions[pid].law_enforcement in SETTLED_LEVELS
                for pid in present
            ):
                settled.append(name)
        return settled

    def branch_only(self, name: str, branch: str, result: Result) -> bool:
        """Whether question `name` serves only provisions of `branch`."""
        assert self.guide is not None
        facts = (
            set(self.indicators.serves(name))
            if self.indicators is not None and name in self.indicators
            else {name}
        )
        users = {pid for pid, tested in self.provision_facts(result).items() if facts & tested}
        return bool(users) and users <= set(self.guide.branches[branch])

    # ------------------------------------------------------------------ next question

    def candidates(self, result: Result | None = None) -> dict[str, list[str]]:
        """Questions that can still change a result -> the provisions waiting for
        them. Legal facts that indicators can still give or suggest are replaced by
        those indicator questions."""
        result = result or self.result()
        pool = self.waiting_for(result) or self.gate_questions(result)
        found: dict[str, list[str]] = {}
        for fact, pids in pool.items():
            names = [fact]
            if self.indicators is not None and fact not in self.facts:
                useful = self.indicators.useful(fact, self.answers, self.unknown)
                if useful:
                    names = useful
            for name in names:
                waiting = found.setdefault(name, [])
                waiting.extend(pid for pid in pids if pid not in waiting)
        settled = self.settled_branches(result)
        found = {
            name: pids
            for name, pids in found.items()
            if self.refined_yet(name)
            and not any(self.branch_only(name, branch, result) for branch in settled)
        }
        for name in self.context_questions():
            if name not in self.facts and name not in self.unknown:
                found.setdefault(name, [])
        return found

    def context_questions(self) -> list[str]:
        """Context facts (when it happened) a stage of the guide lists: asked once,
        although no result turns on them, because a screener asks them."""
        if self.guide is None:
            return []
        listed = [name for stage in self.guide.stages for name in stage.questions]
        return [n for n in listed if n in self.vocabulary and self.vocabulary[n].context]

    def check(self, name: str, value: Any) -> str:
        """Why an answer cannot be right (empty when it can): a year after the date of
        the interview."""
        item = self.item(name)
        late = isinstance(value, int) and value > self.as_of.year
        if getattr(item, "context", False) and late:
            return (
                f"{value} is after the date the interview is for ({self.as_of.isoformat()})."
                " Please give the year it began, or ? for don't know."
            )
        return ""

    def dates_disagree(self) -> str:
        """A warning when the ages and the year it began do not fit together: the
        youngest age during it is the age when it began, so the years since then and the
        years between the two ages differ by at most one (a birthday)."""
        facts = self.effective_facts()
        year = next((facts[n] for n in self.context_questions() if n in facts), None)
        then, now = facts.get("age_at_victimization"), facts.get("age_now")
        if year is None or then is None or now is None:
            return ""
        since = self.as_of.year - year
        if abs((now - then) - since) <= 1:
            return ""
        return (
            f"The answers do not fit together: {then} when it began and {now} now is "
            f"{now - then} years, but {year} is {since} years before {self.as_of.year}. "
            "Check them with `back`, or keep them and say why in a note."
        )

    def order_key(self, name: str, waiting: list[str]) -> tuple[Any, ...]:
        catalogue = [*(self.indicators.questions if self.indicators else ()), *self.vocabulary]
        item = self.item(name)
        cost = self.guide.cost(name, item.controlled_by) if self.guide else 1.0
        listed = self.guide.listed_position(name) if self.guide else 0
        return (
            self.stage_of(name),
            self.base_stage(name),
            listed,
            -len(waiting) / cost,
            catalogue.index(name),
        )

    def next_question(self, result: Result | None = None) -> str | None:
        """The question to ask now (None: nothing asked can change a result)."""
        found = self.candidates(result)
        if not found:
            return None
        return min(found, key=lambda name: self.order_key(name, found[name]))

    # ------------------------------------------------------------------ why

    def decides(self, name: str, result: Result) -> list[tuple[str, str, str]]:
        """(provision, element text, citation) of the undetermined elements the
        question decides."""
        facts = set(self.indicators.serves(name)) if self.is_indicator(name) else {name}  # type: ignore[union-attr]
        plan = result.book.plan
        found: list[tuple[str, str, str]] = []
        for pid, root in plan.roots.items():
            if pid not in result.provisions or result.provisions[pid].status == "met":
                continue
            # an element is a child of the provision's root; the fact may sit deep in
            # its alternatives ("a listed crime, or another one that is similar")
            for element in plan.nodes[root].children or (root,):
                if not facts & self._facts_under(plan, element):
                    continue
                c = plan.nodes[element].condition
                entry = (pid, c.short or c.text, c.citation)
                if entry not in found:
                    found.append(entry)
        return found

    @staticmethod
    def _facts_under(plan: Any, index: int) -> set[str]:
        """The facts tested at or below node `index`, not following references to other
        provisions (those are their own elements)."""
        facts: set[str] = set()
        stack = [index]
        while stack:
            node = plan.nodes[stack.pop()]
            if node.condition.kind == "fact" and node.condition.fact:
                facts.add(node.condition.fact)
            stack.extend(node.children)
        return facts

    def effects(self, name: str, result: Result, provisions: Iterable[str]) -> list[Effect]:
        """How each possible answer would change the provisions waiting for `name`."""
        item = self.item(name)
        options: list[tuple[str, Any]]
        if item.type == "bool":
            options = [("yes", True), ("no", False)]
        elif item.type == "enum":
            options = list((label, value) for value, label in item.values.items())
        elif item.type == "set":
            options = [(label, frozenset({value})) for value, label in item.values.items()]
            options.append(("none of them", frozenset()))
        else:
            options = self._number_ranges(name, item, result)
        pids = list(provisions)
        effects = []
        for label, value in options:
            trial = Session(
                self.evaluator,
                self.vocabulary,
                self.as_of,
                facts=dict(self.facts),
                answers=dict(self.answers),
                indicators=self.indicators,
            )
            trial.answer(name, value)
            after = trial.result()
            effects.append(Effect(label, {pid: after.provisions[pid].status for pid in pids}))
        return effects

    def _number_ranges(self, name: str, item: Item, result: Result) -> list[tuple[str, Any]]:
        """For a number (an age): the ranges between the thresholds the rules test it
        against, each with one value standing for it ("under 15", "15 to 17", ...)."""
        starts: set[int] = set()
        for node in result.book.plan.nodes:
            c = node.condition
            if c.kind != "fact" or c.fact != name or not isinstance(c.value, int):
                continue
            # the first value of a new range: x < 15 and x >= 15 change at 15
            starts.add(c.value + 1 if c.op in ("le", "gt") else c.value)
            if c.op == "eq":
                starts.add(c.value + 1)
        low, high = item.min or 0, item.max if item.max is not None else 120
        bounds = sorted(b for b in starts if low < b <= high)
        edges = [low, *bounds, high + 1]
        options = []
        for first, after in zip(edges, edges[1:], strict=False):
            if first == low and first == 0:
                label = f"under {after}"
            elif after == high + 1:
                label = f"{first} or over"
            elif after - first == 1:
                label = str(first)
            else:
                label = f"{first} to {after - 1}"
            options.append((label, first))
        return options

    # ------------------------------------------------------------------ answers

    def value_of(self, name: str) -> Any:
        return self.answers.get(name) if self.is_indicator(name) else self.facts.get(name)

    def describe(self, name: str) -> str:
        if name in self.unknown:
            return "don't know"
        value = self.value_of(name)
        if value is None:
            return "not answered"
        return self.item(name).describe(value)

    def answer(self, name: str, value: Any, note: str = "") -> None:
        target = self.answers if self.is_indicator(name) else self.facts
        self.history.append(
            Step(name, target.get(name), name in self.unknown, self.notes.get(name))
        )
        self.unknown.discard(name)
        if value is None:
            target.pop(name, None)
            self.unknown.add(name)
        else:
            target[name] = value
        if note:
            self.notes[name] = note
        self.history[-1].note_after = self.notes.get(name)

    def note_list(self) -> list[tuple[str, str]]:
        """(question, note) of every note, in the order the notes were first kept."""
        return list(self.notes.items())

    def set_note(self, name: str, text: str) -> None:
        """Rewrite the note of question `name`; an empty text removes it. A note is not
        an answer: `back` does not undo this."""
        text = text.strip()
        if text:
            self.notes[name] = text
        else:
            self.notes.pop(name, None)

    def back(self) -> str | None:
        """Undo the last answer; returns the question it was about."""
        if not self.history:
            return None
        step = self.history.pop()
        target = self.answers if self.is_indicator(step.name) else self.facts
        if step.previous is None:
            target.pop(step.name, None)
        else:
            target[step.name] = step.previous
        if step.was_unknown:
            self.unknown.add(step.name)
        else:
            self.unknown.discard(step.name)
        if self.notes.get(step.name) != step.note_after:
            pass  # rewritten with `notes` since: the trainee's latest words stay
        elif step.previous_note is None:
            self.notes.pop(step.name, None)
        else:
            self.notes[step.name] = step.previous_note
        return step.name

    # ------------------------------------------------------------------ saving

    def load(self, scenario: Scenario) -> None:
        """Take over a saved case. A fact recorded as derived from the indicators is
        recomputed from them, unless the file now gives it another value (edited by
        hand since): that value is kept as a direct answer."""
        self.answers = dict(scenario.indicators)
        recomputed = self.derivation().facts
        self.facts = {
            k: v
            for k, v in scenario.facts.items()
            if not (k in scenario.derived and recomputed.get(k) == v)
        }
        self.unknown = set(scenario.asked_unknown) | set(scenario.indicators_unknown)
        self.notes = dict(scenario.notes)
        self.base = scenario

    def scenario(self, scenario_id: str, title: str = "") -> Scenario:
        """The case as answered, with everything of a resumed case that the interview
        does not ask kept as it was."""
        derivation = self.derivation()
        given = {fact: refs for fact, refs in derivation.given.items() if fact not in self.facts}
        base = self.base
        earlier: tuple[dict[str, str], ...] = ()
        if base is not None:
            earlier = base.earlier_interviews + ((base.interview,) if base.interview else ())
        return Scenario(
            id=scenario_id,
            facts=self.effective_facts(),
            title=title or f"Interview of {dt.date.today().isoformat()}",
            description=base.description if base else "",
            as_of=self.as_of,
            expect=base.expect if base else {},
            source=base.source if base else "",
            tags=base.tags if base else (),
            indicators=dict(self.answers),
            indicators_unknown=tuple(n for n in self.unknown if self.is_indicator(n)),
            derived=given,
            notes=dict(self.notes),
            findings=base.findings if base else (),
            family_members=base.family_members if base else (),
            earlier_interviews=earlier,
        )

    def save_text(self, scenario_id: str, title: str = "", rule_set: str = "") -> str:
        """The scenario file for this interview: known facts, `null` for the questions
        answered "don't know" (a resumed interview offers to ask them again), the
        indicator answers and the legal facts derived from them, the notes, and when
        and under which rule set it was answered."""
        scenario = self.scenario(scenario_id, title)
        document = scenario_document(
            scenario,
            self.vocabulary,
            unknown=[n for n in self.unknown if not self.is_indicator(n)],
        )
        document.update(kept_document(scenario))
        document.update(
            interview_document(
                scenario,
                self.vocabulary,
                saved=dt.datetime.now(dt.UTC).replace(microsecond=0),
                rule_set=rule_set,
            )
        )
        return (
            "# Saved by `eligibility interview`. Confidential: it describes a person.\n"
            "# null means: asked, and nobody knows yet.\n" + dump_yaml(document)
        )


def scenario_id_for(path: str | None) -> str:
    """An id for a saved interview: the file name, or interview-<date>-<time>."""
    if path:
        stem = re.sub(r"[^a-z0-9-]+", "-", path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower())
        stem = stem.strip("-")
        if stem:
            return stem
    return "interview-" + dt.datetime.now().strftime("%Y%m%d-%H%M")
