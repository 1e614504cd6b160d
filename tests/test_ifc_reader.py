"""The IFC reader on real models (../shared/ifc) and on broken files."""

from __future__ import annotations

import math

import pytest
from conftest import RULES, SHARED_IFC, shared_ifc_files

from compliance.context import RunContext
from compliance.derive.metrics import Derivation
from compliance.errors import InputError
from compliance.read.model import read_model

SHARED_NAMES = [p.name for p in shared_ifc_files()] or ["<absent>"]


@pytest.mark.parametrize("name", SHARED_NAMES)
def test_every_public_model_reads_without_error(shared_ifc_dir, name):
    facts = read_model(shared_ifc_dir / name)
    assert facts.info.schema_name.upper().startswith(("IFC2X3", "IFC4"))
    assert len(facts.info.sha256) == 64 and facts.info.entity_count > 0
    for fig in facts.roofs + facts.pv_panels:
        assert fig.global_id and fig.file == name
        for value in (fig.projected_m2, fig.surface_m2):
            assert value is None or (value > 0 and math.isfinite(value))
    # None of the public models has PV: nothing may be mistaken for a panel.
    assert facts.pv_panels == ()


def roofs_of(name: str):
    return {f.global_id: f for f in read_model(SHARED_IFC / name).roofs}


def test_archicad_sloped_roof_projected_from_slope(shared_ifc_dir):
    roofs = roofs_of("AC20-FZK-Haus.ifc")
    assert len(roofs) == 2
    for fig in roofs.values():
        assert fig.surface_m2 == pytest.approx(82.561, abs=1e-3)
        assert fig.projected_m2 == pytest.approx(82.5610884941 * math.cos(math.radians(30)), rel=1e-6)
        assert "BaseQuantities.GrossArea" in fig.projected_source and "cos(30.0°)" in fig.projected_source


def test_flat_roof_surface_is_its_projection(shared_ifc_dir):
    (fig,) = roofs_of("KIT-EDC_with_SB.ifc").values()
    assert fig.projected_m2 == fig.surface_m2 == 675.0
    assert "flat" in fig.projected_source


def test_roof_and_its_parts_are_not_both_counted(shared_ifc_dir):
    roofs = roofs_of("IfcOpenHouse_IFC4.ifc")
    assert set(roofs) == {"2KoBar2pfAWBou8q$ldGHy", "3lPsczHcDCwepFiJhZqz9q"}   # the parts, not IfcRoof
    assert all(f.matched_by.startswith("part of IfcRoof") for f in roofs.values())


def test_roof_without_quantities_or_geometry_is_missing_data_not_zero(shared_ifc_dir, tmp_path):
    import ifcopenshell

    ifc = ifcopenshell.open(str(SHARED_IFC / "SampleHouse4.ifc"))
    (roof,) = ifc.by_type("IfcRoof")
    roof.Representation = None                 # the Revit roof's B-rep is its only source of area
    ifc.write(str(tmp_path / "no-roof-body.ifc"))
    facts = read_model(tmp_path / "no-roof-body.ifc")
    metric = Derivation([facts]).metric("pv_roof_ratio", basis="projected")
    assert metric.value is None and "no projected area" in metric.reasons[0].en
    assert roof.GlobalId in metric.reasons[0].zh and "无水平投影面积" in metric.reasons[0].zh
    assert any(n.code == "geometry.failed" and roof.GlobalId in n.global_ids for n in facts.notes)


def test_model_without_roof_is_missing_data(shared_ifc_dir):
    facts = read_model(SHARED_IFC / "Office_A_20110811.ifc")
    metric = Derivation([facts]).metric("pv_roof_ratio")
    assert facts.roofs == () and metric.value is None and "no roof" in metric.reasons[0].en
    assert "未找到屋面" in metric.reasons[0].zh


def test_feet_model_units_are_read(shared_ifc_dir):
    info = read_model(SHARED_IFC / "wall_door_columnt_rgb4x3.ifc").info
    assert info.length_unit_m == pytest.approx(0.3048) and info.area_unit_m2 == pytest.approx(0.09290304)


