"""BCF verdict (`--format bcf`): real sample submissions through the pipeline, the BCF read back
with the bcf-client reader, the selected GlobalIds looked up in the sample's IFC files."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from compliance.context import RunContext
from compliance.pipeline import check_submission
from compliance.read.records import Note
from compliance.report import bcf as report_bcf
from compliance.report.labels import measured_vs_required, say

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "ifc_samples"
ACTIONABLE = {"fail", "missing_data", "manual_review"}
TOPIC_TYPE = {"fail": "Error", "missing_data": "Request", "manual_review": "Issue"}
PRIORITY = {"mandatory": "High", "target": "Normal", "encouraged": "Low"}
WITH_FINDINGS = ["fail-office", "incomplete-zero-roof", "incomplete-panels-off-roof", "incomplete-metadata-mismatch",
                 "fail-residential-chargers-not-ready", "incomplete-plant", "fail-binjiang-office"]

HOSTILE = ("<script>alert(1)</script> \"double\" 'single' & ]]> 🏗️🌞 שלום مرحبا \u202eRTL\u202c "
           "bell\x07 nul\x00 esc\x1b nonchar\ufffe lone\udc80 crlf\r\nend " + "长" * 2000)
HOSTILE_CLEAN = HOSTILE.replace("\r\n", "\n")
for _bad in "\x07\x00\x1b\ufffe\udc80":
    HOSTILE_CLEAN = HOSTILE_CLEAN.replace(_bad, "")
HOSTILE_CLEAN = HOSTILE_CLEAN.replace("\u202e", "[U+202E]").replace("\u202c", "[U+202C]")   # shown, not obeyed


@pytest.fixture(scope="module")
def verdict_of():
    ctx = RunContext(rules_dir=ROOT / "rules")
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = check_submission(SAMPLES / name, ctx)
        return cache[name]
    return get


def read_bcf(data: bytes, tmp_path: Path, name: str = "verdict.bcf") -> dict:
    """Everything a BCF tool would show, read with bcf-client (version detection included)."""
    import bcf.bcfxml
    import bcf.v2.bcfxml

    path = tmp_path / name
    path.write_bytes(data)
    bx = bcf.bcfxml.load(path)
    try:
        assert isinstance(bx, bcf.v2.bcfxml.BcfXml) and bx.version.version_id == "2.1"
        topics = {guid: _topic(handler) for guid, handler in bx.topics.items()}
        return {"project": bx.project.name, "project_id": bx.project.project_id, "topics": topics}
    finally:
        bx.close()


def _topic(handler) -> dict:
    t = handler.topic
    out = dict(guid=t.guid, title=t.title, description=t.description, type=t.topic_type, status=t.topic_status,
               priority=t.priority, labels=list(t.labels), author=t.creation_author,
               created=t.creation_date.to_datetime(), selection=None, systems=None, viewpoint=None,
               header_files=[f.filename for f in handler.header.file] if handler.header else [])
    viewpoints = handler.viewpoints
    assert len(viewpoints) <= 1
    for vp in viewpoints.values():
        components = vp.visualization_info.components
        assert components.visibility.default_visibility is True
        out.update(selection=vp.get_selected_guids(), viewpoint=vp.guid,
                   systems=[c.originating_system for c in components.selection.component])
    return out


def actionable(verdict):
    return {r.rule: r for r in verdict.results if r.status in ACTIONABLE}


def cited_notes(verdict):
    return [n for n in verdict.notes if n.severity in ("warning", "uncertain") and n.global_ids]


def evidence_ids(r) -> list[str]:
    return list(dict.fromkeys(g for e in r.evidence for g in e.global_ids))


def split(topics: dict, verdict):
    rules = actionable(verdict)
    by_rule = [t for t in topics.values() if t["labels"] and t["labels"][0] in rules]
    others = [t for t in topics.values() if t not in by_rule]
    return by_rule, others


@pytest.mark.parametrize("name", WITH_FINDINGS)
def test_one_topic_per_finding_selecting_exactly_its_elements(name, verdict_of, tmp_path):
    v = verdict_of(name)
    rules, notes = actionable(v), cited_notes(v)
    assert rules, f"{name} was chosen for its findings"
    got = read_bcf(report_bcf.render(v, "both"), tmp_path)["topics"]
    by_rule, by_note = split(got, v)

    assert len(got) == len(rules) + len(notes)
    assert sorted(t["labels"][0] for t in by_rule) == sorted(rules)
    for t in by_rule:
        r = rules[t["labels"][0]]
        ids = evidence_ids(r)
        assert t["selection"] == (ids or None), r.rule
        assert t["labels"] == [r.rule, r.status, r.kind, r.clause.ref]
        assert (t["type"], t["priority"], t["status"]) == (TOPIC_TYPE[r.status], PRIORITY[r.kind], "Open")
        assert t["author"] == f"compliance {v.tool_version}"
        assert t["created"] == v.generated_at.astimezone(timezone.utc)
        for e in r.evidence:
            if e.source == "metadata" and e.line:
                assert f"{e.file}:{e.line}" in t["description"]
    assert Counter((t["labels"][0], tuple(t["selection"])) for t in by_note) == \
        Counter((n.code, tuple(dict.fromkeys(n.global_ids))) for n in notes)
    assert all(t["labels"] == [t["labels"][0], t["labels"][1]] and t["labels"][1] in ("warning", "uncertain")
               for t in by_note)


@pytest.mark.parametrize("name", WITH_FINDINGS)
def test_selected_ids_are_elements_of_the_submitted_models(name, verdict_of, tmp_path):
    import ifcopenshell

    v = verdict_of(name)
    got = read_bcf(report_bcf.render(v, "en"), tmp_path)["topics"]
    models = {p.name: ifcopenshell.open(str(p)) for p in sorted((SAMPLES / name).glob("*.ifc"))}
    application = {m.file: m.application for m in v.models}

    def home(gid: str) -> str:
        found = []
        for file_name, model in models.items():
            try:
                model.by_guid(gid)
                found.append(file_name)
            except RuntimeError:
                pass
        assert found, f"{gid} is in none of {sorted(models)}"
        return found[0]

    selected = [t for t in got.values() if t["selection"]]
    assert selected or name == "fail-binjiang-office"
    for t in selected:
        homes = [home(g) for g in t["selection"]]
        assert t["systems"] == [application[h] for h in homes]
        assert t["header_files"] == list(dict.fromkeys(homes))


def test_metadata_only_finding_is_a_topic_without_viewpoint(verdict_of, tmp_path):
    v = verdict_of("fail-housing-podium-binjiang")          # GB-2: a green-building label, metadata only
    bare = [r for r in actionable(v).values() if not evidence_ids(r)]
    assert bare
    got = read_bcf(report_bcf.render(v, "both"), tmp_path)["topics"]
    for r in bare:
        (t,) = [t for t in got.values() if t["labels"][0] == r.rule]
        assert t["selection"] is None and t["viewpoint"] is None and t["header_files"] == []


def test_missing_data_is_a_request_listing_every_element_in_the_viewpoint(verdict_of, tmp_path):
    v = verdict_of("incomplete-plant")
    missing = [r for r in actionable(v).values() if r.status == "missing_data"]
    assert missing
    got = read_bcf(report_bcf.render(v, "both"), tmp_path)["topics"]
    for r in missing:
        (t,) = [t for t in got.values() if t["labels"][0] == r.rule]
        assert t["type"] == "Request"
        assert len(t["selection"]) == len(evidence_ids(r)) > report_bcf.ELEMENTS_LISTED


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_title_and_description_in_lang(lang, verdict_of, tmp_path):
    v = verdict_of("fail-office")
    r = actionable(v)["PV-2"]
    got = read_bcf(report_bcf.render(v, lang), tmp_path)
    (t,) = [t for t in got["topics"].values() if t["labels"][0] == "PV-2"]
    d = t["description"]
    title = {"zh": f"PV-2 不通过: {r.title.zh}", "en": f"PV-2 fail: {r.title.en}",
             "both": f"PV-2 不通过 fail: {r.title.zh} / {r.title.en}"}[lang]
    assert t["title"] == title
    assert f"{r.clause.document} {r.clause.ref}" in d and r.clause.quote in d
    assert all(g in d for g in evidence_ids(r))
    if lang != "en":
        assert r.message_zh in d and measured_vs_required(r, "zh") in d and r.remedy.zh in d
    if lang != "zh":
        assert r.message in d and measured_vs_required(r, "en") in d and r.remedy.en in d
    if lang == "zh":
        assert r.message not in d and r.remedy.en not in d
    if lang == "en":
        assert r.message_zh not in d and r.remedy.zh not in d
    if lang == "both":
        assert d.index(r.message_zh) < d.index(r.message)
    sub = v.submission
    assert got["project"] == {"zh": f"{sub.id} {sub.name}", "en": f"{sub.id} {sub.name_en}",
                              "both": f"{sub.id} {sub.name} / {sub.name_en}"}[lang]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reasons_and_note_titles_in_lang(lang, verdict_of, tmp_path):
    v = verdict_of("incomplete-metadata-mismatch")
    got = read_bcf(report_bcf.render(v, lang), tmp_path)["topics"]
    by_rule, by_note = split(got, v)
    for t in by_rule:
        r = actionable(v)[t["labels"][0]]
        assert r.reasons and all(say(x, lang) in t["description"] for x in r.reasons)
    notes = cited_notes(v)
    assert notes and all(n.message_zh for n in notes)
    for n in notes:
        text = n.message_zh if lang == "zh" else n.message
        other = n.message if lang == "zh" else n.message_zh
        severity = {"zh": "存疑", "en": "uncertain"}[lang]
        matching = [t for t in by_note if t["title"].startswith(f"{n.code} {severity}: {text[:60]}")]
        assert matching and all(text in t["description"] and other not in t["description"] for t in matching)


def test_compliant_sample_gives_a_bcf_with_no_topics(verdict_of, tmp_path):
    v = verdict_of("pass-school")
    assert v.verdict == "compliant" and not actionable(v)
    data = report_bcf.render(v, "zh")
    got = read_bcf(data, tmp_path)
    assert got["topics"] == {}
    assert got["project"] == f"{v.submission.id} {v.submission.name}"
    assert {"bcf.version", "project.bcfp"} <= set(zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_guids_are_stable_across_runs_and_distinct_across_submissions(verdict_of, tmp_path):
    first = verdict_of("incomplete-zero-roof")
    again = check_submission(SAMPLES / "incomplete-zero-roof", RunContext(rules_dir=ROOT / "rules"))
    again = again.model_copy(update={"generated_at": first.generated_at + timedelta(days=3)})
    a = read_bcf(report_bcf.render(first, "both"), tmp_path, "a.bcf")
    b = read_bcf(report_bcf.render(again, "en"), tmp_path, "b.bcf")
    assert len(a["topics"]) == len(actionable(first)) + len(cited_notes(first)) >= 3
    assert set(a["topics"]) == set(b["topics"])
    assert a["project_id"] == b["project_id"]
    assert {t["viewpoint"] for t in a["topics"].values()} == {t["viewpoint"] for t in b["topics"].values()}

    other = first.model_copy(update={"submission": first.submission.model_copy(update={"id": "YP-2099-0001"})})
    c = read_bcf(report_bcf.render(other, "both"), tmp_path, "c.bcf")
    assert not set(c["topics"]) & set(a["topics"]) and c["project_id"] != a["project_id"]


def test_same_verdict_gives_byte_identical_output_stamped_with_its_time(verdict_of):
    v = verdict_of("fail-office").model_copy(update={"generated_at": datetime(2024, 3, 2, 8, 30, 16, tzinfo=timezone.utc)})
    first = report_bcf.render(v, "both")
    assert report_bcf.render(v.model_copy(), "both") == first
    infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert infos and all(i.date_time == (2024, 3, 2, 8, 30, 16) for i in infos)


def test_hostile_text_is_escaped_and_illegal_characters_removed(verdict_of, tmp_path):
    v = verdict_of("fail-office")
    roof = next(e.global_ids[0] for e in actionable(v)["PV-2"].evidence if e.global_ids)
    hostile = v.model_copy(update={
        "submission": v.submission.model_copy(update={"name": HOSTILE}),
        "results": tuple(r.model_copy(update={"message": HOSTILE, "message_zh": HOSTILE}) if r.rule == "PV-2" else r
                         for r in v.results),
        "notes": v.notes + (Note(code="test.hostile", message=HOSTILE, message_zh=HOSTILE, file="architecture.ifc",
                                 global_ids=(roof,), severity="warning"),),
        "elements": tuple(e.model_copy(update={"name": HOSTILE}) if e.global_id == roof else e for e in v.elements),
    })
    data = report_bcf.render(hostile, "zh")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            raw = z.read(name)
            assert b"\x07" not in raw and b"\x00" not in raw and b"<script>" not in raw
            if not name.endswith("/"):
                ET.fromstring(raw)                          # every entry is well-formed XML
        markups = b"".join(z.read(n) for n in z.namelist() if n.endswith("markup.bcf"))
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in markups

    got = read_bcf(data, tmp_path)
    assert got["project"] == f"{v.submission.id} {HOSTILE_CLEAN}"
    (pv2,) = [t for t in got["topics"].values() if t["labels"][0] == "PV-2"]
    assert HOSTILE_CLEAN in pv2["description"]                       # the message, whole
    assert f"“{HOSTILE_CLEAN}”" in pv2["description"]                # the element's name
    (note,) = [t for t in got["topics"].values() if t["labels"][0] == "test.hostile"]
    assert note["selection"] == [roof] and HOSTILE_CLEAN in note["description"]
    assert note["title"].startswith("test.hostile 警告: <script>alert(1)</script> \"double\" 'single' & ]]> 🏗️🌞")
    assert len(note["title"]) <= report_bcf.TITLE_MAX and "\x07" not in note["title"]


def test_only_warning_and_uncertain_notes_citing_elements_become_topics(verdict_of, tmp_path):
    v = verdict_of("fail-office")
    roof = next(e.global_ids[0] for e in actionable(v)["PV-2"].evidence if e.global_ids)
    extra = (Note(code="test.info", message="for information", file="architecture.ifc", global_ids=(roof,),
                  severity="info"),
             Note(code="test.no_elements", message="about the file", file="architecture.ifc", severity="warning"),
             Note(code="test.uncertain", message="check this", file="architecture.ifc", global_ids=(roof, roof),
                  severity="uncertain"))
    got = read_bcf(report_bcf.render(v.model_copy(update={"notes": v.notes + extra}), "en"), tmp_path)["topics"]
    codes = [t["labels"][0] for t in got.values()]
    assert "test.info" not in codes and "test.no_elements" not in codes
    (t,) = [t for t in got.values() if t["labels"][0] == "test.uncertain"]
    assert t["selection"] == [roof] and t["type"] == "Issue" and t["title"] == "test.uncertain uncertain: check this"


def test_unknown_language_is_refused(verdict_of):
    with pytest.raises(ValueError):
        report_bcf.render(verdict_of("pass-school"), "fr")


def test_cli_writes_a_bcf(verdict_of, tmp_path):
    from compliance.report import FORMATS

    if "bcf" not in FORMATS:
        pytest.skip("the bcf format is not registered in compliance.report.FORMATS yet")
    out = tmp_path / "x.bcf"
    run = subprocess.run([sys.executable, "cli.py", "check", "ifc_samples/fail-office", "--format", "bcf",
                          "-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr                # non_compliant
    got = read_bcf(out.read_bytes(), tmp_path, "read.bcf")
    v = verdict_of("fail-office")
    assert sorted(t["labels"][0] for t in got["topics"].values()) == sorted(actionable(v))


def test_topics_state_the_model_header_and_show_bidi_controls(verdict_of, tmp_path):
    import bcf.bcfxml

    verdict = verdict_of("fail-office")
    sub = verdict.submission.model_copy(update={"name": "\u202eexe.fdp"})
    path = tmp_path / "v.bcf"
    path.write_bytes(report_bcf.render(verdict.model_copy(update={"submission": sub}), "zh"))
    loaded = bcf.bcfxml.load(path)
    try:
        topics = list(loaded.topics.values())
        assert topics
        for handler in topics:
            description = handler.markup.topic.description
            for m in verdict.models:
                assert m.file in description and m.sha256 in description and m.schema_name in description
        assert "\u202e" not in loaded.project.name and "[U+202E]exe.fdp" in loaded.project.name
    finally:
        loaded.close()
