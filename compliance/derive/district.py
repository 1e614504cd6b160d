"""The figures a submission contributes toward the district's targets (digest section C).

Computed for every submission, whatever its use, so the district report can add them up from
the registry alone; which submissions count toward which target is the district targets file's
business (rules/district/targets.yaml), not this module's.
"""

from __future__ import annotations

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
    return {key: derivation.metric(name, **selectors) for key, (name, selectors) in DISTRICT_FIGURES.items()}
