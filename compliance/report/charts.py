"""Small charts for the verdict report, drawn with matplotlib as self-contained SVG.

`charts_for(verdict, result, lang)` gives the charts that say a rule's figures faster than the
table does (possibly none); `summary_chart(verdict, lang)` gives the status counts for the cover.
Each `Chart.svg` is a complete `<svg>` element (no XML prolog or DOCTYPE) to inline into the
HTML/PDF template, with `role="img"` and an `aria-label`; `Chart.alt` is the same content as
one plain sentence (for screen readers and pdftotext, which cannot read paths).

Which rules get which chart (`chart_kind`):

* ``area_ratio`` — an area share with both areas in `result.inputs` (rooftop PV ÷ roof area,
  PV ÷ declared suitable roof area): bars for the base area, the PV area measured and the PV
  area required (threshold % × base area), the required line marked, the shortfall or surplus
  in m² written beside the measured bar.
* ``share`` — a share of counts (charging points ÷ parking spaces, fast ÷ all charging points,
  charger-ready ÷ all spaces): the same bars in whole numbers, the count required being the
  smallest whole number that meets the share (30 % × 4 = 1.2, rounded up to 2).
* ``level_ladder`` — a graded level (green-building star grade, building energy class): the
  ladder of the metric's levels, the measured level filled, the levels that meet the
  requirement bracketed and the required level outlined.
* ``gauge`` — any other single figure (%, PUE, m², …): a bar per requirement against a
  shared axis, the threshold line and the side that meets it marked.

No chart (an empty list) for rules that do not apply, for yes/no (``flag``) and count rules
("at least 1 measure adopted": the table says it at once), and when the figure is missing:
a bar for an absent figure would read as zero, and the requirement alone is already in the
table beside the remedy. A rule with several requirements where only some are measured gets
a gauge whose unmeasured rows say "no figure" in words, with no bar.

The colour of a measured bar says whether the figure meets the requirement — bluish green
yes, dark red no, amber (hatched) uncertain, which a reviewer decides. The three differ in
lightness as well as hue, so they stay apart for colour-blind readers and in grey print, and
words beside every bar say the same without colour.

Only rule labels, level names and numbers are drawn; no text from the submitted files.

Rendering: text is drawn as paths (``svg.fonttype = "path"``), so neither the HTML nor the PDF
needs a font; the date and creator metadata are removed and ``svg.hashsalt`` is fixed, so the
same result gives the same bytes on any machine with the same fonts; element ids are prefixed
per chart so that several inlined charts never share an id. Each chart is drawn on its own
`matplotlib.figure.Figure` inside `matplotlib.rc_context` (pyplot's global figure manager is
never used, no global setting leaks). matplotlib is imported inside the functions.

Fonts: Chinese labels need a CJK font (WenQuanYi Zen Hei from `scripts/bootstrap.sh`, or Noto
Sans / Source Han Sans CJK), found once per process through fontconfig (`fc-match`), then
matplotlib's font list, then the usual install folders, and accepted only if it has the glyphs.
When none is found the charts fall back to English labels (never empty boxes); `alt` stays in
the language asked for, as the page's own font draws it. English-only charts use the DejaVu Sans
that ships with matplotlib, so they look the same everywhere.
"""

from __future__ import annotations

import hashlib
import math
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from types import MappingProxyType
from typing import Callable, Optional

from .labels import STATUS, compact, num

KINDS = ("area_ratio", "share", "level_ladder", "gauge", "summary")

# Pass: Okabe–Ito bluish green; fail: the report's red, darker; missing: Okabe–Ito amber. They differ
# in lightness (L* ≈ 58 / 40 / 72), so they stay apart with red-green colour blindness and in grey
# print; the hatching (uncertain) and the words beside every bar say the same without colour.
PASS, FAIL, AMBER = "#009E73", "#B3261E", "#E69F00"
INK, MUTED, BASE_GREY, TRACK, ZONE = "#222222", "#5A5A5A", "#BDBDBD", "#EFEFEF", "#D7EEE6"
MET_COLOUR = MappingProxyType({True: PASS, False: FAIL, None: AMBER})
STATUS_COLOUR = MappingProxyType({"pass": PASS, "fail": FAIL, "missing_data": AMBER,
                                  "manual_review": "#F5C86E", "not_applicable": "#CFCFCF"})
STATUS_HATCH = MappingProxyType({"manual_review": "////"})

