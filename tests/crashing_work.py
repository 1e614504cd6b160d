"""Work functions for tests/test_batch_cluster.py: real work that really kills its process, hangs in
"native code", leaks, or holds memory for chosen tasks, importable by Dask worker processes."""

import os
import signal
import time

SETTINGS: dict = {}
LEAKED: list = []


def start(crash_on: frozenset, hang_on: frozenset = frozenset(), **more) -> None:
    SETTINGS.update(crash_on=crash_on, hang_on=hang_on, **more)


def worker_pid() -> int:
    """The Dask worker's pid: the parent of the run's zygote, this task's process's parent."""
    with open(f"/proc/{os.getppid()}/stat", "rb") as f:
        return int(f.read().rsplit(b")", 1)[1].split()[1])


def square_or_die(task: int) -> tuple[int, int, int, int]:
    """(task, task², the pid that ran it, the Dask worker's pid)."""
    if task in SETTINGS["crash_on"]:
        os._exit(139)               # no exception, no cleanup: the process is simply gone
    if task in SETTINGS.get("hang_on", ()):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT, signal.SIGTERM})
        time.sleep(600)             # like a native loop: no Python-level handler gets to run
    if task in SETTINGS.get("kill_worker_on", ()):
        os.kill(worker_pid(), signal.SIGKILL)       # the Dask worker itself dies (Dask's backstop)
        time.sleep(600)
    if task in SETTINGS.get("kill_zygote_on", ()):
        os.kill(os.getppid(), signal.SIGKILL)       # the run's process on this worker dies
        time.sleep(600)
    if task in SETTINGS.get("raise_on", ()):
        raise ValueError(f"task {task} is bad")
    if task in SETTINGS.get("soft_limit_on", ()):
        from compliance.limits import LimitExceeded, time_limit

        try:
            with time_limit(0.5):
                time.sleep(30)
        except LimitExceeded as exc:
            return task, -1, os.getpid(), worker_pid(), exc.message
    if mb := SETTINGS.get("hold_mb", {}).get(task):
        held = b"x" * (mb << 20)    # touched: resident, not just reserved
        time.sleep(3)
        del held
    if mb := SETTINGS.get("leak_mb"):
        LEAKED.append(b"x" * (mb << 20))           # as ifcopenshell keeps what it read
    time.sleep(SETTINGS.get("sleep_s", 0.05))      # long enough for every worker to be used
    return task, task * task, os.getpid(), worker_pid()


def worker_rss(task: int) -> tuple[int, int]:
    """The resident memory of the Dask worker, and of the run's zygote, in bytes."""
    sizes = []
    for pid in (worker_pid(), os.getppid()):
        with open(f"/proc/{pid}/statm", "rb") as f:
            sizes.append(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    return tuple(sizes)


def chatty(task: int) -> tuple[int, int]:
    """Uses what the Dask worker's other threads were using at the fork: logging, stderr, malloc."""
    import json
    import logging
    import sys

    logging.getLogger("distributed.hostile").warning("child %s logging", task)
    print(f"child {task} printing", file=sys.stderr)
    json.dumps([{"k": i} for i in range(2000)])
    return task, os.getpid()


def no_setup() -> None:
    pass


def hostile_plugin():
    """A worker plugin whose threads keep logging, printing, allocating, collecting and importing in
    the Dask worker, so that forks happen while they hold locks."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class Hostile(WorkerPlugin):
        name = "hostile-threads"

        def setup(self, worker) -> None:
            import threading

            self.stop = threading.Event()
            for i in range(3):
                threading.Thread(target=_noise, args=(self.stop, i), daemon=True, name=f"hostile-{i}").start()

        def teardown(self, worker) -> None:
            self.stop.set()

    return Hostile()


def _noise(stop, i: int) -> None:
    import gc
    import importlib
    import json
    import logging
    import sys

    log = logging.getLogger("distributed.hostile")
    handler = logging.StreamHandler(open(os.devnull, "w"))
    log.addHandler(handler)
    modules = ["csv", "uuid", "decimal", "fractions", "statistics", "textwrap", "difflib", "zipfile"]
    n = 0
    while not stop.is_set():
        n += 1
        log.warning("noise %s %s", i, n)
        sys.stderr.write("")
        sys.stderr.flush()
        json.dumps([{"n": n, "s": "x" * 100} for _ in range(500)])
        if n % 50 == 0:
            gc.collect()
        importlib.import_module(modules[n % len(modules)])
