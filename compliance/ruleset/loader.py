"""Load and validate rules/: every message names the file and line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ..errors import RuleFileError
from ..yamlio import LocatedYaml, describe_validation_error, load_yaml
from .schema import Rule, Settings

SETTINGS_FILE = "_settings.yaml"


@dataclass(frozen=True)
class RuleSet:
    directory: Path
    settings: Settings
    rules: tuple[Rule, ...]
    files: dict[str, Path]            # rule id -> file
    version: str                      # content hash of every file, "sha256:<16 hex>"

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def uses_of(self, rule: Rule) -> list[str]:
        """The use classes a rule applies to, groups expanded; None-equivalent = all uses."""
        a = rule.applies
        if a.use is not None:
            uses = list(a.use)
        elif a.use_group is not None:
            uses = self.settings.use_groups().get(a.use_group, [])
        else:
            uses = list(self.settings.uses)
        return [u for u in uses if u not in a.use_except]


def _validate(doc: LocatedYaml, model, what: str):
    if not isinstance(doc.data, dict):
        raise RuleFileError(f"{what} must be a mapping of fields", file=doc.file, line=1)
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise describe_validation_error(doc, exc, RuleFileError, what=what) from None


def _check_references(doc: LocatedYaml, rule: Rule, settings: Settings) -> None:
    from ..derive.metrics import metric_specs

    def fail(msg: str, path: tuple, hint: str) -> None:
        raise RuleFileError(f"rule {rule.id}: {msg}", file=doc.file, line=doc.line_of(path), hint=hint)

    a = rule.applies
    for i, use in enumerate(list(a.use or []) + list(a.use_except)):
        if use not in settings.uses:
            key = ("applies", "use", i) if a.use and i < len(a.use) else ("applies", "use_except")
            fail(f"unknown use class '{use}'", key, f"add it to {SETTINGS_FILE} 'uses' or fix the spelling")
    if a.use_group is not None and a.use_group not in settings.use_groups():
        fail(f"unknown use group '{a.use_group}'", ("applies", "use_group"),
             "groups: " + ", ".join(sorted(settings.use_groups())))
    for zone in a.zones or []:
        if zone not in settings.zones:
            fail(f"unknown zone '{zone}'", ("applies", "zones"), f"zones are listed in {SETTINGS_FILE}")
    specs = metric_specs()
    spec = specs.get(rule.requires.metric)
    if spec is None:
        fail(f"unknown metric '{rule.requires.metric}'", ("requires", "metric"),
             "known metrics: " + ", ".join(sorted(specs)))
    if rule.requires.unit != spec.unit:
        fail(f"metric '{spec.name}' is measured in '{spec.unit}', not '{rule.requires.unit}'",
             ("requires", "unit"), f"write unit: '{spec.unit}'")
    if rule.requires.basis is not None and rule.requires.basis not in spec.params.get("basis", ()):
        fail(f"metric '{spec.name}' has no basis '{rule.requires.basis}'", ("requires", "basis"),
             "allowed: " + ", ".join(spec.params.get("basis", ())))


def load_ruleset(directory: Path) -> RuleSet:
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleFileError("rules folder not found", file=directory,
                            hint="pass --rules with the folder that holds the rule files")
    settings_doc = load_yaml(directory / SETTINGS_FILE, RuleFileError, what="rule settings")
    settings = _validate(settings_doc, Settings, "rule settings")
    digest = hashlib.sha256()
    rules: list[Rule] = []
    files: dict[str, Path] = {}
    paths = sorted(p for p in directory.glob("*.yaml") if p.name != SETTINGS_FILE)
    if not paths:
        raise RuleFileError("no rule files (*.yaml) in the rules folder", file=directory)
    for path in [directory / SETTINGS_FILE] + paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in paths:
        doc = load_yaml(path, RuleFileError, what="rule file")
        rule = _validate(doc, Rule, "rule file")
        if path.stem != rule.id:
            raise RuleFileError(f"rule {rule.id} must live in a file named {rule.id}.yaml",
                                file=path, line=doc.line_of(("id",)), hint=f"rename the file to {rule.id}.yaml")
        _check_references(doc, rule, settings)
        rules.append(rule)
        files[rule.id] = path
    return RuleSet(directory=directory, settings=settings, rules=tuple(rules), files=files,
                   version="sha256:" + digest.hexdigest()[:16])