CM = 1 / 2.54
WIDTH_CM = 16.0
SALT = "yangpu-compliance-report-charts"
CJK_FAMILIES = ("WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
                "Source Han Sans CN")
CJK_FILES = ("wqy-zenhei.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
             "SourceHanSansSC-Regular.otf")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
PROBE = "屋面光伏面积充电桩绿色建筑星级实测要求缺"   # glyphs a Chinese chart needs

# metric -> (numerator key, denominator key, numerator (zh, en), denominator (zh, en))
AREA_RATIOS = MappingProxyType({
    "pv_roof_ratio": ("pv_area_m2", "roof_area_m2", ("光伏面积", "PV area"), ("屋面面积", "Roof area")),
    "pv_suitable_ratio": ("pv_area_m2", "suitable_roof_area_m2", ("光伏面积", "PV area"),
                          ("适宜安装屋面面积", "Suitable roof area")),
})
SHARES = MappingProxyType({
    "charger_share": ("chargers", "spaces", ("充电桩", "Charging points"), ("停车位", "Parking spaces")),
    "fast_charger_share": ("fast", "chargers", ("快充桩", "Fast chargers"), ("充电桩", "Charging points")),
    "charger_ready_share": ("ready", "spaces", ("预留条件车位", "Charger-ready spaces"),
                            ("停车位", "Parking spaces")),
})
OP_SIGN = MappingProxyType({">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="})
MET_WORDS = MappingProxyType({True: ("达标", "meets the requirement"),
                              False: ("未达标", "does not meet the requirement"),
                              None: ("需复核", "uncertain, for the reviewer")})
MET_SHORT = MappingProxyType({True: ("达标", "met"), False: ("未达标", "not met"), None: ("需复核", "to review")})


@dataclass(frozen=True)
class Chart:
    kind: str        # one of KINDS
    title: str       # a caption in the language asked for
    svg: str         # a complete <svg ...> element: no prolog, no DOCTYPE, text as paths
    alt: str         # the chart as one sentence


@dataclass(frozen=True)
class _Plan:
    """A chart before rendering: what to draw and what it says."""

    kind: str
    title: str
    alt: str
    height_cm: float
    draw: Callable          # draw(fig, pen)
    key: str                # unique within a report: prefixes the SVG's ids
    lang: str               # asked for: both, zh or en (the pen may fall back to en)


# --------------------------------------------------------------------------- public interface

def charts_for(verdict, result, lang: str = "both") -> list[Chart]:
    """The charts for one rule result (often none): see the module docstring for which.

    `verdict` is the record the result belongs to (read for nothing but kept for a stable
    interface with `summary_chart`); `lang` is "both" (Chinese then English), "zh" or "en".
    """
    return [_svg_chart(p) for p in _plans(result, lang)]


def summary_chart(verdict, lang: str = "both") -> Optional[Chart]:
    """The rule statuses as one horizontal stacked bar, for the cover page (None: no results)."""
    plan = _summary_plan(verdict, lang)
    return None if plan is None else _svg_chart(plan)


def chart_kind(result, check) -> Optional[str]:
    """Which chart a requirement of a result gets, or None (see the module docstring)."""
    if result.status == "not_applicable" or check.unit in ("flag", "count") or check.measured is None:
        return None
    if check.unit == "level":
        return "level_ladder" if _levels(check.metric) else None
    if check.metric in AREA_RATIOS and _ratio_inputs(result, check, AREA_RATIOS[check.metric]):
        return "area_ratio"
    if check.metric in SHARES and _ratio_inputs(result, check, SHARES[check.metric]):
        return "share"
    return "gauge"


def preview_png(verdict, result, lang: str = "both", dpi: int = 200) -> list[bytes]:
    """The same charts as PNG (matplotlib's Agg renderer), to look at while designing them."""
    return [_render(p, "png", dpi=dpi) for p in _plans(result, lang)]


def summary_png(verdict, lang: str = "both", dpi: int = 200) -> Optional[bytes]:
    plan = _summary_plan(verdict, lang)
    return None if plan is None else _render(plan, "png", dpi=dpi)


# --------------------------------------------------------------------------- which charts

