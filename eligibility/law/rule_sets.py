"""Loading a rule set: a directory (`ruleset.yaml` and one file per provision) or an
overlay file that `extends:` another rule set and changes conditions by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from ..errors import RuleError, UsageError, did_you_mean
from . import yamlfile
from .conditions import Condition
from .fields import Node, describe, root
from .guidance import Reading, Step, parse_readings, parse_steps, reading_ids
from .provisions import Amendment, Critique, ProvisionSource, RecordedChange
from .rule_parser import VERIFICATION_TAGS, RuleParser, parse_critiques
from .rulebook import RuleBook
from .vocabulary import Vocabulary, parse_facts

MAX_OVERLAY_CHAIN = 32  # overlay extends overlay ...: each level is a recursive load


STEPS_FILE = "next-steps.yaml"  # in a rule set directory, beside ruleset.yaml


def load_directory(
    path: Path,
    vocabulary: Vocabulary,
    critiques: dict[str, Critique],
    readings: Mapping[str, Reading],
) -> RuleBook:
    meta_path = path / "ruleset.yaml"
    doc = yamlfile.load(meta_path)
    top = root(doc, RuleError)
    top.mapping(
        required=("rule_set", "title", "provisions"),
        optional=("description", "checked_on", "recorded"),
        what="rule set description",
    )
    name = top.child("rule_set").identifier()
    order_nodes = top.child("provisions").elements(what="list of provision ids", allow_empty=False)
    order = [n.identifier() for n in order_nodes]
    for number, n in enumerate(order_nodes):
        if n.value in order[:number]:
            raise n.fail(f"provision {n.value} is listed twice")
    files = {
        p.stem: p for p in sorted(path.glob("*.yaml")) if p.name not in ("ruleset.yaml", STEPS_FILE)
    }
    for n in order_nodes:
        if n.value not in files:
            raise n.fail(f"no file {n.value}.yaml in {path}{did_you_mean(n.value, files)}")
    for stem, file in files.items():
        if stem not in order:
            raise RuleError(
                f"{file.name} is not listed under `provisions` in ruleset.yaml", path=str(meta_path)
            )
    parser = RuleParser(vocabulary, critiques, order)
    sources = {pid: _load_provision(files[pid], parser) for pid in order}
    for source in sources.values():
        _check_source_ids(source)
        if source.grantable_from is not None and source.grantable_from < source.effective:
            raise RuleError(
                f"{source.id}: grantable_from {source.grantable_from.isoformat()} is before "
                f"the provision takes effect ({source.effective.isoformat()})",
                path=source.path,
            )
    _check_note_changes(sources, ())
    recorded = []
    if top.has("recorded"):
        for item in top.child("recorded").elements(what="list of recorded changes"):
            item.mapping(
                required=("effective", "instrument", "change", "reason"),
                optional=("verification",),
                what="recorded change",
            )
            recorded.append(
                RecordedChange(
                    effective=item.child("effective").date(),
                    instrument=item.child("instrument").text(),
                    change=item.child("change").text(),
                    reason=item.child("reason").text(),
                    verification=item.child("verification").choice(
                        VERIFICATION_TAGS, what="verification tag"
                    )
                    if item.has("verification")
                    else None,
                )
            )
    _check_readings(sources.values(), (), readings)
    steps: tuple[Step, ...] = ()
    if (path / STEPS_FILE).is_file():
        steps_top = root(yamlfile.load(path / STEPS_FILE), RuleError)
        steps_top.mapping(required=("steps",), what="next-steps file")
        steps = tuple(_steps(parser, steps_top.child("steps").elements(what="list of steps")))
        _check_step_readings(steps, readings, str(path / STEPS_FILE))
    return RuleBook(
        name=name,
        title=top.child("title").text(),
        description=top.child("description").text() if top.has("description") else "",
        path=str(path),
        vocabulary=vocabulary,
        critiques=critiques,
        sources=sources,
        recorded=tuple(recorded),
        readings=readings,
        steps=steps,
    )


def _steps(parser: RuleParser, items: list[Node]) -> list[Step]:
    return parse_steps(
        items,
        provisions=sorted(parser.provision_ids),
        facts=parser.vocabulary.names(),
        condition=lambda node, defaults: parser.condition(
            node, need_citation=False, defaults=defaults
        ),
    )


def _check_step_readings(steps: Iterable[Step], readings: Mapping[str, Reading], path: str) -> None:
    for step in steps:
        if step.reading and readings and step.reading not in readings:
            raise RuleError(
                f"next step {step.id}: no reading {step.reading} in readings.yaml"
                f"{did_you_mean(step.reading, readings)}",
                path=path,
            )


def _check_readings(
    sources: Iterable[ProvisionSource],
    changes: Iterable[Amendment],
    readings: Mapping[str, Reading],
) -> None:
    """Every reading and open question a condition names is explained in readings.yaml
    (when the rule set has readings at all), so that reports can explain it."""
    if not readings:
        return
    conditions = [c for s in sources for c in s.condition.walk()]
    for source in sources:
        for amendment in source.amendments:
            for operation in amendment.operations:
                for condition in operation.conditions:
                    conditions.extend(condition.walk())
    for change in changes:
        for operation in change.operations:
            for condition in operation.conditions:
                conditions.extend(condition.walk())
    for c in conditions:
        names = reading_ids(c.reading or "") + ([c.question] if c.question else [])
        for name in names:
            if name not in readings:
                raise RuleError(
                    f"condition {c.id}: no reading {name} in readings.yaml; explain it there "
                    f"(reports show its plain-words explanation, never the bare id)",
                    path=c.origin[0],
                    line=c.origin[1],
                )


def _check_note_changes(
    sources: Mapping[str, ProvisionSource], changes: Iterable[Amendment]
) -> None:
    """Every note a change removes or replaces exists, at some date, and no note is added
    twice: the amendments of each provision in date order, then the overlays' changes."""
    ids = {pid: [n.id for n in source.notes] for pid, source in sources.items()}
    dated = sorted(
        (a for s in sources.values() for a in s.amendments),
        key=lambda a: a.effective or dt.date.min,
    )
    for change in [*dated, *changes]:
        if change.notes is None:
            continue
        known = ids[change.provision]
        path, line = change.origin[0] or None, change.notes.line
        for target in (*change.notes.remove, *(n.id for n in change.notes.replace)):
            if target not in known:
                raise RuleError(
                    f"change {change.id}: {change.provision} has no note {target}"
                    f"{did_you_mean(target, known)}; its notes: {', '.join(known) or 'none'}",
                    path=path,
                    line=line,
                )
        for target in change.notes.remove:
            known.remove(target)
        for note in change.notes.add:
            if note.id in known:
                raise RuleError(
                    f"change {change.id}: {change.provision} already has a note {note.id}; "
                    f"replace it (`notes: {{replace: {{{note.id}: ...}}}}`) or choose another id",
                    path=path,
                    line=line,
                )
            known.append(note.id)


