"""EB-2 is a district tally (issue 20): "其中平均节能率15%及以上的建筑面积达到40万平方米" sets a district
figure, not a requirement on each retrofit. A 10 % retrofit conforms and is reported as 不计入, never
不通过 and never something to fix; an 18 % one is 计入. The words come from rules/_settings.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RULES

from compliance.context import RunContext
from compliance.pipeline import check_submission
from compliance.report import html as report_html
from compliance.report import text as report_text
from compliance.report.labels import acts_on, falls_short, status_label
from compliance.ruleset.loader import load_ruleset

EXAMPLES = Path(__file__).resolve().parents[1] / "features" / "examples" / "EB-2"


def _eb2(folder: str):
    verdict = check_submission(EXAMPLES / folder, RunContext(rules_dir=RULES, cores=1))
    return verdict, next(r for r in verdict.results if r.rule == "EB-2")


def test_the_tally_words_are_the_settings():
    tally = load_ruleset(RULES).settings.kinds["tally"]
    assert not tally.blocks
    assert tally.statuses["fail"].zh == "不计入" and tally.statuses["pass"].zh == "计入"


@pytest.mark.parametrize("folder, status, words", [("fail-saving-10pct", "fail", ("不计入", "not counted")),
                                                    ("pass-saving-18pct", "pass", ("计入", "counts"))])
def test_a_retrofit_below_15_pct_conforms_and_is_not_counted(folder, status, words):
    verdict, eb2 = _eb2(folder)
    assert eb2.kind == "tally" and eb2.status == status and not eb2.blocks
    assert status_label(eb2)[0] == words[0]
    assert verdict.verdict == "compliant"
    text = report_text.render(verdict, "zh").decode("utf-8")
    line = next(ln for ln in text.splitlines() if "EB-2@" in ln)
    assert words[0] in line and "不通过" not in line


def test_a_tally_is_never_something_to_fix():
    verdict, eb2 = _eb2("fail-saving-10pct")
    assert "不计入" in eb2.message_zh and "40万平方米" in eb2.message_zh
    assert not acts_on(eb2) and not falls_short(eb2)         # neither 需要处理的事项 nor a shortfall
    page = report_html.render(verdict, "zh").decode("utf-8")
    assert "不计入" in page and "需要处理的事项" not in page
