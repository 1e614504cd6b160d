"""Doubt that decides: an uncertain figure carries its plausible range, and a rule is decided on
it only where the whole range gives the same outcome (compile.py's algebra, evaluator.py's
reasons); the gross floor area and the declared-vs-model policy give such ranges
(declared.py, evidence_policy.py, crosscheck.py), on facts built by hand and on real
submissions built with the sample generator's blocks."""

from __future__ import annotations

import sys
from datetime import date

import pytest
from conftest import RULES, SAMPLES
from pydantic import ValidationError

from compliance.context import RunContext
from compliance.derive.evidence_policy import DECLARED_NOT_IN_MODEL, declared_only
from compliance.derive.metrics import Derivation, Evidence, Metric
from compliance.evaluate.compile import Reading, Subject, compile_ruleset, make_fact
from compliance.evaluate.engine import Engine
from compliance.evaluate.evaluator import _decided_status, evaluate
from compliance.pipeline import check_submission
from compliance.read.metadata import Submission

if str(SAMPLES) not in sys.path:
    sys.path.insert(0, str(SAMPLES))

from blocks import building_figures, charger_row, ground_floor, parking_row, roof_slab  # noqa: E402
from builder import ROOF_LEVEL_M, Model, meta, write_submission  # noqa: E402
from submission_data import green  # noqa: E402

DAY = date(2025, 6, 2)
OFFICE = Subject("new", "public_office", False, "binjiang_south")


@pytest.fixture(scope="module")
def compiled(ruleset):
    return compile_ruleset(ruleset)


def decide(ruleset, compiled, rule_id: str, reqs, wheres=(), subject: Subject = OFFICE) -> tuple[str, str]:
    rule = ruleset.rule(rule_id)
    fact = make_fact(rule, subject, as_of=DAY, exempt=False, requirements=reqs, where=wheres)
    fired = Engine.shared().run(compiled.name, compiled.durable, [fact])
    return _decided_status(rule, compiled, fact, fired[rule.id])        # also cross-checks the Python conditions


# --------------------------------------------------------------------------- the Metric's range

def test_a_metric_carries_its_plausible_range():
    certain = Metric(name="m", value=35.0, unit="%")
    assert certain.range() == (35.0, 35.0) and not certain.bounded
    doubtful = Metric(name="m", value=35.0, unit="%", certain=False)
    assert doubtful.range() == (None, None) and not doubtful.bounded          # a reviewer decides, as before
    ranged = Metric(name="m", value=35.0, unit="%", certain=False, low=31.0, high=40.0)
    assert ranged.range() == (31.0, 40.0) and ranged.bounded
    assert Metric(name="m", value=397.5, unit="m²", certain=False, low=397.5).range() == (397.5, None)
    assert Metric(name="m", value=None, unit="%").range() == (None, None)


@pytest.mark.parametrize("fields, says", [
    (dict(value=35.0, certain=False, low=36.0), "does not hold the value"),
    (dict(value=35.0, certain=False, high=34.0), "does not hold the value"),
    (dict(value=None, certain=False, low=0.0), "without a value"),
    (dict(value=35.0, low=30.0, high=40.0), "certain figure's range is its value"),
])
def test_a_range_that_does_not_hold_the_value_is_refused(fields, says):
    with pytest.raises(ValidationError, match=says):
        Metric(name="m", unit="%", **fields)


# --------------------------------------------------------------------------- the engine decides over the range

@pytest.mark.parametrize("figure, status", [
    (Reading(35.0, False, 31.0, 40.0), "pass"),             # the whole range meets >= 30
    (Reading(0.0, False, 0.0, 0.0), "fail"),                # doubtful, but 0 at most
    (Reading(30.0, False, 20.0, 40.0), "manual_review"),    # straddles 30
    (Reading(35.0, False), "manual_review"),                # no range: unbounded both ways
    (Reading(20.0, False, None, 25.0), "fail"),             # only an upper bound, below 30
    (Reading(35.0, False, 30.0, None), "pass"),             # only a lower bound, at 30
    (Reading(None), "missing_data"),
    (Reading(30.0), "pass"), (Reading(29.9999), "fail"),    # certain: as before
])
def test_a_requirement_is_decided_only_where_the_whole_range_agrees(ruleset, compiled, figure, status):
    assert decide(ruleset, compiled, "PV-2", [figure])[0] == status


