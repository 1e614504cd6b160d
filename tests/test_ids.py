"""`compliance ids`: the rule set's information requirements as a buildingSMART IDS file."""

from __future__ import annotations

import re
from pathlib import Path

import ifcopenshell
import ifctester.ids as ifctester_ids  # a dependency of the package: never skipped
import pytest
from conftest import SAMPLES

from compliance.derive.metrics import metric_specs
from compliance.ruleset.ids import (
    IdsError,
    all_figures,
    build_ids,
    requirement_table,
    token_pattern,
    write_document,
    write_ids,
)

BRIEF_FIGURES = {"roof_area", "pv_area", "pv_peak_power", "chargers", "parking", "gross_floor_area",
                 "building_use", "renewable_systems"}


def figures_of(spec) -> set[str]:
    match = re.match(r"\[([a-z_, ]+)\] ", spec.name)
    assert match, f"specification name without figures: {spec.name!r}"
    return {f.strip() for f in match.group(1).split(",")}


def validate(ids_path: Path, model: Path | ifcopenshell.file):
    document = ifctester_ids.open(str(ids_path), validate=True)
    ifc = model if isinstance(model, ifcopenshell.file) else ifcopenshell.open(str(model))
    document.validate(ifc, should_filter_version=True)
    return document


def spec_named(document, english: str):
    found = [s for s in document.specifications if s.name.endswith(f" / {english}")]
    assert len(found) == 1, [s.name for s in document.specifications]
    return found[0]


def test_written_ids_is_xsd_valid_and_titled(tmp_path, ruleset):
    path = tmp_path / "requirements.ids"
    write_ids(ruleset, path)
    assert ifctester_ids.get_schema().is_valid(str(path))
    document = ifctester_ids.open(str(path), validate=True)
    title = document.info["title"]
    assert ruleset.settings.name.zh in title and ruleset.settings.name.en in title and ruleset.version in title
    assert document.info["version"] == ruleset.version
    assert not path.with_name(path.name + ".part").exists()


def test_one_specification_per_record_of_each_rule_figure(tmp_path, ruleset):
    path = tmp_path / "requirements.ids"
    write_ids(ruleset, path)
    specs = ifctester_ids.open(str(path), validate=True).specifications
    table = requirement_table()
    used: set[str] = set()
    for rule in ruleset.rules:
        metrics = [c.metric for c in rule.requirements] + [w.metric for w in rule.applies.where]
        for figure in {f for m in metrics for f in metric_specs()[m].ifc_figures}:
            used.add(figure)
            mine = [s for s in specs if figure in figures_of(s)]
            assert len(mine) == len(table[figure]), (figure, [s.name for s in mine])
            for spec in mine:
                assert f"{rule.id} ({rule.clause.ref})" in spec.description, spec.description
    assert used, "the bundled rules read no model figures"
    assert set().union(*(figures_of(s) for s in specs)) == used      # nothing the rules do not need


def test_every_metric_figure_has_requirements():
    table = requirement_table()
    for spec in metric_specs().values():
        assert set(spec.ifc_figures) <= set(table), spec.name
    assert BRIEF_FIGURES <= set(all_figures())


def test_export_of_every_figure_is_valid(tmp_path, ruleset):
    path = tmp_path / "all.ids"
    write_ids(ruleset, path, figures=all_figures())
    specs = ifctester_ids.open(str(path), validate=True).specifications
    assert set().union(*(figures_of(s) for s in specs)) == set(all_figures())
    assert len({s.name for s in specs}) == len(specs)
    building = [s for s in specs if figures_of(s) & {"gross_floor_area", "building_use"}]
    assert building and all(s.minOccurs == 1 for s in building)
    assert all(s.minOccurs == 0 for s in specs if s not in building)


@pytest.mark.parametrize("model,schema,roof_slabs,panels,panel_spec", [
    (SAMPLES / "pass-school" / "architecture.ifc", "IFC4", 2, 24, "PV panel area"),
    (SAMPLES / "pass-factory-ifc2x3" / "factory.ifc", "IFC2X3", 1, 73, "PV panel area (proxy) (IFC2X3)"),
])
def test_samples_pass_the_roof_and_pv_specifications(tmp_path, ruleset, model, schema, roof_slabs, panels,
                                                     panel_spec):
    path = tmp_path / "roof-pv.ids"
    write_ids(ruleset, path, figures=["roof_area", "pv_area"])
    document = validate(path, model)
    assert ifcopenshell.open(str(model)).schema_identifier == schema
    checked = [s for s in document.specifications if s.is_ifc_version]
    assert checked and all(s.status is True for s in checked), \
        [(s.name, [e.GlobalId for e in s.failed_entities]) for s in checked if s.status is not True]
    assert len(spec_named(document, "Roof slab area").applicable_entities) == roof_slabs
    assert len(spec_named(document, panel_spec).applicable_entities) == panels


def test_roof_slabs_without_quantities_fail_by_global_id(tmp_path, ruleset, shared_ifc_dir):
    from ifctester import reporter

    model = shared_ifc_dir / "IfcOpenHouse_IFC4.ifc"
    ifc = ifcopenshell.open(str(model))
    roof_slabs = {s.GlobalId for s in ifc.by_type("IfcSlab") if s.PredefinedType == "ROOF"}
    assert len(roof_slabs) == 2
    path = tmp_path / "roof.ids"
    write_ids(ruleset, path, figures=["roof_area"])
    document = validate(path, ifc)
    report = reporter.Json(document).report()
    roof = next(s for s in report["specifications"] if s["name"].endswith(" / Roof slab area"))
    assert roof["status"] is False
    failures = [e for r in roof["requirements"] for e in r["failed_entities"]]
    assert {e["global_id"] for e in failures} == roof_slabs
    assert all("property set does not exist" in e["reason"] for e in failures)
    assert report["status"] is False


