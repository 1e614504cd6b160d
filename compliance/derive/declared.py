"""Figures only the submission metadata holds: rates, PUE, retrofit saving, audits, measures,
public-institution intensities, and the gross floor area (metadata first, then the model)."""

from __future__ import annotations

from ..read.metadata import MEASURE_LABELS, MEASURES
from ..text import Text
from .evidence_policy import at_line, differs
from .evidence_policy import stated as field_value
from .metrics import Evidence, Inputs, Metric, MetricSpec, not_given

FLAG = {0.0: ("否", "no"), 1.0: ("是", "yes")}
INTENSITIES = {
    "energy_per_m2": ("单位建筑面积能耗", "energy use per floor area"),
    "energy_per_capita": ("人均能耗", "energy use per person"),
    "water_per_capita": ("人均水耗", "water use per person"),
    "carbon_per_m2": ("单位建筑面积碳排放", "carbon emissions per floor area"),
}


GFA = Text(zh="总建筑面积", en="gross floor area")


def _formula(zh: str, formula: str, en: str = "", en_after: str = "") -> Text:
    """A formula as written, introduced in Chinese (and in English where it needs words)."""
    return Text(zh=zh + formula, en=en + formula + en_after)


def _as_stated(what: Text, file: str, path: str | None = None) -> Text:
    """'design PUE as stated in submission.yaml (energy.pue)' / 'submission.yaml 中申报的设计 PUE（energy.pue）'."""
    return Text(zh=f"{file} 中申报的{what.zh}" + (f"（{path}）" if path else ""),
                en=f"{what.en} as stated in {file}" + (f" ({path})" if path else ""))


def stated(name: str, unit: str, path: str, what: Text):
    """A metric that is one metadata field, as stated."""
    def compute(inp: Inputs) -> Metric:
        value = field_value(inp.meta, path)
        ev = (inp.field_evidence(path),)
        if value is None:
            return Metric(name=name, value=None, unit=unit, reasons=(not_given(path, inp.metadata_file),), evidence=ev)
        return Metric(name=name, value=float(value), unit=unit, evidence=ev,      # as filed: compared exactly
                      computation=_as_stated(what, inp.metadata_file, path))
    return compute


def retrofit_saving(inp: Inputs) -> Metric:
    e = getattr(inp.meta, "energy", None)
    base_path, design_path = "energy.baseline_energy_kwh_per_year", "energy.design_energy_kwh_per_year"
    ev = (inp.field_evidence(base_path, design_path),)
    before, after = field_value(inp.meta, base_path), field_value(inp.meta, design_path)
    if e is None or before is None or after is None:
        missing = [p for p, v in ((base_path, before), (design_path, after)) if v is None]
        return Metric(name="retrofit_energy_saving", value=None, unit="%", evidence=ev,
                      reasons=(Text(zh=f"未提供 {'、'.join(missing)}", en=f"{' and '.join(missing)} not given"),))
    rate = round((before - after) / before * 100.0, 4)
    return Metric(name="retrofit_energy_saving", value=rate, unit="%", evidence=ev,
                  inputs={"baseline_kwh": before, "design_kwh": after},
                  computation=_formula("（改造前基准能耗 − 改造后设计能耗）÷ 改造前基准能耗：",
                                       f"({before:,.0f} − {after:,.0f}) kWh/a ÷ {before:,.0f} kWh/a = {rate:.2f} %"))


def energy_audit(inp: Inputs) -> Metric:
    audit = field_value(inp.meta, "energy.audit")
    ev = (inp.field_evidence("energy.audit.on_file", "energy.audit"),)
    if audit is None:
        return Metric(name="energy_audit_on_file", value=None, unit="flag", evidence=ev,
                      reasons=(not_given("energy.audit"),))
    reasons = (Text(zh="申报已有能源审计，但未注明审计文件（energy.audit.document）",
                    en="an energy audit is said to be on file, but no document is named (energy.audit.document)"),) \
        if audit.on_file and not audit.document else ()
    return Metric(name="energy_audit_on_file", value=1.0 if audit.on_file else 0.0, unit="flag", evidence=ev,
                  certain=not reasons, reasons=reasons,
                  computation=Text(zh=f"能源审计报告已存档：{FLAG[float(audit.on_file)][0]}"
                                      + (f"（「{audit.document}」）" if audit.document else ""),
                                   en=f"energy audit on file: {FLAG[float(audit.on_file)][1]}"
                                      + (f" ({audit.document})" if audit.document else "")))


