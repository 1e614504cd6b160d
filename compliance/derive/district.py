"""The figures a submission contributes toward the district's targets (digest section C).

Computed for every submission, whatever its use, so the district report can add them up from
the registry alone; which submissions count toward which target is the district targets file's
business (rules/district/targets.yaml), not this module's.
"""

from __future__ import annotations

from ..text import Text
from .metrics import Derivation, Metric

# figure name -> (metric, selectors)
DISTRICT_FIGURES: dict[str, tuple[str, dict]] = {
    "pv_peak_power": ("pv_peak_power", {}),
    "charging_points": ("charging_points", {}),
    "gross_floor_area": ("gross_floor_area", {}),
    "retrofit_energy_saving": ("retrofit_energy_saving", {}),
    "energy_class": ("energy_class", {}),
    "green_mall": ("measures_adopted", {"of": ("green_mall",)}),
    "renewable_substitution_rate": ("renewable_substitution_rate", {}),
}


def district_figures(derivation: Derivation) -> dict[str, Metric]:
    """One metric per district figure, with its evidence; missing or uncertain ones say why."""
    figures = {key: derivation.metric(name, **selectors) for key, (name, selectors) in DISTRICT_FIGURES.items()}
    figures["charging_points"] = _none_is_zero(derivation, figures["charging_points"])
    return figures


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
