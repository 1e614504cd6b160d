"""The batch's process pool: a worker that dies takes no other submission with it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compliance.batch.pool import run_tasks  # noqa: E402

import crashing_work  # noqa: E402


def run(tasks, jobs, crash_on):
    results, crashed = {}, {}
    run_tasks(tasks, jobs, crashing_work.square_or_die, crashing_work.start, (frozenset(crash_on),),
              lambda t, r: results.__setitem__(t, r), lambda t, why: crashed.__setitem__(t, why))
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
    assert "worker process died" in crashed[3]
    assert sorted(results) == [t for t in tasks if t not in (3, 11)]
    assert all(results[t][:2] == (t, t * t) for t in results)


def test_every_task_dying_still_ends():
    results, crashed = run([1, 2, 3], 2, {1, 2, 3})
    assert results == {} and set(crashed) == {1, 2, 3}