def test_an_equality_is_never_decided_over_a_range(ruleset, compiled):
    retrofit = Subject("retrofit", "public_office", False, None)
    audit = ruleset.rule("EB-1")
    assert audit.requirements[0].op == "=="
    assert decide(ruleset, compiled, "EB-1", [Reading(1.0, False, 1.0, 1.0)], [Reading(15000.0)],
                  retrofit)[0] == "manual_review"
    assert decide(ruleset, compiled, "EB-1", [Reading(1.0)], [Reading(15000.0)], retrofit)[0] == "pass"


@pytest.mark.parametrize("size, status, why", [
    (Reading(397.5, False, 397.5, None), "manual_review", "where_doubt"),   # a lower bound only: never n/a
    (Reading(25000.0, False, 19000.0, 25000.0), "manual_review", "where_doubt"),
    (Reading(25000.0, False, 21000.0, 25000.0), "pass", "pass"),           # large over the whole range
    (Reading(18000.0, False, 15000.0, 19000.0), "not_applicable", "scope"),
    (Reading(25000.0, False), "manual_review", "where_doubt"),             # doubtful, no range
    (Reading(None), "missing_data", "where_missing"),
    (Reading(19999.9), "not_applicable", "scope"),
])
def test_a_doubtful_size_decides_applicability_only_over_its_whole_range(ruleset, compiled, size, status, why):
    assert decide(ruleset, compiled, "GB-2", [Reading(3.0)], [size]) == (status, why)


# --------------------------------------------------------------------------- what the result says

def _evaluate_gb2(ruleset, gfa: Metric, star: Metric):
    meta = Submission.model_validate(dict(id="B-1", name="测试", kind="new", use="public_office",
                                          public_institution=False, zone="binjiang_south", filed_on=DAY,
                                          models=["m.ifc"]))
    figures = {"gross_floor_area": gfa, "green_star": star}
    results = evaluate(ruleset, meta, lambda r, c: figures.get(c.metric) or Metric(name=c.metric, value=None, unit="?"),
                       DAY)
    return next(r for r in results if r.rule == "GB-2")


GFA_DOUBT = ("模型中的总建筑面积仅为空间面积之和", "the models give the gross floor area only as a sum of spaces")


def test_a_straddling_size_goes_to_a_reviewer_saying_why_with_the_metrics_own_reasons(ruleset):
    from compliance.text import Text

    gfa = Metric(name="gross_floor_area", value=397.5, unit="m²", certain=False, low=397.5,
                 reasons=(Text(zh=GFA_DOUBT[0], en=GFA_DOUBT[1]),),
                 evidence=(Evidence(source="ifc", file="m.ifc", global_ids=("B1",)),))
    result = _evaluate_gb2(ruleset, gfa, Metric(name="green_star", value=2.0, unit="level"))
    assert result.status == "manual_review"
    said = [r.en for r in result.reasons]
    assert said[0] == ("whether the rule applies cannot be decided: the plausible range of the gross floor area "
                       "(397.5 m² or more) straddles the threshold (it applies where the gross floor area is at "
                       "least 20,000 m²)")
    assert GFA_DOUBT[1] in said
    assert result.reasons[0].zh.startswith("无法判定本条是否适用：总建筑面积的合理取值范围（397.5m² 及以上）跨越适用门槛")
    assert any(e.global_ids == ("B1",) for e in result.evidence)
    assert result.remedy is not None and "reviewer" in result.remedy.en


def test_a_rule_decided_on_an_uncertain_figure_says_the_doubt_does_not_change_it(ruleset):
    from compliance.text import Text

    gfa = Metric(name="gross_floor_area", value=25000.0, unit="m²", certain=False, low=21000.0, high=25000.0,
                 reasons=(Text(zh="申报与模型不符", en="filed and modelled apart"),))
    star = Metric(name="green_star", value=2.0, unit="level", certain=False, low=1.0, high=2.0,
                  reasons=(Text(zh="评分存疑", en="scores in doubt"),))
    result = _evaluate_gb2(ruleset, gfa, star)
    assert result.status == "fail" and result.checks[0].met is False
    said = [r.en for r in result.reasons]
    assert "scores in doubt" in said and "filed and modelled apart" in said
    assert any(s.startswith("over the whole plausible range of the green-building grade") and
               "is not met, so the doubt does not change the outcome" in s for s in said)
    assert any("the rule applies" in s and "does not change whether it applies" in s for s in said)
    assert all(r.zh for r in result.reasons)


