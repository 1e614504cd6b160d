"""The figures a submission contributes toward the district's targets (digest section C).

Computed for every submission, whatever its use, so the district report can add them up from
the registry alone; which submissions count toward which target is the district targets file's
business (rules/district/targets.yaml), not this module's. Whether a figure is plausible is the
targets file's business too (its `plausible` bounds): here every figure is reported as found.
"""

from __future__ import annotations

from ..text import Text
from .metrics import Derivation, Metric

# figure name -> (metric, selectors): the figures that are one metric as it stands
_METRICS: dict[str, tuple[str, dict]] = {
    "pv_peak_power": ("pv_peak_power", {}),
    "charging_points": ("charging_points", {}),
    "gross_floor_area": ("gross_floor_area", {}),
    "retrofit_energy_saving": ("retrofit_energy_saving", {}),
    "energy_class": ("energy_class", {}),
    "green_mall": ("measures_adopted", {"of": ("green_mall",)}),
    "renewable_substitution_rate": ("renewable_substitution_rate", {}),
}
_FROM_RATIO = {"roof_area": ("roof_area_m2", Text(zh="屋面", en="roof")),
               "pv_area": ("pv_area_m2", Text(zh="屋面光伏", en="rooftop PV"))}
DISTRICT_FIGURES: tuple[str, ...] = (*_METRICS, *_FROM_RATIO, "public_institution")


def district_figures(derivation: Derivation) -> dict[str, Metric]:
    """One metric per district figure, with its evidence; missing or uncertain ones say why."""
    figures = {key: derivation.metric(name, **selectors) for key, (name, selectors) in _METRICS.items()}
    figures["charging_points"] = _none_is_zero(derivation, figures["charging_points"])
    figures["gross_floor_area"] = _buildings_gfa(derivation, figures["gross_floor_area"])
    ratio = derivation.metric("pv_roof_ratio", basis="projected")
    for key in _FROM_RATIO:
        figures[key] = _area_of(ratio, key)
    figures["public_institution"] = _public_institution(derivation)
    return {key: figures[key] for key in DISTRICT_FIGURES}


def _area_of(ratio: Metric, key: str) -> Metric:
    """The roof's or the rooftop PV's projected area behind the rooftop PV ratio (PV-2's figures),
    with the ratio's doubts: what one is uncertain about, the coverage built on both is too."""
    field, what = _FROM_RATIO[key]
    value = ratio.inputs.get(field) if ratio.value is not None else None
    base = dict(name=key, unit="m²", basis="projected", evidence=ratio.evidence)
    if value is None:
        return Metric(value=None, reasons=ratio.reasons or (Text(zh=f"{what.zh}面积无法确定", en=f"{what.en} area undetermined"),),
                      **base)
    return Metric(value=round(float(value), 4), certain=ratio.certain, reasons=ratio.reasons, **base,
                  computation=Text(zh=f"{what.zh}水平投影面积 {value:,.2f} m²（屋面光伏面积比例的计算依据）",
                                   en=f"{what.en} projected area {value:,.2f} m² (as in the rooftop PV area ratio)"))


def _public_institution(derivation: Derivation) -> Metric:
    """Whether the submission is a public institution (公共机构), as the rules read it: the pipeline's
    whole-submission metadata carries the flag derived from the uses where none is stated
    (derive/buildings.py), true if any building is one."""
    inp = derivation.inputs
    flag = getattr(inp.meta, "public_institution", None)
    ev = (inp.field_evidence("public_institution", "use"),)
    if flag is None:
        return Metric(name="public_institution", value=None, unit="flag", evidence=ev,
                      reasons=(Text(zh="申报资料未说明是否为公共机构", en="whether it is a public institution is not stated"),))
    return Metric(name="public_institution", value=1.0 if flag else 0.0, unit="flag", evidence=ev,
                  computation=Text(zh="公共机构：" + ("是" if flag else "否"),
                                   en="public institution: " + ("yes" if flag else "no")))


def _buildings_gfa(derivation: Derivation, gfa: Metric) -> Metric:
    """A submission of several buildings that states no floor area of its own: the sum of its
    buildings' (each stated, or the sum of its use parts' areas); missing if any building's is."""
    inp = derivation.inputs
    buildings = getattr(inp.meta, "buildings", None) or []
    if gfa.value is not None or not buildings:
        return gfa
    areas = []
    for b in buildings:
        parts = [p.area_m2 for p in b.uses]
        area = b.gross_floor_area_m2 if b.gross_floor_area_m2 is not None else \
            (sum(parts) if all(a is not None for a in parts) else None)
        if area is None:
            return gfa
        areas.append(float(area))
    total = round(sum(areas), 4)
    shown = " + ".join(f"{a:,.0f}" for a in areas)
    return Metric(name="gross_floor_area", value=total, unit="m²",
                  evidence=(inp.field_evidence(*(f"buildings.{i}.gross_floor_area_m2" for i in range(len(buildings)))),),
                  computation=Text(zh=f"{len(buildings)} 栋建筑申报的总建筑面积之和：{shown} = {total:,.0f} m²",
                                   en=f"sum of the {len(buildings)} buildings' stated gross floor areas: "
                                      f"{shown} = {total:,.0f} m²"))


def _none_is_zero(derivation: Derivation, chargers: Metric) -> Metric:
    """A submission with neither parking nor chargers in its models, and none declared, adds no
    charging point: 0, not a gap (the EV rules, which do not apply to it, keep their own view)."""
    inp = derivation.inputs
    declared = getattr(inp.meta, "declared", None)
    stated = declared is not None and (declared.charging_points is not None or declared.parking_spaces is not None)
    modelled = any(m.chargers or m.parking for m in inp.models)
    if chargers.value is not None or stated or modelled:
        return chargers
    return chargers.model_copy(update={
        "value": 0.0, "reasons": (),
        "computation": Text(zh="模型中无停车位和充电桩，亦未申报：计 0 个",
                            en="no parking or charging points in the models and none declared: 0"),
        "evidence": (inp.field_evidence("declared.charging_points"),)})
