"""Run one task per item on Dask distributed: a LocalCluster of single-threaded worker processes (one
per job) by default, or the cluster behind a scheduler address (`dask scheduler` + `dask worker`s on
other machines, which must see the submissions at the same paths: a shared filesystem).

Why each task runs in a process of its own rather than in the Dask worker (isolate.py, zygote.py):
- the time limit (limits.py) is a SIGALRM timer, and signals reach only a process's main thread;
  a Dask worker runs tasks in threads. The task's process runs the work in its main thread;
- a check stuck in native code (the IFC parser, the geometry kernel) cannot be stopped inside a
  thread; the Dask task kills its process at `hard_limit_s` and reports that task alone, over the
  limit;
- a check that segfaults or is killed takes only its process with it: the Dask task reports a
  crash for that submission alone, and the worker goes on with the next one. Were the Dask
  worker itself to die, Dask would retry every task it held and could not say which one did it;
- ifcopenshell keeps ~1.25 × each model's size after a check (a 63 MB model: +80 MiB). The
  process ends with its submission, so everything it allocated goes back at once: the Dask worker
  stays at its start-up size however long the batch, with no recycling to tune.
The processes come from a zygote: once per run and worker, the worker forks a process that runs
the run's `initializer` (the checker compiles its rules there) and then forks one child per task,
which starts with everything imported and prepared: ~10 ms per task instead of ~0.15 s. Only the
zygote is forked from the Dask worker, which has threads; why that is safe is in zygote.py, and
tests/test_batch_cluster.py starts hundreds of zygotes while other threads of the worker hold
every lock they can.

Dask's own guards stay as the backstop: each worker has a memory limit (LocalCluster: the machine's
memory shared out; the task also stops a child above it), the nanny restarts a worker that dies,
and a task whose workers died `allowed-failures` + 1 times arrives as KilledWorker — reported as a
crash of that task alone. A task Dask cancels (the scheduler restarted, the cluster went away) is
not the submission's fault: the run stops with a ClusterError and stores nothing for it, and
running the same command again does the rest.

Interrupting (Ctrl-C, or SIGTERM turned into KeyboardInterrupt by the caller): the futures are
cancelled, each Dask task kills its process, the run's zygotes go, the local cluster is closed (its workers killed if they do
not stop in time), and KeyboardInterrupt goes on to the caller; no process is left behind. The
local workers ignore SIGINT — the terminal sends Ctrl-C to the whole process group, and only the
process that started the run decides what it means.
"""

from __future__ import annotations

import os
import pickle
from contextlib import contextmanager
from typing import Callable, Iterator

from ..errors import ComplianceError
from .isolate import Shared, died, overdue_reason, run_isolated

__all__ = ["ClusterError", "connect", "overdue_reason", "run_on", "run_tasks"]

ALLOWED_FAILURES = 2          # a LocalCluster's tasks: retried on a fresh worker twice before KilledWorker
CONNECT_TIMEOUT_S = 15        # reaching a scheduler, and waiting for its first worker
MIN_WINDOW = 8                # tasks at the scheduler at once, at least (run_on)
CLOSE_TIMEOUT_S = 10          # closing a LocalCluster before its worker processes are killed


class ClusterError(ComplianceError):
    """The cluster cannot run the tasks (unreachable scheduler, no workers, lost connection)."""

    kind = "cluster error"