def _plans(result, lang: str) -> list[_Plan]:
    if lang not in ("both", "zh", "en"):
        raise ValueError(f"lang must be both, zh or en, not {lang!r}")
    if result.status == "not_applicable":
        return []
    plans: list[_Plan] = []
    gauges: dict[str, list] = {}
    for check in result.checks:
        kind = chart_kind(result, check)
        if kind == "area_ratio":
            plans.append(_ratio_plan(result, check, lang, AREA_RATIOS[check.metric], area=True))
        elif kind == "share":
            plans.append(_ratio_plan(result, check, lang, SHARES[check.metric], area=False))
        elif kind == "level_ladder":
            plan = _ladder_plan(result, check, lang)
            if plan is not None:
                plans.append(plan)
        elif kind == "gauge":
            gauges.setdefault(check.unit, [])
    for unit in gauges:     # one gauge per unit, a row per requirement in that unit (measured or not)
        plans.append(_gauge_plan(result, [c for c in result.checks if c.unit == unit and
                                          chart_kind(result, c) in ("gauge", None)], lang))
    return plans


def _ratio_inputs(result, check, entry) -> Optional[tuple[float, float]]:
    """(numerator, base) from the result's inputs, if present and consistent with the measured
    share (a rule with several requirements merges their inputs: never chart the wrong pair)."""
    top, bottom = result.inputs.get(entry[0]), result.inputs.get(entry[1])
    if top is None or bottom is None or bottom <= 0 or check.measured is None:
        return None
    if abs(top / bottom * 100.0 - check.measured) > 0.01 + 1e-4 * abs(check.measured):
        return None
    return float(top), float(bottom)


@lru_cache(maxsize=None)
def _levels(metric: str) -> tuple[tuple[float, str, str], ...]:
    from ..derive.metrics import metric_specs

    spec = metric_specs().get(metric)
    if spec is None:
        return ()
    return tuple((float(v), zh, en) for v, (zh, en) in sorted(spec.levels.items()))


# --------------------------------------------------------------------------- words and numbers

def _say(zh: str, en: str, lang: str, sep: str = " ") -> str:
    return zh if lang == "zh" else en if lang == "en" else (zh if zh == en else f"{zh}{sep}{en}")


def _sentence(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _holds(value: float, op: str, threshold: float) -> bool:
    return {">=": value >= threshold, ">": value > threshold, "<=": value <= threshold,
            "<": value < threshold, "==": abs(value - threshold) < 1e-9}.get(op, False)


def _fmt(x: float, unit: str) -> str:
    """A measured figure as the report prints it: 1,350.00 m², 20.03%, 1.25, 4."""
    if unit == "count":
        return f"{x:,.0f}" if float(x).is_integer() else num(x)
    if unit == "%":
        return f"{num(x)}%"
    if unit in ("PUE", "level", "flag", ""):
        return num(x)
    return f"{num(x)} {unit}"


def _fmt_threshold(x: float, unit: str) -> str:
    return f"{compact(x)}%" if unit == "%" else compact(x) if unit in ("PUE", "count", "") else f"{compact(x)} {unit}"


def _required_count(op: str, share: float, base: float) -> int:
    """The smallest (or, for an upper limit, largest) whole count that satisfies the share."""
    exact = round(share / 100.0 * base, 6)                  # 7 % of 100 is 7.000000000000001
    if op == ">=":
        return math.ceil(exact)
    if op == ">":
        return math.floor(exact) + 1
    if op == "<=":
        return math.floor(exact)
    if op == "<":
        return math.ceil(exact) - 1
    return round(exact)


def _gap_words(op: str, gap: float, text: str) -> tuple[str, str]:
    """(zh, en) for the distance between the measured and the required figure."""
    if gap == 0:
        return "恰好达到要求", "exactly as required"
    if op in (">=", ">", "=="):
        return (f"缺口 {text}", f"{text} short") if gap < 0 else (f"富余 {text}", f"{text} surplus")
    return (f"超出 {text}", f"{text} over the limit") if gap > 0 else (f"余量 {text}", f"{text} under the limit")


def _gap_label(op: str, gap: float, text: str, lang: str) -> str:
    zh, en = _gap_words(op, gap, text)
    if lang == "both" and gap != 0:                       # 缺口 134.54 m² short: the figure once
        return f"{zh} {en.replace(text, '').strip()}"
    return _say(zh, en, lang)


def _both(zh: str, en: str, pen) -> str:
    return pen.say(zh, en)


def _level_rule_words(op: str, zh: str, en: str) -> tuple[str, str]:
    return {">=": (f"{zh}及以上", f"{en} or better"), ">": (f"高于{zh}", f"better than {en}"),
            "<=": (f"{zh}及以下", f"{en} or lower"), "<": (f"低于{zh}", f"below {en}")}.get(op, (zh, f"exactly {en}"))


def _row_label(check) -> tuple[str, str]:
    """A requirement's label, with the intensity named when a rule checks several (PI-1)."""
    from ..derive.declared import INTENSITIES

    m = re.search(r"\(([a-z0-9_]+)\)$", check.label.en)
    if m and m.group(1) in INTENSITIES:
        return INTENSITIES[m.group(1)]
    return check.label.zh, check.label.en


def _metric_label(metric: str, check) -> tuple[str, str]:
    """The metric's own label (a requirement's label may name one of several intensities)."""
    return _spec_label(metric) or (check.label.zh, check.label.en)


@lru_cache(maxsize=None)
def _spec_label(metric: str) -> Optional[tuple[str, str]]:
    from ..derive.metrics import metric_specs

    spec = metric_specs().get(metric)
    return (spec.label_zh, spec.label_en) if spec else None


# --------------------------------------------------------------------------- fonts

@lru_cache(maxsize=None)
def cjk_font_file() -> Optional[str]:
    """A font file with the Chinese glyphs the charts draw, or None (then charts use English)."""
    import glob
    import os
    import shutil
    import subprocess

    seen: list[str] = []
    if shutil.which("fc-match"):
        for family in CJK_FAMILIES:
            try:
                out = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True,
                                     timeout=10, check=False).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                break
            if out:
                seen.append(out)
    try:
        from matplotlib import font_manager

        seen += [f.fname for f in font_manager.fontManager.ttflist if f.name in CJK_FAMILIES]
    except Exception:                                     # a broken font cache is no reason to fail
        pass
    for folder in FONT_DIRS:
        for name in CJK_FILES:
            seen += sorted(glob.glob(os.path.join(os.path.expanduser(folder), "**", name), recursive=True))
    for path in dict.fromkeys(seen):
        if _has_glyphs(path):
            return path
    return None


