"""The web app in process (Flask's test client), with real checks in real job processes: loose-file
uploads, the model size limit, the same upload twice, every download, queue filters, sign-off errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from office_accounts import client_as, file_as, finished, post_files, seed, token, when_ready
from web_server import ROOT, sample_zip

from compliance.limits import Limits
from compliance.web.app import create_app
from compliance.web.settings import WebSettings

SAMPLES = ROOT / "ifc_samples"


def make_client(folder: Path, db: str | None = None, **settings):
    """(app, the designer li's client); the accounts of tests/office_accounts.py are made (in `db`,
    default: a new SQLite file in `folder`)."""
    app = create_app(WebSettings(data_dir=folder / "data", rules_dir=ROOT / "rules", db=db or str(folder / "r.sqlite"),
                                 **settings))
    seed(app.extensions["compliance"].registry)
    return app, client_as(app, "li")


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    app, client = make_client(tmp_path_factory.mktemp("app"))
    yield app, client
    app.extensions["compliance"].jobs.close()








def test_loose_files_and_the_same_upload_twice(web, tmp_path):
    _app, client = web
    folder = SAMPLES / "pass-school"
    files = [(p.read_bytes(), p.name) for p in sorted(folder.iterdir()) if p.is_file()]
    first = finished(client, post_files(client, files))
    assert first["state"] == "done" and first["check_id"]
    again = finished(client, post_files(client, files))
    assert again["check_id"] == first["check_id"]          # the same inputs, rules and tool: the same check
    page = client.get(f"/checks/{first['check_id']}").data.decode()
    assert 'data-verdict="compliant"' in page


def test_every_download(web, tmp_path):
    app, client = web
    state = finished(client, post_files(client, [(sample_zip("fail-office", tmp_path).read_bytes(), "fo.zip")]))
    check_id = state["check_id"]
    magic = {"pdf": b"%PDF", "bcf": b"PK", "xlsx": b"PK", "json": b"{", "html": b"<!"}
    for fmt, start in magic.items():
        r = when_ready(client, f"/checks/{check_id}/report.{fmt}")       # a PDF is rendered in the background
        assert r.status_code == 200 and r.data.lstrip()[:len(start)] == start, fmt
        assert (fmt == "html") == r.headers["Content-Disposition"].startswith("inline")
    stored = app.extensions["compliance"].registry.verdict(check_id)
    downloaded = json.loads(client.get(f"/checks/{check_id}/report.json").data)
    assert downloaded["verdict"] == stored.verdict == "non_compliant"
    assert [r["status"] for r in downloaded["results"]] == [r.status for r in stored.results]
    assert "script-src" not in client.get(f"/checks/{check_id}/report.html").headers["Content-Security-Policy"]


def test_queue_filters(web, tmp_path):
    app, client = web
    state = finished(client, post_files(client, [(sample_zip("fail-office", tmp_path).read_bytes(), "fo.zip")]))
    reviewer = client_as(app, "wang")
    assert "YP-2024-0457" not in reviewer.get("/queue").data.decode()       # a self-check is private
    file_as(client, state["check_id"])
    everything = reviewer.get("/queue").data.decode()
    assert "YP-2024-0457" in everything
    assert "YP-2024-0457" not in reviewer.get("/queue?verdict=compliant").data.decode()
    assert "YP-2024-0457" in reviewer.get("/queue?verdict=non_compliant&use=public_office").data.decode()
    assert "YP-2024-0457" not in reviewer.get("/queue?use=school&verdict=non_compliant").data.decode()
    assert "YP-2024-0457" not in reviewer.get("/queue?until=2000-01-01").data.decode()
    assert "dates are written" in reviewer.get("/queue?since=yesterday").data.decode()


def test_sign_off_errors_are_error_pages(web, tmp_path):
    """Approving a non-compliant verdict needs a reason; an unknown decision or check is refused in
    words; the name signed is the account's, whatever the form says."""
    app, client = web
    state = finished(client, post_files(client, [(sample_zip("fail-office", tmp_path).read_bytes(), "fo.zip")]))
    file_as(client, state["check_id"])
    reviewer = client_as(app, "wang")
    csrf = token(reviewer, f"/checks/{state['check_id']}")
    r = reviewer.post(f"/checks/{state['check_id']}/signoff", data={"csrf": csrf, "decision": "approved"})
    assert r.status_code == 400 and "reason" in r.data.decode() and "Traceback" not in r.data.decode()
    r = reviewer.post(f"/checks/{state['check_id']}/signoff", data={"csrf": csrf, "decision": "maybe"})
    assert r.status_code == 400 and "decision" in r.data.decode()
    r = reviewer.post("/checks/99999/signoff", data={"csrf": csrf, "decision": "approved", "comment": "x"})
    assert r.status_code in (400, 404)
    r = reviewer.post(f"/checks/{state['check_id']}/signoff",
                      data={"csrf": csrf, "decision": "revise", "reviewer": "区长 the district head"})
    assert r.status_code == 303
    stored = app.extensions["compliance"].registry.signoffs(check_id=state["check_id"])
    assert [(s.reviewer, s.reviewer_account, s.reviewer_title, s.decision) for s in stored] == [
        ("王审查", "wang", "审查员", "revise")]


