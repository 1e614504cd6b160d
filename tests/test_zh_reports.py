"""The `--lang zh` verdict reads as a Chinese official document: rendered to text and HTML, every
sample carries no English word of ours. What may stay in Latin letters is listed below, each by
its shape, and kept small: identifiers the reader must type or find (GlobalIds, file names, IFC
classes and property sets, submission.yaml field names), units, rule ids, standard numbers — and
words that are not ours (names from the models and the submission, quoted as written)."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

from compliance.context import RunContext
from compliance.pipeline import check_submission
from compliance.read.metadata import MEASURES, Submission
from compliance.report import text as text_report
from compliance.report.document import html

SAMPLE_FOLDERS = sorted(p.parent for p in SAMPLES.glob("*/submission.yaml") if not p.parent.name.startswith("error-"))
EXAMPLE_FOLDERS = sorted(p.parent for p in (ROOT / "features" / "examples").glob("*/*/submission.yaml")
                         if p.parent.name.startswith(("fail-", "incomplete-", "missing-", "review-")))[:40]

# The allow-list: what may stay in Latin letters in a Chinese report.
ALLOWED = [re.compile(p, re.ASCII) for p in (            # ASCII: a Chinese character is a word boundary
    r"「[^」]*」",                                        # the designer's own words, quoted as written
    r"'[^'\n]*'",                                        # values as read from a model or submission.yaml
    r"\b(?:Ifc|Qto_|Pset_|YP_)\w*(?:\.\w+)*",            # IFC classes, quantity and property sets
    r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\b",               # IFC attribute and property names (GrossArea)
    r"(?<![\w$])[0-9A-Za-z_$]{22}(?![\w$])",             # IFC GlobalIds
    r"\b[0-9a-f]{16,64}\b",                              # SHA-256 digests (and their short forms)
    r"[\w./-]+\.(?:ifc|yaml|yml|json|pdf|xlsx|bcf|html|md)\b",   # file names
    r"\b[A-Z][A-Z0-9_]{3,}\b",                           # IFC enumeration values (SOLARPANEL, EVCHARGER)
    r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b",             # submission.yaml field paths (energy.pue)
    r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b",                      # submission.yaml field names (gross_floor_area_m2)
    r"\b(?:" + "|".join([*Submission.model_fields, *MEASURES, "public", "civil", "industrial"]) + r")\b",
    # ... submission.yaml's top-level fields, measure ids, the rule set's use groups
    r"\b[A-Z]{2,4}-\d{1,3}(?:@\d+)?\b",                  # rule ids (PV-2, PV-2@1)
    r"\bGB/T\s*\d+(?:-\d{4})?",                           # standard numbers (GB/T 50378-2019)
    r"\b(?:kWh|kW|MW|m2|KiB|MiB|GiB|UTC|PUE|BIPV|BIM|DC|AC|IFC|PDF|JSON|xlsx|BCF|SHA-256|sha256|cos|Body)\b",
    r"\bcompliance \d+\.\d+\.\d+(?:\+[0-9a-f]{12})?|(?<![\w.])\d+\.\d+\.\d+\+[0-9a-f]{12}\b",
    # ... the tool and its build, 0.1.0+1a2b3c4d5e6f (reproducibility)
)]                                                       # (units, formats, the plan's abbreviations, digests)
GLOBAL_ID = ALLOWED[4]
LATIN = re.compile(r"[A-Za-z]{3,}")


def english_in(text: str, theirs: set[str] = frozenset()) -> list[str]:
    """Latin words left once the allowed tokens and the submission's own strings are taken out."""
    text = GLOBAL_ID.sub(" ", text)                      # before names: a storey 'RF' is no part of an id
    for s in sorted(theirs, key=len, reverse=True):
        text = text.replace(s, " ")
    for pattern in ALLOWED:
        text = pattern.sub(" ", text)
    return LATIN.findall(text)


def theirs(verdict) -> set[str]:
    """Strings from the submitted files: names, storeys, applications, the applicant, the fields of
    submission.yaml (a remedy names the field to fill in)."""
    s = verdict.submission
    out = {s.id, s.name, s.name_en or "", s.applicant or "", s.use, s.zone or ""}
    out |= {m.application or "" for m in verdict.models} | {m.schema_name for m in verdict.models}
    for e in verdict.element_index().values():
        out |= {e.name or "", e.storey or ""}
    return {x for x in out if x and len(x) > 1}


