"""The registry and the office's records on PostgreSQL, as on SQLite: checks, sign-offs, history,
the queue, the district's rows, accounts, filings and the audit log; several processes writing
at once; times in UTC whatever the server's zone. The server is a real one (tests/postgres.py,
whose zone is Asia/Shanghai on purpose); each test has a database of its own."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from conftest import ROOT, RULES, SAMPLES
from test_samples_cli import run_cli
from test_signoff import _at, _outcome

PASSWORD = "correct horse battery"


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _story(db: str, sample_verdicts) -> dict:
    """One office's day, told to a registry: what it then answers (times as UTC instants)."""
    from compliance.district.collect import district_report
    from compliance.office.accounts import AccountError, add_organisation, add_user, authenticate, update_user
    from compliance.office.filings import (
        FilingError,
        can_see,
        file_check,
        filed,
        organisation_checks,
        own_check,
        ownership,
        uploaded_bytes,
    )
    from compliance.office.review import sign
    from compliance.registry.store import Registry

    registry = Registry(db)
    institute = add_organisation(registry, "上海某建筑设计研究院")
    other = add_organisation(registry, "另一设计院", "applicant")
    li = add_user(registry, "li", "李设计", "designer", PASSWORD, institute.name)
    zhao = add_user(registry, "zhao", "赵设计", "designer", PASSWORD, other.name)
    wang = add_user(registry, "wang", "王审查" * 30, "reviewer", PASSWORD, title="审查员")   # 90 characters
    with pytest.raises(AccountError, match="exists already"):
        add_user(registry, "LI", "又一个", "designer", PASSWORD, institute.name)
    with pytest.raises(AccountError, match="exists already"):
        add_organisation(registry, "另一设计院")

    ids = {}
    for name, folder, at, verdict in (
            ("office", SAMPLES / "fail-office", _at("2025-01-10"), sample_verdicts["fail-office"]),
            ("school", SAMPLES / "pass-school", _at("2025-02-01", 23), sample_verdicts["pass-school"]),
            ("error", SAMPLES / "error-not-ifc", _at("2025-02-15"), None),
            ("mall", SAMPLES / "pass-mall-retrofit", _at("2025-03-01"), sample_verdicts["pass-mall-retrofit"])):
        ids[name], stored = registry.record(_outcome(folder, at, verdict))
        assert stored
    assert registry.record(_outcome(SAMPLES / "fail-office", _at("2025-01-10"), sample_verdicts["fail-office"])) \
        == (ids["office"], False)

    own_check(registry, ids["school"], li, 123_456)
    own_check(registry, ids["school"], zhao, 9)          # the same check again: the first owner keeps it
    assert registry.get(ids["school"], where=filed()) is None and not can_see(registry, wang, registry.get(ids["school"]))
    file_check(registry, ids["school"], li)
    with pytest.raises(FilingError):
        file_check(registry, ids["school"], zhao)
    sign(registry, wang, ids["office"], "revise", "请补充屋顶光伏")
    sign(registry, wang, ids["school"], "approved")
    sign(registry, wang, ids["mall"], "approved")
    assert authenticate(registry, "li", PASSWORD).id == li.id and authenticate(registry, "li", "wrong") is None
    assert update_user(registry, "li", password=PASSWORD + "!").session_epoch == 1

    report = district_report(registry, RULES, date(2030, 12, 31))
    owner = ownership(registry, ids["school"])
    answers = {
        "history": [(r.id, r.outcome, r.verdict, _utc(r.checked_at), r.filed_on, r.error_kind)
                    for r in registry.history("YP-2024-0457") + registry.history("YP-2025-0012")],
        "keys": sorted(registry.keys().items()),
        "queue": [(q.check.id, q.signoff.decision if q.signoff else None,
                   q.signoff.reviewer_account if q.signoff else None) for q in registry.queue()],
        "february": [q.check.id for q in registry.queue(since=date(2025, 2, 1), until=date(2025, 2, 1))],
        "signoffs": [(s.check_id, s.reviewer, s.reviewer_title, _utc(s.signed_at).tzinfo) for s in registry.signoffs()],
        "results": registry.results(ids["office"]),
        "district_rows": [(row.id, sorted(figures)) for row, figures in registry.district_rows()],
        "district": {t.id: t.achieved for t in report.targets},
        "unidentified": registry.unidentified_errors(),
        "error": registry.get(ids["error"]).failure,
        "owner": (owner.organisation_id, owner.upload_bytes, owner.filed, owner.uploaded_at.tzinfo),
        "organisation": [row.id for row, _ in organisation_checks(registry, institute.id)],
        "bytes": uploaded_bytes(registry, institute.id, datetime.now(timezone.utc).replace(hour=0, minute=0)),
        "verdicts": {k: registry.verdict(i).model_copy(update={"signoffs": ()}) for k, i in ids.items()
                     if k != "error"},
    }
    registry.close()
    return answers


