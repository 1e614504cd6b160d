"""`compliance serve` as a server: where it listens, who it answers, and forms from other sites."""

from __future__ import annotations

import socket
import subprocess

import pytest
from web_server import COMPLIANCE, ROOT, Server


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    with Server(tmp_path_factory.mktemp("local")) as s:
        yield s


def test_loopback_by_default_and_every_page_needs_an_account(local):
    assert local.url.startswith("http://127.0.0.1:")
    status, body, headers = local.get("/login")
    assert status == 200 and "Content-Security-Policy" in headers and "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/", "/queue", "/rules", "/district", "/checks/1", "/audit"):
        status, _, headers = local.get(path)
        assert status == 302 and "/login" in headers["Location"], path
    assert local.get("/jobs/" + "a" * 32 + "/state")[0] == 401


def test_another_host_name_is_refused(local):
    """A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) gets nothing."""
    status, body, _ = local.get("/queue", headers={"Host": "evil.example"})
    assert status == 421 and "only to" in body.decode()


def test_a_form_posted_from_another_site_is_refused(local):
    status, body, _ = local.request("/checks/1/signoff", b"decision=approved",
                                    {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and "expired" in body.decode()


def test_unknown_pages_and_checks_are_plain_404s(local):
    reviewer = local.session("wang")
    for path in ("/checks/999999", "/jobs/../../etc/passwd", "/jobs/" + "a" * 32, "/views/abc.glb",
                 "/submissions/NOPE", "/rules/NOPE-1", "/checks/1/report.exe"):
        status, body, _ = local.get(path, opener=reviewer)
        assert status == 404, path
        assert b"Traceback" not in body


def test_beyond_loopback_any_host_is_answered_but_only_with_an_account(tmp_path):
    with Server(tmp_path, host="0.0.0.0") as s:
        assert s.get("/login", headers={"Host": "checker.example"})[0] == 200
        status, _, headers = s.get("/queue", headers={"Host": "checker.example"})
        assert status == 302 and "/login" in headers["Location"]
        assert s.get("/queue", opener=s.session("wang"))[0] == 200


def test_a_port_in_use_is_one_clear_message(tmp_path):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = subprocess.run([str(COMPLIANCE), "serve", "--port", str(port), "--data-dir", str(tmp_path / "d"),
                               "--db", str(tmp_path / "r.sqlite"), "--rules", str(ROOT / "rules")],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("files", [("job.json",), ("job.json", "progress.json")], ids=["queued", "running"])
def test_a_job_left_by_a_stopped_server_says_it_was_interrupted(local, files):
    """A restarted server does not show a check it is not running as waiting or running forever."""
    import json
    import secrets

    from compliance.office.accounts import user_named
    from compliance.registry.store import Registry

    designer = user_named(Registry(local.db), "li")
    job_id = secrets.token_hex(16)
    folder = local.data / "jobs" / job_id
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text(json.dumps({"step": "reading", "fraction": 0.3, "user_id": designer.id}))
    li = local.session("li")
    status, body, _ = local.get(f"/jobs/{job_id}/state", opener=li)
    state = json.loads(body)
    assert status == 200 and state["state"] == "failed" and state["failure"]["kind"] == "interrupted"
    assert local.get(f"/jobs/{job_id}/state", opener=local.session("zhao"))[0] == 404    # another organisation's
    status, body, _ = local.get(f"/jobs/{job_id}", opener=li)
    assert "upload it again" in body.decode()


def test_a_first_start_says_how_to_make_the_accounts(tmp_path):
    """Every page needs an account: a registry without one is told at start-up, with the commands."""
    import subprocess as sp

    proc = sp.Popen([str(COMPLIANCE), "serve", "--port", "0", "--data-dir", str(tmp_path / "d"), "--db",
                     str(tmp_path / "r.sqlite"), "--rules", str(ROOT / "rules")], stderr=sp.PIPE, text=True)
    try:
        said = [proc.stderr.readline() for _ in range(4)]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "no accounts yet" in said[2] and "compliance users add admin --role admin" in said[3], said
