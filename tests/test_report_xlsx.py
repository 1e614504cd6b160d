"""Excel workbook: real sample submissions through the pipeline, the workbook read back with openpyxl."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import timezone

import openpyxl
import pytest
from conftest import ROOT, RULES, SAMPLES

from compliance.context import RunContext
from compliance.pipeline import check_submission
from compliance.report import labels, xlsx

SAMPLE_NAMES = ["fail-office", "incomplete-zero-roof", "incomplete-metadata-mismatch",
                "fail-residential-chargers-not-ready", "pass-school", "fail-binjiang-office",
                "incomplete-heat-pump-source"]
SHEET_NAMES = {"en": ["Summary", "Results", "Findings", "Notes", "Models"],
               "zh": ["汇总", "规则结果", "问题清单", "读取说明", "模型"],
               "both": ["汇总 Summary", "规则结果 Results", "问题清单 Findings", "读取说明 Notes", "模型 Models"]}
LONG = "長" * 39_990 + "0123456789"           # 40,000 characters
HOSTILE = ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2+3", "<script>alert(1)</script>",
           "屋顶 🌞🔋 panels", "שלום עולם مرحبا", "bell\x07ring", "#N/A", LONG]


@pytest.fixture(scope="module")
def verdicts():
    ctx = RunContext(rules_dir=RULES)
    return {name: check_submission(SAMPLES / name, ctx) for name in SAMPLE_NAMES}


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def table(ws, top: int = 1) -> list[dict]:
    """The rows under the header row at `top`, as dicts keyed by header text (stops at a blank row)."""
    headers = [c.value for c in ws[top]]
    rows = []
    for cells in ws.iter_rows(min_row=top + 1):
        if all(c.value is None for c in cells):
            break
        rows.append({h: c for h, c in zip(headers, cells) if h is not None})
    return rows


def expected_findings(v) -> Counter:
    """(finding, GlobalId or None) pairs, computed from the verdict: fail / missing / review results
    per element their evidence cites; warning / uncertain notes per element they name."""
    pairs: Counter = Counter()
    for r in v.results:
        if r.status in ("fail", "missing_data", "manual_review"):
            gids = list(dict.fromkeys(g for e in r.evidence for g in e.global_ids))
            pairs.update((r.rule, g) for g in gids or [None])
    for n in v.notes:
        if n.severity in ("warning", "uncertain"):
            pairs.update((n.code, g) for g in n.global_ids or [None])
    return pairs


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


# ---------------------------------------------------------------- structure

@pytest.mark.parametrize("lang", ["both", "zh", "en"])
def test_sheet_names_are_legal_and_follow_the_language(verdicts, lang):
    wb = load(xlsx.render(verdicts["fail-office"], lang))
    assert wb.sheetnames == SHEET_NAMES[lang]
    for name in wb.sheetnames:
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)


def test_sheet_title_sanitises_names():
    assert xlsx.sheet_title("a[b]:c*d?e/f\\g") == "a_b__c_d_e_f_g"
    assert len(xlsx.sheet_title("x" * 40)) == 31


@pytest.mark.parametrize("lang,status,rule", [("both", "结论 Status", "规则 Rule"), ("zh", "结论", "规则"),
                                              ("en", "Status", "Rule")])
def test_headers_and_labels_follow_the_language(verdicts, lang, status, rule):
    wb = load(xlsx.render(verdicts["fail-office"], lang))
    ws = wb[SHEET_NAMES[lang][1]]
    headers = [c.value for c in ws[1]]
    assert headers[:5] == [rule, *headers[1:4], status]
    pv2 = next(r for r in table(ws) if r[rule].value == "PV-2@1")
    assert pv2[status].value == {"both": "不通过 fail", "zh": "不通过", "en": "fail"}[lang]


def test_unknown_language_is_refused(verdicts):
    with pytest.raises(ValueError):
        xlsx.render(verdicts["pass-school"], "fr")


def test_header_rows_are_bold_frozen_and_filtered(verdicts):
    wb = load(xlsx.render(verdicts["fail-office"], "en"))
    for ws in wb:
        assert all(c.font.b for c in ws[1] if c.value is not None), ws.title
        assert ws.freeze_panes == "B2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    results = wb["Results"]
    assert results.auto_filter.ref == f"A1:{results.cell(1, results.max_column).column_letter}{results.max_row}"
    assert results.column_dimensions["N"].width >= 40          # messages, reasons, remedies are wide
    message_col = [c.value for c in results[1]].index("Message") + 1
    assert results.cell(2, message_col).alignment.wrap_text


# ---------------------------------------------------------------- Summary

@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_summary_identity_verdict_counts_and_inputs(verdicts, sample):
    v = verdicts[sample]
    ws = load(xlsx.render(v, "en"))["Summary"]
    items = {r["Item"].value: r["Value"] for r in table(ws)}
    s = v.submission
    assert items["Submission id"].value == s.id and items["Project name"].value == s.name
    assert items["Overall verdict"].value == labels.VERDICT[v.verdict][1]
    assert items["Filed on"].value.date() == s.filed_on and items["Judged as of"].value.date() == v.as_of
    assert items["Rule-set version"].value == v.rules_version and items["Tool version"].value == v.tool_version
    # the cover's counts: each status, then non-blocking fails (not taken up) and each kind's own word
    # (a tally's counts / not counted) apart — never a failure
    counts = labels.status_counts(v)
    for _, _, en, n in counts:
        cell = items[f"Rules: {en}"]
        assert cell.value == n and cell.data_type == "n"
    assert sum(items[f"Rules: {en}"].value for _, _, en, _ in counts) == len(v.results)
    assert items["Rules: fail"].value == sum(1 for r in v.results if r.status == "fail" and r.blocks)
    tone = items["Overall verdict"].fill.fgColor.rgb
    assert tone.endswith({"compliant": "C6EFCE", "non_compliant": "FFC7CE", "incomplete": "FFEB9C"}[v.verdict])
    top = next(c.row for c in ws["A"] if c.value == "Role")
    inputs = table(ws, top)
    assert [(r["File"].value, r["SHA-256"].value, r["Size (bytes)"].value) for r in inputs] == \
        [(f.file, f.sha256, f.size_bytes) for f in v.inputs]
    assert len(v.inputs) >= 2


# ---------------------------------------------------------------- Results

@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_one_results_row_per_rule_with_numbers_as_numbers(verdicts, sample):
    v = verdicts[sample]
    rows = table(load(xlsx.render(v, "en"))["Results"])
    assert [r["Rule"].value for r in rows] == [x.rule_version for x in v.results]
    for row, res in zip(rows, v.results):
        assert row["Status"].value == labels.status_label(res)[1]   # a non-blocking fail: not taken up
        assert row["Affects verdict"].value == ("yes" if res.blocks else "no")
        if res.measured is None:
            assert row["Measured"].value is None
        else:
            assert row["Measured"].data_type == "n" and row["Measured"].value == pytest.approx(res.measured)
        assert row["Threshold"].data_type == "n" and row["Threshold"].value == pytest.approx(res.threshold)
        assert row["Measured vs required"].value == labels.measured_vs_required(res, "en")
        assert row["Clause"].value == res.clause.ref and row["Unit"].value == res.unit
        assert row["Message"].value == res.message
        assert row["Remedy"].value == (res.remedy.en if res.remedy else None)
        tone = row["Status"].fill.fgColor.rgb
        expected = {"pass": "C6EFCE", "fail": "FFC7CE", "missing_data": "FFEB9C", "manual_review": "BDD7EE",
                    "not_taken_up": "EAF1F8"}              # a non-blocking fail is never a failure's red
        if labels.status_tone(res) in expected:
            assert tone.endswith(expected[labels.status_tone(res)])


def test_fail_office_pv2_is_a_number_that_can_be_sorted(verdicts):
    rows = table(load(xlsx.render(verdicts["fail-office"], "both"))["规则结果 Results"])
    pv2 = next(r for r in rows if r["规则 Rule"].value == "PV-2@1")
    assert pv2["核查值 Measured"].value == pytest.approx(20.034)
    assert "\n" in pv2["说明 Message"].value                     # Chinese, then English
    assert pv2["结论 Status"].fill.fgColor.rgb.endswith("FFC7CE")


# ---------------------------------------------------------------- Findings

@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_findings_are_one_row_per_finding_and_element(verdicts, sample):
    v = verdicts[sample]
    rows = table(load(xlsx.render(v, "en"))["Findings"])
    got = Counter((r["Finding"].value.split("#")[0], r["GlobalId"].value) for r in rows)
    assert got == expected_findings(v)
    keys = Counter((r["Finding"].value, r["GlobalId"].value) for r in rows)
    assert max(keys.values(), default=1) == 1                    # each (finding, element) row once
    for r in rows:
        assert r["Reviewer status"].value is None and r["Comment"].value is None
        gid = r["GlobalId"].value
        if gid:
            e = v.element(gid)
            assert (r["IFC class"].value, r["Element name"].value, r["Storey"].value) == \
                (e.ifc_class, e.name, e.storey)
            assert r["File"].value == e.file


def test_fail_office_pv2_cites_the_roof_and_28_panels(verdicts):
    v = verdicts["fail-office"]
    rows = [r for r in table(load(xlsx.render(v, "en"))["Findings"]) if r["Finding"].value == "PV-2"]
    assert Counter(r["IFC class"].value for r in rows) == {"IfcSlab": 1, "IfcSolarDevice": 28}
    assert all(r["Status"].value == "fail" and r["Remedy"].value == v.results[1].remedy.en for r in rows)
    assert {r["Element name"].value for r in rows} >= {"屋面板 roof slab", "PV-01"}


def test_findings_without_elements_name_the_metadata_lines(verdicts):
    v = verdicts["fail-binjiang-office"]
    rows = table(load(xlsx.render(v, "en"))["Findings"])
    bare = [r for r in rows if r["GlobalId"].value is None]
    assert bare, "fail-binjiang-office has findings that cite only submission.yaml"
    for r in bare:
        key = r["Finding"].value
        res = next((x for x in v.results if x.rule == key), None)
        if res is not None:
            meta = [e for e in res.evidence if e.source == "metadata"]
            assert r["File"].value == meta[0].file and r["Line"].value == meta[0].line
            assert r["Line"].data_type == "n"
            for e in meta:
                assert f"{e.file}:{e.line} {', '.join(e.fields)}" in r["Metadata (file:line fields)"].value
        else:
            note = next(n for n in v.notes if n.code == key.split("#")[0])
            assert (r["File"].value, r["Line"].value) == (note.file, note.line)


def test_note_keys_are_unique_and_stable(verdicts):
    v = verdicts["incomplete-zero-roof"]
    keys = xlsx.note_keys(v.notes)
    assert keys == ["area.geometry_disagrees#1", "area.geometry_disagrees#2", "area.zero"]
    assert keys == xlsx.note_keys(v.notes)


# ---------------------------------------------------------------- Notes and Models

@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_notes_sheet_lists_every_note(verdicts, sample):
    v = verdicts[sample]
    rows = table(load(xlsx.render(v, "en"))["Notes"])
    assert [(r["Code"].value, r["Severity"].value, r["File"].value, r["Line"].value) for r in rows] == \
        [(n.code, n.severity, n.file, n.line) for n in v.notes]
    assert [r["Message"].value for r in rows] == [n.message for n in v.notes]
    assert [r["GlobalIds"].value for r in rows] == [", ".join(n.global_ids) or None for n in v.notes]


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_models_sheet_has_headers_and_element_counts(verdicts, sample):
    v = verdicts[sample]
    rows = table(load(xlsx.render(v, "en"))["Models"])
    assert [r["File"].value for r in rows] == [m.file for m in v.models]
    for r, m in zip(rows, v.models):
        assert (r["Schema"].value, r["SHA-256"].value, r["Size (bytes)"].value, r["Entities"].value) == \
            (m.schema_name, m.sha256, m.size_bytes, m.entity_count)
        assert r["Length unit (m)"].value == pytest.approx(m.length_unit_m)
        for cls in {c for mm in v.models for c in mm.element_counts}:
            assert r[cls].value == m.element_counts.get(cls, 0) and r[cls].data_type == "n"


# ---------------------------------------------------------------- hostile text

def hostile_verdict(v, texts):
    """fail-office with `texts` joined into the submission name, PV-2's message and a cited element's name."""
    text = " | ".join(texts) if len(texts) > 1 else texts[0]
    pv2 = next(i for i, r in enumerate(v.results) if r.rule == "PV-2")
    gid = v.results[pv2].evidence[0].global_ids[0]
    results = list(v.results)
    results[pv2] = results[pv2].model_copy(update={"message": text, "message_zh": text})
    elements = tuple(e.model_copy(update={"name": text}) if e.global_id == gid else e for e in v.elements)
    sub = v.submission.model_copy(update={"name": text})
    return v.model_copy(update={"submission": sub, "results": tuple(results), "elements": elements}), gid


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:20]))
def test_hostile_text_is_stored_as_text(verdicts, text):
    v, gid = hostile_verdict(verdicts["fail-office"], [text])
    data = xlsx.render(v, "en")
    for name, xml in xml_parts(data).items():
        assert not re.search(r"<f[\s>]", xml), f"a formula in {name}"
    wb = load(data)
    expected = xlsx.clean_text(text)
    assert "\x07" not in expected and len(expected) <= 32_767
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula"
    name = {r["Item"].value: r["Value"] for r in table(wb["Summary"])}["Project name"]
    message = next(r for r in table(wb["Results"]) if r["Rule"].value == "PV-2@1")["Message"]
    element = next(r for r in table(wb["Findings"]) if r["GlobalId"].value == gid)["Element name"]
    for cell in (name, message, element):
        assert cell.value == expected and cell.data_type == "s"
        assert bool(cell.quotePrefix) == text.startswith(("=", "+", "-", "@"))


def test_hostile_text_all_at_once(verdicts):
    v, gid = hostile_verdict(verdicts["fail-office"], HOSTILE)
    data = xlsx.render(v, "both")
    assert not any(re.search(r"<f[\s>]", xml) for xml in xml_parts(data).values())
    wb = load(data)
    name = {r["项目 Item"].value: r["内容 Value"] for r in table(wb["汇总 Summary"])}["项目名称 Project name"]
    assert name.value.startswith('=HYPERLINK("http://x") | +1 | @SUM(A1)') and "\x07" not in name.value
    assert "🌞🔋" in name.value and "שלום עולם مرحبا" in name.value and "<script>" in name.value
    assert len(name.value.encode("utf-16-le")) // 2 <= 32_767 and name.value.endswith("characters in all]")


def test_truncation_counts_utf16_units_and_keeps_pairs_whole():
    text = "🌞" * 20_000                                            # 40,000 UTF-16 code units
    out = xlsx.clean_text(text)
    assert len(out.encode("utf-16-le")) // 2 <= 32_767
    assert out.endswith("20,000 characters in all]") and "\ufffd" not in out
    assert xlsx.clean_text("a\x00b\x1fc\ud800d\tok\n") == "abcd\tok\n"
    assert xlsx.clean_text("x" * 32_767) == "x" * 32_767


# ---------------------------------------------------------------- determinism

def test_same_verdict_same_bytes(verdicts):
    v = verdicts["fail-office"]
    first = xlsx.render(v)
    assert xlsx.render(v) == first
    when = v.generated_at.astimezone(timezone.utc)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        # a zip entry's time (MS-DOS) has 2-second resolution: an odd second is stored one lower
        assert {i.date_time for i in z.infolist()} == {(*when.timetuple()[:5], when.second // 2 * 2)}
    props = load(first).properties
    assert props.creator == f"compliance {v.tool_version}"
    assert props.created == props.modified == when.replace(tzinfo=None, microsecond=0)
    assert v.submission.id in props.title


def test_different_generated_at_gives_different_bytes(verdicts):
    v = verdicts["fail-office"]
    later = v.model_copy(update={"generated_at": v.generated_at.replace(year=v.generated_at.year + 1)})
    assert xlsx.render(later) != xlsx.render(v)


# ---------------------------------------------------------------- CLI

def test_cli_writes_an_xlsx(tmp_path):
    out = tmp_path / "x.xlsx"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "cli.py", "check", "ifc_samples/fail-office", "--format", "xlsx",
                           "-o", str(out)], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr                      # non_compliant
    wb = load(out.read_bytes())
    assert wb.sheetnames == SHEET_NAMES["both"]
    rows = table(wb["问题清单 Findings"])
    assert sum(r["编号 Finding"].value == "PV-2" for r in rows) == 29