def measures_adopted(inp: Inputs, of: tuple = ()) -> Metric:
    measures = field_value(inp.meta, "measures")
    ev = (inp.field_evidence("measures"),)
    if measures is None:
        return Metric(name="measures_adopted", value=None, unit="count", evidence=ev,
                      reasons=(Text(zh="申报资料未提供 'measures'（未采用任何措施时填写 'measures: []'）",
                                    en="'measures' is not given (write measures: [] if none is adopted)"),))
    found = [m for m in of if m in measures]
    of_zh, found_zh = ("、".join(MEASURE_LABELS[m].zh for m in ids) for ids in (of, found))
    of_en, found_en = (", ".join(MEASURE_LABELS[m].en for m in ids) for ids in (of, found))
    return Metric(name="measures_adopted", value=float(len(found)), unit="count", evidence=ev,
                  computation=Text(zh=f"本条所列措施：{of_zh}；申报已采用：{found_zh or '无'}（{len(found)} 项）",
                                   en=f"adopted of {of_en}: {found_en or 'none'}"))


def operation_reduction(inp: Inputs, of: tuple = ()) -> Metric:
    op = field_value(inp.meta, "operation")
    what = of[0] if of else "energy_per_m2"
    ev = (inp.field_evidence(f"operation.current.{what}", "operation"),)
    if op is None:
        return Metric(name="operation_reduction", value=None, unit="%", evidence=ev,
                      reasons=(Text(zh="申报资料未提供 'operation'（2020年基准及当前运行强度）",
                                    en="'operation' (2020 baseline and current intensities) is not given"),))
    before, now = getattr(op.baseline_2020, what), getattr(op.current, what)
    rate = round((before - now) / before * 100.0, 4)
    return Metric(name="operation_reduction", value=rate, unit="%", evidence=ev,
                  inputs={"baseline_2020": before, "current": now},
                  computation=_formula(f"{INTENSITIES[what][0]}较2020年下降率：",
                                       f"({before:g} − {now:g}) ÷ {before:g} = {rate:.2f} %",
                                       f"{INTENSITIES[what][1]}: ", " below 2020"))


