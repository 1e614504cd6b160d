"""The batch's process pool: a worker that dies takes no other submission with it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compliance.batch.pool import run_tasks  # noqa: E402

import crashing_work  # noqa: E402


def run(tasks, jobs, crash_on, hang_on=(), hard_limit_s=None):
    results, crashed = {}, {}
    run_tasks(tasks, jobs, crashing_work.square_or_die, crashing_work.start,
              (frozenset(crash_on), frozenset(hang_on)), lambda t, r: results.__setitem__(t, r),
              lambda t, why, kind="crash": crashed.__setitem__(t, (kind, why)), hard_limit_s=hard_limit_s)
    return results, crashed


def test_every_task_completes_once_without_crashes():
    results, crashed = run(list(range(12)), 2, set())
    assert crashed == {}
    assert sorted(results) == list(range(12))
    assert all(results[t][:2] == (t, t * t) for t in results)
    assert len({r[2] for r in results.values()}) >= 2          # really spread over processes


def test_a_dying_worker_is_blamed_alone_and_the_rest_complete():
    tasks = list(range(20))
    results, crashed = run(tasks, 2, {3, 11})
    assert set(crashed) == {3, 11}
    assert crashed[3][0] == "crash" and "worker process died" in crashed[3][1]
    assert sorted(results) == [t for t in tasks if t not in (3, 11)]
    assert all(results[t][:2] == (t, t * t) for t in results)


def test_every_task_dying_still_ends():
    results, crashed = run([1, 2, 3], 2, {1, 2, 3})
    assert results == {} and set(crashed) == {1, 2, 3}


def test_a_worker_stuck_past_the_hard_limit_is_stopped_and_the_rest_complete():
    """A check stuck in native code (where the worker's own time limit cannot reach) is stopped
    from outside: its task is reported over the limit, every other task completes."""
    import time

    tasks = list(range(10))
    started = time.monotonic()
    results, crashed = run(tasks, 2, set(), hang_on={4}, hard_limit_s=2)
    assert set(crashed) == {4}
    assert crashed[4][0] == "limit exceeded" and "stopped after 2 s" in crashed[4][1]
    assert sorted(results) == [t for t in tasks if t != 4]
    assert all(results[t][:2] == (t, t * t) for t in results)
    assert time.monotonic() - started < 60          # not the 600 s the stuck task would take


def test_workers_are_replaced_after_their_share_of_submissions(monkeypatch):
    """ifcopenshell keeps memory per model read: a worker is replaced after TASKS_PER_WORKER."""
    import compliance.batch.pool as pool

    monkeypatch.setattr(pool, "TASKS_PER_WORKER", 3)
    results, crashed = run(list(range(9)), 1, set())
    assert crashed == {} and sorted(results) == list(range(9))
    assert len({r[2] for r in results.values()}) >= 3          # 9 tasks, 3 per worker process
