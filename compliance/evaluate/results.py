"""Frozen result records: the one structure every reporter reads."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timezone
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..derive.metrics import Evidence, Metric
from ..read.records import ModelInfo, Note
from ..ruleset.schema import Clause, Kind, Status, Text

VerdictName = Literal["compliant", "non_compliant", "incomplete"]
EXIT_CODES: dict[str, int] = {"compliant": 0, "non_compliant": 1, "incomplete": 3}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Check(_Frozen):
    """One requirement of a rule, as measured: a rule may have several (all must hold)."""

    metric: str
    label: Text = Field(description="What was measured, e.g. 快充桩占充电桩比例 / fast chargers among charging points")
    measured: Optional[float] = None
    measured_text: Text = Field(description="As a reader says it: '35.2 %', '2-star', 'yes', '—'")
    operator: str
    threshold: float
    threshold_text: Text
    unit: str
    parameter: Optional[str] = Field(None, description="The rule-set parameter the threshold came from")
    basis: Optional[str] = None
    met: Optional[bool] = Field(None, description="True/false: met or not over the figure's whole plausible range "
                                                  "(a certain figure's range is its value); None: not measured, or "
                                                  "uncertain with a range that straddles the threshold")
    certain: bool = Field(True, description="False: the measured figure is in doubt (the rule's reasons say why)")
    plausible_low: Optional[float] = Field(None, description="Uncertain figures: the lowest plausible value "
                                                             "(null: no lower bound, or certain)")
    plausible_high: Optional[float] = Field(None, description="Uncertain figures: the highest plausible value "
                                                              "(null: no upper bound, or certain)")
    plausible_text: Optional[Text] = Field(None, description="Uncertain figures: the plausible range as a reader "
                                                             "says it, e.g. '3.45%–18.18%', 'unbounded'")
    source: Optional[Literal["model", "design", "declared", "model_and_declared"]] = Field(
        None, description="Where the measured figure comes from: measured from the models (实测值), a design figure "
                          "the designer states (设计值), a declared or filed figure (申报值), or a declared figure "
                          "checked against the models; null when there is no figure")


class RuleResult(_Frozen):
    rule: str = Field(description="Stable id, e.g. PV-1")
    rule_version: str = Field(description="ID@version")
    title: Text
    clause: Clause
    kind: Kind = Field(description="mandatory, target, encouraged or tally (a district tally: a pass counts toward "
                                   "a district figure, a fail is not counted; neither affects the verdict)")
    kind_label: Text = Field(description="From the rule-set settings")
    kind_explanation: Optional[Text] = Field(None, description="What the kind means to a reader, from the rule-set "
                                                               "settings (null: the label says it)")
    blocks: bool = Field(description="From the rule-set settings for this kind")
    status_label: Optional[Text] = Field(None, description="This kind's own word for the status, from the rule-set "
                                                           "settings (a tally's pass 计入 / counts, fail 不计入 / not "
                                                           "counted); null: the usual word")
    falls_short: Optional[bool] = Field(None, description="True: a non-blocking result listed apart as falling short "
                                                          "(an encouraged item not taken up, a target not reached, "
                                                          "data missing, a reviewer's decision), with a suggestion; "
                                                          "false: not (a pass, a blocking result, a tally's "
                                                          "不计入); null: not recorded (read it from blocks and status)")
    status: Status = Field(description="pass, fail, not_applicable, missing_data (the data the rule needs is "
                                       "absent) or manual_review (present but uncertain, and the doubt could change "
                                       "the outcome — including whether the rule applies — or an exemption)")
    measured: Optional[float] = Field(None, description="The first requirement's measured figure (null: absent)")
    threshold: float = Field(description="The first requirement's threshold, in `unit`")
    operator: str = Field(description="How measured compares with threshold: >=, >, <=, < or ==")
    unit: str = Field(description="%, m², count, level, flag, PUE, kWh/m²…")
    basis: Optional[str] = None
    message: str = Field(description="English, plain language")
    message_zh: str
    reasons: tuple[Text, ...] = Field((), description="Why data is missing or uncertain, zh and en")
    computation: Optional[Text] = Field(None, description="How the figure was computed, in words and numbers, "
                                                        "zh and en")
    inputs: dict[str, Optional[float]] = Field({}, description="The figures a ratio was computed from")
    evidence: tuple[Evidence, ...] = Field((), description="Where the figures came from: model elements by "
                                                           "GlobalId, metadata fields by line")
    remedy: Optional[Text] = Field(None, description="Shown when the designer has something to do")
    checks: tuple[Check, ...] = Field((), description="Every requirement; `measured`/`threshold` above repeat the first")
    interpretation: Optional[Text] = Field(None, description="How the checker reads the clause, where it had "
                                                             "to choose")
    building: Optional[str] = Field(None, description="The building (submission.yaml buildings[].id) this result "
                                                      "concerns; null: the submission is one building")
    building_label: Optional[Text] = Field(None, description="That building and the use parts the rule was judged "
                                                             "on, e.g. 1号楼（商业 25,000 m²）")
    per_building: tuple["RuleResult", ...] = Field((), description="A submission of several buildings: the result "
                                                                   "for each building; the rule's own status is the "
                                                                   "gravest of them (fail, missing data, manual "
                                                                   "review, pass, not applicable)")


class BuildingRef(_Frozen):
    """One building of the submission as the rules judged it."""

    id: str
    name: str
    label: Text = Field(description="Its name and use parts, e.g. 1号楼（住宅 18,000 m²、商业 2,000 m²）")
    uses: tuple[str, ...]
    gross_floor_area_m2: Optional[float] = None
    public_institution: bool = Field(description="As the rules read it (stated, or derived from the uses)")
    public_institution_doubt: Optional[Text] = Field(None, description="Why the other reading is plausible too: "
                                                                       "the rules it decides go to a reviewer "
                                                                       "unless both readings agree")


class SubmissionRef(_Frozen):
    id: str
    name: str
    name_en: Optional[str] = None
    kind: str
    use: str
    use_label: Optional[Text] = None
    public_institution: bool
    zone: Optional[str] = None
    zone_label: Optional[Text] = None
    applicant: Optional[str] = None
    gross_floor_area_m2: Optional[float] = None
    filed_on: date
    buildings: tuple[BuildingRef, ...] = Field((), description="Its buildings (单体) and their use parts; one "
                                                               "entry for a submission of a single use")


class ElementRef(_Frozen):
    """A model element a finding cites, named as the designer sees it in the authoring tool."""

    global_id: str
    ifc_class: Optional[str] = None
    name: Optional[str] = None
    storey: Optional[str] = None
    file: Optional[str] = None
    bbox: Optional[tuple[float, float, float, float, float, float]] = Field(
        None, description="Where the element is: its axis-aligned bounding box in the model's world coordinates, "
                          "metres, as [min x, min y, min z, max x, max y, max z], from the reader's records (the "
                          "footprint and height range of its body; the placement point alone, min = max, where "
                          "only that is known). Null: the reader kept no position for it (spatial elements such "
                          "as IfcBuilding, elements it did not read)")


class InputFile(_Frozen):
    """One file the verdict was computed from, for the reproducibility footer."""

    role: Literal["metadata", "model"]
    file: str
    sha256: str
    size_bytes: int


Decision = Literal["approved", "rejected", "revise"]
DECISIONS: tuple[str, ...] = ("approved", "rejected", "revise")
REVIEWER_MAX = 100
# Embedding, override and isolate controls make a name read backwards; right-to-left text needs none.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
COMMENT_MAX = 2000


class SignOff(_Frozen):
    """A plan reviewer's signed decision on one stored check (the registry keeps every one; the
    latest counts). Names and comments are untrusted text: reports escape them and show control
    characters as [U+001B] and the like."""

    check_id: int = Field(ge=1, description="The registry's id of the check signed")
    reviewer: str = Field(min_length=1, max_length=REVIEWER_MAX,
                          description="Who signed, as typed (1-100 characters; no control characters, no "
                                      "bidirectional override)")
    decision: Decision = Field(description="approved: the reviewer accepts the verdict; rejected: the submission "
                                           "is refused; revise: sent back to the designer for changes")
    comment: str = Field("", max_length=COMMENT_MAX, description="The reviewer's comment (may be empty)")
    signed_at: datetime = Field(description="When it was signed, UTC")
    reviewer_account: Optional[str] = Field(None, description="The signed-in reviewer's account (user name) the "
                                                              "sign-off was made under; absent on sign-offs made "
                                                              "before accounts existed")
    reviewer_title: str = Field("", max_length=REVIEWER_MAX, description="The reviewer's title, as the account "
                                                                          "gives it (e.g. 审查员)")

    @field_validator("reviewer", mode="before")
    @classmethod
    def _reviewer(cls, value):
        if isinstance(value, str):
            value = value.strip()
            bad = next((c for c in value if unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS), None)
            if bad is not None:
                raise ValueError(f"the reviewer's name may not contain control characters (U+{ord(bad):04X})")
        return value

    @field_validator("comment", mode="before")
    @classmethod
    def _comment(cls, value):
        if value is None:
            return ""
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n").strip()    # a text area sends CR LF
            if "\x00" in value:
                raise ValueError("the comment may not contain a NUL character (U+0000)")
        return value

    @field_validator("signed_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        """A naive time (SQLite returns them) is UTC; an aware one is converted to UTC."""
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Verdict(_Frozen):
    submission: SubmissionRef
    as_of: date
    rules_version: str
    rules_publication: Optional[str] = Field(None, description="The published rule set the rules came from: its "
                                                                "version, e.g. 2026.1 (null: rules not published)")
    rules_effective_from: Optional[date] = Field(None, description="The day that publication took effect")
    ruleset_name: Text
    verdict: VerdictName
    results: tuple[RuleResult, ...]
    models: tuple[ModelInfo, ...] = ()
    notes: tuple[Note, ...] = ()
    elements: tuple[ElementRef, ...] = Field((), description="Every element cited by a result or a note")
    inputs: tuple[InputFile, ...] = ()
    district: dict[str, Metric] = Field({}, description="What the submission adds toward the district's targets "
                                                         "(PV peak power, charging points, floor areas, energy "
                                                         "class, green mall…), each with its evidence; the district "
                                                         "report decides which count")
    tool_version: str
    generated_at: datetime
    signoffs: tuple[SignOff, ...] = Field((), description="Reviewers' sign-offs, oldest first (the last one "
                                                          "counts): the registry adds them after the check; a "
                                                          "fresh check has none")

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def rules_label(self, lang: str = "en") -> str:
        """The rule set as a report cites it: `2026.1 (effective 2026-03-01) sha256:…`, or the hash alone."""
        if not self.rules_publication:
            return self.rules_version
        day = self.rules_effective_from.isoformat() if self.rules_effective_from else "?"
        said = f"{self.rules_publication}（{day} 起施行）" if lang == "zh" else f"{self.rules_publication} (effective {day}) "
        return said + self.rules_version

    def by_building(self, result: RuleResult) -> tuple[RuleResult, ...]:
        """A rule's per-building results where the buildings' results differ (status or figure);
        none where they agree or the submission is one building: the rule's result says it all."""
        seen = {(b.status, tuple(c.measured for c in b.checks)) for b in result.per_building}
        return result.per_building if len(seen) > 1 else ()

    def element_index(self) -> dict[str, ElementRef]:
        """The cited elements by GlobalId (build once per report; not cached, since copies of a
        frozen record with other elements must not share it)."""
        return {e.global_id: e for e in self.elements}

    def element(self, global_id: str, index: dict[str, ElementRef] | None = None) -> ElementRef:
        """The cited element with this GlobalId (bare when the reader kept no record of it)."""
        found = (index if index is not None else self.element_index()).get(global_id)
        return found or ElementRef(global_id=global_id)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out


