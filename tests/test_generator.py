"""The bundled samples and per-rule examples are exactly what the checked-in generator writes,
and the samples hold what their submission.yaml declares (read here with plain ifcopenshell,
not with the checker)."""

from __future__ import annotations

import hashlib
import math
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, SAMPLES

EXAMPLES = ROOT / "features" / "examples"


def digests(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.parent != folder and "__pycache__" not in p.parts}


def all_digests(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generator_reproduces_the_bundled_samples_and_examples(tmp_path):
    out, examples = tmp_path / "samples", tmp_path / "examples"
    subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(out),   # from another cwd
                    "--examples-out", str(examples)], check=True, capture_output=True, timeout=300, cwd=tmp_path)
    generated = digests(out)
    assert generated, "the generator wrote nothing"
    assert generated == digests(SAMPLES)
    assert all_digests(examples) == all_digests(EXAMPLES)


def test_examples_script_alone_writes_the_same_examples(tmp_path):
    out = tmp_path / "examples"
    subprocess.run([sys.executable, str(SAMPLES / "examples.py"), "--out", str(out)],
                   check=True, capture_output=True, timeout=300, cwd=tmp_path)
    generated = all_digests(out)
    assert "README.md" in generated and len(generated) > 2 * 29 * 2
    assert generated == all_digests(EXAMPLES)


def test_generator_with_out_leaves_the_examples_alone(tmp_path):
    """--out without --examples-out writes samples only (a test run never rewrites features/)."""
    out = tmp_path / "samples"
    subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(out)],
                   check=True, capture_output=True, timeout=300, cwd=tmp_path)
    assert not (tmp_path / "features").exists() and not (out / "examples").exists()


# -- the samples hold what their submission.yaml declares (read with plain ifcopenshell) ---------

CAMPUS = ["pass-campus-office-mm", "pass-campus-office-m", "pass-campus-office-ifc4x3-ft"]


def _figures(path) -> dict:
    """The campus figures, read independently of the checker: units, psets, quantities, placements."""
    import ifcopenshell
    import ifcopenshell.util.element as element
    import ifcopenshell.util.placement as placement
    import ifcopenshell.util.unit as unit

    f = ifcopenshell.open(str(path))
    area, power = unit.calculate_unit_scale(f, "AREAUNIT"), unit.calculate_unit_scale(f, "POWERUNIT")

    def pset(e, name, prop):
        value = element.get_psets(e).get(name, {}).get(prop)
        kind = element.get_type(e)
        return value if value is not None or kind is None else element.get_psets(kind).get(name, {}).get(prop)

    def projected(e, qset):
        cosine = abs(placement.get_local_placement(e.ObjectPlacement)[2, 2])
        return pset(e, qset, "GrossArea") * area * cosine

    roofs = [s for s in f.by_type("IfcSlab") if s.PredefinedType == "ROOF"]
    panels = [p for p in f.by_type("IfcSolarDevice") if p.PredefinedType != "SOLARCOLLECTOR"]
    spaces = [s for s in f.by_type("IfcSpace") if s.PredefinedType == "PARKING"]
    counted = [s for s in spaces if not pset(s, "Pset_SpaceParking", "IsAisle")]
    chargers = [e for e in f.by_type("IfcElement") if e.ObjectType == "EVCHARGER" or
                (e.is_a("IfcElectricFlowStorageDevice") and e.PredefinedType == "RECHARGER")]
    return {
        "roof_area_m2": sum(projected(r, "Qto_SlabBaseQuantities") for r in roofs),
        "pv_area_m2": sum(projected(p, "Qto_SolarDeviceBaseQuantities") for p in panels),
        "pv_peak_power_kw": sum(pset(p, "YP_PVPanel", "PeakPower") for p in panels) * power / 1000,
        "storeys_above_ground": sum(1 for s in f.by_type("IfcBuildingStorey") if s.Elevation >= 0),
        "parking_spaces": sum(int(pset(s, "Pset_SpaceParking", "ParkingUnits") or 1) for s in counted),
        "charging_points": len(chargers),
        "fast_charging_points": sum(1 for c in chargers if pset(c, "YP_EVCharger", "CurrentType") == "DC"),
        "charger_ready_spaces": sum(1 for s in counted if pset(s, "YP_ParkingSpace", "ChargerReady") is True),
        "gross_floor_area_m2": pset(f.by_type("IfcBuilding")[0], "Qto_BuildingBaseQuantities", "GrossFloorArea") * area,
        "charger_kw": sorted(pset(c, "YP_EVCharger", "RatedPower") * power / 1000 for c in chargers),
    }


@pytest.mark.parametrize("sample", CAMPUS)
def test_campus_models_hold_their_declared_figures(sample):
    doc = yaml.safe_load((SAMPLES / sample / "submission.yaml").read_text(encoding="utf-8"))
    found = _figures(SAMPLES / sample / "architecture.ifc")
    stated = {**doc["declared"], "gross_floor_area_m2": doc["gross_floor_area_m2"]}
    for field, value in found.items():
        if field in stated:
            assert math.isclose(value, stated[field], abs_tol=0.01), (field, value, stated[field])
    assert found["charger_kw"] == pytest.approx([7, 7, 7, 7, 60, 60])
    # the IfcAirToAirHeatRecovery recovers the building's own exhaust air: an efficiency measure, no renewable
    assert stated["renewable_systems"] == ["pv", "solar_thermal", "heat_pump"]


def test_feet_sample_uses_conversion_based_units():
    import ifcopenshell
    import ifcopenshell.util.unit as unit

    f = ifcopenshell.open(str(SAMPLES / "pass-campus-office-ifc4x3-ft" / "architecture.ifc"))
    assert f.schema_identifier.startswith("IFC4X3")
    assert unit.calculate_unit_scale(f, "LENGTHUNIT") == pytest.approx(0.3048)
    assert unit.calculate_unit_scale(f, "AREAUNIT") == pytest.approx(0.09290304)
    assert unit.calculate_unit_scale(f, "POWERUNIT") == pytest.approx(1000.0)
    assert {u.Name for u in f.by_type("IfcConversionBasedUnit")} >= {"foot", "square foot"}


def test_broken_model_samples_are_broken_as_intended():
    truncated = (SAMPLES / "error-truncated-model" / "architecture.ifc").read_bytes()
    assert b"\nDATA;\n" in truncated and b"END-ISO-10303-21" not in truncated and not truncated.endswith(b"\n")
    assert not (SAMPLES / "error-not-ifc" / "architecture.ifc").read_bytes().startswith(b"ISO-10303-21")
    header = (SAMPLES / "error-unsupported-schema" / "architecture.ifc").read_text(encoding="ascii")
    assert "FILE_SCHEMA(('IFC2X2_FINAL'));" in header and header.rstrip().endswith("END-ISO-10303-21;")