def _check_source_ids(source: ProvisionSource) -> None:
    seen: dict[str, Condition] = {}
    for node in source.condition.walk():
        if node.id in seen:
            raise RuleError(
                f"condition id {node.id} is used twice in {source.id}",
                path=node.origin[0],
                line=node.origin[1],
            )
        seen[node.id] = node


# Loads the rule set an overlay extends: (reference, directory it is relative to, the
# overlay files that led here) -> rule book. The registry's `load`.
LoadBase = Callable[[str, Path, tuple[str, ...]], RuleBook]


def load_overlay(path: Path, load_base: LoadBase, chain: tuple[str, ...]) -> RuleBook:
    doc = yamlfile.load(path)
    top = root(doc, RuleError)
    top.mapping(
        required=("rule_set", "extends", "title"),
        optional=(
            "description",
            "citation",
            "source",
            "checked_on",
            "changes",
            "critiques",
            "invariants",
            "readings",
            "next_steps",
            "remove_next_steps",
            "facts",
            "expands",
        ),
        what="overlay file",
    )
    name = top.child("rule_set").identifier()
    base_ref = top.child("extends").text()
    if base_ref in chain or str(path) in chain:
        raise top.child("extends").fail(
            f"overlays extend each other in a cycle: {' -> '.join(chain + (base_ref,))}"
        )
    if len(chain) >= MAX_OVERLAY_CHAIN:
        raise top.child("extends").fail(
            f"overlays extend each other more than {MAX_OVERLAY_CHAIN} deep"
        )
    try:
        base = load_base(base_ref, path.parent, chain + (str(path),))
    except UsageError as exc:  # name the overlay that asked for it
        raise top.child("extends").fail(exc.message) from None
    expands = None
    if top.has("expands"):
        # a rule set this one must never take protection from (`eligibility check`
        # proves it on generated scenarios: analysis/invariants)
        try:
            expands = load_base(top.child("expands").text(), path.parent, chain + (str(path),))
        except UsageError as exc:
            raise top.child("expands").fail(exc.message) from None
    critiques = dict(base.critiques)
    if top.has("critiques"):
        critiques.update(parse_critiques(top.child("critiques")))
    # new facts, read by the parser of facts.yaml: the overlay's conditions, notes and
    # steps may test them, and so may the scenarios evaluated under it
    vocabulary = base.vocabulary
    if top.has("facts"):
        vocabulary = vocabulary.extended(parse_facts(top.child("facts"), base.vocabulary))
    parser = RuleParser(vocabulary, critiques, base.sources)
    changes = (
        tuple(
            parser.amendment(item, None, overlay=True)
            for item in top.child("changes").elements(what="list of changes")
        )
        if top.has("changes")
        else ()
    )
    seen: set[str] = set()
    for change in base.changes + changes:
        if change.id in seen:
            raise RuleError(f"change id {change.id} is used twice", path=str(path))
        seen.add(change.id)
    _check_note_changes(base.sources, base.changes + changes)
    readings = dict(base.readings)
    if top.has("readings"):
        readings.update(parse_readings(top.child("readings")))
    _check_readings((), changes, readings)
    steps = {step.id: step for step in base.steps}
    if top.has("remove_next_steps"):
        for item in top.child("remove_next_steps").elements(what="list of step ids"):
            target = item.identifier()  # a list or a mapping here is an error, not a crash
            if target not in steps:
                raise item.fail(
                    f"no next step {describe(target)} to remove{did_you_mean(target, steps)}"
                )
            del steps[target]
    if top.has("next_steps"):
        for step in _steps(parser, top.child("next_steps").elements(what="list of steps")):
            steps[step.id] = step  # same id: the overlay's step replaces the base's
    _check_step_readings(steps.values(), readings, str(path))
    # `invariants:` are read by `eligibility check` (analysis/invariants), from the file
    return RuleBook(
        name=name,
        title=top.child("title").text(),
        description=top.child("description").text() if top.has("description") else "",
        path=str(path),
        vocabulary=vocabulary,
        critiques=critiques,
        sources=base.sources,
        changes=base.changes + changes,
        extends=base.name,
        overlays=(*base.overlays, str(path)),
        recorded=base.recorded,
        readings=readings,
        steps=tuple(steps.values()),
        expands=expands,
    )