def _has_glyphs(path: str) -> bool:
    import os

    if not os.path.isfile(path):
        return False
    try:
        from matplotlib.font_manager import get_font

        font = get_font(path)
        return all(font.get_char_index(ord(ch)) for ch in PROBE)
    except Exception:
        return False


@lru_cache(maxsize=None)
def _font_for(lang: str) -> tuple[str, str]:
    """(the language actually drawn, the font file): Chinese needs the CJK font, else English."""
    import os

    import matplotlib

    dejavu = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
    if lang == "en":
        return "en", dejavu
    cjk = cjk_font_file()
    return (lang, cjk) if cjk else ("en", dejavu)


class _Pen:
    """Draws text in one font file and language; every label goes through here."""

    def __init__(self, lang: str) -> None:
        self.lang, self.font = _font_for(lang)

    def props(self, size: float, bold: bool = False):
        from matplotlib.font_manager import FontProperties

        return FontProperties(fname=self.font, size=size, weight="bold" if bold else "normal")

    def say(self, zh: str, en: str) -> str:
        return _say(zh, en, self.lang)

    def text(self, ax, x, y, s: str, size: float = 7.5, color: str = INK, bold: bool = False, **kw):
        return ax.text(x, y, s, fontproperties=self.props(size, bold), color=color, **kw)

    def label(self, ax, x, y, zh: str, en: str, size: float = 7.5, ha: str = "right", wrap: int = 0, **kw):
        """A label: Chinese above English in grey when both, else one line, centred on y."""
        if self.lang != "both" or zh == en:
            s = _wrap(self.say(zh, en), wrap if self.lang == "en" else 0)
            return self.text(ax, x, y, s, size, ha=ha, va="center", linespacing=1.1, **kw)
        en_text = _wrap(en, wrap)
        self.text(ax, x, y, _wrap(zh, 0), size, ha=ha, va="bottom", **kw)
        self.text(ax, x, y, en_text, size * 0.92, color=MUTED, ha=ha, va="top", linespacing=1.05, **kw)


def _wrap(s: str, width: int) -> str:
    """Lines of at most `width` characters (0: as is); a no-break space holds "≥ 30%" together."""
    if width:
        s = "\n".join(textwrap.wrap(s, width))
    return s.replace("\u00a0", " ")          # not every font has a no-break space glyph


# --------------------------------------------------------------------------- area and count shares

