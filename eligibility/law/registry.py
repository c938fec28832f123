"""Where rule sets come from: a rules directory (the bundled `rules/`, or one given with
`--rules-dir`) holding `facts.yaml`, `critiques.yaml` and the rule sets, and paths of a
user's own overlay files or rule set directories.

A `Registry` is made once, by whoever starts the work (the command line, a script, a
test), and passed to what needs it: nothing finds one on its own.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError, did_you_mean
from . import scenarios
from .guidance import Reading, load_readings
from .indicators import Indicators, load_indicators
from .interview_guide import InterviewGuide, load_guide
from .provisions import Critique
from .rule_parser import load_critiques
from .rule_sets import load_directory, load_overlay
from .rulebook import RuleBook
from .scenarios import Scenario
from .vocabulary import Vocabulary, load_vocabulary


def bundled_rules_dir() -> Path:
    """`rules/` of a source checkout (editable install), else the copy in the wheel."""
    here = Path(__file__).resolve().parent.parent  # the `eligibility` package
    for candidate in (here.parent / "rules", here / "rules"):
        if (candidate / "facts.yaml").is_file():
            return candidate
    raise UsageError(
        f"the bundled rules are missing (looked in {here.parent / 'rules'} "
        f"and {here / 'rules'}); reinstall the package"
    )


class Registry:
    """Finds rule sets by name (bundled) or by path (a user's overlay or directory)."""

    def __init__(self, rules_dir: Path | None = None) -> None:
        self.rules_dir = rules_dir or bundled_rules_dir()
        self._vocabulary: Vocabulary | None = None
        self._critiques: dict[str, Critique] | None = None
        self._readings: dict[str, Reading] | None = None
        self._books: dict[str, RuleBook] = {}
        self._guide: InterviewGuide | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            vocabulary = load_vocabulary(self.rules_dir / "facts.yaml")
            path = self.rules_dir / "indicators.yaml"
            if path.is_file():
                vocabulary.indicators = load_indicators(path, vocabulary)
            self._vocabulary = vocabulary
        return self._vocabulary

    @property
    def indicators(self) -> Indicators | None:
        """The indicator questions and their rules (None for a rules directory without
        indicators.yaml: the interview then asks the legal questions)."""
        return self.vocabulary.indicators

    @property
    def interview_guide(self) -> InterviewGuide | None:
        """The interview's stages, costs, branches and dated wording (interview.yaml)."""
        if self._guide is None:
            path = self.rules_dir / "interview.yaml"
            if path.is_file():
                self._guide = load_guide(path, self.vocabulary, self.indicators)
        return self._guide

    @property
    def critiques(self) -> dict[str, Critique]:
        if self._critiques is None:
            path = self.rules_dir / "critiques.yaml"
            self._critiques = load_critiques(path) if path.is_file() else {}
        return self._critiques

    @property
    def readings(self) -> dict[str, Reading]:
        if self._readings is None:
            path = self.rules_dir / "readings.yaml"
            self._readings = load_readings(str(path)) if path.is_file() else {}
        return self._readings

    def vocabulary_for(self, *refs: str) -> Vocabulary:
        """The facts that scenarios evaluated under these rule sets may give: the bundled
        vocabulary plus the facts their overlays add (`facts:`). A fact that none of them
        knows stays an error naming it."""
        vocabulary, names = self.vocabulary, ["facts.yaml"]
        for ref in refs:
            book = self.load(ref)
            vocabulary = vocabulary.union(book.vocabulary, names=(" and ".join(names), book.name))
            names.append(book.name)
        return vocabulary

    def bundled(self) -> dict[str, Path]:
        """Bundled rule set name -> directory or overlay file."""
        found: dict[str, Path] = {}
        for meta in sorted(self.rules_dir.glob("*/ruleset.yaml")):
            found[meta.parent.name] = meta.parent
        for overlay in sorted((self.rules_dir / "reforms").glob("*.yaml")):
            found[overlay.stem] = overlay
        return found

    def load(
        self, ref: str, *, relative_to: Path | None = None, chain: tuple[str, ...] = ()
    ) -> RuleBook:
        """A rule set by bundled name, or by path to a directory or overlay file."""
        key = ref if ref in self.bundled() else None
        path: Path | None = None
        if key is not None:
            path = self.bundled()[ref]
        else:
            candidate = (
                Path(ref) if relative_to is None or Path(ref).is_absolute() else relative_to / ref
            )
            if candidate.exists():
                path = candidate.resolve()
                key = str(path)
        if path is None or key is None:
            raise UsageError(
                f"unknown rule set {ref!r}{did_you_mean(ref, self.bundled())}; "
                f"give a bundled name ({', '.join(self.bundled())}) or the "
                f"path of a rule set directory or overlay file"
            )
        if key in self._books:
            return self._books[key]
        if path.is_dir():
            if not (path / "ruleset.yaml").is_file():
                raise UsageError(f"{path} is not a rule set directory (no ruleset.yaml)")
            book = load_directory(path, self.vocabulary, self.critiques, self.readings)
        else:
            book = load_overlay(
                path,
                lambda ref, base_dir, seen: self.load(ref, relative_to=base_dir, chain=seen),
                chain,
            )
        self._books[key] = book
        return book


def default_registry() -> Registry:
    """A registry of the bundled rules (a new one at each call; kept for scripts
    written against it: prefer making one `Registry` and passing it on)."""
    return Registry()


def load_rule_book(ref: str = "us-law", *, registry: Registry | None = None) -> RuleBook:
    """Load a bundled rule set by name, or a rule set directory or overlay by path."""
    return (registry or Registry()).load(ref)


def load_scenario(path: str | Path, *, registry: Registry | None = None) -> Scenario:
    """Load and validate a scenario file against the fact vocabulary (the bundled one
    unless a registry of other rules is given)."""
    return scenarios.load_scenario(path, (registry or Registry()).vocabulary)
