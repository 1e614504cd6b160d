"""rules/district/targets.yaml -> Targets: the district targets submissions add up to."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Literal, Optional

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
          "count": Text(zh="项目数", en="number of submissions")}
UNITS = {"pv_peak_power": "kW", "charging_points": "count", "gross_floor_area": "m²",
         "retrofit_energy_saving": "%", "energy_class": "level", "green_mall": "flag",
         "renewable_substitution_rate": "%", "count": "count"}


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
    """Which submissions are in scope (every given condition must hold)."""

    kind: Optional[list[Literal["new", "retrofit"]]] = None
    uses: Optional[list[str]] = None
    groups: Optional[list[str]] = None
    min_gross_floor_area_m2: Optional[float] = Field(None, ge=0)   # strictly more than


class Condition(_Data):
    figure: Literal[FIGURES]
    op: Literal[">=", ">", "<=", "<", "=="]
    value: float

    def holds(self, x: float) -> bool:
        return {">=": x >= self.value, ">": x > self.value, "<=": x <= self.value,
                "<": x < self.value, "==": x == self.value}[self.op]


class Display(_Data):
    unit: str
    scale: float = Field(gt=0)


class Target(_Data):
    id: str = Field(pattern=r"^D-[0-9]+[a-z]?$")
    clause: str
    title: Text
    quote: Optional[str] = None
    figure: Literal[FIGURES]
    measure: Literal["sum", "share"]
    target: float = Field(gt=0)
    unit: str
    display: Optional[Display] = None
    period: Period
    where: Where = Field(default_factory=Where)
    only_if: Optional[Condition] = None

    @model_validator(mode="after")
    def _consistent(self) -> "Target":
        if self.measure == "share":
            if self.only_if is None:
                raise ValueError("a share needs 'only_if' (which submissions make up the share)")
            if self.unit != "%":
                raise ValueError("a share is in %: set unit: \"%\"")
        elif self.unit != UNITS[self.figure]:
            raise ValueError(f"figure '{self.figure}' is in {UNITS[self.figure]}: set unit: \"{UNITS[self.figure]}\"")
        return self


class Targets(_Data):
    title: Text
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
            for field, values, known in (("uses", t.where.uses, set(uses)), ("groups", t.where.groups, known_groups)):
                for v in values or ():
                    if v not in known:
                        raise RuleFileError(f"target {t.id}: unknown {field[:-1]} '{v}'", file=file,
                                            line=doc.line_of(("targets", i, "where", field)),
                                            hint=f"use one of: {', '.join(sorted(known))}")
    return targets, file, "sha256:" + hashlib.sha256(file.read_bytes()).hexdigest()[:16]
