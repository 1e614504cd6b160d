"""Installed PV peak power (kW): what a submission adds toward the district's PV capacity target.

The models are the evidence where they hold PV panels (YP_PVPanel.PeakPower, each panel once);
the declared figure otherwise. A panel without a stated power makes the total undetermined,
never a smaller number.
"""

from __future__ import annotations

from ..text import Text
from .metrics import Evidence, Inputs, Metric, MetricSpec

HINT_ZH = "为每块光伏组件填写 YP_PVPanel.PeakPower，或在 submission.yaml 中申报 declared.pv_peak_power_kw。"
HINT_EN = "Give every PV panel YP_PVPanel.PeakPower, or state declared.pv_peak_power_kw in submission.yaml."


def pv_peak_power(inp: Inputs) -> Metric:
    from .pv import counted

    panels = list(counted(inp).panels)          # a panel repeated in another model is counted once
    if panels:
        unstated = [p for p in panels if p.peak_power_kw is None]
        files = sorted({p.file for p in panels})
        if unstated:
            shown = ", ".join(p.global_id for p in unstated[:5])
            return Metric(name="pv_peak_power", value=None, unit="kW",
                          evidence=tuple(Evidence(source="ifc", file=f, detail="PV panels without YP_PVPanel.PeakPower",
                                                  detail_zh="未给出 YP_PVPanel.PeakPower 的光伏组件",
                                                  global_ids=tuple(p.global_id for p in unstated if p.file == f))
                                         for f in files),
                          reasons=(Text(zh=f"{len(unstated)} 块光伏组件未给出峰值功率（YP_PVPanel.PeakPower）：{shown}",
                                        en=f"{len(unstated)} PV panel(s) state no peak power "
                                           f"(YP_PVPanel.PeakPower): {shown}"),))
        total = round(sum(p.peak_power_kw for p in panels), 4)
        doubts = inp.doubts_about({p.global_id for p in panels})
        return Metric(name="pv_peak_power", value=total, unit="kW", certain=not doubts, reasons=tuple(doubts),
                      evidence=tuple(Evidence(source="ifc", file=f, detail="YP_PVPanel.PeakPower", detail_zh="YP_PVPanel.PeakPower",
                                              global_ids=tuple(p.global_id for p in panels if p.file == f))
                                     for f in files),
                      computation=Text(zh=f"模型中 {len(panels)} 块光伏组件的峰值功率之和 = {total:g} kW",
                                       en=f"sum of the peak power of {len(panels)} PV panel(s) in the models "
                                          f"= {total:g} kW"))
    declared = getattr(getattr(inp.meta, "declared", None), "pv_peak_power_kw", None)
    evidence = (inp.field_evidence("declared.pv_peak_power_kw"),)
    if declared is not None:
        return Metric(name="pv_peak_power", value=float(declared), unit="kW", evidence=evidence,
                      computation=Text(zh=f"申报的光伏峰值功率 {declared:g} kW（模型中无光伏组件）",
                                       en=f"declared PV peak power {declared:g} kW (no PV panels in the models)"))
    return Metric(name="pv_peak_power", value=0.0, unit="kW", evidence=evidence,
                  computation=Text(zh="模型中无光伏组件，亦未申报光伏峰值功率：计 0 kW",
                                   en="no PV panels in the models and no declared PV peak power: 0 kW"))


def capacity_specs() -> list[MetricSpec]:
    return [MetricSpec("pv_peak_power", "kW", "光伏峰值功率", "PV peak power", {}, pv_peak_power, HINT_ZH, HINT_EN,
                       ifc_figures=("pv_peak_power",))]
