"""Approved submissions + targets -> DistrictReport. Pure: no database, no files.

A figure that is missing or uncertain is never guessed: the submission is listed under
`not_counted` and the total is a lower bound until it is fixed. A figure outside the targets
file's plausible bounds (a 1e12 m² typo) is a finding naming the submission and the figure, and
never enters a total. A submission the target's reading leaves out on purpose (an `only_if` it
does not meet, a use in `not_uses`) is listed under `excluded`, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from ..build import build_identity
from ..derive.metrics import Metric
from ..text import Text
from .records import Contribution, DistrictReport, Finding, TargetProgress
from .targets import LABELS, UNITS, Bound, Target, Targets, Where
from .wording import basis_text, condition_text, figure_text, use_label


@dataclass(frozen=True)
class Approved:
    """One submission's latest filed check, approved by a reviewer, as the registry holds it."""

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
                      targets_version: str, use_labels: dict[str, Text] | None = None) -> DistrictReport:
    """`use_groups`: use class -> its groups (rule settings); `use_labels`: use class -> its name."""
    labels = dict(use_labels or {})
    considered = [a for a in approved if a.filed_on <= as_of]
    ctx = _Context(use_groups, targets.plausible, labels)
    progress = tuple(_progress(t, considered, ctx) for t in targets.targets)
    return DistrictReport(title=targets.title, generated_at=datetime.now(timezone.utc).replace(microsecond=0),
                          as_of=as_of, registry=registry, targets_file=targets_file, targets_version=targets_version,
                          submissions=tally.submissions, approved=len(approved), by_verdict=tally.by_verdict,
                          errors=tally.errors, targets=progress, tool_version=build_identity(),
                          findings=tuple(implausible_figures(considered, targets.plausible)),
                          use_labels={u: labels[u] for u in sorted({a.use for a in considered} & set(labels))})


@dataclass(frozen=True)
class _Context:
    use_groups: dict[str, list[str]]
    bounds: dict[str, Bound]
    labels: dict[str, Text]


def implausible_figures(approved: list[Approved], bounds: dict[str, Bound]) -> list[Finding]:
    """Every figure of an approved submission outside its plausible bounds, one finding each."""
    out = []
    for a in sorted(approved, key=lambda a: (a.filed_on, a.submission_id)):
        for name, bound in bounds.items():
            m = a.figures.get(name)
            if m is not None and m.value is not None and not bound.holds(m.value):
                out.append(Finding(submission_id=a.submission_id, name=a.name, check_id=a.check_id, figure=name,
                                   value=m.value, unit=UNITS[name], text=_implausible(name, m.value, bound)))
    return out


def _implausible(name: str, value: float, bound: Bound) -> Text:
    shown = figure_text(value, UNITS[name])
    return Text(zh=f"{LABELS[name].zh}为 {shown.zh}，超出合理范围（{bound.label.zh}）：按数据错误处理，不计入汇总；"
                   f"依据：{bound.source.zh}",
                en=f"{LABELS[name].en} of {shown.en} is beyond the plausible range ({bound.label.en}): taken as a data "
                   f"error and left out of the totals; basis: {bound.source.en}")


# --------------------------------------------------------------------------- figures and scope

def _figure(a: Approved, name: str, ctx: _Context) -> tuple[float | None, Text | None]:
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
    bound = ctx.bounds.get(name)
    if bound is not None and not bound.holds(m.value):
        return None, _implausible(name, m.value, bound)
    if not m.certain:
        return None, Text(zh=f"{LABELS[name].zh}待复核：" + "；".join(r.zh for r in m.reasons),
                          en=f"{LABELS[name].en} uncertain: " + "; ".join(r.en for r in m.reasons))
    return m.value, None


def _at_least(a: Approved, minimum: float, ctx: _Context) -> tuple[str, Text | None]:
    """Whether the gross floor area is at least `minimum` ("以上" includes the figure): in, out or
    unknown (missing, implausible, or uncertain over a range that straddles it)."""
    m = a.figures.get("gross_floor_area")
    value, why = _figure(a, "gross_floor_area", ctx)
    if why is None:
        assert value is not None                # _figure gives a value or why not
        return ("in" if value >= minimum else "out"), None
    if m is not None and m.value is not None and not m.certain and (ctx.bounds.get("gross_floor_area") is None
                                                                    or ctx.bounds["gross_floor_area"].holds(m.value)):
        if m.low is not None and m.low >= minimum:
            return "in", None
        if m.high is not None and m.high < minimum:
            return "out", None
    return "unknown", Text(zh=f"无法判断总建筑面积是否达到 {minimum:,.0f} m²（{why.zh}）",
                           en=f"whether the gross floor area reaches {minimum:,.0f} m² cannot be told ({why.en})")


