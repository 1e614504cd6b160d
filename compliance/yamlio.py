"""Safe YAML loading that remembers the line of every key, and refuses duplicate keys.

Used for submission.yaml and for rule files, so that every validation message can name
the file and the line of the offending field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ComplianceError

Path_ = tuple[Any, ...]


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):   # libyaml's parser: 5× faster
    """SafeLoader that records (path -> line) and rejects duplicate mapping keys."""


def _construct(loader: _LineLoader, node: yaml.Node, path: Path_, lines: dict) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)   # a key's own line wins over its value's
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
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
        return loader.construct_object(node, deep=True)
    except ValueError as exc:   # e.g. a date like 2024-13-01
        raise yaml.constructor.ConstructorError(None, None, f"invalid value {node.value!r} ({exc})",
                                                node.start_mark) from None


class LocatedYaml:
    """A parsed YAML document plus the line of each key path."""

    def __init__(self, file: Path, data: Any, lines: dict[Path_, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest known prefix of `path` (pydantic error locations may go deeper)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def load_yaml(file: Path, error_cls: type[ComplianceError], *, what: str) -> LocatedYaml:
    """Parse `file`; any problem raises `error_cls` naming the file and line."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error_cls(f"{what} not found", file=file,
                        hint=f"create {file.name} (see README: 'Submissions')") from None
    except UnicodeDecodeError as exc:
        raise error_cls(f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                        file=file, hint="save the file as UTF-8") from None
    except OSError as exc:
        raise error_cls(f"cannot read {what}: {exc.strerror}", file=file) from None
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = _construct(loader, node, (), lines) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if line is not None:         # libyaml marks an unexpected end of input past the last line
            line = min(line, max(1, len(text.splitlines())))
        problem = exc.problem or exc.context or "invalid YAML"
        begun = exc.context_mark.line + 1 if exc.problem and exc.context and exc.context_mark else None
        if begun is not None and begun != line:   # e.g. an unclosed quote or bracket: where it opened
            problem = f"{problem} ({exc.context} at line {begun})"
        raise error_cls(f"{what} is not valid YAML: {problem}", file=file, line=line,
                        hint="fix the YAML syntax at that line") from None
    except yaml.YAMLError as exc:
        raise error_cls(f"{what} is not valid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    return LocatedYaml(file, data, lines)


def describe_validation_error(doc: LocatedYaml, exc, error_cls: type[ComplianceError],
                              *, what: str) -> ComplianceError:
    """Turn the first pydantic validation error into one located message."""
    errors = exc.errors()
    err = errors[0]
    # pydantic names the member of a Union in the location (e.g. 'Requirement', 'list[...]',
    # 'float'); the file has no such key, so drop those parts
    loc = tuple(p for p in err.get("loc", ()) if not (isinstance(p, str) and (p[:1].isupper() or "[" in p
                                                                              or p in ("float", "str", "bool", "int"))))
    same_field = [e for e in errors if tuple(e.get("loc", ()))[:1] == tuple(err.get("loc", ()))[:1]]
    field = ".".join(str(p) for p in loc) or "(top level)"
    msg = err.get("msg", "invalid value")
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
