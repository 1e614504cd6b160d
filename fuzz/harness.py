"""What the three harnesses share: crash signatures, known-bug suppression, exec counting.

- `signature(exc)`: "<ExceptionType> @ <innermost project frame>" (e.g. "ValidationError @
  compliance/read/areas.py:114 figure"): one per distinct bug, however the input differs.
- `FUZZ_KNOWN=<file>`: signatures (one a line) the harness swallows, so that a restarted run
  (fuzz/run.py) looks for the *next* bug instead of hitting the same one again. Unset: every
  unexpected exception is reported.
- `FUZZ_STATS=<file>`: the number of inputs run so far, written every few seconds (libFuzzer's
  own count is lost when a run dies on a crash).
- `FUZZ_ARTIFACTS=<folder>`: a new exception's input is also saved there as crash-<sha1> (the
  name libFuzzer gives it) before it is re-raised, in case the process dies before libFuzzer
  writes its own copy.
- A process the reader forks (the geometry kernel runs in forked children, so that a crash in
  native code costs one element, not the run) must not inherit libFuzzer's crash handlers: a
  child's segfault would be reported as the fuzzer's own (crash artifact, exit 77, and the
  parent taken down with it). `_child_defaults` puts the default handlers back in every child,
  so a crash there is what it is in production: a child killed by a signal, which the reader
  handles.
- faulthandler is armed inside the first input (after libFuzzer has installed its signal
  handlers, which it chains to), so a segfault or a hang prints the Python stack as well.
"""

from __future__ import annotations

import faulthandler
import hashlib
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

PROJECT = Path(__file__).resolve().parents[1]
HANG_DUMP_S = float(os.environ.get("FUZZ_HANG_DUMP_S", "18"))   # a little under libFuzzer's -timeout=20


def signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/compliance/" in f.filename] or frames[-1:]
    where = "?"
    if ours:
        f = ours[-1]
        try:
            rel = Path(f.filename).resolve().relative_to(PROJECT)
        except ValueError:
            rel = Path(f.filename).name
        where = f"{rel}:{f.lineno} {f.name}"
    return f"{type(exc).__name__} @ {where}"


def _known() -> set[str]:
    path = os.environ.get("FUZZ_KNOWN")
    if not path or not Path(path).is_file():
        return set()
    return {line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()}


FATAL_SIGNALS = ("SIGSEGV", "SIGBUS", "SIGABRT", "SIGFPE", "SIGILL", "SIGALRM", "SIGUSR1", "SIGUSR2",
                 "SIGINT", "SIGTERM", "SIGXCPU", "SIGXFSZ")


def _child_defaults() -> None:
    faulthandler.disable()          # (not cancel_dump_traceback_later: its thread is the parent's; waiting on it hangs)
    for name in FATAL_SIGNALS:
        try:
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        except (OSError, ValueError, AttributeError):
            pass


def guard(test: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """Wrap a TestOneInput: known bugs swallowed, new ones printed with their signature and re-raised."""
    known = _known()
    stats = os.environ.get("FUZZ_STATS")
    artifacts = os.environ.get("FUZZ_ARTIFACTS")
    state = {"runs": 0, "written": time.monotonic(), "armed": False}

    def run(data: bytes) -> None:
        if not state["armed"]:
            faulthandler.enable(all_threads=True)
            os.register_at_fork(after_in_child=_child_defaults)
            state["armed"] = True
        state["runs"] += 1
        if stats and time.monotonic() - state["written"] > 5:
            Path(stats).write_text(str(state["runs"]))
            state["written"] = time.monotonic()
        if HANG_DUMP_S > 0:
            faulthandler.dump_traceback_later(HANG_DUMP_S, exit=False)
        try:
            test(data)
        except Exception as exc:
            sig = signature(exc)
            if sig in known:
                return
            print(f"\nFUZZ-SIGNATURE: {sig}", file=sys.stderr, flush=True)
            if artifacts:
                path = Path(artifacts) / f"crash-{hashlib.sha1(data).hexdigest()}"
                path.write_bytes(data)
                print(f"FUZZ-INPUT: {path}", file=sys.stderr, flush=True)
            if stats:
                Path(stats).write_text(str(state["runs"]))
            raise
        finally:
            if HANG_DUMP_S > 0:
                faulthandler.cancel_dump_traceback_later()

    return run


def fuzz(test: Callable[[bytes], None], mutator: Callable, max_len: int) -> None:
    """Run one harness under atheris: `test` guarded, `mutator` as the custom mutator, inputs up
    to `max_len` bytes unless the command line gives -max_len."""
    import atheris

    argv = list(sys.argv)
    if not any(a.startswith("-max_len") for a in argv):
        argv.insert(1, f"-max_len={max_len}")
    atheris.Setup(argv, guard(test), custom_mutator=mutator)
    atheris.Fuzz()
