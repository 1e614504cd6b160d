"""`rules lint` and `rules test` read a feature file with one parser, gherkin-official (the one
pytest-bdd runs scenarios with): a valid file in any Gherkin language lints clean and runs; a
broken one is reported by both at the same file and line, with what to write instead.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import RULES

from cli import main

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "features"

ZH_FEATURE = """\
# language: zh-CN
@theme:pv
功能: 屋顶光伏（中文关键词）/ rooftop PV in Chinese Gherkin
  新建学校屋顶光伏面积比例不低于50%。步骤文字沿用规则库的步骤。

  背景:
    假如 the rule set in "rules"

  @rule:PV-1 @severity:mandatory
  场景: 学校屋顶光伏60%通过 / a school with 60 % passes
    假如 a new school submission filed on 2024-03-01
    而且 the models show a roof of 1000 m² and PV panels of 600 m²
    当 the rules are evaluated
    那么 rule PV-1 is pass
    而且 rule PV-1 measured 60

  规则: 边界 / the boundary

    @rule:PV-1
    场景大纲: 学校屋顶光伏边界 / the 50 % boundary — <情形>
      假如 a new school submission filed on 2024-03-01
      而且 the models show a roof of 1000 m² and PV panels of <光伏> m²
      当 the rules are evaluated
      那么 rule PV-1 is <结论>

      例子:
        | 情形         | 光伏  | 结论 |
        | 恰好50%通过  | 500   | pass |
        | 49.99%不通过 | 499.9 | fail |
"""


def run(*args: str):
    result = CliRunner().invoke(main, ["rules", *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_a_zh_cn_feature_lints_clean_and_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    features = tmp_path / "features"
    shutil.copytree(FEATURES, features)
    (features / "zh_pv.feature").write_text(ZH_FEATURE, encoding="utf-8")
    linted = run("lint", "--rules", str(RULES), "--features", "features")
    assert linted.exit_code == 0, linted.output
    assert "zh_pv.feature" not in linted.output and "clean:" in linted.output

    from compliance.ruleset.scenarios import index_features

    index = index_features(features)
    mine = [s for s in index.scenarios if s.feature.name == "zh_pv.feature"]
    line = {text: i for i, text in enumerate(ZH_FEATURE.splitlines(), start=1)}
    outline = next(n for text, n in line.items() if "场景大纲:" in text)
    assert [(s.keyword, s.line, s.rule_ids, len(s.background)) for s in mine] == [
        ("场景", outline - 10, ("PV-1",), 1), ("场景大纲", outline, ("PV-1",), 1)]
    assert mine[0].steps[1].keyword == "而且" and mine[0].steps[1].text.startswith("the models show")
    assert mine[1].cases() == ["学校屋顶光伏边界 / the 50 % boundary — 恰好50%通过",
                               "学校屋顶光伏边界 / the 50 % boundary — 49.99%不通过"]
    last_row = next(n for text, n in line.items() if "49.99%不通过" in text)
    assert (mine[0].end, mine[1].end) == (outline - 5, last_row)     # where each one's text ends (the web page)
    assert index.locate(str(features / "zh_pv.feature"), mine[1].cases()[1]) == (features / "zh_pv.feature", last_row)
    shown = run("show", "PV-1", "--rules", str(RULES), "--features", "features")
    assert "场景大纲: 学校屋顶光伏边界" in shown.output and "而且 the models show" in shown.output

    alone = tmp_path / "zh"
    alone.mkdir()
    shutil.copy(features / "zh_pv.feature", alone)
    tested = run("test", "PV-1", "--rules", str(RULES), "--features", str(alone))
    assert tested.exit_code == 0, tested.output
    assert re.search(r"PV-1\s+3\s+0\s+ok", tested.output) and "3 of 3 scenarios passed" in tested.output


BROKEN = {
    # a line that is no step of the file's language, in a zh-CN file
    "not-a-step": ("# language: zh-CN\n功能: 坏\n  场景: 一\n    假如 the rule set in \"rules\"\n"
                   "    Given a new school submission filed on 2024-03-01\n    那么 rule PV-1 is pass\n",
                   5, "not a step (假如 / 当 / 那么 / 而且 / 但是): Given a new school", "make it a comment"),
    "first-step-and": ("Feature: f\n  Scenario: one\n    And the rule set in \"rules\"\n    Then rule PV-1 is pass\n",
                       3, "the first step starts with 'And'", "begin it with Given / When / Then"),
    "doc-string": ("Feature: f\n  Scenario: one\n    Given the rule set in \"rules\"\n      \"\"\"\n      text\n",
                   4, 'a doc string (""") is not closed', 'close it with """'),
    "table": ("Feature: f\n  Scenario Outline: <n>\n    Given the rule set in \"rules\"\n\n    Examples:\n"
              "      | n | m |\n      | 1 |\n", 7, "different number of cells", "same columns"),
    "language": ("# language: xx-YY\nFeature: f\n", 1, "unknown Gherkin language", "# language: zh-CN"),
    "step-outside": ("Feature: f\n  Scenario Outline: <n>\n    Given the rule set in \"rules\"\n\n    Examples:\n"
                     "      | n |\n      | 1 |\n    Then rule PV-1 is pass\n", 8, "a step where no step may stand",
                     "steps belong under a scenario"),
    "same-name": ("Feature: f\n  Scenario: one\n    Given the rule set in \"rules\"\n"
                  "  Scenario: one\n    Given the rule set in \"rules\"\n", 4,
                  "a second scenario named 'one' (the first is at line 2)", "its own name"),
    "no-rows": ("# language: zh-CN\n功能: f\n  场景大纲: <n>\n    假如 the rule set in \"rules\"\n", 3,
                "scenario outline '<n>' has no Examples rows", "例子:"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_feature_is_located_by_lint_and_by_test(tmp_path, monkeypatch, case):
    text, line, message, hint = BROKEN[case]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "broken.feature").write_text(text, encoding="utf-8")
    linted = run("lint", "--rules", str(RULES), "--features", "features")
    assert linted.exit_code == 1
    lines = linted.output.splitlines()
    [at] = [i for i, ln in enumerate(lines) if ln.startswith(f"features/broken.feature:{line}: error: ")]
    assert message in lines[at] and lines[at + 1].startswith("  hint: ") and hint in lines[at + 1], linted.output
    tested = run("test", "--rules", str(RULES), "--features", "features")      # refused at the same line
    [said] = [ln for ln in tested.output.splitlines() if ln.startswith("error: ")]
    assert tested.exit_code == 2 and f"broken.feature:{line}: " in said and message in said, tested.output


def test_a_feature_that_does_not_parse_hides_no_rule_behind_no_scenario(tmp_path, monkeypatch):
    """The rules tagged in a file that does not parse get its parse errors, not 'has no scenario'."""
    monkeypatch.chdir(tmp_path)
    features = tmp_path / "features"
    shutil.copytree(FEATURES, features)
    pv = features / "pv.feature"
    lines = pv.read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Given a new"))
    lines.insert(at + 1, "    this line is no step")
    pv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    linted = run("lint", "--rules", str(RULES), "--features", "features")
    assert linted.exit_code == 1
    errors = [ln for ln in linted.output.splitlines() if ": error: " in ln]
    assert errors == [f"features/pv.feature:{at + 2}: error: not a step (Given / When / Then / And / But): "
                      "this line is no step"], linted.output
