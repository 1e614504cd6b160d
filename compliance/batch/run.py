"""A batch run, seen from the main process: find, check in workers, write reports, store each
outcome in the registry the moment it arrives (one transaction per submission)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from ..build import build_identity
from ..limits import Limits
from ..registry.store import Failure, Outcome, Registry, shown_url

SUMMARY_FILE = "batch-summary.json"


@dataclass(frozen=True)
class Row:
    """One line of the batch summary."""

    folder: str
    status: str                       # checked, skipped (already in the registry), error
    submission_id: Optional[str] = None
    name: Optional[str] = None
    verdict: Optional[str] = None
    exit_code: int = 2
    check_id: Optional[int] = None
    reports: tuple[str, ...] = ()
    message: Optional[str] = None     # the failure, as the user sees it

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class Batch:
    roots: list[Path]
    registry: Registry
    rules_dir: Path
    out_dir: Optional[Path] = None
    formats: tuple[str, ...] = ("pdf", "json")
    lang: str = "both"
    as_of: Optional[date] = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    retry_errors: bool = False
    recheck: bool = False                       # evaluate from the registry's stored facts where it has them
    limits: Optional[Limits] = None             # per submission (None: the defaults)
    rules_version: str = ""                     # set by run(), from the rule set it loads
    rules_key: str = ""                         # its RuleSet.identity, for the checks' keys
    rows: list[Row] = field(default_factory=list)
    _stems: dict = field(default_factory=dict)

    def folders(self) -> list[Path]:
        from .discover import find_submissions

        return find_submissions(self.roots)

    def run(self, folders: list[Path], on_row: Callable[[Row], None] = lambda row: None) -> list[Row]:
        from ..pipeline import ruleset_for
        from ..context import RunContext
        from .pool import run_tasks
        from .worker import Settings, check_folder, start_worker

        ruleset, _ = ruleset_for(RunContext(rules_dir=self.rules_dir))      # a broken rule set stops here, once
        self.rules_version, self.rules_key = ruleset.version, ruleset.identity
        settings = Settings(rules_dir=self.rules_dir, as_of=self.as_of,
                            formats=self.formats if self.out_dir else (), lang=self.lang,
                            rules_version=ruleset.version, rules_key=ruleset.identity,
                            known=self.registry.keys(errors=not self.retry_errors), out_dir=self.out_dir,
                            limits=self.limits or Limits(), facts_db=self.registry.url if self.recheck else None)

        ctrl_c = _Deferred()

        def on_result(folder: str, result) -> None:
            with ctrl_c.section():
                row = self._store(result)
                on_row(row)

        def on_crash(folder: str, reason: str, kind: str = "crash") -> None:
            with ctrl_c.section():
                row = self._store_crash(folder, reason, kind)
                on_row(row)

        with ctrl_c.installed():
            run_tasks([str(f) for f in folders], max(1, self.jobs), check_folder, start_worker, (settings,),
                      on_result, on_crash, hard_limit_s=settings.limits.hard_stop_s())
        return self.rows

    # -- the main process's side of each outcome ----------------------------------------------

    def _store(self, result) -> Row:
        if result.skipped:
            stored = self.registry.by_key(result.key)
            row = Row(result.folder, "skipped", stored and stored.submission_id, stored and stored.name,
                      stored and stored.verdict, stored.exit_code if stored else 2, stored and stored.id,
                      message=stored.failure.text if stored and stored.failure else None)
            self.rows.append(row)
            return row
        o = result.outcome
        written = self._write_reports(o, result.reports)
        check_id, _ = self.registry.record(o)
        self._keep_facts(result)
        v = o.verdict
        if v is not None:
            row = Row(o.folder, "checked", v.submission.id, v.submission.name, v.verdict, v.exit_code, check_id,
                      written)
        else:
            row = Row(o.folder, "error", o.submission_id, o.name, None, 2, check_id,
                      message=o.failure.text)
        self.rows.append(row)
        return row

    def _keep_facts(self, result) -> None:
        """The models' facts and the metadata text a worker sent back, for re-checks (registry/facts.py)."""
        from ..registry.facts import StoredFacts

        store = StoredFacts(self.registry)
        store.keep(list(result.facts))
        if result.metadata is not None:
            store.keep_text(*result.metadata)

    def _store_crash(self, folder: str, reason: str, kind: str = "crash") -> Row:
        from ..registry.keys import check_key, inputs_sha256

        try:
            inputs = inputs_sha256(Path(folder))
        except OSError as exc:
            inputs = f"unreadable:{exc.__class__.__name__}"
        outcome = Outcome(key=check_key(inputs, self.rules_key, self.as_of, build_identity()), folder=folder,
                          inputs_sha256=inputs[:64], rules_version=self.rules_version, tool_version=build_identity(),
                          checked_at=datetime.now(timezone.utc).replace(microsecond=0), duration_s=0.0,
                          failure=Failure(kind=kind, message=reason,
                                          hint="check it alone with `compliance check --debug`; rerun the batch "
                                               "with --retry-errors once fixed"))
        check_id, _ = self.registry.record(outcome)
        row = Row(folder, "error", check_id=check_id, message=outcome.failure.text)
        self.rows.append(row)
        return row

    def _write_reports(self, outcome: Outcome, reports: dict) -> tuple[str, ...]:
        from ..report import FORMATS, report_stem, write_atomic

        if not reports or self.out_dir is None or outcome.verdict is None:
            return ()
        stem = report_stem(outcome.verdict.submission.id)
        if self._stems.setdefault(stem, outcome.folder) != outcome.folder:
            # two folders with one id in this batch: keep both (the folder's name, then a number)
            base = f"{stem}~{report_stem(Path(outcome.folder).name)}"
            stem, n = base, 1
            while self._stems.setdefault(stem, outcome.folder) != outcome.folder:
                n += 1
                stem = f"{base}~{n}"
        written = []
        for fmt, data in reports.items():
            path = self.out_dir / f"{stem}{FORMATS[fmt].extension}"
            write_atomic(path, data)
            written.append(str(path))
        return tuple(written)

    def write_summary(self) -> Optional[Path]:
        import json

        from ..report import write_atomic

        if self.out_dir is None:
            return None
        path = self.out_dir / SUMMARY_FILE
        data = {"tool_version": build_identity(), "rules_version": self.rules_version or None,
                "registry": self.registry.url and shown_url(self.registry.url),
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "rows": [r.as_dict() for r in sorted(self.rows, key=lambda r: r.folder)]}
        write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())
        return path


class _Deferred:
    """Ctrl-C waits until the outcome in hand is both stored and counted, so 'interrupted after N'
    is exact. A Python-level SIGINT handler (it always runs in the main thread; masking the
    signal would not do, since the pool's helper threads would take it) raises KeyboardInterrupt
    at once outside a critical section, and at its end inside one."""

    def __init__(self) -> None:
        self.busy = False
        self.pending = False

    def handler(self, signum, frame) -> None:
        if self.busy:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def installed(self):
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self.handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextmanager
    def section(self):
        self.busy = True
        try:
            yield
        finally:
            self.busy = False
        if self.pending:
            raise KeyboardInterrupt


def exit_code(rows: list[Row]) -> int:
    """2 if any could not be checked, else 1 if any is non-compliant, else 3 if any is incomplete, else 0."""
    codes = {r.exit_code for r in rows}
    for code in (2, 1, 3):
        if code in codes:
            return code
    return 0