def test_met_is_none_unless_the_whole_range_decides_it(ruleset):
    gfa = Metric(name="gross_floor_area", value=25000.0, unit="m²")
    straddling = Metric(name="green_star", value=3.0, unit="level", certain=False, low=2.0, high=3.0)
    result = _evaluate_gb2(ruleset, gfa, straddling)
    assert result.status == "manual_review" and result.checks[0].met is None
    assert any("straddles the requirement" in r.en for r in result.reasons)
    met = _evaluate_gb2(ruleset, gfa, Metric(name="green_star", value=3.0, unit="level", certain=False, low=3.0))
    assert met.status == "pass" and met.checks[0].met is True


# --------------------------------------------------------------------------- real submissions: the GFA

def _office(tmp_path, name: str, *, filed_gfa: float | None, model_gfa: float | None, spaces: int = 0,
            chargers=(), declared: dict | None = None):
    """A new office in Binjiang South (GB-2 country): a 50 × 40 m roof, `spaces` parking spaces
    in the basement, the building's GFA quantity if given; 2-star green scores claimed 3-star."""
    m = Model(name, "architecture.ifc", storeys=(("B1", -4.5), ("F1", 0.0), ("RF", ROOF_LEVEL_M)))
    ground_floor(m, 50.0, 40.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 50.0, 40.0)
    if model_gfa is not None:
        building_figures(m, gfa=model_gfa)
    if spaces:
        parking_row(m, spaces, m.storeys["B1"], 2.0, 2.0, ready=0)
    if chargers:
        charger_row(m, list(chargers), m.storeys["B1"], 2.0, 1.0)
    doc = meta(f"T-{name}"[:30], "测试办公楼", "Test office", "public_office", "2025-11-12", ["architecture.ifc"],
               zone="binjiang_south", public_institution=False, gross_floor_area_m2=filed_gfa,
               green_building=green(2, claimed="3-star"), declared=declared)
    folder = tmp_path / name
    write_submission(folder, doc, [m], "# test submission\n")
    return folder


@pytest.fixture(scope="module")
def ctx() -> RunContext:
    return RunContext(rules_dir=RULES)


def _result(verdict, rule_id: str):
    return next(r for r in verdict.results if r.rule == rule_id)


def test_an_office_sized_only_by_its_parking_spaces_is_never_waved_through(tmp_path, ctx):
    """The issue: a 32,000 m² office in Binjiang South with no GFA in the form got GB-2 'not
    applicable' from the sum of its parking spaces (397.5 m²)."""
    verdict = check_submission(_office(tmp_path, "spaces-only", filed_gfa=None, model_gfa=None, spaces=30), ctx)
    gb2 = _result(verdict, "GB-2")
    assert gb2.status == "manual_review"
    assert any("397.5 m² or more" in r.en and "straddles the threshold" in r.en for r in gb2.reasons)
    assert any("spaces exclude walls" in r.en and "空间面积不含墙体" in r.zh for r in gb2.reasons)
    gfa = verdict.district["gross_floor_area"]
    assert (gfa.value, gfa.certain, gfa.range()) == (397.5, False, (397.5, None))


def test_a_filed_floor_area_below_the_threshold_does_not_escape_a_model_above_it(tmp_path, ctx):
    """The issue: declaring 19,000 m² against a 21,000 m² model escaped the 20,000 m² threshold
    with only a note."""
    verdict = check_submission(_office(tmp_path, "filed-19000", filed_gfa=19000, model_gfa=21000), ctx)
    gb2 = _result(verdict, "GB-2")
    assert gb2.status == "manual_review"
    assert any("19,000 m²–21,000 m²" in r.en for r in gb2.reasons)
    assert any("gross_floor_area_m2 = 19,000 m² in submission.yaml (line" in r.en and "more than 5% apart" in r.en
               for r in gb2.reasons)
    assert [n.code for n in verdict.notes if n.code.startswith("metadata.")] == ["metadata.mismatch"]
    assert verdict.district["gross_floor_area"].range() == (19000.0, 21000.0)


def test_a_filed_floor_area_within_the_tolerance_decides(tmp_path, ctx):
    verdict = check_submission(_office(tmp_path, "filed-30000", filed_gfa=30000, model_gfa=31000), ctx)
    assert _result(verdict, "GB-2").status == "fail"             # applies, decided (2-star < 3-star)
    gfa = verdict.district["gross_floor_area"]
    assert (gfa.value, gfa.certain) == (30000.0, True)
    assert "31,000 m²" in gfa.computation.en


