"""One task in a process of its own (the Dask task; see cluster.py for why, zygote.py for how).

`run_isolated` runs in a Dask worker's thread. It asks the run's zygote on this worker (started on
the first task, once per run: it has run the initializer) for a child running `work(task)`, then
reads the child's pickled outcome from a pipe while watching it: past `hard_limit_s`, above the
worker's memory limit, or when Dask no longer wants the task (cancelled, the worker closing), it
kills the child's process group (the geometry kernel forks helpers of its own). It returns one of

    ("pickled", bytes)              the child's own outcome, pickled: ("ok", work(task)), or
                                    ("crash", reason, kind) when work raised
    ("crash", reason, kind)         the child died, overran or used too much memory
    ("cancelled",)                  Dask dropped the task meanwhile (nobody reads this)

so the Dask worker itself neither dies nor keeps what a task allocated.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Callable

from .zygote import FORKING, Zygote, ZygoteGone, exit_status

POLL_S = 0.2                         # how often the task looks at its child while waiting


def died(how: str) -> str:
    return f"the worker process died while checking it ({how}: killed, out of memory, or crashed in a native library)"


def overdue_reason(seconds: float) -> str:
    return (f"stopped after {seconds:g} s: the check ran past the time limit inside native code "
            "(the IFC parser or the geometry kernel) and did not stop by itself")


class Shared:
    """Names one run's state on each Dask worker: the initializer's arguments, sent once per worker,
    and the run's zygote there (a worker plugin holds both: cluster.run_plugin)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def plugin(self):
        from distributed import get_worker

        return get_worker().plugins[self.name]


def run_isolated(task, work: Callable, initializer: Callable, initargs, hard_limit_s: float | None = None,
                 cwd: str | None = None) -> tuple:
    """The Dask task: `work(task)` in a child of the run's zygote (see the module's docstring).
    `initargs`: a Shared (on a Dask worker), or the tuple itself (a zygote for this task alone)."""
    watch = _Watch.here()
    plugin = initargs.plugin() if isinstance(initargs, Shared) else None
    for attempt in (1, 2):                      # a zygote that is gone (killed) is started again, once
        zygote = _zygote(plugin, work, initializer, initargs)
        try:
            pid, status, result = zygote.spawn(work, task, cwd, timeout=hard_limit_s)
        except ZygoteGone as exc:
            if plugin is None:
                zygote.stop()
            if attempt == 2:
                return ("crash", died(f"its run's process on this worker could not start it: {exc}"), "crash")
            continue
        try:
            return _wait(pid, result, status, hard_limit_s, watch)
        finally:
            status.close()
            if plugin is None:
                zygote.stop()
    raise AssertionError("unreachable")


def warm(plugin, worker, work: Callable, initializer: Callable) -> None:
    """Start the run's zygote on this worker now, in a thread of its own that lasts as long as the run
    (cluster.run_plugin), so the first task finds it ready. A failure here is left to the first task, which starts it again and
    reports what goes wrong."""
    try:
        _zygote(plugin, work, initializer, None, list(worker.plugins.values()))
    except Exception:
        return
    # the zygote dies with the thread that forked it (PR_SET_PDEATHSIG is per thread): this one
    # stays until the run is over
    plugin.ended.wait()


def _zygote(plugin, work, initializer, initargs, plugins: list | None = None) -> Zygote:
    """The run's zygote on this worker, started if it is not (or no longer) there. `plugins`: the
    worker's (default: those of the worker running this task)."""
    if plugin is None:
        with FORKING:
            _preload(work)
            return Zygote.start(initializer, initargs)
    with plugin.lock:
        if plugin.zygote is None or not plugin.zygote.alive():
            if plugin.zygote is not None:
                plugin.zygote.stop()
            others = [p.zygote for p in (_worker_plugins() if plugins is None else plugins)
                      if getattr(p, "zygote", None) is not None and p is not plugin]
            with FORKING:
                _preload(work)
                plugin.zygote = Zygote.start(initializer, plugin.value, others)
        return plugin.zygote


def _worker_plugins() -> list:
    from distributed import get_worker

    return list(get_worker().plugins.values())


def _preload(work: Callable) -> None:
    import importlib

    module = sys.modules.get(getattr(work, "__module__", ""), None)
    for name in getattr(module, "PRELOAD", ()):
        if name not in sys.modules:
            importlib.import_module(name)


# -- the task, waiting for its child ------------------------------------------------------------

class _Watch:
    """What the waiting task looks at besides its child: is the task still wanted, and the memory
    limit of the worker it runs on (both unknown outside a Dask worker)."""

    def __init__(self, worker=None, key=None) -> None:
        self.worker, self.key = worker, key
        self.memory_limit = None
        if worker is not None:
            import dask

            limit = getattr(getattr(worker, "memory_manager", None), "memory_limit", None)
            fraction = dask.config.get("distributed.worker.memory.terminate", 0.95)
            if limit and fraction:
                self.memory_limit = int(limit * fraction)

    @classmethod
    def here(cls) -> "_Watch":
        try:
            from distributed import get_worker

            worker = get_worker()
            return cls(worker, worker.get_current_task())
        except (ImportError, ValueError, AttributeError):
            return cls()

    def unwanted(self) -> bool:
        if self.worker is None:
            return False
        if self.worker.status.name not in ("running", "paused", "closing_gracefully"):
            return True
        state = self.worker.state.tasks.get(self.key)
        return state is None or state.state == "cancelled"


def _wait(pid: int, reader: int, status, hard_limit_s: float | None, watch: _Watch) -> tuple:
    import select

    started = time.monotonic()
    chunks: list[bytes] = []
    poller = select.poll()
    poller.register(reader, select.POLLIN | select.POLLHUP)
    try:
        while True:
            if poller.poll(POLL_S * 1000):
                chunk = os.read(reader, 1 << 20)
                if not chunk:
                    break                           # every holder of the pipe (the child, its helpers) has left
                chunks.append(chunk)
                continue
            if hard_limit_s is not None and time.monotonic() - started > hard_limit_s:
                _kill(pid)
                return ("crash", overdue_reason(hard_limit_s), "limit exceeded")
            if watch.unwanted():
                _kill(pid)
                return ("cancelled",)
            if watch.memory_limit and (rss := _rss(pid)) > watch.memory_limit:
                _kill(pid)
                return ("crash", f"the check used {rss / 2**20:,.0f} MiB of memory, over the worker's limit of "
                                 f"{watch.memory_limit / 2**20:,.0f} MiB, and was stopped", "resource error")
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(reader)
    code = exit_status(status)
    if chunks and code in (0, None):                # None: the zygote could not say
        # passed on as it came: unpickled by the run's caller, never in the Dask worker (which then
        # keeps nothing of it: one bytes object, freed whole once the caller has it)
        return ("pickled", b"".join(chunks))
    return ("crash", died(_how(code)), "crash")


def _how(code: int | None) -> str:
    if code is None:
        return "it left without a result"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return f"exit status {code}"


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _kill(pid: int) -> None:
    """The child's process group (it and the helpers it forked); the zygote collects it."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass
