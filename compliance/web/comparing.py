"""Re-checking the filed submissions with the draft, outside the request: a process of its own
(`python -m compliance.web.comparerun RUN_DIR`, as checks are: the geometry kernel may crash and
the time limit is a signal), started and waited for by a thread. A run's state is read from its
folder (`data_dir/compare/<id>/`): run.json, progress.json, result.json.

The draft's rules are copied into the run folder first, so what was compared is what the result
says, however the draft is edited meanwhile."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .jobrun import read_json, write_json

RUN_ID = re.compile(r"[0-9a-f]{24}")


@dataclass(frozen=True)
class CompareRun:
    id: str
    state: str                       # running, done, failed
    step: str = ""
    done: int = 0
    total: int = 0
    draft_sha256: str = ""
    published: str = ""              # the publication it was compared with
    rows: list = field(default_factory=list)       # batch.recheck.Recheck
    failure: Optional[str] = None

    @property
    def flips(self) -> list:
        return [r for r in self.rows if r.flipped]

    @property
    def unchecked(self) -> list:
        return [r for r in self.rows if r.new_verdict is None]


def runs_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "compare"


def start(settings, draft, published_version: str, started_by: str) -> str:
    """Copy the draft's rules into a new run folder and start its re-check; the run id."""
    from ..ruleset.publication import content_sha256

    run_id = secrets.token_hex(12)
    folder = runs_dir(settings.data_dir) / run_id
    folder.mkdir(parents=True)
    shutil.copytree(draft.rules_dir, folder / "rules", copy_function=shutil.copyfile)
    limits = settings.limits
    write_json(folder / "run.json", {
        "db": settings.db, "rules_dir": str(folder / "rules"), "published": published_version,
        "draft_sha256": content_sha256(draft.rules_dir, draft.features_dir), "started_by": started_by,
        "limits": {"max_model_mb": limits.max_model_mb, "time_limit_s": limits.time_limit_s}})
    threading.Thread(target=_run, args=(folder,), name=f"compare-{run_id}", daemon=True).start()
    return run_id


def _run(folder: Path) -> None:
    with open(folder / "log.txt", "wb") as log:
        try:
            proc = subprocess.Popen([sys.executable, "-m", "compliance.web.comparerun", str(folder)],
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            write_json(folder / "pid.json", {"pid": proc.pid, "host": os.uname().nodename})
            code = proc.wait()
        except Exception as exc:          # could not even start the process
            write_json(folder / "result.json", {"failure": f"{type(exc).__name__}: {exc}"})
            return
    if read_json(folder / "result.json") is None:
        how = f"signal {-code}" if code < 0 else f"exit status {code}"
        write_json(folder / "result.json", {"failure": f"the re-check stopped unexpectedly ({how})"})


def _alive(folder: Path) -> bool:
    pid = read_json(folder / "pid.json")
    if pid is None:
        return True                  # being started
    if pid.get("host") != os.uname().nodename:
        return True                  # another machine's: it tells by its result
    try:
        os.kill(int(pid["pid"]), 0)
    except (ProcessLookupError, ValueError, KeyError):
        return False
    except PermissionError:
        return True
    return True


def state(data_dir: Path, run_id: str) -> Optional[CompareRun]:
    from ..batch.recheck import Recheck

    if not RUN_ID.fullmatch(run_id or ""):
        return None
    folder = runs_dir(data_dir) / run_id
    run = read_json(folder / "run.json")
    if run is None:
        return None
    meta = {"draft_sha256": run.get("draft_sha256", ""), "published": run.get("published", "")}
    result = read_json(folder / "result.json")
    if result is not None:
        if result.get("failure"):
            return CompareRun(run_id, "failed", failure=result["failure"], **meta)
        rows = [Recheck.from_json(r) for r in result.get("rows", [])]
        return CompareRun(run_id, "done", "finished", len(rows), len(rows), rows=rows, **meta)
    progress = read_json(folder / "progress.json") or {}
    if not _alive(folder) and read_json(folder / "result.json") is None:
        return CompareRun(run_id, "failed", failure="the server stopped while the re-check ran: start it again",
                          **meta)
    return CompareRun(run_id, "running", progress.get("step", "starting"), int(progress.get("done", 0)),
                      int(progress.get("total", 0)), **meta)
