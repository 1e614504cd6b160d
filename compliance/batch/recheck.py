"""Re-checking the registry's filings from their stored facts: a rule change (or a checker fix
outside the reader) re-evaluates every filing without opening one IFC file.

    gather(registry, rows, reader)   the latest filed checks -> Filing (which facts, or its folder) or why not
    load(registry, filing)           as its task is sent: the filing with its stored metadata and facts
    start / recheck_one              in a worker process: one Loaded -> Rechecked (verdict JSON, or the failure)
    RecheckRun(...).run()            the whole run on the cluster (cluster.run_tasks); one Recheck per filing

A filing is re-checked from facts when the registry holds its submission.yaml (by SHA-256) and
every model's facts under the current reader (registry/facts.py). Otherwise, when its folder is
still there with the very files the stored check read, it is checked from the folder (and its
facts are stored for next time). Otherwise it is reported as not re-checkable, with why — never
guessed from facts another reader extracted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from ..evaluate.results import InputFile
    from ..limits import Limits
    from ..registry.store import CheckRow, Failure, Registry

WHERE_KEYS = ("submission", "zone", "use", "kind", "verdict")


@dataclass(frozen=True)
class Recheck:
    """One filing re-checked: its stored verdict and the new one (None: could not be re-checked)."""

    submission: str
    check_id: int
    old_verdict: str
    new_verdict: Optional[str]
    error: Optional[str] = None          # why (file:line: message)
    changed_rules: tuple = ()            # (rule, old status, new status)

    @property
    def flipped(self) -> bool:
        return self.new_verdict is not None and self.new_verdict != self.old_verdict

    def as_json(self) -> dict:
        data = asdict(self)
        data["changed_rules"] = [list(c) for c in self.changed_rules]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Recheck:
        return cls(**{**data, "changed_rules": tuple(tuple(c) for c in data.get("changed_rules", ()))})


@dataclass(frozen=True)
class Filing:
    """One filing to re-check: the stored check, and what to check it from. `models` names the facts
    (`from_facts`); Loaded carries them to the worker, made only when the task is sent."""

    check_id: int
    submission_id: str
    folder: str
    as_of: Optional[date]                    # None: as of the filing date
    inputs_sha256: str = ""                  # of the stored check's files (registry.keys.inputs_sha256)
    metadata: Optional[InputFile] = None     # of submission.yaml; None: from the folder
    models: tuple = ()                       # read.records.FactsKey of each model
    inputs: tuple = ()                       # evaluate.results.InputFile of the stored check

    @property
    def from_facts(self) -> bool:
        return self.metadata is not None


@dataclass(frozen=True)
class Loaded:
    """A Filing with what its worker needs: the metadata file's bytes and each model's PackedFacts
    (None: check it from its folder)."""

    filing: Filing
    metadata: Optional[bytes] = None
    models: tuple = ()
    gone: Optional[str] = None               # why it can be checked neither from facts nor from its folder


@dataclass(frozen=True)
class Rechecked:
    """What a worker sends back for one Filing: the new verdict as JSON (the main process reads it
    only to store it) with its rules' statuses, or why it could not be checked."""

    check_id: int
    verdict: Optional[str] = None            # compliant / non_compliant / incomplete
    statuses: tuple = ()                     # (rule, status) of each result
    verdict_json: Optional[bytes] = None     # when the run stores the new verdicts
    from_facts: bool = False
    facts: tuple = ()                        # PackedFacts read from the folder, to store
    failure: Optional[Failure] = None        # when it could not be checked
    duration_s: float = 0.0