def _ratio_plan(result, check, lang: str, entry, area: bool) -> _Plan:
    top_key, base_key, (top_zh, top_en), (base_zh, base_en) = entry
    top, base = _ratio_inputs(result, check, entry)
    op, share = check.operator, check.threshold
    sign, at_least = OP_SIGN.get(op, op), op in (">=", ">", "==")
    exact = round(share / 100.0 * base, 6)              # 7 % of 100 is 7.000000000000001
    unit = "m²" if area else "count"
    required = exact if area else float(_required_count(op, share, base))
    gap = round(top - required, 6)
    req_text, top_text, base_text = _fmt(required, unit), _fmt(top, unit), _fmt(base, unit)
    pct, thr = f"{num(check.measured)}%", f"{sign} {compact(share)}%"
    product = f"{compact(share)}% × {base_text}"
    rounding = None if area or exact == required else \
        (("向上取整", "rounded up") if required > exact else ("向下取整", "rounded down"))
    if rounding is None:
        how_zh = how_en = product
    else:                                               # a whole number of chargers
        how_zh = f"{product} = {compact(exact)}，{rounding[0]}为{req_text}"
        how_en = f"{product} = {compact(exact)}, {rounding[1]} to {req_text}"
    label_zh, label_en = _metric_label(check.metric, check)
    gap_zh, gap_en = _gap_words(op, gap, _fmt(abs(gap), unit))
    review_zh, review_en = ("；数据需复核", "; the figures are for the reviewer to confirm") \
        if check.met is None else ("", "")
    limit_zh, limit_en = ("不少于", "at least") if at_least else ("不超过", "at most")
    if area:
        zh = (f"{label_zh}：{top_zh}{top_text}，{base_zh}{base_text}（{pct}）；按{thr.replace(' ', '')}要求"
              f"{top_zh}应{limit_zh}{req_text}（{how_zh}），{gap_zh}{review_zh}。")
        en = (f"{_cap(label_en)}: {top_en} {top_text} against {base_en.lower()} {base_text} ({pct}); "
              f"{thr} requires {limit_en} {req_text} of {top_en} ({how_en}): {gap_en}{review_en}.")
    else:
        zh = (f"{label_zh}：{top_zh}{top_text}，{base_zh}{base_text}（{pct}）；按{thr.replace(' ', '')}要求"
              f"{top_zh}应{limit_zh}{req_text}（{how_zh}），{gap_zh}{review_zh}。")
        en = (f"{_cap(label_en)}: {top_text} {top_en.lower()} for {base_text} {base_en.lower()} ({pct}); "
              f"{thr} requires {limit_en} {req_text} ({how_en}): {gap_en}{review_en}.")

    def draw(fig, pen: _Pen) -> None:
        ax = fig.add_axes((0.30, 0.05, 0.69, 0.90))
        _bare(ax)
        rows = (2, 1, 0)                                 # base on top, measured, required
        h = 0.56
        colour, hatch = MET_COLOUR[check.met], ("////" if check.met is None else None)
        ax.barh(rows[0], base, height=h, color=BASE_GREY, edgecolor="none")
        ax.barh(rows[1], top, height=h, color=colour, edgecolor=INK if hatch else "none", hatch=hatch,
                linewidth=0.4)
        ax.barh(rows[2], required, height=h, color="white", edgecolor=INK, linewidth=0.9, linestyle=(0, (3, 2)))
        if gap < 0 and at_least:                          # the missing part, hatched in the fail colour
            ax.barh(rows[1], required - top, left=top, height=h, color="white", edgecolor=FAIL,
                    hatchcolor=FAIL, hatch="////", linewidth=0.8)
        ax.plot([required, required], [-0.45, 2.45], color=INK, linewidth=0.9, linestyle=(0, (3, 2)))
        right = max(base, top, required)
        ax.set_xlim(0, right / 0.58)                     # bars take 58 %: room for the figures beside them
        ax.set_ylim(-0.5, 2.5)
        pad = right * 0.015
        pen.label(ax, -pad, rows[0], base_zh, base_en, wrap=30)
        pen.label(ax, -pad, rows[1], f"{top_zh}（实测）", f"{top_en} (measured)", wrap=30)
        tight = thr.replace(" ", "\u00a0")                   # wrap the label, never inside "≥ 30%"
        pen.label(ax, -pad, rows[2], f"{top_zh}（要求 {thr}）", f"{top_en} required ({tight})", wrap=30)
        pen.text(ax, base + pad, rows[0], base_text, ha="left", va="center")
        edge = max(top, required)
        pen.text(ax, edge + pad, rows[1] + 0.02, f"{top_text} ({pct})", bold=True, ha="left", va="bottom")
        note = _gap_label(op, gap, _fmt(abs(gap), unit), pen.lang)
        if check.met is None:
            note += " · " + _both(*MET_SHORT[None], pen)
        pen.text(ax, edge + pad, rows[1] - 0.02, note, size=6.8, color=INK, ha="left", va="top")
        comma = "，" if pen.lang == "zh" else ", "
        how = f"= {product}" if rounding is None else f"= {product} = {compact(exact)}{comma}{pen.say(*rounding)}"
        pen.text(ax, required + pad, rows[2] + 0.02, req_text, bold=True, ha="left", va="bottom")
        pen.text(ax, required + pad, rows[2] - 0.02, how, size=6.8, color=MUTED, ha="left", va="top")

    return _Plan(kind="area_ratio" if area else "share", title=_title(result, label_zh, label_en, lang),
                 alt=_sentence(zh, en, lang), height_cm=4.4, draw=draw,
                 key=f"{result.rule}-{check.metric}-{'area' if area else 'share'}", lang=lang)


