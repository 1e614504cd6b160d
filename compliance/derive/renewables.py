"""Renewable energy types a submission uses: shown by the models, or only declared (then
uncertain: evidence_policy.py)."""

from __future__ import annotations

from ..text import Text
from .evidence_policy import DECLARED_ONLY, at_line, declared_only_reason
from .metrics import Evidence, Inputs, Metric, MetricSpec

NAMES = {"pv": "PV", "solar_thermal": "solar thermal", "solar": "solar device (PV or thermal)", "heat_pump": "heat pump",
         "waste_heat_recovery": "waste-heat recovery",
         "exhaust_heat_recovery": "exhaust-air heat recovery (an efficiency measure, not renewable)"}
NAMES_ZH = {"pv": "光伏", "solar_thermal": "太阳能光热", "solar": "太阳能设备（光伏或光热）", "heat_pump": "热泵", "waste_heat_recovery": "余热回收",
            "exhaust_heat_recovery": "排风热回收（节能措施，非可再生能源）"}
UNKNOWN_SOURCE = {"heat_pump": "heat pump", "waste_heat_recovery": "heat recovery"}   # counted once the source is known


def system_names(kinds) -> Text:
    """Renewable system kinds as a reader names them (zh: with the key submission.yaml uses)."""
    return Text(zh="、".join(NAMES_ZH[k] for k in kinds), en=", ".join(NAMES[k] for k in kinds))


def renewable_types(inp: Inputs) -> Metric:
    """Types shown by the models, plus types only declared (evidence_policy.py): the declared
    count, uncertain between what the models show and what is declared (a heat pump whose source
    is not stated may add one more)."""
    shown: dict[str, list] = {}
    for m in inp.models:
        for s in m.systems:
            if s.kind in UNKNOWN_SOURCE and s.source_medium is None or s.kind == "exhaust_heat_recovery":
                continue                       # counted once its source is known; exhaust air: an efficiency measure
            shown.setdefault(s.kind, []).append(s)
        if m.pv_panels:
            shown.setdefault("pv", []).extend(m.pv_panels)
    declared = getattr(getattr(inp.meta, "declared", None), "renewable_systems", None) or []
    only_declared = sorted(set(declared) - set(shown))
    evidence = [Evidence(source="ifc", file=recs[0].file, global_ids=tuple(r.global_id for r in recs[:50]),
                         detail=f"{NAMES[kind]}: {len(recs)} element(s)", detail_zh=f"{NAMES_ZH[kind]}：{len(recs)} 个构件")
                for kind, recs in sorted(shown.items())]
    reasons = []
    unknown_medium = [s for m in inp.models for s in m.systems if s.kind == "heat_pump" and s.source_medium is None]
    if only_declared:
        evidence.append(inp.field_evidence("declared.renewable_systems"))
    not_shown = [k for k in only_declared if not (k == "heat_pump" and unknown_medium)]   # that one: see below
    if not_shown:
        where = at_line(inp.metadata_file, inp.lines.get("declared.renewable_systems"))
        names = system_names(not_shown)
        reasons.append(declared_only_reason(Text(zh=f"declared.renewable_systems 列有{names.zh}",
                                                 en=f"declared.renewable_systems lists {names.en}"),
                                            where, Text(zh=f"{names.zh}系统", en=f"{names.en} system")))
    unsure = 1 if unknown_medium and "heat_pump" not in shown and "heat_pump" not in only_declared else 0
    if unknown_medium and "heat_pump" not in shown:
        reasons.append(Text(zh=f"{len(unknown_medium)} 台热泵未标注 YP_HeatPump.SourceMedium：无法判断其是否利用可再生能源",
                            en=f"{len(unknown_medium)} heat pump(s) without YP_HeatPump.SourceMedium: whether they "
                               "use a renewable source cannot be told"))
    unknown_heat = [s for m in inp.models for s in m.systems if s.kind == "waste_heat_recovery" and s.source_medium is None]
    if unknown_heat and "waste_heat_recovery" not in shown:
        unsure += 0 if "waste_heat_recovery" in only_declared else 1
        reasons.append(Text(zh=f"{len(unknown_heat)} 台热回收设备未注明热源（YP_HeatRecovery.HeatSource：工艺余热、数据中心"
                               "余热或污水为可再生能源，建筑自身排风不是）：无法判断其是否利用可再生能源",
                            en=f"{len(unknown_heat)} heat-recovery unit(s) state no heat source (YP_HeatRecovery."
                               "HeatSource: process heat, a data centre or sewage is renewable, the building's own "
                               "exhaust air is not): whether they use a renewable source cannot be told"))
        evidence.append(Evidence(source="ifc", file=unknown_heat[0].file,
                                 global_ids=tuple(s.global_id for s in unknown_heat[:50]),
                                 detail=f"heat recovery, source not stated: {len(unknown_heat)} element(s)"))
    if "solar" in shown and shown.keys() & {"pv", "solar_thermal"}:
        # a solar device that says neither may be one of the solar kinds already shown, or the other one
        devices = shown.pop("solar")
        unsure += 1
        reasons.append(Text(zh=f"{len(devices)} 个太阳能设备未表明为光伏或光热：可能与已体现的种类相同，也可能另为一种",
                            en=f"{len(devices)} solar device(s) say neither PV nor thermal: they may be a kind already "
                               "shown, or one more"))
    maybe = _suspected_kinds(inp, set(shown) | set(only_declared))
    if maybe:
        unsure += len(maybe)
        reasons.append(Text(zh=f"存疑构件可能另有可再生能源：{system_names(maybe).zh}（见 model.suspects）",
                            en=f"suspect elements may show more renewable types: {system_names(maybe).en} "
                               "(see model.suspects)"))
        evidence += [e for kind in maybe for e in _suspect_evidence(inp, kind)]
    kinds = sorted(set(shown) | set(only_declared))
    exhaust = [s for m in inp.models for s in m.systems if s.kind == "exhaust_heat_recovery"]
    bounds = dict(low=float(len(shown)), high=float(len(kinds) + unsure)) if reasons else {}
    # a model the parser could not fully read may hold a system not found (nor shown): no known reach
    doubts = inp.doubts_about({r.global_id for recs in shown.values() for r in recs})
    if doubts:
        reasons, bounds = reasons + doubts, {}
    return Metric(name="renewable_types", value=float(len(kinds)), unit="count", certain=not reasons,
                  reasons=tuple(reasons), evidence=tuple(evidence), **bounds,
                  computation=_with_efficiency(_how(sorted(shown), only_declared), exhaust))


