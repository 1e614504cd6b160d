"""Load and validate rules/: every message names the file and line.

`inspect_ruleset` collects every problem (for `rules lint`); `load_ruleset` stops at the
first one (a check never runs on a broken rule set).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn, Optional, TypeVar

from pydantic import ValidationError

from ..errors import RuleFileError
from ..read.conventions import CONVENTIONS_FILE
from ..yamlio import LocatedYaml, describe_validation_error, load_yaml
from .publication import Stamp, read_stamp
from .schema import Parameter, Requirement, Rule, Settings, Where

SETTINGS_FILE = "_settings.yaml"
PARAMETERS_FILE = "_parameters.yaml"

# `$name` in a rule's title, interpretation or remedy is replaced by the parameter's value in
# words (`$large_public_building_m2` -> 20000平方米 / 20,000 m²), so a value lives once, in
# _parameters.yaml; `$$` is a literal `$`.
TEXT_PARAM_RE = re.compile(r"\$(\$|[a-z][a-z0-9_]*)")
TEXT_FIELDS = ("title", "interpretation", "remedy")
_UNIT_WORDS = {"zh": {"m²": "平方米", "kW": "千瓦"}, "en": {}}
_TIGHT_UNITS = ("%", "平方米", "千瓦")             # written without a space before them
C = TypeVar("C", Requirement, Where)             # a rule's requirement or `where` condition


def parameter_text(param: Parameter, lang: str, settings: Settings | None = None) -> str:
    """A parameter's value as a rule text says it: `20,000 m²`, `50%`, `杨浦滨江南段、新江湾`."""
    def num(v: float) -> str:
        text = f"{v:,.4f}".rstrip("0").rstrip(".")
        return text.replace(",", "") if lang == "zh" else text

    def join(items: list[str]) -> str:
        if lang == "zh":
            return "、".join(items)
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    value = param.value
    if isinstance(value, list):
        zones = settings.zones if settings is not None else {}
        names = [v for v in value if isinstance(v, str)]
        if len(names) == len(value):                # a list of zones
            return join([zones[v].get(lang) if v in zones else v for v in names])
        text = join([num(float(v)) for v in value])
    else:
        text = num(float(value))
    unit = _UNIT_WORDS[lang].get(param.unit, param.unit)
    if not unit:
        return text
    return text + unit if unit in _TIGHT_UNITS else f"{text} {unit}"


@dataclass(frozen=True)
class RuleSet:
    directory: Path
    settings: Settings
    parameters: dict[str, Parameter]
    rules: tuple[Rule, ...]
    files: dict[str, Path]            # rule id -> file
    version: str                      # content hash of every file, "sha256:<16 hex>"
    lines: dict[str, dict] = field(default_factory=dict)   # rule id -> {key path: line}
    publication: Optional[Stamp] = None   # _publication.yaml: the published version this folder is (None: a draft)

    @property
    def identity(self) -> str:
        """The rule set as a check's key names it: its content hash and, for a published set, its
        publication (the same rules published again with other scenarios or another effective date
        are another rule set for a verdict to cite)."""
        return f"{self.version}@{self.publication.version}" if self.publication else self.version

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def uses_of(self, rule_or_part) -> list[str]:
        """The use classes a rule (or one of its `either` alternatives) applies to, groups expanded."""
        a = getattr(rule_or_part, "applies", rule_or_part)
        if a.use is not None:
            uses = list(a.use)
        elif a.use_group is not None:
            uses = self.settings.use_groups().get(a.use_group, [])
        else:
            uses = list(self.settings.uses)
        return [u for u in uses if u not in a.use_except]

    def number(self, name: str) -> float:
        value = self.parameters[name].value
        if isinstance(value, list):
            raise TypeError(f"parameter {name!r} is a list, not a number")
        return float(value)

    def values(self) -> dict[str, object]:
        """Parameter name -> value, as the derive stage reads them."""
        return {k: p.value for k, p in self.parameters.items()}

    def line_of(self, rule_id: str, path: tuple) -> int | None:
        lines = self.lines.get(rule_id, {})
        path = tuple(path)
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return None


