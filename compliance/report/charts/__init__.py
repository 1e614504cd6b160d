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

Rendering: the plans are written in matplotlib's Figure/Axes terms; `charts_for` and
`summary_chart` draw them on `svgfig`'s small SVG figure, which draws what matplotlib's SVG
backend would draw (same geometry, styles, hatches, clip boxes and draw order; tested against it
in tests/test_report_charts_light.py) without importing matplotlib, in a handful of paths that
WeasyPrint draws several times faster (issue 22). Text is drawn as outlines read from the font
file (`glyphs`: glyphs, positions and extents as matplotlib lays them out), so neither the HTML
nor the PDF needs a font and the PDF's text layer holds no chart labels; one path per line of
text. No date or random id, so the same result gives the same bytes on any machine with the same
fonts; element ids are prefixed per chart so that several inlined charts never share an id.
`preview_png` and `summary_png` draw the same plans with matplotlib (its own Figure inside
`matplotlib.rc_context`, never pyplot; imported inside the functions).

Fonts: Chinese labels need a CJK font (WenQuanYi Zen Hei from `scripts/bootstrap.sh`, or Noto
Sans / Source Han Sans CJK), found once per process through fontconfig (`fc-match`, one family
at a time), then matplotlib's font list, then the usual install folders, and accepted only if it
has the glyphs.
When none is found the charts fall back to English labels (never empty boxes); `alt` stays in
the language asked for, as the page's own font draws it. English-only charts use the DejaVu Sans
that ships with matplotlib, so they look the same everywhere.

Layout: this module is the interface and picks a result's charts; `plans` says what each chart
shows and lays it out, `words` puts the figures and labels into words, `draw` renders a plan
into a `Chart` (palette, pen, SVG clean-up), `svgfig`, `svgdraw` and `glyphs` are the light
renderer and `fonts` finds the CJK font.
"""

from __future__ import annotations

from typing import Optional

from ..labels import check_lang
from .draw import Chart, Plan, light_chart, render
from .fonts import cjk_font_file
from .fonts import font_for as _font_for  # noqa: F401 - its cache is what to clear after replacing cjk_font_file
from .plans import gauge_plan, ladder_plan, ratio_plan, summary_plan
from .words import AREA_RATIOS, SHARES, levels, ratio_inputs

__all__ = ["KINDS", "Chart", "charts_for", "summary_chart", "chart_kind", "preview_png", "summary_png",
           "cjk_font_file"]

KINDS = ("area_ratio", "share", "level_ladder", "gauge", "summary")


def charts_for(verdict, result, lang: str = "both") -> list[Chart]:
    """The charts for one rule result (often none): see the module docstring for which.

    `verdict` is the record the result belongs to (read for nothing but kept for a stable
    interface with `summary_chart`); `lang` is "both" (Chinese then English), "zh" or "en".
    """
    return [light_chart(p) for p in _plans(result, lang)]


def summary_chart(verdict, lang: str = "both") -> Optional[Chart]:
    """The rule statuses as one horizontal stacked bar, for the cover page (None: no results)."""
    plan = summary_plan(verdict, lang)
    return None if plan is None else light_chart(plan)


def chart_kind(result, check) -> Optional[str]:
    """Which chart a requirement of a result gets, or None (see the module docstring)."""
    if result.status == "not_applicable" or check.unit in ("flag", "count") or check.measured is None:
        return None
    if check.unit == "level":
        return "level_ladder" if levels(check.metric) else None
    if check.metric in AREA_RATIOS and ratio_inputs(result, check, AREA_RATIOS[check.metric]):
        return "area_ratio"
    if check.metric in SHARES and ratio_inputs(result, check, SHARES[check.metric]):
        return "share"
    return "gauge"


def preview_png(verdict, result, lang: str = "both", dpi: int = 200) -> list[bytes]:
    """The same charts as PNG (matplotlib's Agg renderer), to look at while designing them."""
    return [render(p, "png", dpi=dpi) for p in _plans(result, lang)]


def summary_png(verdict, lang: str = "both", dpi: int = 200) -> Optional[bytes]:
    plan = summary_plan(verdict, lang)
    return None if plan is None else render(plan, "png", dpi=dpi)


def _plans(result, lang: str) -> list[Plan]:
    check_lang(lang)
    if result.status == "not_applicable":
        return []
    plans: list[Plan] = []
    gauges: dict[str, list] = {}
    for check in result.checks:
        kind = chart_kind(result, check)
        if kind == "area_ratio":
            plans.append(ratio_plan(result, check, lang, AREA_RATIOS[check.metric], area=True))
        elif kind == "share":
            plans.append(ratio_plan(result, check, lang, SHARES[check.metric], area=False))
        elif kind == "level_ladder":
            plan = ladder_plan(result, check, lang)
            if plan is not None:
                plans.append(plan)
        elif kind == "gauge":
            gauges.setdefault(check.unit, [])
    for unit in gauges:     # one gauge per unit, a row per requirement in that unit (measured or not)
        plans.append(gauge_plan(result, [c for c in result.checks if c.unit == unit and
                                         chart_kind(result, c) in ("gauge", None)], lang))
    return plans
