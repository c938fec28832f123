"""Distribution files (`rules/populations/*.yaml`, or a path): found by name in the
rules directory in use, read and checked against the fact vocabulary into the model of
population/generate.py. Errors name the file, line, key path, what was expected and the
nearest valid name.

Why one module of over 400 lines: it reads one file format, top to bottom (loading and
`extends:`, constraints and targets, each variable's parameters and `when` tests), with
one set of error messages; the model it builds lives in generate.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ScenarioError, UsageError, did_you_mean
from ..law import yamlfile
from ..law.fields import Node, describe, root
from ..law.logic import OPERATORS, holds
from ..law.registry import Registry, bundled_rules_dir
from ..law.vocabulary import Facts, Vocabulary
from .generate import Constraint, Distribution, Params, Target, Variable

TOP_KEYS = (
    "distribution",
    "title",
    "description",
    "unknown",
    "latent",
    "facts",
    "constraints",
    "targets",
)
# a file that `extends:` another adds constraints and targets to it, nothing else
EXTENDING_KEYS = ("distribution", "title", "description", "extends", "constraints", "targets")
CONSTRAINT_KEYS = ("id", "text", "when", "implies", "excludes")
TARGET_KEYS = ("of", "shares", "below", "share")
SHARE_TOLERANCE = 1e-9  # shares that add up to 1 within rounding
PARAMETER_KEYS = {
    "bool": ("probability",),
    "int": ("ranges", "plus"),
    "enum": ("values",),
    "set": ("members",),
    "latent": ("values",),
}
RANGE_KEYS = ("from", "to", "weight")
TEST_OPERATORS = {**OPERATORS, "latent": OPERATORS["enum"]}
KIND_NAMES = {
    "bool": "a bool fact",
    "int": "an int fact",
    "enum": "an enum fact",
    "set": "a set fact",
    "latent": "a latent trait",
}


# ------------------------------------------------------------------ loading


def populations_dirs(rules_dir: Path | None = None) -> list[Path]:
    """Where named distributions live: the rules directory in use, then the bundled."""
    dirs = [(rules_dir or bundled_rules_dir()) / "populations", bundled_rules_dir() / "populations"]
    return list(dict.fromkeys(dirs))


def bundled_distributions(rules_dir: Path | None = None) -> dict[str, Path]:
    """Distribution name -> file, from `populations/` of the rules directory in use
    (which wins) and of the bundled rules."""
    found: dict[str, Path] = {}
    for directory in reversed(populations_dirs(rules_dir)):
        for path in sorted(directory.glob("*.yaml")):
            found[path.stem] = path
    return found


def load_distribution(
    ref: str | Path = "default",
    vocabulary: Vocabulary | None = None,
    *,
    registry: Registry | None = None,
) -> Distribution:
    """A distribution by name (`default`) or by path; validated against the fact
    vocabulary (by default, the registry's). Names are looked up in the registry's rules
    directory, then in the bundled rules. Errors name the file, line, key path, what
    was expected and the nearest valid name."""
    registry = registry or Registry()
    vocabulary = vocabulary or registry.vocabulary
    bundled = bundled_distributions(registry.rules_dir)
    path = Path(ref)
    if str(ref) in bundled and not path.exists():
        path = bundled[str(ref)]
    elif not path.exists():
        raise UsageError(
            f"unknown distribution {str(ref)!r}"
            f"{did_you_mean(str(ref), bundled)}; give a bundled name "
            f"({', '.join(bundled) or 'none found'}) or the path of a "
            f"distribution file"
        )
    return parse_distribution(yamlfile.load(path), vocabulary, registry=registry)


Kinds = dict[str, tuple[str, tuple[Any, ...]]]  # drawn so far: name -> (kind, values)


def parse_distribution(
    doc: yamlfile.Document,
    vocabulary: Vocabulary,
    *,
    registry: Registry | None = None,
    calibrated: bool = True,
) -> Distribution:
    """A distribution file's model; with its targets reached (population/calibration.py)
    unless `calibrated` is False."""
    distribution, _ = _parse(doc, vocabulary, registry, ())
    if calibrated and distribution.targets:
        from .calibration import calibrate

        return calibrate(distribution, vocabulary)
    return distribution


def _parse(
    doc: yamlfile.Document,
    vocabulary: Vocabulary,
    registry: Registry | None,
    chain: tuple[str, ...],
) -> tuple[Distribution, Kinds]:
    top = root(doc, ScenarioError)
    if top.has("extends"):
        return _extend(top, doc, vocabulary, registry, chain)
    top.mapping(
        required=("distribution", "facts"), optional=TOP_KEYS, what="distribution file (a mapping)"
    )
    name = top.child("distribution").identifier()
    default_unknown = _probability(top.child("unknown")) if top.has("unknown") else 0.0
    kinds: Kinds = {}
    variables: list[Variable] = []
    if top.has("latent"):
        for trait, node in top.child("latent").entries(
            what="mapping of trait names to distributions"
        ):
            if not isinstance(trait, str) or not trait.isidentifier():
                raise node.fail("trait names are lower_case_with_underscores")
            if trait in vocabulary:
                raise node.fail(f"`{trait}` is a fact; a latent trait needs a name of its own")
            values_node = node.child("values") if node.has("values") else None
            if (
                values_node is None
                or not isinstance(values_node.value, dict)
                or not values_node.value
            ):
                raise node.fail("a latent trait needs `values`: a mapping of value -> weight")
            values = tuple(str(v) for v in values_node.value)
            for value, weight in values_node.items():
                if not isinstance(value, str) or not value.isidentifier():
                    raise weight.fail("trait values are lower_case_with_underscores")
            variables.append(
                _variable(
                    node, trait, "latent", values, 0.0, kinds, vocabulary, unknown_allowed=False
                )
            )
            kinds[trait] = ("latent", values)
    facts = top.child("facts")
    if not isinstance(facts.value, dict) or not facts.value:
        raise facts.fail(
            f"expected a mapping of fact names to distributions, got {describe(facts.value)}"
        )
    for fact_name, node in facts.items():
        if fact_name not in vocabulary:
            raise node.fail(f"unknown fact{did_you_mean(fact_name, vocabulary.names())}")
        fact = vocabulary[fact_name]
        values = tuple(fact.values)
        variables.append(
            _variable(node, fact_name, fact.type, values, default_unknown, kinds, vocabulary)
        )
        kinds[fact_name] = (fact.type, values)
    distribution = Distribution(
        name=name,
        path=doc.path,
        variables=tuple(variables),
        title=top.child("title").text() if top.has("title") else name,
        description=top.child("description").text() if top.has("description") else "",
    )
    return _add_rules(top, distribution, kinds), kinds


def _extend(
    top: Node,
    doc: yamlfile.Document,
    vocabulary: Vocabulary,
    registry: Registry | None,
    chain: tuple[str, ...],
) -> tuple[Distribution, Kinds]:
    """A file that `extends:` another distribution (a bundled name, or a path relative
    to the file): the other's model, with this file's name, constraints and targets."""
    top.mapping(
        required=("distribution", "extends"),
        optional=EXTENDING_KEYS,
        what="distribution file that extends another (it may add constraints and targets)",
    )
    ref = top.child("extends").text()
    here = Path(doc.path).resolve()
    bundled = bundled_distributions((registry or Registry()).rules_dir)
    candidate = here.parent / ref
    if candidate.is_file():
        path = candidate.resolve()
    elif ref in bundled:
        path = bundled[ref].resolve()
    else:
        raise top.child("extends").fail(
            f"unknown distribution {ref!r}{did_you_mean(ref, bundled)}; give a bundled name "
            f"({', '.join(bundled)}) or a path relative to this file"
        )
    if str(path) in chain or path == here:
        raise top.child("extends").fail(f"{ref} extends this file again (a cycle)")
    base, kinds = _parse(yamlfile.load(path), vocabulary, registry, (*chain, str(here)))
    name = top.child("distribution").identifier()
    distribution = Distribution(
        name=name,
        path=doc.path,
        variables=base.variables,
        title=top.child("title").text() if top.has("title") else name,
        description=top.child("description").text() if top.has("description") else "",
        constraints=base.constraints,
        targets=base.targets,
    )
    return _add_rules(top, distribution, kinds), kinds


def _add_rules(top: Node, distribution: Distribution, kinds: Kinds) -> Distribution:
    """The file's `constraints` and `targets`, added to those it already has."""
    constraints = list(distribution.constraints)
    if top.has("constraints"):
        seen = {c.id for c in constraints}
        for item in top.child("constraints").elements(
            what="list of constraints", allow_empty=False
        ):
            constraint = _constraint(item, kinds)
            if constraint.id in seen:
                raise item.child("id").fail(f"a second constraint with the id {constraint.id}")
            seen.add(constraint.id)
            constraints.append(constraint)
    targets = {t.variable: t for t in distribution.targets}  # a later file's target wins
    if top.has("targets"):
        named: set[str] = set()
        for item in top.child("targets").elements(what="list of targets", allow_empty=False):
            target = _target(item, kinds, distribution)
            if target.variable in named:
                raise item.fail(f"a second target for {target.variable}")
            named.add(target.variable)
            targets[target.variable] = target
    distribution.constraints = tuple(constraints)
    distribution.targets = tuple(targets.values())
    return distribution


def _constraint(node: Node, kinds: Kinds) -> Constraint:
    """`{id, text, when, implies | excludes}` on the true values of a scenario."""
    node.mapping(required=("id",), optional=CONSTRAINT_KEYS, what="constraint")
    cid = node.child("id").identifier()
    if node.has("implies") == node.has("excludes"):
        raise node.fail("a constraint takes `implies` or `excludes` (one of them)")
    key = "implies" if node.has("implies") else "excludes"
    scope = "in this file"
    when = _when(node.child("when"), kinds, scope=scope) if node.has("when") else None
    then = _when(node.child(key), kinds, scope=scope)
    names = tuple(dict.fromkeys([*(node.value.get("when") or {}), *node.value[key]]))
    text = node.child("text").text() if node.has("text") else cid

    def violated(truth: Mapping[str, Any]) -> bool:
        if when is not None and not when(truth):
            return False
        return not then(truth) if key == "implies" else then(truth)

    return Constraint(cid, text, names, violated)


def _target(node: Node, kinds: Kinds, distribution: Distribution) -> Target:
    """`{of: NAME, shares: {VALUE: SHARE}}`, or `{of: INT_FACT, below: N, share: S}`."""
    node.mapping(required=("of",), optional=TARGET_KEYS, what="target")
    of = node.child("of")
    name = of.value
    if not isinstance(name, str) or name not in kinds:
        raise of.fail(
            f"`{name}` is not a latent trait or a fact of this file{did_you_mean(str(name), kinds)}"
        )
    kind, values = kinds[name]
    if kind == "int":
        node.mapping(required=("of", "below", "share"), optional=(), what="target of an int fact")
        variable = next(v for v in distribution.variables if v.name == name)
        if any(p.plus for p in (variable.base, *(p for _, p in variable.cases))):
            raise of.fail(
                f"{name} is drawn with `plus` (added to another fact): give the target to "
                f"the fact it is added to"
            )
        below = node.child("below").integer()
        return Target(name, kind, (("below", _probability(node.child("share"))),), below)
    if kind not in ("latent", "bool", "enum"):
        raise of.fail(
            f"{name} is {KIND_NAMES[kind]}: targets apply to latent traits and to bool, "
            f"enum and int facts"
        )
    node.mapping(required=("of", "shares"), optional=(), what=f"target of {KIND_NAMES[kind]}")
    allowed: tuple[Any, ...] = ("true", "false") if kind == "bool" else values
    shares: list[tuple[Any, float]] = []
    for value, share in node.child("shares").entries(what="mapping of value -> share"):
        key = str(value).lower() if isinstance(value, bool) else value
        if key not in allowed:
            raise share.fail(
                f"unknown value{did_you_mean(str(key), allowed)}; expected one of: "
                f"{', '.join(allowed)}"
            )
        shares.append(((key == "true") if kind == "bool" else key, _probability(share)))
    total = math.fsum(s for _, s in shares)
    if total > 1 + SHARE_TOLERANCE:
        raise node.child("shares").fail(f"the shares add up to {total:g}, more than 1")
    if len(shares) == len(allowed) and total < 1 - SHARE_TOLERANCE:
        raise node.child("shares").fail(f"the shares of every value add up to {total:g}, not 1")
    return Target(name, kind, tuple(shares))


def _probability(node: Node) -> float:
    value = node.number()
    if not 0.0 <= value <= 1.0:
        raise node.fail(f"expected a probability from 0 to 1, got {describe(node.value)}")
    return value


def _weight(node: Node) -> float:
    value = node.number()
    if value < 0:
        raise node.fail(f"expected a weight of 0 or more, got {describe(node.value)}")
    return value


def _variable(
    node: Node,
    name: str,
    kind: str,
    values: tuple[str, ...],
    default_unknown: float,
    kinds: Mapping[str, tuple[str, tuple[Any, ...]]],
    vocabulary: Vocabulary,
    *,
    unknown_allowed: bool = True,
) -> Variable:
    keys = PARAMETER_KEYS[kind] + (("unknown",) if unknown_allowed else ())
    node.mapping(optional=keys + ("cases",), what=f"distribution of {KIND_NAMES[kind]}")
    required = {
        "bool": "probability",
        "int": "ranges",
        "enum": "values",
        "set": "members",
        "latent": "values",
    }[kind]
    if not node.has(required):
        raise node.fail(f"missing required key `{required}`")
    low = high = 0
    if kind == "int":
        fact = vocabulary[name]
        low, high = fact.min or 0, fact.max or 0
    raw = _Raw(unknown=default_unknown)
    base = _params(node, kind, values, raw, kinds, low, high, what="")
    cases: list[tuple[Callable[[Mapping[str, Any]], bool], Params]] = []
    when_names: list[tuple[str, ...]] = []
    if node.has("cases"):
        for case in node.child("cases").elements(what="list of cases", allow_empty=False):
            case.mapping(
                required=("when",),
                optional=keys,
                what="case (a mapping with `when` and the keys it changes)",
            )
            test = _when(case.child("when"), kinds)
            when_names.append(tuple(case.value["when"]))
            cases.append(
                (
                    test,
                    _params(case, kind, values, raw.copy(), kinds, low, high, what=" in this case"),
                )
            )
    return Variable(name, kind, base, tuple(cases), low, high, tuple(when_names))


@dataclass
class _Raw:
    """Parameters as written, before merging a case into the base."""

    unknown: float = 0.0
    probability: float = 0.0
    weights: dict[Any, float] = field(default_factory=dict)
    members: dict[str, float] = field(default_factory=dict)
    plus: str | None = None

    def copy(self) -> _Raw:
        return _Raw(
            self.unknown, self.probability, dict(self.weights), dict(self.members), self.plus
        )


def _params(
    node: Node,
    kind: str,
    values: tuple[str, ...],
    raw: _Raw,
    kinds: Mapping[str, tuple[str, tuple[Any, ...]]],
    low: int,
    high: int,
    *,
    what: str,
) -> Params:
    """Read the parameter keys of `node` into `raw` (a copy of the base for a case: a
    case changes only the keys and the entries it names) and freeze them."""
    if node.has("unknown"):
        raw.unknown = _probability(node.child("unknown"))
    if kind == "bool" and node.has("probability"):
        raw.probability = _probability(node.child("probability"))
    if kind in ("enum", "latent") and node.has("values"):
        for value, weight in node.child("values").entries(what="mapping of value -> weight"):
            if kind == "enum" and value not in values:
                raise weight.fail(
                    f"unknown value{did_you_mean(value, values)}; expected "
                    f"one of: {', '.join(values)}"
                )
            if kind == "latent" and value not in values:
                raise weight.fail(
                    f"unknown value{did_you_mean(value, values)}; a case may "
                    f"only weigh the trait's own values: {', '.join(values)}"
                )
            raw.weights[value] = _weight(weight)
    if kind == "set" and node.has("members"):
        for member, probability in node.child("members").entries(
            what="mapping of member -> probability"
        ):
            if member not in values:
                raise probability.fail(
                    f"unknown member{did_you_mean(member, values)}; "
                    f"expected one of: {', '.join(values)}"
                )
            raw.members[member] = _probability(probability)
    if kind == "int" and node.has("plus"):
        plus = node.child("plus")
        other = plus.value
        if not isinstance(other, str) or other not in kinds:
            raise plus.fail(
                f"expected the name of an int fact drawn above this one, got "
                f"{describe(other)}{did_you_mean(str(other), kinds)}"
            )
        if kinds[other][0] != "int":
            raise plus.fail(f"`{other}` is {KIND_NAMES[kinds[other][0]]}, expected an int fact")
        raw.plus = other
    if kind == "int" and node.has("ranges"):
        raw.weights = {}
        for item in node.child("ranges").elements(
            what="list of {from, to, weight}", allow_empty=False
        ):
            item.mapping(required=RANGE_KEYS, what="range {from, to, weight}")
            start, end = item.child("from").integer(), item.child("to").integer()
            if start > end:
                raise item.fail(f"`from` ({start}) is greater than `to` ({end})")
            if raw.plus is None and (start < low or end > high):
                raise item.fail(f"expected a range within {low}..{high}, got {start}..{end}")
            if (start, end) in raw.weights:
                raise item.fail(f"the range {start}..{end} is listed twice")
            raw.weights[(start, end)] = _weight(item.child("weight"))
    if kind in ("int", "enum", "latent"):
        choices = tuple(v for v, w in raw.weights.items() if w > 0)
        if not choices:
            raise node.fail(f"every weight is 0{what}: give at least one value a weight above 0")
        total = 0.0
        cumulative = []
        for value in choices:
            total += raw.weights[value]
            cumulative.append(total)
        if not math.isfinite(total):  # 1e308 + 1e308: every draw would pick past the end
            key = "ranges" if kind == "int" else "values"
            raise (node.child(key) if node.has(key) else node).fail(
                f"the weights add up to more than a number can hold{what}; scale them down "
                f"(only their ratios matter)"
            )
        return Params(raw.unknown, choices=choices, cumulative=tuple(cumulative), plus=raw.plus)
    if kind == "set":  # vocabulary order, so that the draws do not depend on file order
        return Params(
            raw.unknown,
            members=tuple((m, raw.members[m]) for m in values if raw.members.get(m, 0.0) > 0),
        )
    return Params(raw.unknown, probability=raw.probability)


def _when(
    node: Node,
    kinds: Mapping[str, tuple[str, tuple[Any, ...]]],
    *,
    scope: str = "drawn above this one",
) -> Callable[[Mapping[str, Any]], bool]:
    """`when: {name: test, ...}`: every test must hold on the true values drawn above
    (or, for a constraint, on all of them: `scope` says which in errors)."""
    if not isinstance(node.value, dict) or not node.value:
        raise node.fail(
            f"expected a mapping of trait or fact names to tests, got {describe(node.value)}"
        )
    tests: list[tuple[str, Callable[[Any], bool]]] = []
    for name, test in node.items():
        if name not in kinds:
            raise test.fail(
                f"`{name}` is not a latent trait or a fact {scope}"
                f"{did_you_mean(name, kinds)}"
                + (
                    "; `when` can only test what is drawn earlier in the file"
                    if scope == "drawn above this one"
                    else ""
                )
            )
        kind, values = kinds[name]
        tests.append((name, _test(test, kind, values)))
    if len(tests) == 1:
        only_name, only_test = tests[0]
        return lambda truth: only_test(truth[only_name])
    return lambda truth: all(check(truth[name]) for name, check in tests)


def _operand(node: Node, kind: str, values: tuple[str, ...], op: str) -> Any:
    if kind == "bool":
        return node.boolean()
    if kind == "int":
        return node.integer()
    if op in ("any_of", "none_of") and isinstance(node.value, list):
        return frozenset(
            item.choice(values, what="value") for item in node.elements(allow_empty=False)
        )
    member = node.choice(values, what="value")
    return frozenset([member]) if op in ("any_of", "none_of") else member


def _test(node: Node, kind: str, values: tuple[str, ...]) -> Callable[[Any], bool]:
    """One test: a value (equality; for a set, membership), a list (any of) or a mapping
    of operators, all of which must hold (`{ge: 15, lt: 18}`)."""
    if isinstance(node.value, dict):
        allowed = TEST_OPERATORS[kind]
        checks = []
        for op, operand in node.items():
            if op not in allowed:
                raise operand.fail(
                    f"unknown test{did_you_mean(op, allowed)}; "
                    f"{KIND_NAMES[kind]} takes: {', '.join(allowed)}"
                )
            checks.append(_holds(op, _operand(operand, kind, values, op)))
        if not checks:
            raise node.fail("expected at least one test")
        return (
            checks[0] if len(checks) == 1 else (lambda value: all(check(value) for check in checks))
        )
    if isinstance(node.value, list):
        if kind not in ("enum", "latent", "set"):
            raise node.fail(f"a list means `any_of`, which {KIND_NAMES[kind]} does not take")
        return _holds("any_of", _operand(node, kind, values, "any_of"))
    if kind == "set":
        return _holds("any_of", _operand(node, kind, values, "any_of"))
    return _holds("is" if kind == "bool" else "eq", _operand(node, kind, values, "eq"))


def _holds(op: str, operand: Any) -> Callable[[Any], bool]:
    """A distribution's `when` test: the comparisons of the rules (law/logic.py)."""
    return lambda value: holds(op, value, operand)


def generate(
    count: int, seed: int, distribution: Distribution | None = None, *, start: int = 0
) -> Iterator[tuple[str, Facts]]:
    """Stream (id, facts) of `count` generated scenarios (the bundled default
    distribution unless one is given). Memory does not grow with `count`."""
    distribution = distribution or load_distribution("default")
    return distribution.generate(count, seed, start=start)
