"""Rooftop PV area ratio: PV panel area ÷ roof area, both on the same area basis."""

from __future__ import annotations

from ..read.records import AreaFigure, ModelFacts, Note
from .metrics import Evidence, Metric

RATIO_DECIMALS = 4           # ratios are compared at 0.0001 % resolution


def _dedupe(figures: list[AreaFigure], basis: str, reasons: list[str]) -> list[AreaFigure]:
    """Count an element listed in several models once; conflicting copies make it uncertain."""
    by_gid: dict[str, AreaFigure] = {}
    for fig in figures:
        seen = by_gid.get(fig.global_id)
        if seen is None:
            by_gid[fig.global_id] = fig
        elif seen.area(basis) != fig.area(basis):
            reasons.append(f"{fig.global_id} appears in {seen.file} and {fig.file} with different areas")
    return list(by_gid.values())


def _total(figures: list[AreaFigure], basis: str, what: str) -> tuple[float | None, list[str]]:
    missing = [f for f in figures if f.area(basis) is None]
    if missing:
        names = ", ".join(f"{f.ifc_class} {f.global_id}" for f in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        return None, [f"{what}: no {basis} area for {names}{more}"]
    return sum(f.area(basis) for f in figures), []


def _evidence(figures: list[AreaFigure], basis: str, role: str) -> list[Evidence]:
    """One entry per file, and a separate one naming the elements that lack an area."""
    groups: dict[tuple[str, bool], list[AreaFigure]] = {}
    for fig in figures:
        groups.setdefault((fig.file, fig.area(basis) is not None), []).append(fig)
    out = []
    for (file, has_area), figs in groups.items():
        if has_area:
            detail = f"{role}: " + "; ".join(sorted({f.source(basis) for f in figs}))
        else:
            detail = f"{role} without a {basis} area: no quantity and no usable body geometry"
        out.append(Evidence(source="ifc", file=file, global_ids=tuple(f.global_id for f in figs), detail=detail))
    return out


def _uncertain_notes(notes: list[Note], used: set[str]) -> list[str]:
    return [n.message for n in notes if n.severity == "uncertain" and (not n.global_ids or used & set(n.global_ids))]


ON_ROOF_SHARE = 0.5          # a panel with less than half its footprint over a roof is off the roof


def off_roof(panels: list[AreaFigure], roofs: list[AreaFigure]) -> tuple[list[AreaFigure], list[AreaFigure]]:
    """(panels lying on no roof, panels whose position cannot be checked for lack of geometry)."""
    from ..read.geometry import overlap_fraction

    placed = [r for r in roofs if r.outline]
    unchecked = [p for p in panels if not p.outline] if placed else list(panels)
    off = []
    for panel in panels:
        if not panel.outline or not placed:
            continue
        below = [r.outline for r in placed if r.z_max is None or panel.z_max is None or r.z_max <= panel.z_max + 0.5]
        if overlap_fraction(panel.outline, below) < ON_ROOF_SHARE:
            off.append(panel)
    return off, unchecked


def placement_findings(models: list[ModelFacts]) -> list[Note]:
    """`pv.off_roof` findings for the verdict (the PV metric weighs the same check itself)."""
    roofs = [f for m in models for f in m.roofs]
    off, _ = off_roof([f for m in models for f in m.pv_panels], roofs)
    return [Note(code="pv.off_roof", file=p.file, global_ids=(p.global_id,), severity="warning",
                 message=f"{p.ifc_class} {p.global_id} ({p.name or 'unnamed'}): less than half of its footprint lies "
                         "over a roof; it does not count as rooftop PV until a reviewer confirms it")
            for p in off]


def _position_reasons(panels: list[AreaFigure], roofs: list[AreaFigure]) -> list[str]:
    off, unchecked = off_roof(panels, roofs)
    out = []
    if off:
        names = ", ".join(f"{p.ifc_class} {p.global_id}" for p in off[:5])
        more = f" and {len(off) - 5} more" if len(off) > 5 else ""
        out.append(f"{len(off)} PV panel(s) lie on no roof ({names}{more}): they may be ground- or "
                   "facade-mounted and not count as rooftop PV")
    if unchecked and panels:
        out.append(f"the position of {len(unchecked)} PV panel(s) on the roof cannot be checked: "
                   "no usable geometry for them or for the roofs")
    return out


def pv_roof_ratio(models: list[ModelFacts], basis: str = "projected", findings=(), **_) -> Metric:
    reasons: list[str] = []
    roofs = _dedupe([f for m in models for f in m.roofs], basis, reasons)
    panels = _dedupe([f for m in models for f in m.pv_panels], basis, reasons)
    evidence = _evidence(roofs, basis, "roof") + _evidence(panels, basis, "PV")
    base = dict(name="pv_roof_ratio", unit="%", basis=basis, evidence=tuple(evidence))
    if not roofs:
        return Metric(value=None, reasons=("no roof found in the models (IfcRoof or IfcSlab ROOF)",), **base)
    roof_total, roof_missing = _total(roofs, basis, "roof")
    pv_total, pv_missing = _total(panels, basis, "PV panels") if panels else (0.0, [])
    if roof_missing or pv_missing:
        return Metric(value=None, reasons=tuple(roof_missing + pv_missing),
                      inputs={"roof_area_m2": roof_total, "pv_area_m2": pv_total}, **base)
    if roof_total <= 0:
        return Metric(value=None, reasons=("roof area is zero",), **base)
    ratio = round(pv_total / roof_total * 100.0, RATIO_DECIMALS)
    used = {f.global_id for f in roofs + panels}
    reasons += _uncertain_notes([n for m in models for n in m.notes] + list(findings), used)
    reasons += _position_reasons(panels, roofs)
    if pv_total > roof_total:
        reasons.append(f"PV area {pv_total:.2f} m² exceeds roof area {roof_total:.2f} m²: panels may be "
                       "off the roof or counted twice")
    computation = (f"PV {basis} area {pv_total:.2f} m² ({len(panels)} panel{'s' if len(panels) != 1 else ''}) ÷ "
                   f"roof {basis} area {roof_total:.2f} m² ({len(roofs)} element{'s' if len(roofs) != 1 else ''})"
                   f" = {ratio:.2f} %")
    return Metric(value=ratio, certain=not reasons, reasons=tuple(reasons), computation=computation,
                  inputs={"roof_area_m2": round(roof_total, 4), "pv_area_m2": round(pv_total, 4)}, **base)
