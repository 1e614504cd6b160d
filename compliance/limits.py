"""Resource limits of one submission: the largest model read, and the time a check may take.

A submission comes from outside the office: a 5 GB export or geometry the kernel chews on for an
hour must not stall the reviewer's queue. Each limit is a parameter (`--max-model-mb`,
`--time-limit` on `check` and `batch`); exceeding one is a `LimitExceeded`, which a batch
records as that submission's outcome before going on with the others.

The time limit is a SIGALRM timer in the main thread: the check is interrupted at the next
Python instruction. Inside the rule engine the interruption waits until the engine returns
(`uninterrupted`), so its state is never left half-asserted. A native call that never returns
(a parser or kernel loop) is not interrupted here; a batch also stops such a worker from outside
(batch/isolate.py).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ComplianceError

MAX_MODEL_MB = 1024.0        # the 1M-entity benchmark model is 63 MB; real exports reach a few hundred
TIME_LIMIT_S = 900.0         # the 1M-entity benchmark checks in ~5 s, with PDF ~10 s


class LimitExceeded(ComplianceError):
    """A submission bigger or slower than the limits allow: no verdict, and a message saying so."""

    kind = "limit exceeded"


@dataclass(frozen=True)
class Limits:
    max_model_mb: float | None = MAX_MODEL_MB     # None: no limit
    time_limit_s: float | None = TIME_LIMIT_S

    def hard_stop_s(self) -> float | None:
        """When a batch stops a worker from outside: the time limit, and a margin for the worker
        to stop by itself first (None: never)."""
        return None if self.time_limit_s is None else self.time_limit_s * 1.25 + 10

    def check_model_size(self, path: Path, size: int) -> None:
        if self.max_model_mb is not None and size > self.max_model_mb * 1e6:
            raise LimitExceeded(f"model is {_mb(size)}, more than the limit of {self.max_model_mb:g} MB",
                                file=path, hint="split the model by discipline or storey, or raise the limit "
                                                "with --max-model-mb if the office allows it")


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.1f} kB"


class _Deadline:
    """The SIGALRM handler of one `time_limit`: raises, unless the rule engine is running."""

    def __init__(self, seconds: float, folder: Path | None) -> None:
        self.seconds, self.folder = seconds, folder
        self.deferred = self.pending = False

    def __call__(self, signum, frame) -> None:
        if self.deferred:
            self.pending = True
            return
        self.fire()

    def fire(self) -> None:
        raise LimitExceeded(f"checking this submission took longer than the time limit of {self.seconds:g} s",
                            file=self.folder, hint="raise it with --time-limit SECONDS, or look for very "
                                                   "complex geometry (the model's largest elements)")


@contextmanager
def time_limit(seconds: float | None, folder: Path | None = None):
    """Raise LimitExceeded when the block runs longer than `seconds` (None or 0: no limit).
    Only in the main thread of a POSIX process (elsewhere the block runs unlimited)."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    deadline = _Deadline(seconds, folder)
    previous = signal.signal(signal.SIGALRM, deadline)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def uninterrupted():
    """A block the time limit must not cut in two (the rule engine): a deadline that passes
    inside it takes effect when it ends."""
    handler = signal.getsignal(signal.SIGALRM) if hasattr(signal, "SIGALRM") else None
    if not isinstance(handler, _Deadline) or handler.deferred:
        yield
        return
    handler.deferred = True
    try:
        yield
    finally:
        handler.deferred = False
        if handler.pending:
            handler.fire()
