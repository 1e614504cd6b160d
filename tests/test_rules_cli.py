"""`compliance rules list | show | lint | test | diff`: the policy staff's workflow.

Every located problem is checked for its file AND line; the lines are found in the edited
files themselves, so the tests follow the rule files as policy staff change them. The
expected verdict flips of `rules diff` come from the sample generator's own figures and the
samples' names, not from the checker.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import RULES, SAMPLES

from cli import main

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "features"
RULE_IDS = sorted(p.stem for p in RULES.glob("*.yaml") if not p.name.startswith("_"))
# 其他类型公共建筑: the public uses other than government offices and schools (PV-2's scope)
def _pv2_uses() -> set[str]:
    """The uses PV-2 reaches, from the settings: the public group but government offices and schools."""
    uses = yaml.safe_load((RULES / "_settings.yaml").read_text(encoding="utf-8"))["uses"]
    return {u for u, spec in uses.items() if "public" in spec.get("groups", [])} - {"government_office", "school"}


def run(*args: str):
    result = CliRunner().invoke(main, ["rules", *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def rules_copy(tmp_path, monkeypatch) -> Path:
    """A copy of rules/ in tmp_path, which becomes the working directory (paths print as rules/...)."""
    shutil.copytree(RULES, tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    return Path("rules")


def edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, text: str, after: str | None = None) -> int:
    """The line of the first occurrence of `text` (after the line holding `after`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def new_rule(folder: Path, rule_id: str, *, source: str = "PV-2", replace: tuple[tuple[str, str], ...] = ()) -> Path:
    """A new rule file copied from `source`, with its id changed and the given edits."""
    text = (folder / f"{source}.yaml").read_text(encoding="utf-8").replace(f"id: {source}", f"id: {rule_id}")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    path = folder / f"{rule_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def lint(rules: Path, features: Path = FEATURES):
    return run("lint", "--rules", str(rules), "--features", str(features))


# -- lint ---------------------------------------------------------------------------------------

def test_lint_is_clean_on_the_shipped_rules():
    result = lint(RULES)
    assert result.exit_code == 0, result.output
    assert "clean:" in result.output and ": error:" not in result.output


@pytest.mark.parametrize("case", ["metric", "parameter", "date", "duplicate"])
def test_lint_locates_rule_file_errors(rules_copy, case):
    if case == "metric":
        edit(rules_copy, "PV-1.yaml", "metric: pv_roof_ratio", "metric: pv_roof_ration")
        file, line, message = "PV-1.yaml", line_of(rules_copy / "PV-1.yaml", "pv_roof_ration"), "unknown metric 'pv_roof_ration'"
    elif case == "parameter":
        edit(rules_copy, "GB-2.yaml", "$large_public_building_m2", "$large_public_bulding_m2")
        file, line = "GB-2.yaml", line_of(rules_copy / "GB-2.yaml", "$large_public_bulding_m2")
        message = "unknown parameter '$large_public_bulding_m2'"
    elif case == "date":
        edit(rules_copy, "PV-2.yaml", "effective_from: 2022-01-01", "effective_from: 2024-13-01")
        file, line, message = "PV-2.yaml", line_of(rules_copy / "PV-2.yaml", "2024-13-01"), "2024-13-01"
    else:
        shutil.copy(rules_copy / "PV-1.yaml", rules_copy / "PV-9.yaml")      # a second file with id PV-1
        file, line, message = "PV-9.yaml", line_of(rules_copy / "PV-9.yaml", "id: PV-1"), "duplicate rule id PV-1"
    result = lint(rules_copy)
    assert result.exit_code == 1, result.output
    located = [ln for ln in result.output.splitlines() if ln.startswith(f"rules/{file}:{line}: error:")]
    assert located and message in located[0], result.output


def test_lint_finds_an_overlap(rules_copy):
    path = new_rule(rules_copy, "PV-9", replace=(("value: 30", "value: 35"),))
    result = lint(rules_copy)
    assert result.exit_code == 1
    applies = line_of(path, "applies:")
    other = f"rules/PV-2.yaml:{line_of(rules_copy / 'PV-2.yaml', 'applies:')}"
    [problem] = [ln for ln in result.output.splitlines() if ln.startswith(f"rules/PV-9.yaml:{applies}: error: overlap")]
    assert "PV-2" in problem and other in problem and "pv_roof_ratio" in problem
    # the same rule naming PV-2 in `refines` is a deliberate overlap: no error
    path.write_text(path.read_text(encoding="utf-8").replace("remedy:", "refines: [PV-2]\nremedy:"), encoding="utf-8")
    assert "error: overlap" not in lint(rules_copy).output


def test_lint_finds_a_contradiction_even_with_refines(rules_copy):
    path = new_rule(rules_copy, "PV-9", replace=(("kind: mandatory", "kind: target"), ('op: ">="', 'op: "<="'),
                                                ("value: 30", "value: 20"), ("remedy:", "refines: [PV-2]\nremedy:")))
    result = lint(rules_copy)
    assert result.exit_code == 1
    line = line_of(path, "metric: pv_roof_ratio")
    other = f"rules/PV-2.yaml:{line_of(rules_copy / 'PV-2.yaml', 'metric: pv_roof_ratio')}"
    [problem] = [ln for ln in result.output.splitlines() if ln.startswith(f"rules/PV-9.yaml:{line}: error: contradiction")]
    assert "PV-2" in problem and other in problem and "≤ 20 %" in problem and "≥ 30 %" in problem
    assert "error: overlap" not in result.output       # different kinds: not an overlap


def test_lint_finds_a_rule_without_scenario(rules_copy):
    path = new_rule(rules_copy, "PV-9", replace=(("use_group: public", "use: [parking]"),
                                                ("  use_except: [government_office, school]\n", "")))
    result = lint(rules_copy)
    assert result.exit_code == 1
    [problem] = [ln for ln in result.output.splitlines() if "PV-9" in ln and ": error:" in ln]
    assert problem.startswith(f"rules/PV-9.yaml:{line_of(path, 'id: PV-9')}: error: rule PV-9 has no scenario")


def test_lint_warns_on_unknown_tags_and_needless_refines(rules_copy, tmp_path):
    features = tmp_path / "features"
    shutil.copytree(FEATURES, features)
    feature = sorted(features.glob("*.feature"))[0]
    text = feature.read_text(encoding="utf-8")
    first_tag = next(m for m in re.finditer(r"^([ \t]*)(@rule:\S+)", text, re.M))
    feature.write_text(text[:first_tag.start(2)] + "@rule:PV-99 " + text[first_tag.start(2):], encoding="utf-8")
    edit(rules_copy, "EB-4.yaml", "refines: [EB-3]", "refines: [EB-3, DC-1]")
    result = lint(rules_copy, features)
    tag_line = text[:first_tag.start(2)].count("\n") + 1
    assert f"features/{feature.name}:{tag_line}: warning: tag @rule:PV-99 names no rule" in result.output
    assert f"rules/EB-4.yaml:{line_of(rules_copy / 'EB-4.yaml', 'refines:')}: warning: EB-4 refines DC-1" in result.output


def test_a_feature_file_saved_as_gbk_is_named_with_its_line(rules_copy, tmp_path):
    features = tmp_path / "features"
    shutil.copytree(FEATURES, features)
    feature = features / "pv.feature"
    text = feature.read_text(encoding="utf-8")
    feature.write_bytes(text.encode("gb18030"))
    first_cjk = next(i for i, line in enumerate(text.splitlines(), 1) if any(ord(c) > 127 for c in line))
    for result in (lint(rules_copy, features), run("test", "--rules", str(rules_copy), "--features", str(features))):
        assert f"features/pv.feature:{first_cjk}" in result.output, result.output
        assert "GBK/GB18030" in result.output and "save it as UTF-8" in result.output
        assert result.exit_code != 0


def test_lint_missing_folder_exits_2(tmp_path):
    result = lint(tmp_path / "nothing")
    assert result.exit_code == 2 and "nothing: rules folder not found" in result.output
    result = run("lint", "--rules", str(RULES), "--features", str(tmp_path / "nofeatures"))
    assert result.exit_code == 2 and "nofeatures: features folder not found" in result.output


# -- list and show --------------------------------------------------------------------------------

def test_list_shows_every_rule():
    result = run("list", "--rules", str(RULES))
    assert result.exit_code == 0, result.output
    for rule_id in RULE_IDS:
        version = yaml.safe_load((RULES / f"{rule_id}.yaml").read_text(encoding="utf-8"))["version"]
        assert f"{rule_id}@{version}" in result.output
    assert f"{len(RULE_IDS)} rules" in result.output and "pv_roof_ratio ≥ 50" in result.output


def _scenario_names(rule_id: str) -> list[str]:
    """Scenario names of the feature files tagged @rule:ID (read here with a plain regex)."""
    names = []
    for path in sorted(FEATURES.glob("*.feature")):
        tags: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if s.startswith("@"):
                tags += s.split()
            elif re.match(r"(Scenario|Scenario Outline|Example):", s):
                if f"@rule:{rule_id}" in tags:
                    names.append(s.split(":", 1)[1].strip())
                tags = []
            elif s.startswith("Feature:") or s.startswith("Rule:"):
                tags = []
    return names


def test_show_pv1():
    result = run("show", "PV-1", "--rules", str(RULES))
    assert result.exit_code == 0, result.output
    rule = yaml.safe_load((RULES / "PV-1.yaml").read_text(encoding="utf-8"))
    assert rule["clause"]["quote"] in result.output
    assert rule["title"]["en"] in result.output and "pv_roof_ratio ≥ 50 %" in result.output
    assert "rules/PV-1.yaml:" in result.output
    names = _scenario_names("PV-1")
    assert names, "no scenario tagged @rule:PV-1 in features/"
    for name in names:
        assert name in result.output


def test_show_names_parameters_and_zones():
    result = run("show", "GB-2", "--rules", str(RULES))
    assert result.exit_code == 0, result.output
    assert "$large_public_building_m2" in result.output and "$green3_zones" in result.output
    assert "binjiang_south" in result.output


def test_show_unknown_rule_lists_close_matches():
    result = run("show", "PV-11", "--rules", str(RULES))
    assert result.exit_code == 2
    assert "no rule 'PV-11'" in result.output and "PV-1" in result.output.split("hint:")[1]


def test_broken_rule_set_exits_2_naming_the_file(rules_copy):
    edit(rules_copy, "PV-1.yaml", "metric: pv_roof_ratio", "metric: pv_roof_ration")
    where = f"rules/PV-1.yaml:{line_of(rules_copy / 'PV-1.yaml', 'pv_roof_ration')}"
    for args in (["list"], ["show", "PV-2"], ["test", "PV-2"], ["diff", str(RULES), str(rules_copy)]):
        result = run(*args, *(["--rules", str(rules_copy)] if args[0] != "diff" else []))
        assert result.exit_code == 2, (args, result.output)
        assert f"error: {where}: " in result.output, (args, result.output)


# -- test -------------------------------------------------------------------------------------------

def test_rules_test_pv1_green():
    result = run("test", "PV-1", "--rules", str(RULES))
    assert result.exit_code == 0, result.output
    assert re.search(r"PV-1\s+\d+\s+0\s+ok", result.output)


def test_rules_test_fails_when_the_threshold_changes(rules_copy):
    edit(rules_copy, "PV-1.yaml", "value: 50", "value: 60")
    result = run("test", "PV-1", "--rules", str(rules_copy), "--features", str(FEATURES))
    assert result.exit_code == 1, result.output
    assert "FAIL PV-1" in result.output and ".feature:" in result.output


def test_rules_test_unknown_id_exits_2():
    result = run("test", "PV-77", "--rules", str(RULES))
    assert result.exit_code == 2 and "no rule 'PV-77'" in result.output


# -- diff -------------------------------------------------------------------------------------------

def _generator_ratios() -> dict[str, float | None]:
    """Each sample's PV / roof projected area ratio (%) as the generator built it."""
    sys.path.insert(0, str(SAMPLES))
    try:
        import generate
    finally:
        sys.path.remove(str(SAMPLES))
    out = {}
    for name, build in generate.SAMPLES.items():
        _, models, _ = build()
        roof, pv = sum(m.roof_m2 for m in models), sum(m.pv_m2 for m in models)
        out[name] = None if any(getattr(m, "unreadable", False) or m.roof_missing for m in models) or not roof \
            else pv / roof * 100
    return out


VERDICT_BY_PREFIX = {"pass": "compliant", "na": "compliant", "fail": "non_compliant", "incomplete": "incomplete"}


def _blocks(output: str) -> dict[str, list[str]]:
    """Sample folder name -> its lines in the diff's sample section."""
    out: dict[str, list[str]] = {}
    current = None
    for line in output.split("\nsamples:", 1)[1].splitlines():
        m = re.match(r"  (\S+?)(?: \(|:)", line)
        if m and not line.startswith("      "):
            current = Path(m.group(1)).name
            out.setdefault(current, []).append(line)
        elif current and line.startswith("      "):
            out[current].append(line)
    return out


def test_diff_pv2_threshold(rules_copy):
    edit(rules_copy, "PV-2.yaml", "value: 30", "value: 35")
    result = run("diff", str(RULES), str(rules_copy))
    assert result.exit_code == 0, result.output
    assert "PV-2 requires.value: 30 → 35" in result.output
    version_line = line_of(rules_copy / "PV-2.yaml", "version:")
    assert f"rules/PV-2.yaml:{version_line}: warning: PV-2 changed but its version was not bumped" in result.output

    # expected, independently: PV-2 applies (new, other public use, no PV-2 exemption) and 30 % ≤ ratio < 35 %
    expected = {}
    for name, ratio in _generator_ratios().items():
        folder = SAMPLES / name
        if not (folder / "submission.yaml").is_file() or ratio is None:
            continue
        meta = yaml.safe_load((folder / "submission.yaml").read_text(encoding="utf-8"))
        uses = {meta.get("use")} | {p["use"] for b in meta.get("buildings") or [] for p in b["uses"]}
        if meta["kind"] == "new" and uses & _pv2_uses() and "PV-2" not in (meta.get("exemptions") or {}) \
                and 30 <= ratio < 35:
            expected[name] = VERDICT_BY_PREFIX[name.split("-")[0]]
    blocks = _blocks(result.output)
    flipped_pv2 = {name for name, lines in blocks.items() if any(ln.strip() == "PV-2: pass → fail" for ln in lines)}
    assert flipped_pv2 == set(expected), result.output
    for name, old in expected.items():
        head = blocks[name][0]
        if old != "non_compliant":
            assert f"verdict {old} → non_compliant  FLIPS" in head, head
    for name, lines in blocks.items():            # nothing else changes
        assert name in expected or "could not be checked" in lines[0], lines
    for name in (p.name for p in SAMPLES.glob("error-*")):
        assert "could not be checked" in blocks[name][0]


def test_diff_on_chosen_samples_with_parameter_and_version_bump(rules_copy, tmp_path):
    edit(rules_copy, "PV-2.yaml", "version: 1", "version: 2")
    edit(rules_copy, "PV-2.yaml", "value: 30", "value: 19")
    edit(rules_copy, "_parameters.yaml", "value: 20000", "value: 25000")
    samples = tmp_path / "samples"
    samples.mkdir()
    shutil.copytree(SAMPLES / "fail-office", samples / "fail-office")          # PV-2 at 20.03 %
    (samples / "broken").mkdir()
    (samples / "broken" / "submission.yaml").write_text("id: [\n", encoding="utf-8")
    result = run("diff", str(RULES), str(rules_copy), "--samples", str(samples), "--as-of", "2025-06-01")
    assert result.exit_code == 0, result.output
    assert "PV-2 (v1 → v2)" in result.output and "PV-2 version: 1 → 2" in result.output
    assert "PV-2 changed but its version was not bumped" not in result.output
    assert "large_public_building_m2.value: 20000 → 25000   (used by GB-2)" in result.output
    assert "GB-2 reads parameter $large_public_building_m2" in result.output
    assert "judged as of 2025-06-01" in result.output
    blocks = _blocks(result.output)
    assert [ln.strip() for ln in blocks["fail-office"][1:]] == ["PV-2: fail → pass"]
    assert "could not be checked" in blocks["broken"][0] and "broken/submission.yaml:" in blocks["broken"][0]


def test_diff_identical_and_missing(tmp_path):
    result = run("diff", str(RULES), str(RULES), "--samples", str(SAMPLES / "fail-office"))
    assert result.exit_code == 0 and "no change to any rule" in result.output
    assert "1 unchanged" in result.output
    result = run("diff", str(RULES), str(tmp_path / "nope"))
    assert result.exit_code == 2 and "nope: rules folder not found" in result.output


# -- the pieces ------------------------------------------------------------------------------------

def test_scenario_index_inherits_tags(tmp_path):
    from compliance.ruleset.scenarios import index_features

    (tmp_path / "x.feature").write_text(
        "@rule:AA-1\nFeature: f\n  Background:\n    Given the rule set in \"rules\"\n\n"
        "  @rule:AA-2\n  Scenario Outline: case <n>\n    Given a <n>\n    Then done\n\n"
        "    Examples:\n      | n |\n      | 1 |\n    @rule:AA-3\n    Examples:\n      | n |\n      | 2 |\n",
        encoding="utf-8")
    index = index_features(tmp_path)
    assert not index.problems
    [sc] = index.scenarios
    assert sc.rule_ids == ("AA-1", "AA-2", "AA-3") and sc.line == 7 and len(sc.background) == 1
    assert index.case_count("AA-2") == 2 and index.case_count("AA-3") == 1
    assert index.locate(str(tmp_path / "x.feature"), "case 2") == (tmp_path / "x.feature", 17)
    assert ("AA-3", tmp_path / "x.feature", 14) in index.rule_tags()


def test_intervals():
    from compliance.ruleset.lint import Interval

    assert Interval.of(">=", 50).meet(Interval.of("<=", 40)).empty
    assert not Interval.of(">=", 30).meet(Interval.of("<=", 40)).empty
    assert Interval.of("==", 1, True).meet(Interval.of("==", 0, True)).empty
    assert Interval.of(">", 2, True).meet(Interval.of("<", 3, True)).empty          # no whole number between
    assert not Interval.of(">", 2).meet(Interval.of("<", 3)).empty
    assert Interval.of(">=", 3).meet(Interval.of("<", 3)).empty
    assert not Interval.of(">=", 3).meet(Interval.of("<=", 3)).empty
