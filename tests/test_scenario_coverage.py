"""Every rule in rules/ is specified by scenarios that cover it: each status it can produce
(pass, fail, not_applicable, missing_data), its threshold boundary (at the threshold it passes,
just beyond it fails) and its effective dates (the day before effective_from it does not apply,
on the day it does; for a rule with effective_until, the day after it no longer applies).

The scenarios are run through `run_scenario_records`, which keeps what each scenario verified
(`Then rule X is S`: the rule, the status, the date judged and the measured values), so these
checks read the outcomes, not just the scenario names. Case names carry the words "boundary"
and "date" (or "in force") for the rows that pin those.
"""

from __future__ import annotations

import operator
from datetime import timedelta
from pathlib import Path

import pytest

from compliance.spec.runner import run_scenario_records

ROOT = Path(__file__).resolve().parents[1]
FEATURES = sorted((ROOT / "features").glob("*.feature"))      # the theme files (not features/examples/)
RULES = ROOT / "rules"
RULE_IDS = sorted(p.stem for p in RULES.glob("*.yaml") if not p.name.startswith("_"))
STATUSES = ("pass", "fail", "not_applicable", "missing_data")
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}

# A status a rule cannot produce, and why: listed here so the gap is visible, never silent.
CANNOT = {
    ("RE-1", "missing_data"): "renewable_types always has a value: a model that shows no renewable "
                              "system counts 0 types and fails",
}

# Cases the specification must hold for particular rules: (rule, words in the case name, status).
REQUIRED_CASES = [
    *[(r, "not supported", "fail") for r in ("GB-2", "GB-3")],
    ("GB-1", "not supported", "fail"),
    ("GB-1", "not supported", "pass"),                 # a 3-star claim computed as 2-star still meets GB-1
    *[(r, "supported by", "pass") for r in ("GB-1", "GB-2", "GB-3")],
    *[(r, "without scores or certificate", "manual_review") for r in ("GB-1", "GB-2", "GB-3")],
    # GM-1 asks no star level of a building: the eco-district and green park are area-level creations
    ("GM-1", "no 3-star ask", "not_applicable"), ("GM-1", "park-level creation", "not_applicable"),
    *[(r, "class supported", "pass") for r in ("ULE-1", "ULE-2", "ULE-3")],
    *[(r, "class not supported", "fail") for r in ("ULE-1", "ULE-2", "ULE-3")],
    ("RE-1", "only declared", "manual_review"),
    ("EV-1", "only declared", "manual_review"),              # declared, not modelled: between 0 and the declared
    ("EV-3", "fall short even if all are counted", "fail"),  # ... but the whole range fails
    # a doubtful figure decides only over its whole plausible range; a straddling size is never n/a
    ("PV-2", "straddles", "manual_review"), ("PV-2", "whole range", "pass"),
    ("GB-2", "straddles", "manual_review"), ("GB-2", "lower bound", "manual_review"),
    ("GB-2", "whole range", "fail"), ("GB-2", "whole range", "not_applicable"),
    ("EV-4", "power unknown", "manual_review"),
    *[(r, "below the size threshold", "not_applicable") for r in ("GB-2", "EB-1", "EB-3", "EV-2", "EV-3", "EV-4")],
    *[(r, "size unknown", "missing_data") for r in ("GB-2", "EB-1", "EB-3", "EV-2", "EV-3", "EV-4")],
]


@pytest.fixture(scope="module")
def records():
    return run_scenario_records(FEATURES, RULES)


def _verified(records, rule_id: str, words: tuple[str, ...] = ()) -> list:
    """What passing scenarios tagged @rule:<rule_id> verified about it (names containing any of `words`)."""
    out = []
    for r in records:
        name = r.outcome.name.lower()
        if r.outcome.passed and rule_id in r.outcome.rule_ids and (not words or any(w in name for w in words)):
            out += [v for v in r.verified if v.rule == rule_id]
    return out


