"""rules/_conventions.yaml: the reader recognises what real exporters write (on a real model),
suspects and exclusions are listed, the docs and the rule-set version follow the file, and a
broken file is refused with its line."""

from __future__ import annotations

import shutil

import pytest
from conftest import RULES, SHARED_IFC

from compliance.read.conventions import load_conventions
from compliance.read.conventions_doc import DOC, current_block, render
from compliance.read.model import read_model
from compliance.ruleset.lint import lint
from compliance.ruleset.loader import load_ruleset

FEATURES = RULES.parent / "features"


def _host(tmp_path, add) -> tuple:
    """AC20-FZK-Haus (ArchiCAD, IFC4) with the elements `add(ifc, storey)` puts in, written to tmp."""
    import ifcopenshell
    import ifcopenshell.api.spatial

    ifc = ifcopenshell.open(str(SHARED_IFC / "AC20-FZK-Haus.ifc"))
    storey = ifc.by_type("IfcBuildingStorey")[0]
    made = add(ifc)
    for element in made.values():
        if element.is_a("IfcElement"):
            ifcopenshell.api.spatial.assign_container(ifc, products=[element], relating_structure=storey)
    path = tmp_path / "variant.ifc"
    ifc.write(str(path))
    return read_model(path), {k: e.GlobalId for k, e in made.items()}


def _element(ifc, cls: str, name: str | None = None, object_type: str | None = None, predefined=None,
             type_cls: str | None = None, type_name: str | None = None):
    import ifcopenshell.api.root
    import ifcopenshell.api.type

    element = ifcopenshell.api.root.create_entity(ifc, ifc_class=cls, name=name, predefined_type=predefined)
    if object_type is not None:
        element.ObjectType = object_type
    if type_cls is not None:
        el_type = ifcopenshell.api.root.create_entity(ifc, ifc_class=type_cls, name=type_name,
                                                      predefined_type="NOTDEFINED")
        ifcopenshell.api.type.assign_type(ifc, related_objects=[element], relating_type=el_type)
    return element