def test_models_without_the_elements_are_not_failed_but_buildings_are_required(tmp_path, ruleset):
    path = tmp_path / "all.ids"
    write_ids(ruleset, path, figures=all_figures())
    document = validate(path, SAMPLES / "pass-school" / "architecture.ifc")
    for english in ("EV charging points (ObjectType)", "Parking spaces", "Heat pump source"):
        spec = spec_named(document, english)
        assert spec.applicable_entities == [] and spec.status is True
    empty = validate(path, ifcopenshell.file(schema="IFC4"))
    assert spec_named(empty, "Gross floor area").status is False       # minOccurs 1: no IfcBuilding fails
    assert spec_named(empty, "Roof slab area").status is True


def _charger_model(current_type: str | None):
    import ifcopenshell.api.pset
    import ifcopenshell.api.root
    import ifcopenshell.api.unit

    ifc = ifcopenshell.file(schema="IFC4X3_ADD2")
    root = ifcopenshell.api.root.create_entity
    root(ifc, ifc_class="IfcProject", name="chargers")
    ifcopenshell.api.unit.assign_unit(ifc)
    recharger = root(ifc, ifc_class="IfcElectricFlowStorageDevice", predefined_type="RECHARGER")
    root(ifc, ifc_class="IfcElectricFlowStorageDevice", predefined_type="BATTERY")      # not a charger
    outlet = root(ifc, ifc_class="IfcOutlet", predefined_type="USERDEFINED")
    outlet.ObjectType = "EV Charging-Point"
    socket = root(ifc, ifc_class="IfcOutlet", predefined_type="USERDEFINED")
    socket.ObjectType = "Power socket"
    if current_type is not None:
        for element in (recharger, outlet):
            pset = ifcopenshell.api.pset.add_pset(ifc, product=element, name="YP_EVCharger")
            ifcopenshell.api.pset.edit_pset(ifc, pset=pset, properties={
                "RatedPower": ifc.createIfcPowerMeasure(60000.0), "CurrentType": ifc.createIfcLabel(current_type)})
    return ifc, recharger, outlet


@pytest.mark.parametrize("current_type,passes", [("DC", True), (None, False), ("fast", False)])
def test_charging_points_need_rated_power_and_current_type(tmp_path, ruleset, current_type, passes):
    path = tmp_path / "chargers.ids"
    write_ids(ruleset, path, figures=["chargers"])
    ifc, recharger, outlet = _charger_model(current_type)
    document = validate(path, ifc)
    by_class = spec_named(document, "EV charging points (IFC4X3 RECHARGER)")
    by_token = spec_named(document, "EV charging points (ObjectType)")
    assert by_class.applicable_entities == [recharger]                 # not the battery
    assert by_token.applicable_entities == [outlet]                    # not the "Power socket"
    assert by_class.status is passes and by_token.status is passes


@pytest.mark.parametrize("value,tokens,contains,matches", [
    ("SOLARPANEL", ("SOLARPANEL",), False, True),
    ("Solar Panel", ("SOLARPANEL",), False, True),
    ("pv-module", ("PVMODULE",), False, True),
    ("PV inverter room", ("PVPANEL", "PVMODULE"), False, False),
    ("solar panel 2", ("SOLARPANEL",), False, False),
    ("充电桩", ("EVSE", "充电桩"), False, True),
    ("GroundSourceHeatPump", ("HEATPUMP",), True, True),
    ("Ground source heat-pump unit", ("HEATPUMP",), True, True),
    ("Heat exchanger", ("HEATPUMP",), True, False),
])
def test_object_type_token_pattern(value, tokens, contains, matches):
    restriction = ifctester_ids.Restriction(options={"pattern": token_pattern(tokens, contains)})
    assert (restriction == value) is matches


def test_same_rule_set_gives_byte_identical_files(tmp_path, ruleset):
    first, second = tmp_path / "a.ids", tmp_path / "b.ids"
    write_ids(ruleset, first, figures=all_figures())
    write_ids(ruleset, second, figures=all_figures())
    assert first.read_bytes() == second.read_bytes()
    assert b"<date>" not in first.read_bytes()
    dated = tmp_path / "dated.ids"
    write_ids(ruleset, dated, figures=all_figures(), date="2024-05-01")
    assert b"<date>2024-05-01</date>" in dated.read_bytes()


def test_unknown_figure_and_bad_date_are_refused(ruleset):
    with pytest.raises(IdsError, match="no IDS requirements for figure.*solar_wind"):
        build_ids(ruleset, figures=["roof_area", "solar_wind"])
    with pytest.raises(IdsError, match="not an ISO date"):
        build_ids(ruleset, date="01/05/2024")


def test_an_invalid_document_raises_and_leaves_no_file(tmp_path, ruleset):
    document = build_ids(ruleset)
    document.specifications[0].ifcVersion = ["IFC5"]
    path = tmp_path / "bad.ids"
    with pytest.raises(IdsError, match="does not conform to the IDS 1.0 schema") as excinfo:
        write_document(document, path)
    assert excinfo.value.file == str(path)
    assert list(tmp_path.iterdir()) == []
