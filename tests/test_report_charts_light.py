"""The verdict's charts are drawn without matplotlib (charts/svgfig.py, charts/glyphs.py); these tests
hold them to matplotlib's drawing of the same plans: the same text layout (glyphs, positions,
extents, outlines) for every string the sample charts draw, and the same shapes (bars, lines,
spines, tick marks, text boxes, clip boxes, hatch patterns) in every sample chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from compliance.report import charts
from compliance.report.charts import draw, glyphs

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "ifc_samples"
NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def verdicts(sample_verdicts):
    return sample_verdicts


def _plans(verdicts):
    from compliance.report.charts.plans import summary_plan

    seen = {}
    for v in verdicts.values():
        for lang in ("both", "zh", "en"):
            plans = [summary_plan(v, lang)] + [p for r in v.results for p in charts._plans(r, lang)]
            for p in plans:
                if p is not None:
                    seen.setdefault((p.key, p.lang, p.alt), p)
    return list(seen.values())


def _strings(verdicts):
    """(font file, text) for every line of text the sample charts draw, recorded through the pen."""
    drawn: set = set()
    original = draw.Pen.text

    def text(self, ax, x, y, s, *args, **kw):
        drawn.update((self.font, line) for line in s.split("\n"))
        return original(self, ax, x, y, s, *args, **kw)

    draw.Pen.text = text
    try:
        for p in _plans(verdicts):
            draw.light_chart(p)
    finally:
        draw.Pen.text = original
    return sorted(drawn)


def test_text_is_laid_out_as_matplotlib_lays_it_out(verdicts):
    from matplotlib import _text_helpers
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    t2p = TextToPath()
    strings = _strings(verdicts)
    assert len(strings) > 300 and len({path for path, _ in strings}) == 2       # the CJK font and DejaVu Sans
    for path, s in strings:
        prop = FontProperties(fname=path, size=100)        # at 100 pt, a point is a pixel of matplotlib's layout
        f = glyphs.face(path)
        want = [(item.glyph_index, item.x) for item in _text_helpers.layout(s, t2p._get_font(prop))]
        got = [(f.font.getGlyphID(name), x / glyphs.PX) for name, x in f.layout(s)]
        assert [g for g, _ in got] == [g for g, _ in want], s              # ligatures as matplotlib forms them
        assert max((abs(a[1] - b[1]) for a, b in zip(got, want)), default=0) < 1e-9, s    # kerning included
        w, h, d = t2p.get_text_width_height_descent(s, prop, False)
        assert [v / glyphs.PX for v in f.extents(s)] == pytest.approx([w, h, d], abs=0.04), s   # 0.003 pt at 7.5 pt


def test_glyph_outlines_are_freetypes(verdicts):
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    t2p = TextToPath()
    codes = {"M": [1], "L": [2], "Q": [3, 3], "Z": [79]}
    chars: dict = {}
    for path, s in _strings(verdicts):
        chars.setdefault(path, set()).update(s)
    for path in chars:
        f = glyphs.face(path)
        font = t2p._get_font(FontProperties(fname=path, size=100))
        for ch in chars[path]:
            info, glyph_map, _ = t2p.get_glyphs_with_font(font, ch)
            verts, want = glyph_map[info[0][0]]
            commands = f.outline(f.glyphs(ch)[0])[0]
            assert [c for cmd in commands for c in codes[cmd[0]]] == list(want), ch
            points = [p for cmd in commands for p in (cmd[1:] or [(0, 0)])]
            assert max((abs(a - b / glyphs.PX) for (x, y), (u, v) in zip(verts, points) for a, b in ((x, u), (y, v))),
                       default=0) < 0.1, ch                     # 1/10 px at 100 px: 0.0075 pt at 7.5 pt


def _shapes(svg: str) -> list:
    """The chart's shapes as (path data, style, clipped) in drawing order, text left out; matplotlib's tick
    markers (a <use> of a marker path at x, y) written out as the paths they draw."""
    root = ET.fromstring(svg)
    markers = {el.get("id"): el.get("d") for el in root.iter(f"{NS}path") if el.get("id")}
    shapes = []
    for el in root.iter():
        if el.tag == f"{NS}use" and el.get("x") is not None:
            x, y = float(el.get("x")), float(el.get("y"))
            nums = [float(n) for n in re.findall(r"-?[\d.]+", markers[el.get(XLINK)[1:]])]
            d = f"M {x} {y} L {x + nums[2]} {y + nums[3]}"
            shapes.append((_numbers(d), "tick", False))
        elif el.tag == f"{NS}path" and el.get("style") and not el.get("id"):    # text: glyph uses, or fill=
            shapes.append((_numbers(el.get("d")), _style(el.get("style")), bool(el.get("clip-path"))))
    return shapes


def _numbers(d: str) -> list:
    return [round(float(n), 3) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]


def _style(style: str) -> str:
    return re.sub(r"url\(#[^)]*\)", "url(#)", style)


def _clips(svg: str) -> list:
    """The clip boxes (the 73-unit rect is a hatch pattern's background)."""
    rects = (r for r in ET.fromstring(svg).iter(f"{NS}rect") if r.get("width") != "73")
    return sorted(tuple(_numbers(" ".join(r.get(k) for k in ("x", "y", "width", "height")))) for r in rects)


def _patterns(svg: str) -> list:
    """The hatch patterns' content, whitespace aside (their ids differ)."""
    return sorted(re.sub(r"\s+", "", ET.tostring(e, encoding="unicode").split(">", 1)[1])
                  for e in ET.fromstring(svg).iter(f"{NS}pattern"))


def test_shapes_are_matplotlibs(verdicts):
    plans = _plans(verdicts)
    assert len(plans) > 100
    kinds = set()
    for p in plans:
        old, new = draw.svg_chart(p).svg, draw.light_chart(p).svg
        kinds.add(p.kind)
        want, got = _shapes(old), _shapes(new)
        assert len(got) == len(want), p.key
        for (wd, ws, wc), (gd, gs, gc) in zip(want, got):
            assert gd == pytest.approx(wd, abs=0.002), p.key
            assert gs == ws or ws == "tick", (p.key, gs, ws)
            assert gc == wc, p.key
        assert _clips(new) == _clips(old), p.key
        assert _patterns(new) == _patterns(old), p.key
    assert kinds == set(charts.KINDS)


def test_matplotlib_is_not_imported_for_the_verdict_charts():
    from fresh_interpreter import after_checking

    printed, imported = after_checking(SAMPLES / "fail-office", "from compliance.report import charts\n"
                                       "print(sum(len(charts.charts_for(v, r)) for r in v.results)"
                                       " + (charts.summary_chart(v) is not None))")
    assert printed == ["5"] and imported == set()
