"""Report charts (compliance/report/charts/) on real sample verdicts: which rules get which
chart, the SVG (self-contained, text as paths, no date, unique ids), the figures the alt text
states, determinism, languages and the English fallback without a CJK font."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from compliance.context import RunContext
from compliance.derive.metrics import metric_specs
from compliance.pipeline import check_submission
from compliance.report import charts
from compliance.report.labels import value_word

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "ifc_samples"
NAMES = ("fail-office", "pass-institution-office-retrofit", "pass-data-centre", "pass-plant-retrofit-2026",
         "pass-office-2030", "fail-parking-garage", "incomplete-plant", "incomplete-zero-roof",
         "fail-residential-chargers-not-ready", "fail-binjiang-office")
SVG_NS = "{http://www.w3.org/2000/svg}"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def verdicts():
    ctx = RunContext(rules_dir=ROOT / "rules")
    return {name: check_submission(SAMPLES / name, ctx) for name in NAMES}


def result(verdicts, sample: str, rule: str):
    return next(r for r in verdicts[sample].results if r.rule == rule)


def all_charts(verdicts, lang: str = "both"):
    for name, v in verdicts.items():
        for r in v.results:
            for c in charts.charts_for(v, r, lang):
                yield name, r, c


# --------------------------------------------------------------------------- which chart for which rule

@pytest.mark.parametrize("sample, rule, kinds", [
    ("fail-office", "PV-2", ["area_ratio"]),                  # PV area vs roof area
    ("pass-plant-retrofit-2026", "PV-4", ["area_ratio"]),     # PV area vs suitable roof area
    ("fail-office", "EV-3", ["share"]),                       # chargers vs parking spaces
    ("fail-office", "EV-4", ["share"]),                       # fast vs all chargers
    ("fail-residential-chargers-not-ready", "EV-2", ["share"]),
    ("fail-office", "GB-1", ["level_ladder"]),                # green star grade
    ("pass-office-2030", "ULE-3", ["level_ladder"]),          # energy class
    ("pass-data-centre", "DC-1", ["gauge"]),                  # PUE
    ("pass-institution-office-retrofit", "EB-2", ["gauge"]),  # a single %
    ("pass-institution-office-retrofit", "PI-1", ["gauge"]),  # four requirements, one chart
    ("fail-office", "RE-1", []),                              # count: at least one type
    ("fail-office", "CON-1", []),                             # count: measures adopted
    ("fail-parking-garage", "EV-1", []),                      # count: charging points
    ("pass-institution-office-retrofit", "EB-1", []),         # yes/no
    ("fail-office", "PV-1", []),                              # not applicable
    ("incomplete-plant", "PV-1", []),                         # missing data: no figure to draw
])
def test_chart_kinds(verdicts, sample, rule, kinds):
    r = result(verdicts, sample, rule)
    assert [c.kind for c in charts.charts_for(verdicts[sample], r)] == kinds


def test_not_applicable_gives_no_chart(verdicts):
    na = [(v, r) for v in verdicts.values() for r in v.results if r.status == "not_applicable"]
    assert len(na) > 50
    for v, r in na:
        for lang in ("both", "zh", "en"):
            assert charts.charts_for(v, r, lang) == [], r.rule


def test_gauge_has_a_row_per_requirement(verdicts):
    r = result(verdicts, "pass-institution-office-retrofit", "PI-1")
    (chart,) = charts.charts_for(verdicts["pass-institution-office-retrofit"], r, "en")
    assert len(r.checks) == 4
    for c in r.checks:
        assert f"{c.measured:,.2f}%" in chart.alt
        assert f"≥ {c.threshold:g}%" in chart.alt
    assert chart.alt.count("meets the requirement") == 4


def test_inconsistent_inputs_are_not_charted_as_areas(verdicts):
    """Inputs that do not give the measured share (merged from several requirements) fall back to a gauge."""
    r = result(verdicts, "fail-office", "PV-2")
    wrong = r.model_copy(update={"inputs": {**r.inputs, "roof_area_m2": r.inputs["roof_area_m2"] * 2}})
    assert [c.kind for c in charts.charts_for(verdicts["fail-office"], wrong)] == ["gauge"]


def test_unmeasured_row_says_no_figure(verdicts):
    r = result(verdicts, "pass-institution-office-retrofit", "PI-1")
    checks = (r.checks[0].model_copy(update={"measured": None, "met": None}),) + r.checks[1:]
    (chart,) = charts.charts_for(verdicts["pass-institution-office-retrofit"],
                                 r.model_copy(update={"checks": checks}), "en")
    assert "energy use per floor area vs 2020 no figure (required ≥ 5%)" in chart.alt
    assert chart.alt.count("meets the requirement") == 3


# --------------------------------------------------------------------------- the figures in the alt text

def test_area_alt_states_roof_measured_required_and_shortfall(verdicts):
    r = result(verdicts, "fail-office", "PV-2")
    roof, pv = r.inputs["roof_area_m2"], r.inputs["pv_area_m2"]
    required = r.checks[0].threshold / 100 * roof                          # 30 % × 1,350 m² = 405 m²
    for lang in ("en", "zh", "both"):
        (chart,) = charts.charts_for(verdicts["fail-office"], r, lang)
        assert f"{roof:,.2f} m²" in chart.alt
        assert f"{pv:,.2f} m²" in chart.alt
        assert f"{required:,.2f} m²" in chart.alt
        assert f"{required - pv:,.2f} m²" in chart.alt
    assert "405.00 m²" in chart.alt and "134.54 m²" in chart.alt
    (en,) = charts.charts_for(verdicts["fail-office"], r, "en")
    assert f"{required - pv:,.2f} m² short" in en.alt


def test_area_alt_states_a_surplus(verdicts):
    r = result(verdicts, "pass-plant-retrofit-2026", "PV-4")
    base, pv = r.inputs["suitable_roof_area_m2"], r.inputs["pv_area_m2"]
    (chart,) = charts.charts_for(verdicts["pass-plant-retrofit-2026"], r, "en")
    assert f"{pv - r.checks[0].threshold / 100 * base:,.2f} m² surplus" in chart.alt
    assert "suitable roof area" in chart.alt


@pytest.mark.parametrize("sample, rule, top, base", [
    ("fail-office", "EV-3", "chargers", "spaces"),
    ("fail-office", "EV-4", "fast", "chargers"),
    ("fail-binjiang-office", "EV-3", "chargers", "spaces"),
    ("fail-residential-chargers-not-ready", "EV-2", "ready", "spaces"),
])
def test_share_alt_states_the_whole_count_required(verdicts, sample, rule, top, base):
    r = result(verdicts, sample, rule)
    have, of = int(r.inputs[top]), int(r.inputs[base])
    # the fewest whole units whose share reaches the threshold, counted out
    need = next(n for n in range(of + 1) if n * 100 >= r.checks[0].threshold * of)
    (chart,) = charts.charts_for(verdicts[sample], r, "en")
    assert f"requires at least {need} (" in chart.alt
    assert f"{have} " in chart.alt and f"for {of} " in chart.alt
    words = f"{need - have} short" if have < need else f"{have - need} surplus" if have > need else "exactly as required"
    assert words in chart.alt


def test_whole_count_is_not_pushed_up_by_float_error(verdicts):
    """7 % of 100 is 7.000000000000001 in floating point: 7 chargers are enough, not 8."""
    r = result(verdicts, "fail-office", "EV-3")
    checks = (r.checks[0].model_copy(update={"threshold": 7.0, "measured": 7.0, "met": True}),)
    seven = r.model_copy(update={"checks": checks, "inputs": {"chargers": 7.0, "spaces": 100.0}})
    assert 7.0 / 100.0 * 100.0 > 7                                           # the trap is real
    (chart,) = charts.charts_for(verdicts["fail-office"], seven, "en")
    assert "requires at least 7 (7% × 100): exactly as required" in chart.alt


def test_not_applicable_gives_no_chart_even_with_figures(verdicts):
    r = result(verdicts, "fail-office", "PV-2")
    assert charts.charts_for(verdicts["fail-office"], r)                     # it has a chart while it applies
    assert charts.charts_for(verdicts["fail-office"], r.model_copy(update={"status": "not_applicable"})) == []


@pytest.mark.parametrize("sample, rule", [("fail-office", "GB-1"), ("fail-binjiang-office", "GB-2"),
                                          ("pass-office-2030", "ULE-3")])
def test_ladder_alt_names_measured_and_required_levels(verdicts, sample, rule):
    r = result(verdicts, sample, rule)
    c = r.checks[0]
    levels = metric_specs()[c.metric].levels
    for lang, i in (("en", 1), ("zh", 0)):
        (chart,) = charts.charts_for(verdicts[sample], r, lang)
        said = value_word(c)                     # 设计值 for a design figure: 实测 only for the models'
        assert f"{said[1]} {levels[c.measured][i]}" in chart.alt if lang == "en" else \
            f"{said[0]}{levels[c.measured][0]}" in chart.alt
        assert levels[c.threshold][i] in chart.alt
    (en,) = charts.charts_for(verdicts[sample], r, "en")
    assert ("does not meet" in en.alt) == (c.met is False)


def test_gauge_alt_states_measured_and_threshold(verdicts):
    r = result(verdicts, "pass-data-centre", "DC-1")
    (chart,) = charts.charts_for(verdicts["pass-data-centre"], r, "en")
    assert f"{r.checks[0].measured:.2f} {value_word(r.checks[0])[1]}, required ≤ {r.checks[0].threshold:g}" in chart.alt
    assert value_word(r.checks[0]) == ("设计值", "design")          # a filed PUE is a design figure, not measured


def test_summary_counts_match_the_verdict(verdicts):
    v = verdicts["fail-office"]
    chart = charts.summary_chart(v, "en")
    assert chart.kind == "summary"
    for status, n in v.counts().items():
        assert f"{n} {status.replace('_', ' ')}" in chart.alt
    assert f"(of {len(v.results)} rules)" in chart.alt
    assert charts.summary_chart(v.model_copy(update={"results": ()})) is None


# --------------------------------------------------------------------------- the SVG

def test_svg_is_self_contained_with_text_as_paths(verdicts):
    seen = 0
    for _name, _r, c in list(all_charts(verdicts)) + [("", None, charts.summary_chart(v)) for v in verdicts.values()]:
        assert c.svg.startswith("<svg ") and c.svg.rstrip().endswith("</svg>")
        assert "<?xml" not in c.svg and "DOCTYPE" not in c.svg
        root = ET.fromstring(c.svg)
        assert root.tag == f"{SVG_NS}svg"
        assert root.get("viewBox") and root.get("width", "").endswith("pt") and root.get("height", "").endswith("pt")
        width_cm = float(root.get("width")[:-2]) / 72 * 2.54
        height_cm = float(root.get("height")[:-2]) / 72 * 2.54
        assert width_cm == pytest.approx(16.0) and 2.0 <= height_cm <= 7.0
        tags = {el.tag.split("}")[-1] for el in root.iter()}
        assert "text" not in tags and "tspan" not in tags and "image" not in tags, tags
        assert "path" in tags                                         # shapes and glyph outlines
        assert "metadata" not in tags and "date" not in c.svg.lower()
        assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d", c.svg)
        assert "http://www.w3.org/1999/xlink" in c.svg and "http://" not in c.svg.replace(
            "http://www.w3.org/", "")                                  # no external reference
        assert root.get("role") == "img" and root.get("aria-label") == c.alt
        seen += 1
    assert seen >= 30


def test_ids_are_unique_across_a_report_and_references_resolve(verdicts):
    for v in verdicts.values():
        svgs = [c.svg for r in v.results for c in charts.charts_for(v, r)] + [charts.summary_chart(v).svg]
        ids: list[str] = []
        for svg in svgs:
            own = re.findall(r'\bid="([^"]+)"', svg)
            ids += own
            refs = re.findall(r'href="#([^"]+)"', svg) + re.findall(r"url\(#([^)]+)\)", svg)
            assert refs and set(refs) <= set(own)
        assert len(ids) == len(set(ids)), "two inlined charts share an id"


def test_style_is_scoped_to_its_chart(verdicts):
    r = result(verdicts, "fail-office", "PV-2")
    (chart,) = charts.charts_for(verdicts["fail-office"], r)
    own = ET.fromstring(chart.svg).get("id")
    styles = re.findall(r"<style[^>]*>(.*?)</style>", chart.svg, re.S)
    assert styles and all(s.strip().startswith(f"#{own} ") for s in styles)


def test_same_input_same_svg(verdicts):
    r = result(verdicts, "fail-office", "PV-2")
    first = charts.charts_for(verdicts["fail-office"], r)
    for _ in range(2):
        assert charts.charts_for(verdicts["fail-office"], r) == first


def test_same_svg_in_a_fresh_process_without_import_time_work(verdicts):
    """A new process draws the same bytes (no random ids, no date), imports matplotlib only
    when drawing, never loads pyplot and leaves matplotlib's settings as it found them."""
    r = result(verdicts, "fail-office", "PV-2")
    here = charts.charts_for(verdicts["fail-office"], r)[0].svg
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from compliance.context import RunContext\n"
        "from compliance.pipeline import check_submission\n"
        "import compliance.report.charts as charts\n"
        "imported = 'matplotlib' in sys.modules\n"
        "import matplotlib\n"
        "keys = [k for k in matplotlib.rcParams if k != 'backend']   # reading it would load pyplot\n"
        "before = {k: repr(matplotlib.rcParams[k]) for k in keys}\n"
        f"v = check_submission(Path({str(SAMPLES / 'fail-office')!r}), RunContext(rules_dir=Path({str(ROOT / 'rules')!r})))\n"
        "r = next(r for r in v.results if r.rule == 'PV-2')\n"
        "svg = charts.charts_for(v, r)[0].svg\n"
        "charts.summary_chart(v, 'zh')\n"
        "changed = sorted(k for k in keys if repr(matplotlib.rcParams[k]) != before[k])\n"
        "print(json.dumps({'svg': svg, 'imported': imported, 'pyplot': 'matplotlib.pyplot' in sys.modules,\n"
        "                  'changed': changed}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["imported"] is False
    assert got["pyplot"] is False
    assert got["svg"] == here
    assert got["changed"] == [], "drawing changed matplotlib's global settings"