def _validate(doc: LocatedYaml, model, what: str):
    if not isinstance(doc.data, dict):
        raise RuleFileError(f"{what} must be a mapping of fields", file=doc.file, line=1,
                            hint="see docs/rules.md for the fields a rule file holds")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise describe_validation_error(doc, exc, RuleFileError, what=what, model=model) from None


def _load_parameters(directory: Path) -> dict[str, Parameter]:
    doc = load_yaml(directory / PARAMETERS_FILE, RuleFileError, what="parameter file")
    if not isinstance(doc.data, dict):
        raise RuleFileError("parameter file must map names to {value, unit, label}", file=doc.file, line=1)
    out = {}
    for name, body in doc.data.items():
        if not isinstance(name, str) or not name.replace("_", "a").isalnum() or not name[:1].islower():
            raise RuleFileError(f"parameter name {name!r} must be lower_case_with_underscores",
                                file=doc.file, line=doc.line_of((name,)))
        try:
            out[name] = Parameter.model_validate(body)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = (name,) + tuple(err.get("loc", ()))
            raise RuleFileError(f"parameter '{name}': {'.'.join(map(str, loc[1:])) or 'value'}: {err.get('msg')}",
                                file=doc.file, line=doc.line_of(loc), hint="see the other parameters for the shape") from None
    return out


