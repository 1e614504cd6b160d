"""What each chart says and how it is laid out: a `Plan` for an area or count share, a level
ladder, a gauge and the cover's status summary (see the package docstring for which rule gets
which). Only rule labels, level names and numbers are drawn; no text from the submitted files."""

from __future__ import annotations

import math
from functools import partial
from typing import Optional

from ..labels import STATUS, check_lang, compact, num, status_tone, value_word
from .draw import (
    BASE_GREY,
    CM,
    FAIL,
    HATCH,
    INK,
    MET_COLOUR,
    MUTED,
    SOFT_COLOUR,
    STATUS_COLOUR,
    STATUS_HATCH,
    TRACK,
    ZONE,
    Pen,
    Plan,
    met_bar,
)
from .words import (
    MET_SHORT,
    MET_WORDS,
    cap,
    fmt,
    fmt_threshold,
    gap_label,
    gap_words,
    holds,
    level_rule_words,
    levels,
    metric_label,
    ratio_inputs,
    required_count,
    row_label,
    say,
    sentence,
    share_of,
    sign,
    title,
)

# --------------------------------------------------------------------------- area and count shares

def ratio_plan(result, check, lang: str, entry, area: bool) -> Plan:
    _, _, (top_zh, top_en), (base_zh, base_en) = entry
    inputs = ratio_inputs(result, check, entry)
    assert inputs is not None          # chart_kind gives a ratio chart only where its inputs are consistent
    top, base = inputs
    op, share = check.operator, check.threshold
    at_least = op in (">=", ">", "==")
    exact = share_of(share, base)
    unit = "m²" if area else "count"
    required = exact if area else float(required_count(op, exact))
    gap = round(top - required, 6)
    req_text, top_text, base_text = fmt(required, unit), fmt(top, unit), fmt(base, unit)
    pct, thr = f"{num(check.measured)}%", f"{sign(op)} {compact(share)}%"
    product = f"{compact(share)}% × {base_text}"
    rounding = None if area or exact == required else \
        (("向上取整", "rounded up") if required > exact else ("向下取整", "rounded down"))
    if rounding is None:
        how_zh = how_en = product
    else:                                               # a whole number of chargers
        how_zh = f"{product} = {compact(exact)}，{rounding[0]}为{req_text}"
        how_en = f"{product} = {compact(exact)}, {rounding[1]} to {req_text}"
    label_zh, label_en = metric_label(check)
    gap_zh, gap_en = gap_words(op, gap, fmt(abs(gap), unit))
    review_zh, review_en = ("；数据需复核", "; the figures are for the reviewer to confirm") \
        if check.met is None else ("", "")
    limit_zh, limit_en = ("不少于", "at least") if at_least else ("不超过", "at most")
    zh = (f"{label_zh}：{top_zh}{top_text}，{base_zh}{base_text}（{pct}）；按{thr.replace(' ', '')}要求"
          f"{top_zh}应{limit_zh}{req_text}（{how_zh}），{gap_zh}{review_zh}。")
    if area:
        figures, of = f"{top_en} {top_text} against {base_en.lower()} {base_text}", f" of {top_en}"
    else:
        figures, of = f"{top_text} {top_en.lower()} for {base_text} {base_en.lower()}", ""
    en = (f"{cap(label_en)}: {figures} ({pct}); "
          f"{thr} requires {limit_en} {req_text}{of} ({how_en}): {gap_en}{review_en}.")

    def draw(fig, pen: Pen) -> None:
        ax = fig.add_axes((0.30, 0.05, 0.69, 0.90))
        ax.set_axis_off()
        rows = (2, 1, 0)                                 # base on top, measured, required
        h = 0.56
        ax.barh(rows[0], base, height=h, color=BASE_GREY, edgecolor="none")
        ax.barh(rows[1], top, height=h, **met_bar(check.met))
        ax.barh(rows[2], required, height=h, color="white", edgecolor=INK, linewidth=0.9, linestyle=(0, (3, 2)))
        if gap < 0 and at_least:                          # the missing part, hatched in the fail colour
            ax.barh(rows[1], required - top, left=top, height=h, color="white", edgecolor=FAIL,
                    hatchcolor=FAIL, hatch=HATCH, linewidth=0.8)
        ax.plot([required, required], [-0.45, 2.45], color=INK, linewidth=0.9, linestyle=(0, (3, 2)))
        right = max(base, top, required)
        ax.set_xlim(0, right / 0.58)                     # bars take 58 %: room for the figures beside them
        ax.set_ylim(-0.5, 2.5)
        pad = right * 0.015
        pen.label(ax, -pad, rows[0], base_zh, base_en, wrap=30)
        said = value_word(check)
        pen.label(ax, -pad, rows[1], f"{top_zh}（{said[0]}）", f"{top_en} ({said[1]})", wrap=30)
        tight = thr.replace(" ", "\u00a0")                   # wrap the label, never inside "≥ 30%"
        pen.label(ax, -pad, rows[2], f"{top_zh}（要求 {thr}）", f"{top_en} required ({tight})", wrap=30)
        pen.text(ax, base + pad, rows[0], base_text, ha="left", va="center")
        edge = max(top, required)
        pen.text(ax, edge + pad, rows[1] + 0.02, f"{top_text} ({pct})", bold=True, ha="left", va="bottom")
        note = gap_label(op, gap, fmt(abs(gap), unit), pen.lang)
        if check.met is None:
            note += " · " + pen.say(*MET_SHORT[None])
        pen.text(ax, edge + pad, rows[1] - 0.02, note, size=6.8, color=INK, ha="left", va="top")
        comma = "，" if pen.lang == "zh" else ", "
        how = f"= {product}" if rounding is None else f"= {product} = {compact(exact)}{comma}{pen.say(*rounding)}"
        pen.text(ax, required + pad, rows[2] + 0.02, req_text, bold=True, ha="left", va="bottom")
        pen.text(ax, required + pad, rows[2] - 0.02, how, size=6.8, color=MUTED, ha="left", va="top")

    return Plan(kind="area_ratio" if area else "share", title=title(result, label_zh, label_en, lang),
                alt=sentence(zh, en, lang), height_cm=4.4, draw=draw,
                key=f"{result.rule}-{check.metric}-{'area' if area else 'share'}", lang=lang)


