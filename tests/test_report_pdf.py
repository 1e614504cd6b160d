"""PDF verdict: content (via pdftotext), embedded CJK font (via pdffonts), hostile text."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from compliance.derive.metrics import Evidence
from compliance.evaluate.results import RuleResult, SubmissionRef, Verdict, overall_verdict
from compliance.read.records import ModelInfo, Note
from compliance.report import pdf
from compliance.ruleset.schema import Clause, Text

DOC = "杨府发〔2022〕13号《杨浦区碳达峰实施方案》"
ROOF_IDS = ("2O2Fr$t4X7Zf8NOew3FLOH", "1hOSvn6df7F8_7GcBWlRGQ", "0K7w3pDiv1ixZ7LAe$9gO_")
PV_IDS = tuple(f"3Vc8pQmY0{i:02d}xZk7LAe$9gP" for i in range(14))  # 22 characters, like IFC


def _result(rule: str, status: str, measured: float | None, threshold: float = 50, **kw) -> RuleResult:
    base = dict(
        rule=rule, rule_version=f"{rule}@1", kind="mandatory", blocks=True, status=status,
        measured=measured, threshold=threshold, operator=">=", unit="%", basis="projected",
        title=Text(zh=f"屋顶光伏面积比例不低于{threshold:g}%", en=f"Rooftop PV area ≥ {threshold:g}% of roof area"),
        clause=Clause(ref="三(一)1", document=DOC, quote="2022年起新建政府机关、学校、工业厂房等建筑屋顶安装光伏的面积比例不低于50%"),
        message=f"{rule}: status {status}.", message_zh=f"{rule}：结论 {status}。",
        remedy=Text(zh="增加屋顶光伏组件面积。", en="Add rooftop PV panels."),
    )
    labels = {"mandatory": ("强制性", "mandatory"), "target": ("目标性", "target"), "encouraged": ("鼓励性", "encouraged")}
    zh, en = labels[kw.get("kind", "mandatory")]
    return RuleResult(**{**base, "kind_label": Text(zh=zh, en=en), **kw})


def _verdict(results: tuple[RuleResult, ...], name: str = "杨浦区示范学校新建工程", **kw) -> Verdict:
    model = ModelInfo(file="models/school-arch.ifc", schema_name="IFC4", application="Revit 2024",
                      size_bytes=1_234_567, sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                      entity_count=48_211, length_unit_m=0.001, area_unit_m2=1.0)
    sub = SubmissionRef(id="YP-2024-0001", name=name, name_en="Yangpu Demonstration School", kind="new",
                        use="school", use_label=Text(zh="学校", en="school"), public_institution=True,
                        zone="xinjiangwan", filed_on=date(2024, 3, 1))
    base = dict(
        submission=sub, as_of=date(2024, 3, 1), rules_version="sha256:0123456789abcdef",
        ruleset_name=Text(zh="杨浦区碳达峰实施方案（杨府发〔2022〕13号）建筑项目核查规则",
                          en="Yangpu District Carbon Peak Implementation Plan — building checks"),
        verdict=overall_verdict(results), results=results, models=(model,),
        notes=(Note(code="roof.quantity_missing", message="roof slab has no ProjectedArea quantity",
                    file="models/school-arch.ifc", global_ids=ROOF_IDS[:1], severity="uncertain"),),
        tool_version="0.1.0", generated_at=datetime(2024, 3, 2, 8, 30, tzinfo=timezone.utc),
    )
    return Verdict(**{**base, **kw})


def compliant_verdict() -> Verdict:
    ok = _result("PV-1", "pass", 52.4, computation=Text(zh="光伏水平投影面积 524.00 m² ÷ 屋面水平投影面积 1,000.00 m² = 52.40 %",
                                                      en="PV projected area 524.00 m² ÷ roof projected area 1000.00 m² = 52.40 %"),
                 inputs={"roof_area_m2": 1000.0, "pv_area_m2": 524.0}, remedy=None,
                 evidence=(Evidence(source="ifc", file="models/school-arch.ifc", global_ids=ROOF_IDS,
                                    detail="roof: Qto_RoofBaseQuantities.ProjectedArea"),))
    na = _result("PV-2", "not_applicable", None, 30, message="Not applicable: does not apply to use class 'school'.",
                 message_zh="不适用：不适用于用途“school”。")
    return _verdict((ok, na))


def failing_verdict(name: str = "杨浦区示范学校新建工程") -> Verdict:
    ifc = Evidence(source="ifc", file="models/school-arch.ifc", global_ids=ROOF_IDS + PV_IDS,
                   detail="PV: Qto_SolarDeviceBaseQuantities.GrossArea")
    meta = Evidence(source="metadata", file="submission.yaml", fields=("use", "kind", "public_institution"))
    results = (
        _result("PV-1", "fail", 31.256, computation=Text(zh="光伏水平投影面积 312.56 m² ÷ 屋面 1,000.00 m² = 31.26 %",
                                                          en="PV projected area 312.56 m² ÷ roof 1000.00 m² = 31.26 %"),
                inputs={"roof_area_m2": 1000.0, "pv_area_m2": 312.56}, evidence=(ifc, meta)),
        _result("PV-2", "missing_data", None, 30, reasons=(Text(zh="屋面 2O2Fr$t4X7Zf8NOew3FLOH 无水平投影面积", en="roof: no projected area for 2O2Fr$t4X7Zf8NOew3FLOH"),),
                inputs={"roof_area_m2": None, "pv_area_m2": 12.0}, evidence=(meta,)),
        _result("PV-3", "manual_review", 47.5, 45, kind="target", blocks=False,
                reasons=(Text(zh="光伏面积超过屋面面积：组件可能不在屋面上", en="PV area exceeds roof area: panels may be off the roof"),), evidence=(ifc,)),
        _result("PV-4", "not_applicable", None, 20, kind="encouraged", blocks=False, remedy=None,
                message="Not applicable: applies only in zones binjiang_south.", message_zh="不适用：仅适用于区域 binjiang_south。"),
    )
    return _verdict(results, name=name)


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: install poppler-utils (the README's test command does)")
    return path


def _render(verdict: Verdict, tmp_path: Path) -> Path:
    data = pdf.render(verdict)
    assert data.startswith(b"%PDF")
    out = tmp_path / "verdict.pdf"
    out.write_bytes(data)
    return out


def _text(path: Path, mode: str = "-layout") -> str:
    done = subprocess.run([_poppler("pdftotext"), mode, str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _squash(text: str) -> str:
    return "".join(text.split())


def test_non_compliant_pdf_names_everything_a_reviewer_needs(tmp_path):
    text = _text(_render(failing_verdict(), tmp_path))
    flat = _squash(text)
    for needle in ("杨浦区示范学校新建工程", "YP-2024-0001", "不合规", "NON-COMPLIANT", "三(一)1",
                   "PV-1@", "PV-2@1", "PV-3@1", "PV-4@1", "31.26%≥50%", "47.50%≥45%", "—≥30%",
                   "不通过", "数据缺失", "需人工复核", "不适用", "审核人", "sha256:0123456789abcdef",
                   "2024-03-0208:30:00UTC", "第1页/共"):
        assert needle in flat, needle
    assert ROOF_IDS[0] in flat and PV_IDS[-1] in flat
    assert "31.256" not in flat   # measured values are shown to 2 decimals


def test_compliant_pdf(tmp_path):
    flat = _squash(_text(_render(compliant_verdict(), tmp_path)))
    assert "合规" in flat and "COMPLIANT" in flat and "NON-COMPLIANT" not in flat
    assert "52.40%≥50%" in flat and "通过" in flat
    assert "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" in flat


def test_pdf_embeds_a_cjk_font(tmp_path):
    path = _render(failing_verdict(), tmp_path)
    done = subprocess.run([_poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True)
    rows = done.stdout.splitlines()[2:]
    cjk = [r for r in rows if any(k in r for k in ("WenQuanYi", "Noto", "CJK"))]
    assert cjk, done.stdout
    # columns: name type encoding emb sub uni object ID; emb is the 4th from the right
    assert any(r.split()[-5] == "yes" for r in cjk), done.stdout


def _words_outside_page(path: Path) -> list[str]:
    """Words pdftotext places beyond the page's right edge (text that broke out of the layout)."""
    done = subprocess.run([_poppler("pdftotext"), "-bbox", str(path), "-"], capture_output=True, check=True)
    html = done.stdout.decode("utf-8")
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
    return [w for x, w in words if float(x) > width - 20]


