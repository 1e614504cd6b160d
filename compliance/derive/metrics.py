"""Metric records and the registry of metrics that rule files may name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..text import Text


class Evidence(BaseModel):
    """Where a figure came from: model elements by GlobalId, or metadata fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Literal["ifc", "metadata"]
    file: str
    global_ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    line: Optional[int] = Field(None, description="Metadata: the line of the first field")
    detail: Optional[str] = None
    detail_zh: Optional[str] = Field(None, description="The detail in Chinese (null: the detail is identifiers only, "
                                                       "or there is none)")


class Metric(BaseModel):
    """A measured figure. `value` None means the data is absent; `certain` False means it is
    present but a reviewer must confirm it (the reasons say why).

    An uncertain figure may say how far the doubt reaches: the true figure lies in [`low`,
    `high`] (None on a side: unbounded on that side; neither given: unbounded both ways, a
    reviewer decides). Where every value of that range gives a rule the same outcome, the doubt
    does not decide it (docs/rules.md). A certain figure's range is [value, value]."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    value: Optional[float]
    unit: str
    basis: Optional[str] = None
    certain: bool = True
    low: Optional[float] = Field(None, description="Uncertain only: the lowest plausible value of the true figure "
                                                   "(null: no lower bound)")
    high: Optional[float] = Field(None, description="Uncertain only: the highest plausible value of the true "
                                                    "figure (null: no upper bound)")
    reasons: tuple[Text, ...] = ()            # why it is missing or uncertain, in both languages
    computation: Optional[Text] = None        # how the figure was computed, in words and numbers (zh, en)
    inputs: dict[str, Optional[float]] = {}
    evidence: tuple[Evidence, ...] = ()

    @model_validator(mode="after")
    def _range_holds_the_value(self) -> "Metric":
        low, high, value = self.low, self.high, self.value
        if low is None and high is None:
            return self
        if value is None:
            raise ValueError(f"{self.name}: a figure without a value has no plausible range")
        if self.certain and (low, high) not in ((value, value), (value, None), (None, value)):
            raise ValueError(f"{self.name}: a certain figure's range is its value ({value:g}), not {low}–{high}")
        if (low is not None and low > value + RANGE_SLACK) or (high is not None and high < value - RANGE_SLACK):
            raise ValueError(f"{self.name}: the plausible range {low}–{high} does not hold the value {value:g}")
        return self

    @property
    def has_value(self) -> bool:
        return self.value is not None

    def range(self) -> tuple[Optional[float], Optional[float]]:
        """(lo, hi): where the true figure plausibly lies, None on an unbounded side — (value, value)
        when certain, (low, high) when not; (None, None) when there is no value."""
        if self.value is None:
            return None, None
        if self.certain:
            return self.value, self.value
        return self.low, self.high

    @property
    def bounded(self) -> bool:
        """Uncertain with at least one end of its range known."""
        return not self.certain and self.value is not None and (self.low is not None or self.high is not None)


RANGE_SLACK = 1e-6                            # rounding between a value and the ends of its range


@dataclass(frozen=True)
class MetricSpec:
    """What a rule file can ask for: a metric name, its unit and its parameters."""

    name: str
    unit: str                                 # "%", "m²", "count", "flag", "level", "PUE"
    label_zh: str
    label_en: str
    params: dict[str, tuple[str, ...]]        # selector -> allowed values ("basis": first is default; "of": a list)
    compute: Callable[..., Metric]
    data_hint_zh: str = ""                    # what a designer adds when the data is missing
    data_hint_en: str = ""
    ifc_figures: tuple[str, ...] = ()         # model figures it reads (keys of the IDS requirement table)
    uses_params: tuple[str, ...] = ()         # rule-set parameters the computation reads
    levels: dict[float, tuple[str, str]] = field(default_factory=dict)   # value -> (zh, en) display names
    as_filed: bool = False                    # a figure filed as is: shown with every decimal it was filed with

    def show(self, value: float | None, lang: str = "en") -> str:
        """A value as a reader says it: '1.25', '2-star', 'yes', '35 %'; a figure filed as is keeps
        its decimals (a PUE of 1.30004 is not shown as 1.3, which it fails)."""
        if value is None:
            return "—"
        if value in self.levels:
            return self.levels[value][0 if lang == "zh" else 1]
        text = f"{value:,.{10 if self.as_filed else 2}f}".rstrip("0").rstrip(".")
        unit = "" if self.unit in ("count", "PUE", "level") else self.unit
        return f"{text}{unit}" if lang == "zh" or unit in ("", "%") else f"{text} {unit}"

    def show_range(self, lo: float | None, hi: float | None, lang: str = "en") -> str:
        """A plausible range as a reader says it: '31%–40%', '397.5 m² or more', 'up to 40%'."""
        zh = lang == "zh"
        if lo is not None and hi is not None:
            return f"{self.show(lo, lang)}–{self.show(hi, lang)}"
        if lo is not None:
            return f"{self.show(lo, lang)} 及以上" if zh else f"{self.show(lo, lang)} or more"
        if hi is not None:
            return f"不超过 {self.show(hi, lang)}" if zh else f"up to {self.show(hi, lang)}"
        return "无界" if zh else "unbounded"


# Findings about one declared field that the metric reading that field weighs itself (with a
# plausible range, evidence_policy.py): they name no element, yet must not touch every figure.
# A parking space far larger than a stall is weighed by the EV metrics as a range of stalls.
WEIGHED_BY_THEIR_METRIC = frozenset({"metadata.declared_not_in_model", "parking.space_too_large"})
# A declared figure that disagrees with the model's (metadata.mismatch) for these fields: the metric
# reading the field weighs it over both values (two sources that disagree span both).
WEIGHED_FIELDS = frozenset({"declared.parking_spaces", "declared.charging_points", "declared.fast_charging_points",
                            "declared.charger_ready_spaces", "declared.roof_area_m2", "declared.pv_area_m2"})


@dataclass(frozen=True)
class Inputs:
    """Everything a metric may read: the models, the submission, the findings and parameters."""

    models: list
    meta: object = None                       # read.metadata.Submission (None in model-only tests)
    lines: dict = field(default_factory=dict)  # metadata field path -> line
    metadata_file: str = "submission.yaml"
    findings: tuple = ()
    params: dict = field(default_factory=dict)
    shared: dict = field(default_factory=dict, compare=False, repr=False)   # figures several metrics need
    conventions: object = None                # read.conventions.Conventions of the run (None: the project's)

    def memo(self, key: str, compute: Callable[[], object]):
        """A figure several metrics need (e.g. which panels lie on a roof), computed once per submission."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    def param(self, name: str) -> float:
        return float(self.params[name])

    def doubts_about(self, global_ids: set[str]) -> list[Text]:
        """Messages (zh and en) of the 'uncertain' reader notes and findings that touch these
        elements (a note naming no element touches every figure)."""
        return [n.text for n in self.doubt_notes(global_ids)]

    def doubt_notes(self, global_ids: set[str]) -> list:
        """The 'uncertain' notes and findings themselves (`doubts_about`), for a metric that can weigh
        some of them (an area read two ways: AreaFigure.span)."""
        notes = [n for m in self.models for n in m.notes] + list(self.findings)
        return [n for n in notes
                if n.severity == "uncertain" and n.code not in WEIGHED_BY_THEIR_METRIC
                and not (n.code == "metadata.mismatch" and n.field in WEIGHED_FIELDS)
                and (not n.global_ids or global_ids & set(n.global_ids))]

    def mismatch(self, field: str):
        """The `metadata.mismatch` finding on a declared field, if any (its metric weighs it)."""
        return next((n for n in self.findings if n.code == "metadata.mismatch" and n.field == field), None)

    def field_evidence(self, *paths: str, detail: str | None = None) -> "Evidence":
        line = next((self.lines[p] for p in paths if p in self.lines), None)
        return Evidence(source="metadata", file=self.metadata_file, fields=paths, line=line, detail=detail)