def overall_verdict(results: tuple[RuleResult, ...] | list[RuleResult]) -> VerdictName:
    """Derived from results alone: a blocking fail -> non_compliant; a blocking gap -> incomplete."""
    blocking = [r for r in results if r.blocks]
    if any(r.status == "fail" for r in blocking):
        return "non_compliant"
    if any(r.status in ("missing_data", "manual_review") for r in blocking):
        return "incomplete"
    return "compliant"


def cited_elements(results, notes, models) -> tuple[ElementRef, ...]:
    """The elements the results and notes cite, with the class, name, storey and bounding box the
    reader found (the first record of a GlobalId, in model order)."""
    first: dict[str, Any] = {}
    for m in models:
        for group in (m.roofs, m.pv_panels, m.systems, m.chargers, m.parking, m.buildings, m.suspects, m.excluded):
            for x in group:
                first.setdefault(x.global_id, x)
    cited: dict[str, None] = {}
    for r in results:
        for e in r.evidence:
            cited.update(dict.fromkeys(e.global_ids))
    for n in notes:
        cited.update(dict.fromkeys(n.global_ids))
    records = [first[g] for g in cited if g in first]
    boxes = dict(zip((id(x) for x in records), element_bboxes(records)))

    def ref(gid: str) -> ElementRef:
        x = first.get(gid)
        if x is None:
            return ElementRef(global_id=gid)
        return ElementRef(global_id=gid, ifc_class=x.ifc_class, name=x.name, storey=x.storey, file=x.file,
                          bbox=boxes[id(x)])

    return tuple(ref(g) for g in cited)


