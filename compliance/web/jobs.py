"""Background checks for the web app: each upload is checked in its own process.

The server never runs the pipeline in its own threads: the geometry kernel may crash and the
time limit is a signal, which only a process's main thread can take. A small thread pool starts
`python -m compliance.web.jobrun JOB_DIR` processes (at most `workers` at once), waits for each
with a hard deadline, and a job's state is read from its folder, so a restarted server still
shows every finished job.

With a Dask scheduler (`compliance serve --scheduler`), each job is instead one task on that
cluster, run as a batch's are (batch/cluster.py: a process of its own on a worker, killed at the
hard limit, a crash reported for that job alone): the worker checks the upload and prepares its 3D
view (the data folder is on a filesystem the app and the workers share), and the app stores what
comes back in the registry and writes result.json.

Several app processes may serve one data folder and registry (behind one proxy). Each job has a
row in the registry's `web_jobs` table naming the process that runs it (host:pid); that process
beats for its jobs (`heartbeat_at`, every HEARTBEAT_S seconds) until each is finished. Any
process answers for any job: one not finished whose beat is older than STALE_S was left by a
process that stopped, and is "interrupted"; the others are queued or running, wherever they run.
(The app processes' clocks are compared: keep them in step, e.g. with NTP.)
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .jobrun import read_json, write_json
from .settings import WebSettings

if TYPE_CHECKING:
    from ..registry.store import Registry

JOB_ID = re.compile(r"[0-9a-f]{32}")
HEARTBEAT_S = 5.0          # how often an app process says it still runs its jobs
STALE_S = 30.0             # a job not heard of for this long was left by a process that stopped
log = logging.getLogger("compliance.web")


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
    def __init__(self, settings: WebSettings, registry: "Registry", *, heartbeat_s: float = HEARTBEAT_S,
                 stale_s: float = STALE_S):
        self.settings = settings
        self.registry = registry
        self.jobs_dir = settings.data_dir / "jobs"
        self.views_dir = settings.data_dir / "views"
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self.heartbeat_s, self.stale_s = heartbeat_s, stale_s
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="check")
        self._procs: dict[str, subprocess.Popen] = {}
        self._pending: set[str] = set()           # started here, process not finished yet
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._heart: Optional[threading.Thread] = None     # started with the first job
        self._dask = None                         # the Client on settings.scheduler, made with the first job
        self._dask_lock = threading.Lock()        # (connecting takes seconds: not under _lock)

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
        self._claim(job_id, user_id)             # before job.json: a job any process can see has its row
        write_json(job_dir / "job.json", {
            "folder": str(folder), "rules_dir": str(rules_dir or self.settings.rules_dir), "db": self.settings.db,
            "views_dir": str(self.views_dir), "cores": 1, "user_id": user_id, "upload_bytes": upload_bytes,
            "limits": {"max_model_mb": limits.max_model_mb, "time_limit_s": limits.time_limit_s}})
        with self._lock:
            self._pending.add(job_id)
            if self._heart is None:
                self._heart = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)
                self._heart.start()
        self._pool.submit(self._run, job_id, job_dir)

    # -- the jobs' rows in the registry (web_jobs) -----------------------------------------------

    def _claim(self, job_id: str, user_id: Optional[int]) -> None:
        from ..office.accounts import get_user
        from ..registry.tables import web_jobs

        user = get_user(self.registry, user_id) if user_id is not None else None
        now = _now()
        with self.registry.engine.begin() as conn:
            conn.execute(web_jobs.insert().values(id=job_id, owner=self.owner[:200], user_id=user_id,
                                                  organisation_id=user.organisation_id if user else None,
                                                  created_at=now, heartbeat_at=now, finished=False))

    def _beat(self) -> None:
        """This process's heartbeat for the jobs it runs (a thread of its own, until close())."""
        from sqlalchemy import update

        from ..registry.tables import web_jobs

        while not self._stop.wait(self.heartbeat_s):
            with self._lock:
                running = sorted(self._pending)
            if not running:
                continue
            try:
                with self.registry.engine.begin() as conn:
                    conn.execute(update(web_jobs).where(web_jobs.c.id.in_(running)).values(heartbeat_at=_now()))
            except Exception as exc:        # the registry is away for a moment: beat again next time
                log.warning("cannot record the jobs' heartbeat: %s", exc)

    def _finish(self, job_id: str) -> None:
        from sqlalchemy import update

        from ..registry.tables import web_jobs

        try:
            with self.registry.engine.begin() as conn:
                conn.execute(update(web_jobs).where(web_jobs.c.id == job_id)
                             .values(finished=True, heartbeat_at=_now()))
        except Exception as exc:            # its result.json says it all the same
            log.warning("cannot mark job %s finished: %s", job_id, exc)

    def _alive(self, job_id: str) -> bool:
        """Whether some app process still runs this job: this one, or one whose beat is recent."""
        from sqlalchemy import select

        from ..registry.tables import web_jobs

        with self._lock:
            if job_id in self._pending:
                return True
        with self.registry.engine.connect() as conn:
            row = conn.execute(select(web_jobs.c.finished, web_jobs.c.heartbeat_at)
                               .where(web_jobs.c.id == job_id)).first()
        if row is None or row.finished:     # a job of an older version, or one that ended without a result
            return False
        beat = row.heartbeat_at if row.heartbeat_at.tzinfo else row.heartbeat_at.replace(tzinfo=timezone.utc)
        return (_now() - beat).total_seconds() <= self.stale_s

    def _run(self, job_id: str, job_dir: Path) -> None:
        if self.settings.scheduler:
            return self._run_on_cluster(job_id, job_dir)
        output = open(job_dir / "log.txt", "wb")
        try:
            proc = subprocess.Popen([sys.executable, "-m", "compliance.web.jobrun", str(job_dir)],
                                    stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
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
            output.close()
            self._finish(job_id)
            with self._lock:
                self._procs.pop(job_id, None)
                self._pending.discard(job_id)

    def _run_on_cluster(self, job_id: str, job_dir: Path) -> None:
        from ..batch.cluster import ClusterError, run_on
        from .jobrun import check_on_worker, no_setup, store

        came: dict = {}
        hard = self.settings.limits.hard_stop_s()
        try:
            run_on(self._client(), [str(job_dir)], check_on_worker, no_setup, (),
                   lambda task, checked: came.update(checked=checked),
                   lambda task, reason, kind="crash": came.update(crash=(kind, reason)),
                   hard_limit_s=hard + 120 if hard else None, cwd=str(self.settings.data_dir))  # + the 3D view's
            if "crash" in came:
                kind, reason = came["crash"]
                self._failed(job_dir, kind, f"the check did not finish: {reason}",
                             "check it with `compliance check --debug`, or start the app with a longer --time-limit"
                             if kind == "limit exceeded" else
                             "check it with `compliance check --debug` and send the output to the checker's "
                             "maintainers")
            else:
                write_json(job_dir / "result.json", store(job_dir, came["checked"], self.registry))
        except ClusterError as exc:
            self._forget_client()
            self._failed(job_dir, exc.kind, exc.message, exc.hint or "see the server's log")
        except Exception as exc:       # the registry or the disk failed: say so on the page
            self._failed(job_dir, "internal error", f"{type(exc).__name__}: {exc}",
                         "see the server's log; the app goes on serving")
        finally:
            self._finish(job_id)
            with self._lock:
                self._pending.discard(job_id)

    def _client(self):
        """The Client on the scheduler, made (and checked: reachable, with workers that see the data
        folder and run this build) when the first job needs it, again after it was lost."""
        from ..batch.cluster import connect_remote

        with self._dask_lock:
            if self._dask is not None and self._dask.status not in ("running", "connecting"):
                self._forget_client(locked=True)
            if self._dask is None:
                self._dask = connect_remote(self.settings.scheduler, folder=str(self.settings.data_dir))
            return self._dask

    def _forget_client(self, locked: bool = False) -> None:
        if not locked:
            with self._dask_lock:
                return self._forget_client(locked=True)
        client, self._dask = self._dask, None
        if client is not None:
            try:
                client.close()
            except Exception:           # already gone
                pass

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
        alive = self._alive(job_id)
        if not alive and read_json(job_dir / "result.json") is None:     # its app process has stopped
            return JobState(job_id, "failed", "interrupted", 1.0, failure={
                "kind": "interrupted", "message": "the server stopped while this submission was being checked",
                "hint": "upload it again"})
        if not alive:                       # it finished between the two looks
            return self.state(job_id)
        if progress is None:
            return JobState(job_id, "queued", "waiting for a free worker", 0.0)
        return JobState(job_id, "running", progress.get("step", ""), float(progress.get("fraction", 0)),
                        float(progress.get("elapsed_s", 0)))

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:
            proc.kill()
        self._forget_client()           # its jobs' tasks are cancelled on the cluster
        self._pool.shutdown(wait=False, cancel_futures=True)


def _now() -> datetime:
    return datetime.now(timezone.utc)
