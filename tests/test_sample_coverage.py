"""The bundled samples (ifc_samples/) exercise the whole rule set with real models: every rule
gets a status other than not_applicable in at least one sample, each sample's verdict is the one
its name states, and its `# Expected:` line names the rules that decide it."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from conftest import RULES, SAMPLES

from compliance.context import RunContext
from compliance.pipeline import check_submission

VERDICT = {"pass": "compliant", "na": "compliant", "fail": "non_compliant", "incomplete": "incomplete"}
CHECKED = sorted(p.parent for p in SAMPLES.glob("*/submission.yaml") if p.parent.name.split("-")[0] in VERDICT)
RULE_IDS = sorted(p.stem for p in RULES.glob("*.yaml") if not p.name.startswith("_"))
CTX = RunContext(rules_dir=RULES)


@lru_cache(maxsize=None)
def verdict_of(folder: Path):
    return check_submission(folder, CTX)


def expected_line(folder: Path) -> str:
    lines = (folder / "submission.yaml").read_text(encoding="utf-8").splitlines()
    (line,) = [x for x in lines if x.startswith("# Expected: ")]
    return line


def test_every_rule_is_exercised_by_a_sample():
    exercised: dict[str, set[str]] = {}
    for folder in CHECKED:
        for r in verdict_of(folder).results:
            if r.status != "not_applicable":
                exercised.setdefault(r.rule, set()).add(folder.name)
    missing = sorted(set(RULE_IDS) - set(exercised))
    assert not missing, f"rules no sample exercises (status other than not_applicable): {missing}"


def test_samples_cover_new_and_retrofit_and_the_main_uses():
    docs = [yaml.safe_load((f / "submission.yaml").read_text(encoding="utf-8")) for f in CHECKED]
    assert {d["kind"] for d in docs} == {"new", "retrofit"}
    uses = {d["use"] for d in docs}
    assert {"school", "industrial_plant", "residential", "data_centre", "commercial_complex", "parking"} <= uses
    assert {"government_office", "public_office"} & uses
    # a zone with the 3-star requirement (large public building) and zones without it
    green3 = [f for f in CHECKED if any(r.rule == "GB-2" and r.status != "not_applicable"
                                        for r in verdict_of(f).results)]
    assert green3
    assert any(d.get("zone") not in ("binjiang_south", "xinjiangwan") and d.get("gross_floor_area_m2", 0) >= 20000
               for d in docs)


@pytest.mark.parametrize("folder", CHECKED, ids=lambda p: p.name)
def test_sample_verdict_matches_its_name_and_expected_line(folder):
    prefix = folder.name.split("-")[0]
    verdict = verdict_of(folder)
    assert verdict.verdict == VERDICT[prefix], [(r.rule, r.status) for r in verdict.results
                                                if r.status != "not_applicable"]
    line = expected_line(folder)
    assert line.startswith(f"# Expected: {verdict.verdict}"), line
    if prefix == "na":
        assert {r.status for r in verdict.results} <= {"not_applicable", "pass"}
    # the rules that decide a fail- or incomplete- verdict are named in the Expected line
    named = set(re.findall(r"\b([A-Z]{2,3}-\d)\b", line))
    deciding = {r.rule for r in verdict.results if r.blocks and r.status in ("fail", "missing_data", "manual_review")}
    assert deciding <= named, f"{sorted(deciding - named)} decide the verdict but the Expected line does not say so"
    if prefix == "fail":
        assert any(r.blocks and r.status == "fail" for r in verdict.results)


@pytest.mark.parametrize("folder", [f for f in CHECKED if f.name.startswith("pass-")], ids=lambda p: p.name)
def test_pass_samples_state_every_non_passing_rule(folder):
    """A target or encouraged rule that a pass- sample misses never blocks, but its Expected line says so."""
    named = set(re.findall(r"\b([A-Z]{2,3}-\d)\b", expected_line(folder)))
    missed = {r.rule for r in verdict_of(folder).results if r.status not in ("pass", "not_applicable")}
    assert missed <= named, sorted(missed - named)
