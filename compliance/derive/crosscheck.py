"""Model vs submission metadata: where both state a figure, compare them (the policy:
evidence_policy.py).

A difference beyond the tolerance is a `metadata.mismatch` finding naming the field and its
line in submission.yaml, both values and the model elements; it is 'uncertain', so every rule
whose figure rests on those elements goes to manual review. A sum of spaces is a lower bound of
the gross floor area: only a declared figure below it is contradicted. A figure declared for a
family no model shows is a `metadata.declared_not_in_model` finding; the metric that reads the
field weighs it with a plausible range (so the finding touches no other figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..read.metadata import LoadedSubmission
from ..read.records import BASIS_ZH, ModelFacts, Note, note, source_zh
from .evidence_policy import DECLARED_NOT_IN_MODEL, DECLARED_ONLY, FAMILIES, differs, shows, stated
from .metrics import unique
from .renewables import system_names

# The tolerance (metadata_tolerance_pct) and what counts as a fast charger (fast_charger_min_kw)
# are rule-set parameters (rules/_parameters.yaml). Areas and power may differ by the tolerance;
# counts must agree.


@dataclass(frozen=True)
class ModelFigure:
    value: float | None              # None: the model does not hold this figure
    global_ids: tuple[str, ...]
    how: str                         # how the model's figure was obtained
    how_zh: str = ""                 # the same in Chinese
    lower_bound: bool = False        # the true figure is at least `value` (a sum of spaces' areas)
    file: str = ""                   # the model file of the first element


ABSENT = ModelFigure(None, (), "")
SPACES_SUM = "underestimate"         # read/building.py's mark on a GFA summed from spaces (walls excluded)


def buildings_with_figures(models: list[ModelFacts]) -> list:
    """Each building once; where several models carry it, the copy with a floor area wins
    (so the result does not depend on the order the models are listed in)."""
    out: dict = {}
    for b in (b for m in models for b in m.buildings):
        seen = out.get(b.global_id)
        if seen is None or (seen.gross_floor_area is None and b.gross_floor_area is not None):
            out[b.global_id] = b
    return list(out.values())


def _area_total(figures, basis="projected") -> ModelFigure:
    figs = unique(figures)
    if not figs or any(f.area(basis) is None for f in figs):
        return ABSENT
    return ModelFigure(sum(f.area(basis) for f in figs), tuple(f.global_id for f in figs),
                       f"{basis} area of {len(figs)} element(s)", f"{len(figs)} 个构件的{BASIS_ZH[basis]}")


def model_figures(models: list[ModelFacts], fast_min_kw: float, counted=None) -> dict[str, Callable[[], ModelFigure]]:
    """Each comparable field -> how to get the models' figure for it (computed on demand)."""
    from .identity import counted_figures

    figures = counted or counted_figures(models)   # one per GlobalId and place, then one per footprint
    roofs, panels = list(figures.roofs), list(figures.panels)
    buildings = buildings_with_figures(models)
    parking = unique(p for m in models for p in m.parking)
    chargers = unique(c for m in models for c in m.chargers)

    def peak_power() -> ModelFigure:
        figs = unique(panels)
        if not figs or any(f.peak_power_kw is None for f in figs):
            return ABSENT
        return ModelFigure(sum(f.peak_power_kw for f in figs), tuple(f.global_id for f in figs),
                           f"sum of YP_PVPanel.PeakPower over {len(figs)} panel(s)",
                           f"{len(figs)} 块光伏组件的 YP_PVPanel.PeakPower 之和")

    def storeys() -> ModelFigure:
        counted = [b for b in buildings if b.storeys_above_ground is not None]
        if not counted:
            return ABSENT
        top = max(counted, key=lambda b: int(b.storeys_above_ground.value))
        return ModelFigure(int(top.storeys_above_ground.value), (top.global_id,), "storeys above ground", "地上楼层数")

    def count(records, how: str, how_zh: str, keep=lambda r: True, weight=lambda r: 1) -> Callable[[], ModelFigure]:
        def figure() -> ModelFigure:
            if not records:
                return ABSENT
            kept = [r for r in records if keep(r)]
            # cite the elements counted, or those looked at when none counts: a finding naming no
            # element would touch every figure (Inputs.doubts_about)
            return ModelFigure(sum(weight(r) for r in kept), tuple(r.global_id for r in kept or records), how, how_zh)
        return figure

    def fast(c) -> bool:
        return c.current == "DC" or (c.power_kw is not None and c.power_kw >= fast_min_kw)

    return {
        "gross_floor_area_m2": lambda: model_gfa(models),
        "declared.roof_area_m2": lambda: _area_total(roofs),
        "declared.pv_area_m2": lambda: _area_total(panels) if panels else ABSENT,
        "declared.pv_peak_power_kw": peak_power,
        "declared.storeys_above_ground": storeys,
        "declared.parking_spaces": count(parking, "parking spaces (ParkingUnits counted)", "停车位（计入 ParkingUnits）",
                                         weight=lambda p: p.units),
        "declared.charging_points": count(chargers, "charging points", "充电桩"),
        "declared.fast_charging_points": count(chargers, f"DC or ≥ {fast_min_kw:g} kW charging points",
                                               f"直流或功率 ≥ {fast_min_kw:g} kW 的充电桩", keep=fast),
        "declared.charger_ready_spaces": count(parking, "spaces with YP_ParkingSpace.ChargerReady = TRUE",
                                               "YP_ParkingSpace.ChargerReady 为 TRUE 的停车位",
                                               keep=lambda p: p.charger_ready is True, weight=lambda p: p.units),
    }


