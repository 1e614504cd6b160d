"""A reviewer's sign-off: stored in the registry, read back with the verdict, the reviewer's queue,
printed on the PDF and HTML, in the JSON, and through the CLI (`signoff`, `report`, `history`).

Every verdict here comes from checking a real sample in ifc_samples/ with the pipeline."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from conftest import RULES, SAMPLES
from office_accounts import PASSWORD
from test_samples_cli import run_cli

ESC, RLO = "\x1b", "\u202e"
HOSTILE = "<script>alert(1)</script>"


# -- helpers: real checks, recorded as the batch records them ---------------------------------------

def _outcome(folder: Path, checked_at: datetime, verdict=None):
    """What `compliance batch` stores for a folder: its key, and its verdict or its failure."""
    from compliance import __version__
    from compliance.batch.worker import failure_of
    from compliance.context import RunContext
    from compliance.pipeline import check_submission
    from compliance.registry.keys import check_key, inputs_sha256
    from compliance.registry.store import Outcome
    from compliance.ruleset.loader import load_ruleset

    rules_version = load_ruleset(RULES).version
    inputs = inputs_sha256(folder)
    base = dict(key=check_key(inputs, rules_version, None, __version__), folder=str(folder), inputs_sha256=inputs,
                rules_version=rules_version, tool_version=__version__, checked_at=checked_at, duration_s=0.5)
    if verdict is None:
        try:
            verdict = check_submission(folder, RunContext(rules_dir=RULES))
        except Exception as exc:        # a broken sample: stored as an error row
            return Outcome(**base, failure=failure_of(exc), submission_id=None)
    return Outcome(**base, verdict=verdict)


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def filled(tmp_path_factory, sample_verdicts):
    """A registry with real checks on known days:
    fail-office (#a, 2025-01-10) and its resubmission (#a2, 2025-04-01: the latest of YP-2024-0457),
    pass-school (2025-02-01), an error (2025-02-15), incomplete-plant (2025-03-01),
    fail-binjiang-office (2025-03-15)."""
    from compliance.registry.store import Registry

    base = tmp_path_factory.mktemp("signoff")
    registry = Registry(base / "registry.sqlite")
    return registry, _fill(registry, base, sample_verdicts), base


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled_on(request, tmp_path_factory, sample_verdicts):
    """The same registry as `filled`, on each backend (for the tests that only read it)."""
    from compliance.registry.store import Registry

    base = tmp_path_factory.mktemp("signoff-" + request.param)
    if request.param == "sqlite":
        registry = Registry(base / "registry.sqlite")
        yield registry, _fill(registry, base, sample_verdicts), base
        return
    cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database("signoff")
    registry = Registry(url)
    yield registry, _fill(registry, base, sample_verdicts), base
    registry.close()
    cluster.drop_database(url)


def _fill(registry, base: Path, sample_verdicts) -> dict:
    resubmitted = base / "fail-office-v2"
    shutil.copytree(SAMPLES / "fail-office", resubmitted)
    with open(resubmitted / "submission.yaml", "a", encoding="utf-8") as fh:
        fh.write("# resubmitted with the reviewer's changes\n")
    ids = {}
    for name, folder, day, verdict in (
            ("office", SAMPLES / "fail-office", "2025-01-10", sample_verdicts["fail-office"]),
            ("school", SAMPLES / "pass-school", "2025-02-01", sample_verdicts["pass-school"]),
            ("error", SAMPLES / "error-not-ifc", "2025-02-15", None),
            ("plant", SAMPLES / "incomplete-plant", "2025-03-01", sample_verdicts["incomplete-plant"]),
            ("binjiang", SAMPLES / "fail-binjiang-office", "2025-03-15", sample_verdicts["fail-binjiang-office"]),
            ("office2", resubmitted, "2025-04-01", None)):
        ids[name], stored = registry.record(_outcome(folder, _at(day), verdict))
        assert stored, name
    return ids


@pytest.fixture()
def fresh(tmp_path, sample_verdicts):
    """A registry of its own with one check of fail-office (for tests that sign and count)."""
    from compliance.registry.store import Registry

    registry = Registry(tmp_path / "registry.sqlite")
    check_id, _ = registry.record(_outcome(SAMPLES / "fail-office", _at("2025-01-10"), sample_verdicts["fail-office"]))
    return registry, check_id


@pytest.fixture()
def fresh_on(db_url, sample_verdicts):
    """As `fresh`, on SQLite and on PostgreSQL (conftest.db_url)."""
    from compliance.registry.store import Registry

    registry = Registry(db_url)
    check_id, _ = registry.record(_outcome(SAMPLES / "fail-office", _at("2025-01-10"), sample_verdicts["fail-office"]))
    yield registry, check_id
    registry.close()


def _pdftotext(data: bytes, tmp_path: Path, name: str = "v.pdf", mode: str = "-layout") -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext not found: install poppler-utils (the README's test command does)")
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run([tool, mode, str(path), "-"], capture_output=True, check=True).stdout.decode("utf-8")


def _copy_registry(base: Path, tmp_path: Path):
    """The shared registry copied (SQLite's backup: the WAL's pages too) to sign in without changing it."""
    from compliance.registry.store import Registry

    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(base / "registry.sqlite") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return Registry(copy)


def _flat(text: str) -> str:
    return "".join(text.split())


def _sign_section(text: str) -> str:
    """The PDF's text from the sign-off block on (the cover also names the latest sign-off)."""
    return text[text.rindex("审查签署 Reviewer sign-off"):]


# -- the record and the registry ------------------------------------------------------------------

def test_a_sign_off_is_stored_and_read_back_with_the_verdict(fresh_on, sample_verdicts):
    registry, check_id = fresh_on
    before = datetime.now(timezone.utc).replace(microsecond=0)
    stored = registry.sign_off(check_id, "  王建国  ", "revise", "请补充屋顶光伏。\r\nAdd rooftop PV.")
    assert stored.reviewer == "王建国" and stored.decision == "revise" and stored.check_id == check_id
    assert stored.comment == "请补充屋顶光伏。\nAdd rooftop PV."          # a text area's CR LF is a line feed
    assert stored.signed_at.tzinfo is not None and stored.signed_at.utcoffset().total_seconds() == 0
    assert before <= stored.signed_at <= datetime.now(timezone.utc)
    assert registry.signoffs(check_id) == [stored]
    assert registry.signoffs(submission_id="YP-2024-0457") == [stored]
    verdict = registry.verdict(check_id)
    assert verdict.signoffs == (stored,)
    assert verdict.model_copy(update={"signoffs": ()}) == sample_verdicts["fail-office"]


def test_a_fresh_check_has_no_sign_off(fresh_on, sample_verdicts):
    registry, check_id = fresh_on
    assert all(v.signoffs == () for v in sample_verdicts.values())
    assert registry.verdict(check_id) == sample_verdicts["fail-office"]
    assert registry.signoffs(check_id) == [] and registry.verdict(check_id + 99) is None


def test_several_sign_offs_are_kept_oldest_first_and_the_latest_counts(fresh_on):
    registry, check_id = fresh_on
    first = registry.sign_off(check_id, "王建国", "revise", "请补充光伏")
    second = registry.sign_off(check_id, "李敏", "rejected")
    third = registry.sign_off(check_id, "李敏", "approved", "已复核")
    assert registry.signoffs(check_id=check_id) == [first, second, third]
    assert registry.verdict(check_id).signoffs == (first, second, third)
    [row] = registry.queue()
    assert row.signoff == third and row.signed


def test_refusals_are_one_clear_message_and_store_nothing(filled_on):
    from compliance.registry.store import RegistryError

    registry, ids, _ = filled_on
    school = ids["school"]
    cases = [
        ((ids["error"], "王建国", "approved"), "no verdict to sign off"),
        ((99999, "王建国", "approved"), "no check 99999"),
        ((school, "   ", "approved"), "the reviewer's name is empty"),
        ((school, "x" * 101, "approved"), "101 characters long (at most 100)"),
        ((school, f"王{ESC}[31m", "approved"), "control characters (U+001B)"),
        ((school, f"{RLO}evil", "approved"), "control characters (U+202E)"),
        ((school, "王建国", "ok"), "decision 'ok' is not one of approved, rejected, revise"),
        ((school, "王建国", "approved", "c" * 2001), "the comment is 2001 characters long (at most 2000)"),
        ((school, "王建国", "approved", "a\x00b"), "NUL"),
    ]
    for args, expected in cases:
        with pytest.raises(RegistryError) as caught:
            registry.sign_off(*args)
        error = caught.value
        assert expected in error.message, (args, error.message)
        assert error.hint and "\n" not in error.message and "validation error" not in error.message.lower()
    assert registry.signoffs(check_id=school) == [] and registry.signoffs(check_id=ids["error"]) == []
    assert registry.verdict(ids["error"]) is None


def test_a_name_and_comment_at_the_limits_are_accepted(fresh_on):
    registry, check_id = fresh_on
    stored = registry.sign_off(check_id, "名" * 100, "approved", "意" * 2000)
    assert registry.signoffs(check_id) == [stored] and len(stored.comment) == 2000


# -- the reviewer's queue -------------------------------------------------------------------------

def _ids(rows) -> list[int]:
    return [r.check.id for r in rows]


def test_the_queue_is_the_latest_check_of_each_submission_newest_first(filled_on):
    registry, ids, _ = filled_on
    rows = registry.queue()
    # the first fail-office check is replaced by its resubmission; the error (no id) is left out
    assert _ids(rows) == [ids["office2"], ids["binjiang"], ids["plant"], ids["school"]]
    assert [r.check.submission_id for r in rows] == ["YP-2024-0457", "YP-2025-0412", "YP-2025-0103", "YP-2025-0012"]


def test_queue_filters(filled_on):
    from compliance.registry.store import RegistryError

    registry, ids, _ = filled_on
    assert _ids(registry.queue(verdict="non_compliant")) == [ids["office2"], ids["binjiang"]]
    assert _ids(registry.queue(verdict="compliant")) == [ids["school"]]
    assert _ids(registry.queue(verdict="incomplete")) == [ids["plant"]]
    assert registry.queue(verdict="error") == []            # the error has no submission id
    assert _ids(registry.queue(zone="binjiang_south")) == [ids["binjiang"]]
    assert _ids(registry.queue(zone="xinjiangwan")) == [ids["school"]]
    assert _ids(registry.queue(use="public_office")) == [ids["office2"], ids["binjiang"]]
    assert _ids(registry.queue(use="public_office", zone="changyang_valley")) == [ids["office2"]]
    # dates are inclusive at both ends
    assert _ids(registry.queue(since=date(2025, 2, 1), until=date(2025, 3, 1))) == [ids["plant"], ids["school"]]
    assert _ids(registry.queue(since=date(2025, 3, 2))) == [ids["office2"], ids["binjiang"]]
    assert _ids(registry.queue(until=date(2025, 1, 31))) == []          # office's latest check is in April
    assert _ids(registry.queue(since="2025-04-01", until="2025-04-01")) == [ids["office2"]]
    for bad in (dict(verdict="pass"), dict(since="yesterday")):
        with pytest.raises(RegistryError):
            registry.queue(**bad)


def test_queue_signed_filter_counts_only_the_latest_check(tmp_path, filled):
    _, ids, base = filled
    registry = _copy_registry(base, tmp_path)       # signing must not change the shared registry's queue
    assert registry.queue(signed=True) == [] and len(registry.queue(signed=False)) == 4
    registry.sign_off(ids["office"], "王建国", "revise", "请补充光伏")     # an older check of YP-2024-0457
    school = registry.sign_off(ids["school"], "李敏", "approved")
    assert _ids(registry.queue(signed=True)) == [ids["school"]]
    assert registry.queue(signed=True)[0].signoff == school
    assert _ids(registry.queue(signed=False)) == [ids["office2"], ids["binjiang"], ids["plant"]]
    assert registry.queue(signed=False)[0].signoff is None
    assert _ids(registry.queue(signed=True, verdict="compliant")) == [ids["school"]]
    assert registry.queue(signed=True, verdict="non_compliant") == []
    assert len(registry.signoffs(submission_id="YP-2024-0457")) == 1


def test_the_queue_reads_sign_offs_in_one_query_whatever_the_number_of_checks(tmp_path, filled):
    from sqlalchemy import event

    _, ids, base = filled
    registry = _copy_registry(base, tmp_path)
    for check_id in (ids["office2"], ids["binjiang"], ids["plant"], ids["school"]):
        registry.sign_off(check_id, "王建国", "approved")
        registry.sign_off(check_id, "李敏", "revise")
    statements = []
    event.listen(registry.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    rows = registry.queue()
    assert len(rows) == 4 and all(r.signoff.reviewer == "李敏" for r in rows)
    assert len([s for s in statements if "signoffs" in s]) == 1
    assert len(statements) <= 3, statements


# -- the stored verdict and the JSON ---------------------------------------------------------------

def test_load_verdict_is_the_inverse_of_the_json_report(sample_verdicts):
    from compliance.report.json_report import load_verdict, render

    assert len(sample_verdicts) >= 20
    for name, verdict in sample_verdicts.items():
        back = load_verdict(render(verdict))
        assert back == verdict, name
        assert render(back) == render(verdict), name


def test_load_verdict_refuses_what_is_not_this_contract(sample_verdicts):
    from compliance.report.json_report import load_verdict, to_dict

    doc = to_dict(sample_verdicts["fail-office"])
    old = {k: v for k, v in doc.items() if k != "signoffs"}          # stored before sign-offs existed
    assert load_verdict(old).signoffs == ()
    for broken in ({**doc, "schema_version": "2"}, {**doc, "exit_code": 0}, {**doc, "surprise": 1}):
        with pytest.raises(ValueError):
            load_verdict(broken)


def test_the_json_report_carries_the_sign_offs_and_validates(fresh):
    from conftest import ROOT
    from jsonschema import Draft202012Validator, FormatChecker

    from compliance.report import render

    registry, check_id = fresh
    registry.sign_off(check_id, "王建国", "revise", "请补充光伏")
    registry.sign_off(check_id, "李敏", "approved")
    doc = json.loads(render("json", registry.verdict(check_id)))
    assert [(s["reviewer"], s["decision"], s["check_id"]) for s in doc["signoffs"]] == [
        ("王建国", "revise", check_id), ("李敏", "approved", check_id)]
    assert doc["signoffs"][0]["signed_at"].endswith("Z") and doc["signoffs"][0]["comment"] == "请补充光伏"
    schema = json.loads((ROOT / "docs" / "schemas" / "verdict.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    assert not list(validator.iter_errors(doc))
    doc["signoffs"][0]["decision"] = "maybe"
    assert list(validator.iter_errors(doc))


# -- the PDF and HTML ---------------------------------------------------------------------------------

def test_the_signed_pdf_prints_every_sign_off_and_marks_the_latest(fresh, tmp_path):
    from compliance.report import render

    registry, check_id = fresh
    registry.sign_off(check_id, "王建国", "revise", "屋顶光伏面积比例不足，请补充组件。")
    registry.sign_off(check_id, "李敏", "rejected", "复核后不予通过")
    verdict = registry.verdict(check_id)
    text = _pdftotext(render("pdf", verdict), tmp_path, mode="-raw")      # content order: a cell's lines in sequence
    block = _flat(_sign_section(text))
    for needle in ("王建国", "退回修改revise", "屋顶光伏面积比例不足，请补充组件。", "李敏", "不同意rejected",
                   "复核后不予通过", "最新latest", "以最新一次签署为准", "签字", "盖章",
                   verdict.signoffs[-1].signed_at.strftime("%Y-%m-%d")):
        assert needle in block, needle
    assert block.index("王建国") < block.index("复核后不予通过")      # oldest first
    cover = _flat(text[:text.index("需要处理的事项")])
    assert "李敏" in cover and "审查意见Reviewopinion:不同意rejected" in cover and "王建国" not in cover
    assert "通过approved" not in _flat(text) and "不予通过rejected" not in _flat(text)     # the office's words
    english = _flat(_pdftotext(render("pdf", verdict, "en"), tmp_path, "en.pdf"))
    assert "Reviewopinion" in english and "李敏" in english
    assert "rejected" in english and "不同意rejected" not in english and "审查签署" not in english


def test_an_unsigned_pdf_has_the_blank_sign_off_block(fresh, tmp_path):
    from compliance.report import render

    registry, check_id = fresh
    text = _pdftotext(render("pdf", registry.verdict(check_id)), tmp_path, mode="-raw")
    block = _flat(_sign_section(text))
    for needle in ("审核人Reviewer", "签署日期Date", "审查意见Reviewopinion", "同意approved", "不同意rejected",
                   "退回修改revise", "意见说明Comment", "签字Signature", "盖章Seal", "尚未在登记库中签署"):
        assert needle in block, needle
    assert "latest" not in block and "通过approved" not in block


def test_untrusted_names_and_comments_are_escaped_and_their_controls_visible(fresh, tmp_path):
    from compliance.report import render

    registry, check_id = fresh
    registry.sign_off(check_id, HOSTILE, "revise", f"第一行{ESC}[2J<b>粗</b>\n{RLO}fdp.exe")
    # a row that reached the registry some other way (an older tool, a hand edit): ESC and RLO in the name
    with sqlite3.connect(registry.engine.url.database) as conn:
        conn.execute("insert into signoffs (check_id, submission_id, reviewer, decision, comment, signed_at) "
                     "values (?, 'YP-2024-0457', ?, 'approved', '', '2026-01-05 08:00:00.000000')",
                     (check_id, f"王{ESC}]8;;http://x{ESC}\\ {RLO}cba"))
    verdict = registry.verdict(check_id)
    assert [s.reviewer for s in verdict.signoffs] == [HOSTILE, f"王{ESC}]8;;http://x{ESC}\\ {RLO}cba"]
    for medium in ("html", "pdf"):
        data = render(medium, verdict)
        if medium == "html":
            text = data.decode("utf-8")
            assert HOSTILE not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
            assert "<b>粗</b>" not in text and "&lt;b&gt;粗&lt;/b&gt;" in text
        else:
            text = _flat(_pdftotext(data, tmp_path, "hostile.pdf", mode="-raw"))
            assert HOSTILE in text and "<b>粗</b>" in text
        assert ESC not in text and RLO not in text, medium
        for shown in ("第一行[U+001B][2J", "[U+202E]fdp.exe", "王[U+001B]]8;;http://x[U+001B]\\", "[U+202E]cba"):
            assert shown in text, (medium, shown)


# -- the registry file ----------------------------------------------------------------------------

def test_a_registry_made_before_sign_offs_gains_the_table_on_open(tmp_path, sample_verdicts):
    from compliance.registry.store import Registry

    db = tmp_path / "old.sqlite"
    registry = Registry(db)
    check_id, _ = registry.record(_outcome(SAMPLES / "pass-school", _at("2025-02-01"), sample_verdicts["pass-school"]))
    registry.close()
    with sqlite3.connect(db) as conn:                   # as a registry written by a version before sign-offs
        conn.execute("drop table signoffs")             # (and before migrations: test_registry_migrations.py)
        conn.execute("drop table alembic_version")
    with sqlite3.connect(db) as conn:
        tables = {name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
    assert "signoffs" not in tables and "checks" in tables

    reopened = Registry(db, create=False)
    stored = reopened.sign_off(check_id, "李敏", "approved")
    assert reopened.verdict(check_id).signoffs == (stored,)
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("pragma table_info(signoffs)")]
        schema = conn.execute("select value from registry_info where name = 'schema'").fetchone()
        foreign = conn.execute("pragma foreign_key_list(signoffs)").fetchall()
    assert columns == ["id", "check_id", "submission_id", "reviewer", "decision", "comment", "signed_at"]
    assert schema == ("1",)
    assert [(f[2], f[3], f[4], f[6]) for f in foreign] == [("checks", "check_id", "id", "CASCADE")]


def test_deleting_a_check_deletes_its_sign_offs(fresh_on):
    from sqlalchemy import delete

    from compliance.registry.tables import checks

    registry, check_id = fresh_on
    registry.sign_off(check_id, "李敏", "approved")
    with registry.engine.begin() as conn:
        conn.execute(delete(checks).where(checks.c.id == check_id))
    assert registry.signoffs() == []


# -- the CLI --------------------------------------------------------------------------------------

def run_as(*args: str, password: str = PASSWORD):
    """The CLI with the password on standard input (`--password-stdin`)."""
    import os
    import subprocess

    from test_samples_cli import CLI
    from test_samples_cli import ROOT as CLI_ROOT

    return subprocess.run(CLI + list(args), cwd=CLI_ROOT, input=password + "\n", capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(CLI_ROOT)), timeout=300)


def reviewer_account(registry):
    from compliance.office.accounts import add_user, user_named

    return user_named(registry, "wjg") or add_user(registry, "wjg", "王建国", "reviewer", PASSWORD, title="审查员")


def test_cli_signoff_report_and_history(fresh, tmp_path):
    registry, check_id = fresh
    reviewer_account(registry)
    db = registry.engine.url.database
    proc = run_as("signoff", str(check_id), "--as", "wjg", "--password-stdin", "--decision", "revise",
                  "--comment", "请补充屋顶光伏", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert f"check {check_id} (YP-2024-0457, non_compliant) signed off: revise by 王建国" in proc.stdout
    assert "请补充屋顶光伏" in proc.stdout and f"compliance report {check_id}" in proc.stdout
    assert [(s.reviewer, s.reviewer_account, s.decision) for s in registry.signoffs(check_id)] == [
        ("王建国", "wjg", "revise")]

    out = tmp_path / "signed.pdf"
    proc = run_cli("report", str(check_id), "-o", str(out), "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "signed off: revise by 王建国" in proc.stderr
    block = _flat(_sign_section(_pdftotext(out.read_bytes(), tmp_path, "cli.pdf")))
    assert "王建国" in block and "退回修改" in block and "请补充屋顶光伏" in block

    proc = run_cli("report", str(check_id), "--format", "json", "--db", db)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["submission"]["id"] == "YP-2024-0457" and doc["signoffs"][0]["reviewer"] == "王建国"
    assert doc["signoffs"][0]["reviewer_account"] == "wjg"

    proc = run_cli("report", str(check_id), "-o", f"{tmp_path / 'folder'}/", "--format", "html", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "王建国" in (tmp_path / "folder" / "YP-2024-0457.html").read_text(encoding="utf-8")

    proc = run_cli("history", "YP-2024-0457", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "sign-off" in proc.stdout and "revise · 王建国" in proc.stdout
    proc = run_cli("audit", "--action", "signoff", "--db", db)
    assert proc.returncode == 0 and f"check:{check_id}" in proc.stdout and "wjg" in proc.stdout


def test_cli_refusals_are_one_message(fresh, tmp_path):
    from compliance.office.accounts import add_organisation, add_user

    registry, check_id = fresh
    reviewer_account(registry)
    add_organisation(registry, "某设计院")
    add_user(registry, "li", "李设计", "designer", PASSWORD, "某设计院")
    db = registry.engine.url.database
    for args, password, expected in (
            (("signoff", "999", "--as", "wjg", "--decision", "approved"), PASSWORD, "no filed check 999"),
            (("signoff", str(check_id), "--as", "wjg", "--decision", "approved"), "wrong password",
             "user name or password not right"),
            (("signoff", str(check_id), "--as", f"a{ESC}b", "--decision", "approved"), PASSWORD, "[U+001B]"),
            (("signoff", str(check_id), "--as", "li", "--decision", "approved"), PASSWORD,
             "only a reviewer signs"),
            (("signoff", str(check_id), "--as", "wjg", "--decision", "approved"), PASSWORD,
             "approving it needs your reason"),
            (("signoff", str(check_id), "--as", "wjg", "--decision", "maybe"), PASSWORD, "'maybe' is not one of"),
            (("report", "999", "-o", str(tmp_path / "x.pdf")), PASSWORD, "no check 999 in the registry")):
        proc = run_as(*args, "--password-stdin", "--db", db, password=password) if args[0] == "signoff" else \
            run_cli(*args, "--db", db)
        assert proc.returncode == 2, (args, proc.stdout)
        assert expected in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert ESC not in proc.stderr
    assert registry.signoffs() == [] and not (tmp_path / "x.pdf").exists()
    proc = run_as("signoff", "1", "--as", "wjg", "--password-stdin", "--decision", "approved", "--db",
                  str(tmp_path / "typo.sqlite"))
    assert proc.returncode == 2 and "no registry here" in proc.stderr and not (tmp_path / "typo.sqlite").exists()


def test_cli_refuses_to_sign_or_report_an_error(filled, tmp_path):
    registry, ids, _ = filled
    reviewer_account(registry)
    db = registry.engine.url.database
    proc = run_as("signoff", str(ids["error"]), "--as", "wjg", "--password-stdin", "--decision", "approved",
                  "--db", db)
    assert proc.returncode == 2 and "no verdict to sign off" in proc.stderr and "hint:" in proc.stderr
    proc = run_cli("report", str(ids["error"]), "-o", str(tmp_path / "e.pdf"), "--db", db)
    assert proc.returncode == 2 and "no verdict to report" in proc.stderr
    assert registry.signoffs(check_id=ids["error"]) == []


def test_a_long_name_and_comment_stay_on_the_page(fresh, tmp_path):
    from test_report_pdf import _words_outside_page

    from compliance.report import render

    registry, check_id = fresh
    unsigned = _flat(_pdftotext(render("pdf", registry.verdict(check_id)), tmp_path, "unsigned.pdf", mode="-raw"))
    registry.sign_off(check_id, HOSTILE + "W" * 75, "rejected", "长" * 900 + "X" * 1100)
    path = tmp_path / "long.pdf"
    path.write_bytes(render("pdf", registry.verdict(check_id)))
    assert _words_outside_page(path) == []
    flat = _flat(_pdftotext(path.read_bytes(), tmp_path, "long2.pdf", mode="-raw"))
    assert HOSTILE + "W" * 75 in flat and "长" * 900 in flat           # the comment flows on to the next page
    assert flat.count("X") == unsigned.count("X") + 1100
