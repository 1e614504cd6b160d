"""Worker functions for tests/test_batch_pool.py: real work that really kills its process for
chosen tasks (the way a segfault in a native library would), importable by worker processes."""

import os
import time

SETTINGS: dict = {}


def start(crash_on: frozenset) -> None:
    SETTINGS["crash_on"] = crash_on


def square_or_die(task: int) -> tuple[int, int]:
    if task in SETTINGS["crash_on"]:
        os._exit(139)               # no exception, no cleanup: the process is simply gone
    time.sleep(0.05)                # long enough for the pool to use every worker
    return task, task * task, os.getpid()
