"""Figures beyond PV: green-building grade, energy class, EV shares, renewables and the
metadata-only figures, each computed from records and metadata and checked against sums
worked out here by hand."""

from __future__ import annotations

from datetime import date

import pytest

from compliance.derive.green import claim_findings, grade
from compliance.derive.metrics import Derivation
from compliance.read.metadata import GreenBuilding, Submission
from compliance.read.records import ChargerRecord, ParkingRecord, SystemRecord

BASE = dict(id="T-1", name="测试", kind="new", filed_on=date(2025, 5, 1), use="public_office",
            public_institution=False, models=["m.ifc"])


@pytest.fixture
def params(ruleset):
    return ruleset.values()


def meta(**fields) -> Submission:
    return Submission.model_validate({**BASE, **fields})


def derive(params, models=(), **fields):
    return Derivation(list(models), meta=meta(**fields), params=params,
                      lines={"green_building.claimed": 14, "energy.pue": 9})


SCORES = dict(safety_durability=80, health_comfort=80, occupant_convenience=50, resource_saving=150,
              environment_livability=70, innovation=20)


def gb(**kw) -> GreenBuilding:
    base = dict(claimed="3-star", prerequisites_met=True, full_fit_out=True, technical_requirements_met=True,
                scores=SCORES)
    return GreenBuilding.model_validate({**base, **kw})


def test_grade_total_and_stars_follow_gbt_50378(params):
    g = grade(gb(), params)
    assert g.total == pytest.approx((400 + 80 + 80 + 50 + 150 + 70 + 20) / 10)      # 85.0
    assert g.level == 3 and not g.doubts
    assert grade(gb(scores={**SCORES, "innovation": 19}), params).level == 2          # 84.9
    one_star = {**SCORES, "innovation": 0, "safety_durability": 30, "health_comfort": 30, "resource_saving": 70}
    assert grade(gb(scores=one_star), params).total == 65.0
    assert grade(gb(scores=one_star), params).level == 1


def test_a_category_below_30_percent_caps_the_grade_at_basic(params):
    low = {**SCORES, "occupant_convenience": 20}        # 20 < 30 % of 70
    assert grade(gb(scores=low), params).level == 0


def test_unmet_prerequisite_is_below_basic_and_unstated_flags_are_doubts(params):
    assert grade(gb(prerequisites_met=False), params).level == -1
    g = grade(gb(full_fit_out=None), params)
    assert g.level == 0 and any("full_fit_out" in d.en and "full_fit_out" in d.zh for d in g.doubts)
    (over,) = grade(gb(scores={**SCORES, "safety_durability": 120}), params).doubts
    assert "safety_durability score 120 exceeds" in over.en and over.zh == "安全耐久得分 120 超过其满分 100"


def test_claim_above_the_scores_is_judged_on_the_scores_and_is_a_finding(params):
    d = derive(params, green_building=gb(scores={**SCORES, "innovation": 0}).model_dump())
    m = d.metric("green_star")
    assert m.value == 2.0 and m.certain
    notes = claim_findings(d.inputs.meta, params, "submission.yaml", {"green_building.claimed": 14})
    assert [(n.code, n.line) for n in notes] == [("green.claim_unsupported", 14)]


def test_claim_without_scores_or_certificate_needs_a_reviewer(params):
    m = derive(params, green_building={"claimed": "2-star"}).metric("green_star")
    assert m.value == 2.0 and not m.certain
    m = derive(params, green_building={"claimed": "2-star", "certificate": "GB-2024-118"}).metric("green_star")
    assert m.value == 2.0 and m.certain
    assert derive(params).metric("green_star").value is None


def test_energy_class_is_capped_by_the_design_saving(params):
    assert derive(params, energy={"energy_class": "ultra_low", "design_saving_rate_pct": 50}).metric("energy_class").value == 1
    m = derive(params, energy={"energy_class": "nearly_zero", "design_saving_rate_pct": 55}).metric("energy_class")
    assert m.value == 1 and m.certain
    m = derive(params, energy={"energy_class": "ultra_low"}).metric("energy_class")
    assert m.value == 1 and not m.certain
    assert derive(params, energy={"energy_class": "ultra_low", "design_saving_rate_pct": 49.9}).metric("energy_class").value == 0


