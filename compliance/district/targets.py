"""rules/district/targets.yaml -> Targets: the district targets submissions add up to."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Optional, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..derive.district import DISTRICT_FIGURES
from ..errors import RuleFileError
from ..text import Text
from ..yamlio import describe_validation_error, load_yaml

TARGETS_FILE = Path("district") / "targets.yaml"
FIGURES = tuple(DISTRICT_FIGURES) + ("count",)
LABELS = {"pv_peak_power": Text(zh="光伏峰值功率", en="PV peak power"),
          "charging_points": Text(zh="充电桩数", en="charging points"),
          "gross_floor_area": Text(zh="总建筑面积", en="gross floor area"),
          "retrofit_energy_saving": Text(zh="改造节能率", en="retrofit energy saving"),
          "energy_class": Text(zh="建筑能效等级", en="energy class"),
          "green_mall": Text(zh="绿色商场改造", en="green-mall retrofit"),
          "renewable_substitution_rate": Text(zh="可再生能源替代率", en="renewable substitution rate"),
          "roof_area": Text(zh="屋面水平投影面积", en="roof projected area"),
          "pv_area": Text(zh="屋面光伏水平投影面积", en="rooftop PV projected area"),
          "public_institution": Text(zh="公共机构", en="public institution"),
          "count": Text(zh="项目数", en="number of submissions")}
UNITS = {"pv_peak_power": "kW", "charging_points": "count", "gross_floor_area": "m²",
         "retrofit_energy_saving": "%", "energy_class": "level", "green_mall": "flag",
         "renewable_substitution_rate": "%", "roof_area": "m²", "pv_area": "m²", "public_institution": "flag",
         "count": "count"}
Measure = Literal["sum", "share", "ratio", "weighted"]
MEASURES = get_args(Measure)
if TYPE_CHECKING:
    FigureName = str                # a figure's name: the checker cannot spell out a Literal made at run time
else:
    FigureName = Literal[FIGURES]   # what pydantic validates a figure's name against


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class Period(_Data):
    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end < self.start:
            raise ValueError("'to' is before 'from'")
        return self


class Where(_Data):
    """Which submissions are in scope (every given condition must hold; `any_of`: at least one of
    its alternatives)."""

    kind: Optional[list[Literal["new", "retrofit"]]] = None
    uses: Optional[list[str]] = None
    not_uses: Optional[list[str]] = None
    groups: Optional[list[str]] = None
    public_institution: Optional[bool] = None
    min_gross_floor_area_m2: Optional[float] = Field(None, ge=0)   # at least: "以上" includes the figure
    any_of: Optional[list["Where"]] = Field(None, min_length=2)

    def all_uses(self) -> list[tuple[str, list[str] | None]]:
        """(field, values) of every use or group named here and in the alternatives (for the lint)."""
        out = [("uses", self.uses), ("not_uses", self.not_uses), ("groups", self.groups)]
        for alt in self.any_of or ():
            out += alt.all_uses()
        return out

    def figures(self) -> set[str]:
        """The figures deciding the scope."""
        out = {"gross_floor_area"} if self.min_gross_floor_area_m2 is not None else set()
        out |= {"public_institution"} if self.public_institution is not None else set()
        for alt in self.any_of or ():
            out |= alt.figures()
        return out


class Condition(_Data):
    figure: FigureName
    op: Literal[">=", ">", "<=", "<", "=="]
    value: float

    def holds(self, x: float) -> bool:
        return {">=": x >= self.value, ">": x > self.value, "<=": x <= self.value,
                "<": x < self.value, "==": x == self.value}[self.op]


class Bound(_Data):
    """The range a figure of one submission can plausibly take; beyond it the figure is a finding
    (a typo, a unit slip) and never enters a total."""

    min: Optional[float] = None
    max: Optional[float] = None
    label: Text
    source: Text

    @model_validator(mode="after")
    def _ordered(self) -> "Bound":
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError("'max' is below 'min'")
        return self

    def holds(self, x: float) -> bool:
        return (self.min is None or x >= self.min) and (self.max is None or x <= self.max)


class Display(_Data):
    unit: str
    scale: float = Field(gt=0)


class Target(_Data):
    id: str = Field(pattern=r"^D-[0-9]+[a-z]?$")
    clause: str
    title: Text
    quote: Optional[str] = None
    reading: Optional[Text] = None
    figure: FigureName
    measure: Measure
    over: Optional[FigureName] = None       # ratio: the denominator figure
    weight: Optional[FigureName] = None     # weighted: the weight of each submission's figure
    target: float = Field(gt=0)
    unit: str
    display: Optional[Display] = None
    period: Period
    where: Where = Field(default_factory=Where)
    only_if: Optional[Condition] = None

    @model_validator(mode="after")
    def _consistent(self) -> "Target":
        if (self.over is not None) != (self.measure == "ratio"):
            raise ValueError("'over' (the denominator figure) goes with measure: ratio, and only with it")
        if (self.weight is not None) != (self.measure == "weighted"):
            raise ValueError("'weight' (the figure weighing each submission) goes with measure: weighted, and only with it")
        if self.over is not None and UNITS[self.over] != UNITS[self.figure]:     # measure: ratio (checked above)
            raise ValueError(f"a ratio divides like by like: '{self.figure}' is in {UNITS[self.figure]}, "
                             f"'{self.over}' in {UNITS[self.over]}")
        if self.measure == "weighted" and UNITS[self.figure] != "%":
            raise ValueError(f"a weighted measure averages a rate in %: '{self.figure}' is in {UNITS[self.figure]}")
        if self.measure != "sum":
            if self.measure == "share" and self.only_if is None:
                raise ValueError("a share needs 'only_if' (which submissions make up the share)")
            if self.unit != "%":
                raise ValueError(f"a {self.measure} is in %: set unit: \"%\"")
        elif self.unit != UNITS[self.figure]:
            raise ValueError(f"figure '{self.figure}' is in {UNITS[self.figure]}: set unit: \"{UNITS[self.figure]}\"")
        return self

    def figures(self) -> list[str]:
        """Every figure the target reads (what it adds up, divides, weighs, tests, scopes by)."""
        named = [self.figure, self.over, self.weight, self.only_if.figure if self.only_if else None]
        return [f for f in dict.fromkeys([*named, *sorted(self.where.figures())]) if f and f != "count"]


class Targets(_Data):
    title: Text
    plausible: dict[FigureName, Bound] = Field(default_factory=dict)
    targets: list[Target] = Field(min_length=1)


def load_targets(rules_dir: Path, uses: dict[str, list[str]] | None = None) -> tuple[Targets, Path, str]:
    """(targets, file, 'sha256:…') — errors name the file and line. `uses` maps each use class to its
    groups (from the rule settings) so a typo in a use or group is caught here."""
    file = Path(rules_dir) / TARGETS_FILE
    if not file.is_file():
        raise RuleFileError("district targets file not found", file=file,
                            hint="restore rules/district/targets.yaml or pass --rules with a folder that has one")
    doc = load_yaml(file, RuleFileError, what="district targets file")
    try:
        targets = Targets.model_validate(doc.data)
    except ValidationError as exc:
        raise describe_validation_error(doc, exc, RuleFileError, what="district targets file", model=Targets) from None
    seen: set[str] = set()
    for i, t in enumerate(targets.targets):
        if t.id in seen:
            raise RuleFileError(f"target {t.id} is listed twice", file=file, line=doc.line_of(("targets", i, "id")),
                                hint="give each target its own id")
        seen.add(t.id)
        if uses is not None:
            known_groups = {g for gs in uses.values() for g in gs}
            for field, values in t.where.all_uses():
                known = known_groups if field == "groups" else set(uses)
                for v in values or ():
                    if v not in known:
                        raise RuleFileError(f"target {t.id}: unknown {field.removeprefix('not_')[:-1]} '{v}'",
                                            file=file, line=_line(doc, i, field),
                                            hint=f"use one of: {', '.join(sorted(known))}")
    return targets, file, "sha256:" + hashlib.sha256(file.read_bytes()).hexdigest()[:16]


def _line(doc, i: int, field: str) -> int | None:
    """The line of `field` under target i's `where` (or of its `where`, for a field in an alternative)."""
    return doc.line_of(("targets", i, "where", field)) or doc.line_of(("targets", i, "where"))


