"""Running tasks on Dask distributed (compliance/batch/cluster.py, isolate.py): a task that kills
its process, hangs in native code, raises or uses too much memory is reported alone and the rest
complete; on a LocalCluster and on a cluster of separate `dask scheduler` / `dask worker` processes."""

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crashing_work  # noqa: E402
from dask_processes import DaskProcesses, wait_gone  # noqa: E402

from compliance.batch.cluster import ClusterError, run_tasks  # noqa: E402

TESTS = str(Path(__file__).resolve().parent)


def run(tasks, jobs, crash_on=(), hang_on=(), hard_limit_s=None, scheduler=None, **more):
    """run_tasks over crashing_work.square_or_die: {task: result}, {task: (kind, reason)}."""
    results, crashed = {}, {}
    run_tasks(tasks, jobs, crashing_work.square_or_die, _start_with, (frozenset(crash_on), frozenset(hang_on), more),
              lambda t, r: results.__setitem__(t, r), lambda t, why, kind="crash": crashed.__setitem__(t, (kind, why)),
              hard_limit_s=hard_limit_s, scheduler=scheduler)
    return results, crashed


def _start_with(crash_on, hang_on, more):
    crashing_work.start(crash_on, hang_on, **more)


def children() -> set:
    """This process's live descendants, but multiprocessing's resource tracker (it ends with this process)."""
    import psutil

    found = set()
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(proc.cmdline()):
                found.add(proc)
        except psutil.Error:
            pass
    return found


@pytest.fixture()
def no_children_left():
    """A check that every process started since the test began has ended (other tests of the same
    session may have left helpers of their own, such as a web app's PDF process)."""
    before = children()

    def check() -> bool:
        deadline = time.monotonic() + 10
        while children() - before and time.monotonic() < deadline:
            time.sleep(0.1)
        left = children() - before
        for proc in left:
            try:
                print("left running:", proc.pid, proc.cmdline())
            except Exception:
                pass
        return not left

    return check


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    """`dask scheduler` + 2 × `dask worker`, separate processes, stopped at the end of the module."""
    with DaskProcesses(tmp_path_factory.mktemp("dask"), workers=2, mark="test-batch-cluster",
                       pythonpath=(TESTS,)) as cluster:
        yield cluster


# -- the cases of the old process pool, on a LocalCluster ----------------------------------------------

def test_every_task_completes_once_without_crashes(no_children_left):
    results, crashed = run(list(range(12)), 2)
    assert crashed == {}
    assert sorted(results) == list(range(12))
    assert all(results[t][:2] == (t, t * t) for t in results)
    assert len({r[3] for r in results.values()}) == 2          # really spread over two worker processes
    assert len({r[2] for r in results.values()}) == 12         # each task in a process of its own
    assert no_children_left()


def test_what_a_task_carries_is_made_only_as_it_is_sent_a_window_at_a_time():
    """A recheck of 16,000 filings must not hold every filing's facts at once: `prepare` runs as each
    task is sent, never more than the window ahead of the results."""
    from compliance.batch.cluster import MIN_WINDOW

    prepared, ahead, results = [], [], {}

    def prepare(task):
        prepared.append(task)
        return task

    def on_result(task, result):
        ahead.append(len(prepared) - len(results))
        results[task] = result

    run_tasks(list(range(40)), 1, crashing_work.square_or_die, _start_with, (frozenset(), frozenset(), {}),
              on_result, lambda *a: None, prepare=prepare)
    assert sorted(results) == list(range(40)) and sorted(prepared) == list(range(40))
    assert max(ahead) <= MIN_WINDOW + 1          # one worker thread: a window of MIN_WINDOW


def test_a_dying_worker_is_blamed_alone_and_the_rest_complete():
    tasks = list(range(20))
    results, crashed = run(tasks, 2, {3, 11})
    assert set(crashed) == {3, 11}
    assert crashed[3][0] == "crash" and "worker process died" in crashed[3][1] and "exit status 139" in crashed[3][1]
    assert sorted(results) == [t for t in tasks if t not in (3, 11)]
    assert all(results[t][:2] == (t, t * t) for t in results)


def test_every_task_dying_still_ends():
    results, crashed = run([1, 2, 3], 2, {1, 2, 3})
    assert results == {} and set(crashed) == {1, 2, 3}


def test_a_worker_stuck_past_the_hard_limit_is_stopped_and_the_rest_complete(no_children_left):
    """A check stuck in native code (where the worker's own time limit cannot reach) is stopped
    from outside: its task is reported over the limit, every other task completes."""
    tasks = list(range(10))
    started = time.monotonic()
    results, crashed = run(tasks, 2, set(), hang_on={4}, hard_limit_s=2)
    assert set(crashed) == {4}
    assert crashed[4][0] == "limit exceeded" and "stopped after 2 s" in crashed[4][1]
    assert sorted(results) == [t for t in tasks if t != 4]
    assert all(results[t][:2] == (t, t * t) for t in results)
    assert time.monotonic() - started < 60          # not the 600 s the stuck task would take
    assert no_children_left()


def test_memory_a_check_keeps_goes_back_after_every_task():
    """ifcopenshell keeps memory per model read (the pool replaced its workers after 100 tasks):
    each task's process ends with it, so the Dask worker does not grow, however long the run."""
    results, crashed = run(list(range(8)), 1, leak_mb=100)
    assert crashed == {} and len({r[2] for r in results.values()}) == 8
    rss = {}
    run_tasks(list(range(4)), 1, crashing_work.worker_rss, crashing_work.no_setup, (),
              lambda t, r: rss.__setitem__(t, r), lambda *a: None)
    assert max(w for w, _ in rss.values()) < 400 << 20       # 8 × 100 MiB leaked: none of it in the worker
    assert max(z for _, z in rss.values()) < 400 << 20       # nor in the run's zygote


