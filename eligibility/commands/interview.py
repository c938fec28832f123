"""`eligibility interview`: walk a trainee through a case, question by question.

Why one module of over 400 lines: it is the terminal side of one conversation (asking,
saving with confirmation, the handout, notes, the "why" screen), which all share the
console and the session; every decision it shows is made in analysis/interview.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path
from typing import Any

from ..analysis.evaluate import Evaluator
from ..analysis.interview import (
    AnswerError,
    Session,
    parse_answer,
    scenario_id_for,
    split_note,
)
from ..errors import UsageError
from ..law.registry import Registry
from ..law.scenarios import load_scenario
from ..output import write_private
from .common import (
    EXIT_OK,
    EXIT_USAGE,
    MIN_WIDTH,
    add_as_of_argument,
    add_engine_argument,
    add_rules_argument,
    at_least,
)

HELP = "ask what a screener asks, in a screener's order, then show the one-screen report"
COMPARED_RULE_SET = "rights-based-2007"
YES = ("y", "yes")
LATER_STEPS = (
    "The person's own protections are all asked. Go on to the later steps (a green card "
    "on T or U status, family members)? [y/N] "
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Interview for a case, in the order a screener works: the basics, the person's "
        "story (asked through concrete signs, not legal conclusions), what the person "
        "did, what officials did, and last the judgements only a lawyer or adjudicator "
        "can make. Asks only what can still change an outcome. Accepts yes / no / ?, "
        "numbers, `note: ...`, `notes`, `back`, `why` and `quit`; ends with the "
        "one-screen report and offers a printable handout. Nothing is written unless "
        "you save; saved files (mode 0600) work with `explain` and `evaluate`."
    )
    add_rules_argument(parser)
    add_as_of_argument(parser)
    add_engine_argument(parser)
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="save the answers to FILE at the end (asks first if it exists)",
    )
    parser.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help='resume a saved (partial) case; offers to ask the "don\'t know" answers again',
    )
    parser.add_argument("--no-color", action="store_true")
    parser.add_argument("--width", type=at_least(MIN_WIDTH), metavar="COLUMNS")
    parser.add_argument(
        "--no-pager", action="store_true", help="never page the final report through $PAGER"
    )


class _Quit(Exception):
    """The trainee typed quit, or the input ended."""


def _ask(out: Any, prompt: str) -> str:
    try:
        return str(out.input(prompt, markup=False))
    except EOFError:
        raise _Quit() from None


def _ask_safely(out: Any, prompt: str) -> str:
    try:
        return str(out.input(prompt, markup=False))
    except (EOFError, KeyboardInterrupt):
        return ""


def _free_name(path: str) -> str:
    """case.yaml -> case-2.yaml (or -3, ...): a name nothing has yet."""
    target = Path(path)
    for n in range(2, 1000):
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        if not candidate.exists():
            return str(candidate)
    return str(target.with_name(f"{target.stem}-new{target.suffix}"))


def _target(out: Any, path: str | None, what: str) -> str | None:
    """The file to write: asks for a name when there is none, and before writing over
    an existing file (offering a free name instead). None: the trainee declined."""
    while True:
        if not path:
            path = _ask_safely(out, f"Save {what} to which file? (Enter to skip) ").strip()
            if not path:
                return None
        if Path(path).is_dir():
            out.print(f"{path} is a directory: give a file name.")
            path = None
            continue
        if not Path(path).exists():
            return path
        reply = _ask_safely(out, f"{path} already exists. Write over it? [y/N] ").strip()
        if reply.lower() in YES:
            return path
        instead = _free_name(path)
        reply = _ask_safely(
            out, f"Another file name? (Enter for {instead}; `-` to not save) "
        ).strip()
        if reply == "-":
            return None
        path = reply or instead


def _save(out: Any, session: Session, path: str | None, title: str, rule_set: str) -> bool:
    """Save the answers; on failure, offer another file name until one works or the
    trainee gives up. Returns False when answers the trainee wanted saved were not."""
    while True:
        target = _target(out, path, "the case")
        if target is None:
            out.print("Not saved. Nothing was written.")
            return False
        try:
            write_private(target, session.save_text(scenario_id_for(target), title, rule_set))
        except (UsageError, OSError) as exc:
            out.print(f"Could not save to {target}: {exc}")
            path = None
            continue
        out.print(
            f"Saved to {target} (readable by you only). Explain it again with "
            f"`eligibility explain {target}`, or continue with "
            f"`eligibility interview --from {target}`."
        )
        return True


def _offer_handout(out: Any, report: dict[str, Any]) -> None:
    from ..render.handout import handout_html

    reply = _ask_safely(
        out,
        "Write the printable handout (HTML) to a file? Name ending in .html, or Enter to skip: ",
    ).strip()
    while reply and not reply.lower().endswith(".html"):
        reply = _ask_safely(out, "The name must end in .html (Enter to skip): ").strip()
    if not reply:
        return
    target = _target(out, reply, "the handout")
    if target is None:
        out.print("No handout written.")
        return
    try:
        write_private(target, handout_html(report))
    except (UsageError, OSError) as exc:
        out.print(f"Could not write {target}: {exc}")
        return
    out.print(f"Handout written to {target} (readable by you only).")


def _view(session: Session, name: str, number: int, remaining: int) -> Any:
    from ..render.interview import QuestionView

    item = session.item(name)
    guide = session.guide
    stage = guide.stages[session.stage_of(name)] if guide else None
    # a later step's judgement is still a judgement: the note of the stage it belongs to
    judged = guide.stages[session.base_stage(name)] if guide else None
    suggestions = []
    if not session.is_indicator(name) and session.indicators is not None:
        for value, refs in session.derivation().suggested.get(name, {}).items():
            label = str(value).replace("_", " ") if item.values else ("yes" if value else "no")
            sources = "; ".join(_plain(session.indicators.ref_label(r)) for r in refs)
            suggestions.append(f"{label} (from: {sources}); confirm it, or answer otherwise")
    return QuestionView(
        number=number,
        stage=stage.title if stage else str(getattr(item, "group", "")),
        kind=item.type,
        question=session.text(name, "question"),
        help=session.text(name, "help"),
        why=session.text(name, "why"),
        values=list(item.values.values()) if item.type in ("enum", "set") else (),
        minimum=item.min,
        maximum=item.max,
        remaining=remaining,
        judgement=(stage.note or judged.note) if stage and judged else "",
        suggestions=suggestions,
        note=session.notes.get(name, ""),
    )


def _edit_notes(out: Any, session: Session) -> None:
    """`notes`: the notes so far, numbered; the trainee may rewrite or remove one."""
    from ..render import interview as screens

    while True:
        kept = session.note_list()
        screens.notes(out, [(session.item(n).label, text) for n, text in kept])
        if not kept:
            return
        reply = _ask(out, "To rewrite or remove a note, its number (Enter to go on): ").strip()
        if not reply:
            out.print("Back to the question.")
            return
        if not reply.isdigit() or not 1 <= int(reply) <= len(kept):
            out.print(f"Please give a number from 1 to {len(kept)}, or Enter to go on.")
            continue
        name, text = kept[int(reply) - 1]
        out.print(f"Now: {text}")
        new = _ask(out, "New text (Enter to keep it, `-` to remove it): ").strip()
        if new == "-":
            session.set_note(name, "")
            out.print(f"Note on {session.item(name).label} removed.")
        elif new:
            session.set_note(name, new)
            out.print(f"Note on {session.item(name).label} rewritten.")


def _plain(label: str) -> str:
    """An answer's label without its explanation in parentheses."""
    return re.sub(r"\s*\([^)]*\)", "", label)


