"""Rooftop PV area ratio: PV panel area ÷ roof area, both on the same area basis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..read.records import BASIS_ZH, AreaBasis, AreaFigure, ModelFacts, Note, note, source_zh
from ..text import Text
from .evidence_policy import declared_only
from .metrics import Evidence, Inputs, Metric, MetricSpec, not_given, share_text

RATIO_DECIMALS = 4           # ratios are compared at 0.0001 % resolution


def _conflicting_copies(figures: list[AreaFigure], basis: AreaBasis) -> list[Text]:
    """An element listed in several models is counted once (by GlobalId, at one place: copies
    standing elsewhere are other elements, see identity.py); copies whose areas differ make it uncertain."""
    from .identity import copies

    reasons = []
    for group in copies(figures):
        seen = group[0]
        reasons += [Text(zh=f"{fig.global_id} 在 {seen.file} 与 {fig.file} 中的面积不一致",
                         en=f"{fig.global_id} appears in {seen.file} and {fig.file} with different areas")
                    for fig in group[1:] if seen.area(basis) != fig.area(basis)]
    return reasons


COUNTED = "counted_figures"     # the Inputs.memo key of a submission's identity.Counted


def counted(inp: Inputs):
    """The roof elements and panels to count (one per GlobalId and place, one per footprint), once."""
    from .identity import counted_figures

    return inp.memo(COUNTED, lambda: counted_figures(inp.models))


def _named(figures: list[AreaFigure], shown: int = 5) -> Text:
    """The first few elements by class and GlobalId, and how many more there are."""
    names = [f"{f.ifc_class} {f.global_id}" for f in figures[:shown]]
    rest = len(figures) - shown
    return Text(zh="、".join(names) + (f" 等共 {len(figures)} 个" if rest > 0 else ""),
                en=", ".join(names) + (f" and {rest} more" if rest > 0 else ""))


WHAT_ZH = {"roof": "屋面", "PV panels": "光伏组件"}
ROLE_ZH = {"roof": "屋面", "PV": "光伏组件"}


def _total(figures: list[AreaFigure], basis: AreaBasis, what: str) -> tuple[float | None, list[Text]]:
    missing = [f for f in figures if f.area(basis) is None]
    if missing:
        names = _named(missing)
        return None, [Text(zh=f"{WHAT_ZH[what]}：{names.zh} 无{BASIS_ZH[basis]}",
                           en=f"{what}: no {basis} area for {names.en}")]
    return sum(a for f in figures if (a := f.area(basis)) is not None), []     # none is None: see above


def _evidence(figures: list[AreaFigure], basis: AreaBasis, role: str) -> list[Evidence]:
    """One entry per file, and a separate one naming the elements that lack an area."""
    groups: dict[tuple[str, bool], list[AreaFigure]] = {}
    for fig in figures:
        groups.setdefault((fig.file, fig.area(basis) is not None), []).append(fig)
    out = []
    for (file, has_area), figs in groups.items():
        role_zh = ROLE_ZH.get(role, role)
        if has_area:
            # the reader gives a source with every area (read/areas.py); a figure without one names none
            sources = sorted({s for f in figs if (s := f.source(basis)) is not None})
            detail = f"{role}: " + "; ".join(sources)
            detail_zh = f"{role_zh}：" + "；".join(source_zh(s) for s in sources)
        else:
            detail = f"{role} without a {basis} area: no quantity and no usable body geometry"
            detail_zh = f"{role_zh}无{BASIS_ZH[basis]}：既无面积数量，也无可用的几何体"
        out.append(Evidence(source="ifc", file=file, global_ids=tuple(f.global_id for f in figs), detail=detail,
                            detail_zh=detail_zh))
    return out


ON_ROOF_SHARE = 0.5          # a panel with less than half its footprint over a roof is off the roof
PLACEMENT = "panel_placement"   # the Inputs.memo key of a submission's PanelPlacement


@dataclass(frozen=True)
class PanelPlacement:
    """Which panels lie on no roof, and which cannot be placed for lack of geometry, by (file, GlobalId)."""

    off: frozenset[tuple[str, str]]
    unchecked: frozenset[tuple[str, str]]

    def split(self, panels: list[AreaFigure]) -> tuple[list[AreaFigure], list[AreaFigure]]:
        return ([p for p in panels if (p.file, p.global_id) in self.off],
                [p for p in panels if (p.file, p.global_id) in self.unchecked])


def panel_placement(models: list[ModelFacts], panels: list[AreaFigure] | None = None) -> PanelPlacement:
    """Every panel of the submission against every roof of it, once (one spatial index). `panels`:
    the panels counted (identity.counted_figures; computed when not given): a panel that repeats
    another (the same footprint in another model) is placed once."""
    from ..read.geometry import overlap_fractions

    if panels is None:
        from .identity import counted_figures

        panels = list(counted_figures(models).panels)
    placed = [r for m in models for r in m.roofs if r.outline]
    unchecked = [p for p in panels if not p.outline] if placed else list(panels)
    shown = [p for p in panels if p.outline] if placed else []

    def may_cover(i: int, j: int) -> bool:
        # a roof is under the panel if its lowest point is below the panel's top (sloped roofs included)
        roof, panel = placed[j], shown[i]
        return roof.z_min is None or panel.z_max is None or roof.z_min <= panel.z_max + 0.5

    fractions = overlap_fractions([p.outline for p in shown], [r.outline for r in placed], may_cover)
    return PanelPlacement(off=frozenset((p.file, p.global_id) for p, f in zip(shown, fractions) if f < ON_ROOF_SHARE),
                          unchecked=frozenset((p.file, p.global_id) for p in unchecked))


def placement_findings(models: list[ModelFacts], placement: PanelPlacement | None = None) -> list[Note]:
    """`pv.off_roof` findings for the verdict (the PV metric weighs the same check itself), one per
    panel counted (a panel repeated in another model is named once)."""
    off, _ = (placement or panel_placement(models)).split(_distinct([f for m in models for f in m.pv_panels]))
    return [note("pv.off_roof", p.file,
                 f"{p.ifc_class} {p.global_id} ({p.name or 'unnamed'}): less than half of its footprint lies "
                 "over a roof; it does not count as rooftop PV until a reviewer confirms it",
                 f"{p.ifc_class} {p.global_id}（{f'「{p.name}」' if p.name else '未命名'}）：其水平投影不足一半位于屋面之上；"
                 "经审核人确认前，不计入屋顶光伏", (p.global_id,), "warning")
            for p in off]


def _distinct(figures: list[AreaFigure]) -> list[AreaFigure]:
    from .identity import distinct

    return distinct(figures)


def _position(inp: Inputs, panels: list[AreaFigure], basis: AreaBasis) -> tuple[list[Text], float]:
    """(reasons, the area of the panels that may not be on a roof: off it, or not placeable)."""
    off, unchecked = inp.memo(PLACEMENT, lambda: panel_placement(inp.models, list(counted(inp).panels))).split(panels)
    out = []
    if off:
        names = _named(off)
        out.append(Text(zh=f"{len(off)} 块光伏组件不在任何屋面上（{names.zh}）：可能为地面或立面安装，不计入屋顶光伏",
                        en=f"{len(off)} PV panel(s) lie on no roof ({names.en}): they may be ground- or "
                           "facade-mounted and not count as rooftop PV"))
    if unchecked and panels:
        out.append(Text(zh=f"无法核对 {len(unchecked)} 块光伏组件在屋面上的位置：光伏组件或屋面缺少可用几何",
                        en=f"the position of {len(unchecked)} PV panel(s) on the roof cannot be checked: "
                           "no usable geometry for them or for the roofs"))
    doubtful = off + [p for p in unchecked if p not in off] if panels else []
    return out, sum(p.area(basis) or 0.0 for p in doubtful)


@dataclass
class PvArea:
    """The figures both PV metrics rest on, with the range each may take (None: unbounded above)."""

    roofs: list
    panels: list
    pv_total: float | None
    pv_missing: list
    reasons: list                    # why the figures are uncertain
    pv_range: tuple[float, float | None]
    roof_extra: float | None = 0.0   # what suspect roofs could add (None: unknown)
    roof_doubt: bool = False         # the roof area itself is in doubt (any value)
    roof_span: tuple[float, float] | None = None   # the roof area over both readings of its elements
    unbounded: bool = False          # a doubt no range can express (a reviewer decides)
    evidence: tuple = ()


def _pv_area(inp: Inputs, basis: AreaBasis) -> PvArea:
    from .suspects import extra_area, suspect_evidence, suspect_reason, suspects_of

    roof_doubts = _conflicting_copies([f for m in inp.models for f in m.roofs], basis)
    pv_doubts = _conflicting_copies([f for m in inp.models for f in m.pv_panels], basis)
    figures = counted(inp)                       # one per GlobalId and place, then one per footprint
    roofs, panels = list(figures.roofs), list(figures.panels)
    pv_total, pv_missing = _total(panels, basis, "PV panels") if panels else (0.0, [])
    roof_spanned, roof_open = _weighed(inp, roofs, basis)
    pv_spanned, pv_open = _weighed(inp, panels, basis)
    roof_doubts += roof_spanned + roof_open
    pv_doubts += [d for d in pv_spanned + pv_open if d not in roof_doubts]
    position, doubtful_area = _position(inp, panels, basis)
    model_wide = inp.doubts_about(set())        # notes naming no element (a model the parser could not fully read)
    pv_lo, pv_hi = _sum_span(panels, basis) if pv_total is not None else (0.0, 0.0)
    out = PvArea(roofs, panels, pv_total, pv_missing, roof_doubts + pv_doubts + position,
                 (max(0.0, pv_lo - doubtful_area), pv_hi if pv_total is not None else None),
                 roof_doubt=bool(roof_open or len(roof_doubts) > len(roof_spanned)),
                 roof_span=_sum_span(roofs, basis), unbounded=bool(len(pv_doubts) > len(pv_spanned) or model_wide))
    evidence: list = []
    if sus := suspects_of(inp.models, "pv_panel"):
        extra = extra_area(sus, basis, panels)
        hi = None if extra is None or pv_total is None else pv_total + extra
        out.pv_range = (out.pv_range[0], hi)
        out.reasons.append(suspect_reason("pv_panel", sus, Text(
            zh="未计入光伏面积" + (f"，可能另有 {extra:,.2f} m²" if extra is not None else "，其面积无法读取"),
            en="not counted as PV" + (f"; they could add {extra:.2f} m²" if extra is not None else
                                      "; their area cannot be read"))))
        evidence += suspect_evidence("pv_panel", sus)
    if sus := suspects_of(inp.models, "roof"):
        out.roof_extra = extra_area(sus, basis, roofs)
        out.reasons.append(suspect_reason("roof", sus, Text(
            zh="未计入屋面面积" + (f"，屋面可能另有 {out.roof_extra:,.2f} m²" if out.roof_extra is not None
                                   else "，其面积无法读取"),
            en="not counted as roof" + (f"; the roof could be {out.roof_extra:.2f} m² larger"
                                        if out.roof_extra is not None else "; their area cannot be read"))))
        evidence += suspect_evidence("roof", sus)
    _weigh_declared(inp, out, basis, evidence)
    out.evidence = tuple(evidence)
    return out


def _weigh_declared(inp: Inputs, out: PvArea, basis: AreaBasis, evidence: list) -> None:
    """A declared roof or PV area that disagrees with the models' (metadata.mismatch, on the projected
    basis the declared figures use): the range spans both; on the other basis its reach is not known."""
    from .evidence_policy import stated

    for field in ("declared.roof_area_m2", "declared.pv_area_m2"):
        finding, declared = inp.mismatch(field), stated(inp.meta, field)
        if finding is None or declared is None:
            continue
        out.reasons.append(finding.text)
        evidence.append(inp.field_evidence(field))
        if basis != "projected":
            out.roof_doubt = out.roof_doubt or field == "declared.roof_area_m2"
            out.unbounded = out.unbounded or field == "declared.pv_area_m2"
        elif field == "declared.roof_area_m2":
            low, high = out.roof_span or (0.0, 0.0)
            out.roof_span = (min(low, float(declared)), max(high, float(declared)))
        else:
            pv_low, pv_high = out.pv_range
            out.pv_range = (min(pv_low, float(declared)), None if pv_high is None else max(pv_high, float(declared)))


def _weighed(inp: Inputs, figures: list[AreaFigure], basis: AreaBasis) -> tuple[list[Text], list[Text]]:
    """The doubts about these figures: (those an area read two ways explains — weighed over both
    readings, AreaFigure.span — and the others, whose reach is not known)."""
    from ..read.areas import GEOMETRY_DISAGREES

    two_ways = {f.global_id for f in figures if f.span(basis)[0] != f.span(basis)[1]}
    spanned: list[Text] = []
    other: list[Text] = []
    for n in inp.doubt_notes({f.global_id for f in figures}):
        weighed = n.code == GEOMETRY_DISAGREES and n.global_ids and set(n.global_ids) <= two_ways
        (spanned if weighed else other).append(n.text)
    return spanned, other


def _sum_span(figures: list[AreaFigure], basis: AreaBasis) -> tuple[float, float]:
    spans = [f.span(basis) for f in figures]          # (None, None) exactly where the area is None
    return (float(sum(lo for lo, _ in spans if lo is not None)),
            float(sum(hi for _, hi in spans if hi is not None)))


def ratio_range(pv: tuple[float, float | None], roof: tuple[float, float | None]) -> tuple[float, float | None]:
    """The range of pv ÷ roof (×100) over the two ranges (None above: unbounded)."""
    pv_lo, pv_hi = pv
    roof_lo, roof_hi = roof
    low = 0.0 if roof_hi is None or roof_hi <= 0 else pv_lo / roof_hi * 100.0
    if pv_hi is not None and pv_hi == 0:
        return low, 0.0
    high = None if pv_hi is None or roof_lo <= 0 else pv_hi / roof_lo * 100.0
    return round(low, RATIO_DECIMALS), None if high is None else round(high, RATIO_DECIMALS)


def _bounded(value: float, reasons: list, rng: tuple[float, float | None] | None) -> dict:
    """Metric fields for a ratio: certain, or uncertain over `rng` (None: no range can be given)."""
    if not reasons:
        return dict(certain=True)
    if rng is None:
        return dict(certain=False)
    low, high = rng
    return dict(certain=False, low=min(low, value), high=None if high is None else max(high, value))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _area_text(zh: str, en: str, basis: str, area: float, n: int | None = None, unit_zh: str = "",
               word: str = "") -> Text:
    """'PV projected area 270.46 m² (28 panels)' / '光伏水平投影面积 270.46 m²（28 块组件）'."""
    return Text(zh=f"{zh}{BASIS_ZH[basis]} {area:,.2f} m²" + (f"（{n} {unit_zh}）" if n is not None else ""),
                en=f"{en} {basis} area {area:.2f} m²" + (f" ({_plural(n, word)})" if n is not None else ""))


def pv_roof_ratio(inp: Inputs, basis: AreaBasis = "projected") -> Metric:
    area = _pv_area(inp, basis)
    roofs, panels, pv_total, reasons = area.roofs, area.panels, area.pv_total, list(area.reasons)
    pv_span = area.pv_range
    evidence = _evidence(roofs, basis, "roof") + _evidence(panels, basis, "PV") + list(area.evidence)
    base: dict[str, Any] = dict(name="pv_roof_ratio", unit="%", basis=basis, evidence=tuple(evidence))
    if not roofs:
        return Metric(value=None, reasons=(Text(zh="模型中未找到屋面（IfcRoof 或 ROOF 类型的 IfcSlab）",
                                                en="no roof found in the models (IfcRoof or IfcSlab ROOF)"),)
                      + tuple(reasons), **base)
    roof_total, roof_missing = _total(roofs, basis, "roof")
    if roof_missing or area.pv_missing or roof_total is None or pv_total is None:   # a total is None only if missing
        return Metric(value=None, reasons=tuple(roof_missing + area.pv_missing),
                      inputs={"roof_area_m2": roof_total, "pv_area_m2": pv_total}, **base)
    if roof_total <= 0:
        return Metric(value=None, reasons=(Text(zh="屋面面积为零", en="roof area is zero"),), **base)
    pv_text = _area_text("光伏", "PV", basis, pv_total, len(panels), "块组件", "panel")
    if basis == "projected" and (only := declared_only(inp, "declared.pv_area_m2")) is not None:
        # no panel in any model, a PV area declared: the declared figure, uncertain from 0 (evidence_policy.py)
        pv_total, pv_text = only.value, Text(zh=f"{only.how.zh} {only.value:,.2f} m²", en=f"{only.how.en} {only.value:.2f} m²")
        pv_span = (0.0, None if pv_span[1] is None else pv_span[1] + only.value)
        reasons += list(only.reasons)
        base["evidence"] += (only.evidence,)
    ratio = round(pv_total / roof_total * 100.0, RATIO_DECIMALS)
    unbounded = area.unbounded
    if pv_total > roof_total:
        unbounded = True
        reasons.append(Text(zh=f"光伏面积 {pv_total:.2f} m² 超过屋面面积 {roof_total:.2f} m²：组件可能重复计入或不在屋面上",
                            en=f"PV area {pv_total:.2f} m² exceeds roof area {roof_total:.2f} m²: panels may be "
                               "off the roof or counted twice"))
    if area.roof_doubt:                          # the roof area could be anything
        roof_range: tuple[float, float | None] = (0.0, None)
    else:
        low, high = area.roof_span or (roof_total, roof_total)
        roof_range = (min(low, roof_total), None if area.roof_extra is None else max(high, roof_total) + area.roof_extra)
    rng = ratio_range((0.0, None) if unbounded else pv_span, roof_range)
    computation = share_text(pv_text, _area_text("屋面", "roof", basis, roof_total, len(roofs), "个构件", "element"),
                             ratio)
    return Metric(value=ratio, reasons=tuple(reasons), computation=computation,
                  inputs={"roof_area_m2": round(roof_total, 4), "pv_area_m2": round(pv_total, 4)},
                  **_bounded(ratio, reasons, rng), **base)


def pv_suitable_ratio(inp: Inputs, basis: AreaBasis = "projected") -> Metric:
    """PV projected area ÷ the roof area the designer declares suitable for PV ("应装尽装")."""
    area = _pv_area(inp, basis)
    roofs, panels, pv_total, reasons = area.roofs, area.panels, area.pv_total, list(area.reasons)
    suitable = getattr(getattr(inp.meta, "declared", None), "suitable_roof_area_m2", None)
    evidence = _evidence(panels, basis, "PV") + [inp.field_evidence("declared.suitable_roof_area_m2")]
    base = dict(name="pv_suitable_ratio", unit="%", basis=basis, evidence=tuple(evidence + list(area.evidence)))
    if suitable is None:
        return Metric(value=None, reasons=(not_given("declared.suitable_roof_area_m2"),), **base)
    if area.pv_missing or pv_total is None:      # None only with pv_missing (_total)
        return Metric(value=None, reasons=tuple(area.pv_missing), **base)
    if suitable <= 0:
        return Metric(value=None, reasons=(Text(zh="declared.suitable_roof_area_m2 为零",
                                                en="declared.suitable_roof_area_m2 is zero"),), **base)
    roof_total, roof_missing = _total(roofs, basis, "roof") if roofs else (None, [])
    unbounded = area.unbounded
    if roof_total is not None and not roof_missing and suitable > roof_total * 1.05:
        unbounded = True
        reasons.append(Text(zh=f"申报的适宜安装屋面面积 {suitable:.2f} m² 超过模型中的屋面面积 {roof_total:.2f} m²",
                            en=f"declared suitable roof area {suitable:.2f} m² exceeds the modelled roof area "
                               f"{roof_total:.2f} m²"))
    ratio = round(pv_total / suitable * 100.0, RATIO_DECIMALS)
    # the roof's own doubts do not touch this ratio (its denominator is declared)
    rng = ratio_range((0.0, None) if unbounded else area.pv_range, (suitable, suitable))
    return Metric(value=ratio, reasons=tuple(reasons), **_bounded(ratio, reasons, rng),
                  computation=share_text(_area_text("光伏", "PV", basis, pv_total),
                                         Text(zh=f"申报的适宜安装光伏的屋面面积 {suitable:,.2f} m²",
                                              en=f"declared suitable roof area {suitable:.2f} m²"), ratio),
                  inputs={"pv_area_m2": round(pv_total, 4), "suitable_roof_area_m2": suitable}, **base)


_AREA_HINT_ZH = ("为所列屋面构件和光伏组件补充面积数量（Qto_SlabBaseQuantities / Qto_RoofBaseQuantities 的 "
                 "GrossArea 或 ProjectedArea，Qto_SolarDeviceBaseQuantities.GrossArea），或以拉伸实体建模以便计算水平投影面积。")
_AREA_HINT_EN = ("Give the listed roof elements and PV panels area quantities (GrossArea or ProjectedArea in "
                 "Qto_SlabBaseQuantities / Qto_RoofBaseQuantities, Qto_SolarDeviceBaseQuantities.GrossArea), "
                 "or model them as extrusions so their projected area can be computed.")


def pv_specs() -> list[MetricSpec]:
    return [
        MetricSpec("pv_roof_ratio", "%", "屋顶光伏面积比例", "rooftop PV area ratio",
                   {"basis": ("projected", "surface")}, pv_roof_ratio,
                   data_hint_zh=_AREA_HINT_ZH, data_hint_en=_AREA_HINT_EN, ifc_figures=("roof_area", "pv_area")),
        MetricSpec("pv_suitable_ratio", "%", "适宜安装屋面的光伏覆盖率", "PV coverage of the suitable roof area",
                   {"basis": ("projected",)}, pv_suitable_ratio,
                   data_hint_zh="在 submission.yaml 的 declared.suitable_roof_area_m2 中申报适宜安装光伏的屋面水平投影面积，并为光伏组件提供面积数量。",
                   data_hint_en="State the roof area suitable for PV (projected) as declared.suitable_roof_area_m2 in "
                                "submission.yaml, and give the PV panels area quantities.",
                   ifc_figures=("pv_area",)),
    ]