def not_given(path: str, where: str | None = None) -> Text:
    """The reason a figure is missing: a submission field that is not filled in."""
    return Text(zh=f"{where} 未提供 {path}" if where else f"申报资料未提供 {path}",
                en=f"{path} is not given" + (f" in {where}" if where else ""))


def _gap(zh: str) -> str:
    """The space between Chinese text and what follows it: none after a full-width bracket."""
    return "" if zh.endswith("）") else " "


def share_text(top: Text, bottom: Text, pct: float) -> Text:
    """'top ÷ bottom = 20.03 %' in both languages."""
    return Text(zh=f"{top.zh}{_gap(top.zh)}÷ {bottom.zh}{_gap(bottom.zh)}= {pct:.2f} %",
                en=f"{top.en} ÷ {bottom.en} = {pct:.2f} %")


def counted(n: float, what: Text) -> Text:
    """A count as a computation says it: '4 charging points in the models' / '模型中的充电桩 4 个'."""
    return Text(zh=f"{what.zh}{_gap(what.zh)}{n:g} 个", en=f"{n:g} {what.en}")


def joined(parts, zh: str = "；", en: str = "; ") -> Optional[Text]:
    """Several texts as one (None when there are none)."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return Text(zh=zh.join(p.zh for p in parts), en=en.join(p.en for p in parts))


def unique(records) -> list:
    """Each element once, by GlobalId (an element listed in several models counts once), but a copy
    under the same GlobalId that stands elsewhere is another element (identity.py: a finding)."""
    from .identity import distinct

    return distinct(records, keep="last")


def metric_specs() -> dict[str, MetricSpec]:
    """The registry of metrics (built on demand; no work at import time)."""
    from .capacity import capacity_specs
    from .declared import declared_specs
    from .ev import ev_specs
    from .green import green_specs
    from .pv import pv_specs
    from .renewables import renewable_specs

    specs = pv_specs() + capacity_specs() + renewable_specs() + green_specs() + ev_specs() + declared_specs()
    return {s.name: s for s in specs}


class Derivation:
    """Computes metrics for one submission on request, each (name, selectors) once."""

    def __init__(self, models: list, specs: dict[str, MetricSpec] | None = None, findings=(), *,
                 meta=None, lines: dict | None = None, params: dict | None = None,
                 metadata_file: str = "submission.yaml", shared: dict | None = None, conventions=None) -> None:
        """`shared`: figures already computed for this submission (Inputs.memo keys)."""
        self.inputs = Inputs(models=models, meta=meta, lines=dict(lines or {}), metadata_file=metadata_file,
                             findings=tuple(findings), params=dict(params or {}), shared=dict(shared or {}),
                             conventions=conventions)
        self.specs = specs if specs is not None else metric_specs()
        self._cache: dict[tuple, Metric] = {}

    @property
    def models(self) -> list:
        return self.inputs.models

    def metric(self, name: str, basis: str | None = None, of=None) -> Metric:
        spec = self.specs[name]
        selectors: dict = {}
        if "basis" in spec.params:
            selectors["basis"] = basis or spec.params["basis"][0]
        if "of" in spec.params:
            selectors["of"] = tuple(of or ())
        key = (name, tuple(sorted(selectors.items())))
        if key not in self._cache:
            self._cache[key] = spec.compute(self.inputs, **selectors)
        return self._cache[key]
