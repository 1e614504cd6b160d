"""run_scenarios: the in-process scenario runner behind `compliance rules test`."""

from __future__ import annotations

import dataclasses
import inspect
import shutil
from pathlib import Path

import pytest

from compliance.errors import ComplianceError, RuleFileError
from compliance.spec.runner import ScenarioFileError, ScenarioOutcome, run_scenarios

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "features"
RULES = ROOT / "rules"
PV_BOUNDARY = "boundary: exactly 30% passes"


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "my-rules"
    shutil.copytree(RULES, target)
    return target


def _pv2_threshold(rules: Path, value: int) -> None:
    path = rules / "PV-2.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  value: 30\n" in text
    path.write_text(text.replace("  value: 30\n", f"  value: {value}\n"), encoding="utf-8")


def test_the_signature_the_cli_relies_on():
    params = list(inspect.signature(run_scenarios).parameters)
    assert params == ["features", "rules", "only"]
    assert [f.name for f in dataclasses.fields(ScenarioOutcome)] == ["rule_ids", "feature", "name", "passed", "message"]
    assert ScenarioOutcome.__dataclass_params__.frozen


def test_the_real_rules_pass_their_pv2_scenarios():
    outcomes = run_scenarios(FEATURES / "pv.feature", RULES, only={"PV-2"})
    assert outcomes and all("PV-2" in o.rule_ids for o in outcomes)
    assert all(o.passed for o in outcomes), [o for o in outcomes if not o.passed]
    assert any(PV_BOUNDARY in o.name for o in outcomes)
    assert all(o.feature == str(FEATURES / "pv.feature") for o in outcomes)


def test_a_changed_threshold_fails_the_boundary_scenario(tmp_path):
    rules = _copy_rules(tmp_path)
    _pv2_threshold(rules, 35)
    outcomes = run_scenarios(FEATURES / "pv.feature", rules, only={"PV-2"})
    failed = {o.name: o for o in outcomes if not o.passed}
    boundary = [o for name, o in failed.items() if PV_BOUNDARY in name]
    assert len(boundary) == 1, sorted(failed)
    o = boundary[0]
    assert o.rule_ids == ("PV-2",)
    assert o.feature == str(FEATURES / "pv.feature")
    assert o.message.startswith("rule PV-2: expected pass, got fail"), o.message
    assert "\n" not in o.message
    assert "Then rule PV-2 is pass" in o.message             # names the step that did not hold
    # 35 % still passes, just below 30 % still fails: only the boundary row (and none else) breaks
    assert set(failed) == {o.name}


def test_the_scenario_rule_set_is_the_one_passed_in(tmp_path):
    """`Given the rule set in "rules"` takes the folder handed to the runner, not the repo's."""
    rules = _copy_rules(tmp_path)
    _pv2_threshold(rules, 29)
    outcomes = run_scenarios(FEATURES / "pv.feature", rules, only={"PV-2"})
    failed = [o.name for o in outcomes if not o.passed]
    assert len(failed) == 1 and "just below 30%" in failed[0]


def test_quiet_and_independent_of_the_current_folder(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTEST_ADDOPTS", "--no-such-option -x")      # the caller's pytest settings do not leak in
    outcomes = run_scenarios(FEATURES / "data_centres.feature", RULES)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert outcomes and all(o.passed for o in outcomes)
    assert {"DC-1", "DC-2"} == {i for o in outcomes for i in o.rule_ids}
    assert not (tmp_path / ".pytest_cache").exists() and list(tmp_path.iterdir()) == []


def test_relative_paths_are_taken_from_the_current_folder(monkeypatch):
    monkeypatch.chdir(ROOT)
    outcomes = run_scenarios(Path("features/data_centres.feature"), Path("rules"), only={"DC-2"})
    assert outcomes and all(o.passed and o.rule_ids == ("DC-2",) for o in outcomes)
    assert all(Path(o.feature).is_absolute() for o in outcomes)


def test_only_selects_by_rule_tag():
    outcomes = run_scenarios(FEATURES / "renewables.feature", RULES, only={"RE-3"})
    assert outcomes and all("RE-3" in o.rule_ids for o in outcomes)
    assert any(o.rule_ids == ("RE-2", "RE-3") for o in outcomes)      # a scenario about both counts for each
    assert run_scenarios(FEATURES / "renewables.feature", RULES, only={"NO-1"}) == []


def test_a_scenario_that_cannot_run_is_an_outcome(tmp_path):
    feature = tmp_path / "odd.feature"
    feature.write_text(
        "Feature: odd\n"
        "  @rule:PV-1 @severity:mandatory\n"
        "  Scenario: an unknown step\n"
        "    Given a new school submission filed on 2024-03-01\n"
        "    And the moon is full\n"
        "\n"
        "  @rule:PV-1 @severity:mandatory\n"
        "  Scenario: a field submission.yaml does not have\n"
        "    Given a new school submission filed on 2024-03-01\n"
        "    And the submission states energy.pu = 1.2\n"
        "\n"
        "  @rule:PV-1 @severity:mandatory\n"
        "  Scenario: a use class the rule set does not know\n"
        "    Given the rule set in \"rules\"\n"
        "    And a new shcool submission filed on 2024-03-01\n"
        "    When the rules are evaluated\n", encoding="utf-8")
    outcomes = {o.name: o for o in run_scenarios(feature, RULES)}
    assert not any(o.passed for o in outcomes.values())
    assert "Step definition is not found" in outcomes["an unknown step"].message
    assert "energy.pu" in outcomes["a field submission.yaml does not have"].message
    assert "unknown use class 'shcool'" in outcomes["a use class the rule set does not know"].message


def test_a_broken_feature_file_is_one_clear_error(tmp_path):
    feature = tmp_path / "broken.feature"
    feature.write_text("Feature: broken\n  Scenario: one\n    Given a thing\n  Examples:\n    | a |\n  nonsense here\n",
                       encoding="utf-8")
    with pytest.raises(ScenarioFileError) as info:
        run_scenarios(feature, RULES)
    assert info.value.file == str(feature) and info.value.line
    assert isinstance(info.value, ComplianceError)


def test_missing_paths_and_broken_rules_are_errors(tmp_path):
    with pytest.raises(ScenarioFileError):
        run_scenarios(tmp_path / "nowhere.feature", RULES)
    with pytest.raises(ScenarioFileError):
        run_scenarios(tmp_path, RULES)                       # a folder without feature files
    rules = _copy_rules(tmp_path)
    (rules / "PV-2.yaml").write_text("id: PV-2\nversion: [\n", encoding="utf-8")
    with pytest.raises(RuleFileError):
        run_scenarios(FEATURES / "pv.feature", rules)


def test_an_edited_feature_file_is_read_again(tmp_path):
    feature = tmp_path / "edit.feature"
    text = ("Feature: edit\n"
            "  Background:\n"
            "    Given the rule set in \"rules\"\n"
            "  @rule:DC-1 @severity:mandatory\n"
            "  Scenario: pue\n"
            "    Given a new data_centre submission filed on 2024-03-01\n"
            "    And the submission states energy.pue = 1.25\n"
            "    When the rules are evaluated\n"
            "    Then rule DC-1 is STATUS\n")
    feature.write_text(text.replace("STATUS", "pass"), encoding="utf-8")
    assert [o.passed for o in run_scenarios(feature, RULES)] == [True]
    feature.write_text(text.replace("STATUS", "fail"), encoding="utf-8")
    assert [o.passed for o in run_scenarios(feature, RULES)] == [False]
