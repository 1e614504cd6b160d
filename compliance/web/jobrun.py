"""One web check, in its own process: `python -m compliance.web.jobrun JOB_DIR`.

Runs the CLI's pipeline on JOB_DIR/submission, stores the outcome in the registry (like one
`compliance batch` task), converts the models for the 3D view, and writes what the page shows:
`progress.json` while it runs, `result.json` at the end. A crash here costs this check only; the
web server reads the files and says what happened.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def write_json(path: Path, data: dict) -> None:
    """Atomically (report.write_atomic): the page polling it never reads half a file."""
    from ..report import write_atomic

    write_atomic(path, json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class Progress:
    """The steps of one check, as the page's progress bar shows them."""

    # share of the bar at the start of each phase
    PHASES = {"reading": 0.05, "models": 0.10, "rules": 0.75, "storing": 0.85, "view": 0.90}

    def __init__(self, path: Path):
        self.path = path
        self.started = time.time()

    def __call__(self, text: str, done: int = 0, total: int = 0) -> None:
        if text.startswith("reading model"):
            start, end = self.PHASES["models"], self.PHASES["rules"]
            fraction = start + (end - start) * (done / total if total else 0)
        elif text.startswith("deriving"):
            fraction = self.PHASES["rules"]
        else:
            fraction = self.PHASES["reading"]
        self.set(text, fraction)

    def set(self, text: str, fraction: float) -> None:
        write_json(self.path, {"step": text, "fraction": round(fraction, 3),
                               "elapsed_s": round(time.time() - self.started, 1)})


@dataclass(frozen=True)
class Checked:
    """One upload checked, not yet stored: what the check sends back to the app (with --scheduler,
    from a Dask worker), which stores it (`store`)."""

    inputs: str                          # the inputs' SHA-256
    rules_version: str
    rules_identity: str
    checked_at: datetime
    duration_s: float
    verdict: object = None               # the Verdict, or
    failure: object = None               # why it could not be checked (registry.store.Failure)
    identity: dict = field(default_factory=dict)    # submission id and name of a failed one, if readable
    facts: tuple = ()                    # the models' facts read (registry/facts.py), to keep
    metadata: tuple | None = None        # submission.yaml's (sha256, bytes), to keep


def run(job_dir: Path) -> int:
    """The whole job in this process: check, store, 3D view, result.json."""
    from ..registry.facts import StoredFacts
    from ..registry.store import Registry

    job = read_json(job_dir / "job.json") or {}
    registry = Registry(job.get("db"))
    # a model read before (another upload, a re-check) is not read again
    checked = check(job_dir, StoredFacts(registry, write=False))
    result = store(job_dir, checked, registry)
    if checked.verdict is not None:
        prepare_views(job_dir, checked.verdict)
    write_json(job_dir / "result.json", result)
    registry.close()
    return 0


def check(job_dir: Path, stored=None) -> Checked:
    """Check the job's upload (no registry written). `stored`: facts kept before, read instead of a
    model they describe."""
    from ..batch.worker import failure_of, identity_of
    from ..context import RunContext
    from ..limits import Limits, time_limit
    from ..pipeline import check_submission, ruleset_for
    from ..registry.facts import CollectedFacts, metadata_of
    from ..registry.keys import inputs_sha256

    job = read_json(job_dir / "job.json") or {}
    folder = Path(job["folder"])
    progress = Progress(job_dir / "progress.json")
    progress.set("starting", 0.02)
    limits = Limits(**job.get("limits", {}))
    ctx = RunContext(rules_dir=Path(job["rules_dir"]), limits=limits, progress=progress, cores=job.get("cores"))
    ctx.facts = collected = CollectedFacts()
    collected.fallback = stored
    started = time.perf_counter()
    ruleset, _ = ruleset_for(ctx)
    inputs = inputs_sha256(folder, ctx.sha256)
    base: dict[str, Any] = dict(inputs=inputs, rules_version=ruleset.version, rules_identity=ruleset.identity,
                                checked_at=datetime.now(timezone.utc).replace(microsecond=0))
    try:
        with time_limit(limits.time_limit_s, folder):
            verdict = check_submission(folder, ctx)
    except Exception as exc:          # every failure is a stored row and a clear page, as in a batch
        return Checked(**base, duration_s=time.perf_counter() - started, failure=failure_of(exc),
                       identity=identity_of(folder), facts=tuple(collected.taken()))
    return Checked(**base, duration_s=time.perf_counter() - started, verdict=verdict,
                   facts=tuple(collected.taken()), metadata=metadata_of(verdict, folder))