def _m2(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") + " m²"


def gross_floor_area(inp: Inputs) -> Metric:
    """The filed figure, weighed against the models' (evidence_policy.py): a real quantity within
    the tolerance confirms it, beyond it the true figure lies between the two; a sum of spaces is
    only a lower bound (spaces exclude walls), contradicting a filed figure below it. With no
    filed figure, the models' (a sum of spaces: at least that much)."""
    from .crosscheck import model_gfa

    gfa, model = field_value(inp.meta, "gross_floor_area_m2"), model_gfa(inp.models)
    base = dict(name="gross_floor_area", unit="m²")
    if gfa is None and model.value is None:
        return Metric(value=None, reasons=(Text(zh="申报资料未提供 gross_floor_area_m2，模型中也无总建筑面积",
                                                en="gross_floor_area_m2 is not given and the models hold no gross "
                                                   "floor area"),), **base)
    model_ev = Evidence(source="ifc", file=model.file, global_ids=model.global_ids, detail=model.how,
                        detail_zh=model.how_zh or None)
    shown = Text(zh=f"模型中 {len(model.global_ids)} 栋建筑的总建筑面积合计 {_m2(model.value or 0)}（{model.how_zh}）",
                 en=f"gross floor area of {len(model.global_ids)} building(s) in the models: "
                    f"{_m2(model.value or 0)} ({model.how})")
    if gfa is None:
        assert model.value is not None          # returned above when neither is given
        if not model.lower_bound:
            return Metric(value=model.value, evidence=(model_ev,), computation=shown, **base)
        why = Text(zh=f"{inp.metadata_file} 未申报 gross_floor_area_m2，模型中的总建筑面积仅为空间面积之和（{_m2(model.value)}）；"
                      "空间面积不含墙体，实际面积不小于此值，但大多少无从得知",
                   en=f"gross_floor_area_m2 is not given in {inp.metadata_file} and the models give the gross floor "
                      f"area only as a sum of spaces ({_m2(model.value)}); spaces exclude walls, so the building is "
                      "at least that large — how much larger is not known")
        return Metric(value=model.value, certain=False, low=model.value, reasons=(why,), evidence=(model_ev,),
                      computation=shown, **base)
    gfa = round(float(gfa), 4)
    field_ev = inp.field_evidence("gross_floor_area_m2")
    as_stated = _as_stated(GFA, inp.metadata_file)
    if model.value is None:
        return Metric(value=gfa, evidence=(field_ev,), computation=as_stated, **base)
    both = dict(evidence=(field_ev, model_ev),
                computation=Text(zh=f"{as_stated.zh}：{_m2(gfa)}；{shown.zh}", en=f"{as_stated.en}: {_m2(gfa)}; {shown.en}"))
    tolerance = inp.param("metadata_tolerance_pct") / 100.0
    where = at_line(inp.metadata_file, inp.lines.get("gross_floor_area_m2"))
    if model.lower_bound:
        if model.value <= gfa or not differs(gfa, model.value, False, tolerance):
            return Metric(value=gfa, **both, **base)          # a lower bound at or below the filed figure bears it out
        why = Text(zh=f"{where.zh}申报 gross_floor_area_m2 = {_m2(gfa)}，但模型中仅空间面积之和即为 {_m2(model.value)}"
                      f"（{model.how_zh}）；空间面积不含墙体，实际面积不小于此值，申报值偏小",
                   en=f"gross_floor_area_m2 = {_m2(gfa)} in {where.en}, but the models' spaces alone add up to "
                      f"{_m2(model.value)} ({model.how}); spaces exclude walls, so the building is at least that "
                      "large and the declared figure is too small")
        return Metric(value=model.value, certain=False, low=model.value, reasons=(why,), **both, **base)
    if not differs(gfa, model.value, False, tolerance):
        return Metric(value=gfa, **both, **base)
    lo, hi = sorted((gfa, model.value))
    why = Text(zh=f"{where.zh}申报 gross_floor_area_m2 = {_m2(gfa)}，与模型中的 {_m2(model.value)}（{model.how_zh}）"
                  f"相差超过 {tolerance:.0%}：实际面积可能介于 {_m2(lo)} 与 {_m2(hi)} 之间",
               en=f"gross_floor_area_m2 = {_m2(gfa)} in {where.en} and the models' {_m2(model.value)} "
                  f"({model.how}) are more than {tolerance:.0%} apart: the true figure may lie anywhere from "
                  f"{_m2(lo)} to {_m2(hi)}")
    return Metric(value=gfa, certain=False, low=lo, high=hi, reasons=(why,), **both, **base)


def declared_specs() -> list[MetricSpec]:
    meta_hint = ("", "Fill in the field in submission.yaml (see README: 'Submissions').")
    return [
        MetricSpec("renewable_substitution_rate", "%", "可再生能源替代率", "renewable energy substitution rate", {},
                   stated("renewable_substitution_rate", "%", "energy.renewable_substitution_rate_pct",
                          Text(zh="设计可再生能源替代率", en="design renewable energy substitution rate")),
                   "请在 submission.yaml 的 energy.renewable_substitution_rate_pct 中填写设计可再生能源替代率，并附计算书。",
                   meta_hint[1],
                   as_filed=True),
        MetricSpec("pue", "PUE", "数据中心能源利用效率（PUE）", "data-centre PUE", {},
                   stated("pue", "PUE", "energy.pue", Text(zh="设计 PUE", en="design PUE")),
                   "请在 submission.yaml 的 energy.pue 中填写设计PUE，并附PUE计算书。", meta_hint[1], as_filed=True),
        MetricSpec("retrofit_energy_saving", "%", "改造节能率", "retrofit energy-saving rate", {}, retrofit_saving,
                   "在 submission.yaml 的 energy 中填写改造前基准能耗与改造后设计能耗（kWh/年）。",
                   "State energy.baseline_energy_kwh_per_year and energy.design_energy_kwh_per_year in submission.yaml."),
        MetricSpec("energy_audit_on_file", "flag", "能源审计与节能诊断", "energy audit and energy-saving diagnosis on file",
                   {}, energy_audit, "在 submission.yaml 中填写 energy.audit.on_file（是否已开展能源审计）与 energy.audit.document（审计报告编号）。",
                   "State energy.audit (on_file and document) in submission.yaml.", levels=FLAG),
        MetricSpec("measures_adopted", "count", "已采用措施数", "measures adopted", {"of": MEASURES}, measures_adopted,
                   "在 submission.yaml 的 measures 中列出采用的措施（未采用写 measures: []）。",
                   "List the measures adopted under 'measures' in submission.yaml (measures: [] if none)."),
        MetricSpec("operation_reduction", "%", "较2020年运行强度下降率", "reduction of operating intensity vs 2020",
                   {"of": tuple(INTENSITIES)}, operation_reduction,
                   "在 submission.yaml 的 operation 中填写2020年基准与当前的能耗、水耗、碳排放强度。",
                   "State operation.baseline_2020 and operation.current intensities in submission.yaml."),
        MetricSpec("gross_floor_area", "m²", "总建筑面积", "gross floor area", {}, gross_floor_area,
                   "在 submission.yaml 中填写 gross_floor_area_m2，或在模型中提供 Qto_BuildingBaseQuantities.GrossFloorArea。",
                   "State gross_floor_area_m2 in submission.yaml, or give Qto_BuildingBaseQuantities.GrossFloorArea in the model.",
                   ifc_figures=("gross_floor_area",), uses_params=("metadata_tolerance_pct",)),
    ]