def test_the_registry_answers_the_same_on_postgresql_as_on_sqlite(tmp_path, postgres_url, sample_verdicts):
    on_sqlite = _story(str(tmp_path / "registry.sqlite"), sample_verdicts)
    on_postgres = _story(postgres_url, sample_verdicts)
    for what in on_sqlite:
        assert on_postgres[what] == on_sqlite[what], what
    # and the answers are the right ones
    assert [q[1:] for q in on_postgres["queue"]] == [("approved", "wang"), ("approved", "wang"), ("revise", "wang")]
    assert on_postgres["february"] == [on_postgres["queue"][1][0]]        # 23:00 UTC is still 1 February
    assert on_postgres["owner"] == (1, 123_456, True, timezone.utc) and on_postgres["bytes"] == 123_456
    assert on_postgres["unidentified"] == 1 and on_postgres["error"].kind
    assert on_postgres["verdicts"]["office"] == sample_verdicts["fail-office"]
    assert any(on_postgres["district"].values()), "the approved mall retrofit counts toward a district target"


def test_times_are_read_back_in_utc_whatever_the_servers_zone(postgres_url, postgres_cluster, sample_verdicts):
    import psycopg

    from compliance.registry.store import Registry

    with psycopg.connect(postgres_url.replace("postgresql+psycopg", "postgresql")) as conn:
        assert conn.execute("show timezone").fetchone() == ("Asia/Shanghai",)      # the server's own zone
    registry = Registry(postgres_url)
    late = datetime(2025, 1, 10, 23, 30, tzinfo=timezone.utc)                      # 07:30 next day in Shanghai
    check_id, _ = registry.record(_outcome(SAMPLES / "fail-office", late, sample_verdicts["fail-office"]))
    [row] = registry.history("YP-2024-0457")
    assert row.checked_at == late and row.checked_at.utcoffset().total_seconds() == 0
    assert [q.check.id for q in registry.queue(since=date(2025, 1, 10), until=date(2025, 1, 10))] == [check_id]
    registry.close()
    proc = run_cli("history", "YP-2024-0457", "--db", postgres_url)
    assert proc.returncode == 0, proc.stderr
    assert "2025-01-10 23:30" in proc.stdout and "2025-01-11" not in proc.stdout
    assert postgres_cluster.password not in proc.stdout + proc.stderr               # the URL is shown without it


def test_a_batch_in_several_processes_stores_into_postgresql(postgres_url, tmp_path):
    folders = [SAMPLES / n for n in ("pass-school", "fail-office", "incomplete-plant", "error-not-ifc")]
    proc = run_cli("batch", *map(str, folders), "--db", postgres_url, "-o", str(tmp_path / "out"), "--format", "json",
                   "--jobs", "3")
    assert proc.returncode == 2, proc.stderr                       # one could not be checked
    again = run_cli("batch", *map(str, folders), "--db", postgres_url, "-o", str(tmp_path / "out"), "--jobs", "2")
    assert again.returncode == 2 and "Traceback" not in again.stderr

    from compliance.registry.store import Registry

    registry = Registry(postgres_url, create=False)
    rows = registry.all()
    assert len(rows) == 4 and sorted(r.outcome for r in rows) == ["error", "verdict", "verdict", "verdict"]
    assert {r.verdict for r in rows} == {"compliant", "non_compliant", "incomplete", None}
    registry.close()
    district = run_cli("district", "--db", postgres_url, "-o", str(tmp_path / "district.json"))
    assert district.returncode == 0, district.stderr
    assert json.loads((tmp_path / "district.json").read_text(encoding="utf-8"))


