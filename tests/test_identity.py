"""Identity of elements across the models of a submission (compliance/derive/identity.py): the
same panels or roof exported in two models under other GlobalIds are counted once; a copy under
the same GlobalIds placed elsewhere is counted as the different thing it is; a "parking space"
the size of a car park is a finding. Real IFC models from the sample generator's blocks, checked
through the whole pipeline."""

from __future__ import annotations

import shutil
import sys
import time

import pytest
from conftest import RULES, SAMPLES

from compliance.context import RunContext
from compliance.derive.identity import (
    counted_figures,
    distinct,
    one_per_footprint,
    parking_findings,
    stall_areas,
    unit_range,
    unit_ranges,
)
from compliance.pipeline import check_submission
from compliance.read.records import AreaFigure, ChargerRecord, ModelFacts, ModelInfo, ParkingRecord

PANEL_Z = 18.6


@pytest.fixture(scope="module")
def gen():
    """The sample generator's builder and blocks (ifc_samples/ is not a package)."""
    sys.path.insert(0, str(SAMPLES))
    try:
        import blocks
        import builder
    finally:
        sys.path.remove(str(SAMPLES))
    return builder, blocks


def office(gen, sample: str, filename: str, *, roof=True, panels=20, w=5.0, d=2.0, dx=0.0):
    """A 40 × 25 m roof slab (1000 m²) and a row-by-row grid of flat w × d panels, moved by dx."""
    builder, blocks = gen
    m = builder.Model(sample, filename)
    if roof:
        blocks.roof_slab(m, "屋面板 roof slab", dx, 0.0, 40.0, 25.0)
    for i in range(panels):
        row, col = divmod(i, 7)
        at = (dx + 2.5 + col * 5.5, 1.5 + row * 2.6, PANEL_Z)
        blocks.pv_panel(m, f"PV-{i + 1:02d}", w, d, at, 0.0, False)
    return m


def submit(gen, folder, models, *, copies=()):
    """Write the submission (public office, new); `copies`: (model, file name) saved under another name."""
    builder, _ = gen
    names = [m.filename for m in models] + [name for _, name in copies]
    doc = builder.meta(f"T-{folder.name}"[:60], "测试办公楼", "test office", "public_office", "2025-06-02", names,
                       public_institution=False, gross_floor_area_m2=5000)
    builder.write_submission(folder, doc, models, "# test\n")
    for n, (model, name) in enumerate(copies):
        side = folder.parent / f"{folder.name}-copy-{n}"
        side.mkdir()
        shutil.move(str(model.save(side)), str(folder / name))
    return check_submission(folder, RunContext(rules_dir=RULES))


def result(verdict, rule):
    return next(r for r in verdict.results if r.rule == rule)


def findings(verdict, code):
    return [n for n in verdict.notes if n.code == code]


# -- (a) the same panels in two models: counted once ------------------------------------------------

@pytest.mark.parametrize("mep_depth, severity, status", [(2.0, "warning", "fail"), (2.2, "uncertain", "manual_review")])
def test_panels_exported_in_two_models_are_counted_once(gen, tmp_path, mep_depth, severity, status):
    arch = office(gen, "t-twice", "architecture.ifc")                       # 20 panels of 10 m²: 20 %
    mep = office(gen, "t-twice", "mep.ifc", roof=False, d=mep_depth)       # the same panels, other GlobalIds
    verdict = submit(gen, tmp_path / "twice", [arch, mep])
    pv2 = result(verdict, "PV-2")
    assert pv2.inputs["pv_area_m2"] == pytest.approx(200.0, rel=1e-3)    # twice would be 40 %: a pass
    assert pv2.status == status
    (finding,) = findings(verdict, "pv.overlapping_panels")
    assert finding.severity == severity and finding.file == "mep.ifc"
    assert len(finding.global_ids) == 40                                    # both GlobalIds of each pair
    assert "architecture.ifc" in finding.message and "mep.ifc" in finding.message
    assert "counted once" in finding.message and "仅计一次" in finding.message_zh
    assert {e.file for e in pv2.evidence} == {"architecture.ifc"}           # the copies in mep.ifc left out


def test_the_same_roof_in_two_models_is_counted_once(gen, tmp_path):
    arch = office(gen, "t-roofs", "architecture.ifc", panels=35)            # 350 m² on 1000 m²: 35 %
    structure = office(gen, "t-roofs", "structure.ifc", panels=0)          # the roof again, other GlobalIds
    verdict = submit(gen, tmp_path / "roofs", [arch, structure])
    pv2 = result(verdict, "PV-2")
    assert pv2.inputs["roof_area_m2"] == pytest.approx(1000.0) and pv2.status == "pass"   # twice: 17.5 %
    (finding,) = findings(verdict, "roof.overlapping_roofs")
    assert finding.severity == "warning" and finding.file == "structure.ifc" and len(finding.global_ids) == 2


# -- (b) a copy under the same GlobalIds, placed elsewhere ------------------------------------------