def parse_where(items: tuple[str, ...]) -> dict[str, str]:
    """`--where zone=binjiang_south --where submission=YP-2024-*` -> {key: value} (ValueError: why)."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in WHERE_KEYS or not value.strip():
            raise ValueError(f"'{item}': use KEY=VALUE with KEY one of {', '.join(WHERE_KEYS)} "
                             "(submission takes * and ? wildcards)")
        out[key] = value.strip()
    return out


def selected(rows: list["CheckRow"], where: dict[str, str]) -> list["CheckRow"]:
    from fnmatch import fnmatchcase

    def keep(row) -> bool:
        for key, value in where.items():
            have = row.submission_id if key == "submission" else getattr(row, key)
            if key == "submission" and not fnmatchcase(have or "", value):
                return False
            if key != "submission" and (have or "") != value:
                return False
        return True

    return [r for r in rows if keep(r)]


def gather(registry: "Registry", rows: list["CheckRow"], reader: str) -> tuple[list[Filing], list[Recheck]]:
    """Each stored verdict as a Filing to re-check (from facts where they are all stored), or a
    Recheck saying why it cannot be re-checked. Nothing large is loaded here (`load` does)."""
    from ..evaluate.results import InputFile
    from ..read.records import FactsKey
    from ..registry.facts import StoredFacts

    store = StoredFacts(registry, write=False)
    stored_inputs = registry.inputs_of([r.id for r in rows])
    held, texts = store.under(reader), store.texts()
    filings, unavailable = [], []
    for row in rows:
        as_of = None if row.as_of is None or row.as_of == row.filed_on else row.as_of
        inputs = tuple(InputFile.model_validate(i) for i in stored_inputs[row.id])
        meta = next((i for i in inputs if i.role == "metadata"), None)
        keys = tuple(FactsKey(i.sha256, reader, i.file) for i in inputs if i.role == "model")
        if meta is not None and meta.sha256 in texts and held.issuperset(keys):
            filings.append(Filing(row.id, row.submission_id or "", row.folder, as_of, row.inputs_sha256, meta, keys,
                                  inputs))
        elif _unchanged(Path(row.folder), row.inputs_sha256):
            filings.append(Filing(row.id, row.submission_id or "", row.folder, as_of, row.inputs_sha256))
        else:
            unavailable.append(Recheck(row.submission_id or "", row.id, row.verdict or "", None, _gone(row.folder)))
    return filings, unavailable


def _gone(folder: str) -> str:
    return ("its facts are not stored under this reader and its files are no longer where they were checked "
            f"({folder}); check it again from its files with `compliance batch`")


def load(registry: "Registry", filing: Filing) -> Loaded:
    """`filing` with its stored metadata and facts (in the main process, as its task is sent). Facts
    gone since `gather` (a `gc` meanwhile): checked from its folder, or reported by the worker."""
    from ..registry.facts import StoredFacts

    if filing.metadata is not None:          # from_facts
        store = StoredFacts(registry, write=False)
        text = store.text(filing.metadata.sha256)
        packed = tuple(store.packed(k) for k in filing.models)
        if text is not None and all(p is not None for p in packed):
            return Loaded(filing, text, packed)
    return Loaded(filing) if _unchanged(Path(filing.folder), filing.inputs_sha256) else Loaded(filing, gone=_gone(
        filing.folder))


def _unchanged(folder: Path, inputs_sha256: str) -> bool:
    from ..registry.keys import inputs_sha256 as digest

    try:
        return folder.is_dir() and digest(folder) == inputs_sha256
    except OSError:
        return False


# -- in a worker process ---------------------------------------------------------------------------

_STATE: dict = {}


def start(rules_dir: Path, limits, keep_verdicts: bool = False) -> None:
    """Per worker process: the run's context, the rule set compiled once. `keep_verdicts`: send each
    new verdict back whole (to store it), not only its statuses."""
    import signal

    from ..build import build_identity
    from ..context import RunContext
    from ..pipeline import ruleset_for

    signal.signal(signal.SIGINT, signal.SIG_IGN)        # the main process decides what Ctrl-C means
    _STATE["ctx"] = RunContext(rules_dir=Path(rules_dir), cores=1, limits=limits)
    _STATE["keep"] = keep_verdicts
    # done once here, not in each filing's process (forked from this one: batch/zygote.py)
    ruleset_for(_STATE["ctx"])
    build_identity()


def recheck_one(task: Loaded) -> Rechecked:
    import tempfile
    import time

    from ..batch.worker import failure_of
    from ..limits import time_limit
    from ..pipeline import StoredInputs, check_submission
    from ..registry.facts import CollectedFacts, unpack
    from ..registry.store import Failure

    ctx, filing = _STATE["ctx"], task.filing
    if task.gone is not None:
        return Rechecked(filing.check_id, failure=Failure(kind="input error", message=task.gone))
    started = time.perf_counter()
    collected = CollectedFacts()
    ctx.facts = collected
    try:
        with time_limit(getattr(ctx.limits, "time_limit_s", None), Path(filing.folder)):
            if task.metadata is None:
                verdict = check_submission(Path(filing.folder), ctx, filing.as_of)
            else:
                assert filing.metadata is not None       # load() gives metadata bytes to filings from facts only
                with tempfile.TemporaryDirectory(prefix="recheck-") as tmp:
                    (Path(tmp) / filing.metadata.file).write_bytes(task.metadata)
                    stored = StoredInputs(tuple(unpack(p.data) for p in task.models), filing.inputs)
                    verdict = check_submission(Path(tmp), ctx, filing.as_of, stored)
    except Exception as exc:       # one filing that cannot be checked never stops the others
        return Rechecked(filing.check_id, failure=failure_of(exc), duration_s=time.perf_counter() - started)
    finally:
        ctx.facts = None
        ctx.models.clear()
    return Rechecked(filing.check_id, verdict.verdict, tuple((r.rule, r.status) for r in verdict.results),
                     verdict.model_dump_json().encode("utf-8") if _STATE.get("keep") else None, task.metadata is not None,
                     tuple(collected.taken()), duration_s=time.perf_counter() - started)


# -- the whole run, from the main process ---------------------------------------------------------

@dataclass
class RecheckRun:
    registry: "Registry"
    rules_dir: Path
    where: dict = field(default_factory=dict)
    jobs: int = 1
    limits: Optional[Limits] = None
    store: bool = False                       # record the new checks in the registry
    scheduler: Optional[str] = None
    stats: dict = field(default_factory=lambda: {"from_facts": 0, "from_files": 0, "stored": 0})

    def run(self, progress: Optional[Callable[[str, int, int], None]] = None) -> list[Recheck]:
        from ..build import reader_identity
        from ..context import RunContext
        from ..limits import Limits
        from ..pipeline import ruleset_for
        from ..read.model import conventions_for
        from .cluster import started

        ctx = RunContext(rules_dir=Path(self.rules_dir))
        rows = selected([r for r in self.registry.latest() if r.outcome == "verdict"], self.where)
        if not rows:
            self.ruleset, _ = ruleset_for(ctx)               # a broken rule set is reported all the same
            return []
        limits = self.limits or Limits()
        rows_by_id = {r.id: r for r in rows}
        out: list[Recheck] = []
        done = [0]
        # the workers start (and compile the rules) while this process compiles them and finds what to send
        with started(min(max(1, self.jobs), len(rows)), self.scheduler, recheck_one, start,
                     (Path(self.rules_dir), limits, self.store)) as session:
            self.ruleset, _ = ruleset_for(ctx)               # a broken rule set stops here, once
            filings, out = gather(self.registry, rows, reader_identity(conventions_for(ctx).digest))

            def on_result(filing: Filing, result: Rechecked) -> None:
                out.append(self._compare(rows_by_id[filing.check_id], filing, result))
                done[0] += 1
                if progress is not None:
                    progress(filing.submission_id, done[0], len(filings))

            def on_crash(filing: Filing, reason: str, kind: str = "crash") -> None:
                row = rows_by_id[filing.check_id]
                out.append(Recheck(row.submission_id or "", row.id, row.verdict or "", None, reason))

            session.run(filings, on_result, on_crash, limits.hard_stop_s(), prepare=lambda f: load(self.registry, f))
        return sorted(out, key=lambda r: (r.submission, r.check_id))

    def _compare(self, row: "CheckRow", filing: Filing, result: Rechecked) -> Recheck:
        from ..evaluate.results import status_changes
        from ..registry.facts import StoredFacts

        if result.facts:
            StoredFacts(self.registry).keep(list(result.facts))
        self.stats["from_facts" if result.from_facts else "from_files"] += 1
        if result.verdict is None:
            assert result.failure is not None        # recheck_one: a verdict or a failure
            return Recheck(row.submission_id or "", row.id, row.verdict or "", None, result.failure.text)
        changed = status_changes({r["rule"]: r["status"] for r in self.registry.results(row.id)},
                                 dict(result.statuses))
        if self.store:
            from ..evaluate.results import Verdict

            assert result.verdict_json is not None   # the workers keep the verdicts of a run that stores them
            self._record(row, filing, Verdict.model_validate_json(result.verdict_json), result.duration_s)
        return Recheck(row.submission_id or "", row.id, row.verdict or "", result.verdict, None, tuple(changed))

    def _record(self, row: "CheckRow", filing: Filing, verdict, duration_s: float) -> None:
        from datetime import datetime, timezone

        from ..build import build_identity
        from ..registry.keys import check_key
        from ..registry.store import Outcome

        outcome = Outcome(key=check_key(row.inputs_sha256, self.ruleset.identity, filing.as_of, build_identity()),
                          folder=row.folder, inputs_sha256=row.inputs_sha256, rules_version=self.ruleset.version,
                          tool_version=build_identity(), checked_at=datetime.now(timezone.utc).replace(microsecond=0),
                          duration_s=duration_s, verdict=verdict)
        _, new = self.registry.record(outcome)
        self.stats["stored"] += int(new)


def as_json(rows: list[Recheck], stats: dict, rules_version: str) -> str:
    """The outcome for tools (docs/schemas/recheck.schema.json; versioning: report/versioning.py)."""
    from ..report.json_report import dumps
    from ..report.versioning import CONTRACTS

    return dumps(CONTRACTS["recheck"].stamp({
        "rules_version": rules_version, "rechecked": sum(1 for r in rows if r.new_verdict),
        "flipped": sum(1 for r in rows if r.flipped), **stats,
        "filings": [r.as_json() | {"flipped": r.flipped} for r in rows]})).decode("utf-8")
