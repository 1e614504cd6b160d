"""A batch run, seen from the main process: find, check in workers, write reports, store each
outcome in the registry the moment it arrives (one transaction per submission)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
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
    stored: bool = True               # False: not even an error row could be stored (the message says why)
    models_from_facts: int = 0        # models not read again: their facts were in the registry (--recheck)

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class Batch:
    roots: list[Path]
    registry: Registry
    rules_dir: Path
    out_dir: Optional[Path] = None
    formats: tuple[str, ...] = ("json",)
    lang: str = "both"
    as_of: Optional[date] = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    retry_errors: bool = False
    recheck: bool = False                       # evaluate from the registry's stored facts where it has them
    limits: Optional[Limits] = None             # per submission (None: the defaults)
    scheduler: Optional[str] = None             # a Dask scheduler's address (None: worker processes here)
    bcf_version: str = "2.1"                    # of the bcf reports (--bcf-version)
    rules_version: str = ""                     # set by run(), from the rule set it loads
    rules_key: str = ""                         # its RuleSet.identity, for the checks' keys
    rows: list[Row] = field(default_factory=list)
    skipped: list = field(default_factory=list)     # discover.Skipped: folders not checked, with why
    _stems: dict = field(default_factory=dict)

    def folders(self) -> list[Path]:
        """The submission folders under the roots; those not checked, with why, go to `skipped`."""
        from .discover import find_submissions

        found = find_submissions(self.roots)
        self.skipped = list(found.skipped)
        return found.folders

    def run(self, folders: list[Path], on_row: Callable[[Row], None] = lambda row: None) -> list[Row]:
        from ..context import RunContext
        from ..pipeline import ruleset_for
        from .cluster import run_tasks
        from .worker import Settings, check_folder, start_worker

        ruleset, _ = ruleset_for(RunContext(rules_dir=self.rules_dir))      # a broken rule set stops here, once
        self.rules_version, self.rules_key = ruleset.version, ruleset.identity
        settings = Settings(rules_dir=self.rules_dir, as_of=self.as_of,
                            formats=self.formats if self.out_dir else (), lang=self.lang,
                            rules_version=ruleset.version, rules_key=ruleset.identity,
                            known=self.registry.keys(errors=not self.retry_errors), out_dir=self.out_dir,
                            limits=self.limits or Limits(), facts_db=self.registry.url if self.recheck else None,
                            bcf_version=self.bcf_version)

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
                      on_result, on_crash, hard_limit_s=(settings.limits or Limits()).hard_stop_s(),
                      scheduler=self.scheduler)
        return self.rows

    # -- the main process's side of each outcome ----------------------------------------------

    def _store(self, result) -> Row:
        """Write one worker's reports and record its outcome. Whatever goes wrong doing so (a value
        a backend refuses, a report that cannot be written, the database gone), the batch goes on:
        the folder gets an error row saying so, or, when even that cannot be stored, a row marked
        not stored in the summary and on the terminal (_unstorable)."""
        written: tuple[str, ...] = ()
        try:
            if result.skipped:
                row = self._already_stored(result)
            else:
                o = result.outcome
                try:
                    written, unwritten = self._write_reports(o, result.reports), None
                except Exception as exc:   # noqa: BLE001 — the verdict is still stored; a rerun writes them
                    unwritten = f"its reports could not be written ({_first_line(exc)}); run the batch again"
                check_id, _ = self.registry.record(o)
                v = o.verdict
                if v is not None:
                    row = Row(o.folder, "checked", v.submission.id, v.submission.name, v.verdict, v.exit_code,
                              check_id, written, message=unwritten, models_from_facts=result.facts_served)
                else:
                    row = Row(o.folder, "error", o.submission_id, o.name, None, 2, check_id, message=o.failure.text)
                row = self._with_facts_kept(row, result)
        except Exception as exc:           # noqa: BLE001 — one outcome never ends the batch
            row = self._unstorable(result, exc, written)
        self.rows.append(row)
        return row

    def _already_stored(self, result) -> Row:
        stored = self.registry.by_key(result.key)
        if stored is None:
            return Row(result.folder, "skipped")
        return Row(result.folder, "skipped", stored.submission_id, stored.name, stored.verdict, stored.exit_code,
                   stored.id, message=stored.failure.text if stored.failure else None)

    def _with_facts_kept(self, row: Row, result) -> Row:
        """The check is stored; its models' facts are an optimisation (registry/facts.py): a failure
        to keep them is said on the row, and the row stays what it is."""
        try:
            self._keep_facts(result)
        except Exception as exc:           # noqa: BLE001
            note = f"its models' facts were not kept for re-checks ({_first_line(exc)})"
            return replace(row, message=f"{row.message}; {note}" if row.message else note)
        return row

    def _unstorable(self, result, exc: BaseException, written: tuple[str, ...]) -> Row:
        """An outcome that could not be stored: an error row for its folder (same key: a rerun skips
        it, --retry-errors checks it again), else a row that says it is not in the registry."""
        o = getattr(result, "outcome", None)
        folder = str(getattr(result, "folder", None) or (o.folder if o is not None else "?"))
        v = o.verdict if o is not None else None
        sid = v.submission.id if v is not None else (o.submission_id if o is not None else None)
        if o is None:                       # a stored check that could not be read back: nothing to store
            return Row(folder, "skipped", message=f"already in the registry, but it could not be read back "
                                                  f"({_first_line(exc)})")
        what = f"checked ({v.verdict})" if v is not None else f"not checked ({o.failure.text})"
        reason = f"{what}, but the outcome could not be stored in the registry: {_first_line(exc)}"
        failure = Failure(kind="registry error", message=reason,
                          hint="see the message; fix the registry or the submission, then rerun the batch with "
                               "--retry-errors")
        try:
            check_id, _ = self.registry.record(Outcome(
                key=o.key, folder=folder, inputs_sha256=o.inputs_sha256, rules_version=o.rules_version,
                tool_version=o.tool_version, checked_at=o.checked_at, duration_s=o.duration_s, failure=failure,
                submission_id=sid))
        except Exception as again:          # noqa: BLE001 — the registry itself is failing: say so, go on
            return Row(folder, "error", sid, reports=written, stored=False,
                       message=f"{failure.text}; nor could an error row be stored ({_first_line(again)})")
        return Row(folder, "error", sid, check_id=check_id, reports=written, message=failure.text)

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
        except Exception as exc:            # noqa: BLE001 — unreadable, or whatever broke the worker
            inputs = f"unreadable:{exc.__class__.__name__}"
        failure = Failure(kind=kind, message=reason,
                          hint="check it alone with `compliance check --debug`; rerun the batch "
                               "with --retry-errors once fixed")
        outcome = Outcome(key=check_key(inputs, self.rules_key, self.as_of, build_identity()), folder=folder,
                          inputs_sha256=inputs[:64], rules_version=self.rules_version, tool_version=build_identity(),
                          checked_at=datetime.now(timezone.utc).replace(microsecond=0), duration_s=0.0,
                          failure=failure)
        try:
            check_id, _ = self.registry.record(outcome)
            row = Row(folder, "error", check_id=check_id, message=failure.text)
        except Exception as exc:            # noqa: BLE001 — the batch goes on: the summary and terminal say it
            row = Row(folder, "error", stored=False,
                      message=f"{failure.text}; not stored in the registry ({_first_line(exc)})")
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
        """batch-summary.json (docs/schemas/batch-summary.schema.json): a row per submission, `skipped`
        (folders not checked, with why). Text as the registry stores it (compliance/safe_text.py: a NUL,
        a name that is not UTF-8), so the file is always valid UTF-8 JSON. OSError when it cannot be
        written (the command says so)."""
        from ..report import write_atomic
        from ..report.json_report import dumps
        from ..report.versioning import CONTRACTS
        from ..safe_text import safe_value

        if self.out_dir is None:
            return None
        path = self.out_dir / SUMMARY_FILE
        data = {"tool_version": build_identity(), "rules_version": self.rules_version or None,
                "registry": self.registry.url and shown_url(self.registry.url),
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "rows": [r.as_dict() for r in sorted(self.rows, key=lambda r: r.folder)],
                "skipped": [s.as_dict() for s in self.skipped]}
        write_atomic(path, dumps(CONTRACTS["batch-summary"].stamp(safe_value(data))))
        return path


class _Deferred:
    """Ctrl-C (and SIGTERM, the same request to stop) waits until the outcome in hand is both stored
    and counted, so 'interrupted after N' is exact. A Python-level handler (it always runs in the
    main thread; masking the signal would not do, since the cluster's helper threads would take it)
    raises KeyboardInterrupt at once outside a critical section, and at its end inside one; the
    cluster is then closed with every process it started (cluster.py)."""

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
        previous = {sig: signal.signal(sig, self.handler) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

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


def _first_line(exc: BaseException) -> str:
    """An exception as one line of a message: its first line, at most 300 characters."""
    text = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
