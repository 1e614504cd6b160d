"""Find roofs and PV panels in an indexed model and read their areas with provenance.

Conventions (documented in docs/ifc-conventions.md):
- Roof: IfcRoof and the elements it aggregates; IfcSlab with PredefinedType ROOF (or whose
  type object says ROOF). A roof and its parts are never both counted: the parts are used
  when every part has an area, otherwise the roof's own quantity.
- PV: IfcSolarDevice SOLARPANEL (IFC4+, directly or through its type). For IFC2X3, and for
  proxies in any schema: an element whose ObjectType, or whose type's ElementType, is one
  of PV_TOKENS once upper-cased with spaces, '_' and '-' removed (e.g. "Solar Panel").
  Names are never used: "PV" in a name does not make an element a panel.
- Areas: projected from a ProjectedArea quantity, or from the true surface area times the
  cosine of the element's slope when its body is planar extrusions (slope read from the
  placement); true surface from GrossArea (NetArea as a fallback, noted).
"""

from __future__ import annotations

import math
import re

from .ifcfile import AreaQuantity, IfcIndex
from .records import AreaFigure, Note

PV_TOKENS = frozenset({"SOLARPANEL", "PVPANEL", "PHOTOVOLTAICPANEL", "PVMODULE", "PHOTOVOLTAICMODULE"})
STANDARD_QSETS = ("Qto_RoofBaseQuantities", "Qto_SlabBaseQuantities", "Qto_SolarDeviceBaseQuantities")
PLAUSIBLE_M2 = (1e-3, 5e5)      # a single roof element or panel outside this range is suspect
AGREE_TOLERANCE = 0.02          # relative difference tolerated between two sources of one area


def _token(value) -> str:
    return re.sub(r"[\s_\-]+", "", str(value or "")).upper()


def _qset_rank(q: AreaQuantity) -> int:
    if q.qset in STANDARD_QSETS:
        return 0
    return 1 if q.qset == "BaseQuantities" else 2


def _pick(quantities: list[AreaQuantity], names: tuple[str, ...]) -> AreaQuantity | None:
    ranked = sorted((q for q in quantities if q.name in names),
                    key=lambda q: (_qset_rank(q), names.index(q.name)))
    return ranked[0] if ranked else None


def _plane_cosine(element) -> float | None:
    """|cos(slope)| of a body made of planar extrusions, or None when it cannot be told."""
    import numpy as np
    import ifcopenshell.util.placement as placement

    rep = getattr(element, "Representation", None)
    if rep is None or element.ObjectPlacement is None:
        return None
    bodies = [r for r in rep.Representations if r.RepresentationIdentifier in ("Body", None)]
    if not bodies:
        return None
    obj = placement.get_local_placement(element.ObjectPlacement)
    cosines = []
    for item in bodies[0].Items:
        transform = np.eye(4)
        if item.is_a("IfcMappedItem"):
            source = item.MappingSource
            transform = placement.get_mappeditem_transformation(item)
            items = source.MappedRepresentation.Items
        else:
            items = (item,)
        for solid in items:
            if not solid.is_a("IfcExtrudedAreaSolid"):
                return None
            pos = placement.get_axis2placement(solid.Position) if solid.Position else np.eye(4)
            normal = (obj @ transform @ pos)[:3, 2]
            length = float(np.linalg.norm(normal))
            if length == 0:
                return None
            cosines.append(abs(float(normal[2])) / length)
    if not cosines or max(cosines) - min(cosines) > 1e-3:
        return None
    return cosines[0]