def model_gfa(models: list[ModelFacts]) -> ModelFigure:
    """The models' gross floor area: every building's, summed (ABSENT when a building has none).
    Where any building's is a sum of its spaces (which exclude walls) the total is a lower bound."""
    buildings = buildings_with_figures(models)
    with_gfa = [b for b in buildings if b.gross_floor_area is not None]
    if not with_gfa or len(with_gfa) != len(buildings):
        return ABSENT
    return ModelFigure(round(sum(float(b.gross_floor_area.value) for b in with_gfa), 4),
                       tuple(b.global_id for b in with_gfa),
                       "; ".join(b.gross_floor_area.source for b in with_gfa),
                       "；".join(source_zh(b.gross_floor_area.source) for b in with_gfa),
                       lower_bound=any(SPACES_SUM in b.gross_floor_area.source for b in with_gfa),
                       file=with_gfa[0].file)


def crosscheck(loaded: LoadedSubmission, models: list[ModelFacts], params: dict, counted=None) -> list[Note]:
    """`params`: the rule set's parameters (fast_charger_min_kw, metadata_tolerance_pct); `counted`: the
    submission's identity.Counted when already computed."""
    file = loaded.metadata_file.name
    tolerance = float(params["metadata_tolerance_pct"]) / 100.0
    findings = []
    for field, get in model_figures(models, float(params["fast_charger_min_kw"]), counted).items():
        declared = stated(loaded.meta, field)
        if declared is None:
            continue
        measured = get()
        if measured.value is None:
            continue
        is_count = not field.endswith(("_m2", "_kw"))        # areas and power are measures, the rest counts
        if measured.lower_bound:                              # only a declared figure below it is contradicted
            if declared < measured.value and differs(float(declared), float(measured.value), False, tolerance):
                findings.append(_below_spaces(loaded, field, float(declared), measured, file))
            continue
        if differs(float(declared), float(measured.value), is_count, tolerance):
            shown = f"{measured.value:g}" if is_count else f"{measured.value:.2f}"
            findings.append(note(
                "metadata.mismatch", file,
                f"{field} = {declared:g} in {file}, but the model gives {shown} ({measured.how}); "
                f"{'counts must agree' if is_count else f'more than {tolerance:.0%} apart'}. "
                "Correct the metadata or the model",
                f"{file} 中 {field} = {declared:g}，但模型为 {shown}（{measured.how_zh}）；"
                f"{'数量应一致' if is_count else f'两者相差超过 {tolerance:.0%}'}。请修正申报资料或模型",
                measured.global_ids[:200], "uncertain", line=loaded.line_of(field), field=field))
    findings += _not_in_model(loaded, models, file) + _systems(loaded, models, file)
    return findings


