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
    value: Optional[float] = Field(None, description="The figure summed (sum), or the submission's weight (share)")
    qualifies: Optional[bool] = Field(None, description="share / only_if targets: whether it meets the condition")
    counted: bool = Field(description="False: the figure is missing or uncertain, so it is left out of the total")
    why: Optional[Text] = Field(None, description="Why it is not counted, or how the figure was obtained")


class TargetProgress(_Frozen):
    id: str = Field(description="Digest reference, e.g. D-2")
    clause: str
    title: Text
    quote: Optional[str] = None
    measure: Literal["sum", "share"]
    figure: str
    unit: str = Field(description="Unit of `achieved` and `target`: kW, count, m², %")
    target: float
    period_start: date
    period_end: date
    achieved: float = Field(description="Sum of the counted figures, or the share in %")
    numerator: Optional[float] = Field(None, description="share: the total of the qualifying submissions")
    denominator: Optional[float] = Field(None, description="share: the total of all counted submissions")
    progress_pct: float = Field(description="achieved ÷ target × 100 (may exceed 100)")
    met: bool
    basis: Text = Field(description="What is added up, and which submissions count")
    contributions: tuple[Contribution, ...] = ()
    not_counted: tuple[Contribution, ...] = Field((), description="In scope, but the figure is missing or uncertain: "
                                                                  "the total is a lower bound until they are fixed")
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
    approved: int = Field(description="Submissions whose latest check is compliant (counted)")
    by_verdict: dict[str, int] = Field(description="Latest verdict of each submission: how many of each")
    errors: int = Field(0, description="Registry rows for submissions that could not be checked")
    targets: tuple[TargetProgress, ...]
    tool_version: str
