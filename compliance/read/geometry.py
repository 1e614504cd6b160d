"""Areas and outlines from the triangulated body geometry of IFC elements.

`compute_shapes` runs `ifcopenshell.geom.iterator` (world coordinates; the kernel always
outputs metres, whatever the project's length unit) over the given elements and measures each
one's upward-facing triangles (normal z > 0.01):

- footprint: the area of the union of those triangles projected on the world XY plane, and the
  exterior rings of that union (the outline used for "is this panel on a roof" checks);
- true surface: the 3D area of those triangles without the narrow edge strips of a slab. The
  triangles are grouped into smooth surfaces (edge-connected, neighbouring normals within 30°,
  so a curved roof is one surface and a slab's edges, at ~90° to its top, are separate). A
  surface is an edge strip when its width (area / longest extent) is under 0.5 m and under half
  the width of the widest surface: a ridge cap made only of narrow faces keeps all of them.

Nothing is computed or imported at import time; ifcopenshell.geom, numpy and shapely are
imported by the functions that use them. Nothing is cached between calls except through the
`cache` a caller passes (geocache.py: kernel results on disk by file SHA-256).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from .kernelguard import Guard

UP_NZ = 0.01                # a triangle faces upward when its unit normal has z above this
SMOOTH_COS = 0.8660254      # cos 30°: neighbouring triangles closer than this are one surface
STRIP_WIDTH_M = 0.5         # a surface narrower than this (and than half the widest) is an edge strip
MIN_RING_AREA_M2 = 1e-6     # footprint pieces smaller than 1 mm² are left out of the outline


@dataclass(frozen=True)
class Shape:
    footprint_m2: float      # area of the union of the upward-facing triangles projected on world XY
    surface_m2: float        # 3D area of the upward-facing surfaces without a slab's edge strips
    z_min: float             # world Z range of the element, metres
    z_max: float
    # exterior rings of the footprint polygon(s), world XY metres rounded to 0.001, largest
    # first; each ring is CLOSED (its last point repeats its first). Holes are not included.
    outline: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class ShapeFailure:
    reason: str              # one plain-English line
    reason_zh: str = field(default="", compare=False)   # the same in Chinese


KERNEL_S = 0.0015            # about what the kernel takes per simple element, seconds
REOPEN_BYTES_S = 60e6        # bytes per second a process opens a model at (lazily)


def compute_shapes(ifc, elements, cores: int | None = None, *, placements=None, cache=None,
                   path=None) -> dict[int, Shape | ShapeFailure]:
    """For each element (ifcopenshell entity instances of one file), keyed by element.id().

    Uses ifcopenshell.geom.iterator with use-world-coords=True, include=elements. Output is in
    metres whatever the project's length unit. Every element given gets an entry: an element
    with no 'Body' representation, one the iterator skips, or one whose geometry fails ->
    ShapeFailure with a reason. Never raises for a per-element problem; if the iterator cannot
    initialise at all, every element gets a ShapeFailure. An empty `elements` returns {}
    without starting the iterator.

    The kernel runs on one thread in this process: a lazily opened model (ifcfile.py) is not
    safe for the kernel's threads (measured here: wrong shapes, then a segfault). With `path`
    (the model file) and `cores` > 1 (default: os.cpu_count()), many kernel elements are shared
    out to forked processes that each open the file themselves (`forked.py`), when that is
    worth the reopening.
    `placements` (an `extrusion.Placements` of this file): a body that is one extruded prism is
    measured analytically (the same figures, `tests/test_extrusion.py`) and skips the kernel.
    `cache` (a `geocache.GeometryCache` of this file): the kernel's results are taken from it and
    stored in it.
    """
    elements = list(elements)
    out, todo = _without_kernel(elements, placements, cache, Guard(str(getattr(ifc, "schema_identifier", ifc.schema))))
    if todo:
        kernel = _kernel_shares(ifc, todo, cores, path)
        out.update(kernel)
        if cache is not None:
            for pid, shape in kernel.items():
                cache.put(pid, shape)
            cache.save()
    return {element.id(): out[element.id()] for element in elements}


def _without_kernel(elements: list, placements, cache, guard: Guard) -> tuple[dict, dict]:
    """(shapes known without the kernel, {id: element} the kernel must build)."""
    from .extrusion import extrusion_shape

    out: dict[int, Shape | ShapeFailure] = {}
    todo = {}
    for element in elements:
        try:
            failure = _no_body(element)
        except Exception as exc:   # a malformed representation is this element's problem only
            failure = _unreadable(exc)
        if failure:
            out[element.id()] = failure
        elif placements is not None and (shape := extrusion_shape(element, placements)) is not None:
            out[element.id()] = shape      # (the analytic path stops at a loop by itself)
        elif cache is not None and (known := cache.get(element.id())) is not None:
            out[element.id()] = known
        else:
            try:
                failure = _unsafe(element, guard)     # only what the kernel would see: the walk costs
            except Exception as exc:
                failure = _unreadable(exc)
            if failure:
                out[element.id()] = failure
            else:
                todo[element.id()] = element
    return out, todo


def _unsafe(element, guard: Guard) -> ShapeFailure | None:
    problem = guard.problem(element)
    if problem is None:
        return None
    return ShapeFailure(f"a broken model: {problem}; it is not given to the geometry kernel",
                        f"模型已损坏：{problem}；未交给几何内核计算")


def _unreadable(exc: Exception) -> ShapeFailure:
    return ShapeFailure(f"representation could not be read: {_one_line(exc)}", f"表达无法读取：「{_one_line(exc)}」")


def _kernel_shares(ifc, todo: dict, cores: int | None, path) -> dict:
    from .forked import map_shares

    cores = max(1, int(cores or os.cpu_count() or 1))
    try:
        worth = path is not None and cores > 1 and (
            len(todo) * KERNEL_S / cores > os.path.getsize(path) / REOPEN_BYTES_S)
    except OSError:             # the file is gone: the children could not open it either
        worth = False

    def here(ids: list) -> dict:
        out: dict = {}
        _run_iterator(ifc, {i: todo[i] for i in ids}, out)
        return out

    def reopened(ids: list) -> dict:
        return _kernel_reopened(path, ids)

    def lost(ids: list, signal: int) -> dict:
        """A share the kernel crashed on: halved, each half in its own process, down to the
        element(s) that crash it; the others get their shapes."""
        if len(ids) > 1:
            return map_shares(ids, 2, here=here, child=reopened, lost=lost, isolate=True)
        return {ids[0]: ShapeFailure(f"the geometry kernel crashed on this element (signal {signal})",
                                     f"几何内核在计算此构件时崩溃（信号 {signal}）")}

    # in a child process when this one can fork (a crash in native code then costs one element's
    # figures, not the run); in a process with other threads (a batch worker), here
    return map_shares(list(todo), cores if worth else 1, here=here, lost=lost, child=reopened,
                      isolate=path is not None)


def _kernel_reopened(path, ids: list) -> dict:
    """In a forked process: the kernel's shapes of `ids`, from the model opened afresh here."""
    import ifcopenshell

    from .ifcfile import native_path

    with native_path(path) as name:        # a path that is not UTF-8 too
        ifc = ifcopenshell.open(name, lazy=True)  # type: ignore[call-overload]  # lazy= is not in its @overload stubs
    out: dict = {}
    _run_iterator(ifc, {i: ifc.by_id(i) for i in ids}, out)
    return out


def _run_iterator(ifc, todo: dict, out: dict) -> None:
    import ifcopenshell.geom

    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    try:
        iterator = ifcopenshell.geom.iterator(settings, ifc, 1, include=list(todo.values()))
        more: object = iterator.initialize()     # then next(): the next element, or None at the end
    except Exception as exc:  # the kernel refused the whole run: every element says why
        failure = ShapeFailure(f"geometry iterator could not start: {_one_line(exc)}",
                               f"几何迭代器无法启动：「{_one_line(exc)}」")
        out.update({pid: failure for pid in todo})
        return
    while more:
        try:
            item = iterator.get()
        except Exception:    # the rest is reported per element below
            break
        pid = item.id
        if pid in todo and pid not in out:
            try:
                out[pid] = _measure(item.geometry)
            except Exception as exc:
                out[pid] = ShapeFailure(f"geometry could not be measured: {_one_line(exc)}",
                                        f"几何无法量测：「{_one_line(exc)}」")
        try:
            more = iterator.next()
        except Exception:
            break
    del iterator              # the kernel's threads go with it (a later fork must not copy them busy)
    for pid, element in todo.items():
        if pid not in out:   # skipped silently by the iterator (it logs, but names no element)
            out[pid] = _skipped(settings, element)


def overlap_fraction(outline, others) -> float:
    """Fraction (0..1) of the area of polygon(s) `outline` that lies inside the union of the
    polygons in `others` (a list of outlines). 0.0 when `outline` has zero area or others is
    empty. Rings may be closed or open; invalid (self-crossing) rings are repaired first."""
    return overlap_fractions([outline], others)[0]