def run_tasks(tasks: list, jobs: int, work: Callable, initializer: Callable, initargs: tuple,
              on_result: Callable, on_crash: Callable, hard_limit_s: float | None = None,
              scheduler: str | None = None, prepare: Callable | None = None) -> None:
    """Call `on_result(task, result)` for each task as it completes, with `result = work(task)` run
    in a process where `initializer(*initargs)` ran first; or `on_crash(task, reason, kind)` for a
    task whose process died ("crash"), ran past `hard_limit_s` ("limit exceeded"), went over the
    worker's memory limit ("resource error") or whose work raised ("crash"). `work`, `initializer`
    and the tasks must be picklable (module-level functions). Both callbacks run in the calling
    thread. `jobs` worker processes on this machine, or the cluster of `scheduler` (jobs unused).
    `prepare(task)`: what is sent for a task, made just before it is submitted (Session.run)."""
    tasks = list(tasks)
    if not tasks:
        return
    with started(min(max(1, jobs), len(tasks)), scheduler, work, initializer, initargs) as session:
        session.run(tasks, on_result, on_crash, hard_limit_s, prepare=prepare)


@contextmanager
def started(jobs: int, scheduler: str | None, work: Callable, initializer: Callable, initargs: tuple):
    """A Session on a cluster started (or reached) now, its workers already preparing the run while
    the caller prepares its tasks; everything stopped on leaving."""
    with connect(jobs, scheduler) as client, Session(client, work, initializer, initargs) as session:
        yield session


def run_on(client, tasks: list, work: Callable, initializer: Callable, initargs: tuple, on_result: Callable,
           on_crash: Callable, hard_limit_s: float | None = None, cwd: str | None = None,
           prepare: Callable | None = None) -> None:
    """run_tasks on a connected Client (one the caller keeps, as the web app does). `cwd`: the folder
    each task's process works in (default: this process's; the workers see it at the same path)."""
    if tasks:
        with Session(client, work, initializer, initargs) as session:
            session.run(tasks, on_result, on_crash, hard_limit_s, cwd, prepare)


class Session:
    """One run on a connected Client. Opening it sends the initializer's arguments once to each
    worker (and to any that joins or restarts), not with every task — a batch's hold the registry's
    keys — and each worker starts the run's zygote at once (isolate.warm), so the run's preparation
    (imports, the rule set compiled) overlaps the caller's. Closing it stops the zygotes."""

    def __init__(self, client, work: Callable, initializer: Callable, initargs: tuple) -> None:
        import uuid

        self.client, self.work, self.initializer = client, work, initializer
        self.name = getattr(work, "__name__", "task")
        self.run_id = uuid.uuid4().hex[:8]
        self.shared = Shared(f"compliance-run-{self.run_id}")
        client.register_plugin(run_plugin(self.shared.name, initargs, (work, initializer)))

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        try:                   # best effort: with the connection gone, the scheduler drops it itself
            self.client.unregister_worker_plugin(self.shared.name)
        except Exception:
            pass

    def run(self, tasks: list, on_result: Callable, on_crash: Callable, hard_limit_s: float | None = None,
            cwd: str | None = None, prepare: Callable | None = None) -> None:
        """Tasks go to the scheduler a window at a time (twice the cluster's threads, at least
        MIN_WINDOW), the next as one finishes: what a task carries (`prepare(task)`, e.g. a filing's
        stored facts) is made only then, so a run over 16,000 filings holds a window of them, not all."""
        from distributed import as_completed

        client, waiting = self.client, {}
        pending = iter(enumerate(tasks))

        def submit_next():
            n, task = next(pending, (None, None))
            if n is None:
                return None
            future = client.submit(run_isolated, prepare(task) if prepare is not None else task, work=self.work,
                                   initializer=self.initializer, initargs=self.shared, hard_limit_s=hard_limit_s,
                                   cwd=cwd or os.getcwd(), key=f"{self.name}-{self.run_id}-{n}", pure=False)
            waiting[future] = task
            return future

        try:
            window = max(MIN_WINDOW, 2 * sum(client.nthreads().values()))
            running = as_completed([f for f in (submit_next() for _ in range(window)) if f is not None],
                                   loop=client.loop)
            for future in running:
                task = waiting.pop(future)
                outcome = outcome_of(future, client)
                future.release()
                following = submit_next()
                if following is not None:
                    running.add(following)
                if outcome[0] == "ok":
                    on_result(task, outcome[1])
                elif outcome[0] == "crash":
                    on_crash(task, outcome[1], outcome[2])
        finally:
            if waiting:        # tasks still in flight are cancelled (each kills its process)
                try:
                    client.cancel(list(waiting), reason="the run was stopped")
                except Exception:
                    pass


