"""Worker functions for tests/test_batch_pool.py: real work that really kills its process for
chosen tasks (the way a segfault in a native library would), importable by worker processes."""

import os
import signal
import time

SETTINGS: dict = {}


def start(crash_on: frozenset, hang_on: frozenset = frozenset()) -> None:
    SETTINGS["crash_on"] = crash_on
    SETTINGS["hang_on"] = hang_on


def square_or_die(task: int) -> tuple[int, int]:
    if task in SETTINGS["crash_on"]:
        os._exit(139)               # no exception, no cleanup: the process is simply gone
    if task in SETTINGS.get("hang_on", ()):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT})
        time.sleep(600)             # like a native loop: no Python-level handler gets to run
    time.sleep(0.05)                # long enough for the pool to use every worker
    return task, task * task, os.getpid()