# --------------------------------------------------------------------------- level ladder

def ladder_plan(result, check, lang: str) -> Optional[Plan]:
    graded = levels(check.metric)
    values = [v for v, _, _ in graded]
    if check.measured is None:
        return None                                   # nothing measured: the table says what is required
    names = {v: (zh, en) for v, zh, en in graded}
    measured, op, threshold = check.measured, check.operator, check.threshold
    req_zh, req_en = names.get(threshold, (compact(threshold), compact(threshold)))
    got_zh, got_en = names.get(measured, (compact(measured), compact(measured)))
    rule_zh, rule_en = level_rule_words(op, req_zh, req_en)
    label_zh, label_en = metric_label(check)
    met_zh, met_en = MET_WORDS[check.met]
    said = value_word(check)
    zh = f"{label_zh}：{said[0]}{got_zh}；要求{rule_zh}；{met_zh}。"
    en = f"{cap(label_en)}: {said[1]} {got_en}; required {rule_en}; {met_en}."
    meets = [v for v in values if holds(v, op, threshold)]

    def draw(fig, pen: Pen) -> None:
        ax = fig.add_axes((0.03, 0.25, 0.94, 0.70))
        ax.set_axis_off()
        n = len(values)
        width = 0.78
        heights = [0.30 + 0.70 * (i + 1) / n for i in range(n)]
        for i, v in enumerate(values):
            is_measured = v == measured
            uncertain = is_measured and check.met is None
            ax.bar(i, heights[i], width=width, bottom=0,
                   color=MET_COLOUR[check.met] if is_measured else TRACK,
                   edgecolor=INK if v == threshold or uncertain else BASE_GREY,
                   linewidth=1.4 if v == threshold else 0.6,
                   linestyle=(0, (3, 1.5)) if v == threshold else "solid",
                   hatch=HATCH if uncertain else None)
            zh_name, en_name = names[v]
            pen.label(ax, i, -0.17, zh_name, en_name, size=7.2, ha="center")
            if is_measured:
                pen.text(ax, i, heights[i] + 0.04, pen.say(*value_word(check)) + f" {pen.say(zh_name, en_name)}"
                         if pen.lang != "both" else " ".join(value_word(check)), size=7.2, bold=True, ha="center", va="bottom")
            if v == threshold and not is_measured:
                pen.text(ax, i, heights[i] / 2, pen.say("要求", "required"), size=7.0, ha="center", va="center")
        if meets:
            lo, hi = values.index(meets[0]) - width / 2, values.index(meets[-1]) + width / 2
            y = 1.28
            ax.plot([lo, lo, hi, hi], [y - 0.06, y, y, y - 0.06], color=INK, linewidth=0.9)
            words = (f"达标：{rule_zh} · meets the requirement: {rule_en}" if pen.lang == "both"
                     else pen.say(f"达标：{rule_zh}", f"meets the requirement: {rule_en}"))
            # keep the words inside the chart: flush with the bracket's outer end near an edge
            x, ha = ((lo + hi) / 2, "center")
            if hi - lo < 2.5 and hi > n - 1.5:
                x, ha = hi, "right"
            elif hi - lo < 2.5 and lo < 0.5:
                x, ha = lo, "left"
            pen.text(ax, x, y + 0.05, words, size=7.2, ha=ha, va="bottom")
        ax.set_xlim(-0.6, n - 0.4)
        ax.set_ylim(0, 1.55)
        ax.axhline(0, color=MUTED, linewidth=0.6)

    return Plan(kind="level_ladder", title=title(result, label_zh, label_en, lang), alt=sentence(zh, en, lang),
                height_cm=4.0, draw=draw, key=f"{result.rule}-{check.metric}-ladder", lang=lang)