def _loc(gid: str, cls: str) -> dict:
    return dict(global_id=gid, ifc_class=cls, file="m.ifc", matched_by="test")


class _Model:
    def __init__(self, parking=(), chargers=(), systems=(), pv_panels=()):
        self.parking, self.chargers, self.systems, self.pv_panels = parking, chargers, systems, pv_panels
        self.roofs, self.buildings, self.notes = (), (), ()


def test_charger_shares_from_model_records(params):
    spaces = [ParkingRecord(**_loc(f"P{i:021d}", "IfcSpace"), units=2, charger_ready=i < 5) for i in range(10)]
    chargers = [ChargerRecord(**_loc("C1".ljust(22, "0"), "IfcOutlet"), current="DC"),
                ChargerRecord(**_loc("C2".ljust(22, "0"), "IfcOutlet"), power_kw=60.0, current="AC"),
                ChargerRecord(**_loc("C3".ljust(22, "0"), "IfcOutlet"), power_kw=7.0, current="AC")]
    d = derive(params, [_Model(parking=spaces, chargers=chargers)])
    assert d.metric("parking_spaces").value == 20
    assert d.metric("charger_share").value == pytest.approx(3 / 20 * 100)
    assert d.metric("fast_charger_share").value == pytest.approx(2 / 3 * 100, abs=1e-4)
    assert d.metric("charger_ready_share").value == pytest.approx(10 / 20 * 100)
    unknown = chargers + [ChargerRecord(**_loc("C4".ljust(22, "0"), "IfcOutlet"))]
    m = derive(params, [_Model(parking=spaces, chargers=unknown)]).metric("fast_charger_share")
    assert not m.certain and "neither power nor AC/DC" in m.reasons[0].en
    assert "既无功率也无交直流类型" in m.reasons[0].zh and "C4".ljust(22, "0") in m.reasons[0].zh


def test_fast_charger_threshold_is_the_parameter(params):
    chargers = [ChargerRecord(**_loc("C2".ljust(22, "0"), "IfcOutlet"), power_kw=60.0, current="AC")]
    assert derive(params, [_Model(chargers=chargers)]).metric("fast_charger_share").value == 100
    assert derive({**params, "fast_charger_min_kw": 120}, [_Model(chargers=chargers)]).metric("fast_charger_share").value == 0


def test_declared_counts_are_used_when_the_models_hold_none(params):
    d = derive(params, declared={"parking_spaces": 200, "charging_points": 30, "fast_charging_points": 9})
    assert d.metric("charger_share").value == 15.0
    assert d.metric("fast_charger_share").value == 30.0
    ev = d.metric("charger_share").evidence
    assert {e.source for e in ev} == {"metadata"} and "declared.parking_spaces" in [f for e in ev for f in e.fields]
    assert derive(params).metric("charger_share").value is None


def test_renewables_modelled_count_and_declared_only_need_a_reviewer(params):
    hp = SystemRecord(**_loc("H1".ljust(22, "0"), "IfcUnitaryEquipment"), kind="heat_pump", source_medium="ground")
    hp_unknown = SystemRecord(**_loc("H2".ljust(22, "0"), "IfcUnitaryEquipment"), kind="heat_pump")
    m = derive(params, [_Model(systems=[hp])]).metric("renewable_types")
    assert m.value == 1 and m.certain
    m = derive(params, [_Model(systems=[hp_unknown])]).metric("renewable_types")
    assert m.value == 0 and not m.certain
    m = derive(params, declared={"renewable_systems": ["solar_thermal"]}).metric("renewable_types")
    assert m.value == 1 and not m.certain
    assert derive(params).metric("renewable_types").value == 0


