"""compliance.read.geometry: footprints, true surfaces and outlines from the body geometry."""

from __future__ import annotations

import math

import ifcopenshell
import ifcopenshell.guid
import ifcopenshell.util.element
import pytest

from compliance.read.geometry import Shape, ShapeFailure, compute_shapes, overlap_fraction

# --- helpers ---------------------------------------------------------------------------------

def open_model(folder, name):
    return ifcopenshell.open(str(folder / name))


def named(model, ifc_class, name):
    found = [e for e in model.by_type(ifc_class) if e.Name == name]
    assert len(found) == 1, f"{ifc_class} {name!r}: {len(found)} found"
    return found[0]


def shape_of(result, element) -> Shape:
    shape = result[element.id()]
    assert isinstance(shape, Shape), f"#{element.id()} {element.Name!r}: {shape}"
    return shape


def ring_area(ring) -> float:
    """Shoelace area of one ring (closed or not), independent of shapely."""
    points = list(ring[:-1]) if ring[0] == ring[-1] else list(ring)
    twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))
    return abs(twice) / 2


def square(x0, y0, size=1.0):
    return ((x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size), (x0, y0))


class Synthetic:
    """A tiny IFC4 model in millimetres, built in memory, for what no public model shows."""

    def __init__(self):
        self.f = f = ifcopenshell.file(schema="IFC4")
        units = f.createIfcUnitAssignment([f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI", "METRE")])
        origin = self.placement((0.0, 0.0, 0.0))
        model = f.createIfcGeometricRepresentationContext(None, "Model", 3, 1e-5, origin, None)
        self.body = f.createIfcGeometricRepresentationSubContext(
            "Body", "Model", None, None, None, None, model, None, "MODEL_VIEW", None)
        self.project = f.createIfcProject(ifcopenshell.guid.new(), None, "P", None, None, None, None,
                                          [model], units)

    def placement(self, point, axis=None, ref=None):
        f = self.f
        return f.createIfcAxis2Placement3D(
            f.createIfcCartesianPoint(point),
            f.createIfcDirection(axis) if axis else None,
            f.createIfcDirection(ref) if ref else None)

    def slab(self, name, x_mm, y_mm, depth_mm, axis=None, at=(0.0, 0.0, 0.0)):
        """A rectangular slab x_mm × y_mm extruded depth_mm along the local Z of `axis`."""
        f = self.f
        profile = f.createIfcRectangleProfileDef(
            "AREA", None, f.createIfcAxis2Placement2D(f.createIfcCartesianPoint((x_mm / 2, y_mm / 2))),
            x_mm, y_mm)
        solid = f.createIfcExtrudedAreaSolid(
            profile, self.placement((0.0, 0.0, 0.0), axis, (1.0, 0.0, 0.0) if axis else None),
            f.createIfcDirection((0.0, 0.0, 1.0)), depth_mm)
        rep = f.createIfcShapeRepresentation(self.body, "Body", "SweptSolid", [solid])
        return f.createIfcSlab(ifcopenshell.guid.new(), None, name, None, None,
                               f.createIfcLocalPlacement(None, self.placement(at)),
                               f.createIfcProductDefinitionShape(None, None, [rep]), None, "ROOF")


# --- synthetic models: always run ------------------------------------------------------------

def test_sloped_slab_drops_its_upward_edge_strip_and_works_in_metres():
    # 10 m x 5 m, 300 mm thick, tilted 30° about X and extruded perpendicular to its plane:
    # the upper end face (10 m x 0.3 m, normal z = 0.5) faces upward and is an edge strip.
    m = Synthetic()
    s30, c30 = 0.5, math.sqrt(3) / 2
    slab = m.slab("tilted", 10000.0, 5000.0, 300.0, axis=(0.0, -s30, c30), at=(1000.0, 2000.0, 3000.0))
    shape = shape_of(compute_shapes(m.f, [slab], cores=1), slab)
    assert shape.surface_m2 == pytest.approx(50.0, abs=1e-3)          # top face only, not 53
    # top face projected (10 x 5 cos30) plus the strip's projection (10 x 0.3 sin30)
    assert shape.footprint_m2 == pytest.approx(10 * (5 * c30 + 0.3 * s30), abs=1e-3)
    assert shape.z_min == pytest.approx(3.0, abs=1e-6)
    assert shape.z_max == pytest.approx(3.0 + 5 * s30 + 0.3 * c30, abs=1e-6)
    (ring,) = shape.outline
    assert ring[0] == ring[-1]                                         # rings are closed
    # rounding to the millimetre moves each edge by < 0.5 mm: < perimeter x 0.0005 m²
    assert ring_area(ring) == pytest.approx(shape.footprint_m2, abs=29 * 0.0005)
    xs = sorted({x for x, _ in ring})
    assert xs == [1.0, 11.0]                                           # world metres, rounded


def test_flat_synthetic_slab_outline_is_its_rectangle():
    m = Synthetic()
    slab = m.slab("flat", 4000.0, 3000.0, 200.0, at=(1000.0, 2000.0, 3000.0))
    shape = shape_of(compute_shapes(m.f, [slab]), slab)
    assert shape.footprint_m2 == pytest.approx(12.0, abs=1e-9)
    assert shape.surface_m2 == pytest.approx(12.0, abs=1e-9)
    assert (shape.z_min, shape.z_max) == pytest.approx((3.0, 3.2))
    (ring,) = shape.outline
    assert set(ring) == {(1.0, 2.0), (5.0, 2.0), (5.0, 5.0), (1.0, 5.0)}
    assert ring_area(ring) == pytest.approx(12.0)


def test_failures_are_reported_per_element_and_never_raise():
    m = Synthetic()
    good = m.slab("good", 4000.0, 3000.0, 200.0)
    broken = m.slab("zero depth", 4000.0, 3000.0, 0.0)        # the kernel refuses this solid
    bare = m.f.createIfcSlab(ifcopenshell.guid.new(), None, "no shape", None, None, None, None, None, None)
    result = compute_shapes(m.f, [broken, m.project, good, bare], cores=2)
    assert list(result) == [broken.id(), m.project.id(), good.id(), bare.id()]
    assert isinstance(result[good.id()], Shape)
    assert isinstance(result[broken.id()], ShapeFailure)
    assert result[broken.id()].reason.startswith("geometry kernel error:")
    assert "\n" not in result[broken.id()].reason
    assert result[bare.id()] == ShapeFailure("no body representation (the element has no shape representation)")
    assert "not an IfcProduct" in result[m.project.id()].reason


def test_empty_elements_does_not_start_the_iterator(monkeypatch):
    import ifcopenshell.geom

    started = []
    monkeypatch.setattr(ifcopenshell.geom, "iterator", lambda *a, **k: started.append(a))
    assert compute_shapes(Synthetic().f, []) == {}
    assert started == []


def test_iterator_that_cannot_start_fails_every_element(monkeypatch):
    import ifcopenshell.geom

    m = Synthetic()
    slabs = [m.slab("a", 1000.0, 1000.0, 100.0), m.slab("b", 2000.0, 1000.0, 100.0)]

    def refuse(*args, **kwargs):
        raise RuntimeError("kernel unavailable")

    monkeypatch.setattr(ifcopenshell.geom, "iterator", refuse)
    result = compute_shapes(m.f, slabs)
    assert result == {s.id(): ShapeFailure("geometry iterator could not start: kernel unavailable")
                      for s in slabs}


# --- overlap_fraction ------------------------------------------------------------------------

def test_overlap_fraction_on_squares():
    outline = (square(0, 0, 2),)
    assert overlap_fraction(outline, [(square(-1, -1, 4),)]) == pytest.approx(1.0)   # inside
    assert overlap_fraction(outline, [(((1, -1), (3, -1), (3, 3), (1, 3)),)]) == pytest.approx(0.5)
    assert overlap_fraction(outline, [(square(5, 5, 2),)]) == 0.0                      # disjoint
    assert overlap_fraction(outline, []) == 0.0                                         # no others
    # others are unioned: two halves cover it once, not twice
    halves = [(((0, 0), (1, 0), (1, 2), (0, 2)),), (((1, 0), (2, 0), (2, 2), (1, 2)),),
              (((0, 0), (2, 0), (2, 2), (0, 2)),)]
    assert overlap_fraction(outline, halves) == pytest.approx(1.0)
    # a quarter covered, by one of several rings of `others`
    assert overlap_fraction(outline, [(square(1, 1, 1), square(9, 9, 1))]) == pytest.approx(0.25)


def test_overlap_fraction_of_zero_area_and_multi_ring_outlines():
    assert overlap_fraction((), [(square(0, 0),)]) == 0.0
    assert overlap_fraction((((0, 0), (1, 1), (2, 2)),), [(square(0, 0, 3),)]) == 0.0    # a line
    two = (square(0, 0), square(10, 0))                                 # open or closed rings
    assert overlap_fraction(two, [(square(0, 0)[:-1],)]) == pytest.approx(0.5)


# --- the public models ------------------------------------------------------------------------

def test_archicad_sloped_roofs_true_surface_matches_their_quantity(shared_ifc_dir):
    model = open_model(shared_ifc_dir, "AC20-FZK-Haus.ifc")
    roofs = [named(model, "IfcSlab", "Dach-1"), named(model, "IfcSlab", "Dach-2")]
    result = compute_shapes(model, roofs)
    for roof in roofs:
        shape = shape_of(result, roof)
        gross = ifcopenshell.util.element.get_psets(roof, qtos_only=True)["BaseQuantities"]["GrossArea"]
        assert gross == pytest.approx(82.5610884941)
        assert shape.surface_m2 == pytest.approx(gross, rel=1e-6)
        assert shape.footprint_m2 == pytest.approx(71.5, abs=0.01)
        assert shape.footprint_m2 == pytest.approx(gross * math.cos(math.radians(30)), rel=1e-4)


def test_45_degree_roofs_and_a_ridge_cap_of_narrow_faces(shared_ifc_dir):
    model = open_model(shared_ifc_dir, "ExampleHOM.ifc")
    roofs = [named(model, "IfcSlab", n) for n in ("attic_Roof_left", "attic_Roof_right", "attic_Roof_mid")]
    result = compute_shapes(model, roofs)
    for roof in roofs[:2]:
        shape = shape_of(result, roof)
        assert shape.footprint_m2 == pytest.approx(48.898, abs=0.01)
        assert abs(shape.surface_m2 - 69.152) / 69.152 < 0.02
    # the ridge cap is two 45° faces 5 cm wide: all narrow, so both are kept (not zero)
    cap = shape_of(result, roofs[2])
    assert cap.footprint_m2 == pytest.approx(0.1 * 10.805, abs=0.001)
    assert cap.surface_m2 == pytest.approx(0.1 * 10.805 * math.sqrt(2), abs=0.002)


def test_flat_roof_surface_is_its_footprint(shared_ifc_dir):
    model = open_model(shared_ifc_dir, "KIT-EDC_with_SB.ifc")
    (roof,) = [s for s in model.by_type("IfcSlabStandardCase") if s.PredefinedType == "ROOF"]
    shape = shape_of(compute_shapes(model, [roof]), roof)
    assert shape.footprint_m2 == pytest.approx(675.0, abs=1e-6)
    assert shape.surface_m2 == pytest.approx(675.0, abs=1e-6)
    assert (shape.z_min, shape.z_max) == pytest.approx((10.35, 10.65), abs=1e-6)


def test_flat_rectangular_slab_outline_reproduces_its_footprint(shared_ifc_dir):
    model = open_model(shared_ifc_dir, "AC20-FZK-Haus.ifc")
    slab = named(model, "IfcSlab", "Bodenplatte")
    shape = shape_of(compute_shapes(model, [slab]), slab)
    assert shape.footprint_m2 == pytest.approx(120.0, abs=1e-6)
    (ring,) = shape.outline
    assert len(ring) == 5 and ring[0] == ring[-1]                      # a closed rectangle
    assert all(round(c, 3) == c for point in ring for c in point)
    assert ring_area(ring) == pytest.approx(shape.footprint_m2, abs=1e-3)


def test_millimetre_model_roof_slabs_in_metres_and_roof_without_body(shared_ifc_dir):
    model = open_model(shared_ifc_dir, "IfcOpenHouse_IFC4.ifc")
    roof = model.by_type("IfcRoof")[0]
    slabs = [named(model, "IfcSlab", "South roof"), named(model, "IfcSlab", "North roof")]
    storey = model.by_type("IfcBuildingStorey")[0]
    result = compute_shapes(model, [roof, *slabs, storey])
    for slab in slabs:
        shape = shape_of(result, slab)
        assert shape.footprint_m2 == pytest.approx(29.58, abs=0.01)
        assert shape.surface_m2 == pytest.approx(shape.footprint_m2 * math.sqrt(2), rel=1e-3)  # 45°
        assert 2.0 < shape.z_min < shape.z_max < 7.0                   # metres, not millimetres
    for element in (roof, storey):
        assert isinstance(result[element.id()], ShapeFailure)
        assert "no body representation" in result[element.id()].reason


def test_revit_roof_with_its_own_curved_geometry(shared_ifc_dir):
    model = open_model(shared_ifc_dir, "SampleHouse4.ifc")
    (roof,) = model.by_type("IfcRoof")
    shape = shape_of(compute_shapes(model, [roof]), roof)
    assert shape.footprint_m2 == pytest.approx(108.1, abs=0.05)
    # a faceted barrel roof: its facets form one smooth surface, none is taken for an edge strip
    assert shape.surface_m2 == pytest.approx(116.92, abs=0.05)


def test_vertical_edge_strips_of_road_layers_are_dropped(shared_ifc_dir):
    model = open_model(shared_ifc_dir, "PCERT_Infra-Road_IFC4.ifc")
    layers = [s for s in model.by_type("IfcSlab") if s.Name == "bridge road - road asphalt binder course"]
    assert len(layers) == 2
    result = compute_shapes(model, layers)
    for layer in layers:
        shape = shape_of(result, layer)
        # top 8.993 m²; the 8 cm high steep side face (0.289 m², normal z = 0.1) is not counted
        assert shape.surface_m2 == pytest.approx(8.993, abs=0.002)
        assert shape.footprint_m2 == pytest.approx(9.022, abs=0.002)


def test_annotation_only_elements_and_roofs_without_representation(shared_ifc_dir):
    model = open_model(shared_ifc_dir, "AC20-FZK-Haus.ifc")
    annotation = model.by_type("IfcAnnotation")[0]
    assert compute_shapes(model, [annotation]) == {
        annotation.id(): ShapeFailure("no body representation (only: Annotation)")}
    duplex = open_model(shared_ifc_dir, "Duplex_A_20110907.ifc")
    (roof,) = duplex.by_type("IfcRoof")
    (part,) = [s for s in duplex.by_type("IfcSlab") if s.PredefinedType == "ROOF"]
    result = compute_shapes(duplex, [roof, part])
    assert isinstance(result[roof.id()], ShapeFailure)
    assert shape_of(result, part).footprint_m2 > 100


SHARED_OUT = r"""
import json, sys, threading
import ifcopenshell
import compliance.read.geometry as geometry

geometry.REOPEN_BYTES_S = 1e12            # a small file: make the estimate say sharing is worth it
model = ifcopenshell.open(sys.argv[1], lazy=True)     # as the checker opens it
products = model.by_type("IfcProduct")
one = geometry.compute_shapes(model, products, cores=1)
two = geometry.compute_shapes(model, products, cores=2, path=sys.argv[1])
print(json.dumps({"threads": threading.active_count(), "equal": one == two, "order": list(two) == list(one),
                  "shapes": sum(isinstance(s, geometry.Shape) for s in one.values()), "ids": list(one) == [p.id() for p in products]}))
"""


@pytest.mark.parametrize("name", ["IfcOpenHouse_IFC4.ifc", "ExampleHOM.ifc"])
def test_results_do_not_depend_on_the_number_of_cores(shared_ifc_dir, name):
    """With the file's path, the kernel's elements are shared out to a forked process that opens
    the file itself. Run in a fresh interpreter: sharing needs a single-threaded process."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", SHARED_OUT, str(shared_ifc_dir / name)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"threads": 1, "equal": True, "order": True, "shapes": result["shapes"], "ids": True}
    assert result["shapes"] > 20