def test_a_spaces_sum_below_the_filed_figure_bears_it_out_and_above_it_contradicts_it(tmp_path, ctx):
    below = check_submission(_office(tmp_path, "filed-32000", filed_gfa=32000, model_gfa=None, spaces=30), ctx)
    assert _result(below, "GB-2").status == "fail"
    assert below.district["gross_floor_area"].certain
    above = check_submission(_office(tmp_path, "filed-300", filed_gfa=300, model_gfa=None, spaces=30), ctx)
    gfa = above.district["gross_floor_area"]
    assert (gfa.value, gfa.range()) == (397.5, (397.5, None))
    assert _result(above, "GB-2").status == "manual_review"
    (finding,) = [n for n in above.notes if n.code == "metadata.mismatch"]
    assert "spaces alone add up to 397.50" in finding.message and finding.line and finding.message_zh


# --------------------------------------------------------------------------- real submissions: declared vs model

def test_charging_points_declared_but_not_modelled_are_doubtful_between_0_and_the_declared_count(tmp_path, ctx):
    folder = _office(tmp_path, "declared-chargers", filed_gfa=30000, model_gfa=30000, spaces=20,
                     declared={"charging_points": 12})
    verdict = check_submission(folder, ctx)
    (finding,) = [n for n in verdict.notes if n.code == DECLARED_NOT_IN_MODEL]
    assert finding.severity == "uncertain" and finding.line and not finding.global_ids
    assert "declared.charging_points = 12" in finding.message and "仅申报，模型中未体现" in finding.message_zh
    chargers = verdict.district["charging_points"]
    assert (chargers.value, chargers.certain, chargers.range()) == (12.0, False, (0.0, 12.0))
    assert "declared only, not shown in the models" in chargers.computation.en
    assert "仅申报，模型中未体现" in chargers.computation.zh
    ev3 = _result(verdict, "EV-3")              # 0–12 points for 20 spaces: 0 %–60 % against 15 %
    assert ev3.status == "manual_review" and ev3.checks[0].met is None
    assert any("0%–60%" in r.en for r in ev3.reasons)
    assert _result(verdict, "EV-4").status == "manual_review"     # whether it applies (0–12 points > 0)
    # the finding names no element, yet touches no other figure
    assert not any(DECLARED_NOT_IN_MODEL in r.en or "仅申报" in r.zh for r in _result(verdict, "PV-2").reasons)


def test_declared_charging_points_that_fall_short_anyway_fail(tmp_path, ctx):
    folder = _office(tmp_path, "declared-too-few", filed_gfa=30000, model_gfa=30000, spaces=40,
                     declared={"charging_points": 4})
    ev3 = _result(check_submission(folder, ctx), "EV-3")           # at most 4 / 40 = 10 % < 15 %
    assert ev3.status == "fail" and ev3.checks[0].met is False
    assert any("does not change the outcome" in r.en for r in ev3.reasons)


def test_modelled_and_declared_counts_that_agree_stay_certain(tmp_path, ctx):
    folder = _office(tmp_path, "declared-agrees", filed_gfa=30000, model_gfa=30000, spaces=20,
                     chargers=[(7, "AC")] * 3 + [(60, "DC")], declared={"parking_spaces": 20, "charging_points": 4})
    verdict = check_submission(folder, ctx)
    assert not [n for n in verdict.notes if n.code in (DECLARED_NOT_IN_MODEL, "metadata.mismatch")]
    assert _result(verdict, "EV-3").status == "pass" and _result(verdict, "EV-3").reasons == ()


def test_declared_pv_area_and_systems_the_models_do_not_show_are_findings(tmp_path, ctx):
    folder = _office(tmp_path, "declared-pv", filed_gfa=30000, model_gfa=30000,
                     declared={"pv_area_m2": 600.0, "renewable_systems": ["heat_pump"]})
    verdict = check_submission(folder, ctx)
    found = {n.message.split(" ", 1)[0]: n for n in verdict.notes if n.code == DECLARED_NOT_IN_MODEL}
    assert set(found) == {"declared.pv_area_m2", "declared.renewable_systems"}
    assert all(n.severity == "uncertain" and n.line and n.message_zh for n in found.values())
    re1 = _result(verdict, "RE-1")
    assert re1.status == "manual_review" and re1.measured == 1.0       # 0–1 types against at least 1
    assert "declared only, not shown in the models: heat pump" in re1.computation.en


