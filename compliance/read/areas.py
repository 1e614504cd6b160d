"""One element's areas with provenance: quantities first, then derived, then geometry.

- projected: a ProjectedArea quantity; else the true surface × |cos(slope)| when the body is
  planar extrusions (slope from the placement); else the geometry's footprint;
- true surface: GrossArea (Area; NetArea noted); else the geometry's top surface;
- where a quantity-based figure and the geometry differ by more than GEOMETRY_TOLERANCE the
  figure is uncertain (a finding), and implausible or zero areas are findings too.
"""

from __future__ import annotations

import math
from typing import Any

from ..numbers import usable, why_unusable
from .ifcfile import AreaQuantity, IfcIndex
from .records import BASIS_ZH, AreaFigure, Note, NoteTaker, source_zh

STANDARD_QSETS = ("Qto_RoofBaseQuantities", "Qto_SlabBaseQuantities", "Qto_SolarDeviceBaseQuantities")
PLAUSIBLE_M2 = (1e-3, 5e5)      # a single roof element or panel outside this range is suspect
AGREE_TOLERANCE = 0.02          # relative difference tolerated between two quantities of one area
GEOMETRY_TOLERANCE = 0.05       # ... between a quantity and the area computed from geometry
GEOMETRY_DISAGREES = "area.geometry_disagrees"   # the figure keeps both readings (AreaFigure.span)


def _qset_rank(q: AreaQuantity) -> int:
    if q.qset in STANDARD_QSETS:
        return 0
    return 1 if q.qset == "BaseQuantities" else 2


def pick(quantities: list[AreaQuantity], names: tuple[str, ...]) -> AreaQuantity | None:
    ranked = sorted((q for q in quantities if q.name in names),
                    key=lambda q: (_qset_rank(q), names.index(q.name)))
    return ranked[0] if ranked else None


def _differs(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) > tolerance * max(abs(a), abs(b))


def plane_cosine(element, placements=None) -> float | None:
    """|cos(slope)| of a body made of planar extrusions, or None when it cannot be told.
    `placements` (extrusion.Placements of the file): memoised world matrices, shared by elements."""
    import numpy as np

    rep = getattr(element, "Representation", None)
    if rep is None or element.ObjectPlacement is None:
        return None
    bodies = [r for r in rep.Representations if r.RepresentationIdentifier in ("Body", None)]
    if not bodies:
        return None
    if placements is None:
        from .extrusion import Placements

        placements = Placements(1.0)          # directions only: the length unit does not matter
    obj = _or_utility(placements.matrix, "get_local_placement", element.ObjectPlacement)
    if obj is None:
        return None
    cosines = []
    for item in bodies[0].Items:
        transform = np.eye(4)
        if item.is_a("IfcMappedItem"):
            transform = _or_utility(placements.mapping, "get_mappeditem_transformation", item)
            items = item.MappingSource.MappedRepresentation.Items
        else:
            items = (item,)
        for solid in items:
            if not solid.is_a("IfcExtrudedAreaSolid") or transform is None:
                return None
            pos = _or_utility(placements.frame, "get_axis2placement", solid.Position) if solid.Position else np.eye(4)
            normal = (obj @ transform @ pos)[:3, 2]
            length = float(np.linalg.norm(normal))
            if length == 0:
                return None
            cosines.append(abs(float(normal[2])) / length)
    if not cosines or max(cosines) - min(cosines) > 1e-3:
        return None
    return cosines[0]


def _or_utility(fast, utility: str, entity):
    """A matrix from the memoised `Placements` method `fast`, else from ifcopenshell's placement
    utility of that name (grid placements, mirrored mappings: what the fast path declines)."""
    found = fast(entity)
    if found is None:
        import ifcopenshell.util.placement as placement

        found = getattr(placement, utility)(entity)
    return found


