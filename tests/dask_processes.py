"""A Dask cluster started as a deployment starts it: `dask scheduler` and `dask worker`s, each a
separate process in a session of its own, all stopped (with their children) when the context ends.
Every process started here, and every descendant, carries MARK in its environment, so a test can
tell whether any survived (`survivors`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DASK = str(Path(sys.executable).parent / "dask")
MARK = "COMPLIANCE_TEST_PROCESS_MARK"


def survivors(mark: str) -> list[int]:
    """Pids of live processes whose environment carries MARK=mark (zombies excluded)."""
    found = []
    needle = f"{MARK}={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue                    # gone meanwhile, or not ours
        if state != "Z":
            found.append(int(entry.name))
    return found


def wait_gone(mark: str, timeout: float = 20) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := survivors(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


class DaskProcesses:
    """`dask scheduler` + `workers` × `dask worker --nthreads 1`, on 127.0.0.1; `address` once up."""

    def __init__(self, folder: Path, workers: int = 2, mark: str = "dask-cluster", memory_limit: str = "4GiB",
                 pythonpath: tuple[str, ...] = ()):
        self.folder, self.workers, self.mark, self.memory_limit = Path(folder), workers, mark, memory_limit
        self.env = dict(os.environ, **{MARK: mark}, PYTHONPATH=os.pathsep.join([str(ROOT), *pythonpath]),
                        DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")       # as README advises
        self.procs: list[subprocess.Popen] = []
        self.address = ""

    def _start(self, *args: str, log: str) -> subprocess.Popen:
        out = open(self.folder / log, "wb")
        proc = subprocess.Popen([DASK, *args], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=self.env, cwd=ROOT, start_new_session=True)
        out.close()
        self.procs.append(proc)
        return proc

    def __enter__(self) -> "DaskProcesses":
        self.folder.mkdir(parents=True, exist_ok=True)
        info = self.folder / "scheduler.json"
        try:
            self._start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                        "--scheduler-file", str(info), log="scheduler.log")
            self.address = self._wait_for(lambda: info.exists() and json.loads(info.read_text())["address"],
                                          "the scheduler")
            for i in range(self.workers):
                self._start("worker", self.address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                            "--host", "127.0.0.1", "--memory-limit", self.memory_limit, "--name", f"w{i}",
                            log=f"worker-{i}.log")
            self._wait_for(self._all_workers, f"{self.workers} workers")
        except BaseException:
            self.stop()
            raise
        return self

    def _all_workers(self) -> bool:
        from distributed import Client

        with Client(self.address, timeout=10) as client:
            return len(client.scheduler_info()["workers"]) >= self.workers

    def _wait_for(self, probe, what: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"{what}: a dask process exited; see {self.folder}/*.log")
            try:
                value = probe()
            except (OSError, ValueError, KeyError):
                value = None
            if value:
                return value
            time.sleep(0.2)
        raise RuntimeError(f"{what} did not start within {timeout:g} s; see {self.folder}/*.log")

    def worker_pids(self) -> list[int]:
        """The worker processes proper (children of the `dask worker` nannies)."""
        import psutil

        pids = []
        for proc in self.procs[1:]:
            try:
                pids += [c.pid for c in psutil.Process(proc.pid).children() if "spawn_main" in " ".join(c.cmdline())]
            except psutil.Error:
                pass
        return pids

    def stop(self) -> None:
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs:                     # and whatever is left of each session
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            proc.wait()
        left = wait_gone(self.mark, 10)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def __exit__(self, *exc) -> None:
        self.stop()
