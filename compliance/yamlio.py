"""Safe YAML loading that remembers the line of every key, and refuses duplicate keys.

Used for submission.yaml and for rule files, so that every validation message can name
the file and the line of the offending field.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import ComplianceError
from .numbers import usable, why_unusable

Path_ = tuple[Any, ...]


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml's parser: 5× faster


class _LineLoader(_SafeLoader):
    """SafeLoader that records (path -> line) and rejects duplicate mapping keys."""


def _construct(loader: _LineLoader, node: yaml.Node, path: Path_, lines: dict) -> Any:
    """The node's value, recording lines; `_screen` has refused aliases, so this walk is a tree."""
    lines.setdefault(path, node.start_mark.line + 1)   # a key's own line wins over its value's
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict = {}
        for key_node, value_node in node.value:
            try:
                key = loader.construct_object(key_node, deep=True)
            except (ValueError, KeyError, AttributeError, TypeError) as exc:   # a key like 2024-13-01
                raise _BadValue(path, getattr(key_node, "value", "?"), f"as a key: {exc}",
                                key_node.start_mark.line + 1) from None
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark)
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _construct(loader, value_node, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, child, path + (i,), lines) for i, child in enumerate(node.value)]
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, KeyError, AttributeError, TypeError) as exc:   # e.g. a date like 2024-13-01
        raise _BadValue(path, node.value, str(exc), node.start_mark.line + 1) from None
    if not usable(value):          # .inf, .nan, 1.0e+400, 10**400: no figure is that; the engine crashes on them
        raise _BadValue(path, node.value, f"it {why_unusable(value)}", node.start_mark.line + 1,
                        hint="write the figure itself: a finite number smaller than 10^15")
    return value


class _BadValue(Exception):
    """A scalar that looks like a date or number but is not one (2024-02-30), or a number no
    figure can be (compliance/numbers.py)."""

    def __init__(self, path: Path_, value: str, reason: str, line: int, hint: str | None = None) -> None:
        super().__init__(reason)
        self.path, self.value, self.reason, self.line, self.hint = path, value, reason, line, hint


# The one tag a hand-written file may use explicitly (`!!str 2024`, to keep a value text); any
# other (`!!python/object`, `!!bool maybe`, a custom `!tag`) is refused before anything is built.
_ALLOWED_TAGS = frozenset({"tag:yaml.org,2002:str", "!"})


class LocatedYaml:
    """A parsed YAML document plus the line of each key path."""

    def __init__(self, file: Path, data: Any, lines: dict[Path_, int], encoding: str = "UTF-8") -> None:
        self.file = file
        self.data = data
        self.lines = lines
        self.encoding = encoding      # what the file was read as: UTF-8, UTF-16, GB18030

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest known prefix of `path` (pydantic error locations may go deeper)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


