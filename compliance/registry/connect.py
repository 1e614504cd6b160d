"""How the registry connects to its database, keeps its schema, and rides out a server restart
(store.Registry calls these; `compliance registry upgrade | revision` too).

The schema is Alembic's: compliance/registry/migrations/versions/ holds one revision per change,
numbered 0001, 0002 ... in one line (docs/registry.md, *Schema revisions*). `create_schema`
brings a registry to the newest revision when it is opened, under a lock (several processes may
open the same new registry at once: one creates the tables, the others find them made).
registry_info's `schema` row is derived from the revision: its number (0001 -> "1"), written with
every upgrade. Checkers made before migrations compare that row with their own "1", so they keep
working on a registry at 0001 and refuse one a later revision changed.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, TypeVar

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA_LOCK = 0x636F6D706C79     # the PostgreSQL advisory lock held while the schema is upgraded
# a write that finds the server gone waits this long between tries (about 30 s: a restart, not an outage)
RECONNECT_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)

SQLITE_BUSY_MS = 30000          # how long a SQLite opener or writer waits for another one
T = TypeVar("T")


def engine_options(url: str) -> dict:
    """Options of the registry's engine. A database server's connections are pinged when taken
    from the pool, so a long-lived Registry (a batch, the web app) reconnects after the server
    restarted instead of failing on a dead connection. PostgreSQL sessions are in UTC: times read
    back are the instants stored, shown as SQLite shows them, whatever the server's zone (a URL's
    own `options` are kept)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    options: dict = {}
    if parsed.get_backend_name() != "sqlite":
        options["pool_pre_ping"] = True
    if parsed.get_backend_name() == "postgresql" and "options" not in parsed.query:
        options["connect_args"] = {"options": "-c timezone=UTC"}
    return options


# -- the schema --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SchemaState:
    """What opening a registry did to its schema: the revision it was at (None: a new registry, or
    one made before migrations) and the one it is at now."""

    before: Optional[str]
    after: str
    made_before_migrations: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after