def test_every_glyph_is_in_the_font(verdicts):
    """A glyph missing from the font would print as an empty box (matplotlib warns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lang in ("both", "zh", "en"):
            n = sum(1 for _ in all_charts(verdicts, lang))
            assert n > 10
            for v in verdicts.values():
                charts.summary_chart(v, lang)


def test_no_submitted_text_in_a_chart(verdicts):
    for name, v in verdicts.items():
        s = v.submission
        private = [s.name, s.id] + [x for x in (s.name_en, s.applicant) if x] + [m.file for m in v.models]
        private += [e.name for e in v.elements if e.name]
        for r in v.results:
            for c in charts.charts_for(v, r):
                for text in private:
                    assert text not in c.alt and text not in c.title and text not in c.svg, (name, text)


# --------------------------------------------------------------------------- languages and fonts

def test_languages_differ(verdicts):
    r = result(verdicts, "fail-office", "PV-2")
    got = {lang: charts.charts_for(verdicts["fail-office"], r, lang)[0] for lang in ("both", "zh", "en")}
    assert len({c.svg for c in got.values()}) == 3
    assert len({c.title for c in got.values()}) == 3
    assert not CJK.search(got["en"].alt) and not CJK.search(got["en"].title)
    assert CJK.search(got["zh"].alt) and not re.search(r"[A-Za-z]{4,}", got["zh"].alt.replace("m²", ""))
    assert got["both"].alt.startswith(got["zh"].alt) and got["both"].alt.endswith(got["en"].alt)
    assert got["both"].title == "PV-2 屋顶光伏面积比例 rooftop PV area ratio"
    with pytest.raises(ValueError):
        charts.charts_for(verdicts["fail-office"], r, "fr")


def test_cjk_font_is_found_and_has_the_glyphs():
    path = charts.cjk_font_file()
    assert path is not None, "run scripts/bootstrap.sh: the charts need a CJK font for Chinese labels"
    from matplotlib.font_manager import get_font

    assert all(get_font(path).get_char_index(ord(ch)) for ch in "屋面光伏面积充电桩绿色建筑星级要求实测缺口富余")


def _drawing(svg: str) -> str:
    return re.sub(r' aria-label="[^"]*"', "", svg)


def test_without_a_cjk_font_charts_fall_back_to_english(verdicts, monkeypatch):
    r = result(verdicts, "fail-office", "GB-1")
    en = charts.charts_for(verdicts["fail-office"], r, "en")[0]
    zh_with_font = charts.charts_for(verdicts["fail-office"], r, "zh")[0]
    monkeypatch.setattr(charts, "cjk_font_file", lambda: None)
    charts._font_for.cache_clear()
    try:
        zh = charts.charts_for(verdicts["fail-office"], r, "zh")[0]
        both = charts.charts_for(verdicts["fail-office"], r, "both")[0]
    finally:
        monkeypatch.undo()
        charts._font_for.cache_clear()
    assert _drawing(zh.svg) == _drawing(en.svg) == _drawing(both.svg)     # drawn in English, no boxes
    assert _drawing(zh_with_font.svg) != _drawing(en.svg)
    assert CJK.search(zh.alt)                                             # the page's own font says the rest


# --------------------------------------------------------------------------- speed

def test_a_chart_takes_well_under_a_second(verdicts):
    v = verdicts["fail-office"]
    charts.charts_for(v, result(verdicts, "fail-office", "PV-2"))        # fonts loaded once per process
    start = time.perf_counter()
    n = sum(len(charts.charts_for(v, r)) for r in v.results)
    per_chart = (time.perf_counter() - start) / n
    assert n == 4
    assert per_chart < 0.5, f"{per_chart * 1000:.0f} ms per chart"
