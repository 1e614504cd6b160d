"""Charts of the district dashboard, drawn like the verdict report's (compliance.report.charts):
matplotlib on its own Figure (never pyplot), text as paths, fixed `svg.hashsalt` and no date
metadata, so the same report gives the same SVG bytes. Only target ids, titles (from the targets
file), dates and numbers are drawn; no text from a submission.

* `progress_chart`   — one horizontal bar per target: achieved against the target (in the display
  unit; a share in %), the 100 % line, the percent of target beside it.
* `cumulative_chart` — sum targets: the achieved figure summed by filing date (a step line) against
  the target line and the end of the period.
* `overview_chart`   — the cover: every target's progress in % of its target, one row each.

Colours: met bluish green, in progress blue, missed (period over) dark red; words beside each bar
say the same without colour.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Optional

from ...report.charts.draw import BASE_GREY, CM, FAIL, INK, MUTED, PASS, TRACK, Chart, Pen, Plan, render, svg_chart
from ...report.labels import check_lang, pick
from .document import STATE, achieved_text, number, percent, state, target_text, unit_word

BLUE = "#0072B2"               # Okabe–Ito blue: on the way (not a failure while the period runs)
COLOUR = {"met": PASS, "progress": BLUE, "missed": FAIL}


def progress_chart(t, report, lang: str = "both") -> Chart:
    return svg_chart(progress_plan(t, report, lang))


def cumulative_chart(t, report, lang: str = "both") -> Optional[Chart]:
    plan = cumulative_plan(t, report, lang)
    return None if plan is None else svg_chart(plan)


def overview_chart(report, lang: str = "both") -> Optional[Chart]:
    plan = overview_plan(report, lang)
    return None if plan is None else svg_chart(plan)


def preview_png(plan: Plan, dpi: int = 150) -> bytes:
    """A plan as PNG, to look at while designing."""
    return render(plan, "png", dpi=dpi)


def _sentence(zh: str, en: str, lang: str) -> str:
    return pick(zh, en, lang)


def _lower(t) -> tuple[str, str]:
    return ("（下限）", " (lower bound)") if t.not_counted and t.measure == "sum" else ("", "")


# --------------------------------------------------------------------------- one bar per target

def progress_plan(t, report, lang: str = "both") -> Plan:
    check_lang(lang)
    st = state(t, report.as_of)
    achieved, target = t.achieved / t.display_scale, t.target / t.display_scale
    low_zh, low_en = _lower(t)
    zh = (f"{t.id} {t.title.zh}：达成 {achieved_text(t, 'zh')}{low_zh}，目标 {target_text(t, 'zh')}，"
          f"为目标的 {percent(t.progress_pct)}（{STATE[st][0]}）。")
    en = (f"{t.id} {t.title.en}: {achieved_text(t, 'en')}{low_en} achieved of {target_text(t, 'en')}, "
          f"{percent(t.progress_pct)} of target ({STATE[st][1]}).")

    def draw(fig, pen: Pen) -> None:
        ax = fig.add_axes((0.02, 0.22, 0.60, 0.42))
        ax.set_axis_off()
        right = max(target, achieved) * 1.03
        ax.set_xlim(0, right)
        ax.set_ylim(-0.5, 0.5)
        ax.barh(0, target, height=0.8, color=TRACK, edgecolor=BASE_GREY, linewidth=0.5)
        if achieved > 0:
            ax.barh(0, achieved, height=0.8, color=COLOUR[st], edgecolor="none")
        ax.plot([target, target], [-0.62, 0.62], color=INK, linewidth=1.2, clip_on=False)
        pen.text(ax, target, 0.68, "100%", size=6.8, ha="center", va="bottom")
        pen.text(ax, 0, -0.64, "0", size=6.5, color=MUTED, ha="left", va="top")
        pen.text(ax, target, -0.64, pen.say("目标 ", "target ") + target_text(t, pen.lang), size=6.5,
                 color=MUTED, ha="right" if achieved <= target else "center", va="top")
        head = f"{percent(t.progress_pct)}  {pen.say(*STATE[st])}"
        pen.text(ax, 1.03, 0.12, head, size=9.5, bold=True, color=COLOUR[st], ha="left", va="bottom",
                 transform=ax.transAxes)
        low = low_en if pen.lang == "en" else low_zh
        pen.text(ax, 1.03, 0.02, f"{achieved_text(t, pen.lang)}{low} / {target_text(t, pen.lang)}", size=7.5,
                 ha="left", va="top", transform=ax.transAxes)

    return Plan(kind="district_progress", title=pick(f"{t.id} 进展", f"{t.id} progress", lang),
                alt=_sentence(zh, en, lang), height_cm=2.0, draw=draw, key=f"district-{t.id}-progress", lang=lang)


# --------------------------------------------------------------------------- cumulative by filing date

def _year_ticks(start: date, end: date) -> list[date]:
    step = max(1, math.ceil((end.year - start.year + 1) / 10))
    return [date(y, 1, 1) for y in range(start.year, end.year + 2, step) if start <= date(y, 1, 1) <= end] or [start]


def _nice(hi: float) -> list[float]:
    raw = hi / 4 or 1.0
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    return [round(k * step, 10) for k in range(int(hi / step) + 1)]


def cumulative_plan(t, report, lang: str = "both") -> Optional[Plan]:
    """The achieved figure summed by filing date (sum targets only; None for a share)."""
    check_lang(lang)
    if t.measure != "sum":
        return None
    scale, st = t.display_scale, state(t, report.as_of)
    start, end = t.period_start, t.period_end
    now = max(start, min(report.as_of, end))
    xs, ys, total = [start.toordinal()], [0.0], 0.0
    for c in t.contributions:
        total += c.value or 0.0
        xs.append(c.filed_on.toordinal())
        ys.append(total / scale)
    xs.append(now.toordinal())
    ys.append(ys[-1])
    target = t.target / scale
    zh = (f"{t.id} 按申报日期累计：{len(t.contributions)} 个项目合计 {achieved_text(t, 'zh')}"
          f"（截至 {report.as_of}），目标 {target_text(t, 'zh')}，统计期至 {end}。")
    en = (f"{t.id} cumulative by filing date: {len(t.contributions)} submissions add up to "
          f"{achieved_text(t, 'en')} (as of {report.as_of}) against {target_text(t, 'en')} by {end}.")

    def draw(fig, pen: Pen) -> None:
        height = fig.get_figheight() / CM
        ax = fig.add_axes((0.10, 0.9 / height, 0.74, 1 - 1.5 / height))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(MUTED)
            ax.spines[side].set_linewidth(0.6)
        ax.tick_params(length=2.5, width=0.6, color=MUTED, pad=1.5)
        top = max(target, ys[-1]) * 1.12
        ax.set_ylim(0, top)
        lo, hi = start.toordinal(), end.toordinal()
        ax.set_xlim(lo, hi + (hi - lo) * 0.01)
        ticks = _year_ticks(start, end)
        ax.set_xticks([d.toordinal() for d in ticks], [str(d.year) for d in ticks])
        yt = [y for y in _nice(top) if y <= top]
        ax.set_yticks(yt, [number(y) for y in yt])
        for lab in ax.get_xticklabels() + ax.get_yticklabels():
            lab.set_fontproperties(pen.props(6.5))
            lab.set_color(MUTED)
        ax.fill_between(xs, ys, step="post", color=COLOUR[st], alpha=0.18, linewidth=0)
        ax.step(xs, ys, where="post", color=COLOUR[st], linewidth=1.4)
        ax.axhline(target, color=INK, linewidth=1.0, linestyle=(0, (4, 2)))
        pen.text(ax, lo + (hi - lo) * 0.01, target + top * 0.015, pen.say("目标 ", "target ") + target_text(t, pen.lang),
                 size=6.8, ha="left", va="bottom")
        ax.axvline(hi, color=INK, linewidth=0.9)
        pen.text(ax, hi, top, pen.say("期末 ", "period end ") + str(end), size=6.5, ha="right", va="bottom")
        if lo < report.as_of.toordinal() < hi:
            ax.axvline(report.as_of.toordinal(), color=MUTED, linewidth=0.7, linestyle=(0, (1, 1.5)))
        pen.text(ax, xs[-1], ys[-1], "  " + achieved_text(t, pen.lang), size=7.0, bold=True, color=COLOUR[st],
                 ha="left", va="bottom")
        unit = unit_word(t.display_unit, pen.lang)
        pen.text(ax, 0, 1.02, pen.say("累计", "cumulative") + (f" ({unit})" if unit else ""), size=6.5,
                 color=MUTED, ha="left", va="bottom", transform=ax.transAxes)

    return Plan(kind="district_cumulative", title=pick(f"{t.id} 累计", f"{t.id} cumulative", lang),
                alt=_sentence(zh, en, lang), height_cm=5.2, draw=draw, key=f"district-{t.id}-cumulative", lang=lang)


# --------------------------------------------------------------------------- cover overview

def overview_plan(report, lang: str = "both") -> Optional[Plan]:
    check_lang(lang)
    targets = list(report.targets)
    if not targets:
        return None
    right = max(110.0, min(200.0, max(t.progress_pct for t in targets) * 1.08))
    zh = "各目标进展：" + "；".join(f"{t.id} {percent(t.progress_pct)}" for t in targets) + "。"
    en = "Progress by target: " + "; ".join(f"{t.id} {percent(t.progress_pct)}" for t in targets) + "."

    def draw(fig, pen: Pen) -> None:
        n = len(targets)
        height = fig.get_figheight() / CM
        ax = fig.add_axes((0.08, 0.5 / height, 0.80, 1 - 0.7 / height))
        ax.set_axis_off()
        ax.set_xlim(0, right)
        ax.set_ylim(-0.6, n - 0.4)
        for i, t in enumerate(targets):
            y = n - 1 - i
            st = state(t, report.as_of)
            ax.barh(y, 100, height=0.55, color=TRACK, edgecolor="none")
            ax.barh(y, min(t.progress_pct, right), height=0.55, color=COLOUR[st], edgecolor="none")
            pen.text(ax, -right * 0.02, y, t.id, size=7.5, bold=True, ha="right", va="center")
            edge = min(t.progress_pct, right)
            pen.text(ax, edge + right * 0.015, y, percent(t.progress_pct), size=7.0, bold=True, color=COLOUR[st],
                     ha="left", va="center")
        ax.plot([100, 100], [-0.55, n - 0.45], color=INK, linewidth=1.0)
        pen.text(ax, 100, -0.6, pen.say("目标", "target"), size=6.5, ha="center", va="top")

    return Plan(kind="district_overview", title=pick("各目标进展", "Progress by target", lang),
                alt=_sentence(zh, en, lang), height_cm=0.8 + 0.5 * len(targets), draw=draw,
                key="district-overview", lang=lang)
