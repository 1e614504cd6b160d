"""Share per-element work out to forked processes.

The geometry kernel is the one per-element cost worth spreading over cores, and it cannot use
threads on a lazily opened model (geometry.py). A forked child starts at once with everything
imported; it must not touch the parent's opened model (a lazily loaded file reads through a file
descriptor the fork shares, so two processes reading it race), so `child` opens its own. Each
child sends back plain records, pickled through a pipe, while the parent does the first share.

Used only where it is safe: a POSIX system and a single-threaded process (forking a process with
other threads can deadlock the child; the rule engine runs none, see evaluate/engine.py). A child that fails (an
exception, a result that cannot be read) costs nothing but time: its share is done again here.
A child killed by a signal (the kernel crashed on something in its share) is not retried here,
where the same crash would take the whole run down: `lost(share, signal)` says what to record.
"""

from __future__ import annotations

import os
import pickle
import threading
from typing import Callable, Sequence


def map_shares(items: Sequence, cores: int, *, here: Callable[[list], dict],
               child: Callable[[list], dict], lost: Callable[[list, int], dict] | None = None,
               isolate: bool = False) -> dict:
    """`here(share)` for the first of `cores` shares of `items`, `child(share)` in a forked process
    for each of the others; the dicts merged (each share's keys are its own). `lost(share, signal)`:
    the result for the share of a child a signal killed (default: done again here). `isolate`:
    every share goes to a child, so a crash in the work costs this process nothing (`here` then
    only redoes the share of a child that failed without crashing)."""
    items = list(items)
    if not items:
        return {}
    if not _can_fork() or (not isolate and (cores <= 1 or len(items) < 2)):
        return here(items)
    count = max(1, min(cores, len(items)))
    shares = [items[i::count] for i in range(count)]
    mine, theirs = ([], shares) if isolate else (shares[0], shares[1:])
    children = [_spawn(child, share) for share in theirs]
    try:
        out = here(mine) if mine else {}
        for (pid, reader), share in zip(children, theirs):
            out.update(_collect(pid, reader, here, share, lost))
    except BaseException:           # e.g. the time limit: the children's work is not wanted any more
        _stop(children)
        raise
    return out


def _stop(children: list) -> None:
    import signal

    for pid, reader in children:
        if pid is None:
            continue
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass                    # already collected
        try:
            os.close(reader)
        except OSError:
            pass                    # already closed by _collect


def _can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def _spawn(work: Callable[[list], dict], share: list) -> tuple[int | None, int | None]:
    try:
        reader, writer = os.pipe()
        pid = os.fork()
    except OSError:
        return None, None
    if pid == 0:                                        # the child: work, send, leave at once
        code = 1
        try:
            os.close(reader)
            data = pickle.dumps(work(share), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)                              # no atexit handlers, no flushing the parent's buffers
    os.close(writer)
    return pid, reader


def _collect(pid: int | None, reader: int | None, here: Callable[[list], dict], share: list,
             lost: Callable[[list, int], dict] | None = None) -> dict:
    """The child's result; its share done here when it failed, `lost` when a signal killed it."""
    if pid is None or reader is None:               # no child (_spawn returns both or neither)
        return here(share)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code < 0 and lost is not None and -code not in (9, 15):   # a crash, not a kill from outside
        return lost(share, -code)
    if code == 0:
        try:
            result = pickle.loads(data)
            if isinstance(result, dict):
                return result
        except Exception:       # a truncated or unreadable result
            pass
    return here(share)
