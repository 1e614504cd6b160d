"""The metadata blocks of submission.yaml that the full rule set reads beyond the models:
green-building label and scores (GB-*, GM-1), energy figures (RE-2/3, ULE-*, DC-*, EB-1/2),
measures (PV-5, CON-1, EB-3/4, EV-5, ULE-4), public-institution operation figures (PI-1) and
declared counts. Each helper returns plain data for yaml.safe_dump, always in the same order.

The scores are GB/T 50378-2019 design-stage self-assessments; with the rule-set parameters
(category maxima 100/100/70/200/100, each at least 30 %, star totals 60/70/85) they support the
grade named beside them.
"""

from __future__ import annotations

CONSTRUCTION = ["green_construction", "bim"]             # CON-1 (encouraged): what most samples adopt

# Q = (400 + the five category scores + innovation) / 10
STAR_SCORES = {
    1: {"safety_durability": 50, "health_comfort": 45, "occupant_convenience": 35, "resource_saving": 80,
        "environment_livability": 40},                                    # Q = 65: 1-star
    2: {"safety_durability": 70, "health_comfort": 65, "occupant_convenience": 45, "resource_saving": 120,
        "environment_livability": 60},                                    # Q = 76: 2-star
    3: {"safety_durability": 85, "health_comfort": 85, "occupant_convenience": 60, "resource_saving": 170,
        "environment_livability": 80, "innovation": 20},                  # Q = 90: 3-star
}
STAR_TOTALS = {1: 65.0, 2: 76.0, 3: 90.0}


def green(stars: int, *, claimed: str | None = None, certificate: str | None = None,
          prerequisites_met: bool = True, full_fit_out: bool = True) -> dict:
    """A green-building block whose scores support `stars` (with every condition met unless told);
    `claimed` defaults to that grade (a higher claim is a finding and is judged at the scores)."""
    doc = {"claimed": claimed or f"{stars}-star"}
    if certificate:
        doc["certificate"] = certificate
    doc.update(prerequisites_met=prerequisites_met, full_fit_out=full_fit_out, technical_requirements_met=True,
               scores=dict(STAR_SCORES[stars]))
    return doc


def green_basic(certificate: str) -> dict:
    """A basic-level label stated by its certificate (no scores)."""
    return {"claimed": "basic", "certificate": certificate}


def energy(**fields) -> dict:
    """energy: in the order of read/metadata.Energy; None values are left out."""
    order = ("renewable_substitution_rate_pct", "energy_class", "design_saving_rate_pct", "pue",
             "baseline_energy_kwh_per_year", "design_energy_kwh_per_year", "audit")
    unknown = set(fields) - set(order)
    assert not unknown, unknown
    return {k: fields[k] for k in order if fields.get(k) is not None}


def audit(document: str | None, on_file: bool = True) -> dict:
    return {"on_file": on_file, **({"document": document} if document else {})}


def no_parking() -> dict:
    """declared: for a building without parking: the EV rules on parking and chargers do not apply."""
    return {"parking_spaces": 0, "charging_points": 0}


def operation(baseline: tuple, current: tuple) -> dict:
    """PI-1: (energy kgce/m²·a, energy kgce/person·a, water m³/person·a, carbon kgCO2/m²·a)."""
    keys = ("energy_per_m2", "energy_per_capita", "water_per_capita", "carbon_per_m2")
    return {"baseline_2020": dict(zip(keys, baseline)), "current": dict(zip(keys, current))}
