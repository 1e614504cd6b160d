"""Rule files: validated on load, every message with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import RULES

from compliance.errors import RuleFileError
from compliance.ruleset.loader import load_ruleset


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_bundled_rules_load(ruleset):
    files = sorted(p.stem for p in RULES.glob("*.yaml") if not p.name.startswith("_"))
    assert sorted(r.id for r in ruleset.rules) == files
    assert {"PV-1@2", "PV-2@1"} <= {r.ref for r in ruleset.rules}
    assert ruleset.version.startswith("sha256:")


def test_inspect_collects_every_problem_with_its_line(rules_copy):
    from compliance.ruleset.loader import inspect_ruleset

    edit(rules_copy, "PV-1.yaml", "metric: pv_roof_ratio", "metric: pv_ratio")
    edit(rules_copy, "GB-2.yaml", "$large_public_building_m2", "$large_public_bulding_m2")
    ruleset, problems = inspect_ruleset(rules_copy)
    found = {(Path(p.file).name, p.line) for p in problems}
    lines = {name: next(i for i, line in enumerate((rules_copy / name).read_text(encoding="utf-8").splitlines(), 1)
                        if text in line)
             for name, text in (("PV-1.yaml", "pv_ratio"), ("GB-2.yaml", "$large_public_bulding_m2"))}
    assert found >= {("PV-1.yaml", lines["PV-1.yaml"]), ("GB-2.yaml", lines["GB-2.yaml"])}
    assert ruleset is not None and "PV-2" in {r.id for r in ruleset.rules}      # the others still load
    assert "PV-1" not in {r.id for r in ruleset.rules}


def test_line_of_finds_nested_keys(ruleset):
    text = (RULES / "PV-2.yaml").read_text(encoding="utf-8").splitlines()
    value = next(i for i, line in enumerate(text, 1) if line.strip().startswith("value:"))
    assert ruleset.line_of("PV-2", ("requires", "value")) == value
    assert ruleset.line_of("PV-2", ("requires", "value", "deeper")) == value
    assert ruleset.line_of("PV-2", ("id",)) == next(i for i, line in enumerate(text, 1) if line.startswith("id:"))


def test_version_hash_changes_with_any_edit(rules_copy, ruleset):
    edit(rules_copy, "PV-1.yaml", "value: 50", "value: 55")
    assert load_ruleset(rules_copy).version != ruleset.version


@pytest.mark.parametrize("old,new,message,line", [
    ("metric: pv_roof_ratio", "metric: pv_ratio", "unknown metric 'pv_ratio'", 28),
    ('unit: "%"', 'unit: "m2"', "measured in '%'", 32),
    ("kind: mandatory", "kind: obligatory", "field 'kind'", 11),
    ("op: \">=\"", "op: \"=>\"", "field 'requires.op'", 30),
    ("{use: [government_office, school]}", "{use: [government_office, scool]}",
     "unknown use class 'scool'", 24),
    ("effective_from: 2022-01-01", "effective_from: 2022-01-01\n  effective_until: 2021-01-01",
     "effective_until is before effective_from", 21),
    ("value: 50", "value: 0.00001", "threshold must be 0 or between", 31),
    ("id: PV-1", "id: PV-2", "must live in a file named PV-2.yaml", 2),
])
def test_broken_rule_is_located(rules_copy, old, new, message, line):
    edit(rules_copy, "PV-1.yaml", old, new)
    with pytest.raises(RuleFileError) as info:
        load_ruleset(rules_copy)
    err = info.value
    assert message in err.message
    assert err.file.endswith(".yaml") and err.line == line


def test_rule_in_wrongly_named_file(rules_copy):
    (rules_copy / "PV-1.yaml").rename(rules_copy / "pv_one.yaml")
    with pytest.raises(RuleFileError, match="must live in a file named PV-1.yaml"):
        load_ruleset(rules_copy)


def test_broken_yaml_in_settings(rules_copy):
    edit(rules_copy, "_settings.yaml", "kinds:", "kinds: [")
    with pytest.raises(RuleFileError, match="not valid YAML") as info:
        load_ruleset(rules_copy)
    assert info.value.file.endswith("_settings.yaml") and info.value.line


def test_missing_rules_folder(tmp_path):
    with pytest.raises(RuleFileError, match="rules folder not found"):
        load_ruleset(tmp_path / "none")