# --------------------------------------------------------------------------- level ladder

def _ladder_plan(result, check, lang: str) -> Optional[_Plan]:
    levels = _levels(check.metric)
    values = [v for v, _, _ in levels]
    if check.measured is None:
        return None                                   # nothing measured: the table says what is required
    names = {v: (zh, en) for v, zh, en in levels}
    measured, op, threshold = check.measured, check.operator, check.threshold
    req_zh, req_en = names.get(threshold, (compact(threshold), compact(threshold)))
    got_zh, got_en = names.get(measured, (compact(measured), compact(measured)))
    rule_zh, rule_en = _level_rule_words(op, req_zh, req_en)
    label_zh, label_en = _metric_label(check.metric, check)
    met_zh, met_en = MET_WORDS[check.met]
    zh = f"{label_zh}：实测{got_zh}；要求{rule_zh}；{met_zh}。"
    en = f"{_cap(label_en)}: measured {got_en}; required {rule_en}; {met_en}."
    meets = [v for v in values if _holds(v, op, threshold)]

    def draw(fig, pen: _Pen) -> None:
        ax = fig.add_axes((0.03, 0.25, 0.94, 0.70))
        _bare(ax)
        n = len(values)
        width = 0.78
        heights = [0.30 + 0.70 * (i + 1) / n for i in range(n)]
        for i, v in enumerate(values):
            is_measured = v == measured
            ax.bar(i, heights[i], width=width, bottom=0,
                   color=MET_COLOUR[check.met] if is_measured else TRACK,
                   edgecolor=INK if v == threshold else (INK if is_measured and check.met is None else BASE_GREY),
                   linewidth=1.4 if v == threshold else 0.6,
                   linestyle=(0, (3, 1.5)) if v == threshold else "solid",
                   hatch="////" if is_measured and check.met is None else None)
            zh_name, en_name = names[v]
            pen.label(ax, i, -0.17, zh_name, en_name, size=7.2, ha="center")
            if is_measured:
                pen.text(ax, i, heights[i] + 0.04, pen.say("实测", "measured") + f" {pen.say(zh_name, en_name)}"
                         if pen.lang != "both" else "实测 measured", size=7.2, bold=True, ha="center", va="bottom")
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

    return _Plan(kind="level_ladder", title=_title(result, label_zh, label_en, lang), alt=_sentence(zh, en, lang),
                 height_cm=4.0, draw=draw, key=f"{result.rule}-{check.metric}-ladder", lang=lang)


# --------------------------------------------------------------------------- gauge