BBox = tuple[float, float, float, float, float, float]


def element_bboxes(records: list) -> list[Optional[BBox]]:
    """Each reader record's bounding box (ElementRef.bbox), rounded to the millimetre: the XY extent
    of its outline with its body's height range, or its placement point; None for a spatial element
    (an IfcBuilding's placement is the origin of its coordinates, not where it stands), for an
    outline without heights or placement, and where nothing finite is known. The outlines' extents
    are taken in one array operation (thousands of panels)."""
    import numpy as np

    out: list[Optional[BBox]] = [None] * len(records)
    shown: list[int] = []
    points: list = []
    counts: list[int] = []
    for n, record in enumerate(records):
        if record.ifc_class in ("IfcBuilding", "IfcSite", "IfcBuildingStorey", "IfcProject"):
            continue
        ring_points = [p[:2] for ring in getattr(record, "outline", None) or () for p in ring]
        if ring_points:
            shown.append(n)
            points.extend(ring_points)
            counts.append(len(ring_points))
        elif record.origin is not None:
            out[n] = _finite_box((*record.origin, *record.origin))
    if shown:
        xy = np.asarray(points, dtype=float)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        low, high = np.minimum.reduceat(xy, starts).tolist(), np.maximum.reduceat(xy, starts).tolist()
        for k, n in enumerate(shown):
            record = records[n]
            z_min, z_max = getattr(record, "z_min", None), getattr(record, "z_max", None)
            if z_min is None or z_max is None:
                if record.origin is None:
                    continue
                z_min = z_max = record.origin[2]
            out[n] = _finite_box((low[k][0], low[k][1], min(z_min, z_max), high[k][0], high[k][1], max(z_min, z_max)))
    return out


def _finite_box(box: tuple) -> Optional[BBox]:
    """`box` rounded to the millimetre (+ 0.0: no -0.0 in the JSON); None unless all six are finite
    and within 1e9 (a NaN fails `abs(v) < 1e9` too)."""
    x0, y0, z0, x1, y1, z1 = box
    if not (abs(x0) < 1e9 and abs(y0) < 1e9 and abs(z0) < 1e9 and abs(x1) < 1e9 and abs(y1) < 1e9
            and abs(z1) < 1e9):
        return None
    return (round(x0, 3) + 0.0, round(y0, 3) + 0.0, round(z0, 3) + 0.0, round(x1, 3) + 0.0, round(y1, 3) + 0.0,
            round(z1, 3) + 0.0)


def status_changes(old: dict, new: dict) -> list[tuple[str, Optional[str], Optional[str]]]:
    """(rule, old status, new status) for each rule whose status differs between two checks' {rule:
    status} (None: the rule is not in that check); the new check's rules first, in its order."""
    return [(rule, old.get(rule), new.get(rule)) for rule in list(new) + [r for r in old if r not in new]
            if old.get(rule) != new.get(rule)]