# --------------------------------------------------------------------------- gauge

def gauge_plan(result, checks: list, lang: str) -> Plan:
    unit = checks[0].unit
    label_zh, label_en = metric_label(checks[0])
    several = len(checks) > 1
    # a row per requirement: (check, its name (zh, en), the operator sign, the threshold as printed)
    rows = [(c, row_label(c) if several else (label_zh, label_en), sign(c.operator),
             fmt_threshold(c.threshold, unit)) for c in checks]
    parts_zh, parts_en = [], []
    for c, (nzh, nen), s, thr in rows:
        if c.measured is None:
            parts_zh.append(f"{nzh}无数据（要求{s}{thr}）")
            parts_en.append(f"{nen} no figure (required {s} {thr})")
        else:
            mzh, men = MET_WORDS[c.met]
            said = value_word(c)
            parts_zh.append(f"{nzh}{said[0]}{fmt(c.measured, unit)}，要求{s}{thr}，{mzh}")
            parts_en.append(f"{nen} {fmt(c.measured, unit)} {said[1]}, required {s} {thr}, {men}")
    if several:
        zh = f"{label_zh}：" + "；".join(parts_zh) + "。"
        en = f"{cap(label_en)}: " + "; ".join(parts_en) + "."
    else:
        zh = parts_zh[0] + "。"
        en = cap(parts_en[0]) + "."
    measured = [c.measured for c in checks if c.measured is not None]
    figures = measured + [c.threshold for c in checks]
    lo = 1.0 if unit == "PUE" and min(figures) >= 1.0 else min(0.0, min(figures))
    hi = max(figures)
    span = (hi - lo) or 1.0
    hi = hi + span * 0.25

    def draw(fig, pen: Pen) -> None:
        n = len(rows)
        height = fig.get_figheight() / CM
        bottom, top = 0.75 / height, 1 - 0.25 / height
        ax = fig.add_axes((0.30, bottom, 0.40, top - bottom))
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(MUTED)
        ax.spines["bottom"].set_linewidth(0.6)
        ax.tick_params(axis="y", left=False, labelleft=False)
        ax.tick_params(axis="x", length=2.5, width=0.6, color=MUTED, pad=1.5)
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.55, n - 0.45)
        ticks = [t for t in _nice_ticks(lo, hi) if lo <= t <= hi]
        ax.set_xticks(ticks, [f"{t:.2f}" if unit == "PUE" else fmt_threshold(t, unit) for t in ticks])
        for lab in ax.get_xticklabels():
            lab.set_fontproperties(pen.props(6.5))
            lab.set_color(MUTED)
        pad = (hi - lo) * 0.015
        # the words right of the axis: x in axes fractions, y in rows
        beside = partial(pen.text, ax, 1.03, ha="left", transform=ax.get_yaxis_transform())
        for i, (c, (nzh, nen), s, thr) in enumerate(rows):
            y = n - 1 - i
            zone = (c.threshold, hi) if c.operator in (">=", ">") else (lo, c.threshold)
            ax.barh(y, hi - lo, left=lo, height=0.5, color=TRACK, edgecolor="none")
            ax.barh(y, zone[1] - zone[0], left=zone[0], height=0.5, color=ZONE, edgecolor="none")
            pen.label(ax, lo - pad, y, nzh, nen, wrap=34)
            if c.measured is not None:
                ax.barh(y, c.measured - lo, left=lo, height=0.26, **met_bar(c.met))
            ax.plot([c.threshold, c.threshold], [y - 0.32, y + 0.27], color=INK, linewidth=1.1)
            pen.text(ax, c.threshold, y + 0.29, f"{s} {thr}", size=6.5, ha="center", va="bottom")
            value = "—" if c.measured is None else fmt(c.measured, unit)
            mzh, men = ("无数据", "no figure") if c.measured is None else MET_SHORT[c.met]
            zh_line, en_line = f"{value}  要求 {s} {thr}  {mzh}", f"required {s} {thr}: {men}"
            if pen.lang == "both":
                beside(y + 0.02, zh_line, va="bottom")
                beside(y - 0.02, en_line, size=6.9, color=MUTED, va="top")
            else:
                beside(y, zh_line if pen.lang == "zh" else f"{value}, {en_line}", va="center")

    height = 1.0 + 1.15 * len(rows)
    return Plan(kind="gauge", title=title(result, label_zh, label_en, lang), alt=sentence(zh, en, lang),
                height_cm=max(3.0, height), draw=draw, key=f"{result.rule}-{checks[0].metric}-{unit}-gauge",
                lang=lang)


