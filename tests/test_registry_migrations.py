"""The registry's schema migrations (Alembic, compliance/registry/migrations) and its life on a
real database server, on SQLite and PostgreSQL alike:

- the newest revision makes exactly the schema tables.py describes; the revisions are one numbered
  line, shipped with the package;
- a registry made before migrations (tables by `metadata.create_all`, registry_info schema 1, no
  alembic_version) is upgraded in place, every row kept; one whose table lacks a column is refused
  and left as it was; one newer than this checker is refused, naming the registry;
- a new migration, written by `compliance registry revision --autogenerate`, upgrades a registry;
- several processes opening one new (or pre-migration) registry at once: all succeed, the schema is
  made once;
- a Registry outlives a PostgreSQL restart (pool_pre_ping, and a write retried while the server is
  down); a server that stays down is one clear error. These run on a server of their own
  (`own_cluster`), as they stop and start it.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import tomllib
from conftest import ROOT, SAMPLES
from test_registry_postgres import _processes
from test_samples_cli import run_cli
from test_signoff import _at, _outcome

MIGRATIONS = ROOT / "compliance" / "registry" / "migrations"
# the tables a registry made just before migrations lacks: they were added the day migrations came
NEW_IN_0001 = ("model_facts", "input_texts")


@pytest.fixture(scope="module")
def office_verdict():
    """fail-office checked once: a verdict with results, inputs and district figures to store."""
    return _outcome(SAMPLES / "fail-office", _at("2025-01-10")).verdict


def _failure(n: int):
    from compliance.registry.store import Failure, Outcome

    return Outcome(key=f"{n:064d}", folder=f"/tmp/submission-{n}", inputs_sha256="0" * 64, rules_version="sha256:1",
                   tool_version="0.1.0", checked_at=_at("2025-01-01"), duration_s=1.0,
                   failure=Failure(kind="input error", message=f"broken {n}", file="submission.yaml", line=n))


def _second_database(db_url: str, request, tmp_path) -> str:
    """Another empty database on the same backend as `db_url`."""
    if "://" not in db_url:
        return str(tmp_path / "second.sqlite")
    cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database("second")
    request.addfinalizer(lambda: cluster.drop_database(url))
    return url


def _shape(engine) -> dict:
    """A database's schema as reflected: per table its columns (type, nullability), primary key,
    foreign keys, indexes and unique constraints (alembic's own table left out)."""
    from sqlalchemy import inspect

    inspector = inspect(engine)
    shape = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        shape[table] = dict(
            columns=[(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            primary_key=inspector.get_pk_constraint(table)["constrained_columns"],
            foreign_keys=sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]),
                                 (f.get("options") or {}).get("ondelete")) for f in inspector.get_foreign_keys(table)),
            indexes=sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                           for i in inspector.get_indexes(table)),
            unique=sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)))
    return shape


def _rows(registry, query: str) -> list[tuple]:
    from sqlalchemy import text

    with registry.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query))]


# -- the revisions --------------------------------------------------------------------------------

