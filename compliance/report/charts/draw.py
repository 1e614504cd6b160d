"""Rendering: a `Plan` (what a chart says and how to draw it) drawn into a self-contained SVG `Chart`
(or PNG bytes); the palette and the `Pen` every label goes through.

Two renderers draw the same plans: `light_chart` (the verdict report's charts) draws on `svgfig`'s
small SVG figure, with text as outlines from `glyphs`, without matplotlib; `svg_chart` and `render`
(the district's charts, PNG previews) use matplotlib on its own Figure, imported inside the
functions, never at import time."""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass
from html import escape
from types import MappingProxyType
from typing import Callable, Optional

from .fonts import font_for
from .words import say

# Pass: Okabe–Ito bluish green; fail: the report's red, darker; missing: Okabe–Ito amber. They differ
# in lightness (L* ≈ 58 / 40 / 72), so they stay apart with red-green colour blindness and in grey
# print; the hatching (uncertain) and the words beside every bar say the same without colour.
PASS, FAIL, AMBER = "#009E73", "#B3261E", "#E69F00"
INK, MUTED, BASE_GREY, TRACK, ZONE = "#222222", "#5A5A5A", "#BDBDBD", "#EFEFEF", "#D7EEE6"
HATCH = "////"
MET_COLOUR = MappingProxyType({True: PASS, False: FAIL, None: AMBER})
STATUS_COLOUR = MappingProxyType({"pass": PASS, "fail": FAIL, "missing_data": AMBER,
                                  "manual_review": "#F5C86E", "not_applicable": "#CFCFCF"})
STATUS_HATCH = MappingProxyType({"manual_review": HATCH})
SOFT_COLOUR = "#2F5D8A"          # a fail that does not affect the verdict (a tally's 不计入): never the red of a failure

CM = 1 / 2.54
WIDTH_CM = 16.0
SALT = "yangpu-compliance-report-charts"


@dataclass(frozen=True)
class Chart:
    kind: str        # one of KINDS
    title: str       # a caption in the language asked for
    svg: str         # a complete <svg ...> element: no prolog, no DOCTYPE, text as paths
    alt: str         # the chart as one sentence


@dataclass(frozen=True)
class Plan:
    """A chart before rendering: what to draw and what it says."""

    kind: str
    title: str
    alt: str
    height_cm: float
    draw: Callable          # draw(fig, pen)
    key: str                # unique within a report: prefixes the SVG's ids
    lang: str               # asked for: both, zh or en (the pen may fall back to en)


# --------------------------------------------------------------------------- drawing helpers

class Pen:
    """Draws text in one font file and language; every label goes through here. `light`: for the
    `svgfig` figure (fonts as `FontSpec`, shapes as its `Rectangle`), else for matplotlib."""

    def __init__(self, lang: str, light: bool = False) -> None:
        self.lang, self.font = font_for(lang)
        self.light = light

    def props(self, size: float, bold: bool = False):
        if self.light:
            from .svgfig import FontSpec

            return FontSpec(self.font, size, bold)
        from matplotlib.font_manager import FontProperties

        return FontProperties(fname=self.font, size=size, weight="bold" if bold else "normal")

    def rect(self, x, y, w, h, colour: str, hatch: Optional[str]):
        """A filled rectangle (hatched ones outlined) for `ax.add_patch`."""
        if self.light:
            from .svgfig import Rectangle

            return Rectangle((x, y), w, h, **fill(colour, hatch))
        return rect(x, y, w, h, colour, hatch)

    def say(self, zh: str, en: str) -> str:
        return say(zh, en, self.lang)

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


def fill(colour: str, hatch: Optional[str]) -> dict:
    """A filled shape's style: hatched ones get a thin ink outline."""
    return dict(facecolor=colour, edgecolor=INK if hatch else "none", hatch=hatch, linewidth=0.4)


def met_bar(met: Optional[bool]) -> dict:
    """A measured bar's style: the colour says whether it meets the requirement, hatched if uncertain."""
    return fill(MET_COLOUR[met], HATCH if met is None else None)


def rect(x, y, w, h, colour, hatch):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, **fill(colour, hatch))


# --------------------------------------------------------------------------- rendering

def _rc() -> dict:
    return {
        "svg.fonttype": "path", "svg.hashsalt": SALT, "svg.image_inline": True,
        "path.simplify": True, "hatch.linewidth": 0.5, "hatch.color": INK,
        "figure.dpi": 72, "savefig.dpi": 72, "savefig.bbox": None, "savefig.pad_inches": 0.0,
        "savefig.transparent": False, "savefig.facecolor": "white", "savefig.edgecolor": "white",
        "axes.unicode_minus": True, "font.size": 7.5, "text.usetex": False,
    }


def render(plan: Plan, fmt: str, dpi: int = 72) -> bytes:
    import io

    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(WIDTH_CM * CM, plan.height_cm * CM), dpi=72, facecolor="white")
        try:
            plan.draw(fig, Pen(plan.lang))
            buf = io.BytesIO()
            if fmt == "svg":
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
            else:
                fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Software": None} if fmt == "png" else None)
            return buf.getvalue()
        finally:
            fig.clear()


def svg_chart(plan: Plan) -> Chart:
    """The plan drawn by matplotlib (the district's charts)."""
    svg = _clean_svg(render(plan, "svg").decode("utf-8"), plan)
    return Chart(kind=plan.kind, title=plan.title, svg=svg, alt=plan.alt)


def light_chart(plan: Plan) -> Chart:
    """The plan drawn by `svgfig`: the same chart as `svg_chart` draws, without matplotlib, in a few
    paths (a line of text is one path) that WeasyPrint draws several times faster."""
    from .svgfig import Figure

    rc = _rc()
    fig = Figure(WIDTH_CM * CM, plan.height_cm * CM)
    plan.draw(fig, Pen(plan.lang, light=True))
    svg = _clean_svg(fig.svg(hatch_colour=rc["hatch.color"], hatch_width=rc["hatch.linewidth"]), plan)
    return Chart(kind=plan.kind, title=plan.title, svg=svg, alt=plan.alt)


_ID = re.compile(r'\bid="([^"]+)"')


def _clean_svg(svg: str, plan: Plan) -> str:
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

    for pattern in (r'(\bid=")([^"]+)(")', r'(href="#)([^"]+)(")', r"(url\(#)([^)]+)(\))"):
        svg = re.sub(pattern, sub, svg)
    # matplotlib's one style rule ("*{stroke-linejoin…}") would reach the whole page once inlined
    svg = svg.replace("<style type=\"text/css\">*{", f"<style type=\"text/css\">#{prefix}svg *{{", 1)
    label = escape(plan.alt, quote=True)
    svg = svg.replace("<svg ", f'<svg id="{prefix}svg" class="report-chart report-chart-{plan.kind}" '
                               f'role="img" aria-label="{label}" ', 1)
    return svg.strip() + "\n"