class _Reader:
    """Builds AreaFigures for one model, collecting notes on the way."""

    def __init__(self, index: IfcIndex) -> None:
        self.index = index
        self.file = index.info.file
        self.notes: list[Note] = []

    def note(self, code: str, message: str, gids=(), severity="warning") -> None:
        self.notes.append(Note(code=code, message=message, file=self.file,
                               global_ids=tuple(gids), severity=severity))

    def figure(self, element, role: str, matched_by: str) -> AreaFigure:
        gid = element.GlobalId
        quantities = self.index.area_quantities(element)
        proj_q = _pick(quantities, ("ProjectedArea",))
        surf_q = _pick(quantities, ("GrossArea", "Area", "NetArea"))
        if surf_q is not None and surf_q.name == "NetArea":
            self.note("area.net_only", f"{element.is_a()} {gid}: only NetArea is given; "
                      "openings are excluded from its area", (gid,), "info")
        surface = surf_q.value_m2 if surf_q else None
        surface_src = f"{surf_q.qset}.{surf_q.name}" if surf_q else None
        projected = proj_q.value_m2 if proj_q else None
        projected_src = f"{proj_q.qset}.{proj_q.name}" if proj_q else None
        if surface is not None:
            cosine = self._cosine(element)
            if cosine is not None:
                from_slope = surface * cosine
                slope = math.degrees(math.acos(min(1.0, cosine)))
                if projected is None:
                    projected = from_slope
                    projected_src = (f"{surface_src} (flat: surface = projection)" if slope < 0.05
                                     else f"{surface_src} × cos({slope:.1f}°), slope from placement")
                elif abs(projected - from_slope) > AGREE_TOLERANCE * max(projected, from_slope):
                    self.note("area.sources_disagree",
                              f"{element.is_a()} {gid}: {projected_src} = {projected:.2f} m² but "
                              f"{surface_src} × cos({slope:.1f}°) = {from_slope:.2f} m²", (gid,), "uncertain")
        for value in (surface, projected):
            if value is not None and not (PLAUSIBLE_M2[0] <= value <= PLAUSIBLE_M2[1]):
                self.note("area.implausible",
                          f"{element.is_a()} {gid}: area {value:g} m² is implausible for one element; "
                          "check the model's area unit", (gid,), "uncertain")
                break
        if not self.index.area_unit_declared and quantities and self.index.info.length_unit_m != 1.0:
            self.note("units.area_undeclared",
                      f"{element.is_a()} {gid}: the model declares no area unit and its length unit is "
                      f"not the metre; its area quantities were read as m²", (gid,), "uncertain")
        return AreaFigure(
            role=role, global_id=gid, ifc_class=element.is_a(), name=element.Name,
            storey=self.index.storey_of(element), file=self.file, matched_by=matched_by,
            projected_m2=projected, projected_source=projected_src,
            surface_m2=surface, surface_source=surface_src,
        )

    def _cosine(self, element) -> float | None:
        try:
            return _plane_cosine(element)
        except Exception:  # odd geometry must not stop the reading: the slope stays unknown
            return None

    # -- roofs -------------------------------------------------------------------------------

    def roofs(self) -> list[AreaFigure]:
        ifc = self.index.file
        figures: list[AreaFigure] = []
        used: set[int] = set()
        for roof in ifc.by_type("IfcRoof"):
            parts = [o for rel in roof.IsDecomposedBy if rel.is_a("IfcRelAggregates")
                     for o in rel.RelatedObjects if o.is_a("IfcElement")]
            used.update(p.id() for p in parts)
            figures.extend(self._roof_assembly(roof, parts))
        for slab in ifc.by_type("IfcSlab"):
            if slab.id() in used:
                continue
            why = self._roof_slab_reason(slab)
            if why:
                figures.append(self.figure(slab, "roof", why))
        return figures

    def _roof_slab_reason(self, slab) -> str | None:
        if slab.PredefinedType == "ROOF":
            return "IfcSlab.PredefinedType = ROOF"
        slab_type = self.index.type_of(slab)
        if slab.PredefinedType in (None, "NOTDEFINED", "USERDEFINED") and slab_type is not None \
                and getattr(slab_type, "PredefinedType", None) == "ROOF":
            return f"type {slab_type.is_a()}.PredefinedType = ROOF"
        return None

    def _roof_assembly(self, roof, parts) -> list[AreaFigure]:
        whole = self.figure(roof, "roof", "IfcRoof")
        if not parts:
            return [whole]
        pieces = [self.figure(p, "roof", f"part of IfcRoof {roof.GlobalId}") for p in parts]
        complete = all(p.surface_m2 is not None or p.projected_m2 is not None for p in pieces)
        has_whole = whole.surface_m2 is not None or whole.projected_m2 is not None
        if complete:
            if has_whole:
                self._compare_whole(roof, whole, pieces)
            return pieces
        if has_whole:
            self.note("roof.parts_incomplete", f"IfcRoof {roof.GlobalId}: some parts have no area; "
                      "the roof's own quantity is used instead", (roof.GlobalId,), "info")
            return [whole]
        return pieces

    def _compare_whole(self, roof, whole: AreaFigure, pieces: list[AreaFigure]) -> None:
        for basis in ("projected", "surface"):
            total = whole.area(basis)
            values = [p.area(basis) for p in pieces]
            if total is None or any(v is None for v in values):
                continue
            parts_sum = sum(values)
            if abs(total - parts_sum) > AGREE_TOLERANCE * max(total, parts_sum):
                self.note("roof.whole_vs_parts",
                          f"IfcRoof {roof.GlobalId}: its {basis} area {total:.2f} m² differs from the sum "
                          f"of its parts {parts_sum:.2f} m²; the parts are used",
                          (roof.GlobalId, *(p.global_id for p in pieces)), "uncertain")

    # -- PV ----------------------------------------------------------------------------------

    def pv_panels(self) -> list[AreaFigure]:
        figures = []
        for element in self.index.file.by_type("IfcElement"):
            why = self._pv_reason(element)
            if why:
                figures.append(self.figure(element, "pv", why))
        return figures

    def _pv_reason(self, element) -> str | None:
        el_type = self.index.type_of(element)
        if element.is_a("IfcSolarDevice"):
            if element.PredefinedType == "SOLARPANEL":
                return "IfcSolarDevice.PredefinedType = SOLARPANEL"
            if element.PredefinedType in (None, "NOTDEFINED", "USERDEFINED") and el_type is not None \
                    and getattr(el_type, "PredefinedType", None) == "SOLARPANEL":
                return f"type {el_type.is_a()}.PredefinedType = SOLARPANEL"
        if element.is_a("IfcSolarDevice") and element.PredefinedType not in (None, "NOTDEFINED", "USERDEFINED"):
            return None                    # e.g. SOLARCOLLECTOR: solar thermal, not PV
        if _token(getattr(element, "ObjectType", None)) in PV_TOKENS:
            return f"{element.is_a()}.ObjectType = '{element.ObjectType}' (PV convention)"
        if el_type is not None and _token(getattr(el_type, "ElementType", None)) in PV_TOKENS:
            return f"type {el_type.is_a()}.ElementType = '{el_type.ElementType}' (PV convention)"
        return None


def read_elements(index: IfcIndex) -> tuple[list[AreaFigure], list[AreaFigure], list[Note]]:
    reader = _Reader(index)
    roofs = reader.roofs()
    panels = reader.pv_panels()
    return roofs, panels, reader.notes