def head_revision(migrations: Path = MIGRATIONS) -> str:
    """The newest revision this checker knows: the highest numbered file of versions/ (cheap: no
    Alembic import on every open; tests/test_registry_migrations.py checks the numbering is
    Alembic's own chain)."""
    numbers = [p.name[:4] for p in (migrations / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    if not numbers:
        raise RuntimeError(f"no registry migrations in {migrations / 'versions'}: the checker is installed incompletely")
    return max(numbers)


def schema_number(revision: str) -> int:
    """registry_info's `schema` of a registry at `revision`."""
    return int(revision)


def current_revision(conn) -> Optional[str]:
    """The revision a registry is at; None when it has no alembic_version (new, or made before migrations)."""
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def create_schema(engine, url: str) -> SchemaState:
    """Bring the registry to the newest revision (a new one: create every table). A registry
    already there costs one query; otherwise the upgrade runs in one transaction under a lock
    (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE), which the next opener waits for and
    then finds the schema made. RegistryError for a registry newer than this checker."""
    head = head_revision()
    with engine.connect() as conn:
        if current_revision(conn) == head:
            return SchemaState(head, head)
    with schema_transaction(engine) as conn:
        return upgrade(conn, url, head)


@contextmanager
def schema_transaction(engine):
    """A connection in a transaction that holds the registry's schema lock, committed at the end."""
    from sqlalchemy import text

    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite would run the DDL outside any transaction; this one takes the write lock
            # now (waiting up to busy_timeout for another opener) and holds the DDL too
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def upgrade(conn, url: str, head: Optional[str] = None, migrations: Path = MIGRATIONS) -> SchemaState:
    """Upgrade the registry on `conn` (inside schema_transaction) to `head` (default: the newest)."""
    from .store import RegistryError, shown_url

    head = head or head_revision(migrations)
    before = current_revision(conn)
    if before == head:
        return SchemaState(head, head)
    old = before is None and _schema_row(conn)
    if old and old != "1":
        raise RegistryError(f"this registry says schema {old} but has no migration history: this checker knows "
                            "registries of schema 1, made before migrations, and those it migrated",
                            file=shown_url(url), hint="open it with the checker that made it; nothing was changed")
    if before is not None and before not in known_revisions(migrations):
        newer = before.isdigit() and int(before) > int(head)
        raise RegistryError(f"this registry is at schema revision {before}, "
                            + (f"newer than this checker knows (its newest is {head})" if newer
                               else f"which this checker does not know (its revisions end at {head})"),
                            file=shown_url(url),
                            hint="use a newer version of the checker with this registry (the one that upgraded it); "
                                 "nothing was changed" if newer else "open it with the checker that made it; "
                                                                     "nothing was changed")
    from alembic import command

    try:
        command.upgrade(alembic_config(conn, migrations), head)
    except RegistryError as exc:            # raised by a revision, which does not know the URL
        exc.file = exc.file or shown_url(url)
        raise
    _write_schema_row(conn, head)
    return SchemaState(before, head, made_before_migrations=bool(old))


def alembic_config(conn=None, migrations: Path = MIGRATIONS):
    """Alembic's configuration, made in code (there is no alembic.ini): the migrations folder, the
    revision files' names (0002_slug.py), and the connection env.py runs on."""
    from argparse import Namespace

    from alembic.config import Config

    config = Config(cmd_opts=Namespace(quiet=True))      # the caller says what was done
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = conn
    return config


def known_revisions(migrations: Path = MIGRATIONS) -> dict[str, str]:
    """Every revision of the migrations folder -> what it does (its docstring's first line), oldest first."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config(migrations=migrations)).walk_revisions()
    return {s.revision: (s.doc or "").strip().splitlines()[0] if s.doc else "" for s in reversed(list(scripts))}


def _schema_row(conn) -> Optional[str]:
    """registry_info's `schema`, if the table and the row exist."""
    from sqlalchemy import inspect, select

    from .tables import registry_info

    if not inspect(conn).has_table("registry_info"):
        return None
    return conn.execute(select(registry_info.c.value).where(registry_info.c.name == "schema")).scalar()


def _write_schema_row(conn, revision: str) -> None:
    from sqlalchemy import update

    from .tables import registry_info

    value = str(schema_number(revision))
    done = conn.execute(update(registry_info).where(registry_info.c.name == "schema").values(value=value))
    if done.rowcount == 0:
        conn.execute(registry_info.insert().values(name="schema", value=value))


# -- a dropped connection ----------------------------------------------------------------------------

def connection_lost(exc: BaseException, backend: str) -> bool:
    """A database error that a new connection may not meet again: the pool found the connection
    dead, or (a server) the server refused, ended or could not serve the connection."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if not isinstance(exc, DBAPIError):
        return False
    return bool(exc.connection_invalidated) or (backend != "sqlite" and isinstance(exc, (OperationalError,
                                                                                        InterfaceError)))


def reconnecting(registry, action: Callable[[], T], what: str = "store the check") -> T:
    """`action()` (one transaction), tried again after registry.reconnect_delays when the database
    connection is lost (a server restart); RegistryError saying the database is unreachable when
    it stays so. The action must be safe to run again (a transaction cut short stored nothing; a
    commit whose answer was lost finds its rows there: Registry.record then says (id, False))."""
    import logging
    import time

    from .store import RegistryError, shown_url

    delays = tuple(registry.reconnect_delays)
    for attempt in range(len(delays) + 1):
        try:
            return action()
        except Exception as exc:
            if not connection_lost(exc, registry.engine.dialect.name):
                raise
            said = _first_line(getattr(exc, "orig", None) or exc)
            if attempt == len(delays):
                raise RegistryError(f"the registry's database is unreachable: could not {what} after "
                                    f"{attempt + 1} tries over {sum(delays):.0f} s ({said})", file=shown_url(registry.url),
                                    hint="check that the database server is running and reachable from here, then run "
                                         "the same command again: what was stored is kept (a batch skips the checks "
                                         "it stored)") from exc
            logging.getLogger("compliance.registry").warning(
                "%s: the database connection was lost (%s); trying again in %.1f s", shown_url(registry.url), said,
                delays[attempt])
            time.sleep(delays[attempt])
    raise AssertionError("unreachable")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    _wal(cursor)                                    # a killed writer loses nothing committed
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _wal(cursor) -> None:
    """Switch to WAL. SQLite takes the exclusive lock this needs without its busy handler, so while
    another opener of a new registry writes its first page (a RESERVED lock on a file still in
    rollback mode) the switch fails at once with "database is locked": it is tried again here,
    for as long as busy_timeout would have waited."""
    import sqlite3
    import time

    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class _ForkedEngines:
    """The live registry engines of this process. A process forked from it (a batch's zygote and its
    children) must open connections of its own, never use the parent's pooled ones:
    after a fork each engine forgets them without closing them (SQLAlchemy's dispose(close=False)).
    One at-fork hook for the process; engines are held weakly, so a closed Registry is not kept."""

    def __init__(self) -> None:
        import os
        import weakref

        self.engines: "weakref.WeakSet" = weakref.WeakSet()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        for engine in list(self.engines):
            engine.dispose(close=False)


_FORKED: list[_ForkedEngines] = []        # made at the first engine, not at import


def fork_safe(engine) -> None:
    """`engine` forgets its pooled connections in any process forked from this one."""
    if not _FORKED:
        _FORKED.append(_ForkedEngines())
    _FORKED[0].engines.add(engine)
