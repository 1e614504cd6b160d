"""IFC -> glb for the web app's 3D view (compliance/web/model3d.py), on real models: the glb's
node names are the GlobalIds of the elements with a body, in metres and Y up; a hostile model
costs only the view (or the broken elements), never the caller."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.unit
import numpy as np
import pytest
from bad_inputs import CORPUS, build

from compliance.web.model3d import View3D, convert_model, load_view

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "ifc_samples"
UNAFFECTED = "the verdict is unaffected"


def read_glb(path: Path) -> dict:
    """The JSON chunk of a glTF 2 binary, read by hand (header: magic, version, length)."""
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    chunk_length, chunk_type = struct.unpack_from("<I4s", data, 12)
    assert (magic, version, length, chunk_type) == (b"glTF", 2, len(data), b"JSON")
    return json.loads(data[20:20 + chunk_length])


def node_names(document: dict) -> list[str]:
    return [node["name"] for node in document["nodes"] if "mesh" in node]


def bounds(document: dict) -> tuple[np.ndarray, np.ndarray]:
    """World bounding box of every mesh node: the accessors' min/max corners through the node
    matrices (glTF's column-major 4x4)."""
    low, high = np.full(3, np.inf), np.full(3, -np.inf)
    for node in document["nodes"]:
        if "mesh" not in node:
            continue
        matrix = np.array(node.get("matrix", np.eye(4).flatten())).reshape(4, 4).T
        for primitive in document["meshes"][node["mesh"]]["primitives"]:
            accessor = document["accessors"][primitive["attributes"]["POSITION"]]
            for corner in np.array(np.meshgrid(*zip(accessor["min"], accessor["max"]))).T.reshape(-1, 3):
                world = (matrix @ np.append(corner, 1.0))[:3]
                low, high = np.minimum(low, world), np.maximum(high, world)
    return low, high


def body_products(path: Path) -> set[str]:
    """GlobalIds of the products a viewer should show, by reading the IFC (not the kernel):
    a 'Body' (or 'Facetation', a site's terrain) shape representation with items; openings,
    which are cut out of their walls, are not things."""
    ifc = ifcopenshell.open(str(path))
    out = set()
    for product in ifc.by_type("IfcProduct"):
        if product.is_a("IfcFeatureElementSubtraction") or not product.Representation:
            continue
        if any(rep.RepresentationIdentifier in ("Body", "Facetation") and rep.Items
               for rep in product.Representation.Representations):
            out.add(product.GlobalId)
    return out


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def convert(source: Path, folder: Path, **kwargs) -> tuple[View3D, Path]:
    out = folder / f"{source.stem}.glb"
    return convert_model(source, out, **kwargs), out


@pytest.mark.parametrize("model", [
    "fail-office/architecture.ifc",          # IFC4, millimetres
    "fail-office/mep.ifc",                   # PV panels: GlobalIds with '$' and '_'
    "pass-school/architecture.ifc",
    "pass-factory-ifc2x3/factory.ifc",       # IFC2X3
    "pass-campus-office-ifc4x3-ft/architecture.ifc",   # IFC4X3, feet
])
def test_nodes_are_the_globalids_of_the_elements_with_a_body(model, tmp_path):
    source = SAMPLES / model
    view, out = convert(source, tmp_path)
    assert view.ok, view.message
    document = read_glb(out)
    names = node_names(document)
    assert len(names) == len(set(names))
    assert set(names) == body_products(source)
    assert view.global_ids == tuple(sorted(names))
    assert view.file == source.name and view.glb == out.name and view.skipped == () and view.message is None
    assert load_view(out.with_suffix(".json")) == view
    assert leftovers(tmp_path) == []


def test_a_public_model(shared_ifc_dir, tmp_path):
    source = shared_ifc_dir / "IfcOpenHouse_IFC4.ifc"
    view, out = convert(source, tmp_path)
    assert view.ok, view.message
    expected = body_products(source)
    assert set(node_names(read_glb(out))) == expected and len(expected) > 20
    ifc = ifcopenshell.open(str(source))
    assert ifc.by_type("IfcOpeningElement"), "the model has openings, and they are left out"
    assert not {o.GlobalId for o in ifc.by_type("IfcOpeningElement")} & set(view.global_ids)


def test_metres_and_y_up_whatever_the_length_unit(tmp_path):
    mm, m = (SAMPLES / f"pass-campus-office-{u}" / "architecture.ifc" for u in ("mm", "m"))
    scales = [ifcopenshell.util.unit.calculate_unit_scale(ifcopenshell.open(str(p))) for p in (mm, m)]
    assert scales == [0.001, 1.0]
    (mm_view, mm_out), (m_view, m_out) = convert(mm, tmp_path / "mm"), convert(m, tmp_path / "m")
    assert mm_view.ok and m_view.ok and len(mm_view.global_ids) == len(m_view.global_ids) > 50
    mm_low, mm_high = bounds(read_glb(mm_out))
    m_low, m_high = bounds(read_glb(m_out))
    np.testing.assert_allclose(mm_low, m_low, atol=1e-3)
    np.testing.assert_allclose(mm_high, m_high, atol=1e-3)
    # Y is up: the glb's vertical extent spans the storeys' elevations (metres), and no more
    # than a storey's height above the highest
    ifc = ifcopenshell.open(str(mm))
    elevations = [s.Elevation * scales[0] for s in ifc.by_type("IfcBuildingStorey")]
    assert len(elevations) > 1 and max(elevations) > 5
    assert mm_low[1] <= min(elevations) + 0.01 and max(elevations) < mm_high[1] < max(elevations) + 10
    assert 10 < (mm_high - mm_low)[0] < 1000 and 10 < (mm_high - mm_low)[2] < 1000   # a building, in metres


@pytest.mark.parametrize("case", ["ifc-cyclic-placement", "ifc-wrong-kind-placement"])
def test_a_broken_element_is_kept_from_the_kernel_and_named(case, tmp_path):
    """These models segfault the kernel when it is given the roof (see the next test)."""
    source = build(CORPUS / case, tmp_path / "case").folder / "architecture.ifc"
    view, out = convert(source, tmp_path / "view")
    assert view.ok, view.message
    roof = "02uWKvHdfGlObaC_ulD$7r"
    assert roof in view.skipped
    assert roof not in view.global_ids
    assert UNAFFECTED in view.message and f"{len(view.skipped)} element(s) are not shown" in view.message
    names = set(node_names(read_glb(out)))
    assert names == body_products(source) - set(view.skipped) and len(names) > 20
    assert load_view(out.with_suffix(".json")) == view


def test_a_kernel_crash_costs_only_the_view(tmp_path):
    source = build(CORPUS / "ifc-cyclic-placement", tmp_path / "case").folder / "architecture.ifc"
    folder = tmp_path / "view"
    folder.mkdir()
    stale = folder / "architecture.glb"
    stale.write_bytes(b"a view of an earlier upload")
    view, out = convert(source, folder, guard=False)     # the roof's looping placement reaches the kernel
    assert not view.ok
    assert "crashed" in view.message and "signal 11" in view.message and UNAFFECTED in view.message
    assert view.global_ids == () and view.glb is None
    assert not out.exists(), "no glb, not even the stale one"
    assert leftovers(folder) == [], "the kernel's scratch files are removed"
    assert load_view(out.with_suffix(".json")) == view
    # and this process is still here to convert a sound model
    again, _ = convert(SAMPLES / "pass-school" / "architecture.ifc", tmp_path / "after")
    assert again.ok


def test_a_conversion_past_its_time_limit_is_stopped(tmp_path):
    view, out = convert(SAMPLES / "pass-school" / "architecture.ifc", tmp_path, time_limit_s=0.05)
    assert not view.ok and "took longer than the limit of 0.05 s" in view.message
    assert view.seconds < 5
    assert not out.exists() and leftovers(tmp_path) == []
    assert load_view(out.with_suffix(".json")).ok is False


def test_a_file_that_is_not_ifc_gets_a_message(tmp_path):
    view, out = convert(SAMPLES / "error-not-ifc" / "architecture.ifc", tmp_path)
    assert not view.ok and "could not be converted" in view.message and UNAFFECTED in view.message
    assert not out.exists() and out.with_suffix(".json").is_file()


def test_load_view_refuses_a_file_that_is_not_a_view(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('["not", "a", "view"]')
    with pytest.raises(ValueError, match="not a 3D view description"):
        load_view(bad)


def test_importing_the_module_imports_only_the_standard_library():
    code = ("import importlib.util, sys; before = set(sys.modules); "
            f"spec = importlib.util.spec_from_file_location('model3d', {str(ROOT / 'compliance/web/model3d.py')!r}); "
            "module = sys.modules['model3d'] = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
            "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} - set(sys.stdlib_module_names) - {'model3d'}))")
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