def test_a_building_copied_elsewhere_with_the_same_globalids_is_a_finding_and_counted(gen, tmp_path):
    first = office(gen, "t-copy", "architecture.ifc")
    moved = office(gen, "t-copy", "architecture.ifc", dx=100.0)            # same build: the same GlobalIds
    verdict = submit(gen, tmp_path / "copy", [first], copies=[(moved, "building-b.ifc")])
    notes = findings(verdict, "model.same_globalid_elsewhere")
    assert {n.severity for n in notes} == {"uncertain"} and {n.file for n in notes} == {"building-b.ifc"}
    roof_note = next(n for n in notes if "roof" in n.message)
    assert len(roof_note.global_ids) == 1
    assert "(20.0, 12.5, 18.0)" in roof_note.message and "(120.0, 12.5, 18.0)" in roof_note.message
    assert "architecture.ifc" in roof_note.message and "building-b.ifc" in roof_note.message
    assert sum(len(n.global_ids) for n in notes) == 21                     # the roof slab and 20 panels
    pv2 = result(verdict, "PV-2")
    assert pv2.inputs["roof_area_m2"] == pytest.approx(2000.0)             # both buildings' roofs
    assert pv2.inputs["pv_area_m2"] == pytest.approx(400.0)
    assert pv2.status == "manual_review"


# -- (c) a parking "space" the size of a car park -----------------------------------------------------

def test_a_parking_zone_modelled_as_one_space_is_a_finding_and_ev_goes_to_review(gen, tmp_path):
    builder, blocks = gen
    m = office(gen, "t-zone", "architecture.ifc", panels=35)
    blocks.parking_space(m, "机动车位区-A", 0.0, 30.0, m.ground, w=30.0, d=20.0)   # 600 m², no ParkingUnits
    blocks.charger_row(m, [(60, "DC")], m.ground, 0.0, 29.0)
    verdict = submit(gen, tmp_path / "zone", [m])
    (finding,) = findings(verdict, "parking.space_too_large")
    assert finding.severity == "uncertain" and len(finding.global_ids) == 1
    assert "about 48 stalls" in finding.message and "约含 48 个车位" in finding.message_zh
    assert "Pset_SpaceParking.ParkingUnits" in finding.message and "机动车位区-A" in finding.message
    assert result(verdict, "EV-3").status == "manual_review"               # 1 charger for "1 space": 100 %


def test_parking_unit_ranges():
    def space(area, units=1, source=None):
        return ParkingRecord(global_id="P".ljust(22, "0"), ifc_class="IfcSpace", file="m.ifc", matched_by="t",
                             area_m2=area, units=units, units_source=source)

    stall, _ = stall_areas()              # rules/_conventions.yaml
    assert unit_range(space(600.0), stall) == (1, 48)
    assert unit_range(space(13.25), stall) == (1, 1) and unit_range(space(5.0), stall) == (1, 1)
    assert unit_range(space(600.0, 40, "Pset_SpaceParking.ParkingUnits"), stall) == (40, 40)
    assert unit_range(space(None), stall) == (1, 1)
    assert unit_range(space(26.0), stall, 40.0) == (1, 1)     # a roomy accessible stall is one stall
    assert unit_range(space(600.0), stall, 40.0) == (1, 48)
    assert unit_range(space(100.0), stall_m2=25.0) == (1, 4) and stall_areas() == (12.5, 40.0)
    model = ModelFacts(info=_info("m.ifc"), parking=(space(600.0),))
    assert [r for _, r in unit_ranges([model, model], stall)] == [(1, 48)]        # the same space in two models: once
    (finding,) = parking_findings([model, model], 40.0, stall)
    assert "about 48 stalls (600.0 m² ÷ 12.5 m² per stall)" in finding.message
    assert "about 24 stalls" in parking_findings([model], 40.0, 25.0)[0].message
    assert not parking_findings([model], 600.0, stall)
    units = ModelFacts(info=_info("m.ifc"), parking=(space(600.0, 40, "Pset_SpaceParking.ParkingUnits"),))
    assert not parking_findings([units], 40.0, stall)


# -- (d) panels that merely touch are two panels ------------------------------------------------------

def test_panels_side_by_side_that_touch_are_not_merged(gen, tmp_path):
    builder, blocks = gen
    m = office(gen, "t-touch", "architecture.ifc", panels=0)
    for i in range(30):                                                    # 30 panels of 10 m², edge to edge
        row, col = divmod(i, 8)
        blocks.pv_panel(m, f"PV-{i + 1:02d}", 5.0, 2.0, (2.5 + 5.0 * col, 1.0 + 2.0 * row, PANEL_Z), 0.0, False)
    verdict = submit(gen, tmp_path / "touch", [m])
    assert not findings(verdict, "pv.overlapping_panels")
    pv2 = result(verdict, "PV-2")
    assert pv2.inputs["pv_area_m2"] == pytest.approx(300.0, rel=1e-3) and pv2.status == "pass"


# -- the rules of the comparison, on records ---------------------------------------------------------

