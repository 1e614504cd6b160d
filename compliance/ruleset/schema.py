"""The rule file format, as pydantic models. Rules are immutable data: evaluation never
writes to them."""

from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Status = Literal["pass", "fail", "not_applicable", "missing_data", "manual_review"]
Operator = Literal[">=", ">", "<=", "<", "=="]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Text(_Data):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Clause(_Data):
    ref: str = Field(min_length=1)                 # the plan's numbering, e.g. 三(一)1
    document: str = Field(min_length=1)            # e.g. 杨府发〔2022〕13号
    quote: str = Field(min_length=1)               # the clause's own words (zh)


class Applicability(_Data):
    kind: Optional[list[Literal["new", "retrofit"]]] = None
    use: Optional[list[str]] = None                # explicit use classes
    use_group: Optional[str] = None                # or a group from _settings.yaml
    use_except: list[str] = []
    public_institution: Optional[bool] = None
    zones: Optional[list[str]] = None
    effective_from: date
    effective_until: Optional[date] = None

    @model_validator(mode="after")
    def _window(self):
        if self.effective_until is not None and self.effective_until < self.effective_from:
            raise ValueError("effective_until is before effective_from")
        if self.use is not None and self.use_group is not None:
            raise ValueError("give either 'use' or 'use_group', not both")
        return self


class Requirement(_Data):
    metric: str
    op: Operator
    value: float
    unit: str
    basis: Optional[Literal["projected", "surface"]] = None

    @field_validator("value")
    @classmethod
    def _engine_range(cls, v: float) -> float:
        if v != 0 and not (1e-4 <= abs(v) < 1e15) or round(v, 4) != v:
            raise ValueError("a threshold must be 0 or between 0.0001 and 1e15, with at most 4 decimals")
        return v


class Rule(_Data):
    id: str = Field(pattern=r"^[A-Z]{2,4}-\d{1,3}$")
    version: int = Field(ge=1)
    title: Text
    clause: Clause
    kind: Literal["mandatory", "target", "encouraged"]
    applies: Applicability
    requires: Requirement
    remedy: Text
    tags: list[str] = []

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


class KindSetting(_Data):
    blocks: bool                                    # a fail / gap of this kind blocks approval
    label: Text


class UseClass(_Data):
    label: Text
    groups: list[str] = []


class Settings(_Data):
    """rules/_settings.yaml: vocabulary and how each rule kind affects the overall verdict."""

    name: Text
    kinds: dict[Literal["mandatory", "target", "encouraged"], KindSetting]
    uses: dict[str, UseClass]
    zones: dict[str, Text]

    def use_groups(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for use, spec in self.uses.items():
            for g in spec.groups:
                groups.setdefault(g, []).append(use)
        return groups