def test_metadata_figures(params):
    d = derive(params, energy={"pue": 1.25, "baseline_energy_kwh_per_year": 1_000_000,
                               "design_energy_kwh_per_year": 850_000, "audit": {"on_file": True}},
               measures=["bipv", "bim"],
               operation={"baseline_2020": {"energy_per_m2": 20, "energy_per_capita": 400, "water_per_capita": 30,
                                            "carbon_per_m2": 50},
                          "current": {"energy_per_m2": 19, "energy_per_capita": 376, "water_per_capita": 27.9,
                                      "carbon_per_m2": 46.5}})
    assert d.metric("pue").value == 1.25 and d.metric("pue").evidence[0].line == 9
    assert d.metric("retrofit_energy_saving").value == 15.0
    audit = d.metric("energy_audit_on_file")
    assert audit.value == 1 and not audit.certain           # on file, but no document named
    assert d.metric("measures_adopted", of=("bipv", "pv_storage_dc_flexible")).value == 1
    assert d.metric("measures_adopted", of=("green_mall",)).value == 0
    got = [d.metric("operation_reduction", of=(k,)).value
           for k in ("energy_per_m2", "energy_per_capita", "water_per_capita", "carbon_per_m2")]
    assert got == pytest.approx([5.0, 6.0, 7.0, 7.0])
    assert derive(params).metric("measures_adopted", of=("bim",)).value is None


def test_gross_floor_area_metadata_first(params):
    assert derive(params, gross_floor_area_m2=25000).metric("gross_floor_area").value == 25000
    assert derive(params).metric("gross_floor_area").value is None


def test_charger_ready_not_stated_is_missing_not_zero(params):
    spaces = [ParkingRecord(**_loc(f"P{i:021d}", "IfcSpace")) for i in range(4)]
    m = derive(params, [_Model(parking=spaces)]).metric("charger_ready_share")
    assert m.value is None and "ChargerReady" in m.reasons[0].en
    assert "均未标注 YP_ParkingSpace.ChargerReady" in m.reasons[0].zh
    spaces[0] = spaces[0].model_copy(update={"charger_ready": True})
    m = derive(params, [_Model(parking=spaces)]).metric("charger_ready_share")
    assert m.value == 25.0 and not m.certain


def test_unstated_star_conditions_only_matter_when_they_could_lift_the_grade(params):
    m = derive(params, green_building=gb(claimed="basic", full_fit_out=None).model_dump()).metric("green_star")
    assert m.value == 0 and m.certain
    m = derive(params, green_building=gb(claimed="2-star", full_fit_out=None).model_dump()).metric("green_star")
    assert m.value == 0 and not m.certain


def test_no_label_claimed_is_a_certain_below_basic(params):
    m = derive(params, green_building={"claimed": "none"}).metric("green_star")
    assert m.value == -1 and m.certain


def test_a_panel_on_the_low_part_of_a_sloped_roof_is_on_the_roof():
    from compliance.derive.pv import panel_placement
    from compliance.read.records import AreaFigure

    square = lambda x, y, s: (((x, y), (x + s, y), (x + s, y + s), (x, y + s)),)   # noqa: E731
    roof = AreaFigure(**_loc("R".ljust(22, "0"), "IfcSlab"), role="roof", projected_m2=100.0,
                      outline=square(0, 0, 10), z_min=18.0, z_max=21.0)
    low = AreaFigure(**_loc("L".ljust(22, "0"), "IfcSolarDevice"), role="pv", projected_m2=4.0,
                     outline=square(1, 1, 2), z_min=19.2, z_max=19.3)
    ground = AreaFigure(**_loc("G".ljust(22, "0"), "IfcSolarDevice"), role="pv", projected_m2=4.0,
                        outline=square(1, 1, 2), z_min=0.0, z_max=0.1)
    model = _Model(pv_panels=(low, ground))
    model.roofs = (roof,)
    off, unchecked = panel_placement([model]).split([low, ground])
    assert [p.global_id for p in off] == [ground.global_id] and not unchecked


def test_gross_floor_area_does_not_depend_on_model_order(params):
    from compliance.read.records import BuildingRecord, Figure

    bare = BuildingRecord(**_loc("B".ljust(22, "0"), "IfcBuilding"))
    with_gfa = bare.model_copy(update={"gross_floor_area": Figure(value=25000.0, unit="m²", source="q")})

    class M(_Model):
        def __init__(self, b):
            super().__init__()
            self.buildings = (b,)
    for order in ([M(with_gfa), M(bare)], [M(bare), M(with_gfa)]):
        assert derive(params, order).metric("gross_floor_area").value == 25000
