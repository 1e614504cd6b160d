"""Every plain-language reason, computation and reader note exists in Chinese and English, and the Chinese
text carries no English sentence (identifiers — field paths, IFC names, GlobalIds, rule ids,
units, file names — stay as they are written in the model or the submission)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

from compliance.context import RunContext
from compliance.pipeline import check_submission
from compliance.read.metadata import MEASURES
from compliance.text import Text

FOLDERS = sorted(p.parent for p in SAMPLES.glob("*/submission.yaml") if not p.parent.name.startswith("error-")) \
    + sorted(p.parent for p in (ROOT / "features" / "examples").glob("*/*/submission.yaml"))

# What may stay in Latin letters inside Chinese text, each recognised by its shape.
ALLOWED = [re.compile(p) for p in (
    r"「[^」]*」",                                      # words quoted as written (designer, model, kernel)
    r"'[^'\n]*'",                                      # model values as read ('AC', 'Alternating')
    r"\b[\w/-]+\.(?:ifc|yaml|yml|pdf|md)\b",           # file names and paths
    r"\b(?:Ifc|Qto_|Pset_|YP_)\w*(?:\.\w+)*",          # IFC classes, quantity and property sets
    r"\b[A-Za-z_]\w*(?:\.\w+)+",                       # dotted field paths (declared.roof_area_m2)
    r"(?<![\w$])[0-9A-Za-z_$]{22}(?![\w$])",           # IFC GlobalIds
    r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b",                   # snake_case field names and values
    r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\b",             # IFC attribute names (NetArea, RefLatitude)
    r"\b[A-Z][A-Z_]{3,}\b",                            # IFC enumeration values (ROOF, SOLARPANEL, TRUE)
    r"\bBody\b",                                      # the IFC body representation identifier
    r"\b[A-Z]{2,4}-\d{1,3}\b",                         # rule ids
    r"\b(?:kWh|kW|MW|m²|m2|PUE|GB/T|AC|DC)\b",         # units and standard abbreviations
    r"\b(?:" + "|".join(MEASURES) + r")\b",             # measure ids as listed in submission.yaml (bipv, bim)
)]
ENGLISH = re.compile(r"[A-Za-z]{4,}")


def english_in(text: str) -> list[str]:
    """Runs of 4+ Latin letters left once the allowed identifiers are taken out."""
    for pattern in ALLOWED:
        text = pattern.sub(" ", text)
    return ENGLISH.findall(text)


def test_the_check_catches_an_english_sentence():
    assert english_in("光伏面积 270.46 m² 超过屋面面积 200.00 m²") == []
    assert english_in("未提供 declared.suitable_roof_area_m2（submission.yaml）") == []
    assert english_in("IfcSlab 2O2Fr$t4X7Zf8NOew3FLOH：Qto_SlabBaseQuantities.GrossArea 为零") == []
    assert english_in("PV-1：设计单位申请豁免：「roof reserved for a sports field」") == []
    assert english_in("数据缺失，无法核查：roof area is zero。") == ["roof", "area", "zero"]
    assert english_in("需人工复核：declared.x is not given") == ["given"]
    assert english_in("光伏水平投影面积 270.46 m²（28 块组件）÷ 屋面水平投影面积 1,350.00 m²（1 个构件）= 20.03 %") == []
    assert english_in("所列措施 bipv、pv_storage_dc_flexible 中已采用：pv_storage_dc_flexible") == []
    assert english_in("adopted of bipv, pv_storage_dc_flexible: none") == ["adopted", "none"]


def _bilingual(text, what: str) -> list[str]:
    """Problems with one text that must be a Text with zh and en and no English prose in the zh."""
    if not isinstance(text, Text) or not text.zh.strip() or not text.en.strip():
        return [f"{what} {text!r} is not a Text with zh and en"]
    return [f"English in {what} zh {text.zh!r}: {english_in(text.zh)}"] if english_in(text.zh) else []


@pytest.fixture(scope="module")
def ctx() -> RunContext:
    return RunContext(rules_dir=Path("rules"))


def test_there_are_submissions_to_check():
    assert len(FOLDERS) > 100, FOLDERS


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_reasons_and_notes_are_bilingual(folder, ctx, monkeypatch):
    monkeypatch.chdir(ROOT)
    verdict = check_submission(folder, ctx)
    problems = []
    for r in verdict.results:
        for why in r.reasons:
            problems += _bilingual(why, f"{r.rule}: reason")
        if r.computation is not None:
            problems += _bilingual(r.computation, f"{r.rule}: computation")
        if english_in(r.message_zh):
            problems.append(f"{r.rule}: English in message_zh {r.message_zh!r}: {english_in(r.message_zh)}")
        for why in r.reasons:
            if isinstance(why, Text) and r.status in ("missing_data", "manual_review"):
                if why.en not in r.message:
                    problems.append(f"{r.rule}: reason {why.en!r} is not in the English message")
                if why.zh not in r.message_zh:
                    problems.append(f"{r.rule}: reason {why.zh!r} is not in the Chinese message")
    for n in verdict.notes:
        if not n.message_zh or not n.message_zh.strip():
            problems.append(f"note {n.code}: no message_zh ({n.message!r})")
        elif english_in(n.message_zh):
            problems.append(f"note {n.code}: English in message_zh {n.message_zh!r}: {english_in(n.message_zh)}")
    assert not problems, "\n".join(problems)
