"""Registry: checks and errors stored one transaction each; lookups for history, diff and district."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from pydantic import BaseModel, ConfigDict, model_validator

from ..errors import ComplianceError
from ..evaluate.results import Verdict
from .connect import RECONNECT_DELAYS_S

if TYPE_CHECKING:
    from ..evaluate.results import SignOff
    from ..office.accounts import User
    from .signoff import QueueRow

DEFAULT_DB = "compliance-registry.sqlite"


class RegistryError(ComplianceError):
    kind = "registry error"


class Failure(BaseModel):
    """Why a submission could not be checked (the message the user saw)."""

    model_config = ConfigDict(frozen=True)
    kind: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    hint: Optional[str] = None

    @property
    def text(self) -> str:
        """As the CLI says it: 'file:line: message — hint'."""
        return str(ComplianceError(self.message, file=self.file, line=self.line, hint=self.hint))


class Outcome(BaseModel):
    """What checking one submission folder produced: a verdict, or a failure."""

    model_config = ConfigDict(frozen=True)
    key: str
    folder: str
    inputs_sha256: str
    rules_version: str
    tool_version: str
    checked_at: datetime
    duration_s: float
    verdict: Optional[Verdict] = None
    failure: Optional[Failure] = None
    submission_id: Optional[str] = None       # for failures, when the metadata could be read
    name: Optional[str] = None

    @model_validator(mode="after")
    def _one_of(self) -> "Outcome":
        if (self.verdict is None) == (self.failure is None):
            raise ValueError("an outcome is a verdict or a failure, exactly one")
        return self


@dataclass(frozen=True)
class CheckRow:
    """One stored check (without its stored JSON; see Registry.verdict_json)."""

    id: int
    key: str
    outcome: str
    submission_id: Optional[str]
    folder: str
    name: Optional[str]
    use: Optional[str]
    kind: Optional[str]
    zone: Optional[str]
    filed_on: Optional[date]
    as_of: Optional[date]
    verdict: Optional[str]
    exit_code: int
    rules_version: str
    tool_version: str
    inputs_sha256: str
    checked_at: datetime
    duration_s: Optional[float]
    error_kind: Optional[str]
    error_message: Optional[str]
    error_file: Optional[str]
    error_line: Optional[int]
    error_hint: Optional[str]

    @property
    def failure(self) -> Optional[Failure]:
        if self.outcome != "error":
            return None
        return Failure(kind=self.error_kind or "error", message=self.error_message or "", file=self.error_file,
                       line=self.error_line, hint=self.error_hint)


_ROW_COLUMNS = [f.name for f in fields(CheckRow)]


def registry_url(target: str | Path | None) -> str:
    """A SQLAlchemy URL as given, or a file path made into a SQLite URL (default: ./compliance-registry.sqlite)."""
    text = str(target) if target else DEFAULT_DB
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def shown_url(url: str) -> str:
    """The URL without its password, for reports and messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class Registry:
    # a write that finds the database connection lost tries again after each of these (connect.reconnecting)
    reconnect_delays: tuple[float, ...] = RECONNECT_DELAYS_S

    def __init__(self, target: str | Path | None = None, *, create: bool = True) -> None:
        """`create` False (the commands that only read): a SQLite file that does not exist is an
        error, not a new empty registry left behind by a typo."""
        from sqlalchemy import create_engine, event
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError

        from .connect import create_schema, engine_options, fork_safe, sqlite_pragmas

        self.url = registry_url(target)
        try:
            self.engine = create_engine(self.url, future=True, **engine_options(self.url))
            if self.engine.dialect.name == "sqlite":
                database = self.engine.url.database
                if not create and database not in (None, "", ":memory:") and not Path(database).is_file():
                    raise RegistryError("no registry here", file=database,
                                        hint="run `compliance batch` first, or pass --db (or set COMPLIANCE_DB) "
                                             "with the registry to read")
                event.listen(self.engine, "connect", sqlite_pragmas)
                if database is not None:                # None: in memory (sqlite://), no folder to make
                    Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.schema = create_schema(self.engine, self.url)      # connect.SchemaState: what opening did
            fork_safe(self.engine)           # a forked child opens connections of its own
        except (ArgumentError, SQLAlchemyError, OSError, ModuleNotFoundError) as exc:
            raise RegistryError(f"cannot open the registry ({_first_line(exc)})", file=shown_url(self.url),
                                hint="pass --db with a writable file path or a SQLAlchemy URL such as "
                                     "postgresql+psycopg://user@host/db") from None

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ----------------------------------------------------------------------------

    def keys(self, *, errors: bool = True) -> dict[str, Optional[str]]:
        """Every stored check's key -> its submission id (None for a failure without one)."""
        from sqlalchemy import select

        from .tables import checks

        query = select(checks.c.key, checks.c.submission_id, checks.c.outcome)
        if not errors:
            query = query.where(checks.c.outcome == "verdict")
        with self.engine.connect() as conn:
            return {key: (sid if outcome == "verdict" else None) for key, sid, outcome in conn.execute(query)}

    def record(self, outcome: Outcome) -> tuple[int, bool]:
        """Store one check in one transaction: (check id, True) or, if the same check is already
        stored as a verdict, (its id, False). A stored error with the same key is replaced. A lost
        connection (a server restart) is tried again (reconnect_delays, ~30 s), then RegistryError."""
        return self.reconnecting(lambda: self._record_or_stored(outcome), f"store the check of {outcome.folder}")

    def reconnecting(self, action, what: str = "write to the registry"):
        """`action()` (one transaction, safe to run again), tried again while the connection is lost."""
        from .connect import reconnecting

        return reconnecting(self, action, what)

    def _record_or_stored(self, outcome: Outcome) -> tuple[int, bool]:
        from sqlalchemy.exc import IntegrityError

        try:
            return self._record(outcome)
        except IntegrityError:        # another writer stored the same check in the meantime
            stored = self.by_key(outcome.key)
            if stored is None:
                raise
            return stored.id, False

    def _record(self, outcome: Outcome) -> tuple[int, bool]:
        from sqlalchemy import delete, select

        from .tables import checks, inputs, results

        row = _text_safe(_check_row(outcome))
        with self.engine.begin() as conn:
            found = conn.execute(select(checks.c.id, checks.c.outcome).where(checks.c.key == outcome.key)).first()
            if found is not None:
                if found.outcome == "verdict" or outcome.verdict is None:
                    return found.id, False
                conn.execute(delete(inputs).where(inputs.c.check_id == found.id))
                conn.execute(delete(results).where(results.c.check_id == found.id))
                conn.execute(delete(checks).where(checks.c.id == found.id))
            key = conn.execute(checks.insert().values(**row)).inserted_primary_key
            assert key is not None              # a single-row insert: the row's primary key
            check_id = key[0]
            v = outcome.verdict
            if v is not None:
                conn.execute(inputs.insert(), [_text_safe(dict(check_id=check_id, role=f.role, file=f.file,
                                                               sha256=f.sha256, size_bytes=f.size_bytes))
                                               for f in v.inputs])
                conn.execute(results.insert(), [_text_safe(dict(
                    check_id=check_id, rule=r.rule, rule_version=r.rule_version, kind=r.kind, blocks=r.blocks,
                    status=r.status, measured=r.measured, threshold=r.threshold, unit=r.unit,
                    message=r.message, message_zh=r.message_zh)) for r in v.results])
        return check_id, True

    # -- reading ----------------------------------------------------------------------------

    def _rows(self, query) -> list[CheckRow]:
        with self.engine.connect() as conn:
            return [CheckRow(**{c: getattr(r, c) for c in _ROW_COLUMNS}) for r in conn.execute(query)]

    def _select(self):
        from sqlalchemy import select

        from .tables import checks

        return select(*[checks.c[c] for c in _ROW_COLUMNS])

    def history(self, submission_id: str, where=None) -> list[CheckRow]:
        """Every check of a submission, oldest first (`where`: a further condition on `checks`,
        e.g. office/filings.visible)."""
        from .tables import checks

        query = self._select().where(checks.c.submission_id == submission_id)
        if where is not None:
            query = query.where(where)
        return self._rows(query.order_by(checks.c.checked_at, checks.c.id))

    def get(self, check_id: int, where=None) -> CheckRow | None:
        """The check, or None (also when it does not meet the condition `where`)."""
        from .tables import checks

        query = self._select().where(checks.c.id == check_id)
        rows = self._rows(query.where(where) if where is not None else query)
        return rows[0] if rows else None

    def rows_with(self, table, check_id_column, where) -> list[tuple[CheckRow, dict]]:
        """Checks joined with another table's rows (on `check_id_column`) that meet `where`: each
        CheckRow with its row of `table` as a dict, in one query."""
        from sqlalchemy import select

        from .tables import checks

        query = (select(*[checks.c[c] for c in _ROW_COLUMNS], *[col.label(f"other_{col.name}") for col in table.c])
                 .select_from(checks.join(table, check_id_column == checks.c.id)).where(where))
        out = []
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                m = r._mapping
                out.append((CheckRow(**{c: m[c] for c in _ROW_COLUMNS}),
                            {col.name: m[f"other_{col.name}"] for col in table.c}))
        return out

    def by_key(self, key: str) -> CheckRow | None:
        from .tables import checks

        rows = self._rows(self._select().where(checks.c.key == key))
        return rows[0] if rows else None

    def all(self) -> list[CheckRow]:
        from .tables import checks

        return self._rows(self._select().order_by(checks.c.id))

    def filed(self) -> list[CheckRow]:
        """Every check the office sees (designers' unfiled self-checks left out), by id."""
        from ..office.filings import filed
        from .tables import checks

        return self._rows(self._select().where(filed()).order_by(checks.c.id))

    def latest(self) -> list[CheckRow]:
        """The latest filed check of every submission (by id; failures without an id are left
        out; so are designers' self-checks not filed: office/filings.py)."""
        latest: dict[str, CheckRow] = {}
        for row in self.filed():
            if row.submission_id is None:
                continue
            seen = latest.get(row.submission_id)
            if seen is None or (row.checked_at, row.id) > (seen.checked_at, seen.id):
                latest[row.submission_id] = row
        return [latest[sid] for sid in sorted(latest)]          # by submission id

    def unidentified_errors(self) -> int:
        """Folders whose latest outcome is an error and whose metadata gave no submission id."""
        latest: dict[str, CheckRow] = {}
        for row in self.filed():
            latest[row.folder] = row
        return sum(1 for r in latest.values() if r.submission_id is None and r.outcome == "error")

    def results(self, check_id: int) -> list[dict]:
        from sqlalchemy import select

        from .tables import results

        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(results).where(results.c.check_id == check_id)
                                                           .order_by(results.c.rule))]

    def inputs_of(self, check_ids: list[int]) -> dict[int, list[dict]]:
        """The input files (role, file, sha256, size_bytes) each check recorded, in few queries. Their
        order is not kept: the metadata file lists the models."""
        from sqlalchemy import select

        from .tables import inputs

        out: dict[int, list[dict]] = {i: [] for i in check_ids}
        ids = list(out)
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = select(inputs).where(inputs.c.check_id.in_(ids[start:start + 500]))
                for row in conn.execute(query):
                    data = dict(row._mapping)
                    out[data.pop("check_id")].append(data)
        return out

    def stored_json(self, check_id: int, column: str = "verdict_json") -> dict | None:
        from sqlalchemy import select

        from .tables import checks

        with self.engine.connect() as conn:
            text = conn.execute(select(checks.c[column]).where(checks.c.id == check_id)).scalar()
        return json.loads(text) if text else None

    def district_rows(self) -> list[tuple[CheckRow, dict]]:
        """The latest check of every submission, with its district figures (for the district report)."""
        from sqlalchemy import select

        from .tables import checks

        rows = self.latest()
        figures: dict[int, dict] = {}
        ids = [r.id for r in rows]
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):       # one query per 500 checks, not one per check
                chunk = ids[start:start + 500]
                for check_id, text in conn.execute(select(checks.c.id, checks.c.district_json)
                                                   .where(checks.c.id.in_(chunk))):
                    figures[check_id] = json.loads(text) if text else {}
        return [(row, figures.get(row.id, {})) for row in rows]

    # -- sign-off (compliance/registry/signoff.py) ----------------------------------------------

    def sign_off(self, check_id: int, reviewer: str, decision: str, comment: str = "",
                 signer: Optional["User"] = None) -> "SignOff":
        """Store a reviewer's decision (approved / rejected / revise) on a check; every sign-off is
        kept, the latest counts. RegistryError for an unknown check, an error, invalid input.
        Who may sign is office/review.py's to decide; `signer` is the account it is made under."""
        from .signoff import sign_off

        return sign_off(self, check_id, reviewer, decision, comment, signer)

    def signoffs(self, check_id: Optional[int] = None, submission_id: Optional[str] = None) -> list["SignOff"]:
        """Sign-offs of a check, of a submission, or all; oldest first."""
        from .signoff import signoffs

        return signoffs(self, check_id, submission_id)

    def verdict(self, check_id: int) -> Optional[Verdict]:
        """The stored verdict of a check with its sign-offs attached (None: unknown check or error)."""
        from .signoff import verdict

        return verdict(self, check_id)

    def queue(self, verdict: Optional[str] = None, zone: Optional[str] = None, use: Optional[str] = None,
              since: Optional[date] = None, until: Optional[date] = None,
              signed: Optional[bool] = None) -> list["QueueRow"]:
        """The reviewer's queue: every submission's latest check with its latest sign-off, newest
        first, filtered by verdict (or "error"), zone, use, check date range (inclusive), signed."""
        from .signoff import queue

        return queue(self, verdict=verdict, zone=zone, use=use, since=since, until=until, signed=signed)