class _Checker:
    """Resolves `$parameters` in one rule and checks every name it uses against the vocabulary."""

    def __init__(self, doc: LocatedYaml, settings: Settings, params: dict[str, Parameter]) -> None:
        self.doc, self.settings, self.params = doc, settings, params

    def fail(self, rule_id: str, msg: str, path: tuple, hint: str) -> NoReturn:
        raise RuleFileError(f"rule {rule_id}: {msg}", file=self.doc.file, line=self.doc.line_of(path), hint=hint)

    def parameter(self, rule_id: str, name: str, path: tuple, want: str) -> Parameter:
        param = self.params.get(name[1:])
        if param is None:
            self.fail(rule_id, f"unknown parameter '{name}'", path,
                      f"define it in {PARAMETERS_FILE} or fix the spelling (known: {', '.join(sorted(self.params))})")
        is_number = isinstance(param.value, float)
        if (want == "number") != is_number:
            self.fail(rule_id, f"parameter '{name}' is {'a number' if is_number else 'a list'}, "
                               f"but a {want} is needed here", path, f"check {PARAMETERS_FILE}")
        return param

    def comparison(self, rule: Rule, comp: C, path: tuple, specs: dict) -> C:
        spec = specs.get(comp.metric)
        if spec is None:
            self.fail(rule.id, f"unknown metric '{comp.metric}'", path + ("metric",),
                      "known metrics: " + ", ".join(sorted(specs)))
        update: dict = {}
        if isinstance(comp.value, str):
            param = self.parameter(rule.id, comp.value, path + ("value",), "number")
            if param.unit and param.unit != comp.unit:
                self.fail(rule.id, f"parameter '{comp.value}' is in '{param.unit}', the requirement in '{comp.unit}'",
                          path + ("value",), "use a parameter with the same unit")
            update = {"value": param.value, "param": comp.value[1:]}
        if comp.unit != spec.unit:
            self.fail(rule.id, f"metric '{spec.name}' is measured in '{spec.unit}', not '{comp.unit}'",
                      path + ("unit",), f"write unit: '{spec.unit}'")
        basis = getattr(comp, "basis", None)
        if basis is not None and basis not in spec.params.get("basis", ()):
            self.fail(rule.id, f"metric '{spec.name}' has no basis '{basis}'", path + ("basis",),
                      "allowed: " + (", ".join(spec.params.get("basis", ())) or "none"))
        if comp.of is not None or "of" in spec.params:
            allowed = spec.params.get("of", ())
            if not comp.of:
                self.fail(rule.id, f"metric '{spec.name}' needs 'of' (one or more of: {', '.join(allowed)})",
                          path + ("metric",), "add an 'of' list")
            for i, item in enumerate(comp.of):
                if item not in allowed:
                    self.fail(rule.id, f"metric '{spec.name}' has no '{item}'", path + ("of", i),
                              "allowed: " + (", ".join(allowed) or "none"))
        if spec.unit == "flag" and comp.op == "==" and float(update.get("value", comp.value)) not in (0.0, 1.0):
            self.fail(rule.id, f"metric '{spec.name}' is yes/no: compare it with true or false", path + ("value",),
                      "write value: true")
        return comp.model_copy(update=update) if update else comp

    def _line_naming(self, path: tuple, word: str) -> int | None:
        """The line at or after `path`'s key that holds `word` (a folded text spans several lines)."""
        start = self.doc.line_of(path)
        if start is None:
            return None
        try:
            lines = Path(self.doc.file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return start
        return next((i for i, line in enumerate(lines[start - 1:], start) if word in line), start)

    def texts(self, rule: Rule) -> dict:
        """Title, interpretation and remedy with every `$name` replaced by the parameter's value."""
        update = {}
        for key in TEXT_FIELDS:
            text = getattr(rule, key)
            if text is None:
                continue
            said = {}
            for lang in ("zh", "en"):
                def value(m, lang=lang, key=key):
                    if m.group(1) == "$":
                        return "$"
                    param = self.params.get(m.group(1))
                    if param is None:
                        raise RuleFileError(
                            f"rule {rule.id}: {key}.{lang} names unknown parameter '${m.group(1)}'",
                            file=self.doc.file, line=self._line_naming((key, lang), "$" + m.group(1)),
                            hint=f"define it in {PARAMETERS_FILE}, fix the spelling, or write $$ for a literal $ "
                                 f"(known: {', '.join(sorted(self.params))})")
                    return parameter_text(param, lang, self.settings)
                said[lang] = TEXT_PARAM_RE.sub(value, text.get(lang))
            if said != {"zh": text.zh, "en": text.en}:
                update[key] = text.model_copy(update=said)
        return update

    def rule(self, rule: Rule) -> Rule:
        from ..derive.metrics import metric_specs

        texts = self.texts(rule)                     # first: the file's first line naming a parameter
        a, s = rule.applies, self.settings
        kind = s.kinds.get(rule.kind)
        if kind is None:
            self.fail(rule.id, f"kind '{rule.kind}' is not in {SETTINGS_FILE} 'kinds'", ("kind",),
                      "kinds: " + ", ".join(s.kinds))
        if kind.counts and rule.counts_toward is None:
            self.fail(rule.id, f"a rule of kind '{rule.kind}' needs 'counts_toward' (the district figure a pass "
                               "counts toward: target, what, toward)", ("kind",),
                      f"its messages in {SETTINGS_FILE} name {{what}} / {{toward}}")
        if not kind.counts and rule.counts_toward is not None:
            self.fail(rule.id, f"'counts_toward' goes with a tally kind, not '{rule.kind}'", ("counts_toward",),
                      "remove it, or make the rule a tally")
        for part, path in [(a, ("applies",))] + [(alt, ("applies", "either", i)) for i, alt in enumerate(a.either)]:
            for key in ("use", "use_except"):
                for i, use in enumerate(getattr(part, key) or []):
                    if use not in s.uses:
                        self.fail(rule.id, f"unknown use class '{use}'", path + (key, i),
                                  f"add it to {SETTINGS_FILE} 'uses' or fix the spelling")
            if part.use_group is not None and part.use_group not in s.use_groups():
                self.fail(rule.id, f"unknown use group '{part.use_group}'", path + ("use_group",),
                          "groups: " + ", ".join(sorted(s.use_groups())))
        zones: list[str] | list[float] | str | None = a.zones
        if isinstance(zones, str):
            listed = self.parameter(rule.id, zones, ("applies", "zones"), "list").value
            assert isinstance(listed, list)              # parameter(..., "list") refuses a number
            zones = listed.copy()
        for i, zone in enumerate(zones or []):
            if zone not in s.zones:
                self.fail(rule.id, f"unknown zone '{zone}'", ("applies", "zones") + ((i,) if a.zones == zones else ()),
                          f"zones are listed in {SETTINGS_FILE}")
        specs = metric_specs()
        where = [self.comparison(rule, w, ("applies", "where", i), specs) for i, w in enumerate(a.where)]
        reqs = [self.comparison(rule, r, ("requires",) + ((i,) if isinstance(rule.requires, list) else ()), specs)
                for i, r in enumerate(rule.requirements)]
        for spec_name in {r.metric for r in reqs} | {w.metric for w in where}:
            for p in specs[spec_name].uses_params:
                if p not in self.params:
                    self.fail(rule.id, f"metric '{spec_name}' needs parameter '{p}', which {PARAMETERS_FILE} lacks",
                              ("requires",), f"add '{p}' to {PARAMETERS_FILE}")
        applies = a.model_copy(update={"zones": zones, "where": where})
        return rule.model_copy(update={"applies": applies,
                                       "requires": reqs if isinstance(rule.requires, list) else reqs[0],
                                       **texts})


def _version(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def inspect_ruleset(directory: Path) -> tuple[RuleSet | None, list[RuleFileError]]:
    """Load what can be loaded and collect every problem, each naming its file and line."""
    directory = Path(directory)
    if not directory.is_dir():
        return None, [RuleFileError("rules folder not found", file=directory,
                                    hint="pass --rules with the folder that holds the rule files")]
    try:
        settings = _validate(load_yaml(directory / SETTINGS_FILE, RuleFileError, what="rule settings"),
                             Settings, "rule settings")
        params = _load_parameters(directory)
        stamp = read_stamp(directory)
    except RuleFileError as exc:
        return None, [exc]
    paths = sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))
    if not paths:
        return None, [RuleFileError("no rule files (*.yaml) in the rules folder", file=directory)]
    problems: list[RuleFileError] = []
    rules: list[Rule] = []
    files: dict[str, Path] = {}
    lines: dict[str, dict] = {}
    for path in paths:
        try:
            doc = load_yaml(path, RuleFileError, what="rule file")
            rule = _Checker(doc, settings, params).rule(_validate(doc, Rule, "rule file"))
            if rule.id in files:
                raise RuleFileError(f"duplicate rule id {rule.id} (already in {files[rule.id].name})", file=path,
                                    line=doc.line_of(("id",)), hint="every rule needs its own id")
            if path.stem != rule.id:
                raise RuleFileError(f"rule {rule.id} must live in a file named {rule.id}.yaml", file=path,
                                    line=doc.line_of(("id",)), hint=f"rename the file to {rule.id}.yaml")
        except RuleFileError as exc:
            problems.append(exc)
            continue
        rules.append(rule)
        files[rule.id] = path
        lines[rule.id] = doc.lines
    for rule in rules:
        for i, other in enumerate(rule.refines):
            if other not in files or other == rule.id:
                problems.append(RuleFileError(f"rule {rule.id}: 'refines' names unknown rule '{other}'",
                                              file=files[rule.id], line=lines[rule.id].get(("refines", i)),
                                              hint="name an existing rule id"))
    conventions = directory / CONVENTIONS_FILE          # how models are read changes verdicts too
    version = _version([directory / SETTINGS_FILE, directory / PARAMETERS_FILE]
                       + ([conventions] if conventions.is_file() else []) + paths)
    rules.sort(key=lambda r: settings.sort_key(r.id))
    return RuleSet(directory, settings, params, tuple(rules), files, version, lines, stamp), problems


def load_ruleset(directory: Path) -> RuleSet:
    ruleset, problems = inspect_ruleset(directory)
    if problems:
        raise problems[0]
    assert ruleset is not None          # inspect_ruleset gives None only with a problem
    return ruleset