class AreaReader(NoteTaker):
    """Builds AreaFigures for one model; `shapes` holds the geometry computed for its elements."""

    def __init__(self, index: IfcIndex, shapes: dict, notes: list[Note], placements=None) -> None:
        self.index = index
        self.placements = placements
        self.file = index.info.file
        self.shapes = shapes
        self.notes = notes

    def figure(self, element, role: str, matched_by: str, quiet: bool = False) -> AreaFigure:
        """`quiet`: do not report missing geometry (an IfcRoof whose parts carry the geometry)."""
        label = f"{element.is_a()} {element.GlobalId}"
        fields = self._from_quantities(element, label)
        shape = self.shapes.get(element.id())
        if shape is not None and hasattr(shape, "footprint_m2"):
            self._merge_geometry(fields, shape, label, element.GlobalId)
            fields.update(outline=shape.outline, z_min=round(shape.z_min, 3), z_max=round(shape.z_max, 3))
        elif shape is not None and not quiet and fields["projected_m2"] is None and fields["surface_m2"] is None:
            self.note("geometry.failed", f"{label}: no area quantity, and its area cannot be computed from "
                      f"geometry: {shape.reason}",
                      f"{label}：无面积数量，且无法由几何计算面积：{shape.reason_zh or shape.reason}",
                      (element.GlobalId,), "warning")
        elif shape is not None and not quiet and fields["projected_m2"] is None:
            self.note("geometry.failed", f"{label}: its quantities give only the surface area, and its projected "
                      f"area cannot be computed from geometry: {shape.reason}",
                      f"{label}：数量仅给出表面积，且无法由几何计算水平投影面积：{shape.reason_zh or shape.reason}",
                      (element.GlobalId,), "warning")
        self._check_values(fields, label, element.GlobalId)
        return AreaFigure(role=role, global_id=element.GlobalId, ifc_class=element.is_a(), name=element.Name,
                          storey=self.index.storey_of(element), building=self.index.building_of(element), file=self.file, matched_by=matched_by, **fields)

    def _from_quantities(self, element, label: str) -> dict:
        quantities = self.index.area_quantities(element)
        proj_q = pick(quantities, ("ProjectedArea",))
        surf_q = pick(quantities, ("GrossArea", "Area", "NetArea"))
        out: dict[str, Any] = dict(projected_m2=None, projected_source=None, projected_method=None,
                                   surface_m2=None, surface_source=None, surface_method=None)
        if surf_q is not None:
            if surf_q.name == "NetArea":
                self.note("area.net_only", f"{label}: only NetArea is given; openings are excluded from its area",
                          f"{label}：仅提供 NetArea，其面积已扣除洞口", (element.GlobalId,), "info")
            out.update(surface_m2=surf_q.value_m2, surface_source=f"{surf_q.qset}.{surf_q.name}",
                       surface_method="quantity")
        if proj_q is not None:
            out.update(projected_m2=proj_q.value_m2, projected_source=f"{proj_q.qset}.{proj_q.name}",
                       projected_method="quantity")
        shared = [q for q in (surf_q, proj_q) if q is not None and q.shared_by > 1]
        if shared:
            q = shared[0]
            self.note("area.shared_quantity",
                      f"{label}: its {q.qset} (#{q.qset_id}) is attached to {q.shared_by} "
                      "elements at once, so its area may be theirs together and be counted several times",
                      f"{label}：其 {q.qset}（#{q.qset_id}）同时关联 {q.shared_by} 个构件，"
                      "该面积可能为多个构件的合计，存在重复计入风险", (element.GlobalId,), "uncertain")
        if quantities and not self.index.area_unit_declared and self.index.info.length_unit_m != 1.0:
            self.note("units.area_undeclared", f"{label}: the model declares no area unit and its length unit is "
                      "not the metre; its area quantities were read as m²",
                      f"{label}：模型未声明面积单位且长度单位不是米，其面积数量按 m² 读取", (element.GlobalId,), "uncertain")
        if surf_q is not None:
            self._derive_projection(element, out, label)
        return out

    def _derive_projection(self, element, out: dict, label: str) -> None:
        try:
            cosine = plane_cosine(element, self.placements)
        except Exception:  # odd geometry must not stop the reading: the slope stays unknown
            cosine = None
        if cosine is None:
            return
        surface, source = out["surface_m2"], out["surface_source"]
        from_slope = surface * cosine
        slope = math.degrees(math.acos(min(1.0, cosine)))
        if out["projected_m2"] is None:
            out.update(projected_m2=from_slope, projected_method="derived",
                       projected_source=(f"{source} (flat: surface = projection)" if slope < 0.05
                                         else f"{source} × cos({slope:.1f}°), slope from placement"))
        elif _differs(out["projected_m2"], from_slope, AGREE_TOLERANCE):
            given = f"{out['projected_source']} = {out['projected_m2']:.2f} m²"
            derived = f"{source} × cos({slope:.1f}°) = {from_slope:.2f} m²"
            self.note("area.sources_disagree", f"{label}: {given} but {derived}",
                      f"{label}：{given}，但 {derived}，两者不一致", (element.GlobalId,), "uncertain")

    def _merge_geometry(self, out: dict, shape, label: str, gid: str) -> None:
        for basis, value, what, what_zh in (("projected", shape.footprint_m2, "footprint", "水平投影"),
                                            ("surface", shape.surface_m2, "top surface", "顶面")):
            current = out[f"{basis}_m2"]
            if current is None:
                if value > 0:
                    out.update({f"{basis}_m2": value, f"{basis}_method": "geometry",
                                f"{basis}_source": f"computed from geometry ({what})"})
            elif _differs(current, value, GEOMETRY_TOLERANCE):
                out[f"{basis}_alt_m2"] = value
                self.note(GEOMETRY_DISAGREES,
                          f"{label}: {out[f'{basis}_source']} gives {current:.2f} m² but its geometry's {what} "
                          f"is {value:.2f} m²",
                          f"{label}：{source_zh(out[f'{basis}_source'])} 为 {current:.2f} m²，但按几何计算的{what_zh}面积为 "
                          f"{value:.2f} m²", (gid,), "uncertain")

    def _check_values(self, out: dict, label: str, gid: str) -> None:
        for basis in ("projected", "surface"):
            if not usable(out.get(f"{basis}_alt_m2")):
                out[f"{basis}_alt_m2"] = None
            value = out[f"{basis}_m2"]
            if value is not None and not usable(value):      # geometry gone wrong (quantities: ifcfile.refused)
                self.note("model.unusable_number", f"{label}: its {basis} area ({out[f'{basis}_source']}) "
                          f"{why_unusable(value)}: left out; check the element's geometry in the model",
                          f"{label}：其{BASIS_ZH[basis]}（{source_zh(out[f'{basis}_source'])}）不是可用的数值，已略去；"
                          "请检查该构件在模型中的几何", (gid,), "uncertain")
                out.update({f"{basis}_m2": None, f"{basis}_source": None, f"{basis}_method": None})
                continue
            if value is None:
                continue
            if value == 0:
                self.note("area.zero", f"{label}: its {basis} area ({out[f'{basis}_source']}) is zero",
                          f"{label}：其{BASIS_ZH[basis]}（{source_zh(out[f'{basis}_source'])}）为零", (gid,), "uncertain")
                return
            if not PLAUSIBLE_M2[0] <= value <= PLAUSIBLE_M2[1]:
                self.note("area.implausible", f"{label}: area {value:g} m² is implausible for one element; "
                          "check the model's area unit",
                          f"{label}：单个构件面积 {value:g} m² 不合常理，请核对模型的面积单位", (gid,), "uncertain")
                return