def _with_efficiency(how: Text, exhaust: list) -> Text:
    """The computation, with the exhaust-air heat recovery the models show named as what it is: an
    efficiency measure, not a renewable source (so a designer sees why it was not counted)."""
    if not exhaust:
        return how
    ids = ", ".join(s.global_id for s in exhaust[:5])
    return Text(zh=f"{how.zh}；另有排风（新风）热回收 {len(exhaust)} 台（{ids}）：回收建筑自身排风热量，属节能措施，不属可再生能源，未计入",
                en=f"{how.en}; {len(exhaust)} exhaust-air heat recovery unit(s) ({ids}) recover the building's own "
                   "exhaust heat: an efficiency measure, not a renewable source, so not counted")


SUSPECT_KINDS = {"pv_panel": "pv", "solar_thermal": "solar_thermal", "heat_pump": "heat_pump",
                 "heat_recovery": "waste_heat_recovery"}


def _suspected_kinds(inp: Inputs, counted: set[str]) -> list[str]:
    """Renewable kinds not counted that suspect elements could show (rules/_conventions.yaml)."""
    from .suspects import suspects_of

    return sorted({kind for concept, kind in SUSPECT_KINDS.items()
                   if kind not in counted and suspects_of(inp.models, concept)})


def _suspect_evidence(inp: Inputs, kind: str) -> list:
    from .suspects import suspect_evidence, suspects_of

    concept = next(c for c, k in SUSPECT_KINDS.items() if k == kind)
    return suspect_evidence(concept, suspects_of(inp.models, concept))


def _how(shown: list[str], declared_only: list[str]) -> Text:
    """'2 renewable type(s): shown in the models: PV; declared only, not shown in the models: heat pump'."""
    n = len(shown) + len(declared_only)
    zh, en = f"可再生能源利用种类 {n} 种", f"{n} renewable type(s)"
    parts_zh, parts_en = [], []
    if shown:
        names = system_names(shown)
        parts_zh.append(f"模型中体现：{names.zh}")
        parts_en.append(f"shown in the models: {names.en}")
    if declared_only:
        extra = system_names(declared_only)
        parts_zh.append(f"{DECLARED_ONLY.zh}：{extra.zh}")
        parts_en.append(f"{DECLARED_ONLY.en}: {extra.en}")
    if not parts_en:
        return Text(zh=f"{zh}（无）", en=f"{en}: none")
    return Text(zh=f"{zh}，" + "；".join(parts_zh), en=f"{en}: " + "; ".join(parts_en))


def renewable_specs() -> list[MetricSpec]:
    return [
        MetricSpec("renewable_types", "count", "可再生能源利用种类", "renewable energy types used", {}, renewable_types,
                   "在模型中建模可再生能源系统（光伏组件、太阳能集热器、标注水源/地源/空气源的热泵、余热回收），"
                   "或在 submission.yaml 的 declared.renewable_systems 中申报。",
                   "Model the renewable systems (PV panels, solar collectors, heat pumps with their source medium, "
                   "heat recovery) or list them in declared.renewable_systems in submission.yaml.",
                   ifc_figures=("renewable_systems", "pv_area")),
    ]
