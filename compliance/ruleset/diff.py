"""`compliance rules diff OLD NEW`: what a change of the rule folder changes, field by field.

Rules are compared as written (the YAML data, so `$parameter` names stay names and comments
or layout do not count), matched by id. Both folders must load cleanly: a rule set that
cannot be loaded cannot be compared (the caller gets the loader's located error). Which
verdicts the change flips on sample submissions is `impact.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class FieldChange:
    path: str                        # dotted, e.g. requires.value, applies.where.0.value
    old: Any
    new: Any

    def text(self) -> str:
        return f"{self.path}: {show(self.old)} → {show(self.new)}"


@dataclass(frozen=True)
class RuleChange:
    rule_id: str
    old_version: int
    new_version: int
    file: str                        # the new rule file
    line: Optional[int]              # of the first changed field in the new file
    changes: tuple[FieldChange, ...]
    lines: tuple[Optional[int], ...] = ()     # each change's line in the new file (None: removed)

    @property
    def version_bumped(self) -> bool:
        return self.new_version > self.old_version


@dataclass(frozen=True)
class Warning_:
    file: str
    line: Optional[int]
    message: str


@dataclass
class RuleSetDiff:
    old_dir: Path
    new_dir: Path
    old_version: str
    new_version: str
    added: list[tuple[str, str]] = field(default_factory=list)          # (ref, file)
    removed: list[tuple[str, str]] = field(default_factory=list)        # (ref, file)
    changed: list[RuleChange] = field(default_factory=list)
    reformatted: list[str] = field(default_factory=list)                # rule ids: layout / comments only
    parameters: list[FieldChange] = field(default_factory=list)         # name.value, name.unit, ...
    parameter_users: dict[str, list[str]] = field(default_factory=dict)  # parameter -> rule ids (new set)
    settings: list[FieldChange] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.parameters or self.settings)


def show(value: Any) -> str:
    """A value as YAML would write it: 30, 1.3, true, [a, b], 2024-01-01, (absent)."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)


def flatten(data: Any, prefix: tuple = ()) -> dict[tuple, Any]:
    """Key path -> value. Lists of plain values stay whole; lists holding mappings are indexed."""
    if isinstance(data, dict):
        out: dict[tuple, Any] = {}
        for k, v in data.items():
            out.update(flatten(v, prefix + (k,)))
        return out if out or not prefix else {prefix: {}}
    if isinstance(data, list) and any(isinstance(v, (dict, list)) for v in data):
        out = {}
        for i, v in enumerate(data):
            out.update(flatten(v, prefix + (i,)))
        return out
    return {prefix: data}


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                             and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def compare(old: Any, new: Any) -> list[FieldChange]:
    """Field-level changes between two YAML documents, in the new document's order."""
    a, b = flatten(old), flatten(new)
    out = []
    for path in list(b) + [p for p in a if p not in b]:
        va, vb = a.get(path, ABSENT), b.get(path, ABSENT)
        if not _same(va, vb):
            out.append(FieldChange(".".join(str(p) for p in path), va, vb))
    return out


def _raw(path: Path):
    from ..errors import RuleFileError
    from ..yamlio import load_yaml

    return load_yaml(path, RuleFileError, what="rule file")