def _processes(script: str, db: str, count: int, folder: Path) -> list[subprocess.CompletedProcess]:
    """`count` Python processes running `script` (with DB and N, the process's number, defined) from
    the same instant (the modules it needs imported before)."""
    go = folder / "go"
    prelude = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        import psycopg, sqlalchemy
        from compliance.office.audit import record
        from compliance.registry.store import Registry
        from compliance.registry.tables import metadata
        DB, N = {db!r}, int(sys.argv[1])
        while not os.path.exists({str(go)!r}):
            time.sleep(0.001)
        """)
    procs = [subprocess.Popen([sys.executable, "-c", prelude + textwrap.dedent(script), str(n)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(count)]
    time.sleep(3)                # every process is waiting, its modules imported
    go.touch()
    done = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


def test_several_processes_open_the_same_new_registry_at_once(db_url, tmp_path):
    from sqlalchemy import inspect, select

    from compliance.registry.store import Registry
    from compliance.registry.tables import metadata, registry_info

    done = _processes("""
        Registry(DB).close()
        print("opened")
        """, db_url, 8, tmp_path)
    for proc in done:
        assert proc.returncode == 0 and proc.stdout.strip() == "opened", proc.stderr
    registry = Registry(db_url, create=False)
    assert set(metadata.tables) <= set(inspect(registry.engine).get_table_names())
    with registry.engine.connect() as conn:
        assert conn.execute(select(registry_info.c.value)).all() == [("1",)]
    registry.close()


def test_processes_append_to_the_audit_log_at_once_and_the_chain_holds(db_url, tmp_path):
    from compliance.office import audit
    from compliance.registry.store import Registry

    Registry(db_url).close()
    done = _processes("""
        registry = Registry(DB)
        for i in range(25):
            record(registry, f"proc-{N}", "check", f"check:{i}", {"n": i}, address="127.0.0.1")
        print("appended")
        """, db_url, 3, tmp_path)
    for proc in done:
        assert proc.returncode == 0 and proc.stdout.strip() == "appended", proc.stderr
    registry = Registry(db_url)
    count, broken = audit.verify(registry)
    assert (count, broken) == (75, None)
    rows = audit.rows(registry)
    assert [r.id for r in rows] == list(range(1, 76))
    for n in range(3):
        assert [r.detail["n"] for r in rows if r.actor == f"proc-{n}"] == list(range(25))
    # an edited row is found, on either backend
    from sqlalchemy import update

    from compliance.registry.tables import audit_log

    with registry.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 40).values(subject="check:999"))
    assert audit.verify(registry)[1].id == 40
    registry.close()


def test_long_text_and_nul_characters_are_stored_alike_on_both_backends(db_url):
    from compliance.office import audit
    from compliance.registry.store import Failure, Outcome, Registry

    registry = Registry(db_url)
    row = audit.record(registry, "anonymous\x00" + "x" * 200, "refused", "/jobs/" + "a" * 300 + "\x00",
                       {"why": "cross-origin form\x00"}, address="2001:db8::1")
    assert len(row.subject) == 200 and row.subject.endswith("…") and len(row.actor) == 100
    assert row.actor.startswith("anonymous[U+0000]")
    assert audit.verify(registry) == (1, None) and audit.rows(registry)[0] == row
    failure = Failure(kind="ifc error", message="unexpected byte \x00 in entity #12", file="a\x00.ifc", line=3)
    outcome = Outcome(key="k" * 64, folder="/tmp/x", inputs_sha256="0" * 64, rules_version="sha256:1",
                      tool_version="0.1.0", checked_at=_at("2025-01-01"), duration_s=1.0, failure=failure)
    check_id, stored = registry.record(outcome)
    assert stored and registry.get(check_id).failure.message == "unexpected byte [U+0000] in entity #12"
    registry.close()


def test_a_process_forked_from_one_holding_a_registry_opens_connections_of_its_own(db_url):
    """A batch's zygote and its children are forked from a process holding the registry: a child that
    used the parent's pooled connection would share one socket (PostgreSQL) or file lock (SQLite)
    between two processes. Any Registry forgets its pool in a forked child, without closing it."""
    import os

    from compliance.registry.store import Registry

    registry = Registry(db_url)
    assert registry.keys() == {}                          # one connection now waits in the pool
    assert registry.engine.pool.checkedin() == 1
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                          # the child: its pool starts empty
        try:
            os.write(write, f"{registry.engine.pool.checkedin()} {len(registry.keys())}".encode())
        finally:
            os._exit(0)
    os.close(write)
    said = os.read(read, 100).decode()
    os.waitpid(pid, 0)
    assert said == "0 0"
    assert registry.engine.pool.checkedin() == 1 and registry.keys() == {}     # the parent's is untouched
    registry.close()
