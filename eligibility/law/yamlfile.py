"""Read YAML written by strangers: a strict, small subset, with line numbers.

`yaml.safe_load` alone is not enough for files that describe victims of crimes and rules
that anyone may write (DESIGN.md, "YAML is input from strangers"):
- YAML 1.1 reads `no`, `off` and `NO` as false and `010` as 8; here only `true` and
  `false` are booleans, only plain decimal numbers are numbers, and dates stay text for
  our own parser;
- aliases can turn a few hundred bytes into gigabytes ("billion laughs"): rejected;
- a duplicate key silently keeps the last value: rejected, naming both lines;
- `!!python/object` and every other explicit tag: rejected;
- size and nesting depth are capped before anything large is built.

The document is built from the libyaml event stream without recursion, so deep nesting
cannot overflow a stack, and every key and list item remembers its line for messages
such as `scenarios/ana.yaml:7: facts.means[1]: ...`.
"""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import InputError

try:  # libyaml is ~10x faster; the pure-Python parser gives the same events
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - libyaml is present in the wheels we install
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

MAX_BYTES = 2_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000
MAX_INT_DIGITS = 18
MAX_KEY_SHOWN = 80  # characters of one key shown in an error message

KeyPath = tuple[str | int, ...]

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def format_path(path: KeyPath) -> str:
    """('facts', 'means', 1) -> 'facts.means[1]'.

    Keys come from the file: a key longer than MAX_KEY_SHOWN characters is shortened (one
    error message must not fill the terminal), and every character outside printable
    ASCII is escaped: a key must not forge a second line of output, and `\u0430ge_now`
    (a Cyrillic a) must not read as the `age_now` it is not. Every name in our formats
    is ASCII."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if len(text) > MAX_KEY_SHOWN:
                text = text[: MAX_KEY_SHOWN - 3] + "..."
            if not (text.isascii() and text.isprintable()):
                text = "".join(
                    c
                    if c.isascii() and c.isprintable()
                    else c.encode("unicode_escape", "backslashreplace").decode()
                    for c in text
                )
            out += f".{text}" if out else text
    return out


@dataclass
class Document:
    """A parsed file: its data, and the line (1-based) of every key and list item."""

    path: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _scalar(event: yaml.ScalarEvent, path: str) -> Any:
    value = event.value
    if event.style is not None and event.style != "":  # quoted or block: always text
        return value
    if event.tag == "!":  # the non-specific tag `! 12` means "text" in YAML
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        if len(value.lstrip("+-")) > MAX_INT_DIGITS:
            raise InputError(f"number {value[:24]}... is too large", path=path, line=_line(event))
        return int(value)
    if _FLOAT.match(value):
        number = float(value)
        if not math.isfinite(number):  # 1.0e999 would become infinity
            raise InputError(
                f"number {value[:24]}{'...' if len(value) > 24 else ''} is too large",
                path=path,
                line=_line(event),
            )
        return number
    return value


def _line(event: yaml.Event | None) -> int | None:
    """The 1-based line where an event starts (libyaml always knows it)."""
    mark = event.start_mark if event is not None else None
    return mark.line + 1 if mark is not None else None


def parse_text(text: str, path: str = "<string>") -> Document:
    """Parse one YAML document from text under the rules in the module docstring."""
    doc = Document(path=path, data=None)
    # Each open container: [container, key_path, pending_key, pending_key_line, seen_keys]
    stack: list[list[Any]] = []
    root: list[Any] = []
    nodes = 0
    documents = 0

    def fail(message: str, event: yaml.Event | None) -> InputError:
        return InputError(message, path=path, line=_line(event))

    def place(value: Any, event: yaml.Event) -> KeyPath | None:
        """Attach a finished value to the open container; return its key path."""
        if not stack:
            root.append(value)
            return ()
        top = stack[-1]
        container, base = top[0], top[1]
        if isinstance(container, list):
            child = base + (len(container),)
            container.append(value)
            doc.lines.setdefault(child, _line(event) or 0)
            return child
        if top[2] is _NO_KEY:  # this value is a key
            if not isinstance(value, str):
                raise fail(
                    f"{format_path(base) or 'top level'}: keys must be text, got {value!r}", event
                )
            if value in top[4]:
                raise fail(
                    f"{format_path(base + (value,))}: duplicate key (first given "
                    f"on line {top[4][value]})",
                    event,
                )
            top[2], top[3] = value, _line(event)
            top[4][value] = top[3]
            return None
        key = top[2]
        child = base + (key,)
        container[key] = value
        doc.lines[child] = top[3]
        top[2] = _NO_KEY
        return child

    try:
        loader = _EventLoader(text)
        try:
            while loader.check_event():
                event = loader.get_event()
                nodes += 1
                if nodes > MAX_NODES:
                    raise fail(f"too many values (more than {MAX_NODES})", event)
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        raise fail("only one YAML document per file is allowed", event)
                    continue
                if isinstance(event, yaml.AliasEvent):
                    raise fail("aliases (*name) are not allowed: write the value out", event)
                tag = getattr(event, "tag", None)
                if tag not in (None, "!") and isinstance(
                    event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
                ):
                    raise fail(f"YAML tags such as {tag} are not allowed", event)
                if isinstance(event, yaml.ScalarEvent):
                    try:
                        value = _scalar(event, path)
                    except InputError as exc:  # a number too large: say where
                        exc.key = format_path(_value_path(stack)) or None
                        raise
                    place(value, event)
                elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                    if len(stack) >= MAX_DEPTH:
                        raise fail(f"nested more than {MAX_DEPTH} levels deep", event)
                    container: Any = [] if isinstance(event, yaml.SequenceStartEvent) else {}
                    child = place(container, event)
                    assert child is not None  # a container key was rejected by place()
                    stack.append([container, child, _NO_KEY, None, {}])
                elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                    stack.pop()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            f"not valid YAML: {exc.problem or exc.context}", path=path, line=line
        ) from None
    except yaml.reader.ReaderError as exc:
        # a character YAML forbids (control characters, U+FFFE); libyaml reports a byte
        # offset, the pure-Python reader a character offset
        if _EventLoader is getattr(yaml, "CSafeLoader", None):
            before = text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n")
        else:
            before = text[: exc.position].count("\n")
        character = (
            exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "?")
        )
        raise InputError(
            f"not valid YAML: {exc.reason} (found U+{character:04X})", path=path, line=before + 1
        ) from None
    except yaml.YAMLError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else repr(exc)
        raise InputError(f"not valid YAML: {first_line}", path=path) from None
    doc.data = root[0] if root else None
    doc.lines.setdefault((), 1)
    return doc


def _value_path(stack: list[list[Any]]) -> KeyPath:
    """The key path of the value about to be placed in the innermost open container."""
    if not stack:
        return ()
    container, base, pending = stack[-1][0], stack[-1][1], stack[-1][2]
    if isinstance(container, list):
        return base + (len(container),)
    return base if pending is _NO_KEY else base + (pending,)


class _NoKey:
    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()


_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def read_text(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file of at most `max_bytes`, with clear errors."""
    name = str(path)
    try:
        # open(), not Path.open(): pathlib interns the parts of every path it makes
        with open(path, "rb") as handle:
            # a device (/dev/zero, /dev/tty) would never end or wait for typing; pipes
            # (`<(cat file)`) and regular files are read
            mode = os.fstat(handle.fileno()).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise InputError("not a regular file", path=name)
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path=name) from None
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=name) from None
    if len(raw) > max_bytes:
        raise InputError(f"file is larger than {max_bytes:,} bytes", path=name)
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            raise InputError(f"{encoding} text, expected UTF-8 (save the file as UTF-8)", path=name)
    if b"\x00" in raw:
        raise InputError("binary data (NUL bytes), expected UTF-8 text", path=name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=name) from None


def load(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Document:
    """Read and parse a YAML (or JSON) file."""
    return parse_text(read_text(path, max_bytes=max_bytes), str(path))