def overlap_fractions(outlines, others, may_cover=None) -> list[float]:
    """`overlap_fraction` of each of `outlines` over those of `others` that `may_cover(i, j)`
    allows (all when None), with one spatial index over `others`: the cost grows with the number
    of outlines plus others, not with their product (thousands of panels over a hundred roofs).
    An outline under one cover (the usual case) is intersected in one array operation."""
    import numpy as np
    import shapely

    out = np.zeros(len(outlines))
    if not len(outlines) or not len(others):
        return out.tolist()
    own, cover = polygons_of(outlines), polygons_of(others)
    left, right = shapely.STRtree(cover).query(own, predicate="intersects")
    if may_cover is not None and len(left):
        keep = np.fromiter((may_cover(i, j) for i, j in zip(left.tolist(), right.tolist())), bool, len(left))
        left, right = left[keep], right[keep]
    areas = shapely.area(own)
    counts = np.bincount(left, minlength=len(own))
    alone = (counts[left] == 1) & (areas[left] > 0)
    i, j = left[alone], right[alone]
    if len(i):
        out[i] = shapely.area(shapely.intersection(own[i], cover[j])) / areas[i]
    under: dict[int, list[int]] = {}
    for a, b in zip(left[counts[left] > 1].tolist(), right[counts[left] > 1].tolist()):
        under.setdefault(a, []).append(b)
    for a, js in under.items():
        if areas[a] > 0:
            out[a] = own[a].intersection(shapely.union_all(cover[js])).area / areas[a]
    return np.clip(out, 0.0, 1.0).tolist()


def polygons_of(outlines):
    """`polygon_of` each outline, as an array: the usual one-ring outlines built at once (thousands
    of panels), the others and any invalid one one by one."""
    import numpy as np
    import shapely

    out = np.empty(len(outlines), dtype=object)
    simple = [n for n, o in enumerate(outlines) if o and len(o) == 1 and len(o[0]) >= 4]
    if simple:
        coords = np.array([p for n in simple for p in outlines[n][0]], dtype=float)
        index = np.repeat(np.arange(len(simple)), [len(outlines[n][0]) for n in simple])
        out[simple] = shapely.polygons(shapely.linearrings(coords, indices=index))
    valid = shapely.is_valid(out.astype(object)) if len(out) else np.array([], bool)
    for n in np.flatnonzero(~valid).tolist():
        out[n] = polygon_of(outlines[n])
    return out


# --- helpers -------------------------------------------------------------------------------

def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 240 else text[:237] + "..."


def _no_body(element) -> ShapeFailure | None:
    if not element.is_a("IfcProduct"):
        return ShapeFailure(f"{element.is_a()} is not an IfcProduct, so it has no shape",
                            f"{element.is_a()} 不是 IfcProduct，没有形体")
    shape = getattr(element, "Representation", None)
    reps = getattr(shape, "Representations", None) or ()
    names = [(rep.RepresentationIdentifier or "") for rep in reps]
    if any(name.lower() == "body" for name in names):
        return None
    if not names:
        return ShapeFailure("no body representation (the element has no shape representation)",
                            "无 Body 表达（构件没有任何形体表达）")
    found = ", ".join(sorted({name or "unnamed" for name in names}))
    return ShapeFailure(f"no body representation (only: {found})", f"无 Body 表达（仅有：「{found}」）")


def _skipped(settings, element) -> ShapeFailure:
    """The iterator drops elements it cannot build without saying which: build the element
    alone to get the kernel's message."""
    import ifcopenshell.geom

    try:
        ifcopenshell.geom.create_shape(settings, element)
    except Exception as exc:
        text = _one_line(exc)   # "Failed to process shape. Product: #1=IfcSlab(...), representation: #2=..."
        rep = re.search(r"representation: (#\d+=\w+)", text)
        if rep:
            text = f"{text.split('. Product:')[0]} (representation {rep.group(1)})"
        return ShapeFailure(f"geometry kernel error: {text}", f"几何内核报错：「{text}」")
    return ShapeFailure("the geometry iterator skipped it (no body geometry was produced)",
                        "几何迭代器跳过了该构件（未生成 Body 几何）")