def _gauge_plan(result, checks: list, lang: str) -> _Plan:
    unit = checks[0].unit
    label_zh, label_en = _metric_label(checks[0].metric, checks[0])
    several = len(checks) > 1
    rows = []
    for c in checks:
        name = _row_label(c) if several else (label_zh, label_en)
        rows.append((c, name))
    parts_zh, parts_en = [], []
    for c, (nzh, nen) in rows:
        sign = OP_SIGN.get(c.operator, c.operator)
        thr = _fmt_threshold(c.threshold, unit)
        if c.measured is None:
            parts_zh.append(f"{nzh}无数据（要求{sign}{thr}）")
            parts_en.append(f"{nen} no figure (required {sign} {thr})")
        else:
            mzh, men = MET_WORDS[c.met]
            parts_zh.append(f"{nzh}实测{_fmt(c.measured, unit)}，要求{sign}{thr}，{mzh}")
            parts_en.append(f"{nen} {_fmt(c.measured, unit)} measured, required {sign} {thr}, {men}")
    if several:
        zh = f"{label_zh}：" + "；".join(parts_zh) + "。"
        en = f"{_cap(label_en)}: " + "; ".join(parts_en) + "."
    else:
        zh = parts_zh[0] + "。"
        en = _cap(parts_en[0]) + "."
    measured = [c.measured for c in checks if c.measured is not None]
    figures = measured + [c.threshold for c in checks]
    lo = 1.0 if unit == "PUE" and min(figures) >= 1.0 else min(0.0, min(figures))
    hi = max(figures)
    span = (hi - lo) or 1.0
    hi = hi + span * 0.25

    def draw(fig, pen: _Pen) -> None:
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
        ax.set_xticks(ticks, [f"{t:.2f}" if unit == "PUE" else _fmt_threshold(t, unit) for t in ticks])
        for lab in ax.get_xticklabels():
            lab.set_fontproperties(pen.props(6.5))
            lab.set_color(MUTED)
        pad = (hi - lo) * 0.015
        column = ax.get_yaxis_transform()                # x in axes fractions, y in rows
        for i, (c, (nzh, nen)) in enumerate(rows):
            y = n - 1 - i
            sign = OP_SIGN.get(c.operator, c.operator)
            thr = _fmt_threshold(c.threshold, unit)
            zone = (c.threshold, hi) if c.operator in (">=", ">") else (lo, c.threshold)
            ax.barh(y, hi - lo, left=lo, height=0.5, color=TRACK, edgecolor="none")
            ax.barh(y, zone[1] - zone[0], left=zone[0], height=0.5, color=ZONE, edgecolor="none")
            pen.label(ax, lo - pad, y, nzh, nen, wrap=34)
            if c.measured is not None:
                hatch = "////" if c.met is None else None
                ax.barh(y, c.measured - lo, left=lo, height=0.26, color=MET_COLOUR[c.met],
                        edgecolor=INK if hatch else "none", hatch=hatch, linewidth=0.4)
            ax.plot([c.threshold, c.threshold], [y - 0.32, y + 0.27], color=INK, linewidth=1.1)
            pen.text(ax, c.threshold, y + 0.29, f"{sign} {thr}", size=6.5, ha="center", va="bottom")
            value = "—" if c.measured is None else _fmt(c.measured, unit)
            mzh, men = ("无数据", "no figure") if c.measured is None else MET_SHORT[c.met]
            if pen.lang == "both":
                pen.text(ax, 1.03, y + 0.02, f"{value}  要求 {sign} {thr}  {mzh}", ha="left", va="bottom",
                         transform=column)
                pen.text(ax, 1.03, y - 0.02, f"required {sign} {thr}: {men}", size=6.9, color=MUTED, ha="left",
                         va="top", transform=column)
            elif pen.lang == "zh":
                pen.text(ax, 1.03, y, f"{value}  要求 {sign} {thr}  {mzh}", ha="left", va="center",
                         transform=column)
            else:
                pen.text(ax, 1.03, y, f"{value}, required {sign} {thr}: {men}", ha="left", va="center",
                         transform=column)

    height = 1.0 + 1.15 * len(rows)
    return _Plan(kind="gauge", title=_title(result, label_zh, label_en, lang), alt=_sentence(zh, en, lang),
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

def _summary_plan(verdict, lang: str) -> Optional[_Plan]:
    if lang not in ("both", "zh", "en"):
        raise ValueError(f"lang must be both, zh or en, not {lang!r}")
    counts = verdict.counts()
    order = ("pass", "fail", "missing_data", "manual_review", "not_applicable")     # not applicable last
    parts = [(s, counts.get(s, 0)) for s in order if counts.get(s, 0)]
    if not parts:
        return None
    total = sum(n for _, n in parts)
    zh = "规则结论：" + "，".join(f"{STATUS[s][0]} {n} 项" for s, n in parts) + f"（共 {total} 项）。"
    en = "Rule results: " + ", ".join(f"{n} {STATUS[s][1]}" for s, n in parts) + f" (of {total} rules)."

    def draw(fig, pen: _Pen) -> None:
        ax = fig.add_axes((0.01, 0.48, 0.98, 0.42))
        _bare(ax)
        left = 0
        for s, n in parts:
            ax.barh(0, n, left=left, height=1.0, color=STATUS_COLOUR[s], edgecolor="white", linewidth=1.0,
                    hatch=STATUS_HATCH.get(s))
            if n / total > 0.025:
                pen.text(ax, left + n / 2, 0, f"{n}", size=8.0, bold=True, ha="center", va="center",
                         color="white" if s == "fail" else INK,                  # the better contrast
                         bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none")
                         if STATUS_HATCH.get(s) else None)
            left += n
        ax.set_xlim(0, total)
        ax.set_ylim(-0.5, 0.5)
        legend = fig.add_axes((0.01, 0.0, 0.98, 0.40))
        _bare(legend)
        legend.set_xlim(0, 1)
        legend.set_ylim(0, 1)
        slot = 1 / len(order)
        for i, s in enumerate(order):
            x = i * slot
            n = counts.get(s, 0)
            legend.add_patch(_rect(x, 0.40, 0.018, 0.28, STATUS_COLOUR[s], STATUS_HATCH.get(s)))
            zh_s, en_s = STATUS[s]
            pen.label(legend, x + 0.024, 0.54, f"{zh_s} {n}", f"{en_s} {n}", size=7.0, ha="left")

    return _Plan(kind="summary", title=_say("规则结论统计", "Rule results", lang), alt=_sentence(zh, en, lang),
                 height_cm=2.2, draw=draw, key="summary", lang=lang)


def _rect(x, y, w, h, colour, hatch):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor=INK if hatch else "none", hatch=hatch,
                     linewidth=0.4)