def tally_problems(ruleset, targets: Targets) -> list[tuple[str, tuple, str, str]]:
    """A tally rule (one with `counts_toward`) and the district target it counts toward must read the
    same figure with the same threshold: what the verdict says counts is what the roll-up adds up.
    (rule id, path in its file, message, hint) for each disagreement."""
    by_id = {t.id: t for t in targets.targets}
    out = []
    for rule in ruleset.rules:
        ct = rule.counts_toward
        if ct is None:
            continue
        target = by_id.get(ct.target)
        if target is None:
            out.append((rule.id, ("counts_toward", "target"), f"rule {rule.id} counts toward {ct.target}, which "
                        f"{TARGETS_FILE} does not list", "name a target of the district targets file"))
            continue
        req, cond = rule.requirements[0], target.only_if
        same = cond is not None and (cond.figure, cond.op, cond.value) == (req.metric, req.op, req.number)
        if not same:
            said = f"{cond.figure} {cond.op} {cond.value:g}" if cond else "no only_if"
            out.append((rule.id, ("counts_toward", "target"),
                        f"rule {rule.id} counts toward {ct.target} when {req.metric} {req.op} {req.number:g}, but "
                        f"{ct.target} counts {said}", f"make {ct.target}'s only_if match the rule's requirement"))
        kinds = set(rule.applies.kind or ("new", "retrofit"))
        if target.where.kind and not kinds <= set(target.where.kind):
            out.append((rule.id, ("applies", "kind"), f"rule {rule.id} applies to {'/'.join(sorted(kinds))} "
                        f"projects, but {ct.target} counts only {'/'.join(target.where.kind)}",
                        "make the rule's applicability and the target's scope agree"))
    return out
