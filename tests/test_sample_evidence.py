"""The reader and the cross-check on the bundled evidence samples (ifc_samples/)."""

from __future__ import annotations

import pytest
from conftest import RULES, SAMPLES

from compliance.context import RunContext
from compliance.pipeline import check_submission
from compliance.read.model import read_model

CAMPUS = ["pass-campus-office-m", "pass-campus-office-mm", "pass-campus-office-ifc4x3-ft"]


def figures(sample: str) -> dict:
    """Every figure of the sample's model, keyed by element name (GlobalIds differ per sample)."""
    facts = read_model(SAMPLES / sample / "architecture.ifc")
    out = {}
    for group in ("roofs", "pv_panels", "systems", "chargers", "parking"):
        for rec in getattr(facts, group):
            data = rec.model_dump(exclude={"global_id", "building", "file", "matched_by", "ifc_class", "outline",
                                           "projected_source", "surface_source"})
            out[(group, rec.name)] = {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}
    (building,) = facts.buildings
    for label in ("gross_floor_area", "storeys_above_ground", "storeys_below_ground", "declared_storeys",
                  "latitude", "longitude", "occupancy_type"):
        out[("building", label)] = getattr(building, label).value
    return out


def test_metres_millimetres_and_feet_give_the_same_figures():
    metres, millimetres, feet = (figures(s) for s in CAMPUS)
    assert len(metres) > 90
    assert millimetres == metres
    assert feet == metres


def test_campus_figures_in_si_units():
    facts = read_model(SAMPLES / "pass-campus-office-ifc4x3-ft" / "architecture.ifc")
    assert facts.info.length_unit_m == pytest.approx(0.3048) and facts.info.power_unit_w == 1000.0
    assert sum(f.projected_m2 for f in facts.roofs) == pytest.approx(2400.0, abs=0.01)
    assert sum(f.peak_power_kw for f in facts.pv_panels) == pytest.approx(276.6, abs=1e-6)
    assert sorted((c.current, c.power_kw) for c in facts.chargers) == [("AC", 7.0)] * 4 + [("DC", 60.0)] * 2
    assert {c.ifc_class for c in facts.chargers} == {"IfcElectricFlowStorageDevice"}
    assert sum(p.units for p in facts.parking) == 23 and sum(p.units for p in facts.parking if p.charger_ready) == 8
    assert sorted((s.kind, s.source_medium) for s in facts.systems) == [      # ERV: an efficiency measure
        ("exhaust_heat_recovery", "exhaust_air"), ("heat_pump", "ground"), ("solar_thermal", None)]
    assert not [n for n in facts.notes if n.severity == "uncertain"]


def test_declared_figures_that_match_give_no_findings():
    verdict = check_submission(SAMPLES / "pass-campus-office-mm", RunContext(rules_dir=RULES))
    assert verdict.verdict == "compliant"
    assert not [n for n in verdict.notes if n.code.startswith("metadata.")]


def test_model_without_quantity_sets_still_yields_computed_areas():
    facts = read_model(SAMPLES / "pass-school-geometry-only" / "architecture.ifc")
    assert facts.roofs and facts.pv_panels
    for fig in facts.roofs + facts.pv_panels:
        assert fig.projected_method == "geometry" and fig.projected_source.startswith("computed from geometry")
        assert fig.surface_method == "geometry"
    assert sum(f.projected_m2 for f in facts.roofs) == pytest.approx(1200.0, abs=0.01)


def test_zero_area_roof_is_a_finding_not_a_pass():
    verdict = check_submission(SAMPLES / "incomplete-zero-roof", RunContext(rules_dir=RULES))
    codes = {n.code for n in verdict.notes}
    assert {"area.zero", "area.geometry_disagrees"} <= codes
    (pv1,) = [r for r in verdict.results if r.rule == "PV-1"]
    assert pv1.status == "manual_review" and any("zero" in reason.en for reason in pv1.reasons)
    assert any("为零" in reason.zh for reason in pv1.reasons)


def test_panels_off_the_roof_are_named():
    verdict = check_submission(SAMPLES / "incomplete-panels-off-roof", RunContext(rules_dir=RULES))
    (pv1,) = [r for r in verdict.results if r.rule == "PV-1"]
    assert pv1.status == "manual_review"
    (reason,) = [r for r in pv1.reasons if "lie on no roof" in r.en]
    assert reason.en.startswith("12 PV panel(s)")
    assert reason.zh.startswith("12 块光伏组件不在任何屋面上") and reason.zh in pv1.message_zh
    off = [n for n in verdict.notes if n.code == "pv.off_roof"]
    assert len(off) == 12 and len({n.global_ids for n in off}) == 12


def test_metadata_mismatch_names_field_line_and_values():
    folder = SAMPLES / "incomplete-metadata-mismatch"
    lines = (folder / "submission.yaml").read_text(encoding="utf-8").splitlines()
    verdict = check_submission(folder, RunContext(rules_dir=RULES))
    found = {n.message.split(" = ")[0]: n for n in verdict.notes if n.code == "metadata.mismatch"}
    assert set(found) == {"gross_floor_area_m2", "declared.roof_area_m2"}
    for field, note in found.items():
        assert note.file == "submission.yaml" and field.split(".")[-1] in lines[note.line - 1]
    assert "900.00" in found["declared.roof_area_m2"].message and "1170" in found["declared.roof_area_m2"].message
    zh = found["declared.roof_area_m2"].message_zh
    assert "declared.roof_area_m2 = 1170" in zh and "模型为 900.00" in zh and "请修正申报资料或模型" in zh
    (pv1,) = [r for r in verdict.results if r.rule == "PV-1"]
    assert pv1.status == "manual_review" and verdict.verdict == "incomplete"


@pytest.mark.parametrize("sample,says_exemption", [("incomplete-metadata-mismatch", False),
                                                    ("incomplete-exemption-school", True)])
def test_manual_review_advice_fits_its_cause(sample, says_exemption):
    verdict = check_submission(SAMPLES / sample, RunContext(rules_dir=RULES))
    (pv1,) = [r for r in verdict.results if r.rule == "PV-1"]
    assert pv1.status == "manual_review"
    assert ("exemption" in pv1.remedy.en) is says_exemption and ("豁免" in pv1.remedy.zh) is says_exemption
