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
from datetime import datetime, timezone
from pathlib import Path


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


def run(job_dir: Path) -> int:
    from ..batch.worker import failure_of, identity_of
    from ..build import build_identity
    from ..context import RunContext
    from ..limits import Limits, time_limit
    from ..office.accounts import get_user
    from ..office.audit import record
    from ..office.filings import own_check
    from ..pipeline import check_submission, ruleset_for
    from ..registry.facts import StoredFacts, metadata_of
    from ..registry.keys import check_key, inputs_sha256
    from ..registry.store import Outcome, Registry

    job = read_json(job_dir / "job.json") or {}
    folder = Path(job["folder"])
    progress = Progress(job_dir / "progress.json")
    progress.set("starting", 0.02)
    limits = Limits(**job.get("limits", {}))
    ctx = RunContext(rules_dir=Path(job["rules_dir"]), limits=limits, progress=progress, cores=job.get("cores"))
    registry = Registry(job.get("db"))
    ctx.facts = StoredFacts(registry)      # a model read before (another upload, a re-check) is not read again
    user = get_user(registry, job["user_id"]) if job.get("user_id") is not None else None
    started = time.perf_counter()
    ruleset, _ = ruleset_for(ctx)
    inputs = inputs_sha256(folder, ctx.sha256)
    if user is not None and user.organisation_id is not None:
        # a self-check is its organisation's own: the same files uploaded by another organisation
        # are another check, never one both share (and one of them could not see)
        inputs_key = f"{inputs}\norganisation:{user.organisation_id}"
    else:
        inputs_key = inputs
    base = dict(key=check_key(inputs_key, ruleset.identity, None, build_identity()), folder=str(folder), inputs_sha256=inputs,
                rules_version=ruleset.version, tool_version=build_identity(),
                checked_at=datetime.now(timezone.utc).replace(microsecond=0))
    verdict = None
    try:
        with time_limit(limits.time_limit_s, folder):
            verdict = check_submission(folder, ctx)
        if (text := metadata_of(verdict, folder)) is not None:
            ctx.facts.keep_text(*text)
        outcome = Outcome(**base, duration_s=time.perf_counter() - started, verdict=verdict)
    except Exception as exc:          # every failure is a stored row and a clear page, as in a batch
        outcome = Outcome(**base, duration_s=time.perf_counter() - started, failure=failure_of(exc),
                          **identity_of(folder))
    progress.set("storing the outcome in the registry", Progress.PHASES["storing"])
    check_id, _new = registry.record(outcome)
    if user is not None:
        own_check(registry, check_id, user, int(job.get("upload_bytes") or 0))
    record(registry, user.username if user else "system", "check", f"check:{check_id}",
           {"outcome": outcome.verdict.verdict if outcome.verdict else "error", "rules": ruleset.version,
            "submission": (outcome.verdict.submission.id if outcome.verdict else outcome.submission_id),
            "inputs_sha256": inputs, "job": job_dir.name})
    result = {"check_id": check_id, "outcome": "verdict" if verdict is not None else "error",
              "failure": _as_uploaded(outcome.failure, job_dir) if outcome.failure else None}
    if verdict is not None:
        progress.set("preparing the 3D view", Progress.PHASES["view"])
        _prepare_views(folder, verdict, Path(job["views_dir"]))
    write_json(job_dir / "result.json", result)
    registry.close()
    return 0


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