# The web app's registry path on each backend (`db_url`: SQLite, then PostgreSQL). One test, not the
# module: the others share one SQLite app (`web`) and test pages, not the database. This one runs
# what the app asks of its registry: accounts and sign-in, a check in a job process that stores it,
# the same upload found stored, the designer's private check, filing, the reviewer's queue, a
# sign-off bound to the account, the stored verdict downloaded, the audit log's chain.
def test_upload_file_queue_and_sign_off_on_each_backend(db_url, tmp_path):
    from compliance.office import audit

    app, client = make_client(tmp_path, db=db_url)
    try:
        registry = app.extensions["compliance"].registry
        upload = [(sample_zip("fail-office", tmp_path).read_bytes(), "fo.zip")]
        state = finished(client, post_files(client, upload))
        assert state["state"] == "done" and state["check_id"], state
        check_id = state["check_id"]
        assert finished(client, post_files(client, upload))["check_id"] == check_id
        reviewer = client_as(app, "wang")
        assert "YP-2024-0457" not in reviewer.get("/queue").data.decode()        # private until filed
        file_as(client, check_id)
        assert "YP-2024-0457" in reviewer.get("/queue?verdict=non_compliant").data.decode()
        r = reviewer.post(f"/checks/{check_id}/signoff", data={"csrf": token(reviewer, f"/checks/{check_id}"),
                                                               "decision": "revise", "comment": "请补充屋顶光伏"})
        assert r.status_code == 303, r.data[:500]
        assert [(s.reviewer_account, s.decision, s.comment) for s in registry.signoffs(check_id=check_id)] == [
            ("wang", "revise", "请补充屋顶光伏")]
        assert 'data-verdict="non_compliant"' in reviewer.get(f"/checks/{check_id}").data.decode()
        downloaded = json.loads(client.get(f"/checks/{check_id}/report.json").data)
        assert downloaded["verdict"] == registry.verdict(check_id).verdict == "non_compliant"
        count, broken = audit.verify(registry)
        assert count >= 3 and broken is None
    finally:
        app.extensions["compliance"].jobs.close()


def test_a_model_over_the_size_limit_is_a_clear_failure(tmp_path):
    app, client = make_client(tmp_path, limits=Limits(max_model_mb=0.01, time_limit_s=300))
    try:
        state = finished(client, post_files(client, [(sample_zip("fail-office", tmp_path).read_bytes(), "fo.zip")]))
    finally:
        app.extensions["compliance"].jobs.close()
    assert state["state"] == "failed" and state["failure"]["kind"] == "limit exceeded"
    assert state["failure"]["file"].endswith(".ifc") and "MB" in state["failure"]["message"]


# Rule files edited under --rules no longer change the live app: checks and pages use the published
# rule set (tests/test_publish.py).