@pytest.fixture(scope="module")
def exported(shared_ifc_dir, tmp_path_factory):
    def add(ifc):
        e = _element
        return {
            "revit_pv": e(ifc, "IfcBuildingElementProxy", "Solar Panel:Mono 400W:312345", "Solar Panel:Mono 400W"),
            "zh_pv": e(ifc, "IfcBuildingElementProxy", "光伏组件:单晶硅550W:88", "光伏组件:单晶硅550W"),
            "fullwidth_pv": e(ifc, "IfcBuildingElementProxy", "M-1", "ＰＶ　Ｍｏｄｕｌｅ"),
            "bipv_plate": e(ifc, "IfcPlate", "幕墙板-12", None, "USERDEFINED", "IfcPlateType", "光伏玻璃幕墙:BIPV"),
            "solar_zh": e(ifc, "IfcSolarDevice", "屋面设备-3", "太阳能光伏板", "USERDEFINED"),
            "solar_untyped": e(ifc, "IfcSolarDevice", "设备-7"),
            "named_pv": e(ifc, "IfcBuildingElementProxy", "光伏组件-01", "常规模型"),
            "inverter": e(ifc, "IfcBuildingElementProxy", "PV inverter room", "EQUIPMENTROOM"),
            "pvc_pipe": e(ifc, "IfcBuildingElementProxy", "PVC pipe DN100", "Pipe"),
            "charger_dc": e(ifc, "IfcBuildingElementProxy", "充电桩-1", "充电桩:直流120kW"),
            "charger_ac": e(ifc, "IfcBuildingElementProxy", "EV-2", "EV Charger:7kW AC"),
            "charger_named": e(ifc, "IfcElectricAppliance", "充电桩 B2-01", "Appliance"),
            "ebike_charger": e(ifc, "IfcBuildingElementProxy", "非机动车充电桩", "充电桩:非机动车"),
            "car_space": e(ifc, "IfcSpace", "B1-001", None, None, None, None),
            "bike_space": e(ifc, "IfcSpace", "非机动车位-12"),
            "bicycle_space": e(ifc, "IfcSpace", "自行车位 3"),
            "revit_parking": e(ifc, "IfcBuildingElementProxy", "Parking Space:4800 x 2400mm:5", "Parking Space:4800 x 2400mm"),
            "zone": e(ifc, "IfcSpace", "机动车位区-A"),
            "floor_roof": e(ifc, "IfcSlab", "楼板:屋面-300mm:11", None, "FLOOR", "IfcSlabType", "楼板:屋面-300mm"),
            "named_roof": e(ifc, "IfcSlab", "屋面板", None, "NOTDEFINED"),
            "heat_pump": e(ifc, "IfcUnitaryEquipment", "HP-1", "空气源热泵机组", "USERDEFINED"),
            "pv_roof_slab": e(ifc, "IfcSlab", "光伏屋面板-1", None, "NOTDEFINED", "IfcSlabType", "光伏屋面板:BIPV-200"),
            "generator_pv": e(ifc, "IfcEnergyConversionDevice", "G-1", "Solar Panel:Poly 330W"),
            "panel_on_rack": e(ifc, "IfcSolarDevice", "光伏组件及支架-1", None, "SOLARPANEL"),
            "solar_named": e(ifc, "IfcBuildingElementProxy", "SOLAR-01", "Generic Models"),
            "solar_shading": e(ifc, "IfcShadingDevice", "Solar shading louvre 1", None, "LOUVER"),
            "bike_parking_class": e(ifc, "IfcSpace", "非机动车位-P1", None, "PARKING"),
        }

    def add_names(ifc):
        import ifcopenshell.api.pset

        made = add(ifc)
        made["car_space"].LongName = "停车位"
        pset = ifcopenshell.api.pset.add_pset(ifc, product=made["charger_named"], name="电气")
        ifcopenshell.api.pset.edit_pset(ifc, pset=pset, properties={"额定功率": "7 kW"})
        made["charger_label_power"] = _element(ifc, "IfcBuildingElementProxy", "CP-9", "充电桩:壁挂式")
        pset = ifcopenshell.api.pset.add_pset(ifc, product=made["charger_label_power"], name="电气")
        ifcopenshell.api.pset.edit_pset(ifc, pset=pset, properties={"额定功率": "7 kW", "电流类型": "交流"})
        return made

    return _host(tmp_path_factory.mktemp("exported"), add_names)


def _ids(records) -> set[str]:
    return {r.global_id for r in records}


def test_panels_as_exporters_write_them_are_counted(exported):
    facts, gid = exported
    assert _ids(facts.pv_panels) == {gid[k] for k in ("revit_pv", "zh_pv", "fullwidth_pv", "bipv_plate", "solar_zh",
                                                      "generator_pv", "panel_on_rack")}   # 支架 does not overrule SOLARPANEL
    revit = next(p for p in facts.pv_panels if p.global_id == gid["revit_pv"])
    assert "Solar Panel:Mono 400W" in revit.matched_by
    assert revit.peak_power_kw == 0.4 and "type text" in revit.peak_power_source
    assert next(p for p in facts.pv_panels if p.global_id == gid["zh_pv"]).peak_power_kw == 0.55


def test_a_solar_device_that_says_nothing_is_renewable_and_a_suspect_panel(exported):
    facts, gid = exported
    solar = [s for s in facts.systems if s.global_id == gid["solar_untyped"]]
    assert [s.kind for s in solar] == ["solar"]
    assert gid["solar_untyped"] in _ids(facts.suspects_of("pv_panel"))


def test_names_alone_make_suspects_and_decoys_stay_out(exported):
    facts, gid = exported
    pv_suspects = _ids(facts.suspects_of("pv_panel"))
    assert gid["named_pv"] in pv_suspects and gid["solar_named"] in pv_suspects
    assert gid["solar_shading"] not in pv_suspects | _ids(facts.pv_panels)
    assert gid["inverter"] not in pv_suspects | _ids(facts.pv_panels)
    assert gid["pvc_pipe"] not in pv_suspects | _ids(facts.pv_panels)
    assert gid["charger_named"] in _ids(facts.suspects_of("ev_charger"))
    named = next(s for s in facts.suspects if s.global_id == gid["named_pv"])
    assert "光伏组件-01" in named.matched_by and named.reason_zh


