"""The durable-rules hazards of FIELD-NOTES.md, each exercised against our engine wrapper,
and the engine checked against the reference evaluation of the same conditions."""

from __future__ import annotations

import threading
import time

import pytest

from compliance.errors import EngineError
from compliance.evaluate.compile import compile_ruleset, engine_number
from compliance.evaluate.engine import Engine

SIMPLE = {
    "ge": {"all": [{"m": {"$and": [{"rule": "T"}, {"$gte": {"value": 5}}]}}], "run": "T|pass|0"},
    "lt": {"all": [{"m": {"$and": [{"rule": "T"}, {"$lt": {"value": 5}}]}}], "run": "T|fail|1"},
}


def test_fact_matching_no_rule_comes_back_without_outcome_and_the_process_survives():
    # Unguarded, this raises MessageNotHandledException and the clean-up then segfaults.
    engine = Engine.shared()
    for _ in range(3):
        assert engine.run("hazard_simple", SIMPLE, [{"id": "a", "rule": "other", "value": 1}]) == {"a": []}
    assert engine.run("hazard_simple", SIMPLE, [{"id": "a", "rule": "T", "value": 9}]) == {"a": ["T|pass|0"]}


def test_a_rule_with_no_outcome_withholds_the_verdict(ruleset):
    from compliance.evaluate.evaluator import _decided_status

    rule = ruleset.rules[0]
    with pytest.raises(EngineError, match="0 outcomes"):
        _decided_status(rule, compile_ruleset(ruleset), {}, [])


@pytest.mark.parametrize("value", [1e-05, 5e-324, 1e20, -2.5e-07])
def test_exponent_numbers_are_refused_instead_of_crashing_the_engine(value):
    # Each of these values, asserted as is, segfaults durable-rules 2.0.28.
    with pytest.raises(EngineError, match="cannot be given to the rule engine"):
        Engine.shared().run("hazard_simple", SIMPLE, [{"id": "a", "rule": "T", "value": value}])


def test_fact_numbers_reach_the_engine_as_filed_or_on_the_same_side_of_every_threshold():
    from compliance.evaluate.compile import SENTINEL

    # not rounded: 1.30004 stays above 1.3, 49.99996 below 50
    assert [engine_number(v) for v in (1.30004, 49.99996, 0.00012345, 0.0)] == [1.30004, 49.99996, 0.00012345, 0.0]
    # nearer 0 than 0.0001 (exponent notation in JSON): ±0.0001, no threshold lies in between
    assert [engine_number(v) for v in (1e-05, 0.00005, 1e-300, -2.5e-07)] == [0.0001, 0.0001, 0.0001, -0.0001]
    assert [engine_number(v) for v in (1e20, -1e300)] == [SENTINEL, -SENTINEL]
    assert all("e" not in repr(engine_number(v)) for v in (1e-05, 0.00012345, 1e20, 123456.789012))


@pytest.mark.parametrize("value, status", [(1.30004, "fail"), (1.3, "pass"), (1.29996, "pass"), (1.3000001, "fail")])
def test_a_figure_just_beyond_a_threshold_is_not_rounded_onto_it(value, status):
    """PUE ≤ 1.3: the engine compares the figure as filed (facts were once quantised to 0.0001,
    and 1.30004 passed)."""

    rules = {"le": {"all": [{"m": {"$and": [{"rule": "T"}, {"$lte": {"value": 1.3}}]}}], "run": "T|pass|0"},
             "gt": {"all": [{"m": {"$and": [{"rule": "T"}, {"$gt": {"value": 1.3}}]}}], "run": "T|fail|1"}}
    fired = Engine.shared().run("hazard_pue_edge", rules, [{"id": "a", "rule": "T", "value": engine_number(value)}])
    assert fired == {"a": [f"T|{status}|{0 if status == 'pass' else 1}"]}


@pytest.mark.parametrize("value", [0.0001, 0.0005, 0.00099])
def test_no_threshold_lies_between_0_and_the_figure_given_for_tiny_ones(value):
    from compliance.ruleset.schema import engine_threshold

    with pytest.raises(ValueError, match="between 0.001 and 1e15"):
        engine_threshold(value)


def test_duplicate_fact_ids_are_refused():
    with pytest.raises(EngineError, match="share an id"):
        Engine.shared().run("hazard_simple", SIMPLE, [{"id": "a", "rule": "T", "value": 1},
                                                      {"id": "a", "rule": "T", "value": 9}])


def test_more_than_1024_evaluations_do_not_exhaust_sessions():
    engine = Engine.shared()
    for i in range(1100):
        fired = engine.run("hazard_simple", SIMPLE, [{"id": "x", "rule": "T", "value": i % 10}])
        assert fired == {"x": ["T|pass|0" if i % 10 >= 5 else "T|fail|1"]}


def test_the_engine_starts_no_background_threads():
    """durable-rules' Host calls the native engine from two timer threads every 0.2 s while
    facts are asserted from the caller's thread; the engine is not thread-safe (a segfault seen
    in a test session). Engine.run needs neither, so none may run."""
    import threading

    from compliance.evaluate.engine import Engine

    before = {t.ident for t in threading.enumerate()}
    Engine()
    time.sleep(0.3)                                   # the Host's timers first fire after 0.1 s
    started = [t for t in threading.enumerate() if t.ident not in before]
    assert started == [], started


def test_shared_engine_is_one_per_process():
    assert Engine.shared() is Engine.shared()


def test_concurrent_threads_get_their_own_outcomes():
    engine, errors = Engine.shared(), []

    def worker(n: int) -> None:
        for i in range(60):
            value = (n + i) % 10
            got = engine.run("hazard_simple", SIMPLE, [{"id": f"f{n}", "rule": "T", "value": value}])
            if got != {f"f{n}": ["T|pass|0" if value >= 5 else "T|fail|1"]}:
                errors.append((n, i, got))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_same_ruleset_name_can_be_used_again():
    engine = Engine.shared()
    engine.run("hazard_simple", SIMPLE, [{"id": "x", "rule": "T", "value": 7}])
    assert engine.run("hazard_simple", SIMPLE, [{"id": "x", "rule": "T", "value": 7}]) == {"x": ["T|pass|0"]}


def test_conditions_are_flat_so_the_engine_accepts_every_branch_of_the_shipped_rules(ruleset):
    """Nested $and in $and (or $or in $or) a few levels deep makes durable-rules refuse the
    ruleset (error 113): conditions.py flattens them as they are built."""
    from compliance.evaluate.conditions import All, AnyOf, Cmp, all_of, any_of

    a, b, c = Cmp("x", "==", 1), Cmp("y", "==", 2), Cmp("z", "==", 3)
    assert all_of(all_of(a, b), c) == All((a, b, c)) and any_of(any_of(a, b), c) == AnyOf((a, b, c))
    assert all_of(a, b).negate() == AnyOf((a.negate(), b.negate()))

    def flat(cond) -> bool:
        if isinstance(cond, (All, AnyOf)):
            return all(not isinstance(i, type(cond)) and flat(i) for i in cond.items)
        return True

    compiled = compile_ruleset(ruleset)
    assert all(flat(b.cond) for bs in compiled.by_rule.values() for b in bs)
    assert Engine.shared().run(compiled.name, compiled.durable, [{"id": "x", "rule": "none"}]) == {"x": []}
