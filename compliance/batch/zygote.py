"""A run's process on one Dask worker, which forks a fresh process per task (see isolate.py).

The zygote is forked from the Dask worker once per run (and worker), turns itself into a plain
single-threaded process (`become_plain`), runs the run's `initializer(*initargs)` once — the
checker compiles its rules there — and then serves: for each task it forks a child, which runs
`work(task)` in its main thread with everything the initializer prepared, and leaves. So a task
costs a fork of a small single-threaded process (~5 ms), not the initializer again (~0.15 s), and
only the zygote is forked from a process that has threads.

Per task, the task's thread in the worker sends the zygote, over the control socket, two file
descriptors (SCM_RIGHTS): its end of a status socket pair and the write end of a result pipe. The
zygote forks the child, which inherits both, then closes its copy of the pipe and writes on the
status socket the child's pid; the task's thread sends the request (work, task, working folder)
on the same socket, the child reads it and writes its pickled outcome into the pipe; when the
child has left, the zygote reaps it and writes its exit status on the status socket. The pipe's
end-of-file says the child (and every helper it forked) has left; the pid lets the task kill the
child's process group; the status says how it ended.

The zygote leaves when the worker closes the control socket (the run ended: the plugin that holds
it is removed) or dies (end-of-file, and PR_SET_PDEATHSIG), killing its children first. Its
children die with it (PR_SET_PDEATHSIG again).

Forking the Dask worker (threads: its event loop, the stop-queue watcher, maybe a profiler) copies
only the forking thread; a lock another thread held at that instant stays held in the copy
forever. What the zygote and its children use, and why no such lock can hang them:
- the interpreter: CPython re-initialises the GIL, the import lock and `threading` after fork, and
  the forking thread becomes the main thread (so `signal` and the checker's time limit work);
- allocation: glibc's malloc takes its locks around fork (pthread_atfork);
- logging: the handlers' locks are re-initialised after fork (logging's at-fork hooks); their
  streams' are not, so every handler gets a fresh stream on the same file (`_restream_logging`);
- sys.stdout / sys.stderr: a buffered stream's lock is not re-initialised after fork: both are
  replaced by fresh streams on the same file descriptors;
- imports: a module another thread was importing would stay locked: the modules the work needs
  (`PRELOAD` in its module) are imported in the worker before the first fork, under the same lock
  as every fork (`FORKING`);
- signals: the worker's asyncio loop routes signals through a wake-up fd it shares with the copy;
  the zygote drops it, restores default handlers (SIGINT ignored: the process that started the run
  decides what Ctrl-C means) and unblocks every signal.
A child that hung on something missed here would be killed at the hard limit and reported alone;
tests/test_batch_cluster.py starts hundreds of zygotes while other threads of the worker log,
print, allocate and import without pause, and none hangs.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import socket
import struct
import sys
import threading

FORKING = threading.Lock()            # a worker forks (or imports PRELOAD) one thread at a time; a lock, not a cache
_FRAME = struct.Struct("!cq")         # (kind, number): b"P" the child's pid, b"S" its exit status
_LENGTH = struct.Struct("!Q")


class ZygoteGone(Exception):
    """The zygote is not there any more (killed, or its worker closing): start another."""


class Zygote:
    """The worker's handle on one run's zygote."""

    def __init__(self, pid: int, control: socket.socket) -> None:
        self.pid, self.control = pid, control
        self.lock = threading.Lock()

    @classmethod
    def start(cls, initializer, initargs: tuple, others=()) -> "Zygote":
        """Fork it (the caller holds FORKING). `others`: the worker's other zygotes, whose control
        sockets the new one closes (else it would keep them open after the worker died)."""
        import warnings

        ours, theirs = socket.socketpair()
        parent = os.getpid()
        with warnings.catch_warnings():         # Python 3.12+: "fork() may lead to deadlocks" — see above
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            code = 70
            try:
                ours.close()
                for other in others:
                    other.control.close()
                become_plain(parent)
                _serve(theirs, initializer, initargs)
                code = 0
            finally:
                os._exit(code)
        theirs.close()
        return cls(pid, ours)

    def spawn(self, work, task, cwd: str | None, timeout: float | None) -> tuple[int, socket.socket, int]:
        """A child running `work(task)`: (its pid, the status socket, the result pipe's read end)."""
        mine, theirs = socket.socketpair()
        reader, writer = os.pipe()
        try:
            with FORKING, self.lock:            # no other fork may inherit the pipe's write end
                try:
                    socket.send_fds(self.control, [b"T"], [theirs.fileno(), writer])
                finally:
                    theirs.close()
                    os.close(writer)
            mine.settimeout(timeout)
            kind, pid = _read_frame(mine)
            if kind != b"P":
                raise ZygoteGone(f"unexpected {kind!r}")
            request = pickle.dumps((work, task, cwd), protocol=pickle.HIGHEST_PROTOCOL)
            mine.sendall(_LENGTH.pack(len(request)) + request)
            mine.settimeout(None)
        except (OSError, EOFError, ZygoteGone) as exc:
            mine.close()
            os.close(reader)
            raise ZygoteGone(str(exc)) from None
        return pid, mine, reader

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def stop(self) -> None:
        """Close its control socket (it kills its children and leaves), then make sure."""
        self.control.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def exit_status(status: socket.socket, timeout: float = 10) -> int | None:
    """The child's exit status as the zygote tells it (negative: the signal), None if it cannot."""
    try:
        status.settimeout(timeout)
        kind, value = _read_frame(status)
        return value if kind == b"S" else None
    except (OSError, EOFError):
        return None


# -- in the zygote -----------------------------------------------------------------------------------

def _serve(control: socket.socket, initializer, initargs: tuple) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)     # wakes the poll below
    try:
        initializer(*initargs)
        failed = None
        # what the run prepared goes to the permanent generation: a child's collections do not walk
        # it (nor write to its pages, which the child would then copy): ~20 % of a short task
        gc.collect()
        gc.freeze()
    except BaseException as exc:                    # noqa: B036 - each task says it, none is run
        failed = f"the worker failed while preparing the run ({type(exc).__name__}: {exc})"
    children: dict[int, socket.socket] = {}
    poller = select.poll()
    poller.register(control, select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    try:
        while True:
            for fd, _ in poller.poll(1000):
                if fd == wake_r:
                    while _drain(wake_r):
                        pass
                    continue
                message, fds, _, _ = socket.recv_fds(control, 16, 2)
                if not message:
                    return                          # the worker closed it, or died
                status = socket.socket(fileno=fds[0])
                pid = os.fork()
                if pid == 0:
                    _child(status, fds[1], failed, control, (wake_r, wake_w), children)
                os.close(fds[1])
                try:
                    status.sendall(_FRAME.pack(b"P", pid))
                except OSError:
                    pass                            # the task is gone; the child finds no request
                children[pid] = status
            _reap(children)
    finally:
        for pid in children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


def _drain(fd: int) -> bool:
    try:
        return bool(os.read(fd, 512))
    except BlockingIOError:
        return False


def _reap(children: dict) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        sock = children.pop(pid, None)
        if sock is not None:
            try:
                sock.sendall(_FRAME.pack(b"S", os.waitstatus_to_exitcode(status)))
            except OSError:
                pass
            sock.close()


def _child(status: socket.socket, result: int, failed: str | None, control, wake: tuple, siblings: dict) -> None:
    """One task: read the request, run it, write the outcome into the result pipe, leave."""
    code = 70
    try:
        control.close()
        for sock in siblings.values():
            sock.close()
        signal.set_wakeup_fd(-1)
        for fd in wake:
            os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setpgid(0, 0)                            # the task kills this group: the child and its helpers
        _die_with_parent()
        try:
            (length,) = _LENGTH.unpack(_read_exactly(status, _LENGTH.size))
            work, task, cwd = pickle.loads(_read_exactly(status, length))
            status.close()
            outcome = ("crash", failed, "crash") if failed else _enter(cwd) or ("ok", work(task))
        except BaseException as exc:                # noqa: B036 - everything is reported, nothing escapes
            outcome = ("crash", f"the worker failed ({type(exc).__name__}: {exc})", "crash")
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = pickle.dumps(("crash", f"the worker failed (its result could not be sent back: "
                                          f"{type(exc).__name__}: {exc})", "crash"))
        view = memoryview(data)
        while view:
            view = view[os.write(result, view):]
        code = 0
    finally:
        os._exit(code)


def _enter(cwd: str | None) -> tuple | None:
    """Into the run's working folder (relative paths in a task mean what they meant there)."""
    if not cwd:
        return None
    try:
        os.chdir(cwd)
    except OSError as exc:
        return ("crash", f"this worker ({socket.gethostname()}) cannot see the run's working folder {cwd} "
                         f"({exc.strerror}): the workers must see the submissions at the same paths, on a shared "
                         "filesystem", "crash")
    return None


# -- leaving the Dask worker behind -----------------------------------------------------------------

def become_plain(parent: int) -> None:
    """In a process just forked from a Dask worker: own process group, default signals, fresh
    standard streams and log streams, standard input from /dev/null; dies with its parent."""
    os.setpgid(0, 0)
    _die_with_parent()
    if os.getppid() != parent:                      # the worker died before the line above
        os._exit(1)
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM,
                signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    for sig in (signal.SIGINT, signal.SIGTTOU, signal.SIGTTIN):    # Ctrl-C is the run's; a group of its own
        signal.signal(sig, signal.SIG_IGN)                          # may write to the terminal
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    fresh: dict[int, object] = {}
    for name, fd in (("stdout", 1), ("stderr", 2)):
        old = getattr(sys, name)
        try:
            stream = open(fd, "w", encoding=getattr(old, "encoding", None) or "utf-8", errors="backslashreplace",
                          buffering=1, closefd=False)
        except OSError:
            continue
        for known in (old, getattr(sys, f"__{name}__")):
            if known is not None:
                fresh[id(known)] = stream
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    _restream_logging(fresh)


def _restream_logging(fresh: dict) -> None:
    """Every logging handler's stream replaced by a fresh one on the same file (the worker's handler
    holds sys.stderr as it was; another may write a log file). Swapped directly: setStream() would
    flush the old stream first, which may wait forever for its lock."""
    import logging

    for ref in list(getattr(logging, "_handlerList", ())):
        handler = ref() if callable(ref) else ref
        stream = getattr(handler, "stream", None)
        if not isinstance(handler, logging.StreamHandler) or stream is None \
                or isinstance(getattr(type(handler), "stream", None), property):     # logging.lastResort
            continue
        if id(stream) not in fresh:
            try:
                fresh[id(stream)] = open(os.dup(stream.fileno()), "w", buffering=1, errors="backslashreplace",
                                         encoding=getattr(stream, "encoding", None) or "utf-8")
            except (OSError, ValueError, AttributeError):
                fresh[id(stream)] = sys.stderr      # not a file (a StringIO...): to standard error
        handler.stream = fresh[id(stream)]


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)    # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass                                        # not Linux: the task still kills it when overdue


def _read_frame(sock: socket.socket) -> tuple[bytes, int]:
    return _FRAME.unpack(_read_exactly(sock, _FRAME.size))


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