def test_chargers_read_power_and_current_from_the_type_text(exported):
    facts, gid = exported
    by_id = {c.global_id: c for c in facts.chargers}
    assert set(by_id) == {gid["charger_dc"], gid["charger_ac"], gid["charger_label_power"]}
    label = by_id[gid["charger_label_power"]]           # a Chinese-named property set, power as text
    assert (label.power_kw, label.current) == (7.0, "AC") and label.power_source.startswith("电气.额定功率")
    assert (by_id[gid["charger_dc"]].current, by_id[gid["charger_dc"]].power_kw) == ("DC", 120.0)
    assert (by_id[gid["charger_ac"]].current, by_id[gid["charger_ac"]].power_kw) == ("AC", 7.0)
    assert "type text" in by_id[gid["charger_dc"]].power_source
    assert gid["ebike_charger"] in _ids(facts.excluded)


def test_parking_counts_car_spaces_and_revit_components_not_bicycles(exported):
    facts, gid = exported
    assert _ids(facts.parking) == {gid[k] for k in ("car_space", "revit_parking", "zone")}
    assert {gid["bike_space"], gid["bicycle_space"], gid["bike_parking_class"]} <= _ids(facts.excluded)
    excluded = next(s for s in facts.excluded if s.global_id == gid["bike_space"])
    assert excluded.concept == "parking_space" and "非机动" in excluded.matched_by


def test_an_element_typed_as_two_things_is_counted_as_one_and_suspected_as_the_other(exported):
    facts, gid = exported
    assert gid["pv_roof_slab"] in _ids(facts.roofs)                   # a roof slab (its type says 屋面)
    (suspect,) = [s for s in facts.suspects_of("pv_panel") if s.global_id == gid["pv_roof_slab"]]
    assert "counted as roof" in suspect.matched_by                    # ... and 光伏: never silently dropped


def test_floor_tool_and_name_only_roofs_are_suspects(exported):
    facts, gid = exported
    roof_suspects = _ids(facts.suspects_of("roof"))
    assert {gid["floor_roof"], gid["named_roof"]} <= roof_suspects
    assert not {gid["floor_roof"], gid["named_roof"]} & _ids(facts.roofs)


def test_heat_pump_medium_from_chinese_type_words(exported):
    facts, gid = exported
    (pump,) = [s for s in facts.systems if s.global_id == gid["heat_pump"]]
    assert (pump.kind, pump.source_medium) == ("heat_pump", "air")


@pytest.mark.parametrize("name", sorted(p.name for p in SHARED_IFC.glob("*.ifc")) if SHARED_IFC.is_dir() else [])
def test_real_models_show_no_panels_chargers_or_parking(shared_ifc_dir, name):
    """None of the real public models holds PV, chargers or parking: nothing may be mistaken for them
    (their roofs are tested in test_ifc_reader / test_model_evidence)."""
    facts = read_model(shared_ifc_dir / name)
    assert not facts.pv_panels and not facts.chargers and not facts.parking
    assert {s.concept for s in facts.suspects} <= {"roof"}
    for s in facts.suspects:                     # an exposed top slab with no roof above it
        assert s.ifc_class == "IfcSlab" and "exposed top slab" in s.matched_by


def test_docs_are_the_rendering_of_the_conventions():
    block = current_block(DOC.read_text(encoding="utf-8"))
    assert block == render(load_conventions(RULES)), \
        "docs/ifc-conventions.md is out of date: run `compliance rules conventions --write-docs`"