# --------------------------------------------------------------------------- rendering

def _title(result, zh: str, en: str, lang: str) -> str:
    return f"{result.rule} {_say(zh, en, lang)}"


def _bare(ax) -> None:
    ax.set_axis_off()


def _rc() -> dict:
    return {
        "svg.fonttype": "path", "svg.hashsalt": SALT, "svg.image_inline": True,
        "path.simplify": True, "hatch.linewidth": 0.5, "hatch.color": INK,
        "figure.dpi": 72, "savefig.dpi": 72, "savefig.bbox": None, "savefig.pad_inches": 0.0,
        "savefig.transparent": False, "savefig.facecolor": "white", "savefig.edgecolor": "white",
        "axes.unicode_minus": True, "font.size": 7.5, "text.usetex": False,
    }


def _render(plan: _Plan, fmt: str, dpi: int = 72) -> bytes:
    import io

    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(WIDTH_CM * CM, plan.height_cm * CM), dpi=72, facecolor="white")
        try:
            plan.draw(fig, _Pen(plan.lang))
            buf = io.BytesIO()
            if fmt == "svg":
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
            else:
                fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Software": None} if fmt == "png" else None)
            return buf.getvalue()
        finally:
            fig.clear()


def _svg_chart(plan: _Plan) -> Chart:
    svg = _clean_svg(_render(plan, "svg").decode("utf-8"), plan)
    return Chart(kind=plan.kind, title=plan.title, svg=svg, alt=plan.alt)


_ID = re.compile(r'\bid="([^"]+)"')


def _clean_svg(svg: str, plan: _Plan) -> str:
    """No prolog, DOCTYPE or metadata; ids unique to this chart; labelled for assistive tech."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    digest = hashlib.sha256(svg.encode("utf-8")).hexdigest()[:8]
    prefix = re.sub(r"[^A-Za-z0-9_-]", "_", f"c-{plan.key}-{digest}-")
    ids = set(_ID.findall(svg))

    def sub(m: re.Match) -> str:
        head, name, tail = m.group(1), m.group(2), m.group(3)
        return f"{head}{prefix}{name}{tail}" if name in ids else m.group(0)

    svg = re.sub(r'(\bid=")([^"]+)(")', sub, svg)
    svg = re.sub(r'(href="#)([^"]+)(")', sub, svg)
    svg = re.sub(r"(url\(#)([^)]+)(\))", sub, svg)
    # matplotlib's one style rule ("*{stroke-linejoin…}") would reach the whole page once inlined
    svg = svg.replace("<style type=\"text/css\">*{", f"<style type=\"text/css\">#{prefix}svg *{{", 1)
    label = escape(plan.alt, quote=True)
    svg = svg.replace("<svg ", f'<svg id="{prefix}svg" class="report-chart report-chart-{plan.kind}" '
                               f'role="img" aria-label="{label}" ', 1)
    return svg.strip() + "\n"
