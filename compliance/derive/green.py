"""Green-building grade (GB/T 50378-2019 §3.2) and ultra-low-energy class (GB/T 51350-2019).

The grade the submitted scores support is computed here; a claimed label above it is a
finding, and the rules judge the supported grade, never the claim alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..read.records import Note, note
from ..text import Text
from .metrics import Inputs, Metric, MetricSpec, joined, not_given

GRADES = {-1.0: ("未达基本级", "below basic"), 0.0: ("基本级", "basic"), 1.0: ("一星级", "1-star"),
          2.0: ("二星级", "2-star"), 3.0: ("三星级", "3-star")}
CLAIMS = {"none": -1, "basic": 0, "1-star": 1, "2-star": 2, "3-star": 3}
CATEGORIES = ("safety_durability", "health_comfort", "occupant_convenience", "resource_saving",
              "environment_livability")
CATEGORY_ZH = dict(zip(CATEGORIES, ("安全耐久", "健康舒适", "生活便利", "资源节约", "环境宜居")))
CLASSES = {0.0: ("未达超低能耗", "not ultra-low-energy"), 1.0: ("超低能耗", "ultra-low-energy"),
           2.0: ("近零能耗", "nearly-zero-energy"), 3.0: ("零能耗", "zero-energy")}
CLASS_RANK = {"none": 0, "ultra_low": 1, "nearly_zero": 2, "zero_energy": 3}
CLASS_PARAMS = ("ultra_low_min_saving_pct", "nearly_zero_min_saving_pct", "zero_energy_min_saving_pct")


@dataclass(frozen=True)
class Grade:
    level: int | None                 # -1 below basic, 0 basic, 1..3 stars; None: cannot be graded
    total: float | None               # Q = (400 + Q1..Q5 + QA) / 10
    steps: tuple[Text, ...]           # how the grade was reached, in order
    doubts: tuple[Text, ...]          # contradictions or gaps that need a reviewer
    possible: int | None = None       # the grade if the unstated star conditions hold (None: same as level)


def grade(gb, params: dict) -> Grade:
    """The grade that `gb` (read.metadata.GreenBuilding) supports, per GB/T 50378-2019 §3.2."""
    if gb.scores is None:
        return Grade(None, None, (), ())
    if gb.prerequisites_met is None:
        return Grade(None, None, (), (Text(zh="未说明 green_building.prerequisites_met：无法评定等级",
                                           en="green_building.prerequisites_met is not stated: no grade can be computed"),))
    if not gb.prerequisites_met:
        return Grade(-1, None, (Text(zh="控制项未全部满足：未达基本级",
                                     en="a prerequisite (控制项) is not met: below the basic level"),), ())
    maxima = [float(x) for x in params["green_category_max_scores"]]
    share = float(params["green_category_min_share_pct"]) / 100.0
    thresholds = [float(x) for x in params["green_star_min_scores"]]
    scores = [float(getattr(gb.scores, c)) for c in CATEGORIES]
    doubts = [Text(zh=f"{CATEGORY_ZH[c]}得分 {s:g} 超过其满分 {m:g}", en=f"{c} score {s:g} exceeds its maximum {m:g}")
              for c, s, m in zip(CATEGORIES, scores, maxima) if s > m]
    bonus = min(float(gb.scores.innovation), float(params["green_innovation_max_score"]))
    total = round((400.0 + sum(scores) + bonus) / 10.0, 2)
    formula = f"Q = (400 + {' + '.join(f'{s:g}' for s in scores)} + {bonus:g}) / 10 = {total:g}"
    steps = [Text(zh=f"总得分 {formula}", en=formula)]
    low = [c for c, s, m in zip(CATEGORIES, scores, maxima) if s < share * m]
    gaps = []
    if low:
        gaps.append(Text(zh=f"{'、'.join(CATEGORY_ZH[c] for c in low)}得分低于其满分的 {share:.0%}",
                         en=f"categories below {share:.0%} of their maximum: {', '.join(low)}"))
    unstated = []
    for flag, what in (("full_fit_out", Text(zh="未实行全装修", en="full interior fit-out not met")),
                       ("technical_requirements_met", Text(zh="未满足表 3.2.8 的技术要求", en="Table 3.2.8 not met"))):
        value = getattr(gb, flag)
        if value is False:
            gaps.append(what)
        elif value is None:
            unstated.append(flag)
    stars = sum(1 for t in thresholds if total >= t)
    if gaps or unstated:
        # a star grade is out of reach only through a stated gap; an unstated condition leaves it open
        if stars and unstated and not gaps:
            fields = ["green_building." + f for f in unstated]
            zh, en = GRADES[float(stars)]
            doubts.append(Text(zh=f"未说明 {'、'.join(fields)}：按得分可达{zh}，但仅能确认基本级",
                               en=f"{' and '.join(fields)} not stated: the scores would "
                                  f"support {en}, but only the basic level can be confirmed"))
        steps.append(Text(zh=(f"星级评定条件未满足（{'；'.join(g.zh for g in gaps)}）" if gaps else "星级评定条件未说明")
                             + "：评为基本级",
                          en="star grades need " + ("; ".join(g.en for g in gaps) or "the conditions stated")
                             + ": basic level"))
        return Grade(0, total, tuple(steps), tuple(doubts), possible=stars if unstated and not gaps else 0)
    against = " / ".join(f"{t:g}" for t in thresholds)
    zh, en = GRADES[float(stars)]
    steps.append(Text(zh=f"总得分 {total:g}，对照 {against} → {zh}", en=f"total {total:g} against {against} → {en}"))
    return Grade(stars, total, tuple(steps), tuple(doubts))


def green_star(inp: Inputs) -> Metric:
    gb = getattr(inp.meta, "green_building", None)
    ev = (inp.field_evidence("green_building.claimed", "green_building.scores", "green_building"),)
    base = dict(name="green_star", unit="level", evidence=ev)
    claimed = CLAIMS.get(getattr(gb, "claimed", None) or "")
    g = grade(gb, inp.params) if gb is not None else Grade(None, None, (), ())
    if g.level is None:
        if claimed is None:
            return Metric(value=None, reasons=g.doubts or (Text(
                zh="green_building 中既未申报星级，也未提供评分",
                en="neither a claimed label nor scores (green_building)"),), **base)
        assert gb is not None           # a claim is read from green_building
        doubts = list(g.doubts)
        if claimed >= 0 and not gb.certificate and not doubts:      # "none" needs no support
            doubts.append(Text(zh="申报了星级，但既无评分也无标识证书（green_building.certificate）",
                               en="a label is claimed with neither scores nor a certificate (green_building.certificate)"))
        zh, en = GRADES[float(claimed)]
        return Metric(value=float(claimed), certain=not doubts, reasons=tuple(doubts),
                      computation=Text(zh=f"申报星级：{zh}" + (f"，标识证书「{gb.certificate}」" if gb.certificate else ""),
                                       en=f"claimed label {en}" + (f", certificate {gb.certificate}"
                                                                   if gb.certificate else "")), **base)
    value = g.level if claimed is None else min(claimed, g.level)
    steps = list(g.steps)
    if claimed is not None and claimed > g.level:
        zh, en = GRADES[float(claimed)]
        steps.append(Text(zh=f"申报的{zh}未获评分支持", en=f"the claimed {en} is not supported by the scores"))
    # doubts about star conditions matter only when they could lift the judged value
    ceiling = max(g.level, g.possible or 0) if claimed is None else min(claimed, max(g.level, g.possible or 0))
    open_doubts = tuple(d for d in g.doubts if ceiling > value or "not stated" not in d.en)
    return Metric(value=float(value), certain=not open_doubts, reasons=open_doubts, computation=joined(steps),
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
        return Metric(value=None, reasons=(not_given("energy.energy_class"),), **base)
    rank = CLASS_RANK[declared]
    if saving is None:
        reasons = (Text(zh="申报了能效等级，但未提供支撑该等级的 energy.design_saving_rate_pct",
                        en="the energy class is declared without energy.design_saving_rate_pct to support it"),) \
            if rank else ()
        zh, en = CLASSES[float(rank)]
        return Metric(value=float(rank), certain=not reasons, reasons=reasons,
                      computation=Text(zh=f"申报能效等级：{zh}", en=f"declared class {en}"), **base)
    supported = supported_class(saving, inp.params)
    value = min(rank, supported)
    against = " / ".join(f"{float(inp.params[p]):g} %" for p in CLASS_PARAMS)
    zh, en = CLASSES[float(supported)]
    steps = [Text(zh=f"设计节能率 {saving:g} %，对照 {against} → {zh}",
                  en=f"design saving {saving:g} % vs thresholds {against} → {en}")]
    if rank > supported:
        zh, en = CLASSES[float(rank)]
        steps.append(Text(zh=f"申报的{zh}未获设计节能率支持", en=f"the declared {en} is not supported"))
    return Metric(value=float(value), computation=joined(steps), inputs={"design_saving_pct": saving}, **base)


def claim_findings(meta, params: dict, file: str, lines: dict) -> list[Note]:
    """Contradictory metadata: a label or class the submitted figures do not support."""
    out = []
    gb = getattr(meta, "green_building", None)
    claimed = CLAIMS.get(getattr(gb, "claimed", None) or "")
    if gb is not None and claimed is not None and gb.scores is not None:
        g = grade(gb, params)
        if g.level is not None and claimed > g.level:
            zh, en = GRADES[float(g.level)]
            out.append(note("green.claim_unsupported", file,
                            f"green_building.claimed is {gb.claimed}, but the scores support "
                            f"{en} ({'; '.join(s.en for s in g.steps)}); the rules judge the supported grade",
                            f"green_building.claimed 申报为{GRADES[float(claimed)][0]}，但评分仅支持{zh}"
                            f"（{'；'.join(s.zh for s in g.steps)}）；按评分支持的等级判定",
                            line=lines.get("green_building.claimed")))
    energy = getattr(meta, "energy", None)
    if energy is not None and energy.energy_class and energy.design_saving_rate_pct is not None:
        rank, supported = CLASS_RANK[energy.energy_class], supported_class(energy.design_saving_rate_pct, params)
        if rank > supported:
            saving = f"{energy.design_saving_rate_pct:g} %"
            out.append(note("energy.class_unsupported", file,
                            f"energy.energy_class is {energy.energy_class}, but a design saving of "
                            f"{saving} supports {CLASSES[float(supported)][1]}; the rules judge the supported class",
                            f"energy.energy_class 申报为{CLASSES[float(rank)][0]}，但设计节能率 {saving} "
                            f"仅支持{CLASSES[float(supported)][0]}；按其支持的等级判定",
                            line=lines.get("energy.energy_class")))
    return out


def green_specs() -> list[MetricSpec]:
    return [
        MetricSpec("green_star", "level", "绿色建筑星级", "green-building grade", {}, green_star,
                   "在 submission.yaml 中填写申报星级 green_building.claimed，及 GB/T 50378-2019 自评分 green_building.scores 或标识证书。",
                   "State green_building.claimed in submission.yaml with the GB/T 50378-2019 self-assessment "
                   "scores (green_building.scores) or the label certificate.",
                   uses_params=("green_star_min_scores", "green_category_max_scores", "green_category_min_share_pct",
                                "green_innovation_max_score"), levels=GRADES),
        MetricSpec("energy_class", "level", "建筑能效等级", "building energy class", {}, energy_class,
                   "在 submission.yaml 的 energy 中填写 energy_class 与设计节能率 design_saving_rate_pct。",
                   "State energy.energy_class and energy.design_saving_rate_pct in submission.yaml.",
                   uses_params=CLASS_PARAMS, levels=CLASSES),
    ]
