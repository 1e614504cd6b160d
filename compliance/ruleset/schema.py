"""The rule file format, as pydantic models. Rules are immutable data: evaluation never
writes to them.

A threshold (or a zone list) may name a parameter from rules/_parameters.yaml as `$name`;
the loader resolves it and keeps the name, so reports can say where a number came from.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..text import Text  # noqa: F401  (re-exported: rule files use it)

Status = Literal["pass", "fail", "not_applicable", "missing_data", "manual_review"]
Operator = Literal[">=", ">", "<=", "<", "=="]
Kind = Literal["mandatory", "target", "encouraged", "tally"]
PARAM_RE = r"^\$[a-z][a-z0-9_]*$"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Clause(_Data):
    ref: str = Field(min_length=1)                 # the plan's numbering, e.g. 三(一)1
    document: str = Field(min_length=1)            # e.g. 杨府发〔2022〕13号
    quote: str = Field(min_length=1)               # the clause's own words (zh)


def engine_threshold(v: float) -> float:
    """The engine crashes on exponent notation: a figure nearer 0 than 0.0001 reaches it as
    ±0.0001 (compile.engine_number), so no threshold may lie between 0 and 0.001."""
    if v != 0 and not (1e-3 <= abs(v) < 1e15) or round(v, 4) != v:
        raise ValueError("a threshold must be 0 or between 0.001 and 1e15, with at most 4 decimals")
    return v


class _Comparison(_Data):
    """`metric op value`: value is a number, true/false for a yes/no metric, or `$parameter`."""

    metric: str
    op: Operator
    value: Union[bool, float, str]
    param: Optional[str] = None                    # set by the loader when value was `$name`
    of: Optional[list[str]] = None                 # a metric's selector (e.g. which measures)

    @field_validator("value")
    @classmethod
    def _value(cls, v):
        if isinstance(v, bool):
            return 1.0 if v else 0.0
        if isinstance(v, str):
            import re
            if not re.match(PARAM_RE, v):
                raise ValueError("a threshold is a number, true/false, or a parameter written $name")
            return v
        return engine_threshold(float(v))

    @property
    def number(self) -> float:
        if isinstance(self.value, str):
            raise ValueError(f"parameter {self.value} was not resolved")
        return float(self.value)


class Requirement(_Comparison):
    unit: str
    basis: Optional[Literal["projected", "surface"]] = None


class Where(_Comparison):
    """A size or other figure condition on applicability, e.g. gross floor area ≥ 20,000 m²."""

    unit: str


class Alternative(_Data):
    """One way a rule can apply, within `either`: every given part must hold."""

    use: Optional[list[str]] = None
    use_group: Optional[str] = None
    use_except: list[str] = []
    public_institution: Optional[bool] = None

    @model_validator(mode="after")
    def _some(self):
        if self.use is None and self.use_group is None and self.public_institution is None:
            raise ValueError("an alternative needs 'use', 'use_group' or 'public_institution'")
        if self.use is not None and self.use_group is not None:
            raise ValueError("give either 'use' or 'use_group', not both")
        return self


class Applicability(_Data):
    kind: Optional[list[Literal["new", "retrofit"]]] = None
    use: Optional[list[str]] = None                # explicit use classes
    use_group: Optional[str] = None                # or a group from _settings.yaml
    use_except: list[str] = []
    public_institution: Optional[bool] = None
    zones: Optional[Union[list[str], str]] = None  # a list, or `$parameter` naming a zone list
    either: list[Alternative] = []                 # applies if any alternative holds (e.g. public institutions or plants)
    where: list[Where] = []
    effective_from: date
    effective_until: Optional[date] = None

    @model_validator(mode="after")
    def _window(self):
        if self.effective_until is not None and self.effective_until < self.effective_from:
            raise ValueError("effective_until is before effective_from")
        if self.use is not None and self.use_group is not None:
            raise ValueError("give either 'use' or 'use_group', not both")
        if isinstance(self.zones, str):
            import re
            if not re.match(PARAM_RE, self.zones):
                raise ValueError("zones is a list of zones or a parameter written $name")
        return self

    @property
    def zone_list(self) -> Optional[list[str]]:
        return None if self.zones is None else list(self.zones)


class Rule(_Data):
    id: str = Field(pattern=r"^[A-Z]{2,4}-\d{1,3}$")
    version: int = Field(ge=1)
    title: Text
    clause: Clause
    kind: Kind
    interpretation: Optional[Text] = None          # how the checker reads the clause, where it had to
    applies: Applicability
    requires: Union[Requirement, list[Requirement]]
    refines: list[str] = []                        # rules this one deliberately overlaps (a stricter subset)
    counts_toward: Optional[CountsToward] = None   # a tally: the district figure a pass counts toward
    remedy: Text
    tags: list[str] = []

    @field_validator("requires")
    @classmethod
    def _some(cls, v):
        if isinstance(v, list) and not v:
            raise ValueError("a rule needs at least one requirement")
        return v

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        return tuple(self.requires) if isinstance(self.requires, list) else (self.requires,)


Shortfall = Literal["fail", "missing_data", "manual_review"]
SHORTFALL: tuple[Shortfall, ...] = ("fail", "missing_data", "manual_review")


class KindSetting(_Data):
    """How a kind of rule affects the verdict and how its results are said (docs/rules.md, "Kinds")."""

    blocks: bool                                    # a fail / gap of this kind blocks approval
    label: Text
    explanation: Optional[Text] = None              # what the kind means to a reader (shown beside the label)
    # the kind's own word for a status (a tally's pass 计入, fail 不计入); absent: the usual word
    statuses: dict[Status, Text] = {}
    # the finding sentence for a status, with {figures} (each figure and how it compares with the
    # threshold), {what} and {toward} (the rule's `counts_toward`); absent: the usual sentence
    messages: dict[Literal["pass", "fail"], Text] = {}
    # the statuses of a non-blocking rule listed apart as falling short (not taken up, data missing,
    # a reviewer's decision), with a suggestion; a tally's fail is a reading, never something to fix
    shortfall: list[Shortfall] = list(SHORTFALL)

    @model_validator(mode="after")
    def _placeholders(self) -> "KindSetting":
        for status, text in self.messages.items():
            for lang in ("zh", "en"):
                bad = set(re.findall(r"{([^{}]*)}", getattr(text, lang))) - {"figures", "what", "toward"}
                if bad:
                    raise ValueError(f"messages.{status}.{lang}: unknown placeholder {{{sorted(bad)[0]}}} "
                                     "(use {figures}, {what}, {toward})")
        return self

    @property
    def counts(self) -> bool:
        """Its messages say what a result counts toward: its rules must state `counts_toward`."""
        return any("{" + k + "}" in getattr(t, lang) for t in self.messages.values()
                   for lang in ("zh", "en") for k in ("what", "toward"))


class CountsToward(_Data):
    """A tally rule: the district figure its pass counts toward (rules/district/targets.yaml)."""

    target: str = Field(pattern=r"^D-\d+[a-z]?$")   # the district target's id, e.g. D-6a
    what: Text                                      # what counts: 该建筑面积 / its floor area
    toward: Text                                    # the figure in the plan's words


class PublicInstitutionBy(_Data):
    """A use that makes a building a public institution (公共机构): `always` by definition (a
    contradicting flag is a finding and the building is one), `usually` (presumed when the flag is
    not given; a flag saying otherwise is a finding, and the rules it decides go to a reviewer
    unless both readings give the same outcome). `basis` cites the regulation."""

    by: Literal["always", "usually"]
    basis: Text


class UseClass(_Data):
    label: Text
    groups: list[str] = []
    public_institution: Optional[PublicInstitutionBy] = None


class TimeWords(_Data):
    """One reading of the plan's time words ("2022年起", "到2025年", ...): how they set a window."""

    words: str
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class DateReadings(_Data):
    """rules/_settings.yaml `dates`: the plan's date and how its time words set each rule's window."""

    plan_date: date
    basis: Text                                     # why plan_date is the date of effect
    readings: list[TimeWords] = []


class Settings(_Data):
    """rules/_settings.yaml: vocabulary and how each rule kind affects the overall verdict."""

    name: Text
    kinds: dict[Kind, KindSetting]
    uses: dict[str, UseClass]
    zones: dict[str, Text]
    rule_order: list[str] = []                      # id prefixes in reading order (PV, RE, ...); others follow
    dates: Optional[DateReadings] = None            # how the plan's time words set the rules' windows

    def sort_key(self, rule_id: str) -> tuple:
        prefix, _, number = rule_id.partition("-")
        rank = self.rule_order.index(prefix) if prefix in self.rule_order else len(self.rule_order)
        return (rank, prefix, int(number) if number.isdigit() else 0)

    def use_groups(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for use, spec in self.uses.items():
            for g in spec.groups:
                groups.setdefault(g, []).append(use)
        return groups


class Parameter(_Data):
    """One named value in rules/_parameters.yaml."""

    value: Union[float, list[float], list[str]]
    unit: str = ""
    label: Text
    source: Optional[str] = None                    # where the number comes from

    @field_validator("value")
    @classmethod
    def _number(cls, v):
        return engine_threshold(float(v)) if isinstance(v, (int, float)) else v