def _below_spaces(loaded: LoadedSubmission, field: str, declared: float, measured: ModelFigure, file: str) -> Note:
    return note("metadata.mismatch", file,
                f"{field} = {declared:g} in {file}, but the model's spaces alone add up to {measured.value:.2f} "
                f"({measured.how}); spaces exclude walls, so the building is at least that large. "
                "Correct the metadata or the model",
                f"{file} 中 {field} = {declared:g}，但模型中仅空间面积之和即为 {measured.value:.2f}（{measured.how_zh}）；"
                "空间面积不含墙体，建筑面积不小于此值。请修正申报资料或模型",
                measured.global_ids[:200], "uncertain", line=loaded.line_of(field), field=field)


def _not_in_model(loaded: LoadedSubmission, models: list[ModelFacts], file: str) -> list[Note]:
    """A figure declared for a family no model shows: weighed by the metric reading it (evidence_policy.py)."""
    out = []
    for field, (family, what) in FAMILIES.items():
        declared = stated(loaded.meta, field)
        if declared is None or declared == 0 or shows(models, family):
            continue
        out.append(note(
            DECLARED_NOT_IN_MODEL, file,
            f"{field} = {declared:g} in {file}, but the models show no {what.en}: {DECLARED_ONLY.en}. Until "
            f"they do, the figure is uncertain between 0 and {declared:g}; add them to the model (see "
            "docs/ifc-conventions.md) or correct the submission",
            f"{file} 中 {field} = {declared:g}，但模型中没有{what.zh}：{DECLARED_ONLY.zh}。在模型体现之前，"
            f"该数值视为介于 0 与 {declared:g} 之间、存疑；请在模型中建模（见 docs/ifc-conventions.md），或修正申报资料",
            severity="uncertain", line=loaded.line_of(field)))
    return out


def _systems(loaded: LoadedSubmission, models: list[ModelFacts], file: str) -> list[Note]:
    declared = loaded.meta.declared.renewable_systems
    if declared is None:
        return []
    shown: set[str] = {s.kind for m in models for s in m.systems if s.kind != "exhaust_heat_recovery"}   # not renewable
    if any(m.pv_panels for m in models):
        shown.add("pv")
    missing = sorted(set(declared) - shown)
    unstated = sorted(shown - set(declared))
    if "solar" in shown:                 # a solar device that says neither PV nor thermal may be the one declared
        solar_kinds = [k for k in missing if k in ("pv", "solar_thermal")]
        missing = [k for k in missing if k not in solar_kinds[:1]]
        unstated = [k for k in unstated if k != "solar" or not (set(declared) & {"pv", "solar_thermal"})]
    out = []
    if missing:
        out.append(note(DECLARED_NOT_IN_MODEL, file,
                        f"declared.renewable_systems lists {', '.join(missing)}, which no model shows: "
                        f"{DECLARED_ONLY.en}. Until a model does, each counts as uncertain; add the system to the "
                        "model (see docs/ifc-conventions.md) or correct the submission",
                        f"declared.renewable_systems 列有{system_names(missing).zh}，但模型中均未体现："
                        f"{DECLARED_ONLY.zh}。在模型体现之前，其计入存疑；请在模型中建模该系统（见 docs/ifc-conventions.md），"
                        "或修正申报资料",
                        severity="uncertain", line=loaded.line_of("declared.renewable_systems")))
    if unstated:
        out.append(note("metadata.system_not_declared", file,
                        f"the models show {', '.join(unstated)}, which declared.renewable_systems omits",
                        f"模型中有{system_names(unstated).zh}，但 declared.renewable_systems 未列出",
                        severity="info", line=loaded.line_of("declared.renewable_systems")))
    return out
