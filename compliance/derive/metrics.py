"""Metric records and the registry of metrics that rule files may name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Optional

from pydantic import BaseModel, ConfigDict


class Evidence(BaseModel):
    """Where a figure came from: model elements by GlobalId, or metadata fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Literal["ifc", "metadata"]
    file: str
    global_ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    detail: Optional[str] = None


class Metric(BaseModel):
    """A measured figure. `value` None means the data is absent; `certain` False means it is
    present but a reviewer must confirm it (the reasons say why)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    value: Optional[float]
    unit: str
    basis: Optional[str] = None
    certain: bool = True
    reasons: tuple[str, ...] = ()
    computation: Optional[str] = None
    inputs: dict[str, Optional[float]] = {}
    evidence: tuple[Evidence, ...] = ()

    @property
    def has_value(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class MetricSpec:
    """What a rule file can ask for: a metric name, its unit and its parameters."""

    name: str
    unit: str
    label_zh: str
    label_en: str
    params: dict[str, tuple[str, ...]]       # parameter -> allowed values (first is default)
    compute: Callable[..., Metric]
    data_hint_zh: str = ""                   # what a designer adds when the data is missing
    data_hint_en: str = ""
    ifc_figures: tuple[str, ...] = ()        # model figures it reads (keys of the IDS requirement table)


def metric_specs() -> dict[str, MetricSpec]:
    """The registry of metrics (built on demand; no work at import time)."""
    from .pv import pv_roof_ratio

    specs = [
        MetricSpec("pv_roof_ratio", "%", "屋顶光伏面积比例", "rooftop PV area ratio",
                   {"basis": ("projected", "surface")}, pv_roof_ratio,
                   data_hint_zh="为所列屋面构件和光伏组件补充面积数量（Qto_SlabBaseQuantities / Qto_RoofBaseQuantities 的 "
                                "GrossArea 或 ProjectedArea，Qto_SolarDeviceBaseQuantities.GrossArea），或以拉伸实体建模以便计算水平投影面积。",
                   data_hint_en="Give the listed roof elements and PV panels area quantities (GrossArea or ProjectedArea in "
                                "Qto_SlabBaseQuantities / Qto_RoofBaseQuantities, Qto_SolarDeviceBaseQuantities.GrossArea), "
                                "or model them as extrusions so their projected area can be computed.",
                   ifc_figures=("roof_area", "pv_area")),
    ]
    return {s.name: s for s in specs}


class Derivation:
    """Computes metrics for one submission on request, each (name, params) once."""

    def __init__(self, models: list, specs: dict[str, MetricSpec] | None = None, findings=()) -> None:
        self.models = models
        self.findings = tuple(findings)     # cross-check findings (model vs metadata) that may touch a figure
        self.specs = specs if specs is not None else metric_specs()
        self._cache: dict[tuple, Metric] = {}

    def metric(self, name: str, **params: str) -> Metric:
        spec = self.specs[name]
        full = {k: params.get(k) or allowed[0] for k, allowed in spec.params.items()}
        key = (name, tuple(sorted(full.items())))
        if key not in self._cache:
            self._cache[key] = spec.compute(self.models, findings=self.findings, **full)
        return self._cache[key]