def _check_row(o: Outcome) -> dict:
    from ..report.json_report import render

    base = dict(key=o.key, folder=str(Path(o.folder).resolve()), inputs_sha256=o.inputs_sha256, rules_version=o.rules_version,
                tool_version=o.tool_version, checked_at=o.checked_at, duration_s=round(o.duration_s, 3))
    v = o.verdict
    if v is None:
        f = o.failure
        assert f is not None                    # Outcome: a verdict or a failure, exactly one
        return dict(base, outcome="error", submission_id=o.submission_id, name=o.name, exit_code=2,
                    error_kind=f.kind, error_message=f.message, error_file=f.file, error_line=f.line, error_hint=f.hint)
    s = v.submission
    district = {k: m.model_dump(mode="json") for k, m in v.district.items()}
    return dict(base, outcome="verdict", submission_id=s.id, name=s.name, use=s.use, kind=s.kind, zone=s.zone,
                filed_on=s.filed_on, as_of=v.as_of, verdict=v.verdict, exit_code=v.exit_code,
                verdict_json=render(v).decode("utf-8"), district_json=json.dumps(district, ensure_ascii=False))


def _text_safe(row: dict) -> dict:
    """A row as every backend stores it alike (compliance/safe_text.py): a NUL as "[U+0000]", a
    name that is not UTF-8 decoded as GB18030 or shown as \\xd1 (psycopg cannot encode its
    surrogate escapes, SQLite's driver neither), a float that is not finite as NULL."""
    from ..safe_text import safe_value

    return {k: safe_value(v) for k, v in row.items()}


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
