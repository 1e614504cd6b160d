"""The engine's outcome for every shipped rule, compared over random facts with a
straightforward evaluation of the same rule data (written here from the rule file's fields,
not from the compiled conditions), including missing values, values at each boundary, and
uncertain figures with a plausible range (bounded, half-bounded or unbounded) around them."""

from __future__ import annotations

import math
import operator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.evaluate.compile import Subject, compile_ruleset, make_fact
from compliance.evaluate.engine import Engine
from compliance.evaluate.evaluator import _decided_status

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}


def uses_of(rs, part) -> set[str]:
    if part.use is not None:
        uses = set(part.use)
    elif part.use_group is not None:
        uses = {u for u, spec in rs.settings.uses.items() if part.use_group in spec.groups}
    else:
        uses = set(rs.settings.uses)
    return uses - set(part.use_except)


def restricts_use(part) -> bool:
    return part.use is not None or part.use_group is not None or bool(part.use_except)


def judge(op: str, threshold: float, figure) -> object:
    """'absent', or whether the figure meets the condition over its whole plausible range
    (True / False), or None when its range straddles the threshold (an uncertain figure decides
    no equality)."""
    value, certain, low, high = figure
    if value is None:
        return "absent"
    if certain:
        return OPS[op](value, threshold)
    if op == "==":
        return None
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    ends = {OPS[op](lo, threshold), OPS[op](hi, threshold)}
    return ends.pop() if len(ends) == 1 else None


def expected_status(rs, rule, subject: Subject, day: date, exempt: bool, reqs, wheres) -> str:
    a = rule.applies
    applies = (
        (not a.kind or subject.kind in a.kind)
        and (not restricts_use(a) or subject.use in uses_of(rs, a))
        and (not a.either or any((not restricts_use(alt) or subject.use in uses_of(rs, alt))
                                 and (alt.public_institution is None
                                      or alt.public_institution == subject.public_institution)
                                 for alt in a.either))
        and (a.public_institution is None or a.public_institution == subject.public_institution)
        and (a.zones is None or subject.zone in a.zones)
        and a.effective_from <= day
        and (a.effective_until is None or day <= a.effective_until)
    )
    if not applies:
        return "not_applicable"
    sizes = [judge(w.op, w.number, f) for w, f in zip(a.where, wheres)]
    if any(s is False for s in sizes):
        return "not_applicable"
    if "absent" in sizes:
        return "missing_data"
    if None in sizes:
        return "manual_review"         # a known size whose range straddles the threshold: never not_applicable
    judged = [judge(r.op, r.number, f) for r, f in zip(rule.requirements, reqs)]
    if all(j is True for j in judged):
        return "pass"
    if exempt:
        return "manual_review"
    if any(j is False for j in judged):
        return "fail"
    if "absent" in judged:
        return "missing_data"
    return "manual_review"


def near(threshold: float):
    """A value around a threshold, at the engine's 0.0001 resolution."""
    return st.sampled_from([threshold, threshold + 0.0001, threshold - 0.0001, 0.0, 1.0, -1.0])


@st.composite
def figure(draw, threshold: float):
    """(value, certain, low, high): absent, certain, or uncertain with a range that holds the value."""
    value = draw(st.one_of(st.none(), near(threshold), st.integers(-10**6, 10**9).map(lambda i: i / 10000)))
    certain = draw(st.booleans())
    if value is None or certain:
        return value, certain, None, None
    ends = [None, value, threshold, threshold + 0.0001, threshold - 0.0001, round(value - 10, 4),
            round(value + 10, 4), 0.0]
    low, high = draw(st.sampled_from(ends)), draw(st.sampled_from(ends))
    return (value, False, low if low is None or low <= value else None,
            high if high is None or high >= value else None)


@st.composite
def scenario(draw, rs):
    rule = draw(st.sampled_from(rs.rules))
    a = rule.applies
    zones = sorted(rs.settings.zones)
    subject = Subject(kind=draw(st.sampled_from(["new", "retrofit"])),
                      use=draw(st.sampled_from(sorted(rs.settings.uses))),
                      public_institution=draw(st.booleans()),
                      zone=draw(st.one_of(st.none(), st.sampled_from(zones))))
    edges = [a.effective_from, a.effective_from - timedelta(days=1)]
    if a.effective_until:
        edges += [a.effective_until, a.effective_until + timedelta(days=1)]
    day = draw(st.one_of(st.sampled_from(edges), st.dates(date(2015, 1, 1), date(2035, 12, 31))))
    reqs = [draw(figure(r.number)) for r in rule.requirements]
    wheres = [draw(figure(w.number)) for w in a.where]
    return rule, subject, day, draw(st.booleans()), reqs, wheres


@pytest.fixture(scope="module")
def compiled(ruleset):
    return compile_ruleset(ruleset)


def test_every_rule_is_covered_by_the_property_below(ruleset):
    assert len(ruleset.rules) >= 29        # the strategy samples from all of them


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_engine_agrees_with_a_straightforward_evaluation(ruleset, compiled, data):
    rule, subject, day, exempt, reqs, wheres = data.draw(scenario(ruleset))
    fact = make_fact(rule, subject, as_of=day, exempt=exempt, requirements=reqs, where=wheres)
    fired = Engine.shared().run(compiled.name, compiled.durable, [fact])
    status, _ = _decided_status(rule, compiled, fact, fired[rule.id])     # also cross-checks the Python conditions
    assert status == expected_status(ruleset, rule, subject, day, exempt, reqs, wheres), (rule.id, fact)


def test_several_rules_in_one_session_do_not_mix_outcomes(ruleset, compiled):
    subject = Subject("new", "school", True, "xinjiangwan")
    day = date(2031, 1, 1)
    facts = [make_fact(r, subject, as_of=day, exempt=False,
                       requirements=[(r2.number, True) for r2 in r.requirements],
                       where=[(w.number, True) for w in r.applies.where]) for r in ruleset.rules]
    fired = Engine.shared().run(compiled.name, compiled.durable, facts)
    for rule, fact in zip(ruleset.rules, facts):
        status, _ = _decided_status(rule, compiled, fact, fired[rule.id])
        reqs = [(r.number, True, None, None) for r in rule.requirements]
        wheres = [(w.number, True, None, None) for w in rule.applies.where]
        assert status == expected_status(ruleset, rule, subject, day, False, reqs, wheres), rule.id
