"""compliance.read.extrusion: the analytic Shape of single-extrusion bodies agrees with the kernel's.

Every comparison is against `compute_shapes` (the real geometry kernel) on real files: the bundled
samples, the public models of ../shared/ifc, the benchmark generator's model, and small models
built in memory for what no file shows (oblique and downward sweeps, mapped items, indexed curves).
"""

from __future__ import annotations

import functools
import importlib.util
import math
import sys

import ifcopenshell
import ifcopenshell.guid
import ifcopenshell.util.unit
import pytest
import shapely
from conftest import ROOT, SAMPLES, shared_ifc_files

from compliance.read.extrusion import Placements, extrusion_shape
from compliance.read.geometry import Shape, compute_shapes

CLASSES = ("IfcSlab", "IfcRoof", "IfcSolarDevice", "IfcBuildingElementProxy", "IfcCovering", "IfcPlate",
           "IfcSpace", "IfcWall")
PER_CLASS = 60          # keeps the suite fast on big public models (at most ~200 elements a file)
SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*/*.ifc") if not p.parent.name.startswith("error-"))  # error-*: broken on purpose
SHARED_FILES = shared_ifc_files()


# --- helpers ----------------------------------------------------------------------------------

def disagreements(fast: Shape, kernel) -> list[str]:
    """What differs between the analytic Shape and the kernel's, beyond the tolerances."""
    if not isinstance(kernel, Shape):
        return [f"kernel gave {kernel}"]
    found = []
    for name in ("footprint_m2", "surface_m2"):
        a, b = getattr(fast, name), getattr(kernel, name)
        if abs(a - b) > max(1e-6, 1e-4 * max(abs(a), abs(b))):
            found.append(f"{name} {a:.6f} vs kernel {b:.6f}")
    for name in ("z_min", "z_max"):
        if abs(getattr(fast, name) - getattr(kernel, name)) > 1e-5:
            found.append(f"{name} {getattr(fast, name):.6f} vs kernel {getattr(kernel, name):.6f}")
    if len(fast.outline) != len(kernel.outline):
        found.append(f"{len(fast.outline)} outline rings vs kernel {len(kernel.outline)}")
    for i, (a, b) in enumerate(zip(fast.outline, kernel.outline)):
        a, b = shapely.Polygon(a).area, shapely.Polygon(b).area
        if abs(a - b) > max(1e-6, 1e-4 * max(a, b)):
            found.append(f"outline ring {i} area {a:.6f} vs kernel {b:.6f}")
    return found


def compare(ifc, elements) -> tuple[dict, list[str]]:
    """extrusion_shape of each element, and the disagreements with the kernel, one line each."""
    placements = Placements(ifcopenshell.util.unit.calculate_unit_scale(ifc))
    fast = {e.id(): extrusion_shape(e, placements) for e in elements}
    kernel = compute_shapes(ifc, [e for e in elements if fast[e.id()] is not None], cores=1)
    problems = [f"#{pid} {ifc.by_id(pid).is_a()}: {'; '.join(found)}"
                for pid, shape in fast.items() if shape is not None
                for found in [disagreements(shape, kernel[pid])] if found]
    return fast, problems


def elements_of(ifc, per_class: int | None = PER_CLASS) -> list:
    found = {}
    for cls in CLASSES:
        try:
            found.update((e.id(), e) for e in ifc.by_type(cls)[:per_class])
        except RuntimeError:          # class absent from this schema (IfcSolarDevice in IFC2X3)
            pass
    return list(found.values())


@functools.lru_cache(maxsize=None)
def checked(path):
    """(ifc, fast shapes by id, disagreements) of one model file; None when it cannot be opened."""
    try:
        ifc = ifcopenshell.open(str(path))
    except Exception:                 # the deliberately broken samples
        return None
    fast, problems = compare(ifc, elements_of(ifc))
    return ifc, fast, problems


def assert_agrees(path):
    result = checked(path)
    assert result is not None, f"{path}: ifcopenshell cannot open it"
    ifc, fast, problems = result
    assert not problems, f"{path}: {len(problems)} disagreements:\n" + "\n".join(problems[:20])


# --- real files -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_samples_agree_with_the_kernel(path):
    assert_agrees(path)


@pytest.mark.parametrize("path", SHARED_FILES or [None], ids=lambda p: p.name if p else "<absent>")
def test_public_models_agree_with_the_kernel(path, shared_ifc_dir):
    assert_agrees(path)


def test_samples_roof_slabs_and_panels_are_mostly_handled():
    handled = total = 0
    for path in SAMPLE_FILES:
        result = checked(path)
        if result is None:
            continue
        ifc, fast, _ = result
        for e in [*ifc.by_type("IfcSlab"), *(ifc.by_type("IfcSolarDevice") if ifc.schema != "IFC2X3" else ())]:
            if e.id() in fast and (e.is_a("IfcSolarDevice") or e.PredefinedType == "ROOF"):
                total += 1
                handled += fast[e.id()] is not None
    assert total > 500 and handled >= 0.95 * total, f"{handled} of {total} roof slabs and panels handled"


def test_public_models_extrusions_are_handled(shared_ifc_dir):
    """Every plain extrusion of the public models (IfcPolyline, IfcIndexedPolyCurve and rectangle
    profiles, direct or mapped, without openings) is handled: counted over all their elements."""
    expect = {"3rooms_Heater_AirTerminal_Table_with_SB.ifc": 4, "AC20-FZK-Haus.ifc": 6,
              "Duplex_A_20110907.ifc": 73, "ExampleHOM.ifc": 9, "IfcOpenHouse_IFC4.ifc": 8,
              "KIT-EDC_with_SB.ifc": 35, "Office_A_20110811.ifc": 515, "SampleHouse4.ifc": 12,
              "TestModel_IFC4Add2.ifc": 3}
    for name, count in expect.items():
        ifc = checked(shared_ifc_dir / name)[0]
        placements = Placements(ifcopenshell.util.unit.calculate_unit_scale(ifc))
        handled = sum(extrusion_shape(e, placements) is not None for e in elements_of(ifc, None))
        assert handled >= count, f"{name}: {handled} handled"


def test_known_unhandled_bodies_return_none(shared_ifc_dir):
    ifc = checked(shared_ifc_dir / "AC20-FZK-Haus.ifc")[0]
    placements = Placements(ifcopenshell.util.unit.calculate_unit_scale(ifc))
    walls = [w for w in ifc.by_type("IfcWall") if w.HasOpenings]
    spaces = list(ifc.by_type("IfcSpace"))            # IfcFacetedBrep bodies
    assert walls and spaces
    assert all(extrusion_shape(e, placements) is None for e in walls + spaces)
    office = checked(shared_ifc_dir / "Office_A_20110811.ifc")[0]
    voids = [s for s in office.by_type("IfcSpace")
             if s.Representation.Representations[-1].Items[0].SweptArea.is_a("IfcArbitraryProfileDefWithVoids")]
    assert voids and all(extrusion_shape(s, Placements(1.0)) is None for s in voids)
    assert extrusion_shape(ifc.by_type("IfcProject")[0], placements) is None


def test_benchmark_model_agrees(tmp_path):
    spec = importlib.util.spec_from_file_location("bigmodel", ROOT / "bench" / "bigmodel.py")
    bigmodel = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bigmodel                 # its dataclasses look their module up
    spec.loader.exec_module(bigmodel)
    bigmodel.write_submission(tmp_path, 3000)
    ifc = ifcopenshell.open(str(tmp_path / "architecture.ifc"))
    elements = [*ifc.by_type("IfcSlab"), *ifc.by_type("IfcSolarDevice")]
    fast, problems = compare(ifc, elements)
    assert all(shape is not None for shape in fast.values())
    assert not problems, "\n".join(problems[:20])
    panel = fast[ifc.by_type("IfcSolarDevice")[0].id()]      # 1.0 × 1.7 m at 10°: top cap only
    assert panel.surface_m2 == pytest.approx(1.7, rel=1e-9)


def test_unit_variants_of_one_model_agree():
    shapes = {}
    for unit in ("m", "mm", "ifc4x3-ft"):
        ifc, fast, problems = checked(SAMPLES / f"pass-campus-office-{unit}" / "architecture.ifc")
        assert not problems
        shapes[unit] = sorted((s.footprint_m2, s.surface_m2, s.z_max) for s in fast.values() if s)
    assert len(shapes["m"]) > 90
    for unit in ("mm", "ifc4x3-ft"):
        assert len(shapes[unit]) == len(shapes["m"])
        for ours, metric in zip(shapes[unit], shapes["m"]):
            assert ours == pytest.approx(metric, rel=1e-6, abs=1e-6), unit


# --- small models built in memory -------------------------------------------------------------

class Model:
    """An IFC4 model in metres, millimetres or feet; coordinates are given in metres."""

    SCALE = {"m": 1.0, "mm": 0.001, "ft": 0.3048}

    def __init__(self, unit: str):
        self.f = f = ifcopenshell.file(schema="IFC4")
        self.k = 1.0 / self.SCALE[unit]
        if unit == "ft":
            metre = f.createIfcSIUnit(None, "LENGTHUNIT", None, "METRE")
            length = f.createIfcConversionBasedUnit(
                f.createIfcDimensionalExponents(1, 0, 0, 0, 0, 0, 0), "LENGTHUNIT", "FOOT",
                f.createIfcMeasureWithUnit(f.createIfcLengthMeasure(0.3048), metre))
        else:
            length = f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI" if unit == "mm" else None, "METRE")
        ctx = f.createIfcGeometricRepresentationContext(None, "Model", 3, 1e-5, self.a3((0, 0, 0)), None)
        self.body = f.createIfcGeometricRepresentationSubContext("Body", "Model", None, None, None, None, ctx,
                                                                 None, "MODEL_VIEW", None)
        f.createIfcProject(ifcopenshell.guid.new(), None, "P", None, None, None, None, [ctx],
                           f.createIfcUnitAssignment([length]))
        self.root = f.createIfcLocalPlacement(None, self.a3((100.0, 50.0, 20.0), (0, 0, 1), (0.6, 0.8, 0)))

    def a3(self, at, axis=None, ref=None):
        f = self.f
        return f.createIfcAxis2Placement3D(f.createIfcCartesianPoint([c * self.k for c in at]),
                                           f.createIfcDirection(axis) if axis else None,
                                           f.createIfcDirection(ref) if ref else None)

    def rect(self, x, y, at=(0.0, 0.0), ref=None):
        f = self.f
        pos = f.createIfcAxis2Placement2D(f.createIfcCartesianPoint([c * self.k for c in at]),
                                          f.createIfcDirection(ref) if ref else None)
        return f.createIfcRectangleProfileDef("AREA", None, pos, x * self.k, y * self.k)

    def polyline(self, points):
        f = self.f
        pts = [f.createIfcCartesianPoint([c * self.k for c in p]) for p in points]
        return f.createIfcArbitraryClosedProfileDef("AREA", None, f.createIfcPolyline(pts + pts[:1]))

    def indexed(self, points, segments=None):
        f = self.f
        table = f.createIfcCartesianPointList2D([[c * self.k for c in p] for p in points])
        segs = [f.create_entity(kind, ids) for kind, ids in segments] if segments else None
        return f.createIfcArbitraryClosedProfileDef("AREA", None, f.createIfcIndexedPolyCurve(table, segs, False))

    def solid(self, profile, depth, direction=(0, 0, 1), position=None):
        return self.f.createIfcExtrudedAreaSolid(profile, position, self.f.createIfcDirection(direction),
                                                 depth * self.k)

    def mapped(self, item, origin, target_axes=(None, None, None), at=(0, 0, 0), scale=None, scales=None):
        f = self.f
        rep = f.createIfcShapeRepresentation(self.body, "Body", "SweptSolid", [item])
        axes = [f.createIfcDirection(a) if a else None for a in target_axes]
        point = f.createIfcCartesianPoint([c * self.k for c in at])
        if scales:
            target = f.createIfcCartesianTransformationOperator3DnonUniform(*axes[:2], point, scale, axes[2], *scales)
        else:
            target = f.createIfcCartesianTransformationOperator3D(*axes[:2], point, scale, axes[2])
        return f.createIfcMappedItem(f.createIfcRepresentationMap(origin, rep), target)

    def slab(self, items, at=(1.0, 2.0, 3.0), axis=None, ref=None, relative=None):
        f = self.f
        rep = f.createIfcShapeRepresentation(self.body, "Body", "SweptSolid", list(items))
        place = f.createIfcLocalPlacement(self.root, relative or self.a3(at, axis, ref))
        return f.createIfcSlab(ifcopenshell.guid.new(), None, "S", None, None, place,
                               f.createIfcProductDefinitionShape(None, None, [rep]), None, "ROOF")


def tilt(degrees):
    t = math.radians(degrees)
    return (0.0, -math.sin(t), math.cos(t))


L_SHAPE = [(0, 0), (4, 0), (4, 1), (1, 1), (1, 3), (0, 3)]
COMB = [(0, 0), (6, 0), (6, 2), (5, 2), (5, 0.3), (4.8, 0.3), (4.8, 2), (0, 2)]
ROUND = [(2 * math.cos(k * math.pi / 20), 2 * math.sin(k * math.pi / 20)) for k in range(40)]

HANDLED = {
    "tilted-35": lambda m: m.slab([m.solid(m.rect(3, 2, (1.5, 1)), 0.3)], axis=tilt(35), ref=(1, 0, 0)),
    "axis-without-ref": lambda m: m.slab([m.solid(m.rect(3, 1), 0.2)], axis=(0.3, 0.4, 0.866)),
    "rotated-profile": lambda m: m.slab([m.solid(m.rect(5, 1, (2, 0), ref=(1, 1)), 0.2)], axis=tilt(20), ref=(1, 0, 0)),
    "sheared-l": lambda m: m.slab([m.solid(m.polyline(L_SHAPE), 3.0, direction=(1, 0, 0.2))]),
    "downward-cw": lambda m: m.slab([m.solid(m.polyline(L_SHAPE[::-1]), 0.25, direction=(0, 0, -1))], axis=tilt(15),
                                    ref=(1, 0, 0)),
    "steep-block": lambda m: m.slab([m.solid(m.rect(2, 2), 1.0)], axis=tilt(45), ref=(1, 0, 0)),
    "comb-tilted": lambda m: m.slab([m.solid(m.polyline(COMB), 0.4)], axis=tilt(25), ref=(1, 0, 0)),
    "sideways": lambda m: m.slab([m.solid(m.polyline(L_SHAPE), 6.0, position=m.a3((0, 0, 0), (1, 0, 0), (0, 1, 0)))]),
    "triangle": lambda m: m.slab([m.solid(m.polyline([(0, 0), (3, 0), (0, 2)]), 0.2)], axis=tilt(40), ref=(1, 0, 0)),
    "polygon-40": lambda m: m.slab([m.solid(m.polyline(ROUND), 0.5, direction=(0.3, 0.1, 1))], axis=tilt(8),
                                   ref=(1, 0, 0)),
    "indexed-plain": lambda m: m.slab([m.solid(m.indexed(L_SHAPE + L_SHAPE[:1]), 0.3)], axis=tilt(5), ref=(1, 0, 0)),
    "indexed-lines": lambda m: m.slab([m.solid(m.indexed(L_SHAPE, [("IfcLineIndex", (1, 2, 3, 4)),
                                                                   ("IfcLineIndex", (4, 5, 6, 1))]), 0.3)]),
    "mapped-scaled": lambda m: m.slab([m.mapped(m.solid(m.rect(2, 1), 0.1), m.a3((1, 1, 0), tilt(30), (1, 0, 0)),
                                                ((0.8, 0.6, 0), None, None), at=(5, 0, 1), scale=2.0)]),
    "mapped-plain": lambda m: m.slab([m.mapped(m.solid(m.polyline(COMB), 0.2), m.a3((0, 0, 0)))], axis=tilt(12),
                                     ref=(1, 0, 0)),
}


@pytest.mark.parametrize("unit", ["m", "mm", "ft"])
def test_built_models_agree_with_the_kernel(unit):
    model = Model(unit)
    slabs = {name: make(model) for name, make in HANDLED.items()}
    fast, problems = compare(model.f, list(slabs.values()))
    assert [n for n, s in slabs.items() if fast[s.id()] is None] == []
    assert not problems, "\n".join(problems)
    sheared = fast[slabs["sheared-l"].id()]      # its sloping sides are within 30° of the top: one surface
    assert sheared.surface_m2 > 6.0


UNHANDLED = {
    "two-items": lambda m: m.slab([m.solid(m.rect(1, 1), 0.2), m.solid(m.rect(1, 1, (3, 0)), 0.2)]),
    "block": lambda m: m.slab([m.f.createIfcBlock(m.a3((0, 0, 0)), 1.0, 1.0, 1.0)]),
    "circle": lambda m: m.slab([m.solid(m.f.createIfcCircleProfileDef("AREA", None, None, 1.0), 0.2)]),
    "curve-profile": lambda m: m.slab([m.solid(m.f.createIfcRectangleProfileDef("CURVE", None, None, 1.0, 1.0), 0.2)]),
    "voids": lambda m: m.slab([m.solid(m.f.createIfcArbitraryProfileDefWithVoids(
        "AREA", None, m.polyline(L_SHAPE).OuterCurve,
        [m.polyline([(0.2, 0.2), (0.5, 0.2), (0.5, 0.5)]).OuterCurve]), 0.2)]),
    "arc": lambda m: m.slab([m.solid(m.indexed([(0, 0), (2, 0), (2, 2), (1, 2.5), (0, 2)],
                                               [("IfcLineIndex", (1, 2, 3)), ("IfcArcIndex", (3, 4, 5)),
                                                ("IfcLineIndex", (5, 1))]), 0.2)]),
    "bow-tie": lambda m: m.slab([m.solid(m.polyline([(0, 0), (2, 2), (2, 0), (0, 2)]), 0.2)]),
    "zero-depth": lambda m: m.slab([m.solid(m.rect(1, 1), 0.0)]),
    "tapered": lambda m: m.slab([m.f.createIfcExtrudedAreaSolidTapered(
        m.rect(1, 1), None, m.f.createIfcDirection((0, 0, 1)), 1.0, m.rect(0.5, 0.5))]),
    "mirrored": lambda m: m.slab([m.mapped(m.solid(m.rect(2, 1), 0.1), m.a3((0, 0, 0)), (None, (0, -1, 0), None))]),
    # IFC reads this as a 180° turn; the kernel compares its Y with a default Axis2 (0, 1, 0) and
    # mirrors instead: left to the kernel, whose answer is the reference
    "axis1-reversed": lambda m: m.slab([m.mapped(m.solid(m.rect(2, 1, (3, 1)), 0.1), m.a3((0, 0, 0)),
                                                 ((-1, 0, 0), None, None))]),
    "non-uniform": lambda m: m.slab([m.mapped(m.solid(m.rect(2, 1), 0.1), m.a3((0, 0, 0)), scale=1.0,
                                              scales=(2.0, 1.0))]),
    "2d-placement": lambda m: m.slab([m.solid(m.rect(1, 1), 0.2)], relative=m.f.createIfcAxis2Placement2D(
        m.f.createIfcCartesianPoint((0.0, 0.0)), None)),
}


def test_unhandled_bodies_return_none():
    model = Model("mm")
    placements = Placements(0.001)
    for name, make in UNHANDLED.items():
        assert extrusion_shape(make(model), placements) is None, name
    slab = HANDLED["tilted-35"](model)
    opening = model.f.createIfcOpeningElement(ifcopenshell.guid.new(), None, "O", None, None, None, None, None)
    assert extrusion_shape(slab, placements) is not None
    model.f.createIfcRelVoidsElement(ifcopenshell.guid.new(), None, None, None, slab, opening)
    assert extrusion_shape(slab, placements) is None


def test_placements_are_memoised_and_refuse_grids():
    model = Model("m")
    slabs = [model.slab([model.solid(model.rect(1, 1), 0.1)]) for _ in range(3)]
    placements = Placements(1.0)
    matrices = [placements.matrix(s.ObjectPlacement) for s in slabs]
    assert placements.matrix(model.root) is placements.matrix(slabs[0].ObjectPlacement.PlacementRelTo)
    assert matrices[0][:3, 3].tolist() == pytest.approx([100.0 + 0.6 - 1.6, 50.0 + 0.8 + 1.2, 23.0])
    grid = model.f.createIfcGridPlacement(None, None)
    assert placements.matrix(grid) is None