def text_of_html(page: str) -> str:
    page = re.sub(r"<(style|title)\b.*?</\1>", " ", page, flags=re.S)
    alts = " ".join(re.findall(r'alt="([^"]*)"', page))
    page = re.sub(r"<[^>]+>", "\n", page)
    return htmllib.unescape(page + "\n" + htmllib.unescape(alts))


def test_the_allow_list_is_small_and_catches_english():
    assert len(ALLOWED) <= 16
    assert english_in("不符合要求：屋顶光伏面积比例实测值为20.03%，未满足“不低于30%”的要求。") == []
    assert english_in("mep.ifc (光伏组件): 2SGHBWXQzNpeTPtvc3nUE6 · IfcSolarDevice · 28 个构件") == []
    assert english_in("请在 submission.yaml 的 energy.pue 中填写设计PUE") == []
    assert english_in("按 GB/T 50378-2019 核查；PV-2@1") == []
    assert english_in("所列措施采用数（near_zero_carbon_pilot）为1") == []      # a field name is allowed ...
    assert english_in("PV: 28 element(s)") == ["element"]                       # ... English words are not
    assert english_in("roof: Qto_SlabBaseQuantities.GrossArea (flat: surface = projection)") == \
        ["roof", "flat", "surface", "projection"]
    assert english_in("charging points in the building") == ["charging", "points", "the", "building"]
    assert english_in("PV-2@1 Does not meet the requirement") == ["Does", "not", "meet", "the", "requirement"]


@pytest.fixture(scope="module")
def ctx() -> RunContext:
    return RunContext(rules_dir=Path("rules"))


@pytest.mark.parametrize("folder", SAMPLE_FOLDERS + EXAMPLE_FOLDERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_chinese_verdict_has_no_english(folder, ctx, monkeypatch):
    monkeypatch.chdir(ROOT)
    verdict = check_submission(folder, ctx)
    own = theirs(verdict)
    problems = []
    for what, body in (("text", text_report.render(verdict, "zh").decode("utf-8")),
                       ("html", text_of_html(html(verdict, "zh", "screen")))):
        for line in body.splitlines():
            if english_in(line, own):
                problems.append(f"{what}: {english_in(line, own)} in {line.strip()[:200]!r}")
    assert not problems, "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("folder", SAMPLE_FOLDERS[:1] + [p for p in SAMPLE_FOLDERS if "fail-" in p.name][:3],
                         ids=lambda p: p.name)
def test_a_chinese_verdict_words_findings_as_a_reviewer_would(folder, ctx, monkeypatch):
    """No field dumps ("为是（要求为是）", "所列措施采用数为1"), 实测 only for the models' figures."""
    monkeypatch.chdir(ROOT)
    verdict = check_submission(folder, ctx)
    for r in verdict.results:
        assert "（要求" not in r.message_zh and "为是" not in r.message_zh and "采用数为" not in r.message_zh, r.message_zh
        for c in r.checks:
            if c.source in ("design", "declared"):
                assert "实测" not in r.message_zh, (r.rule, r.message_zh)


def test_encouraged_items_are_not_listed_as_failures(ctx, monkeypatch):
    monkeypatch.chdir(ROOT)
    folder = ROOT / "features" / "examples" / "PV-5"
    folder = next(p.parent for p in sorted(folder.glob("fail-*/submission.yaml")))
    verdict = check_submission(folder, ctx)
    pv5 = next(r for r in verdict.results if r.rule == "PV-5")
    assert pv5.status == "fail" and not pv5.blocks
    assert "不符合要求" not in pv5.message_zh and "鼓励性" in pv5.message_zh
    page = text_of_html(html(verdict, "zh", "screen"))
    attention = page.split("需要处理的事项", 1)[-1].split("鼓励性及目标性事项", 1)[0]
    assert "PV-5" not in attention.split("一、核查结果汇总")[0]
    assert "鼓励性及目标性事项" in page and "未采用" in page
    assert "不通过" not in text_report.render(verdict, "zh").decode("utf-8").split("PV-5@1")[0].splitlines()[-1]
