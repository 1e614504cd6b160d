"""Background checks for the web app: each upload is checked in its own process.

The server never runs the pipeline in its own threads: the geometry kernel may crash and the
time limit is a signal, which only a process's main thread can take. A small thread pool starts
`python -m compliance.web.jobrun JOB_DIR` processes (at most `workers` at once), waits for each
with a hard deadline, and a job's state is read from its folder, so a restarted server still
shows every finished job.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .jobrun import read_json, write_json
from .settings import WebSettings

JOB_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class JobState:
    id: str
    state: str                       # queued, running, done, failed
    step: str
    fraction: float
    elapsed_s: float = 0.0
    check_id: Optional[int] = None
    failure: Optional[dict] = None   # kind, message, file, line, hint

    def as_json(self) -> dict:
        return {"id": self.id, "state": self.state, "step": self.step, "fraction": self.fraction,
                "elapsed_s": self.elapsed_s, "check_id": self.check_id, "failure": self.failure}


class JobRunner:
    def __init__(self, settings: WebSettings):
        self.settings = settings
        self.jobs_dir = settings.data_dir / "jobs"
        self.views_dir = settings.data_dir / "views"
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="check")
        self._procs: dict[str, subprocess.Popen] = {}
        self._pending: set[str] = set()           # started here, process not finished yet
        self._lock = threading.Lock()

    def new_job_dir(self) -> tuple[str, Path]:
        """A fresh, unguessable job id and its folder (not created: the upload creates it)."""
        job_id = secrets.token_hex(16)
        return job_id, self.jobs_dir / job_id

    def job_dir(self, job_id: str) -> Optional[Path]:
        if not JOB_ID.fullmatch(job_id or ""):
            return None
        folder = self.jobs_dir / job_id
        return folder if (folder / "job.json").is_file() else None

    def start(self, job_id: str, folder: Path, *, user_id: Optional[int] = None, upload_bytes: int = 0,
              rules_dir: Optional[Path] = None) -> None:
        """Check `folder` in a process of its own. `user_id`: the designer whose self-check it is
        (the check is their organisation's, private until filed); `rules_dir`: the published rule
        set to check with (default: the app's)."""
        job_dir = self.jobs_dir / job_id
        limits = self.settings.limits
        write_json(job_dir / "job.json", {
            "folder": str(folder), "rules_dir": str(rules_dir or self.settings.rules_dir), "db": self.settings.db,
            "views_dir": str(self.views_dir), "cores": 1, "user_id": user_id, "upload_bytes": upload_bytes,
            "limits": {"max_model_mb": limits.max_model_mb, "time_limit_s": limits.time_limit_s}})
        with self._lock:
            self._pending.add(job_id)
        self._pool.submit(self._run, job_id, job_dir)

    def _run(self, job_id: str, job_dir: Path) -> None:
        log = open(job_dir / "log.txt", "wb")
        try:
            proc = subprocess.Popen([sys.executable, "-m", "compliance.web.jobrun", str(job_dir)],
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            with self._lock:
                self._procs[job_id] = proc
            hard = self.settings.limits.hard_stop_s()
            try:
                code = proc.wait(timeout=hard + 120 if hard else None)   # + the 3D view's own limit
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                self._failed(job_dir, "limit exceeded", f"the check ran past its time limit ({hard:g} s) and was "
                             "stopped", "check it with `compliance check`, or start the app with a longer "
                             "--time-limit")
                return
            if not (job_dir / "result.json").is_file():
                how = f"signal {-code}" if code < 0 else f"exit status {code}"
                self._failed(job_dir, "crash", f"the check stopped unexpectedly ({how})",
                             "check it with `compliance check --debug` and send the output to the checker's "
                             "maintainers")
        except Exception as exc:       # could not even start the process
            self._failed(job_dir, "internal error", f"{type(exc).__name__}: {exc}",
                         "see the server's log; the app goes on serving")
        finally:
            log.close()
            with self._lock:
                self._procs.pop(job_id, None)
                self._pending.discard(job_id)

    @staticmethod
    def _failed(job_dir: Path, kind: str, message: str, hint: str) -> None:
        write_json(job_dir / "result.json", {"check_id": None, "outcome": "error",
                                             "failure": {"kind": kind, "message": message, "hint": hint}})

    def state(self, job_id: str) -> Optional[JobState]:
        job_dir = self.job_dir(job_id)
        if job_dir is None:
            return None
        result = read_json(job_dir / "result.json")
        if result is not None:
            failed = result.get("outcome") != "verdict"
            return JobState(job_id, "failed" if failed else "done", "finished", 1.0,
                            check_id=result.get("check_id"), failure=result.get("failure"))
        progress = read_json(job_dir / "progress.json")
        with self._lock:
            alive = job_id in self._pending
        if progress is None and alive:
            return JobState(job_id, "queued", "waiting for a free worker", 0.0)
        if not alive and read_json(job_dir / "result.json") is None:     # started by a server that has stopped
            return JobState(job_id, "failed", "interrupted", 1.0, failure={
                "kind": "interrupted", "message": "the server stopped while this submission was being checked",
                "hint": "upload it again"})
        progress = progress or {}
        return JobState(job_id, "running", progress.get("step", ""), float(progress.get("fraction", 0)),
                        float(progress.get("elapsed_s", 0)))

    def close(self) -> None:
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:
            proc.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)

