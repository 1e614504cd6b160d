"""Green-building grade (GB/T 50378-2019 §3.2) and ultra-low-energy class (GB/T 51350-2019).

The grade the submitted scores support is computed here; a claimed label above it is a
finding, and the rules judge the supported grade, never the claim alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..read.records import Note
from .metrics import Inputs, Metric, MetricSpec

GRADES = {-1.0: ("未达基本级", "below basic"), 0.0: ("基本级", "basic"), 1.0: ("一星级", "1-star"),
          2.0: ("二星级", "2-star"), 3.0: ("三星级", "3-star")}
CLAIMS = {"none": -1, "basic": 0, "1-star": 1, "2-star": 2, "3-star": 3}
CATEGORIES = ("safety_durability", "health_comfort", "occupant_convenience", "resource_saving",
              "environment_livability")
CLASSES = {0.0: ("未达超低能耗", "not ultra-low-energy"), 1.0: ("超低能耗", "ultra-low-energy"),
           2.0: ("近零能耗", "nearly-zero-energy"), 3.0: ("零能耗", "zero-energy")}
CLASS_RANK = {"none": 0, "ultra_low": 1, "nearly_zero": 2, "zero_energy": 3}
CLASS_PARAMS = ("ultra_low_min_saving_pct", "nearly_zero_min_saving_pct", "zero_energy_min_saving_pct")


@dataclass(frozen=True)
class Grade:
    level: int | None                 # -1 below basic, 0 basic, 1..3 stars; None: cannot be graded
    total: float | None               # Q = (400 + Q1..Q5 + QA) / 10
    steps: tuple[str, ...]            # how the grade was reached, in order
    doubts: tuple[str, ...]           # contradictions or gaps that need a reviewer
    possible: int | None = None       # the grade if the unstated star conditions hold (None: same as level)


def grade(gb, params: dict) -> Grade:
    """The grade that `gb` (read.metadata.GreenBuilding) supports, per GB/T 50378-2019 §3.2."""
    if gb.scores is None:
        return Grade(None, None, (), ())
    if gb.prerequisites_met is None:
        return Grade(None, None, (), ("green_building.prerequisites_met is not stated: no grade can be computed",))
    if not gb.prerequisites_met:
        return Grade(-1, None, ("a prerequisite (控制项) is not met: below the basic level",), ())
    maxima = [float(x) for x in params["green_category_max_scores"]]
    share = float(params["green_category_min_share_pct"]) / 100.0
    thresholds = [float(x) for x in params["green_star_min_scores"]]
    scores = [float(getattr(gb.scores, c)) for c in CATEGORIES]
    doubts = [f"{c} score {s:g} exceeds its maximum {m:g}" for c, s, m in zip(CATEGORIES, scores, maxima) if s > m]
    bonus = min(float(gb.scores.innovation), float(params["green_innovation_max_score"]))
    total = round((400.0 + sum(scores) + bonus) / 10.0, 2)
    steps = [f"Q = (400 + {' + '.join(f'{s:g}' for s in scores)} + {bonus:g}) / 10 = {total:g}"]
    low = [c for c, s, m in zip(CATEGORIES, scores, maxima) if s < share * m]
    gaps = []
    if low:
        gaps.append(f"categories below {share:.0%} of their maximum: {', '.join(low)}")
    unstated = []
    for flag, what in (("full_fit_out", "full interior fit-out"), ("technical_requirements_met", "Table 3.2.8")):
        value = getattr(gb, flag)
        if value is False:
            gaps.append(f"{what} not met")
        elif value is None:
            unstated.append(flag)
    stars = sum(1 for t in thresholds if total >= t)
    if gaps or unstated:
        # a star grade is out of reach only through a stated gap; an unstated condition leaves it open
        if stars and unstated and not gaps:
            doubts.append(f"{' and '.join('green_building.' + f for f in unstated)} not stated: the scores would "
                          f"support {GRADES[float(stars)][1]}, but only the basic level can be confirmed")
        steps.append("star grades need " + ("; ".join(gaps) or "the conditions stated") + ": basic level")
        return Grade(0, total, tuple(steps), tuple(doubts), possible=stars if unstated and not gaps else 0)
    steps.append(f"total {total:g} against {' / '.join(f'{t:g}' for t in thresholds)} → {GRADES[float(stars)][1]}")
    return Grade(stars, total, tuple(steps), tuple(doubts))


def green_star(inp: Inputs) -> Metric:
    gb = getattr(inp.meta, "green_building", None)
    ev = (inp.field_evidence("green_building.claimed", "green_building.scores", "green_building"),)
    base = dict(name="green_star", unit="level", evidence=ev)
    claimed = CLAIMS.get(getattr(gb, "claimed", None) or "")
    g = grade(gb, inp.params) if gb is not None else Grade(None, None, (), ())
    if g.level is None:
        if claimed is None:
            return Metric(value=None, reasons=g.doubts or ("neither a claimed label nor scores (green_building)",), **base)
        doubts = list(g.doubts)
        if claimed >= 0 and not gb.certificate and not doubts:      # "none" needs no support
            doubts.append("a label is claimed with neither scores nor a certificate (green_building.certificate)")
        return Metric(value=float(claimed), certain=not doubts, reasons=tuple(doubts),
                      computation=f"claimed label {GRADES[float(claimed)][1]}"
                                  + (f", certificate {gb.certificate}" if gb.certificate else ""), **base)
    value = g.level if claimed is None else min(claimed, g.level)
    how = "; ".join(g.steps)
    if claimed is not None and claimed > g.level:
        how += f"; the claimed {GRADES[float(claimed)][1]} is not supported by the scores"
    # doubts about star conditions matter only when they could lift the judged value
    ceiling = max(g.level, g.possible or 0) if claimed is None else min(claimed, max(g.level, g.possible or 0))
    doubts = tuple(d for d in g.doubts if ceiling > value or "not stated" not in d)
    return Metric(value=float(value), certain=not doubts, reasons=doubts, computation=how,
                  inputs={"total_score": g.total}, **base)


def supported_class(saving_pct: float, params: dict) -> int:
    return sum(1 for p in CLASS_PARAMS if saving_pct >= float(params[p]))


def energy_class(inp: Inputs) -> Metric:
    energy = getattr(inp.meta, "energy", None)
    declared = getattr(energy, "energy_class", None)
    saving = getattr(energy, "design_saving_rate_pct", None)
    ev = (inp.field_evidence("energy.energy_class", "energy.design_saving_rate_pct"),)
    base = dict(name="energy_class", unit="level", evidence=ev)
    if declared is None:
        return Metric(value=None, reasons=("energy.energy_class is not given",), **base)
    rank = CLASS_RANK[declared]
    if saving is None:
        reasons = ("the energy class is declared without energy.design_saving_rate_pct to support it",) if rank else ()
        return Metric(value=float(rank), certain=not reasons, reasons=reasons,
                      computation=f"declared class {CLASSES[float(rank)][1]}", **base)
    supported = supported_class(saving, inp.params)
    value = min(rank, supported)
    how = (f"design saving {saving:g} % vs thresholds "
           + " / ".join(f"{float(inp.params[p]):g} %" for p in CLASS_PARAMS) + f" → {CLASSES[float(supported)][1]}")
    if rank > supported:
        how += f"; the declared {CLASSES[float(rank)][1]} is not supported"
    return Metric(value=float(value), computation=how, inputs={"design_saving_pct": saving}, **base)


def claim_findings(meta, params: dict, file: str, lines: dict) -> list[Note]:
    """Contradictory metadata: a label or class the submitted figures do not support."""
    out = []
    gb = getattr(meta, "green_building", None)
    claimed = CLAIMS.get(getattr(gb, "claimed", None) or "")
    if gb is not None and claimed is not None and gb.scores is not None:
        g = grade(gb, params)
        if g.level is not None and claimed > g.level:
            out.append(Note(code="green.claim_unsupported", file=file, line=lines.get("green_building.claimed"),
                            severity="warning",
                            message=f"green_building.claimed is {gb.claimed}, but the scores support "
                                    f"{GRADES[float(g.level)][1]} ({'; '.join(g.steps)}); the rules judge the supported grade"))
    energy = getattr(meta, "energy", None)
    if energy is not None and energy.energy_class and energy.design_saving_rate_pct is not None:
        rank, supported = CLASS_RANK[energy.energy_class], supported_class(energy.design_saving_rate_pct, params)
        if rank > supported:
            out.append(Note(code="energy.class_unsupported", file=file, line=lines.get("energy.energy_class"),
                            severity="warning",
                            message=f"energy.energy_class is {energy.energy_class}, but a design saving of "
                                    f"{energy.design_saving_rate_pct:g} % supports {CLASSES[float(supported)][1]}; "
                                    "the rules judge the supported class"))
    return out


def green_specs() -> list[MetricSpec]:
    return [
        MetricSpec("green_star", "level", "绿色建筑星级", "green-building grade", {}, green_star,
                   "在 submission.yaml 的 green_building 中填写申报星级（claimed）及 GB/T 50378-2019 自评分（scores）或标识证书。",
                   "State green_building.claimed in submission.yaml with the GB/T 50378-2019 self-assessment "
                   "scores (green_building.scores) or the label certificate.",
                   uses_params=("green_star_min_scores", "green_category_max_scores", "green_category_min_share_pct",
                                "green_innovation_max_score"), levels=GRADES),
        MetricSpec("energy_class", "level", "建筑能效等级", "building energy class", {}, energy_class,
                   "在 submission.yaml 的 energy 中填写 energy_class 与设计节能率 design_saving_rate_pct。",
                   "State energy.energy_class and energy.design_saving_rate_pct in submission.yaml.",
                   uses_params=CLASS_PARAMS, levels=CLASSES),
    ]