def test_the_newest_revision_makes_the_schema_tables_py_describes(db_url, request, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from compliance.registry.connect import engine_options, head_revision
    from compliance.registry.store import Registry, registry_url
    from compliance.registry.tables import metadata

    registry = Registry(db_url)
    assert (registry.schema.before, registry.schema.after, registry.schema.changed) == (None, head_revision(), True)
    with registry.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []
    # the very tables, keys and indexes `metadata.create_all` makes (as registries were made before migrations)
    url = registry_url(_second_database(db_url, request, tmp_path))
    made = create_engine(url, **engine_options(url))
    metadata.create_all(made)
    assert _shape(registry.engine) == _shape(made)
    made.dispose()
    assert _rows(registry, "SELECT name, value FROM registry_info") == [("schema", str(int(head_revision())))]
    assert _rows(registry, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    registry.close()
    again = Registry(db_url)
    assert again.schema.before == again.schema.after == head_revision() and not again.schema.changed
    again.close()


def test_the_revisions_are_one_numbered_line_shipped_with_the_package():
    from alembic.script import ScriptDirectory

    from compliance.registry.connect import alembic_config, head_revision, known_revisions, schema_number

    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [head_revision()]
    chain = list(reversed(list(scripts.walk_revisions())))
    for n, script in enumerate(chain, start=1):
        assert script.revision == f"{n:04d}" and schema_number(script.revision) == n
        assert script.down_revision == (f"{n - 1:04d}" if n > 1 else None)
        assert Path(script.path).name.startswith(f"{script.revision}_"), script.path
        assert script.doc.strip(), f"{script.path}: say in its docstring what the revision does"
    assert list(known_revisions()) == [s.revision for s in chain]
    # the migrations are package data, so an installed checker (not only a checkout) has them
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["compliance.registry"]
    package = ROOT / "compliance" / "registry"
    shipped = {p for pattern in globs for p in package.glob(pattern)}
    needed = {p for p in MIGRATIONS.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert needed and needed <= shipped, sorted(map(str, needed - shipped))


# -- registries made before migrations --------------------------------------------------------------

def _made_before_migrations(engine, url: str) -> None:
    """connect.create_schema as it was before migrations (the tables of that day: without those
    0001 added), to build a registry the old way."""
    from sqlalchemy import select, text

    from compliance.registry.tables import metadata, registry_info

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x636F6D706C79})
        metadata.create_all(conn, tables=[t for name, t in metadata.tables.items() if name not in NEW_IN_0001])
        if conn.execute(select(registry_info.c.value).where(registry_info.c.name == "schema")).first() is None:
            conn.execute(registry_info.insert().values(name="schema", value="1"))


def _old_registry(db: str, monkeypatch):
    """A Registry opened (and left open) the way checkers did before migrations."""
    from compliance.registry import connect
    from compliance.registry.store import Registry

    with monkeypatch.context() as patch:
        patch.setattr(connect, "create_schema", _made_before_migrations)
        return Registry(db)


def test_a_registry_made_before_migrations_is_upgraded_with_every_row_kept(db_url, monkeypatch, office_verdict):
    from sqlalchemy import inspect

    from compliance.office import audit
    from compliance.office.accounts import add_organisation, add_user, authenticate
    from compliance.office.review import sign
    from compliance.registry.connect import head_revision
    from compliance.registry.store import Registry

    old = _old_registry(db_url, monkeypatch)
    assert not {"alembic_version", *NEW_IN_0001} & set(inspect(old.engine).get_table_names())
    add_organisation(old, "上海某建筑设计研究院")
    wang = add_user(old, "wang", "王审查", "reviewer", "correct horse battery", title="审查员")
    check_id, _ = old.record(_outcome(SAMPLES / "fail-office", _at("2025-01-10"), office_verdict))
    error_id, _ = old.record(_failure(1))
    sign(old, wang, check_id, "revise", "请补充屋顶光伏")
    audit.record(old, "cli:office", "note", "registry:old", {"why": "before migrations"})
    before = dict(checks=old.all(), results=old.results(check_id), signoffs=old.signoffs(), audit=audit.rows(old),
                  verdict=old.verdict(check_id))
    old.close()

    registry = Registry(db_url)
    assert registry.schema.made_before_migrations and registry.schema.before is None
    assert registry.schema.after == head_revision()
    assert {"alembic_version", *NEW_IN_0001} <= set(inspect(registry.engine).get_table_names())
    after = dict(checks=registry.all(), results=registry.results(check_id), signoffs=registry.signoffs(),
                 audit=audit.rows(registry), verdict=registry.verdict(check_id))
    assert after == before
    assert registry.get(error_id).failure.message == "broken 1"
    assert audit.verify(registry) == (len(before["audit"]), None)
    assert authenticate(registry, "wang", "correct horse battery").id == wang.id
    assert _rows(registry, "SELECT name, value FROM registry_info") == [("schema", "1")]
    assert registry.record(_failure(2))[1]                      # and it is written to as before
    registry.close()
    again = Registry(db_url)
    assert not again.schema.changed and not again.schema.made_before_migrations
    again.close()


def test_a_pre_migration_registry_lacking_a_column_is_refused_and_left_as_it_was(db_url, monkeypatch):
    from sqlalchemy import inspect, text

    from compliance.registry.store import Registry, RegistryError, shown_url

    old = _old_registry(db_url, monkeypatch)
    with old.engine.begin() as conn:         # as a development version had them: no signoffs, web_jobs without owner
        conn.execute(text("DROP TABLE web_jobs"))
        conn.execute(text("DROP TABLE signoff_signers"))
        conn.execute(text("DROP TABLE signoffs"))
        conn.execute(text("CREATE TABLE web_jobs (id VARCHAR(32) PRIMARY KEY, finished BOOLEAN NOT NULL)"))
    tables = set(inspect(old.engine).get_table_names())
    url = old.url
    old.close()
    with pytest.raises(RegistryError) as refused:
        Registry(db_url)
    assert "web_jobs lacks the column(s) owner" in refused.value.message and refused.value.file == shown_url(url)
    assert "nothing was changed" in refused.value.message
    from sqlalchemy import create_engine

    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == tables        # signoffs, made first, was rolled back too
    engine.dispose()


def test_a_registry_newer_than_this_checker_is_refused(db_url, tmp_path):
    from sqlalchemy import create_engine

    from compliance.registry.connect import engine_options, schema_transaction, upgrade
    from compliance.registry.store import Registry, RegistryError, registry_url, shown_url

    Registry(db_url).close()
    later = _copy_migrations(tmp_path)
    _write(later, "0002_checks_a_note.py", "0002", "0001", "checks: a note",
           'op.add_column("checks", sa.Column("note", sa.Text(), nullable=True))')
    url = registry_url(db_url)
    engine = create_engine(url, **engine_options(url))
    with schema_transaction(engine) as conn:
        state = upgrade(conn, url, migrations=later)        # as the newer checker does
    engine.dispose()
    assert (state.before, state.after) == ("0001", "0002")
    with pytest.raises(RegistryError) as refused:
        Registry(db_url)
    assert "revision 0002, newer than this checker knows (its newest is 0001)" in refused.value.message
    assert refused.value.file == shown_url(url) and "newer version of the checker" in refused.value.hint
    proc = run_cli("history", "YP-2024-0457", "--db", db_url)
    assert proc.returncode == 2 and "newer than this checker knows" in proc.stderr and "Traceback" not in proc.stderr
    upgraded = run_cli("registry", "upgrade", "--db", db_url)
    assert upgraded.returncode == 2 and "newer version of the checker" in upgraded.stderr


def test_a_registry_claiming_another_schema_without_migrations_is_refused(tmp_path):
    from sqlalchemy import create_engine, text

    from compliance.registry.store import Registry, RegistryError

    db = tmp_path / "odd.sqlite"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE registry_info (name VARCHAR(32) PRIMARY KEY, value VARCHAR(200) NOT NULL)"))
        conn.execute(text("INSERT INTO registry_info VALUES ('schema', '2')"))
    engine.dispose()
    with pytest.raises(RegistryError, match="says schema 2 but has no migration history"):
        Registry(db)


# -- writing a migration ----------------------------------------------------------------------------

def _copy_migrations(tmp_path: Path) -> Path:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _write(migrations: Path, name: str, revision: str, down: str, doc: str, body: str) -> None:
    (migrations / "versions" / name).write_text(
        f'"""{doc}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "{revision}"\n'
        f'down_revision = "{down}"\n\n\ndef upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n',
        encoding="utf-8")


def test_a_migration_written_by_autogenerate_upgrades_a_registry(db_url, tmp_path, monkeypatch):
    """The workflow of docs/registry.md: change tables.py, `compliance registry revision
    --autogenerate`, and every registry at the head before gets the change, its rows kept."""
    from sqlalchemy import Column, Integer, MetaData, create_engine, inspect

    from compliance.commands.dbadmin import _write_revision
    from compliance.registry import tables
    from compliance.registry.connect import engine_options, head_revision, schema_transaction, upgrade
    from compliance.registry.store import Registry

    registry = Registry(db_url)
    registry.record(_failure(7))
    url = registry.url
    registry.close()

    changed = MetaData()
    for table in tables.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["checks"].append_column(Column("priority", Integer, nullable=True))
    monkeypatch.setattr(tables, "metadata", changed)           # tables.py with a new column
    later = _copy_migrations(tmp_path)
    script = _write_revision(later, "checks: a priority column", "0002", autogenerate=True)
    text = Path(script.path).read_text(encoding="utf-8")
    assert Path(script.path).name == "0002_checks_a_priority_column.py" and script.down_revision == head_revision()
    assert "add_column(sa.Column('priority', sa.Integer()" in text and "schema 2" in text

    engine = create_engine(url, **engine_options(url))
    with schema_transaction(engine) as conn:
        state = upgrade(conn, url, migrations=later)
    assert (state.before, state.after) == ("0001", "0002")
    assert "priority" in {c["name"] for c in inspect(engine).get_columns("checks")}
    with engine.connect() as conn:
        from sqlalchemy import text as sql

        assert conn.execute(sql("SELECT error_message FROM checks")).all() == [("broken 7",)]
        assert conn.execute(sql("SELECT value FROM registry_info WHERE name = 'schema'")).scalar() == "2"
    engine.dispose()


def test_the_revision_command_numbers_the_next_revision(tmp_path):
    later = _copy_migrations(tmp_path)
    proc = run_cli("registry", "revision", "-m", "users: a phone number", "--migrations", str(later))
    assert proc.returncode == 0, proc.stderr
    written = later / "versions" / "0002_users_a_phone_number.py"
    assert f"wrote {written}: revision 0002 after 0001" in proc.stdout
    assert 'revision = \'0002\'' in written.read_text(encoding="utf-8")
    proc = run_cli("registry", "revision", "-m", "x", "--migrations", str(tmp_path))
    assert proc.returncode == 2 and "is not a migrations folder" in proc.stderr


def test_the_upgrade_command_says_what_it_did(tmp_path, monkeypatch):
    db = tmp_path / "old.sqlite"
    _old_registry(str(db), monkeypatch).close()
    proc = run_cli("registry", "upgrade", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "made before migrations (schema 1); upgraded in place to revision 0001 (schema 1)" in proc.stdout
    assert "0001  The baseline" in proc.stdout
    again = run_cli("registry", "upgrade", "--db", str(db))
    assert "at revision 0001 (schema 1), the newest this checker knows; nothing to do" in again.stdout
    missing = run_cli("registry", "upgrade", "--db", str(tmp_path / "typo.sqlite"))
    assert missing.returncode == 2 and "no registry here" in missing.stderr and not (tmp_path / "typo.sqlite").exists()


# -- several processes at once ----------------------------------------------------------------------

@pytest.mark.parametrize("start", ["new", "made before migrations"])
def test_processes_opening_one_registry_at_once_make_its_schema_once(db_url, tmp_path, monkeypatch, start):
    from compliance.registry.connect import head_revision
    from compliance.registry.store import Registry

    if start != "new":
        _old_registry(db_url, monkeypatch).close()
    done = _processes("""
        from compliance.registry.store import Outcome
        registry = Registry(DB)
        registry.record(Outcome(
            key=f"{N:064d}", folder=f"/tmp/s{N}", inputs_sha256="0" * 64, rules_version="r", tool_version="t",
            checked_at="2025-01-01T00:00:00+00:00", duration_s=0.1,
            failure={"kind": "input error", "message": f"process {N}"}))
        print(registry.schema.before, registry.schema.after)
        """, db_url, 4, tmp_path)
    for proc in done:
        assert proc.returncode == 0, proc.stderr
    said = sorted(proc.stdout.split() for proc in done)
    head = head_revision()
    assert said == [["0001", head]] * 3 + [["None", head]], said        # one made it, three found it made
    registry = Registry(db_url, create=False)
    assert _rows(registry, "SELECT version_num FROM alembic_version") == [(head,)]
    assert _rows(registry, "SELECT name, value FROM registry_info") == [("schema", "1")]
    assert sorted(r.error_message for r in registry.all()) == [f"process {n}" for n in range(4)]
    registry.close()


# -- a server restart -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def own_cluster():
    """A PostgreSQL server of this module's own, which its tests stop and start."""
    from postgres import started_or_skipped

    cluster = started_or_skipped()
    yield cluster
    cluster.stop()


@pytest.fixture()
def own_url(own_cluster, request):
    url = own_cluster.create_database(request.node.name)
    yield url
    if not (own_cluster.data / "postmaster.pid").is_file():
        own_cluster.start_server()
    own_cluster.drop_database(url)


def test_a_registry_keeps_working_after_the_server_restarts(own_cluster, own_url, caplog):
    from compliance.registry.store import Registry

    registry = Registry(own_url)
    first, _ = registry.record(_failure(1))
    own_cluster.restart()                         # every connection in the pool is now dead
    with caplog.at_level(logging.WARNING, logger="compliance.registry"):
        second, stored = registry.record(_failure(2))
    assert stored and [r.id for r in registry.all()] == [first, second]
    assert not caplog.records, "the pool's ping found the dead connection: nothing had to be tried again"
    registry.close()


def test_a_write_waits_for_a_server_that_comes_back(own_cluster, own_url, caplog):
    from compliance.registry.store import Registry

    registry = Registry(own_url)
    registry.record(_failure(1))
    own_cluster.stop_server()
    back = threading.Timer(2.0, own_cluster.start_server)
    back.start()
    try:
        with caplog.at_level(logging.WARNING, logger="compliance.registry"):
            check_id, stored = registry.record(_failure(2))
    finally:
        back.join()
    assert stored and registry.get(check_id).error_message == "broken 2"
    assert any("connection was lost" in r.getMessage() and own_cluster.password not in r.getMessage()
               for r in caplog.records)
    registry.close()


def test_a_server_that_stays_down_is_one_clear_error(own_cluster, own_url):
    from compliance.registry.store import Registry, RegistryError, shown_url

    registry = Registry(own_url)
    registry.reconnect_delays = (0.2, 0.4)
    own_cluster.stop_server()
    started = time.monotonic()
    with pytest.raises(RegistryError) as down:
        registry.record(_failure(1))
    assert time.monotonic() - started < 30
    assert "the registry's database is unreachable: could not store the check of /tmp/submission-1 after 3 tries" \
        in down.value.message
    assert down.value.file == shown_url(own_url) and own_cluster.password not in str(down.value)
    assert "server is running" in down.value.hint and "run the same command again" in down.value.hint
    own_cluster.start_server()
    assert registry.record(_failure(1))[1]          # the same Registry, once the server is back
    registry.close()


def test_a_batch_goes_on_while_the_server_restarts(own_cluster, own_url, tmp_path):
    """A real `compliance batch` into PostgreSQL; the server restarts after its first stored check:
    every submission is still stored and the batch ends as it would have."""
    import shutil

    from compliance.registry.store import Registry

    folders = [SAMPLES / n for n in ("fail-office", "incomplete-plant", "error-not-ifc")]
    for n in range(6):              # enough checks, one at a time, that the restart falls among them
        copy = tmp_path / "in" / f"school-{n}"
        shutil.copytree(SAMPLES / "pass-school", copy)
        for model in copy.glob("*.ifc"):
            with open(model, "a", encoding="ascii") as fh:
                fh.write(f"/* copy {n} */\n")
        meta = copy / "submission.yaml"
        meta.write_text(re.sub(r"(?m)^id: .*$", f"id: YP-2099-{n:04d}", meta.read_text(encoding="utf-8")),
                        encoding="utf-8")
        folders.append(copy)
    registry = Registry(own_url)
    batch = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", *map(str, folders), "--db", own_url,
                              "-o", str(tmp_path / "out"), "--format", "json", "--jobs", "1"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not registry.all() and batch.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.3)                 # what the batch writes beside its first check (its models' facts) is written
    assert batch.poll() is None, "the batch ended before the restart: it must run longer for this test"
    stored_before = len(registry.all())
    own_cluster.restart()
    out, err = batch.communicate(timeout=300)
    assert batch.returncode == 2, out + err                    # error-not-ifc could not be checked, as without
    assert "Traceback" not in err and "unreachable" not in err, err
    rows = registry.all()
    assert sorted(r.outcome for r in rows) == ["error"] + ["verdict"] * 8, out + err
    assert stored_before < 9, "some were stored after the restart"
    registry.close()


@pytest.mark.parametrize("holding", ["BEGIN IMMEDIATE", "INSERT INTO t VALUES (1)"])
def test_a_new_sqlite_registry_waits_for_another_opener_writing_its_first_page(tmp_path, holding):
    """The race CI met with four openers: SQLite switches to WAL under an exclusive lock it does
    not wait for, so an opener that found another one writing (a file still in rollback mode)
    failed at once with "database is locked" instead of waiting its busy_timeout."""
    import sqlite3
    import threading
    import time

    from compliance.registry.store import Registry

    db = tmp_path / "new.sqlite"
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN" if holding.startswith("INSERT") else holding)
    if holding.startswith("INSERT"):
        other.execute(holding)
    threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
    started = time.monotonic()
    registry = Registry(db)
    assert time.monotonic() - started >= 0.4            # it waited for the other writer, then opened
    with registry.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    registry.close()
    other.close()