def _params_in(data: Any) -> set[str]:
    if isinstance(data, str):                       # a `$name` value, or `$name`s in a text
        from .loader import TEXT_PARAM_RE
        return {m for m in TEXT_PARAM_RE.findall(data) if m != "$"}
    if isinstance(data, dict):
        return set().union(*(_params_in(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_params_in(v) for v in data)) if data else set()
    return set()


def diff_rulesets(old_dir: Path, new_dir: Path) -> RuleSetDiff:
    """Compare two rule folders; raises RuleFileError (file and line) if either cannot be loaded."""
    from .describe import rel
    from .loader import PARAMETERS_FILE, SETTINGS_FILE, load_ruleset

    old, new = load_ruleset(Path(old_dir)), load_ruleset(Path(new_dir))
    out = RuleSetDiff(Path(old_dir), Path(new_dir), old.version, new.version)
    old_ids, new_ids = [r.id for r in old.rules], [r.id for r in new.rules]
    out.added = [(new.rule(i).ref, rel(new.files[i])) for i in new_ids if i not in old_ids]
    out.removed = [(old.rule(i).ref, rel(old.files[i])) for i in old_ids if i not in new_ids]
    raw_new: dict[str, Any] = {}
    for rule_id in new_ids:
        doc = _raw(new.files[rule_id])
        raw_new[rule_id] = doc.data
        if rule_id not in old_ids:
            continue
        before = _raw(old.files[rule_id])
        changes = compare(before.data, doc.data)
        if not changes:
            if before.file.read_bytes() != doc.file.read_bytes():
                out.reformatted.append(rule_id)
            continue
        lines = tuple(doc.line_of(tuple(int(p) if p.isdigit() else p for p in c.path.split(".")))
                      if c.new is not ABSENT else None for c in changes)
        first = next((n for n in lines if n), None) or doc.line_of(("id",))
        change = RuleChange(rule_id, old.rule(rule_id).version, new.rule(rule_id).version,
                            rel(new.files[rule_id]), first, tuple(changes), lines)
        out.changed.append(change)
        if not change.version_bumped:
            out.warnings.append(Warning_(change.file, doc.line_of(("version",)),
                                         f"{rule_id} changed but its version was not bumped "
                                         f"(still {change.new_version}): verdicts would cite {rule_id}@{change.new_version} "
                                         "for two different rules"))
    p_old = _raw(Path(old_dir) / PARAMETERS_FILE).data or {}
    p_new_doc = _raw(Path(new_dir) / PARAMETERS_FILE)
    out.parameters = compare(p_old, p_new_doc.data or {})
    for rule_id, data in raw_new.items():
        for name in _params_in(data):
            out.parameter_users.setdefault(name, []).append(rule_id)
    changed_params = {c.path.split(".")[0] for c in out.parameters}
    bumped_or_reported = {c.rule_id for c in out.changed}
    for name in sorted(changed_params):
        for rule_id in out.parameter_users.get(name, []):
            if rule_id in old_ids and rule_id not in bumped_or_reported \
                    and new.rule(rule_id).version <= old.rule(rule_id).version:
                doc_line = new.line_of(rule_id, ("version",))
                out.warnings.append(Warning_(rel(new.files[rule_id]), doc_line,
                                             f"{rule_id} reads parameter ${name}, which changed, but its version "
                                             f"was not bumped (still {new.rule(rule_id).version})"))
    out.settings = compare(_raw(Path(old_dir) / SETTINGS_FILE).data or {},
                           _raw(Path(new_dir) / SETTINGS_FILE).data or {})
    return out


def diff_lines(d: RuleSetDiff) -> list[str]:
    """The comparison as the CLI prints it: one change a line, warnings as FILE:LINE: warning: ..."""
    from .describe import rel

    out = [f"rule set {rel(d.old_dir)} ({d.old_version}) → {rel(d.new_dir)} ({d.new_version})"]
    if d.empty:
        out.append("no change to any rule, parameter or setting")
    out += [f"added    {ref}  ({file})" for ref, file in d.added]
    out += [f"removed  {ref}  ({file})" for ref, file in d.removed]
    for c in d.changed:
        version = f"v{c.old_version} → v{c.new_version}" if c.version_bumped else f"v{c.new_version}, not bumped"
        out.append(f"changed  {c.rule_id} ({version})  {c.file}:{c.line}")
        out += [f"    {c.rule_id} {f.text()}" + (f"   (line {n})" if n else "")
                for f, n in zip(c.changes, c.lines or (None,) * len(c.changes))]
    if d.reformatted:
        out.append(f"layout or comments only: {', '.join(d.reformatted)}")
    if d.parameters:
        out.append("parameters changed:")
        for f in d.parameters:
            users = d.parameter_users.get(f.path.split(".")[0], [])
            out.append(f"    {f.text()}" + (f"   (used by {', '.join(users)})" if users else ""))
    if d.settings:
        out.append("settings changed:")
        out += [f"    {f.text()}" for f in d.settings]
    out += [f"{w.file}:{w.line}: warning: {w.message}" if w.line else f"{w.file}: warning: {w.message}"
            for w in d.warnings]
    return out