def test_the_feature_files_are_there():
    names = {p.name for p in FEATURES}
    assert {"pv.feature", "renewables.feature", "green_building.feature", "ultra_low_energy.feature",
            "existing_buildings.feature", "ev_charging.feature", "data_centres.feature",
            "public_institutions.feature"} <= names
    assert len(RULE_IDS) >= 29


def test_every_scenario_holds(records):
    failed = [f"{r.outcome.name}: {r.outcome.message}" for r in records if not r.outcome.passed]
    assert records and not failed, "\n".join(failed)


def test_scenarios_are_tagged(records, ruleset):
    kinds = {r.id: r.kind for r in ruleset.rules}
    for r in records:
        o = r.outcome
        assert o.rule_ids, f"{o.feature}: '{o.name}' has no @rule: tag"
        unknown = [i for i in o.rule_ids if i not in kinds]
        assert not unknown, f"{o.feature}: '{o.name}' names unknown rules {unknown}"
        severities = {t.split(":", 1)[1] for t in r.tags if t.startswith("severity:")}
        assert severities == {kinds[i] for i in o.rule_ids}, \
            f"{o.feature}: '{o.name}': @severity tags {sorted(severities)} do not match the rules' kinds"
        assert any(t.startswith("theme:") for t in r.tags) and "version:1" in r.tags, \
            f"{o.feature}: the feature needs @theme:<x> @version:1"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_status_is_specified(records, rule_id):
    seen = {v.status for v in _verified(records, rule_id)}
    need = {s for s in STATUSES if (rule_id, s) not in CANNOT}
    assert need <= seen, f"{rule_id}: no scenario shows {sorted(need - seen)}"
    for (rule, status), why in CANNOT.items():
        if rule == rule_id:
            assert status not in seen, f"{rule_id} does produce {status}: remove it from CANNOT ({why})"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_threshold_boundary_is_specified(records, ruleset, rule_id):
    rule = ruleset.rule(rule_id)
    found = _verified(records, rule_id, ("boundary",))
    at = [v for v in found if v.status == "pass"
          and any(m is not None and abs(m - t) < 1e-4 for m, _, t in v.checks)]
    assert at, f"{rule_id}: no 'boundary' case passes with the measured value exactly at the threshold"

    def just_beyond(m, op, t) -> bool:
        return m is not None and not OPS[op](round(m, 4), t) and abs(m - t) <= max(1.0, 0.05 * abs(t))

    beyond = [v for v in found if v.status == "fail" and any(just_beyond(*c) for c in v.checks)]
    assert beyond, (f"{rule_id}: no 'boundary' case fails just beyond the threshold "
                    f"({' / '.join(f'{r.op} {r.number:g}' for r in rule.requirements)})")


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_effective_dates_are_specified(records, ruleset, rule_id):
    applies = ruleset.rule(rule_id).applies
    found = _verified(records, rule_id, ("date", "in force"))
    day = timedelta(days=1)

    def shown(when, applicable: bool) -> bool:
        return any(v.as_of == when and (v.status != "not_applicable") == applicable for v in found)

    start = applies.effective_from
    assert shown(start - day, False), f"{rule_id}: no 'date' case shows it does not apply on {start - day}"
    assert shown(start, True), f"{rule_id}: no 'date' case shows it applies from {start}"
    if applies.effective_until is not None:
        end = applies.effective_until
        assert shown(end, True), f"{rule_id}: no 'date' case shows it still applies on {end}"
        assert shown(end + day, False), f"{rule_id}: no 'date' case shows it no longer applies on {end + day}"


@pytest.mark.parametrize("rule_id, words, status", REQUIRED_CASES,
                         ids=[f"{r}-{w.replace(' ', '_')}-{s}" for r, w, s in REQUIRED_CASES])
def test_required_case_is_specified(records, rule_id, words, status):
    found = _verified(records, rule_id, (words,))
    assert any(v.status == status for v in found), \
        f"{rule_id}: no passing scenario named '…{words}…' shows {status}"