def store(job_dir: Path, checked: Checked, registry) -> dict:
    """Record the check (its key names the uploader's organisation), whose it is, the audit line and
    the models' facts; what result.json says."""
    from ..build import build_identity
    from ..office.accounts import get_user
    from ..office.audit import record
    from ..office.filings import own_check
    from ..registry.facts import StoredFacts
    from ..registry.keys import check_key
    from ..registry.store import Outcome

    job = read_json(job_dir / "job.json") or {}
    folder = Path(job["folder"])
    Progress(job_dir / "progress.json").set("storing the outcome in the registry", Progress.PHASES["storing"])
    user = get_user(registry, job["user_id"]) if job.get("user_id") is not None else None
    if user is not None and user.organisation_id is not None:
        # a self-check is its organisation's own: the same files uploaded by another organisation
        # are another check, never one both share (and one of them could not see)
        inputs_key = f"{checked.inputs}\norganisation:{user.organisation_id}"
    else:
        inputs_key = checked.inputs
    base = dict(key=check_key(inputs_key, checked.rules_identity, None, build_identity()), folder=str(folder),
                inputs_sha256=checked.inputs, rules_version=checked.rules_version, tool_version=build_identity(),
                checked_at=checked.checked_at, duration_s=checked.duration_s)
    if checked.verdict is not None:
        outcome = Outcome(**base, verdict=checked.verdict)
    else:
        outcome = Outcome(**base, failure=checked.failure, **checked.identity)
    check_id, _new = registry.record(outcome)
    facts = StoredFacts(registry)
    facts.keep(list(checked.facts))
    if checked.metadata is not None:
        facts.keep_text(*checked.metadata)
    if user is not None:
        own_check(registry, check_id, user, int(job.get("upload_bytes") or 0))
    record(registry, user.username if user else "system", "check", f"check:{check_id}",
           {"outcome": outcome.verdict.verdict if outcome.verdict else "error", "rules": checked.rules_version,
            "submission": (outcome.verdict.submission.id if outcome.verdict else outcome.submission_id),
            "inputs_sha256": checked.inputs, "job": job_dir.name})
    return {"check_id": check_id, "outcome": "verdict" if checked.verdict is not None else "error",
            "failure": _as_uploaded(outcome.failure, job_dir) if outcome.failure else None}


def prepare_views(job_dir: Path, verdict) -> None:
    job = read_json(job_dir / "job.json") or {}
    Progress(job_dir / "progress.json").set("preparing the 3D view", Progress.PHASES["view"])
    _prepare_views(Path(job["folder"]), verdict, Path(job["views_dir"]))


# -- on a Dask worker (compliance serve --scheduler: web/jobs.py) ---------------------------------------

# imported by each Dask worker once, before it forks the processes the checks run in (batch/zygote.py)
PRELOAD = ("compliance.batch.worker", "compliance.pipeline", "compliance.registry.facts", "compliance.web.views3d",
           "compliance.web.model3d", "ifcopenshell", "shapely")


def check_on_worker(job_dir: str) -> Checked:
    """The Dask task's work: check the upload and prepare its 3D view (the job's folder and the views
    are on the filesystem the app and the workers share); the app stores what comes back."""
    checked = check(Path(job_dir))
    if checked.verdict is not None:
        prepare_views(Path(job_dir), checked.verdict)
    return checked


def no_setup() -> None:
    """Nothing to prepare once per worker: each job brings its own rules and limits."""


def _as_uploaded(failure, job_dir: Path) -> dict:
    """The failure with its file named as the designer uploaded it (fail-office/submission.yaml),
    not by the server's folder."""
    data = failure.model_dump()
    if data.get("file"):
        try:
            data["file"] = Path(data["file"]).resolve().relative_to((job_dir / "submission").resolve()).as_posix()
        except ValueError:
            pass
    return data


def _prepare_views(folder: Path, verdict, views_dir: Path) -> None:
    """Each model converted for the 3D view once per content (by SHA-256), shared by every check;
    the result page reads the views by the verdict's model hashes."""
    from .views3d import ensure_view

    for model in verdict.models:
        ensure_view(views_dir, model.sha256, folder / model.file)


def main(argv: list[str]) -> int:
    job_dir = Path(argv[0])
    try:
        return run(job_dir)
    except Exception as exc:          # the registry or the disk failed: say so on the page
        from ..batch.worker import failure_of

        write_json(job_dir / "result.json", {"check_id": None, "outcome": "error",
                                             "failure": failure_of(exc).model_dump()})
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
