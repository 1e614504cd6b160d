"""Approved submissions + targets -> DistrictReport. Pure: no database, no files.

A figure that is missing or uncertain is never guessed: the submission is listed under
`not_counted` and the total is a lower bound until it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from .. import __version__
from ..derive.metrics import Metric
from ..text import Text
from .records import Contribution, DistrictReport, TargetProgress
from .targets import LABELS, Target, Targets


@dataclass(frozen=True)
class Approved:
    """One submission's latest compliant check, as the registry holds it."""

    check_id: int
    submission_id: str
    name: str
    filed_on: date
    use: str
    kind: str
    gross_floor_area_m2: float | None
    figures: dict[str, Metric] = field(default_factory=dict)


@dataclass(frozen=True)
class Tally:
    """How many submissions the registry holds, by latest verdict (for the report's header)."""

    submissions: int
    by_verdict: dict[str, int]
    errors: int = 0


def district_progress(approved: list[Approved], targets: Targets, use_groups: dict[str, list[str]], *,
                      as_of: date, tally: Tally, registry: str, targets_file: str,
                      targets_version: str) -> DistrictReport:
    """`use_groups`: use class -> its groups (rule settings)."""
    progress = tuple(_progress(t, [a for a in approved if a.filed_on <= as_of], use_groups) for t in targets.targets)
    return DistrictReport(title=targets.title, generated_at=datetime.now(timezone.utc).replace(microsecond=0),
                          as_of=as_of, registry=registry, targets_file=targets_file, targets_version=targets_version,
                          submissions=tally.submissions, approved=len(approved), by_verdict=tally.by_verdict,
                          errors=tally.errors, targets=progress, tool_version=__version__)


def in_scope(t: Target, a: Approved, use_groups: dict[str, list[str]]) -> bool:
    w = t.where
    if not (t.period.start <= a.filed_on <= t.period.end):
        return False
    if w.kind is not None and a.kind not in w.kind:
        return False
    if w.uses is not None and a.use not in w.uses:
        return False
    if w.groups is not None and not set(w.groups) & set(use_groups.get(a.use, ())):
        return False
    if w.min_gross_floor_area_m2 is not None:
        gfa = a.figures.get("gross_floor_area")
        if gfa is None or gfa.value is None or gfa.value <= w.min_gross_floor_area_m2:
            return False       # unknown floor area: cannot be shown to be in scope
    return True


def _figure(a: Approved, name: str) -> tuple[float | None, Text | None]:
    """(value, why not usable)."""
    if name == "count":
        return 1.0, None
    m = a.figures.get(name)
    if m is None:
        return None, Text(zh=f"该核查记录无{LABELS[name].zh}数据（旧版本工具核查），请重新核查",
                          en=f"the check holds no {LABELS[name].en} (checked by an older tool version); re-check it")
    if m.value is None:
        why = "; ".join(r.en for r in m.reasons) or "not given"
        why_zh = "；".join(r.zh for r in m.reasons) or "未提供"
        return None, Text(zh=f"{LABELS[name].zh}缺失：{why_zh}", en=f"{LABELS[name].en} missing: {why}")
    if not m.certain:
        return None, Text(zh=f"{LABELS[name].zh}待复核：" + "；".join(r.zh for r in m.reasons),
                          en=f"{LABELS[name].en} uncertain: " + "; ".join(r.en for r in m.reasons))
    return m.value, None


def _contribution(a: Approved, value, qualifies, why: Text | None) -> Contribution:
    return Contribution(submission_id=a.submission_id, name=a.name, check_id=a.check_id, filed_on=a.filed_on,
                        use=a.use, kind=a.kind, gross_floor_area_m2=a.gross_floor_area_m2, value=value,
                        qualifies=qualifies, counted=why is None, why=why)


def _progress(t: Target, approved: list[Approved], use_groups: dict[str, list[str]]) -> TargetProgress:
    counted, not_counted = [], []
    for a in sorted((a for a in approved if in_scope(t, a, use_groups)), key=lambda a: (a.filed_on, a.submission_id)):
        value, why = _figure(a, t.figure)
        qualifies = None
        if why is None and t.only_if is not None:
            cond, why = _figure(a, t.only_if.figure)
            qualifies = None if cond is None else t.only_if.holds(cond)
        if why is not None:
            not_counted.append(_contribution(a, value, qualifies, why))
        elif t.measure == "share" or qualifies is not False:
            counted.append(_contribution(a, value, qualifies, None))
    numerator = denominator = None
    if t.measure == "sum":
        achieved = round(sum(c.value for c in counted), 4)
    else:
        denominator = round(sum(c.value for c in counted), 4)
        numerator = round(sum(c.value for c in counted if c.qualifies), 4)
        achieved = round(numerator / denominator * 100.0, 4) if denominator else 0.0
    display = t.display
    return TargetProgress(id=t.id, clause=t.clause, title=t.title, quote=t.quote, measure=t.measure, figure=t.figure,
                          unit=t.unit, target=t.target, period_start=t.period.start, period_end=t.period.end,
                          achieved=achieved, numerator=numerator, denominator=denominator,
                          progress_pct=round(achieved / t.target * 100.0, 2), met=achieved >= t.target,
                          basis=basis_text(t), contributions=tuple(counted), not_counted=tuple(not_counted),
                          display_scale=display.scale if display else 1.0,
                          display_unit=display.unit if display else t.unit)


def basis_text(t: Target) -> Text:
    """What is added up and which submissions count, in both languages."""
    w = t.where
    zh, en = [f"{t.period.start} 至 {t.period.end} 申报且最近一次核查合规的项目"], \
        [f"approved submissions (latest check compliant) filed {t.period.start} – {t.period.end}"]
    if w.kind:
        zh.append("类型 " + "、".join({"new": "新建", "retrofit": "改造"}[k] for k in w.kind))
        en.append("kind " + ", ".join(w.kind))
    if w.uses:
        zh.append("用途 " + "、".join(w.uses))
        en.append("use " + ", ".join(w.uses))
    if w.groups:
        zh.append("用途组 " + "、".join(w.groups))
        en.append("use group " + ", ".join(w.groups))
    if w.min_gross_floor_area_m2 is not None:
        zh.append(f"总建筑面积大于 {w.min_gross_floor_area_m2:,.0f} m²")
        en.append(f"gross floor area over {w.min_gross_floor_area_m2:,.0f} m²")
    label = LABELS[t.figure]
    if t.measure == "sum":
        head_zh, head_en = f"{label.zh}之和", f"sum of {label.en}"
        if t.only_if is not None:
            c = t.only_if
            head_zh += f"（仅计{LABELS[c.figure].zh} {c.op} {c.value:g} 的项目）"
            head_en += f" (only where {LABELS[c.figure].en} {c.op} {c.value:g})"
    else:
        c = t.only_if
        head_zh = f"{LABELS[c.figure].zh} {c.op} {c.value:g} 的项目之{label.zh}占全部的比例"
        head_en = f"share of {label.en} where {LABELS[c.figure].en} {c.op} {c.value:g}"
    return Text(zh=f"{head_zh}；范围：" + "，".join(zh), en=f"{head_en}; over " + ", ".join(en))
