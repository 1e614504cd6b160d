"""Roofs and PV panels of an indexed model, as the conventions file recognises them
(rules/_conventions.yaml, docs/ifc-conventions.md).

A roof and its parts are never both counted: an IfcRoof's aggregated parts are used when every
part has an area, otherwise the roof's own area. Suspect roofs and panels are measured too (the
rules weigh what they could change), with their notes kept apart from the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .areas import AGREE_TOLERANCE, AreaReader
from .classify import Found
from .ifcfile import IfcIndex
from .records import BASIS_ZH, AreaFigure, SuspectRecord
from .units import power_kw

if TYPE_CHECKING:
    from ifcopenshell import entity_instance


@dataclass
class RoofCandidate:
    element: entity_instance        # an IfcRoof, or a roof element standing alone
    reason: str
    parts: list                     # the elements an IfcRoof aggregates


def find_roofs(index: IfcIndex, found: Found) -> list[RoofCandidate]:
    recognised = found.of("roof")
    out: list[RoofCandidate] = []
    used: set[int] = set()
    for element, match in recognised:
        if element.is_a("IfcRoof"):
            parts = [o for rel in element.IsDecomposedBy if rel.is_a("IfcRelAggregates")
                     for o in rel.RelatedObjects if o.is_a("IfcElement")]
            used.update(p.id() for p in parts)
            out.append(RoofCandidate(element, match.why, parts))
    out += [RoofCandidate(e, m.why, []) for e, m in recognised if not e.is_a("IfcRoof") and e.id() not in used]
    return out


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
        values = [v for p in pieces if (v := p.area(basis)) is not None]
        if total is None or len(values) < len(pieces):     # a part without this area
            continue
        parts_sum = sum(values)
        if abs(total - parts_sum) > AGREE_TOLERANCE * max(total, parts_sum):
            reader.note("roof.whole_vs_parts",
                        f"IfcRoof {gid}: its {basis} area {total:.2f} m² differs from the sum "
                        f"of its parts {parts_sum:.2f} m²; the parts are used",
                        f"IfcRoof {gid}：其{BASIS_ZH[basis]} {total:.2f} m² 与各组成构件之和 {parts_sum:.2f} m² "
                        "不一致，采用组成构件的面积", (gid, *(p.global_id for p in pieces)), "uncertain")


def panel_figures(reader: AreaReader, panels: list[tuple[entity_instance, str]], concept=None) -> list[AreaFigure]:
    """`concept`: the conventions' pv_panel (where a panel's peak power is read: properties, else
    the type text, e.g. Revit's 'Solar Panel:Mono 400W')."""
    import re

    from .recognise import name_texts, normal, type_texts

    refs = concept.props("peak_power") if concept is not None else ()
    pattern = concept.text.get("peak_power_w") if concept is not None else None
    out = []
    for element, why in panels:
        fig = reader.figure(element, "pv", why)
        power = reader.index.first_prop(element, refs)
        if power is not None:
            kw = power_kw(reader.index, power, element, reader.notes)
            if kw is not None:
                fig = fig.model_copy(update={"peak_power_kw": kw, "peak_power_source": power.source})
        elif isinstance(pattern, str):
            for text, where in type_texts(element, reader.index.type_of(element)) + name_texts(element):
                if found := re.search(pattern, normal(text)):
                    fig = fig.model_copy(update={"peak_power_kw": round(float(found.group(1)) / 1000.0, 6),
                                                 "peak_power_source": f"{where} (read from the type text)"})
                    break
        out.append(fig)
    return out


def roof_and_panel_elements(roofs: list[RoofCandidate], panels: list[tuple[entity_instance, str]],
                            more=()) -> list:
    """Every element whose geometry the area reader may need (`more`: suspects, candidate slabs)."""
    out = [c.element for c in roofs] + [p for c in roofs for p in c.parts] + [e for e, _ in panels] + list(more)
    return list({e.id(): e for e in out}.values())


def suspect_record(index: IfcIndex, element, concept: str, tier: str, why: str, why_zh: str,
                   reader: AreaReader | None = None, origin=None) -> SuspectRecord:
    """A suspect (or excluded) element; roofs and panels with their area where it can be read
    (`reader` keeps its notes apart: they are about an element that is not counted)."""
    fields: dict = {}
    if reader is not None:
        fig = reader.figure(element, "pv" if concept == "pv_panel" else "roof", why, quiet=True)
        fields = dict(projected_m2=fig.projected_m2, surface_m2=fig.surface_m2,
                      area_source=fig.projected_source or fig.surface_source, outline=fig.outline,
                      z_min=fig.z_min, z_max=fig.z_max)
    return SuspectRecord(global_id=element.GlobalId, ifc_class=element.is_a(), name=getattr(element, "Name", None),
                         storey=index.storey_of(element), building=index.building_of(element), file=index.info.file, matched_by=why, concept=concept,
                         tier=tier, reason_zh=why_zh, origin=origin, **fields)
