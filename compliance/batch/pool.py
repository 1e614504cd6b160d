"""Run one task per submission over worker processes.

concurrent.futures marks the whole pool broken when one worker dies (a segfault in a native
library, the OOM killer), failing every task in flight. Here at most 2 × jobs tasks are in flight;
when the pool breaks, those tasks are re-run one by one, each in a fresh one-worker pool, so the
one that kills its worker is found and reported, and the others complete.

A worker stops its own check at the time limit (limits.py). One stuck in native code, where
that cannot reach, is stopped from here at `hard_limit_s`: its task is reported as over the
limit, the pool is replaced, and the other tasks in flight are run again.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

# ifcopenshell keeps 50-170 kB per model read that it never gives back (measured by the fuzzer over
# 66k reads); a worker is replaced after this many submissions, so a long batch stays bounded
TASKS_PER_WORKER = 100
PRELOAD = ["compliance.batch.worker", "compliance.pipeline", "compliance.report", "ifcopenshell"]


def _context():
    try:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
    except ValueError:          # no forkserver on this platform
        ctx = multiprocessing.get_context("spawn")
    return ctx


def overdue_reason(seconds: float) -> str:
    return (f"stopped after {seconds:g} s: the check ran past the time limit inside native code "
            "(the IFC parser or the geometry kernel) and did not stop by itself")


def run_tasks(tasks: list, jobs: int, work: Callable, initializer: Callable, initargs: tuple,
              on_result: Callable, on_crash: Callable, hard_limit_s: float | None = None) -> None:
    """Call `on_result(task, result)` for each task as it completes, or `on_crash(task, reason,
    kind)` for a task whose worker died even when run alone ("crash"), or ran past `hard_limit_s`
    ("limit exceeded")."""
    ctx = _context()
    queue = deque(tasks)
    while queue:
        suspects = _run_until_broken(queue, jobs, work, initializer, initargs, on_result, on_crash, ctx,
                                     hard_limit_s)
        for task in suspects:              # alone: a crash now is this task's own
            with ProcessPoolExecutor(1, mp_context=ctx, initializer=initializer, initargs=initargs) as solo:
                try:
                    result = solo.submit(work, task).result(timeout=hard_limit_s)
                except FutureTimeout:
                    _terminate(solo)
                    on_crash(task, overdue_reason(hard_limit_s), "limit exceeded")
                    continue
                except BrokenProcessPool:
                    on_crash(task, "the worker process died while checking it (killed, out of memory, "
                                   "or crashed in a native library)")
                    continue
                except Exception as exc:
                    on_crash(task, f"the worker failed ({type(exc).__name__}: {exc})")
                    continue
            on_result(task, result)


def _run_until_broken(queue: deque, jobs: int, work, initializer, initargs, on_result, on_crash, ctx,
                      hard_limit_s: float | None = None) -> list:
    recycle = ({"max_tasks_per_child": TASKS_PER_WORKER}
               if ctx.get_start_method() != "fork" and sys.version_info >= (3, 11) else {})
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=initializer, initargs=initargs, **recycle)
    running: dict = {}
    started: dict = {}                  # future -> when it was first seen running
    try:
        while queue or running:
            while queue and len(running) < 2 * jobs:
                task = queue.popleft()
                running[pool.submit(work, task)] = task
            done, _ = wait(running, return_when=FIRST_COMPLETED, timeout=1.0 if hard_limit_s else None)
            if hard_limit_s and (overdue := _overdue(running, started, hard_limit_s, done)):
                _terminate(pool)                # the only way to stop native code: the others are redone
                for future in overdue:
                    on_crash(running.pop(future), overdue_reason(hard_limit_s), "limit exceeded")
                suspects = list(running.values())
                running.clear()
                return suspects
            broken = []
            for future in done:
                task = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken.append(task)
                    continue
                except Exception as exc:        # e.g. a result that cannot be sent back
                    on_crash(task, f"the worker failed ({type(exc).__name__}: {exc})")
                    continue
                on_result(task, result)
            if broken:                          # every task still in flight failed with the pool
                suspects = broken + list(running.values())
                running.clear()
                return suspects
        return []
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        _terminate(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _overdue(running: dict, started: dict, limit: float, done) -> list:
    now = time.monotonic()
    for future in running:
        if future not in started and future.running():
            started[future] = now
    return [f for f in running if f not in done and f in started and now - started[f] > limit]


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (on Ctrl-C): their current checks are not stored and will be redone."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