def outcome_of(future, client) -> tuple:
    """What a finished future says: ("ok", result) or ("crash", reason, kind), from
    isolate.run_isolated's tuple (unpickled here) or from what Dask reports."""
    from distributed import KilledWorker
    from distributed.utils import CancelledError

    try:
        outcome = future.result()
    except KilledWorker:
        return ("crash", died("its Dask worker died each time it ran it"), "crash")
    except CancelledError as exc:
        raise ClusterError(f"the cluster dropped a task ({exc}): the scheduler restarted or lost its workers",
                           hint="every submission finished so far is stored: run the same command again once "
                                "the cluster is back") from None
    except Exception as exc:
        if getattr(client, "status", "running") not in ("running", "connecting"):
            raise ClusterError("lost the connection to the Dask scheduler",
                               hint="every submission finished so far is stored: run the same command again "
                                    "once the scheduler is back") from None
        return ("crash", f"the worker failed ({type(exc).__name__}: {exc})", "crash")
    if outcome[0] != "pickled":
        return outcome
    try:
        return pickle.loads(outcome[1])
    except Exception as exc:
        return ("crash", f"the worker failed (its result could not be read: {type(exc).__name__}: {exc})", "crash")


# -- the cluster -------------------------------------------------------------------------------------

@contextmanager
def connect(jobs: int, scheduler: str | None = None):
    """A Client on `jobs` local worker processes, or on the cluster at `scheduler`; closed (and the
    local cluster with all its processes stopped) on leaving, however that happens."""
    if scheduler:
        client = connect_remote(scheduler)
        try:
            yield client
        finally:
            with _signals_held():
                client.close(timeout=CLOSE_TIMEOUT_S)
        return
    client, cluster = _local(jobs)
    try:
        yield client
    finally:
        with _signals_held():
            _close_local(client, cluster)


def connect_remote(scheduler: str, folder: str | None = None):
    """A Client on the scheduler at `scheduler`, checked: reachable, with a worker, the workers
    running this checker's version and seeing `folder` (default: this one) at the same path."""
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({exc})",
                           hint="start it (`dask scheduler`) and give its address as tcp://HOST:PORT, or leave "
                                "out --scheduler to check on this machine") from None
    try:
        _check_workers(client, scheduler, folder or os.getcwd())
    except BaseException:
        client.close()
        raise
    return client


def _check_workers(client, scheduler: str, cwd: str) -> None:
    from ..build import build_identity

    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (TimeoutError, OSError):
        raise ClusterError(f"the Dask scheduler at {scheduler} has no workers",
                           hint=f"start some where the submissions are reachable: `dask worker {scheduler}`") from None
    seen = client.run(_worker_view, cwd)
    here = build_identity()            # a check's key names the build: a worker must run this one
    versions = {addr: v for addr, (_, _, v) in seen.items() if v != here}
    if versions:
        shown = ", ".join(f"{addr} ({v or 'no checker'})" for addr, v in sorted(versions.items()))
        raise ClusterError(f"Dask workers run another build of the checker than this one ({here}): {shown}",
                           hint="install the same version on every worker machine and restart the workers")
    blind = [f"{addr} on {host}" for addr, (host, sees, _) in sorted(seen.items()) if not sees]
    if blind:
        raise ClusterError(f"Dask workers cannot see this folder ({cwd}): {', '.join(blind)}",
                           hint="the workers must see the submissions at the same paths (a shared filesystem "
                                "mounted alike on every machine); run from such a folder, or without --scheduler")


