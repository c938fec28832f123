"""`eligibility interview`: walk a trainee through a case, question by question."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ..analysis.evaluate import Evaluator
from ..analysis.interview import AnswerError, Session, parse_answer, scenario_id_for
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

HELP = "ask only the questions that still matter, then explain; saves a scenario file"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Interview for a case: asks only the questions that can still change an "
        "undetermined protection, most decisive first; accepts yes / no / don't know, "
        "numbers, `back`, `why` and `quit`; shows the running status after each answer; "
        "ends with the full `explain` report. Saves a scenario file (mode 0600) that "
        "`explain` and `evaluate` accept."
    )
    add_rules_argument(parser)
    add_as_of_argument(parser)
    add_engine_argument(parser)
    parser.add_argument("--save", metavar="FILE", help="save the answers to FILE at the end")
    parser.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="resume from a saved (partial) scenario file",
    )
    parser.add_argument("--no-color", action="store_true")
    parser.add_argument("--width", type=at_least(MIN_WIDTH), metavar="COLUMNS")


class _Quit(Exception):
    """The trainee typed quit, or the input ended."""


def _ask(out, prompt: str) -> str:  # type: ignore[no-untyped-def]
    try:
        return out.input(prompt, markup=False)
    except EOFError:
        raise _Quit() from None


def _save(out, session: Session, path: str | None, title: str) -> bool:  # type: ignore[no-untyped-def]
    """Save the answers; on failure, offer another file name until one works or the
    trainee gives up. Returns False when answers the trainee wanted saved were not."""
    while True:
        if not path:
            try:
                path = _ask(out, "Save to which file? (Enter to skip) ").strip()
            except _Quit:
                path = ""
            if not path:
                out.print("Not saved.")
                return False
        try:
            write_private(path, session.save_text(scenario_id_for(path), title))
        except (UsageError, OSError) as exc:
            out.print(f"Could not save to {path}: {exc}")
            path = None
            continue
        out.print(
            f"Saved to {path} (readable by you only). Explain it again with "
            f"`eligibility explain {path}`."
        )
        return True


def run(args: argparse.Namespace, registry: Registry) -> int:
    from .. import render
    from ..analysis.report import build_report
    from ..render import interview as screens
    from ..render.common import provision_name
    from ..render.report import print_report

    book = registry.load(args.rules)
    vocabulary = book.vocabulary  # with the facts its overlays add
    as_of = args.as_of or dt.date.today()
    session = Session(Evaluator(book, args.engine), vocabulary, as_of)
    title = ""
    if args.from_file:
        scenario = load_scenario(args.from_file, vocabulary)
        session.facts = dict(scenario.facts)
        session.unknown = set(scenario.asked_unknown)
        session.as_of = args.as_of or scenario.as_of or as_of
        title = scenario.title
        if not args.save:
            args.save = args.from_file
    if args.save and Path(args.save).is_dir():
        raise UsageError(f"--save {args.save}: is a directory, expected a file name")
    out = render.console(no_color=args.no_color, width=args.width)
    screens.introduction(out, book.name, session.as_of.isoformat())
    asked = 0
    try:
        while True:
            result = session.result()
            if asked or session.facts:
                screens.status_line(out, result)
            fact_name = session.next_question(result)
            if fact_name is None:
                break
            fact = vocabulary[fact_name]
            asked += 1
            remaining = len(session.waiting_for(result)) or len(session.gate_questions(result))
            screens.question(out, fact, asked, remaining)
            while True:
                reply = _ask(out, "> ").strip()
                command = reply.lower()
                if command == "quit":
                    raise _Quit()
                if command == "back":
                    undone = session.back()
                    out.print(
                        f"Went back: {vocabulary[undone].question}"
                        if undone
                        else "Nothing to go back to."
                    )
                    asked = max(asked - 2, 0)
                    break
                if command == "why":
                    status_of, gate_of = session.matters_for(fact_name, result)
                    reasons = []
                    if status_of:
                        reasons.append(
                            "it can still change: "
                            + ", ".join(provision_name(p) for p in status_of)
                        )
                    if gate_of:
                        reasons.append(
                            "it decides whether law enforcement is what stands "
                            "in the way of: " + ", ".join(provision_name(p) for p in gate_of)
                        )
                    out.print("Asked because " + "; ".join(reasons) + ".")
                    if fact.why:
                        out.print(fact.why)
                    continue
                try:
                    value = parse_answer(fact, reply)
                except AnswerError as exc:
                    out.print(str(exc))
                    continue
                session.answer(fact_name, value)
                break
    except (_Quit, KeyboardInterrupt):
        out.print()
        wants = _ask_safely(out, "Save your answers before quitting? [y/N] ")
        if wants.strip().lower() in ("y", "yes"):
            return EXIT_OK if _save(out, session, args.save, title) else EXIT_USAGE
        out.print("Not saved. Nothing was written.")
        return EXIT_OK
    out.print()
    if session.unknown:
        out.print(
            "Every question that could still change an outcome has been asked; "
            f'{len(session.unknown)} answered "don\'t know".'
        )
    else:
        out.print("Every question that could still change an outcome has been answered.")
    scenario = session.scenario(scenario_id_for(args.save), title)
    report = build_report(
        session.result(),
        scenario,
        vocabulary=vocabulary,
        book=book,
        compare_books=[registry.load("rights-based-2007")]
        if book.name != "rights-based-2007"
        else [],
    )
    print_report(report, out)
    if args.save:
        return EXIT_OK if _save(out, session, args.save, title) else EXIT_USAGE
    wants = _ask_safely(out, "Save this case to a file? [y/N] ")
    if wants.strip().lower() in ("y", "yes"):
        return EXIT_OK if _save(out, session, None, title) else EXIT_USAGE
    return EXIT_OK


def _ask_safely(out, prompt: str) -> str:  # type: ignore[no-untyped-def]
    try:
        return out.input(prompt, markup=False)
    except (EOFError, KeyboardInterrupt):
        return ""
