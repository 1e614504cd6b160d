"""Renewable energy types a submission uses: shown by the models, or only declared."""

from __future__ import annotations

from ..text import Text
from .metrics import Evidence, Inputs, Metric, MetricSpec

NAMES = {"pv": "PV", "solar_thermal": "solar thermal", "heat_pump": "heat pump",
         "waste_heat_recovery": "waste-heat recovery"}
NAMES_ZH = {"pv": "光伏", "solar_thermal": "太阳能光热", "heat_pump": "热泵", "waste_heat_recovery": "余热回收"}


def system_names(kinds) -> Text:
    """Renewable system kinds as a reader names them (zh: with the key submission.yaml uses)."""
    return Text(zh="、".join(f"{NAMES_ZH[k]}（{k}）" for k in kinds), en=", ".join(NAMES[k] for k in kinds))


def renewable_types(inp: Inputs) -> Metric:
    shown: dict[str, list] = {}
    for m in inp.models:
        for s in m.systems:
            if s.kind == "heat_pump" and s.source_medium is None:
                continue                       # a heat pump counts once its source (ground/water/air) is known
            shown.setdefault(s.kind, []).append(s)
        if m.pv_panels:
            shown.setdefault("pv", []).extend(m.pv_panels)
    declared = getattr(getattr(inp.meta, "declared", None), "renewable_systems", None) or []
    only_declared = sorted(set(declared) - set(shown))
    evidence = [Evidence(source="ifc", file=recs[0].file, global_ids=tuple(r.global_id for r in recs[:50]),
                         detail=f"{NAMES[kind]}: {len(recs)} element(s)") for kind, recs in sorted(shown.items())]
    reasons = []
    if only_declared:
        evidence.append(inp.field_evidence("declared.renewable_systems"))
        names = system_names(only_declared)
        reasons.append(Text(zh=f"已申报但模型中未体现：{names.zh}", en=f"declared but not shown in the models: {names.en}"))
    unknown_medium = [s for m in inp.models for s in m.systems if s.kind == "heat_pump" and s.source_medium is None]
    if unknown_medium and "heat_pump" not in shown:
        reasons.append(Text(zh=f"{len(unknown_medium)} 台热泵未标注 YP_HeatPump.SourceMedium：无法判断其是否利用可再生能源",
                            en=f"{len(unknown_medium)} heat pump(s) without YP_HeatPump.SourceMedium: whether they "
                               "use a renewable source cannot be told"))
    if shown:       # the models are the evidence; types only declared are named, not counted
        kinds, reasons = sorted(shown), []
    else:
        kinds = only_declared
    # a model the parser could not fully read may hold a system not found (nor shown)
    reasons += inp.doubts_about({r.global_id for recs in shown.values() for r in recs})
    return Metric(name="renewable_types", value=float(len(kinds)), unit="count", certain=not reasons,
                  reasons=tuple(reasons), evidence=tuple(evidence),
                  computation=_how(kinds, bool(shown), only_declared if shown else []))


def _how(kinds: list[str], shown: bool, declared_only: list[str]) -> Text:
    """'2 renewable type(s) shown in the models: PV, heat pump; declared only: solar thermal'."""
    zh, en = f"可再生能源利用种类 {len(kinds)} 种", f"{len(kinds)} renewable type(s) "
    if kinds:
        names = system_names(kinds)
        zh, en = (f"{zh}，模型中体现：{names.zh}", f"{en}shown in the models: {names.en}") if shown else \
            (f"{zh}，申报：{names.zh}", f"{en}declared: {names.en}")
    else:
        en += "none"
    if declared_only:
        extra = system_names(declared_only)
        zh, en = f"{zh}；仅申报：{extra.zh}", f"{en}; declared only: {extra.en}"
    return Text(zh=zh, en=en)


def renewable_specs() -> list[MetricSpec]:
    return [
        MetricSpec("renewable_types", "count", "可再生能源利用种类", "renewable energy types used", {}, renewable_types,
                   "在模型中建模可再生能源系统（光伏组件、太阳能集热器、标注水源/地源/空气源的热泵、余热回收），"
                   "或在 submission.yaml 的 declared.renewable_systems 中申报。",
                   "Model the renewable systems (PV panels, solar collectors, heat pumps with their source medium, "
                   "heat recovery) or list them in declared.renewable_systems in submission.yaml.",
                   ifc_figures=("renewable_systems", "pv_area")),
    ]