def _worker_view(cwd: str) -> tuple:
    """On each worker: its host, whether it sees the run's folder, the checker's build."""
    import socket

    try:
        from compliance.build import build_identity

        version = build_identity()
    except ImportError:
        version = None
    return socket.gethostname(), os.path.isdir(cwd), version


def run_plugin(name: str, value, warm: tuple | None = None):
    """A worker plugin holding one run's state on each worker (isolate.Shared names it): the
    initializer's arguments, and the run's zygote, started as soon as the plugin is set up when
    `warm` = (work, initializer) is given (else by the first task); removing the plugin (the run is
    over) stops the zygote. (A class made here: distributed is imported only when a cluster is used.)"""
    from distributed.diagnostics.plugin import WorkerPlugin

    class RunState(WorkerPlugin):
        def __init__(self, name: str, value, warm) -> None:
            self.name, self.value, self.warm = name, value, warm

        def setup(self, worker) -> None:
            import threading

            self.lock, self.zygote, self.ended = threading.Lock(), None, threading.Event()
            if self.warm is not None:
                from .isolate import warm as start_zygote

                threading.Thread(target=start_zygote, args=(self, worker, *self.warm), daemon=True,
                                 name=f"{self.name}-warm").start()

        def teardown(self, worker) -> None:
            self.ended.set()
            with self.lock:
                if self.zygote is not None:
                    self.zygote.stop()
                    self.zygote = None

    return RunState(name, value, warm)


def _ignore_sigint_plugin():
    """A worker plugin for the local cluster's workers (run again after a restart): Ctrl-C at the
    terminal reaches the whole process group, and the process that started the run alone decides
    what it means. (A class made here: distributed is imported only when a cluster is started.)"""
    from distributed.diagnostics.plugin import WorkerPlugin

    class IgnoreSigint(WorkerPlugin):
        name = "compliance-ignore-sigint"
        idempotent = True

        def setup(self, worker) -> None:
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)

    return IgnoreSigint()


def _local(jobs: int):
    import logging

    import dask
    from distributed import Client, LocalCluster

    # one task per worker thread at a time (no task waiting on a worker behind another): a worker
    # that dies is then blamed on the task it was running only
    config = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
              "distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set(config), _sigint_ignored():
        # workers spawned now start with SIGINT ignored; the plugin keeps it so after a restart
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                               # every task's failure is reported with its task; Dask's own log lines
                               # (a heartbeat failing while the cluster closes) are not for the user
                               dashboard_address=None, silence_logs=logging.CRITICAL,
                               # no dashboard; its HTTP server (health checks) on any free loopback port
                               scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
        try:
            client = Client(cluster, set_as_default=False)
            client.register_plugin(_ignore_sigint_plugin())
        except BaseException:
            cluster.close()
            raise
    return client, cluster


def _close_local(client, cluster) -> None:
    """Close the client and the cluster; then kill what is still running of the worker processes
    (and their descendants) the cluster had when asked to close."""
    import psutil

    procs = []
    for nanny in list(getattr(cluster, "workers", {}).values()):
        try:
            proc = psutil.Process(nanny.pid) if getattr(nanny, "pid", None) else None
            procs += [proc, *proc.children(recursive=True)] if proc else []
        except psutil.Error:
            pass
    for close in (client.close, lambda: cluster.close(timeout=CLOSE_TIMEOUT_S)):
        try:
            close()
        except Exception:                   # closing is best effort; what survives is killed below
            pass
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)


@contextmanager
def _sigint_ignored():
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Closing the cluster is not cut short by a second Ctrl-C or a SIGTERM: they wait until it is done
    (then the first of them takes effect)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda s, f: caught.append(s)) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        for sig in caught[:1]:
            handler = previous[signal.Signals(sig)]
            if callable(handler):
                handler(sig, None)
            elif handler == signal.SIG_DFL and sig == signal.SIGINT:
                raise KeyboardInterrupt
            elif handler == signal.SIG_DFL:
                signal.raise_signal(sig)