def _load_provision(path: Path, parser: RuleParser) -> ProvisionSource:
    doc = yamlfile.load(path)
    top = root(doc, RuleError)
    top.mapping(
        required=("provision", "title", "effective", "enacted_by", "condition"),
        optional=(
            "amendments",
            "notes",
            "checked_on",
            "not_applicable",
            "grantable_from",
            "reached_by",
            "follows",
        ),
        what="provision file",
    )
    pid = top.child("provision").identifier()
    if path.stem != pid:
        raise top.child("provision").fail(
            f"provision {pid} must be in a file named {pid}.yaml (one provision per file)"
        )
    condition = parser.condition(top.child("condition"))
    amendments = (
        tuple(
            parser.amendment(item, pid)
            for item in top.child("amendments").elements(what="list of amendments")
        )
        if top.has("amendments")
        else ()
    )
    notes = (
        tuple(parser.note(item) for item in top.child("notes").elements(what="list of notes"))
        if top.has("notes")
        else ()
    )
    not_applicable = (
        parser.not_applicable(top.child("not_applicable")) if top.has("not_applicable") else ()
    )
    reached_by = None
    if top.has("reached_by"):
        reached_by = top.child("reached_by").choice(parser.vocabulary.names(), what="fact")
    follows = None
    if top.has("follows"):
        node = top.child("follows")
        if reached_by is None:
            raise node.fail("`follows` names the status a later step follows: give `reached_by`")
        follows = node.choice(sorted(parser.provision_ids - {pid}), what="provision")
    return ProvisionSource(
        id=pid,
        title=top.child("title").text(),
        effective=top.child("effective").date(),
        enacted_by=top.child("enacted_by").text(),
        condition=condition,
        amendments=amendments,
        notes=notes,
        checked_on=top.child("checked_on").date() if top.has("checked_on") else None,
        path=str(path),
        not_applicable=not_applicable,
        grantable_from=top.child("grantable_from").date() if top.has("grantable_from") else None,
        reached_by=reached_by,
        follows=follows,
    )