def _why(out: Any, session: Session, name: str, result: Any, waiting: list[str]) -> None:
    from ..render import interview as screens

    effects = [(e.answer, e.statuses) for e in session.effects(name, result, waiting)]
    reasons = []
    if session.text(name, "why"):
        reasons.append(session.text(name, "why"))
    if session.indicators is not None and session.is_indicator(name):
        # one line per rule: the answer, what it does to which legal fact, the law
        for rule in session.indicators.rules:
            tests = [t for t in rule.when if t.question == name]
            if not tests:
                continue
            answer = " and ".join(_plain(session.indicators.ref_label(t.ref)) for t in tests)
            if len(rule.when) > len(tests):
                answer += " (with other answers)"
            value = "yes" if rule.value is True else "no" if rule.value is False else rule.value
            verb = "gives" if rule.effect == "gives" else "only suggests"
            fact = session.vocabulary[rule.fact].label
            what = f"{fact}: {value}" if isinstance(rule.value, bool) else f"{value}"
            citation = rule.citation.split(" (")[0]
            reasons.append(f"{answer} → {verb} {what.replace('_', ' ')} ({citation})")
    screens.why(
        out,
        session.decides(name, result),
        waiting,
        effects,
        "\n".join(f"• {r}" for r in reasons),
        current={pid: result.provisions[pid].status for pid in waiting},
    )