def test_run_context_reads_a_file_once(shared_ifc_dir):
    ctx = RunContext(rules_dir=RULES)
    first = read_model(SHARED_IFC / "KIT-EDC_with_SB.ifc", ctx)
    assert read_model(SHARED_IFC / "KIT-EDC_with_SB.ifc", ctx) == first
    assert list(ctx.models) == [("KIT-EDC_with_SB.ifc", first.info.sha256, ctx.conventions[RULES].digest)]


@pytest.mark.parametrize("content,expected", [
    (b"", "model file is empty"),
    (b"this is not an IFC file at all\n", "not a readable IFC model"),
    (b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('x'),'2;1');\n", "truncated"),
    ("ISO-10303-21;\nHEADER;FILE_SCHEMA(('IFC4'));ENDSEC;\nDATA;\n#1=IFCWALL('中文',$,$".encode(), "truncated"),
])
def test_malformed_model_is_a_clear_input_error(tmp_path, content, expected):
    path = tmp_path / "broken.ifc"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_model(path)
    assert expected in info.value.message and info.value.file == str(path)
    assert info.value.hint


def test_truncated_real_model_is_a_clear_input_error(tmp_path, shared_ifc_dir):
    data = (SHARED_IFC / "IfcOpenHouse_IFC4.ifc").read_bytes()
    path = tmp_path / "truncated.ifc"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:   # ifcopenshell alone would keep the entities before the cut
        read_model(path)
    assert "truncated" in info.value.message and "export the model again" in info.value.hint


def test_roof_slabs_marked_the_exporters_way_are_found(shared_ifc_dir, tmp_path):
    import ifcopenshell

    ifc = ifcopenshell.open(str(SHARED_IFC / "AC20-FZK-Haus.ifc"))
    roofs = [s for s in ifc.by_type("IfcSlab") if s.PredefinedType == "ROOF"]
    marks = ["Basic Roof:Generic - 300mm", "屋面板"]
    for slab, mark in zip(roofs, marks):
        slab.PredefinedType, slab.ObjectType = "NOTDEFINED", mark
        for rel in slab.IsTypedBy:                     # the type says ROOF too: make it say nothing
            rel.RelatingType.PredefinedType = "NOTDEFINED"
    ifc.write(str(tmp_path / "marked.ifc"))
    found = {f.global_id: f for f in read_model(tmp_path / "marked.ifc").roofs}
    assert set(found) == {s.GlobalId for s in roofs}
    for slab, mark in zip(roofs, marks):
        assert found[slab.GlobalId].matched_by == f"IfcSlab.ObjectType = '{mark}' (convention)"
        assert found[slab.GlobalId].projected_m2 == pytest.approx(71.5, abs=0.01)


def test_one_quantity_set_shared_by_several_roof_slabs_is_a_finding(shared_ifc_dir, tmp_path):
    import ifcopenshell

    ifc = ifcopenshell.open(str(SHARED_IFC / "AC20-FZK-Haus.ifc"))
    first, second = [s for s in ifc.by_type("IfcSlab") if s.PredefinedType == "ROOF"]
    rel = next(r for r in first.IsDefinedBy if r.is_a("IfcRelDefinesByProperties")
               and r.RelatingPropertyDefinition.Name == "BaseQuantities")
    for other in second.IsDefinedBy:                      # the second slab loses its own quantities ...
        if other.is_a("IfcRelDefinesByProperties") and other.RelatingPropertyDefinition.Name == "BaseQuantities":
            other.RelatedObjects = [o for o in other.RelatedObjects if o != second] or [ifc.by_type("IfcProject")[0]]
    rel.RelatedObjects = list(rel.RelatedObjects) + [second]   # ... and shares the first one's
    ifc.write(str(tmp_path / "shared-qto.ifc"))
    facts = read_model(tmp_path / "shared-qto.ifc")
    flagged = {g for n in facts.notes if n.code == "area.shared_quantity" and n.severity == "uncertain"
               for g in n.global_ids}
    assert flagged == {first.GlobalId, second.GlobalId}
    metric = Derivation([facts]).metric("pv_roof_ratio")
    assert not metric.certain and any("attached to 2 elements" in r.en for r in metric.reasons)
    assert any("同时关联 2 个构件" in r.zh for r in metric.reasons)
