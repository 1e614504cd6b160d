"""Frozen records of the district report: one structure every district renderer reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..text import Text


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contribution(_Frozen):
    """One approved submission's part in a target (or why it could not be counted)."""

    submission_id: str
    name: str
    check_id: int = Field(description="The registry row the figure was read from")
    filed_on: date
    use: str
    kind: str
    gross_floor_area_m2: Optional[float] = None
    value: Optional[float] = Field(None, description="The figure summed (sum, ratio's numerator), the submission's "
                                                    "weight (share), or its rate (weighted)")
    weight: Optional[float] = Field(None, description="ratio: the denominator figure; weighted: the weight")
    qualifies: Optional[bool] = Field(None, description="share / only_if targets: whether it meets the condition")
    counted: bool = Field(description="False: left out of the total (missing, uncertain or implausible; or excluded "
                                      "by the target's reading)")
    why: Optional[Text] = Field(None, description="Why it is not counted")


class Finding(_Frozen):
    """A figure of an approved submission beyond its plausible bounds (targets file, `plausible`):
    a data error to correct; it enters no total."""

    submission_id: str
    name: str
    check_id: int
    figure: str
    value: float
    unit: str
    text: Text


class TargetProgress(_Frozen):
    id: str = Field(description="Digest reference, e.g. D-2")
    clause: str
    title: Text
    quote: Optional[str] = None
    reading: Optional[Text] = Field(None, description="How the target's words are read (targets file)")
    measure: Literal["sum", "share", "ratio", "weighted"]
    figure: str
    over: Optional[str] = Field(None, description="ratio: the denominator figure; weighted: the weight figure")
    unit: str = Field(description="Unit of `achieved` and `target`: kW, count, m², %")
    target: float
    period_start: date
    period_end: date
    achieved: float = Field(description="Sum of the counted figures, or the share in %")
    numerator: Optional[float] = Field(None, description="share: the total of the qualifying submissions; ratio: the "
                                                        "sum of the figure; weighted: Σ(rate ÷ 100 × weight)")
    denominator: Optional[float] = Field(None, description="share: the total of all counted submissions; ratio: the "
                                                          "sum of `over`; weighted: Σ weight")
    progress_pct: float = Field(description="achieved ÷ target × 100 (may exceed 100)")
    met: bool
    basis: Text = Field(description="What is added up, and which submissions count")
    contributions: tuple[Contribution, ...] = ()
    not_counted: tuple[Contribution, ...] = Field((), description="In scope, but the figure is missing or uncertain: "
                                                                  "the total is a lower bound until they are fixed")
    excluded: tuple[Contribution, ...] = Field((), description="Left out by the target's reading (a condition not "
                                                               "met, a use excluded): the total is not a lower bound")
    display_scale: float = Field(1.0, description="Divide by this to show in display_unit (kW -> MW: 1000)")
    display_unit: str


class DistrictReport(_Frozen):
    title: Text
    generated_at: datetime
    as_of: date = Field(description="Submissions filed on or before this date are considered")
    registry: str = Field(description="The registry the figures were read from (URL without password)")
    targets_file: str
    targets_version: str = Field(description="sha256 of the targets file")
    submissions: int = Field(description="Distinct submissions in the registry")
    approved: int = Field(description="Submissions whose latest filed check a reviewer approved (counted)")
    by_verdict: dict[str, int] = Field(description="Latest verdict of each submission: how many of each")
    errors: int = Field(0, description="Registry rows for submissions that could not be checked")
    targets: tuple[TargetProgress, ...]
    findings: tuple[Finding, ...] = Field((), description="Implausible figures of approved submissions: left out of "
                                                          "every total")
    use_labels: dict[str, Text] = Field({}, description="The names of the use classes the report lists")
    tool_version: str