def test_hostile_text_is_escaped_and_does_not_break_layout(tmp_path):
    name = "<script>alert(1)</script> \"引号\" & 'q' 🏫🌞 עברית " + "长" * 300
    verdict = failing_verdict(name=name)
    sub = verdict.submission.model_copy(update={"name_en": "W" * 300})
    junk = Evidence(source="ifc", file="<b>x</b>.ifc", global_ids=("G" * 200,) + PV_IDS, detail="<img src=x>")
    first = verdict.results[0].model_copy(update={"evidence": (junk,)})
    update = {"submission": sub, "results": (first,) + verdict.results[1:]}
    path = _render(verdict.model_copy(update=update), tmp_path)
    text = _text(path)
    assert "<script>alert(1)</script>" in text
    assert "&lt;" not in text and "&amp;" not in text
    flat = _squash(_text(path, "-raw"))          # content order: the name's lines in sequence
    assert "长" * 300 in flat and "W" * 300 in flat and "G" * 200 in flat
    assert "<b>x</b>.ifc" in flat and "<imgsrc=x>" in flat
    assert _words_outside_page(path) == []


def test_html_is_autoescaped():
    html = pdf.render_html(failing_verdict(name="<script>alert(1)</script>"))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_written_verdicts_are_readable_by_others_as_umask_allows(tmp_path):
    import os
    import stat

    from compliance.report import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "v.json", b"{}")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "v.json").stat().st_mode)
    assert mode == 0o644 and not list(tmp_path.glob(".v.json.*"))