def _measure(geometry) -> Shape | ShapeFailure:
    import numpy as np
    import shapely

    verts = np.frombuffer(geometry.verts_buffer, dtype="d").reshape(-1, 3)
    faces = np.frombuffer(geometry.faces_buffer, dtype="i").reshape(-1, 3)
    if not len(faces):
        return ShapeFailure("body geometry has no faces (curves or points only)", "Body 几何没有面（仅有曲线或点）")
    tri = verts[faces]                                          # (n, 3, 3)
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    double = np.linalg.norm(cross, axis=1)                      # twice each triangle's area
    if not (double > 1e-12).any():
        return ShapeFailure("body geometry is degenerate (no face has an area)", "Body 几何退化（所有面面积为零）")
    z_min, z_max = float(tri[:, :, 2].min()), float(tri[:, :, 2].max())
    up = (cross[:, 2] > UP_NZ * double) & (cross[:, 2] > 1e-12)
    if not up.any():
        return Shape(0.0, 0.0, z_min, z_max, ())

    up_tri, up_double = tri[up], double[up]
    footprint = _union(shapely, shapely.polygons(up_tri[:, :, :2]))
    # weld by position (to 1 µm) so that neighbouring triangles share vertex ids
    _, welded = np.unique(np.round(verts, 6), axis=0, return_inverse=True)
    labels = _smooth_surfaces(np, welded.reshape(-1)[faces[up]], cross[up] / up_double[:, None])
    surface = _surface_without_strips(np, labels, up_tri, up_double / 2)
    return Shape(float(footprint.area), surface, z_min, z_max, _outline(shapely, np, footprint))


def _union(shapely, polygons):
    try:
        return shapely.union_all(polygons)
    except shapely.errors.GEOSException:   # robustness fallback: snap to a 1 µm grid
        return shapely.union_all(polygons, grid_size=1e-6)


def _smooth_surfaces(np, faces, normals):
    """Label the triangles (rows of `faces`, welded vertex ids) by smooth surface: triangles
    sharing an edge whose normals are within 30° are one surface."""
    count = len(faces)
    edges = np.sort(faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    owner = np.repeat(np.arange(count), 3)
    order = np.lexsort((edges[:, 1], edges[:, 0]))
    edges, owner = edges[order], owner[order]
    shared = (edges[1:] == edges[:-1]).all(axis=1)
    a, b = owner[:-1][shared], owner[1:][shared]
    smooth = (normals[a] * normals[b]).sum(axis=1) >= SMOOTH_COS
    a, b = a[smooth], b[smooth]
    labels = np.arange(count)
    while True:   # min-label propagation with pointer jumping: converges in a few rounds
        low = np.minimum(labels[a], labels[b])
        new = labels.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if (new == labels).all():
            break
        labels = new
    return np.unique(labels, return_inverse=True)[1].reshape(-1)


def _surface_without_strips(np, labels, tri, areas) -> float:
    groups = int(labels.max()) + 1
    area = np.bincount(labels, weights=areas, minlength=groups)
    low = np.full((groups, 3), np.inf)
    high = np.full((groups, 3), -np.inf)
    np.minimum.at(low, labels, tri.min(axis=1))
    np.maximum.at(high, labels, tri.max(axis=1))
    extent = np.linalg.norm(high - low, axis=1)         # bounding-box diagonal ~ longest extent
    width = area / np.maximum(extent, 1e-12)
    strip = (width < STRIP_WIDTH_M) & (width < 0.5 * width.max())
    return float(area[~strip].sum())


def _outline(shapely, np, footprint):
    rings = []
    for part in shapely.get_parts(footprint):
        if part.geom_type != "Polygon" or part.area < MIN_RING_AREA_M2:
            continue
        ring = np.round(np.asarray(part.exterior.simplify(0).coords)[:, :2], 3) + 0.0  # no -0.0
        rings.append((part.area, tuple((float(x), float(y)) for x, y in ring)))
    rings.sort(key=lambda item: (-item[0], item[1]))
    return tuple(ring for _, ring in rings)


def polygon_of(outline):
    """The union of the polygons bounded by the rings of `outline` (polygonal parts only)."""
    import shapely

    if outline and len(outline) == 1 and len(outline[0]) >= 4:      # the usual case: one simple ring
        try:
            polygon = shapely.Polygon(outline[0])
        except (ValueError, shapely.errors.GEOSException):
            polygon = None
        if polygon is not None and polygon.is_valid:
            return polygon
    parts = []
    for ring in outline or ():
        try:
            polygon = shapely.make_valid(shapely.Polygon(ring))
        except (ValueError, shapely.errors.GEOSException):   # fewer than 3 distinct points
            continue
        parts.extend(p for p in shapely.get_parts(polygon) if p.geom_type in ("Polygon", "MultiPolygon"))
    return shapely.union_all(parts) if parts else shapely.Polygon()