def _nice_ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    raw = span / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + k * step, 10) for k in range(int((hi - first) / step) + 1)]


# --------------------------------------------------------------------------- summary

def summary_plan(verdict, lang: str) -> Optional[Plan]:
    check_lang(lang)
    statuses = ("pass", "fail", "missing_data", "manual_review", "not_applicable")     # not applicable last
    counts: dict[str | tuple, int] = {}         # by status, or (tone, zh, en) of a kind's own words
    own: dict[tuple, int] = {}          # results a kind says in its own words (a tally's 计入 / 不计入)
    for r in verdict.results:
        if getattr(r, "status_label", None) is not None:
            key = (status_tone(r), r.status_label.zh, r.status_label.en)
            own[key] = own.get(key, 0) + 1
        else:
            counts[r.status] = counts.get(r.status, 0) + 1
    words: dict[str | tuple, tuple[str, str]] = {s: STATUS[s] for s in statuses}
    for tone, zh_s, en_s in own:
        words[(tone, zh_s, en_s)] = (zh_s, en_s)
        counts[(tone, zh_s, en_s)] = own[(tone, zh_s, en_s)]
    order: tuple[str | tuple, ...] = (*statuses[:-1], *own, statuses[-1])
    parts = [(s, counts.get(s, 0)) for s in order if counts.get(s, 0)]
    if not parts:
        return None
    total = sum(n for _, n in parts)
    zh = "规则结论：" + "，".join(f"{words[s][0]} {n} 项" for s, n in parts) + f"（共 {total} 项）。"
    en = "Rule results: " + ", ".join(f"{n} {words[s][1]}" for s, n in parts) + f" (of {total} rules)."

    def colour(s) -> str:
        return STATUS_COLOUR[s] if isinstance(s, str) else STATUS_COLOUR.get(s[0], SOFT_COLOUR)

    def hatch(s):
        return STATUS_HATCH.get(s if isinstance(s, str) else s[0])

    def draw(fig, pen: Pen) -> None:
        ax = fig.add_axes((0.01, 0.48, 0.98, 0.42))
        ax.set_axis_off()
        left = 0
        for s, n in parts:
            ax.barh(0, n, left=left, height=1.0, color=colour(s), edgecolor="white", linewidth=1.0,
                    hatch=hatch(s))
            if n / total > 0.025:
                pen.text(ax, left + n / 2, 0, f"{n}", size=8.0, bold=True, ha="center", va="center",
                         color="white" if colour(s) in (FAIL, SOFT_COLOUR) else INK,   # the better contrast
                         bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none")
                         if hatch(s) else None)
            left += n
        ax.set_xlim(0, total)
        ax.set_ylim(-0.5, 0.5)
        legend = fig.add_axes((0.01, 0.0, 0.98, 0.40))
        legend.set_axis_off()
        legend.set_xlim(0, 1)
        legend.set_ylim(0, 1)
        slot = 1 / len(order)
        for i, s in enumerate(order):
            x = i * slot
            n = counts.get(s, 0)
            legend.add_patch(pen.rect(x, 0.40, 0.018, 0.28, colour(s), hatch(s)))
            zh_s, en_s = words[s]
            pen.label(legend, x + 0.024, 0.54, f"{zh_s} {n}", f"{en_s} {n}", size=7.0, ha="left")

    return Plan(kind="summary", title=say("规则结论统计", "Rule results", lang), alt=sentence(zh, en, lang),
                height_cm=2.2, draw=draw, key="summary", lang=lang)