MAX_YAML_BYTES = 1_000_000      # a submission.yaml or rule file is a few kB; more is not a hand-edited file
MAX_DEPTH = 32                  # metadata nests 3 deep, rule files 6: deeper is not a mistake one makes by hand
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def load_yaml(file: Path, error_cls: type[ComplianceError], *, what: str,
              legacy_encoding: bool = False) -> LocatedYaml:
    """Parse `file`; any problem raises `error_cls` naming the file and line.

    The file is data, never code: libyaml's safe loader, no anchors or aliases (a few lines
    of aliases expand to billions of nodes), nesting at most MAX_DEPTH deep (libyaml's composer
    recurses in C), at most MAX_YAML_BYTES. `legacy_encoding`: accept GB18030/GBK text (what
    Chinese Windows editors save) as well as UTF-8; `LocatedYaml.encoding` says which was read.
    """
    raw = _read_bytes(file, error_cls, what)
    text, encoding = _decode(raw, file, error_cls, what, legacy_encoding)
    loader = None
    try:
        _screen(text, error_cls, file, what)
        loader = _LineLoader(text)
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = _construct(loader, node, (), lines) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file, error_cls, what) from None
    except _BadValue as exc:
        field = ".".join(map(str, exc.path)) or "(top level)"
        raise error_cls(f"{what}: field '{field}': {exc.value!r} is not a valid value ({exc.reason})", file=file,
                        line=exc.line, hint=f"correct '{field}' " + (f"({exc.hint})" if exc.hint else
                                                                     "(dates are written YYYY-MM-DD)")) from None
    except yaml.reader.ReaderError as exc:     # a control character (NUL, ESC, ...) in the text
        line = text[:exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        raise error_cls(f"{what} contains a control character (#x{exc.character:04x}), which YAML does not allow",
                        file=file, line=line, hint="remove it (a text editor may show it as a box or ^@)") from None
    except yaml.YAMLError as exc:
        raise error_cls(f"{what} is not valid YAML: {exc}", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()
    return LocatedYaml(file, data, lines, encoding)


def read_data_file(file: Path, error_cls: type[ComplianceError], *, what: str) -> str:
    """A hand-edited text file (a Gherkin .feature) as text: UTF-8 (a BOM dropped) or UTF-16 with
    a BOM, at most MAX_YAML_BYTES; anything else is `error_cls` naming the file and line."""
    return _decode(_read_bytes(file, error_cls, what), file, error_cls, what, legacy=False)[0]


def _read_bytes(file: Path, error_cls: type[ComplianceError], what: str) -> bytes:
    try:
        if file.stat().st_size > MAX_YAML_BYTES:
            raise error_cls(f"{what} is {file.stat().st_size / 1e6:.1f} MB, more than a hand-written "
                            f"file can be (limit {MAX_YAML_BYTES / 1e6:.0f} MB)", file=file,
                            hint="check that this is the right file")
        return file.read_bytes()
    except FileNotFoundError:
        raise error_cls(f"{what} not found", file=file,
                        hint=f"create {file.name} (see README: 'Submissions')") from None
    except IsADirectoryError:
        raise error_cls(f"{what} is a folder, not a file", file=file) from None
    except OSError as exc:
        raise error_cls(f"cannot read {what}: {exc.strerror}", file=file) from None


def _decode(raw: bytes, file: Path, error_cls: type[ComplianceError], what: str,
            legacy: bool) -> tuple[str, str]:
    """(text, encoding name): UTF-8 (a BOM is dropped), UTF-16 with a BOM, or, if `legacy`, GB18030."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        try:
            legacy_text = raw.decode("gb18030")
        except UnicodeDecodeError:
            legacy_text = None
        if legacy_text is not None and _CJK.search(legacy_text):
            if legacy:
                return legacy_text, "GB18030"
            raise error_cls(f"{what} is saved in the GBK/GB18030 encoding (a Chinese Windows editor's "
                            "default), not UTF-8", file=file, line=line,
                            hint="save it as UTF-8 (e.g. Notepad: Save As, Encoding: UTF-8)") from None
        raise error_cls(f"{what} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start})",
                        file=file, line=line, hint="save the file as UTF-8") from None


def _screen(text: str, error_cls: type[ComplianceError], file: Path, what: str) -> None:
    """One streaming pass over libyaml's events before anything is built: no aliases, no
    anchors, no nesting deeper than MAX_DEPTH."""
    depth = 0
    for event in yaml.parse(text, Loader=_LineLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise error_cls(f"{what} uses a YAML anchor or alias (&name / *name), which is not allowed",
                            file=file, line=event.start_mark.line + 1,
                            hint="write the value out in full where it is needed")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _ALLOWED_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise error_cls(f"{what} uses the YAML tag {shown}, which is not allowed (a data file names no "
                            "types or code)", file=file, line=event.start_mark.line + 1,
                            hint="remove the tag and write a plain value")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(error_cls, file, what, event.start_mark.line + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _too_deep(error_cls: type[ComplianceError], file: Path, what: str, line: int | None) -> ComplianceError:
    return error_cls(f"{what} nests more than {MAX_DEPTH} levels deep", file=file, line=line,
                     hint="check the brackets and indentation")


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: Path, error_cls: type[ComplianceError],
                  what: str) -> ComplianceError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    if line is not None:         # libyaml marks an unexpected end of input past the last line
        line = min(line, max(1, len(text.splitlines())))
    problem = exc.problem or exc.context or "invalid YAML"
    begun = exc.context_mark.line + 1 if exc.problem and exc.context and exc.context_mark else None
    if begun is not None and begun != line:   # e.g. an unclosed quote or bracket: where it opened
        problem = f"{problem} ({exc.context} at line {begun})"
        if "end of stream" in problem:         # the end of the file is not where to look: the opening is
            line = begun
    if "nesting depth" in problem:          # PyYAML ≥ 6.0.4's own limit, met before ours
        return _too_deep(error_cls, file, what, line)
    hint = "fix the YAML syntax at that line"
    if problem.startswith("duplicate key"):
        hint = "keep one of the two (which one counts is not for the checker to guess)"
    lines = text.splitlines()
    if line is not None and ("tab" in problem or "\t" in lines[line - 1][:len(lines[line - 1]) - len(lines[line - 1].lstrip())]):
        problem, hint = "a tab character is used for indentation", "indent with spaces: YAML does not allow tabs"
    return error_cls(f"{what} is not valid YAML: {problem}", file=file, line=line, hint=hint)


def _file_loc(err: dict) -> tuple:
    """A pydantic error's location as keys of the file: pydantic also names the member of a
    Union it tried ('Requirement', 'list[...]', 'float'), which the file has no key for."""
    return tuple(p for p in err.get("loc", ()) if not (isinstance(p, str) and (
        p[:1].isupper() or "[" in p or p in ("float", "str", "bool", "int"))))


def _fields_at(model, path: tuple) -> list[str]:
    """The field names of the pydantic model found at `path` inside `model` (for "did you mean")."""
    import typing

    def inner(annotation):
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            return annotation
        return next((m for a in typing.get_args(annotation) if (m := inner(a)) is not None), None)

    for part in path:
        field = getattr(model, "model_fields", {}).get(part) if isinstance(part, str) else None
        model = inner(field.annotation) if field is not None else (model if not isinstance(part, str) else None)
    return list(getattr(model, "model_fields", {}))


def describe_validation_error(doc: LocatedYaml, exc, error_cls: type[ComplianceError],
                              *, what: str, model=None) -> ComplianceError:
    """Turn the first pydantic validation error into one located message (a misspelt field
    first: the 'missing' error it causes is its consequence)."""
    errors = exc.errors()
    err = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])
    loc = _file_loc(err)
    same_field = [e for e in errors if tuple(e.get("loc", ()))[:1] == tuple(err.get("loc", ()))[:1]]
    field = ".".join(str(p) for p in loc) or "(top level)"
    msg = err.get("msg", "invalid value")
    if err.get("type") == "extra_forbidden":
        import difflib

        missing = [str(_file_loc(e)[-1]) for e in errors
                   if e.get("type") == "missing" and _file_loc(e)[:-1] == loc[:-1] and _file_loc(e)]
        close = difflib.get_close_matches(str(loc[-1]), missing or _fields_at(model, loc[:-1]), n=1) if loc else []
        text = f"{what}: '{field}' is not a known field" + (f" (did you mean '{close[0]}'?)" if close else "")
        return error_cls(text, file=doc.file, line=doc.line_of(loc),
                         hint=f"rename it to '{close[0]}'" if close else "remove it or fix its spelling")
    if err.get("type") == "missing":
        text = f"{what}: required field '{field}' is missing"
        line = doc.line_of(loc[:-1])
    else:
        text = f"{what}: field '{field}': {msg}"
        line = doc.line_of(loc)
    more = len(errors) - len(same_field)
    if more:
        text += f" (and {more} more problem{'s' if more > 1 else ''})"
    return error_cls(text, file=doc.file, line=line, hint=f"correct '{field}' and run again")
