"""Checking one submission folder inside a worker process.

Each worker process holds one per-process run state (`_STATE`), set by `start_worker`: the run's
RunContext (rules compiled once per process), the formats to render and the keys already in the
registry. It is the worker's counterpart of the CLI's RunContext, not a cache shared between runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional

from ..build import build_identity
from ..limits import Limits
from ..registry.store import Failure, Outcome


@dataclass(frozen=True)
class Settings:
    rules_dir: Path
    as_of: Optional[date]
    formats: tuple[str, ...]
    lang: str
    rules_version: str
    rules_key: str                              # RuleSet.identity: what a check's key names of the rule set
    known: dict = field(default_factory=dict)   # key already in the registry -> its submission id (None: error)
    out_dir: Optional[Path] = None
    limits: Optional[Limits] = None
    facts_db: Optional[str] = None              # batch --recheck: the registry whose stored facts are read
    bcf_version: str = "2.1"                    # batch --bcf-version: of the bcf reports

    def already_done(self, key: str) -> bool:
        """Stored, and its reports are in this batch's output folder (a batch writing to a new
        folder checks again what it would otherwise have no report of; the registry keeps one row)."""
        if key not in self.known:
            return False
        sid = self.known[key]
        if sid is None or self.out_dir is None or not self.formats:
            return True
        from ..report import FORMATS, report_stem

        return all((self.out_dir / f"{report_stem(sid)}{FORMATS[f].extension}").is_file() for f in self.formats)


@dataclass(frozen=True)
class Result:
    """What a worker sends back: the outcome to store and the rendered reports to write."""

    folder: str
    key: str
    skipped: bool = False
    outcome: Optional[Outcome] = None
    reports: dict = field(default_factory=dict)     # format -> bytes
    facts: tuple = ()                               # registry.facts.PackedFacts of the models read, to store
    metadata: Optional[tuple[str, bytes]] = None    # (sha256, bytes) of the submission.yaml checked, to store
    facts_served: int = 0                           # models whose stored facts were used instead of reading them


_STATE: dict = {}

# imported by each Dask worker once, before it forks the run's process, which forks one per submission
# (batch/zygote.py): each starts with them imported
PRELOAD = ("compliance.pipeline", "compliance.report", "compliance.report.json_report", "compliance.registry.keys",
           "compliance.registry.facts", "compliance.read.geometry", "compliance.read.extrusion", "compliance.read.exposed",
           "compliance.derive.capacity", "compliance.derive.declared", "compliance.derive.ev", "durable.engine",
           "ifcopenshell", "ifcopenshell.util.element", "ifcopenshell.util.placement", "ifcopenshell.util.shape",
           "ifcopenshell.util.unit", "shapely", "shapely.ops", "shapely.strtree", "compliance.read.geocache", "email.parser")


def start_worker(settings: Settings) -> None:
    import signal

    from ..context import RunContext

    # Ctrl-C reaches the whole process group; only the main process decides what it means (it
    # stops the workers, and their unfinished checks are redone on the next run). A worker that
    # took it itself could be interrupted inside the rule engine, which turns an exception in an
    # action into an engine error: the submission would be stored as broken.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE["settings"] = settings
    _STATE["ctx"] = RunContext(rules_dir=settings.rules_dir, cores=1, limits=settings.limits)
    _STATE["stored"] = None
    if settings.facts_db:
        from ..registry.facts import StoredFacts
        from ..registry.store import Registry

        # each submission's process is forked from this one (batch/zygote.py): the Registry sees that
        # it opens connections of its own there (registry.connect.fork_safe)
        _STATE["stored"] = StoredFacts(Registry(settings.facts_db, create=False), write=False)
    from ..pipeline import ruleset_for

    ruleset_for(_STATE["ctx"])      # the rules compiled once here, not in each submission's process
    build_identity()                # and the build's hash of the code


def check_folder(folder: str) -> Result:
    from ..registry.keys import check_key, inputs_sha256

    settings: Settings = _STATE["settings"]
    started = time.perf_counter()
    path = Path(folder)
    try:
        inputs = inputs_sha256(path, _STATE["ctx"].sha256)
    except OSError as exc:
        inputs = f"unreadable:{exc.__class__.__name__}"
    key = check_key(inputs, settings.rules_key, settings.as_of, build_identity())
    if settings.already_done(key):
        return Result(folder, key, skipped=True)
    base = dict(key=key, folder=folder, inputs_sha256=inputs[:64], rules_version=settings.rules_version,
                tool_version=build_identity(), checked_at=datetime.now(timezone.utc).replace(microsecond=0))
    facts = _facts_for_run()
    try:
        verdict, reports = _check(path, settings)
    except Exception as exc:       # every failure becomes a row; the batch goes on
        failure = failure_of(exc)
        ident = identity_of(path)
        return Result(folder, key, outcome=Outcome(**base, duration_s=time.perf_counter() - started,
                                                   failure=failure, **ident))
    finally:
        _STATE["ctx"].facts = None
    from ..registry.facts import metadata_of

    return Result(folder, key, outcome=Outcome(**base, duration_s=time.perf_counter() - started, verdict=verdict),
                  reports=reports, facts=tuple(facts.taken()), metadata=metadata_of(verdict, path),
                  facts_served=facts.served)


def _facts_for_run():
    """This submission's facts: read models are collected to be sent back; with --recheck, facts
    the registry holds are served instead of reading the model."""
    from ..registry.facts import CollectedFacts

    collected = CollectedFacts()
    stored = _STATE.get("stored")
    if stored is not None:
        collected.fallback = stored
    _STATE["ctx"].facts = collected
    return collected


def _check(path: Path, settings: Settings):
    from ..limits import time_limit
    from ..pipeline import check_submission
    from ..report import render

    ctx = _STATE["ctx"]
    with time_limit(settings.limits.time_limit_s if settings.limits else None, path):
        try:
            verdict = check_submission(path, ctx, settings.as_of)
        finally:
            ctx.models.clear()      # a worker checks hundreds of submissions: keep one's models at a time
        options = {"bcf": {"version": settings.bcf_version}}
        return verdict, {fmt: render(fmt, verdict, settings.lang, options) for fmt in settings.formats}


def failure_of(exc: BaseException) -> Failure:
    from ..errors import ComplianceError

    if isinstance(exc, ComplianceError):
        return Failure(kind=exc.kind, message=exc.message, file=exc.file, line=exc.line, hint=exc.hint)
    if isinstance(exc, MemoryError):
        return Failure(kind="resource error", message="ran out of memory while checking this submission",
                       hint="check it alone with `compliance check`, or on a machine with more memory")
    return Failure(kind="internal error", message=f"{type(exc).__name__}: {exc}"[:500],
                   hint="check it alone with `compliance check --debug` and send the output to the checker's maintainers")


def identity_of(path: Path) -> dict:
    """The submission id and name of a folder that failed, when its metadata can still be read."""
    try:
        from ..read.metadata import load_submission

        meta = load_submission(path).meta
        return {"submission_id": meta.id, "name": meta.name}
    except Exception:
        return {}
