"""The scenario world behind the Gherkin steps: what a scenario has said so far, how a
field path of submission.yaml is set, and how the rules are evaluated and their results recorded.
The step vocabulary itself is in steps.py."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from pydantic import ValidationError

from ..bundled import NAMES, bundled, repository
from ..derive.metrics import Metric, metric_specs
from ..evaluate.compile import CompiledRules, compile_ruleset
from ..evaluate.results import RuleResult
from ..pipeline import judge_submission, submission_findings
from ..read.metadata import LoadedSubmission, Submission
from ..read.records import AreaFigure, ModelFacts, ModelInfo
from ..ruleset.loader import RuleSet, load_ruleset
from ..ruleset.schema import Status
from ..text import Text

SPEC_FILE = "spec.ifc"
STATUSES = get_args(Status)
VERDICTS = ("compliant", "non_compliant", "incomplete")
NOT_STATED = {"not stated", "—", "-", "null", "~", "未申报"}

#: The rule set folder under test, set by the runner (`run_scenarios(..., rules=...)`); it takes
#: the place of the folder named in `Given the rule set in "..."`.
RULES_KEY = pytest.StashKey[Path]()

RULE_ID = r"[A-Z]{2,4}-\d{1,3}"
NUMBER = r"\d[\d,]*(?:\.\d+)?"


class ScenarioError(AssertionError):
    """A scenario that does not hold, or that is written wrongly (unknown field, use, rule...)."""


@dataclass(frozen=True)
class Verified:
    """One `Then rule X is S` that held."""

    rule: str
    status: str
    as_of: date
    checks: tuple[tuple[float | None, str, float], ...]    # (measured, operator, threshold) per requirement


@dataclass
class World:
    """What one scenario has said so far, and what the evaluation gave."""

    ruleset: RuleSet | None = None
    compiled: CompiledRules | None = None
    meta: dict = field(default_factory=dict)
    roofs: list = field(default_factory=list)
    panels: list = field(default_factory=list)
    systems: list = field(default_factory=list)
    chargers: list = field(default_factory=list)
    parking: list = field(default_factory=list)
    buildings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    doubts: dict = field(default_factory=dict)      # metric -> (low, high): stated uncertain within that range
    as_of: date | None = None
    results: dict[str, RuleResult] | None = None
    findings: list = field(default_factory=list)    # the submission's findings, once evaluated
    verified: list[Verified] = field(default_factory=list)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture(scope="session")
def spec_rulesets() -> dict:
    """Rule sets loaded and compiled once per session, keyed by folder and file contents."""
    return {}


# --------------------------------------------------------------------------- helpers

def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _gid(prefix: str, n: int) -> str:
    return f"{prefix}{n:0{22 - len(prefix)}d}"


def _square(x0: float, y0: float, size: float):
    return (((x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)),)


ROOF_PLACE = dict(outline=_square(0.0, 0.0, 100.0), z_min=18.0, z_max=18.25)     # the roof of the scenario
ON_ROOF = dict(outline=_square(10.0, 10.0, 20.0), z_min=18.6, z_max=18.7)        # panels standing on it
ON_GROUND = dict(outline=_square(150.0, 10.0, 20.0), z_min=0.0, z_max=0.1)       # panels beside the building


def _area_figure(role: str, n: int, text: str) -> AreaFigure:
    area = None if text.strip() == "?" else _number(text)
    return AreaFigure(role=role, global_id=_gid(role.upper(), n),
                      ifc_class="IfcSlab" if role == "roof" else "IfcSolarDevice",
                      file=SPEC_FILE, matched_by="scenario", projected_m2=area, surface_m2=area,
                      projected_source=None if area is None else "scenario",
                      surface_source=None if area is None else "scenario",
                      **(ROOF_PLACE if role == "roof" else ON_ROOF))


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _rules_folder(request, named: str | None) -> Path:
    override = request.config.stash.get(RULES_KEY, None)
    if override is not None:
        return Path(override).resolve()
    path = Path(named or "rules")
    if not path.is_absolute():      # "rules": the checker's own (checkout or wheel); else the checkout's, else here
        first, *rest = path.parts or ("rules",)
        home = repository()
        found = [bundled(first).joinpath(*rest)] if first in NAMES else []
        found += [home / path] if home is not None else []
        path = next((p for p in found if p.is_dir()), Path.cwd() / path)
    return path.resolve()


def _load(world: World, request, cache: dict, named: str | None) -> None:
    folder = _rules_folder(request, named)
    key = (folder, _fingerprint(folder) if folder.is_dir() else "")
    if key not in cache:
        ruleset = load_ruleset(folder)
        cache[key] = (ruleset, compile_ruleset(ruleset))
    world.ruleset, world.compiled = cache[key]


def _need_submission(world: World) -> dict:
    if not world.meta:
        raise ScenarioError("describe the submission first: 'Given a new <use> submission filed on <date>'")
    return world.meta


def _parse_value(text: str) -> Any:
    text = text.strip()
    if text.lower() in NOT_STATED:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"cannot read the value {text!r}: {exc}") from None


def _loc(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def _check_field(meta: dict, path: tuple[str, ...]) -> None:
    """Validate what is stated so far with the real Submission model; report problems with `path`
    now (unknown field, wrong type, out of range) — fields not yet stated are checked at evaluation."""
    try:
        Submission.model_validate(meta)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if err["type"] != "missing" and loc[:len(path)] == path:
                where = "" if loc == path else f" at {_loc(loc)}"
                raise ScenarioError(f"submission.yaml field {_loc(path)}: {err['msg']}{where} "
                                    f"(given {err.get('input')!r})") from None


def _state(world: World, path_text: str, value_text: str) -> None:
    meta = _need_submission(world)
    path = tuple(p for p in path_text.strip().split("."))
    if not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", p) for p in path):
        raise ScenarioError(f"{path_text!r} is not a field path like energy.pue")
    value = _parse_value(value_text)
    node = meta
    for i, part in enumerate(path[:-1]):
        child = node.get(part)
        if child is None:
            if value is None:
                return                        # removing a field of a block that is not stated
            child = node[part] = {}
        elif not isinstance(child, dict):
            raise ScenarioError(f"{_loc(path[:i + 1])} is a value, not a block: cannot set {_loc(path)}")
        node = child
    if value is None:
        node.pop(path[-1], None)
        return
    node[path[-1]] = value
    _check_field(meta, path)


def _unstate(world: World, path_text: str) -> None:
    _state(world, path_text, "not stated")


def _vocabulary(ruleset: RuleSet, meta: Submission) -> None:
    settings = ruleset.settings
    if meta.use not in settings.uses:
        raise ScenarioError(f"unknown use class {meta.use!r}; the rule set knows: {', '.join(sorted(settings.uses))}")
    if meta.zone is not None and meta.zone not in settings.zones:
        raise ScenarioError(f"unknown zone {meta.zone!r}; the rule set knows: {', '.join(sorted(settings.zones))}")
    ids = {r.id for r in ruleset.rules}
    for rule in meta.exemptions:
        if rule not in ids:
            raise ScenarioError(f"an exemption names rule {rule}, which the rule set does not have")


def _evaluate(world: World, request, cache: dict, as_of: date | None) -> None:
    meta_data = _need_submission(world)
    if world.ruleset is None:
        _load(world, request, cache, None)
    ruleset = world.ruleset
    assert ruleset is not None                  # _load sets it
    try:
        meta = Submission.model_validate(meta_data)
    except ValidationError as exc:
        problems = "; ".join(f"{_loc(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ScenarioError(f"the submission is not valid: {problems}") from None
    _vocabulary(ruleset, meta)
    info = ModelInfo(file=SPEC_FILE, schema_name="IFC4", size_bytes=0, sha256="0" * 64, entity_count=0,
                     length_unit_m=1.0, area_unit_m2=1.0)
    model = ModelFacts(info=info, roofs=tuple(world.roofs), pv_panels=tuple(world.panels),
                       systems=tuple(world.systems), chargers=tuple(world.chargers), parking=tuple(world.parking),
                       buildings=tuple(world.buildings), notes=tuple(world.notes))
    loaded = LoadedSubmission(folder=Path("."), metadata_file=Path("submission.yaml"), meta=meta, model_paths=[])
    from ..read.conventions import load_conventions

    conventions = load_conventions(ruleset.directory)      # once for the scenario's findings and metrics
    findings = submission_findings(loaded, [model], ruleset, conventions=conventions)
    world.as_of = as_of or meta.filed_on
    judged = judge_submission(ruleset, meta, [model], world.as_of, world.compiled, findings,
                              conventions=conventions,
                              wrap=(lambda d: _Doubted(d, world.doubts)) if world.doubts else None)
    world.results = {r.rule: r for r in judged.results}
    world.findings = list(findings) + judged.findings


def _doubt(world: World, metric: str, low: float | None, high: float | None) -> None:
    names = metric_specs()
    if metric not in names:
        raise ScenarioError(f"unknown metric {metric!r}; the metrics are: {', '.join(sorted(names))}")
    if low is not None and high is not None and low > high:
        raise ScenarioError(f"the range of the {metric} runs from {low:g} down to {high:g}: give the low end first")
    world.doubts[metric] = (low, high)


class _Doubted:
    """The scenario's derivation, with the metrics it states as uncertain (within a range) made so:
    the figure the models give stays; the range must hold it."""

    def __init__(self, base, doubts: dict) -> None:
        self.base, self.doubts = base, doubts

    def metric(self, name: str, basis: str | None = None, of=None) -> Metric:
        m = self.base.metric(name, basis=basis, of=of)
        if name not in self.doubts:
            return m
        low, high = self.doubts[name]
        if m.value is None:
            raise ScenarioError(f"the {name} has no value to be uncertain about: say what gives it first "
                                f"({'; '.join(r.en for r in m.reasons)})")
        spec = self.base.specs[name]
        why = Text(zh=f"场景设定：该数值存疑，合理取值范围 {spec.show_range(low, high, 'zh')}",
                   en=f"the scenario states the figure is uncertain, plausibly {spec.show_range(low, high)}")
        try:
            return Metric(**{**m.model_dump(), "certain": False, "low": low, "high": high,
                             "reasons": (*m.reasons, why)})
        except ValidationError:
            raise ScenarioError(f"the {name} is {spec.show(m.value)} by what the scenario says the models show, "
                                f"outside the range stated ({spec.show_range(low, high)})") from None


def _result(world: World, rule: str) -> RuleResult:
    if world.results is None:
        raise ScenarioError("the rules have not been evaluated yet: add 'When the rules are evaluated'")
    if rule not in world.results:
        raise ScenarioError(f"rule {rule} is not in the rule set ({', '.join(world.results)})")
    return world.results[rule]


def _expect_status(world: World, rule: str, status: str) -> None:
    if status not in STATUSES:
        raise ScenarioError(f"{status!r} is not a status; use one of {', '.join(STATUSES)}")
    result = _result(world, rule)
    if result.status != status:
        raise ScenarioError(f"rule {rule}: expected {status}, got {result.status} — {result.message}")
    assert world.as_of is not None              # _evaluate sets it with the results
    world.verified.append(Verified(rule, status, world.as_of,
                                   tuple((c.measured, c.operator, c.threshold) for c in result.checks)))


def _rule_list(text: str) -> list[str]:
    return [r for r in re.split(r"\s*(?:,|\band\b|和|、)\s*", text.strip()) if r]


# --------------------------------------------------------------------------- the rule set
