"""District dashboard renderers: JSON (deterministic, round-trips), PDF (content via pdftotext),
HTML (self-contained, hostile text escaped), charts (deterministic SVG), the FORMATS registry."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from report_probe import PageAudit
from report_probe import flat as _flat
from report_probe import pdftotext as _pdftotext

from compliance.derive.metrics import Metric
from compliance.district.progress import Approved, Tally, district_progress
from compliance.district.records import DistrictReport
from compliance.district.render import FORMATS, charts, render
from compliance.district.render.document import MAX_ROWS, amount, number, percent
from compliance.district.targets import DISTRICT_FIGURES, UNITS, load_targets
from compliance.text import Text

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
GENERATED = datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)
TITLE_ZH = "杨浦区碳达峰目标进展（建筑项目申报汇总）"
TITLE_EN = "Yangpu carbon-peak targets — progress from building submissions"
HOSTILE = "<script>alert('x')</script>"
SPOOF = "\u202eexe.fdp\u202c 公司大楼"


@pytest.fixture(scope="module")
def setting():
    from compliance.ruleset.loader import load_ruleset

    settings = load_ruleset(RULES).settings
    uses = {u: list(s.groups) for u, s in settings.uses.items()}
    targets, _, version = load_targets(RULES, uses)
    return uses, targets, version, {u: s.label for u, s in settings.uses.items()}


def _figures(**given) -> dict[str, Metric]:
    out = {}
    for name in DISTRICT_FIGURES:
        v = given.get(name, 0.0)
        out[name] = v if isinstance(v, Metric) else Metric(name=name, value=v, unit=UNITS[name])
    return out


def _approved(i: int, sid: str, name: str, filed: date, use: str, kind: str, **given) -> Approved:
    gfa = given.get("gross_floor_area", 0.0)
    return Approved(check_id=i, submission_id=sid, name=name, filed_on=filed, use=use, kind=kind,
                    gross_floor_area_m2=gfa if isinstance(gfa, float) else None, figures=_figures(**given))


MISSING_PV = Metric(name="pv_peak_power", value=None, unit="kW",
                    reasons=(Text(zh="未提供光伏组件参数", en="no PV module data"),))
UNCERTAIN_CHARGERS = Metric(name="charging_points", value=25.0, unit="count", certain=False,
                            reasons=(Text(zh="充电桩数量需复核", en="charger count to confirm"),))

ENTRIES = [
    _approved(1, "YP-2023-0001", "杨浦区示范学校新建工程", date(2023, 5, 1), "school", "new",
              pv_peak_power=1250.0, charging_points=40.0, gross_floor_area=20000.0),
    _approved(2, "YP-2023-0002", "五角场办公楼节能改造", date(2023, 9, 12), "public_office", "retrofit",
              gross_floor_area=50000.0, retrofit_energy_saving=18.0, pv_peak_power=300.0),
    _approved(3, "YP-2024-0003", HOSTILE, date(2024, 2, 3), "school", "new", pv_peak_power=MISSING_PV),
    _approved(4, "YP-2024-0004", SPOOF, date(2024, 4, 3), "public_office", "new", pv_peak_power=500.0,
              charging_points=UNCERTAIN_CHARGERS),
    _approved(5, "YP-2024-0005", "合生汇", date(2024, 6, 1), "commercial_complex", "retrofit",
              gross_floor_area=120000.0, green_mall=1.0, retrofit_energy_saving=10.0),
    _approved(6, "YP-2025-0006", "百联又一城", date(2025, 1, 10), "commercial_complex", "retrofit",
              gross_floor_area=80000.0, green_mall=0.0, retrofit_energy_saving=16.0),
    _approved(7, "YP-2026-0007", "新江湾住宅一期", date(2026, 3, 1), "residential", "new",
              gross_floor_area=10000.0, energy_class=1.0),
    _approved(8, "YP-2026-0008", "新江湾住宅二期", date(2026, 4, 1), "residential", "new",
              gross_floor_area=30000.0, energy_class=0.0),
]
MANY = [_approved(100 + k, f"YP-2025-{1000 + k}", f"光伏项目 {k}", date(2025, 1 + k % 12, 1 + k % 28),
                  "industrial_plant", "new", pv_peak_power=100.0 + k) for k in range(75)]


def _report(setting, entries=ENTRIES, as_of=date(2026, 6, 30)) -> DistrictReport:
    uses, targets, version, labels = setting
    report = district_progress(list(entries), targets, uses, as_of=as_of, use_labels=labels,
                               tally=Tally(submissions=14, by_verdict={"compliant": 8, "non_compliant": 4,
                                                                       "incomplete": 2}, errors=1),
                               registry="postgresql://registry.example/yangpu",
                               targets_file="rules/district/targets.yaml", targets_version=version)
    return report.model_copy(update={"generated_at": GENERATED})


@pytest.fixture(scope="module")
def report(setting) -> DistrictReport:
    return _report(setting)


@pytest.fixture(scope="module")
def pdf_text(report, tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("district-pdf")
    out = {}
    for lang in ("both", "zh", "en"):
        data = render("pdf", report, lang)
        assert data.startswith(b"%PDF")
        out[lang] = _pdftotext(data, folder, f"{lang}.pdf")
    return out


# --------------------------------------------------------------------------- the figures themselves

def test_the_sample_adds_up_as_the_assertions_below_expect(report):
    t = {x.id: x for x in report.targets}
    assert t["D-2"].achieved == 2050.0 and [c.submission_id for c in t["D-2"].not_counted] == ["YP-2024-0003"]
    assert t["D-8"].achieved == 40.0 and [c.submission_id for c in t["D-8"].not_counted] == ["YP-2024-0004"]
    assert t["D-6"].achieved == 250000.0 and t["D-6a"].achieved == 130000.0
    assert t["D-5"].achieved == 25.0 and t["D-7"].met and t["D-7a"].achieved == 50.0


def test_numbers_are_shown_as_a_reader_says_them():
    assert [number(x) for x in (1.2, 29.0, 1800.0, 0.25, 2.05, 1234.56, 0.0)] == \
        ["1.2", "29", "1,800", "0.25", "2.05", "1,235", "0"]
    assert amount(2050.0, "MW", "en", 1000) == "2.05 MW"
    assert amount(40.0, "count", "en") == "40" and amount(40.0, "count", "zh") == "40 个"
    assert amount(25.0, "%") == "25%" and amount(None, "kW") == "—"
    assert percent(0.05) == "<0.1%" and percent(7.07) == "7.1%" and percent(0.0) == "0.0%"


# --------------------------------------------------------------------------- JSON

def test_json_is_deterministic_and_round_trips(setting):
    first, second = _report(setting), _report(setting)
    a, b = render("json", first), render("json", second)
    assert a == b
    text = a.decode("utf-8")
    data = json.loads(text)
    assert data["schema"] == "district-report/2" and data["lang"] == "both"      # the old form, kept until 3.0
    assert data["schema_version"].startswith("2.") and data["$schema"].endswith("/district-report.schema.json")
    assert text == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).replace(
        "\u202e", "\\u202e").replace("\u202c", "\\u202c") + "\n"      # bidi controls escaped, all else as is
    assert TITLE_ZH in text                                   # not \u-escaped
    assert "\u202e" not in text                               # a submitted bidi override is never raw
    assert DistrictReport.model_validate({k: v for k, v in data.items()
                                          if k not in ("$schema", "schema_version", "schema", "lang")}) == first
    later = first.model_copy(update={"generated_at": datetime(2026, 7, 2, tzinfo=timezone.utc)})
    assert render("json", later) != a                          # the bytes follow the record


# --------------------------------------------------------------------------- PDF

def test_pdf_states_targets_figures_and_what_is_not_counted(pdf_text, report):
    text = pdf_text["both"]
    flat = _flat(text)
    assert TITLE_ZH in flat and _flat(TITLE_EN) in flat
    for t in report.targets:
        assert t.id in flat and _flat(t.title.zh) in flat
    for shown in ("2.05MW", "29MW", "0.25millionm²", "3.6millionm²", "130thousandm²", "400thousandm²",
                  "40个/1,800个", "25%/50%", "10,000m²/40,000m²", "1,250kW"):
        assert shown in flat, shown
    assert "2026-06-30" in flat and "postgresql://registry.example/yangpu" in flat
    lines = text.splitlines()
    assert any("YP-2024-0003" in line and "未提供光伏组件参数" in line for line in lines)
    assert any("YP-2024-0004" in line and "充电桩数量需复核" in line for line in lines)
    assert "chargercounttoconfirm" in flat and "noPVmoduledata" in flat
    assert "合计为下限" in flat and "thetotalaboveisalowerbound" in flat
    assert _flat(HOSTILE) in flat                               # shown as text, never dropped
    assert "第1页/共" in flat and "Page1of" in flat and report.targets_version in flat and "0.1.0" in flat


def test_pdf_in_one_language(pdf_text):
    zh, en = _flat(pdf_text["zh"]), _flat(pdf_text["en"])
    assert TITLE_ZH in zh and _flat(TITLE_EN) not in zh and "Page1of" not in zh and "第1页/共" in zh
    assert _flat(TITLE_EN) in en and TITLE_ZH not in en and "第1页" not in en and "Page1of" in en
    assert "2.05MW" in en and "1,800" in en and "noPVmoduledata" in en and "未提供光伏组件参数" not in en
    assert "未提供光伏组件参数" in zh and "noPVmoduledata" not in zh
    assert "百万平方米" in zh                                  # 0.25 million m² said in Chinese


# --------------------------------------------------------------------------- HTML

def _section(page: str, target_id: str) -> str:
    start = page.index(f'id="t-{target_id}"')
    end = page.find('<section class="target', start)
    return page[start:end if end > 0 else len(page)]


def test_html_is_self_contained_and_neutralises_hostile_names(report):
    page = render("html", report).decode("utf-8")
    audit = PageAudit()
    audit.feed(page)
    assert audit.external == [] and "script" not in audit.tags and "link" not in audit.tags
    assert audit.images and all(src.startswith("data:image/svg+xml;base64,") for src in audit.images)
    assert audit.csp and "default-src 'none'" in audit.csp and "script-src" not in audit.csp
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and HOSTILE not in page
    assert "\u202e" not in page and "\u202c" not in page and "[U+202E]exe.fdp[U+202C] 公司大楼" in page


def test_lower_bound_statement_only_where_something_is_not_counted(report):
    page = render("html", report, "en").decode("utf-8")
    assert "lower bound" in _section(page, "D-2") and "YP-2024-0003" in _section(page, "D-2")
    assert "lower bound" not in _section(page, "D-6") and 'class="grid notcounted"' not in _section(page, "D-6")


def test_contributions_are_capped_largest_first(setting):
    page = render("html", _report(setting, ENTRIES + MANY), "en").decode("utf-8")
    d2 = _section(page, "D-2")
    table = d2[d2.index('class="grid contrib"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr><td class="mono">([^<]+)</td>', table)
    assert len(rows) == MAX_ROWS == 60
    assert rows[0] == "YP-2023-0001" and rows[1] == "YP-2024-0004"   # 1,250 kW then 500 kW
    total = 5 + len(MANY)              # every submission filed 2021–2025 but 0003 (PV missing), zeros too
    assert f"and {total - MAX_ROWS} more" in table


def test_state_says_in_progress_before_the_period_ends_and_missed_after(setting):
    early = render("html", _report(setting, as_of=date(2025, 6, 30)), "en").decode("utf-8")
    late = render("html", _report(setting), "en").decode("utf-8")
    assert 'badge ds-progress">in progress' in _section(early, "D-2")
    assert 'badge ds-missed">missed' in _section(late, "D-2")
    assert 'badge ds-met">met' in _section(late, "D-7")


# --------------------------------------------------------------------------- charts

def test_charts_are_deterministic_svg_with_text_as_paths(report, setting):
    d2 = next(t for t in report.targets if t.id == "D-2")
    d5 = next(t for t in report.targets if t.id == "D-5")
    for make in (charts.progress_chart, charts.cumulative_chart):
        one, two = make(d2, report, "both"), make(d2, report, "both")
        assert one.svg == two.svg and one.svg.startswith("<svg ")
        assert "<text" not in one.svg and "dc:date" not in one.svg and "<metadata" not in one.svg
    assert charts.cumulative_chart(d5, report) is None                      # a share has no running total
    more = _report(setting, ENTRIES + MANY)
    d2_more = next(t for t in more.targets if t.id == "D-2")
    assert charts.progress_chart(d2_more, more).svg != charts.progress_chart(d2, report).svg
    assert charts.overview_chart(report).svg == charts.overview_chart(report).svg


def test_chart_bytes_are_the_same_in_another_process(report):
    d2 = next(t for t in report.targets if t.id == "D-2")
    here = hashlib.sha256(charts.cumulative_chart(d2, report, "en").svg.encode()).hexdigest()
    code = ("import sys, hashlib; sys.path.insert(0, 'tests'); "
            "import test_district_render as m; "
            "from compliance.district.render import charts; "
            "r = m._report(m._setting()); "
            "t = next(t for t in r.targets if t.id == 'D-2'); "
            "print(hashlib.sha256(charts.cumulative_chart(t, r, 'en').svg.encode()).hexdigest())")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == here


def _setting():
    """The fixture's value, outside pytest (for the other process above)."""
    from compliance.ruleset.loader import load_ruleset

    settings = load_ruleset(RULES).settings
    uses = {u: list(s.groups) for u, s in settings.uses.items()}
    targets, _, version = load_targets(RULES, uses)
    return uses, targets, version, {u: s.label for u, s in settings.uses.items()}


# --------------------------------------------------------------------------- registry

def test_formats_registry():
    assert set(FORMATS) == {"json", "pdf", "html"}
    assert (FORMATS["pdf"].extension, FORMATS["pdf"].media_type, FORMATS["pdf"].binary) == \
        (".pdf", "application/pdf", True)
    assert FORMATS["json"].extension == ".json" and FORMATS["json"].media_type == "application/json"
    assert FORMATS["html"].extension == ".html" and FORMATS["html"].media_type.startswith("text/html")


def test_importing_the_registry_loads_no_renderer():
    code = ("import sys, compliance.district.render as r; "
            "heavy = [m for m in ('weasyprint', 'matplotlib', 'jinja2') if m in sys.modules]; "
            "print(','.join(heavy) or 'none')")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "none"


def test_unknown_format_or_language_is_refused(report):
    with pytest.raises(ValueError, match="unknown format"):
        render("docx", report)
    with pytest.raises(ValueError, match="unknown language"):
        render("pdf", report, "fr")