def test_a_change_to_the_conventions_changes_the_rule_set_version(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    before = load_ruleset(copy).version
    path = copy / "_conventions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("exact: [SOLARPANEL,", "exact: [SOLARROOF, SOLARPANEL,"),
                    encoding="utf-8")
    assert load_ruleset(copy).version != before


@pytest.mark.parametrize("old,new,message", [
    ("class: IfcSolarDevice, predefined: [SOLARPANEL]", "class: IfcSolarDevise, predefined: [SOLARPANEL]",
     "'IfcSolarDevise' is not an IFC class"),
    ("  heat_recovery:", "  heat_recovry:", "unknown concept 'heat_recovry'"),
    ("power_kw: '(\\d+(?:\\.\\d+)?)\\s*KW\\b'", "power_kw: '(\\d+'", "not a regular expression"),
    ("    exclude: [逆变器,", "    exclued: [逆变器,", "'concepts.pv_panel.exclued' is not a known field"),
])
def test_a_broken_conventions_file_is_reported_with_its_line(tmp_path, old, new, message):
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    path = copy / "_conventions.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new.strip() in row)
    problems = [p for p in lint(copy, FEATURES).errors if p.file.endswith("_conventions.yaml")]
    assert problems and any(message in p.message for p in problems), [p.message for p in problems]
    hit = next(p for p in problems if message in p.message)
    assert hit.line is not None and abs(hit.line - line) <= 1


def _ids_verdict(tmp_path, ifc_path) -> tuple[bool, set[str]]:
    """(every roof and PV specification passes, the GlobalIds they apply to) for one model."""
    import ifcopenshell
    from ifctester import ids as ifctester_ids

    from compliance.ruleset.ids import write_ids

    path = tmp_path / "areas.ids"
    if not path.exists():
        write_ids(load_ruleset(RULES), path, figures=["roof_area", "pv_area"])
    document = ifctester_ids.open(str(path))
    document.validate(ifcopenshell.open(str(ifc_path)))
    checked = [s for s in document.specifications if s.is_ifc_version]
    applicable = {e.GlobalId for s in checked for e in s.applicable_entities}
    return all(s.status is not False for s in checked), applicable


def _read_fully(facts) -> bool:
    """Every roof and panel figure comes from the model's quantities (not computed from geometry)."""
    return all(f.projected_method in ("quantity", "derived") or f.surface_method in ("quantity", "derived")
               for f in facts.roofs + facts.pv_panels)


@pytest.mark.parametrize("name", sorted(p.name for p in SHARED_IFC.glob("*.ifc")) if SHARED_IFC.is_dir() else [])
def test_ids_and_reader_agree_on_every_real_model(shared_ifc_dir, tmp_path, name):
    """A model whose roof and PV areas the checker reads from its quantities passes the IDS; one it
    has to measure from geometry (or cannot read) fails it; and the IDS looks at the elements the
    reader counts."""
    facts = read_model(shared_ifc_dir / name)
    passes, applicable = _ids_verdict(tmp_path, shared_ifc_dir / name)
    assert passes is _read_fully(facts), (name, passes, [(f.global_id, f.projected_method) for f in facts.roofs])
    assert {f.global_id for f in facts.roofs + facts.pv_panels} <= applicable


def test_ids_sees_the_panels_the_reader_counts_by_object_type(exported, tmp_path_factory):
    """Panels typed by ObjectType (Revit Family:Type, Chinese, full-width) are IDS-applicable like the
    reader counts them; a panel typed only through its type object's Name is beyond IDS 1.0 (no facet
    reads the type's Name) — docs/ifc-conventions.md says so."""
    facts, gid = exported
    folder = tmp_path_factory.getbasetemp()
    model = next(folder.glob("exported*/variant.ifc"))
    _, applicable = _ids_verdict(tmp_path_factory.mktemp("ids"), model)
    by_object_type = {gid[k] for k in ("revit_pv", "zh_pv", "fullwidth_pv", "solar_zh")}
    assert by_object_type <= applicable
    assert gid["named_pv"] not in applicable and gid["inverter"] not in applicable


def test_lint_warns_when_the_docs_lag_the_conventions(tmp_path):
    """A policy editor who changes rules/_conventions.yaml hears from `rules lint` that the docs
    must be regenerated (the project's own rule folder only)."""
    from compliance.ruleset.lint import docs_problems

    assert docs_problems(load_conventions(RULES), RULES) == []
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    path = copy / "_conventions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("exact: [SOLARPANEL,", "exact: [SOLARROOF, SOLARPANEL,"),
                    encoding="utf-8")
    (warning,) = docs_problems(load_conventions(copy), RULES)
    assert warning.severity == "warning" and "--write-docs" in warning.hint
    assert docs_problems(load_conventions(copy), copy) == []          # another rule folder: its own docs
