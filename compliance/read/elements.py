"""Find roofs and PV panels in an indexed model (docs/ifc-conventions.md).

- Roof: IfcRoof and the elements it aggregates; IfcSlab with PredefinedType ROOF (or whose
  type object says ROOF). A roof and its parts are never both counted: the parts are used
  when every part has an area, otherwise the roof's own area.
- PV: IfcSolarDevice SOLARPANEL (IFC4+, directly or through its type). For IFC2X3, and for
  proxies in any schema: ObjectType / type ElementType in PV_TOKENS. Names are never used.
"""

from __future__ import annotations

from dataclasses import dataclass

from .areas import AGREE_TOLERANCE, AreaReader
from .conventions import OPEN_TYPES, PV_TOKENS, match_tokens, predefined, roof_mark
from .ifcfile import IfcIndex
from .records import BASIS_ZH, AreaFigure
from .units import power_kw


@dataclass
class RoofCandidate:
    element: object                 # an IfcRoof, or a roof slab standing alone
    reason: str
    parts: list                     # the elements an IfcRoof aggregates


def find_roofs(index: IfcIndex) -> list[RoofCandidate]:
    ifc = index.file
    found, used = [], set()
    for roof in ifc.by_type("IfcRoof"):
        parts = [o for rel in roof.IsDecomposedBy if rel.is_a("IfcRelAggregates")
                 for o in rel.RelatedObjects if o.is_a("IfcElement")]
        used.update(p.id() for p in parts)
        found.append(RoofCandidate(roof, "IfcRoof", parts))
    for slab in ifc.by_type("IfcSlab"):
        if slab.id() not in used and (why := _roof_slab_reason(index, slab)):
            found.append(RoofCandidate(slab, why, []))
    return found


def _roof_slab_reason(index: IfcIndex, slab) -> str | None:
    el_type = index.type_of(slab)
    kind, where = predefined(slab, el_type)
    if kind == "ROOF":
        return where
    return roof_mark(slab, el_type) if kind in OPEN_TYPES else None


def pv_reason(element, el_type) -> str | None:
    """Why the element is a PV panel (None: it is not); a function of its class, predefined type,
    ObjectType and type object only."""
    if element.is_a("IfcSolarDevice"):
        kind, where = predefined(element, el_type)
        if kind == "SOLARPANEL":
            return where
        if kind not in OPEN_TYPES:
            return None                    # e.g. SOLARCOLLECTOR: solar thermal, not PV
    return match_tokens(element, el_type, PV_TOKENS)


def roof_figures(reader: AreaReader, candidates: list[RoofCandidate]) -> list[AreaFigure]:
    figures: list[AreaFigure] = []
    for cand in candidates:
        whole = reader.figure(cand.element, "roof", cand.reason, quiet=bool(cand.parts))
        if not cand.parts:
            figures.append(whole)
            continue
        gid = cand.element.GlobalId
        pieces = [reader.figure(p, "roof", f"part of IfcRoof {gid}") for p in cand.parts]
        complete = all(p.surface_m2 is not None or p.projected_m2 is not None for p in pieces)
        has_whole = whole.surface_m2 is not None or whole.projected_m2 is not None
        if complete:
            if has_whole:
                _compare_whole(reader, gid, whole, pieces)
            figures.extend(pieces)
        elif has_whole:
            reader.note("roof.parts_incomplete", f"IfcRoof {gid}: some parts have no area; "
                        "the roof's own area is used instead",
                        f"IfcRoof {gid}：部分组成构件无面积，改用屋面整体面积", (gid,), "info")
            figures.append(whole)
        else:
            figures.extend(pieces)
    return figures


def _compare_whole(reader: AreaReader, gid: str, whole: AreaFigure, pieces: list[AreaFigure]) -> None:
    for basis in ("projected", "surface"):
        total = whole.area(basis)
        values = [p.area(basis) for p in pieces]
        if total is None or any(v is None for v in values):
            continue
        parts_sum = sum(values)
        if abs(total - parts_sum) > AGREE_TOLERANCE * max(total, parts_sum):
            reader.note("roof.whole_vs_parts",
                        f"IfcRoof {gid}: its {basis} area {total:.2f} m² differs from the sum "
                        f"of its parts {parts_sum:.2f} m²; the parts are used",
                        f"IfcRoof {gid}：其{BASIS_ZH[basis]} {total:.2f} m² 与各组成构件之和 {parts_sum:.2f} m² "
                        "不一致，采用组成构件的面积", (gid, *(p.global_id for p in pieces)), "uncertain")


def panel_figures(reader: AreaReader, panels: list[tuple[object, str]]) -> list[AreaFigure]:
    out = []
    for element, why in panels:
        fig = reader.figure(element, "pv", why)
        power = reader.index.prop(element, "YP_PVPanel", "PeakPower")
        if power is not None:
            kw = power_kw(reader.index, power, element, reader.notes)
            if kw is not None:
                fig = fig.model_copy(update={"peak_power_kw": kw, "peak_power_source": power.source})
        out.append(fig)
    return out


def roof_and_panel_elements(roofs: list[RoofCandidate], panels: list[tuple[object, str]]) -> list:
    """Every element whose geometry the area reader may need."""
    out = [c.element for c in roofs] + [p for c in roofs for p in c.parts] + [e for e, _ in panels]
    return list({e.id(): e for e in out}.values())