def run(args: argparse.Namespace, registry: Registry) -> int:
    from .. import render
    from ..analysis.report import build_report
    from ..render import interview as screens
    from ..render.report import print_report

    book = registry.load(args.rules)
    vocabulary = book.vocabulary  # with the facts its overlays add
    as_of = args.as_of or dt.date.today()
    session = Session(
        Evaluator(book, args.engine),
        vocabulary,
        as_of,
        indicators=registry.indicators,
        guide=registry.interview_guide,
    )
    title = ""
    resumed = ""
    if args.from_file:
        scenario = load_scenario(args.from_file, vocabulary)
        session.load(scenario)
        session.as_of = args.as_of or scenario.as_of or as_of
        title = scenario.title
        saved = scenario.interview
        if saved.get("saved"):
            resumed = (
                f"Resuming a case saved on {saved['saved']} under "
                f"{saved.get('rule_set', 'an unrecorded rule set')}, law in force on "
                f"{saved.get('as_of', 'an unrecorded date')}."
            )
    if args.save and Path(args.save).is_dir():
        raise UsageError(f"--save {args.save}: is a directory, expected a file name")
    save_to = args.save or args.from_file
    out = render.console(no_color=args.no_color, width=args.width)
    screens.introduction(out, book.name, session.as_of.isoformat())
    if resumed:
        out.print(resumed)
    asked = 0
    try:
        if session.unknown:
            labels = ", ".join(session.item(n).label for n in sorted(session.unknown))
            out.print(f'Answered "don\'t know" last time: {labels}.')
            reply = _ask(out, "Ask them again where they still matter? [Y/n] ").strip()
            if reply.lower() not in ("n", "no"):
                session.unknown.clear()
        last_stage: int | None = None
        announced: set[str] = set()
        while True:
            result = session.result()
            if asked or session.facts or session.answers:
                screens.status_line(out, result, session.unreached(result))
            for branch in session.settled_branches(result):
                if branch not in announced and asked:
                    screens.settled(out, branch)
                announced.add(branch)
            candidates = session.candidates(result)
            if not candidates and session.later_steps_waiting():
                # a green card or family members matter once the person holds T or U
                # status: a first screening rarely gets there, so only on request
                reply = _ask(out, LATER_STEPS).strip().lower()
                if reply in YES:
                    session.later_steps = True
                    continue
            if not candidates:
                break
            name = min(candidates, key=lambda n: session.order_key(n, candidates[n]))
            stage = session.stage_of(name)
            if session.guide is not None and stage != last_stage:
                screens.stage_heading(out, session.guide.stages[stage].title)
                last_stage = stage
            asked += 1
            screens.question(out, _view(session, name, asked, len(candidates)))
            while True:
                reply, note = split_note(_ask(out, "> "))
                command = reply.lower()
                if command == "quit":
                    raise _Quit()
                if command == "back":
                    if not session.history:
                        out.print("Nothing to go back to.")
                        continue
                    previous = session.history[-1].name
                    shown = session.describe(previous)
                    session.back()
                    screens.went_back(out, session.text(previous, "question"), shown)
                    asked = max(asked - 2, 0)
                    last_stage = None
                    break
                if command == "why":
                    _why(out, session, name, result, candidates[name])
                    continue
                if command == "notes":
                    _edit_notes(out, session)
                    continue
                if not reply and note:
                    session.notes[name] = note
                    out.print("Note kept with this question. Now the answer:")
                    continue
                try:
                    value = parse_answer(session.item(name), reply)
                except AnswerError as exc:
                    out.print(str(exc))
                    continue
                problem = session.check(name, value)
                if problem:
                    out.print(problem)
                    continue
                session.answer(name, value, note)
                warning = session.dates_disagree()
                if warning and name in (
                    "age_at_victimization",
                    "age_now",
                    *session.context_questions(),
                ):
                    out.print(warning)
                break
    except (_Quit, KeyboardInterrupt):
        out.print()
        wants = _ask_safely(out, "Save your answers before quitting? [y/N] ")
        if wants.strip().lower() in YES:
            return EXIT_OK if _save(out, session, save_to, title, book.name) else EXIT_USAGE
        out.print("Not saved. Nothing was written.")
        return EXIT_OK
    out.print()
    unknown = len(session.unknown)
    out.print(
        f"Questions asked: {asked}. Every question that could still change an outcome "
        + (f'has been asked; {unknown} answered "don\'t know".' if unknown else "is answered.")
    )
    for name in session.context_questions():
        began = session.effective_facts().get(name)
        if isinstance(began, int):
            # context for the report below: which law a lawyer will look at for the events
            years = session.as_of.year - began
            on = session.as_of.isoformat()
            out.print(
                f"It began in {began}, {years} year{'s' if years != 1 else ''} before {on}; "
                f"the report below applies the law in force on {on}."
            )
    scenario = session.scenario(scenario_id_for(save_to), title)
    report = build_report(
        session.result(),
        scenario,
        vocabulary=vocabulary,
        book=book,
        compare_books=[registry.load(COMPARED_RULE_SET)] if book.name != COMPARED_RULE_SET else [],
        refines=guide.refines if (guide := registry.interview_guide) else None,
    )
    render.page(out, lambda console: print_report(report, console), pager=not args.no_pager)
    _offer_handout(out, report)
    if args.save:
        return EXIT_OK if _save(out, session, args.save, title, book.name) else EXIT_USAGE
    if _ask_safely(out, "Save this case to a file? [y/N] ").strip().lower() in YES:
        return EXIT_OK if _save(out, session, save_to, title, book.name) else EXIT_USAGE
    out.print("Not saved. Nothing was written.")
    return EXIT_OK
