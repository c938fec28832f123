"""The interview's logic: which question to ask next, answers, going back, saving.

No terminal I/O here (see eligibility/commands/interview.py): a session holds the facts
answered so far and the facts answered "don't know", and asks only questions whose
answer can still change a result: first the facts an undetermined provision is missing,
most decisive first (the fact the most provisions wait for, then the order of the
vocabulary, which follows a conversation: the person, what happened, where they are,
law enforcement, the crime); then the facts that decide whether a provision that is
not met is law-enforcement gated (its counterfactual is still missing them), because
where protection depends on law enforcement is what a trainee most needs to see.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..law.scenarios import Scenario, dump_yaml, scenario_document
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


class AnswerError(ValueError):
    """An answer that does not fit the question; the message says what would."""


def parse_answer(fact: Fact, text: str) -> Any:
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
        if not re.fullmatch(r"\d{1,3}", answer) or not (fact.min or 0) <= int(answer) <= (
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
    fact: str
    previous: Any  # value before the answer (None: not answered)
    was_unknown: bool  # answered "don't know" before


@dataclass
class Session:
    """One interview: the facts known, the facts nobody knows, and the way back."""

    evaluator: Evaluator
    vocabulary: Vocabulary
    as_of: dt.date
    facts: Facts = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    history: list[Step] = field(default_factory=list)

    def result(self) -> Result:
        return self.evaluator.evaluate(self.facts, self.as_of, "interview")

    def waiting_for(self, result: Result | None = None) -> dict[str, list[str]]:
        """Unanswered facts -> the undetermined provisions that are waiting for them."""
        result = result or self.result()
        waiting: dict[str, list[str]] = {}
        for pid, provision in result.provisions.items():
            for fact in provision.missing_facts:
                if fact not in self.unknown:
                    waiting.setdefault(fact, []).append(pid)
        return waiting

    def gate_questions(self, result: Result | None = None) -> dict[str, list[str]]:
        """Unanswered facts that would settle whether a provision that is not met is
        law-enforcement gated: the facts its counterfactual (every law-enforcement act
        done, full cooperation) is still missing."""
        result = result or self.result()
        plan = result.book.plan
        overrides = plan.counterfactual_overrides(self.facts) or {}
        if not overrides:
            return {}
        counterfactual = self.evaluator.evaluate({**self.facts, **overrides}, self.as_of)
        waiting: dict[str, list[str]] = {}
        for pid, provision in result.provisions.items():
            if provision.status != "not_met":  # undetermined ones wait in waiting_for
                continue
            for fact in counterfactual.provisions[pid].missing_facts:
                if fact not in self.unknown and fact not in overrides:
                    waiting.setdefault(fact, []).append(pid)
        return waiting

    def next_question(self, result: Result | None = None) -> str | None:
        """The fact the most undetermined provisions wait for; when none does, the fact
        that settles the most law-enforcement gates; ties in vocabulary order."""
        result = result or self.result()
        order = {name: i for i, name in enumerate(self.vocabulary.names())}
        for waiting in (self.waiting_for(result), self.gate_questions(result)):
            if waiting:
                return min(waiting, key=lambda f: (-len(waiting[f]), order[f]))
        return None

    def matters_for(self, fact: str, result: Result | None = None) -> tuple[list[str], list[str]]:
        """(provisions whose status waits for `fact`, provisions whose gate does)."""
        result = result or self.result()
        return (self.waiting_for(result).get(fact, []), self.gate_questions(result).get(fact, []))

    def answer(self, fact: str, value: Any) -> None:
        self.history.append(Step(fact, self.facts.get(fact), fact in self.unknown))
        self.unknown.discard(fact)
        if value is None:
            self.facts.pop(fact, None)
            self.unknown.add(fact)
        else:
            self.facts[fact] = value

    def back(self) -> str | None:
        """Undo the last answer; returns the fact it was about."""
        if not self.history:
            return None
        step = self.history.pop()
        if step.previous is None:
            self.facts.pop(step.fact, None)
        else:
            self.facts[step.fact] = step.previous
        if step.was_unknown:
            self.unknown.add(step.fact)
        else:
            self.unknown.discard(step.fact)
        return step.fact

    def scenario(self, scenario_id: str, title: str = "") -> Scenario:
        return Scenario(
            id=scenario_id,
            facts=dict(self.facts),
            title=title or f"Interview of {dt.date.today().isoformat()}",
            as_of=self.as_of,
        )

    def save_text(self, scenario_id: str, title: str = "") -> str:
        """The scenario file for this interview: known facts, and `null` for the facts
        answered "don't know" (so a resumed interview does not ask them again)."""
        document = scenario_document(
            self.scenario(scenario_id, title), self.vocabulary, unknown=self.unknown
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