# -- beyond the pool ----------------------------------------------------------------------------------

def test_the_time_limit_works_in_the_tasks_process():
    """limits.time_limit is a SIGALRM timer: the task's process runs the work in its main thread."""
    results, crashed = run([1, 2], 1, soft_limit_on={2})
    assert crashed == {} and results[2][1] == -1 and "time limit of 0.5 s" in results[2][4]


def test_an_exception_in_the_work_is_that_tasks_crash():
    results, crashed = run(list(range(6)), 2, raise_on={2})
    assert set(crashed) == {2} and "ValueError: task 2 is bad" in crashed[2][1]
    assert sorted(results) == [0, 1, 3, 4, 5]


def test_interrupting_the_run_stops_every_process_it_started(no_children_left):
    """KeyboardInterrupt (Ctrl-C, or SIGTERM as the batch turns it) from a callback: the run stops,
    the tasks in flight are cancelled and their processes killed, the cluster is closed."""
    seen = []

    def on_result(task, result):
        seen.append(task)
        if len(seen) == 2:
            raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_tasks(list(range(40)), 2, crashing_work.square_or_die, _start_with,
                  (frozenset(), frozenset({5, 6, 7}), {"sleep_s": 0.3}), on_result, lambda *a: None, hard_limit_s=300)
    assert no_children_left()
    assert time.monotonic() - started < 30


def test_a_task_that_kills_its_runs_zygote_is_blamed_alone():
    """The run's process on a worker (which forks each task's) dies: that task crashes, the next
    task starts another."""
    results, crashed = run(list(range(8)), 1, kill_zygote_on={3})
    assert set(crashed) == {3} and "worker process died" in crashed[3][1]
    assert sorted(results) == [0, 1, 2, 4, 5, 6, 7]


def test_a_dask_worker_that_dies_is_dasks_to_retry_and_the_task_is_blamed_alone():
    """The backstop: work that kills the Dask worker itself (not only its own process) is retried on
    fresh workers by Dask, then reported as KilledWorker — for that task alone."""
    results, crashed = run(list(range(8)), 2, kill_worker_on={5}, sleep_s=0.2)
    assert set(crashed) == {5} and "worker process died" in crashed[5][1]
    assert sorted(results) == [0, 1, 2, 3, 4, 6, 7]


# -- forking a worker that has threads -------------------------------------------------------------------

def test_forking_while_the_workers_other_threads_hold_locks_never_hangs(no_children_left):
    """Each run forks its process on every worker it uses: 80 runs (two task threads per worker,
    so forks also race each other) while three more threads of each worker log, print, allocate,
    collect and import without pause. No process hangs on a lock one of them held at the fork:
    the hard limit would report it."""
    from distributed import Client, LocalCluster

    from compliance.batch.cluster import run_on

    results, crashed = {}, {}
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster, Client(cluster) as client:
        client.register_plugin(crashing_work.hostile_plugin())
        for run_no in range(80):
            run_on(client, [(run_no, i) for i in range(4)], crashing_work.chatty, crashing_work.no_setup, (),
                   results.__setitem__, lambda t, why, kind="crash": crashed.__setitem__(t, why), hard_limit_s=20)
    assert crashed == {}
    assert len(results) == 320 and len({r[1] for r in results.values()}) == 320
    assert no_children_left()


def test_a_check_over_the_workers_memory_limit_is_stopped_alone(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", memory_limit="600MiB") as cluster:
        results, crashed = run([1, 2, 3], 1, scheduler=cluster.scheduler_address, hold_mb={2: 900})
    assert set(crashed) == {2} and crashed[2][0] == "resource error" and "over the worker's limit" in crashed[2][1]
    assert sorted(results) == [1, 3]


# -- a cluster of separate processes --------------------------------------------------------------------

def test_two_workers_of_their_own_run_every_task_and_blame_the_crashes_alone(two_workers):
    tasks = list(range(16))
    results, crashed = run(tasks, 1, {3}, hang_on={9}, hard_limit_s=3, scheduler=two_workers.address)
    assert set(crashed) == {3, 9}
    assert crashed[3][0] == "crash" and crashed[9][0] == "limit exceeded"
    assert sorted(results) == [t for t in tasks if t not in (3, 9)]
    assert {r[3] for r in results.values()} == set(two_workers.worker_pids())     # both workers did some


def test_every_task_dying_on_the_cluster_still_ends(two_workers):
    results, crashed = run([1, 2, 3], 1, {1, 2, 3}, scheduler=two_workers.address)
    assert results == {} and set(crashed) == {1, 2, 3}


def test_a_scheduler_that_cannot_be_reached_is_one_message():
    with pytest.raises(ClusterError) as caught:
        run([1], 1, scheduler="tcp://127.0.0.1:9")
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in caught.value.message
    assert "dask scheduler" in caught.value.hint


def test_the_cluster_processes_are_all_stopped(tmp_path):
    with DaskProcesses(tmp_path, workers=1, mark="test-stop-all") as cluster:
        assert cluster.worker_pids()
    assert wait_gone("test-stop-all", 5) == []