def _where(w: Where, a: Approved, ctx: _Context) -> tuple[str, Text | None]:
    """in, out, excluded (named in not_uses: listed with the reason) or unknown (with why)."""
    if w.kind is not None and a.kind not in w.kind:
        return "out", None
    if w.uses is not None and a.use not in w.uses:
        return "out", None
    if w.groups is not None and not set(w.groups) & set(ctx.use_groups.get(a.use, ())):
        return "out", None
    unknown: Text | None = None
    if w.public_institution is not None:
        value, why = _figure(a, "public_institution", ctx)
        if why is not None:
            unknown = why
        elif bool(value) != w.public_institution:
            return "out", None
    if w.min_gross_floor_area_m2 is not None:
        st, why = _at_least(a, w.min_gross_floor_area_m2, ctx)
        if st == "out":
            return "out", None
        unknown = unknown or why
    if w.any_of:
        alternatives = [_where(alt, a, ctx) for alt in w.any_of]
        states = [s for s, _ in alternatives]
        if "in" not in states:
            if "unknown" in states:
                unknown = unknown or next(why for s, why in alternatives if s == "unknown")
            else:
                return next(((s, why) for s, why in alternatives if s == "excluded"), ("out", None))
    if w.not_uses and a.use in w.not_uses:
        label = use_label(a.use, ctx.labels)
        return "excluded", Text(zh=f"用途为{label.zh}，按本目标的统计口径不计入", en=f"use {label.en}: left out by this "
                                                                                  "target's reading")
    return ("unknown", unknown) if unknown else ("in", None)


# --------------------------------------------------------------------------- one target

def _contribution(a: Approved, value, qualifies, why: Text | None, weight=None, counted=None) -> Contribution:
    return Contribution(submission_id=a.submission_id, name=a.name, check_id=a.check_id, filed_on=a.filed_on,
                        use=a.use, kind=a.kind, gross_floor_area_m2=a.gross_floor_area_m2, value=value,
                        weight=weight, qualifies=qualifies, counted=why is None if counted is None else counted,
                        why=why)


def _known(x: float | None) -> float:
    """A counted contribution's value or weight: `_progress` counts only figures it has."""
    assert x is not None
    return x


def _progress(t: Target, approved: list[Approved], ctx: _Context) -> TargetProgress:
    counted: list[Contribution] = []
    not_counted: list[Contribution] = []
    excluded: list[Contribution] = []
    second = t.over or t.weight
    for a in sorted((a for a in approved if t.period.start <= a.filed_on <= t.period.end),
                    key=lambda a: (a.filed_on, a.submission_id)):
        scope, why = _where(t.where, a, ctx)
        if scope == "out":
            continue
        if scope == "excluded":
            excluded.append(_contribution(a, None, None, why, counted=False))
            continue
        value = weight = qualifies = None
        if why is None:
            value, why = _figure(a, t.figure, ctx)
        if why is None and second is not None:
            weight, why = _figure(a, second, ctx)
        if why is None and t.only_if is not None:
            cond, why = _figure(a, t.only_if.figure, ctx)
            qualifies = None if cond is None else t.only_if.holds(cond)
            if qualifies is False and t.measure != "share":
                assert cond is not None         # qualifies is False only for a figure that does not hold
                c = t.only_if
                need, found = condition_text(c.figure, c.op, c.value), figure_text(cond, UNITS[c.figure])
                excluded.append(_contribution(a, value, False, Text(
                    zh=f"{LABELS[c.figure].zh}为 {found.zh}，不满足“{need.zh}”的条件，不计入",
                    en=f"{LABELS[c.figure].en} is {found.en}, not {need.en}: not counted"), weight, counted=False))
                continue
        if why is not None:
            not_counted.append(_contribution(a, value, qualifies, why, weight))
        else:
            counted.append(_contribution(a, value, qualifies, None, weight))
    numerator: float | None = None
    denominator: float | None = None
    if t.measure == "sum":
        achieved = round(sum(_known(c.value) for c in counted), 4)
    else:
        if t.measure == "share":
            denominator = sum(_known(c.value) for c in counted)
            numerator = sum(_known(c.value) for c in counted if c.qualifies)
        elif t.measure == "ratio":
            numerator, denominator = sum(_known(c.value) for c in counted), sum(_known(c.weight) for c in counted)
        else:                                   # weighted: Σ(rate × weight) / Σ weight
            numerator = sum(_known(c.value) / 100.0 * _known(c.weight) for c in counted)
            denominator = sum(_known(c.weight) for c in counted)
        numerator, denominator = round(numerator, 4), round(denominator, 4)
        achieved = round(numerator / denominator * 100.0, 4) if denominator else 0.0
    display = t.display
    return TargetProgress(id=t.id, clause=t.clause, title=t.title, quote=t.quote, reading=t.reading, measure=t.measure,
                          figure=t.figure, over=second, unit=t.unit, target=t.target, period_start=t.period.start,
                          period_end=t.period.end, achieved=achieved, numerator=numerator, denominator=denominator,
                          progress_pct=round(achieved / t.target * 100.0, 2), met=achieved >= t.target,
                          basis=basis_text(t, ctx.labels), contributions=tuple(counted),
                          not_counted=tuple(not_counted), excluded=tuple(excluded),
                          display_scale=display.scale if display else 1.0,
                          display_unit=display.unit if display else t.unit)
