"""PDF and HTML verdicts of the real samples: what a reviewer must find in them, in each language."""

from __future__ import annotations

import re

import pytest
from conftest import good_samples
from report_probe import PageAudit
from report_probe import flat as _flat
from report_probe import pdftotext as _pdftotext

from compliance.report import html as html_report
from compliance.report import pdf
from compliance.report.labels import VERDICT

SAMPLE_NAMES = [p.name for p in good_samples()]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_pdf_states_verdict_rules_figures_and_clauses(sample_verdicts, name, tmp_path):
    verdict = sample_verdicts[name]
    flat = _flat(_pdftotext(pdf.render(verdict), tmp_path))
    zh, en = VERDICT[verdict.verdict][:2]
    assert zh in flat and en in flat
    assert verdict.submission.id in flat and _flat(verdict.submission.name) in flat
    for r in verdict.results:
        assert r.rule_version in flat, r.rule_version
        assert _flat(r.clause.ref) in flat, (r.rule, r.clause.ref)
        if r.status != "not_applicable":
            assert _flat(r.clause.quote)[:40] in flat, r.rule          # the clause quoted in its section
            for c in r.checks:
                assert _flat(c.measured_text.zh) in flat, (r.rule, c.measured_text.zh)
                assert _flat(c.threshold_text.zh) in flat, (r.rule, c.threshold_text.zh)
    for m in verdict.models:
        assert m.sha256 in flat and m.file in flat
    for f in verdict.inputs:
        assert f.sha256 in flat
    assert verdict.rules_version in flat


def test_pdf_in_one_language(sample_verdicts, tmp_path):
    verdict = sample_verdicts["fail-office"]
    zh = _flat(_pdftotext(pdf.render(verdict, "zh"), tmp_path, "zh.pdf"))
    en = _flat(_pdftotext(pdf.render(verdict, "en"), tmp_path, "en.pdf"))
    assert "不合规" in zh and "NON-COMPLIANT" not in zh and "Summaryofresults" not in zh
    assert "NON-COMPLIANT" in en and "不合规" not in en and "核查结果汇总" not in en
    assert "Summaryofresults" in en and "核查结果汇总" in zh
    assert "Page1of" in en and "第1页" in zh and "Page1of" not in zh
    pv2 = next(r for r in verdict.results if r.rule == "PV-2")
    assert _flat(pv2.remedy.en) in en and _flat(pv2.remedy.zh) in zh and _flat(pv2.remedy.en) not in zh


def test_pdf_lists_the_failing_elements_by_global_id_and_name(sample_verdicts, tmp_path):
    verdict = sample_verdicts["fail-office"]
    flat = _flat(_pdftotext(pdf.render(verdict), tmp_path))
    pv2 = next(r for r in verdict.results if r.rule == "PV-2")
    cited = [g for e in pv2.evidence for g in e.global_ids]
    assert len(cited) == 29
    for gid in cited:
        element = verdict.element(gid)
        assert element.name, gid
        assert f"{gid}{element.ifc_class}{_flat(element.name)}" in flat, gid


@pytest.mark.parametrize("name", ["fail-office", "incomplete-zero-roof", "pass-data-centre"])
def test_html_report_is_one_self_contained_page(sample_verdicts, name):
    verdict = sample_verdicts[name]
    page = html_report.render(verdict).decode("utf-8")
    audit = PageAudit()
    audit.feed(page)
    assert audit.external == []
    assert "script" not in audit.tags and "link" not in audit.tags and "iframe" not in audit.tags
    assert all(src.startswith("data:image/svg+xml;base64,") for src in audit.images)
    assert audit.csp and "default-src 'none'" in audit.csp and "script-src" not in audit.csp
    assert "<style>" in page and "@page" not in page.split("<style>")[1].split("</style>")[0].split("@media print")[0]
    for r in verdict.results:
        assert r.rule_version in page
    zh, en = VERDICT[verdict.verdict][:2]
    assert zh in page and en in page


def test_html_report_escapes_hostile_text(sample_verdicts):
    verdict = sample_verdicts["fail-office"]
    hostile = "<script>alert('x')</script> \"q\" 🏫 עברית <img src=x onerror=alert(1)>"
    sub = verdict.submission.model_copy(update={"name": hostile, "name_en": hostile})
    elements = tuple(e.model_copy(update={"name": hostile}) for e in verdict.elements)
    page = html_report.render(verdict.model_copy(update={"submission": sub, "elements": elements}), "both").decode()
    audit = PageAudit()
    audit.feed(page)
    assert "script" not in audit.tags and audit.external == []
    assert all(src.startswith("data:image/svg+xml;base64,") for src in audit.images)   # the charts only
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "🏫 עברית" in page


def test_lang_is_checked():
    with pytest.raises(ValueError, match="unknown language"):
        html_report.render(None, "fr")


def test_several_formats_in_one_run_from_one_reading(tmp_path):
    from test_samples_cli import run_cli

    out = tmp_path / "out"
    proc = run_cli("check", "ifc_samples/fail-office", "--format", "pdf,json,html,xlsx,bcf,text", "-o", f"{out}/")
    assert proc.returncode == 1, proc.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"YP-2024-0457{ext}" for ext in (".pdf", ".json", ".html", ".xlsx", ".bcf", ".txt"))
    assert proc.stderr.count("written to") == 6
    assert (out / "YP-2024-0457.pdf").read_bytes().startswith(b"%PDF")
    assert re.search(r'"verdict": "non_compliant"', (out / "YP-2024-0457.json").read_text())


@pytest.mark.parametrize("args, message", [
    (["--format", "pdf,json"], "several formats need an output folder"),
    (["--format", "pdf,json", "-o", "out/v.pdf"], "cannot go into one file"),
    (["--format", "pdf,docx", "-o", "out/"], "unknown format docx"),
])
def test_format_usage_errors(args, message, tmp_path):
    from test_samples_cli import run_cli

    proc = run_cli("check", "ifc_samples/fail-office", *[a.replace("out/", f"{tmp_path}/out/") for a in args])
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_bidi_override_in_submitted_text_is_shown_not_obeyed(sample_verdicts, tmp_path):
    verdict = sample_verdicts["fail-office"]
    sub = verdict.submission.model_copy(update={"applicant": "\u202eexe.fdp\u202c 公司", "name": "שלום 学校"})
    spoofed = verdict.model_copy(update={"submission": sub})
    page = html_report.render(spoofed).decode()
    assert "\u202e" not in page and "[U+202E]exe.fdp[U+202C] 公司" in page and "שלום 学校" in page
    flat = _flat(_pdftotext(pdf.render(spoofed), tmp_path))
    assert "[U+202E]exe.fdp[U+202C]公司" in flat