def test_declared_only_is_the_one_policy_function(ruleset):
    def inputs(models=(), **declared):
        meta_ = Submission.model_validate(dict(id="T", name="测试", kind="new", use="public_office",
                                               public_institution=False, filed_on=DAY, models=["m.ifc"],
                                               declared=declared))
        return Derivation(list(models), meta=meta_, params=ruleset.values(),
                          lines={"declared.pv_area_m2": 12}).inputs

    only = declared_only(inputs(pv_area_m2=600.0), "declared.pv_area_m2")
    assert (only.value, only.low, only.high, only.certain) == (600.0, 0.0, 600.0, False)
    assert "line 12" in only.reasons[0].en and "第 12 行" in only.reasons[0].zh
    assert only.metric_range(100 / 1200) == dict(value=50.0, certain=False, low=0.0, high=50.0,
                                                 reasons=only.reasons)
    zero = declared_only(inputs(pv_area_m2=0.0), "declared.pv_area_m2")
    assert zero.certain and zero.metric_range() == dict(value=0.0, certain=True, reasons=())
    assert declared_only(inputs(), "declared.pv_area_m2") is None                       # not declared
    assert declared_only(inputs(pv_area_m2=600.0), "declared.pv_area_m2", models_show=True) is None


# --------------------------------------------------------------------------- ranges the metrics give

def _loc(gid: str, cls: str) -> dict:
    return dict(global_id=gid.ljust(22, "0"), ifc_class=cls, file="m.ifc", matched_by="test")


class _Model:
    def __init__(self, parking=(), chargers=(), systems=()):
        self.parking, self.chargers, self.systems = parking, chargers, systems
        self.pv_panels, self.roofs, self.buildings, self.notes = (), (), (), ()


def _derive(ruleset, models=(), **declared):
    meta_ = Submission.model_validate(dict(id="T", name="测试", kind="new", use="public_office",
                                           public_institution=False, filed_on=DAY, models=["m.ifc"],
                                           declared=declared))
    return Derivation(list(models), meta=meta_, params=ruleset.values(), lines={"declared.renewable_systems": 7})


def test_renewable_types_declared_only_count_but_are_uncertain_from_what_the_models_show(ruleset):
    from compliance.read.records import SystemRecord

    solar = SystemRecord(**_loc("S1", "IfcSolarDevice"), kind="solar_thermal")
    pump = SystemRecord(**_loc("H1", "IfcUnitaryEquipment"), kind="heat_pump")        # no source medium
    m = _derive(ruleset, [_Model(systems=[solar])], renewable_systems=["heat_pump", "solar_thermal"]) \
        .metric("renewable_types")
    assert (m.value, m.certain, m.range()) == (2.0, False, (1.0, 2.0))
    assert "line 7" in m.reasons[0].en and "第 7 行" in m.reasons[0].zh
    assert "仅申报，模型中未体现：热泵" in m.computation.zh
    m = _derive(ruleset, [_Model(systems=[pump])]).metric("renewable_types")
    assert (m.value, m.range()) == (0.0, (0.0, 1.0))                                  # may be renewable
    m = _derive(ruleset, [_Model(systems=[pump])], renewable_systems=["heat_pump"]).metric("renewable_types")
    assert (m.value, m.range()) == (1.0, (0.0, 1.0))
    assert not any("models show no" in r.en for r in m.reasons)                    # a heat pump is shown
    m = _derive(ruleset, [_Model(systems=[solar])], renewable_systems=["solar_thermal"]).metric("renewable_types")
    assert (m.value, m.certain, m.range()) == (1.0, True, (1.0, 1.0))


def test_a_shares_range_follows_from_its_parts(ruleset):
    from compliance.read.records import ChargerRecord, ParkingRecord

    spaces = [ParkingRecord(**_loc(f"P{i:03d}", "IfcSpace")) for i in range(40)]
    chargers = [ChargerRecord(**_loc(f"C{i:03d}", "IfcOutlet"), power_kw=7.0, current="AC") for i in range(4)]
    m = _derive(ruleset, [_Model(chargers=chargers)], parking_spaces=20).metric("charger_share")
    assert (m.value, m.range()) == (20.0, (20.0, None))          # 4 ÷ (0…20 spaces): 20 % or more
    m = _derive(ruleset, [_Model(parking=spaces)], charging_points=8).metric("charger_share")
    assert (m.value, m.range()) == (20.0, (0.0, 20.0))           # (0…8) ÷ 40
    m = _derive(ruleset, parking_spaces=40, charging_points=8).metric("charger_share")
    assert (m.value, m.range()) == (20.0, (0.0, None))           # (0…8) ÷ (0…40)
    m = _derive(ruleset, parking_spaces=0, charging_points=0).metric("charging_points")
    assert (m.value, m.certain) == (0.0, True)                   # declared 0: nothing to doubt