def _info(file):
    return ModelInfo(file=file, schema_name="IFC4", size_bytes=0, sha256="0" * 64, entity_count=0,
                     length_unit_m=1.0, area_unit_m2=1.0)


def _panel(file, n, x, y, w=2.0, d=1.0, z=PANEL_Z, area=None, gid=None):
    ring = ((x, y), (x + w, y), (x + w, y + d), (x, y + d), (x, y))
    return AreaFigure(role="pv", global_id=gid or f"{file[:2]}{n:020d}", ifc_class="IfcSolarDevice", file=file,
                      matched_by="t", projected_m2=w * d if area is None else area, outline=(ring,),
                      z_min=z, z_max=z + 0.04)


def test_overlap_share_and_height_decide():
    base = _panel("a.ifc", 0, 0.0, 0.0)
    kept, twins = one_per_footprint([base, _panel("b.ifc", 1, 0.9, 0.0)])     # 55 % of it: the same panel
    assert kept == [base] and twins[0].copy.global_id.startswith("b.") and twins[0].exact
    assert len(one_per_footprint([base, _panel("b.ifc", 1, 1.1, 0.0)])[0]) == 2   # 45 %: two panels
    assert len(one_per_footprint([base, _panel("b.ifc", 1, 0.0, 0.0, z=PANEL_Z + 1.0)])[0]) == 2   # 1 m above
    assert len(one_per_footprint([base, _panel("b.ifc", 1, 0.0, 0.0, z=PANEL_Z + 0.3)])[0]) == 1
    small = _panel("b.ifc", 1, 0.5, 0.25, w=1.0, d=0.5)                     # wholly within: more than half of it
    kept, twins = one_per_footprint([base, small])
    assert kept == [base] and not twins[0].exact
    same_file = _panel("a.ifc", 1, 0.0, 0.0)
    assert len(one_per_footprint([base, same_file])[0]) == 1
    assert len(one_per_footprint([base, same_file], within_model=False)[0]) == 2   # roofs: across models only


def test_a_chain_of_overlaps_keeps_every_panel_not_on_a_kept_one():
    a, b, c = _panel("a.ifc", 0, 0.0, 0.0), _panel("b.ifc", 0, 0.6, 0.0), _panel("c.ifc", 0, 1.2, 0.0)
    kept, twins = one_per_footprint([a, b, c])      # b repeats a; c overlaps b (70 %) but only a 40 % of a
    assert kept == [a, c] and [(t.kept, t.copy) for t in twins] == [(a, b)]


def test_same_globalid_same_place_is_one_element_elsewhere_two():
    here = _panel("a.ifc", 0, 0.0, 0.0, gid="G".ljust(22, "0"))
    again = _panel("b.ifc", 0, 0.3, 0.0, gid="G".ljust(22, "0"))          # 0.3 m: the same element
    there = _panel("b.ifc", 0, 50.0, 0.0, gid="G".ljust(22, "0"))
    assert distinct([here, again]) == [here] and distinct([here, again], keep="last") == [again]
    assert distinct([here, there]) == [here, there]
    c1 = ChargerRecord(global_id="C".ljust(22, "0"), ifc_class="IfcOutlet", file="a.ifc", matched_by="t",
                       origin=(0.0, 0.0, 0.0))
    c2 = c1.model_copy(update={"file": "b.ifc", "origin": (0.0, 30.0, 0.0)})
    c3 = c1.model_copy(update={"file": "c.ifc", "origin": None})            # position unknown: the same one
    assert distinct([c1, c2]) == [c1, c2] and distinct([c1, c3]) == [c1]


def test_placement_findings_name_a_repeated_panel_once():
    from compliance.derive.pv import placement_findings

    roof = AreaFigure(role="roof", global_id="R".ljust(22, "0"), ifc_class="IfcSlab", file="a.ifc", matched_by="t",
                      projected_m2=100.0, outline=(((0, 0), (10, 0), (10, 10), (0, 10), (0, 0)),), z_min=18.0,
                      z_max=18.25)
    on_ground = [_panel(f, 0, 50.0, 0.0, z=0.0) for f in ("a.ifc", "b.ifc")]
    models = [ModelFacts(info=_info("a.ifc"), roofs=(roof,), pv_panels=(on_ground[0],)),
              ModelFacts(info=_info("b.ifc"), pv_panels=(on_ground[1],))]
    assert [n.global_ids for n in placement_findings(models)] == [(on_ground[0].global_id,)]


def test_ten_thousand_panels_in_two_models_stay_fast():
    grid = [(i % 100 * 2.5, i // 100 * 1.5) for i in range(10_000)]
    models = [ModelFacts(info=_info(f), pv_panels=tuple(_panel(f, n, x, y) for n, (x, y) in enumerate(grid)))
              for f in ("arch.ifc", "mep.ifc")]
    counted_figures(models[:1])                                             # imports
    start = time.perf_counter()
    counted = counted_figures(models)
    assert time.perf_counter() - start < 3.0
    assert len(counted.panels) == 10_000 and len(counted.panel_twins) == 10_000
