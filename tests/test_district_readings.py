"""The district targets as the plan reads (issue 20, point 4), worked by hand: D-7's 100,000 m² is
included and counts existing malls only, D-8 leaves housing's private chargers out, D-6 counts
energy retrofits that state a saving, D-3 (rooftop PV coverage) and D-4 (renewable substitution,
area weighted), and an implausible figure is a finding that enters no total. Pure: no registry."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest
from report_probe import pdftotext

from compliance.derive.metrics import Metric
from compliance.district.progress import Approved, Tally, district_progress
from compliance.district.render import render
from compliance.district.targets import UNITS, load_targets
from compliance.errors import RuleFileError
from compliance.text import Text

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
AS_OF = date(2030, 12, 31)


@pytest.fixture(scope="module")
def setting():
    from compliance.ruleset.loader import load_ruleset

    settings = load_ruleset(RULES).settings
    uses = {u: list(s.groups) for u, s in settings.uses.items()}
    targets, _, version = load_targets(RULES, uses)
    return uses, targets, version, {u: s.label for u, s in settings.uses.items()}


def sub(i: int, use: str, kind: str, filed: date, **figures) -> Approved:
    """An approved submission holding only the figures given (a figure not given is absent)."""
    out = {}
    for name, v in figures.items():
        out[name] = v if isinstance(v, Metric) else Metric(name=name, value=v, unit=UNITS[name])
    gfa = figures.get("gross_floor_area")
    return Approved(check_id=i, submission_id=f"YP-T-{i:04d}", name=f"项目{i}", filed_on=filed, use=use, kind=kind,
                    gross_floor_area_m2=gfa if isinstance(gfa, float) else None, figures=out)


def progress(setting, entries, as_of=AS_OF):
    uses, targets, version, labels = setting
    report = district_progress(entries, targets, uses, as_of=as_of, tally=Tally(len(entries), {"compliant": len(entries)}),
                               registry="sqlite:///t.sqlite", targets_file="rules/district/targets.yaml",
                               targets_version=version, use_labels=labels)
    return report, {t.id: t for t in report.targets}


def ids(contributions) -> list[str]:
    return [c.submission_id for c in contributions]


D = date(2024, 3, 1)


# --------------------------------------------------------------------------- D-7: 以上 includes the figure; existing malls

def test_d7_includes_100000_m2_and_counts_retrofits_of_existing_malls_only(setting):
    entries = [
        sub(1, "commercial_complex", "retrofit", D, gross_floor_area=100000.0, green_mall=1.0),   # exactly 10万: in
        sub(2, "commercial_complex", "retrofit", D, gross_floor_area=99999.0, green_mall=1.0),    # below: out
        sub(3, "public_commercial", "retrofit", D, gross_floor_area=130000.0, green_mall=0.0),    # a mall (EB-3): in
        sub(4, "commercial_complex", "new", D, gross_floor_area=150000.0, green_mall=1.0),        # new: not 现有
        sub(5, "public_office", "retrofit", D, gross_floor_area=120000.0, green_mall=1.0),        # not a mall
    ]
    _, t = progress(setting, entries)
    d7 = t["D-7"]
    assert ids(d7.contributions) == ["YP-T-0001", "YP-T-0003"]
    assert (d7.numerator, d7.denominator, d7.achieved) == (1.0, 2.0, 50.0)
    assert not d7.not_counted and not d7.excluded
    d7a = t["D-7a"]                                   # every existing commercial complex, whatever its size
    assert ids(d7a.contributions) == ["YP-T-0001", "YP-T-0002"] and d7a.achieved == 100.0
    assert "不小于 100,000 m²" in d7.basis.zh and "at least 100,000 m²" in d7.basis.en
    assert "第一千二百五十九条" in d7.reading.zh


def test_d7_floor_area_in_doubt_across_the_line_is_not_guessed(setting):
    doubt = Metric(name="gross_floor_area", value=101000.0, unit="m²", certain=False, low=95000.0, high=101000.0,
                   reasons=(Text(zh="申报与模型不一致", en="filed and modelled differ"),))
    above = Metric(name="gross_floor_area", value=120000.0, unit="m²", certain=False, low=100000.0, high=120000.0,
                   reasons=(Text(zh="申报与模型不一致", en="filed and modelled differ"),))
    _, t = progress(setting, [sub(1, "commercial_complex", "retrofit", D, gross_floor_area=doubt, green_mall=1.0),
                              sub(2, "commercial_complex", "retrofit", D, gross_floor_area=above, green_mall=1.0)])
    d7 = t["D-7"]
    assert ids(d7.contributions) == ["YP-T-0002"]           # its whole range is ≥ 100,000 m²
    assert ids(d7.not_counted) == ["YP-T-0001"] and "100,000" in d7.not_counted[0].why.zh


# --------------------------------------------------------------------------- D-8: no private chargers in housing

def test_d8_leaves_out_every_charger_of_housing_and_says_so(setting):
    entries = [sub(1, "residential", "new", D, charging_points=240.0),
               sub(2, "public_office", "new", D, charging_points=40.0),
               sub(3, "parking", "new", D, charging_points=120.0),
               sub(4, "commercial_complex", "retrofit", D, charging_points=25.0)]
    _, t = progress(setting, entries)
    d8 = t["D-8"]
    assert d8.achieved == 40.0 + 120.0 + 25.0
    assert ids(d8.excluded) == ["YP-T-0001"] and not d8.not_counted
    assert "居住建筑" in d8.excluded[0].why.zh and "residential building" in d8.excluded[0].why.en
    assert "私人" in d8.reading.zh and "private" in d8.reading.en


# --------------------------------------------------------------------------- D-6: an energy retrofit states its saving

def test_d6_counts_retrofits_with_a_stated_saving_only(setting):
    no_saving = Metric(name="retrofit_energy_saving", value=None, unit="%",
                       reasons=(Text(zh="未提供改造前后能耗", en="energy before and after not given"),))
    entries = [sub(1, "public_office", "retrofit", D, gross_floor_area=50000.0, retrofit_energy_saving=18.0),
               sub(2, "school", "retrofit", D, gross_floor_area=30000.0, retrofit_energy_saving=8.0),
               sub(3, "public_hotel", "retrofit", D, gross_floor_area=20000.0, retrofit_energy_saving=no_saving),
               sub(4, "public_culture", "retrofit", D, gross_floor_area=10000.0, retrofit_energy_saving=0.0),
               sub(5, "residential", "retrofit", D, gross_floor_area=90000.0, retrofit_energy_saving=30.0)]
    _, t = progress(setting, entries)
    d6, d6a = t["D-6"], t["D-6a"]
    assert d6.achieved == 50000.0 + 30000.0                          # 1 and 2: the saving is stated and > 0
    assert ids(d6.not_counted) == ["YP-T-0003"] and "未提供改造前后能耗" in d6.not_counted[0].why.zh
    assert ids(d6.excluded) == ["YP-T-0004"] and "0%" in d6.excluded[0].why.zh
    assert d6a.achieved == 50000.0 and ids(d6a.excluded) == ["YP-T-0002", "YP-T-0004"]
    assert d6a.excluded[0].why.zh == "改造节能率为 8%，不满足“改造节能率 ≥ 15%”的条件，不计入"


# --------------------------------------------------------------------------- D-3: Σ PV area ÷ Σ roof area

def test_d3_roof_coverage_of_public_institutions_and_plants_by_hand(setting):
    entries = [sub(1, "school", "new", D, public_institution=1.0, roof_area=2000.0, pv_area=1200.0),
               sub(2, "industrial_plant", "retrofit", D, public_institution=0.0, roof_area=10000.0, pv_area=3000.0),
               sub(3, "public_office", "new", D, public_institution=0.0, roof_area=5000.0, pv_area=2500.0),
               sub(4, "data_centre", "new", D, public_institution=0.0, roof_area=8000.0, pv_area=0.0),
               sub(5, "public_health", "retrofit", D, public_institution=1.0, roof_area=4000.0,
                   pv_area=Metric(name="pv_area", value=None, unit="m²",
                                  reasons=(Text(zh="光伏组件缺少面积", en="PV panels lack an area"),))),
               sub(6, "school", "new", date(2026, 2, 1), public_institution=1.0, roof_area=1000.0, pv_area=1000.0)]
    _, t = progress(setting, entries)
    d3 = t["D-3"]
    # (1,200 + 3,000) ÷ (2,000 + 10,000) = 4,200 ÷ 12,000 = 35 %, i.e. 70 % of the 50 % target
    assert ids(d3.contributions) == ["YP-T-0001", "YP-T-0002"]
    assert (d3.numerator, d3.denominator, d3.achieved, d3.progress_pct) == (4200.0, 12000.0, 35.0, 70.0)
    assert ids(d3.not_counted) == ["YP-T-0005"] and not d3.met
    assert [c.weight for c in d3.contributions] == [2000.0, 10000.0]


# --------------------------------------------------------------------------- D-4: Σ(rate × GFA) ÷ Σ GFA

def test_d4_renewable_substitution_weighted_by_floor_area_by_hand(setting):
    entries = [sub(1, "school", "new", D, gross_floor_area=20000.0, renewable_substitution_rate=12.0),
               sub(2, "residential", "new", D, gross_floor_area=30000.0, renewable_substitution_rate=5.0),
               sub(3, "industrial_plant", "new", D, gross_floor_area=10000.0, renewable_substitution_rate=20.0),
               sub(4, "public_office", "retrofit", D, gross_floor_area=90000.0, renewable_substitution_rate=0.0),
               sub(5, "public_office", "new", D, gross_floor_area=15000.0),
               sub(6, "residential", "new", date(2027, 5, 1), gross_floor_area=40000.0,
                   renewable_substitution_rate=15.0)]
    _, t = progress(setting, entries)
    d4 = t["D-4"]
    # (12 % × 20,000 + 5 % × 30,000 + 20 % × 10,000) ÷ 60,000 = 5,900 ÷ 60,000 = 9.8333 %
    assert ids(d4.contributions) == ["YP-T-0001", "YP-T-0002", "YP-T-0003"]
    assert (d4.numerator, d4.denominator) == (5900.0, 60000.0)
    assert d4.achieved == pytest.approx(9.8333, abs=1e-4) and d4.progress_pct == pytest.approx(98.33)
    assert ids(d4.not_counted) == ["YP-T-0005"] and not d4.met      # no rate stated: not taken as 0
    assert t["D-4a"].achieved == 15.0 and t["D-4a"].met             # the 15th plan's own window


# --------------------------------------------------------------------------- implausible figures

def test_a_1e12_floor_area_typo_is_a_finding_not_27777777_percent(setting):
    entries = [sub(1, "public_office", "retrofit", D, gross_floor_area=1e12, retrofit_energy_saving=20.0,
                   charging_points=0.0),
               sub(2, "school", "retrofit", D, gross_floor_area=36000.0, retrofit_energy_saving=20.0,
                   charging_points=0.0),
               sub(3, "commercial_complex", "retrofit", D, gross_floor_area=1e12, green_mall=1.0, charging_points=0.0),
               sub(4, "public_office", "new", D, charging_points=5e6, gross_floor_area=20000.0)]
    report, t = progress(setting, entries)
    d6 = t["D-6"]
    assert d6.achieved == 36000.0 and d6.progress_pct == 1.0
    assert all(x.progress_pct < 1000 for x in report.targets)
    assert ids(d6.not_counted) == ["YP-T-0001", "YP-T-0003"] and "超出合理范围" in d6.not_counted[0].why.zh
    assert ids(t["D-7"].not_counted) == ["YP-T-0003"] and t["D-7"].denominator == 0   # its scope cannot be told
    assert t["D-8"].achieved == 0.0 and ids(t["D-8"].not_counted) == ["YP-T-0004"]
    found = [(f.submission_id, f.figure, f.value) for f in report.findings]
    assert found == [("YP-T-0001", "gross_floor_area", 1e12), ("YP-T-0003", "gross_floor_area", 1e12),
                     ("YP-T-0004", "charging_points", 5e6)]
    assert "国家会展中心" in report.findings[0].text.zh and "1,000,000,000,000 m²" in report.findings[0].text.zh
    page = render("html", report, "zh").decode("utf-8")
    assert "数据异常，不计入汇总" in page and "YP-T-0001" in page


def test_the_bounds_are_data_with_label_and_source(setting):
    _, targets, _, _ = setting
    assert targets.plausible["gross_floor_area"].max == 2000000
    for bound in targets.plausible.values():
        assert bound.label.zh and bound.label.en and bound.source.zh and bound.source.en


# --------------------------------------------------------------------------- the targets file's new format

@pytest.mark.parametrize("old, new, says", [
    ("    over: roof_area\n", "", "'over'"),
    ("    weight: gross_floor_area\n    target: 10\n", "    target: 10\n", "'weight'"),
    ("    over: roof_area\n", "    over: charging_points\n", "like by like"),
    ("figure: renewable_substitution_rate\n    measure: weighted\n    weight: gross_floor_area\n    target: 10\n",
     "figure: charging_points\n    measure: weighted\n    weight: gross_floor_area\n    target: 10\n", "a rate in %"),
    ("    max: 2000000\n", "    max: -1\n    min: 5\n", "below 'min'"),
    ("        - {uses: [industrial_plant]}", "        - {uses: [factory]}", "unknown use 'factory'"),
])
def test_mistakes_in_the_new_measures_name_their_line(tmp_path, setting, old, new, says):
    import shutil

    uses = setting[0]
    rules = tmp_path / "rules"
    shutil.copytree(RULES / "district", rules / "district")
    file = rules / "district" / "targets.yaml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_targets(rules, uses)
    assert says in str(err.value) and err.value.line


# --------------------------------------------------------------------------- no English in Chinese output

# identifiers, units and the tool's name: not English words
ALLOWED = re.compile(r"^(?:D-\d+[a-z]?|YP-T-\d+|EB-\d|PV-\d|MW|kW|m²|kW/m²|UTC|sha256:[0-9a-f]+|compliance|"
                     r"(?=[a-f]*\d)[0-9a-f]{6,}|"   # the tail of the build hash in 0.1.0+c3a9f8972a1b
                     r"sqlite:///t\.sqlite|rules/district/targets\.yaml)$")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9_./:²-]*", text) if not ALLOWED.match(w.rstrip(".:"))}


@pytest.fixture(scope="module")
def busy(setting):
    entries = [sub(1, "residential", "new", D, charging_points=240.0, gross_floor_area=30000.0,
                   renewable_substitution_rate=5.0),
               sub(2, "school", "new", D, public_institution=1.0, roof_area=2000.0, pv_area=1200.0,
                   gross_floor_area=20000.0, renewable_substitution_rate=12.0, charging_points=30.0,
                   pv_peak_power=200.0),
               sub(3, "public_office", "retrofit", D, gross_floor_area=1e12, retrofit_energy_saving=20.0),
               sub(4, "public_hotel", "retrofit", D, gross_floor_area=20000.0, retrofit_energy_saving=8.0),
               sub(5, "commercial_complex", "retrofit", D, gross_floor_area=100000.0, green_mall=1.0,
                   retrofit_energy_saving=Metric(name="retrofit_energy_saving", value=None, unit="%",
                                                 reasons=(Text(zh="未提供改造前后能耗", en="not given"),)))]
    return progress(setting, entries)[0]


def test_chinese_html_and_pdf_hold_no_english(busy, tmp_path):
    page = render("html", busy, "zh").decode("utf-8")
    text = re.sub(r"<(style|head)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    assert _words(text) == set()
    assert _words(pdftotext(render("pdf", busy, "zh"), tmp_path, "zh.pdf")) == set()
    assert "commercial_complex" not in text and "商业综合体" in text


def test_chinese_json_holds_no_english_text(busy):
    data = json.loads(render("json", busy, "zh"))
    assert data["lang"] == "zh"
    texts: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"zh"}:
                texts.append(node["zh"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    assert texts and '"en"' not in render("json", busy, "zh").decode("utf-8")
    assert _words(" ".join(texts)) == set()


def test_the_chinese_template_has_no_english_outside_the_language_switch():
    """Every English phrase of district.html.j2 sits in an L()/LB() call beside its Chinese (or in
    markup): rendered in zh, the tests above show none."""
    template = (ROOT / "compliance/district/render/templates/district.html.j2").read_text(encoding="utf-8")
    body = re.sub(r"\{#.*?#\}", "", template, flags=re.S)
    body = re.sub(r"\{[{%].*?[%}]\}", " ", body, flags=re.S)     # Jinja: L("…", "…") and logic
    body = re.sub(r"<[^>]+>", " ", body)
    body = re.sub(r"@page\s*\{.*?\}\s*\}", " ", body, flags=re.S)
    assert _words(body) == set()
