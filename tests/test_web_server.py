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


def test_loopback_by_default_with_no_token(local):
    assert local.url.startswith("http://127.0.0.1:") and local.token is None
    status, body, headers = local.get("/")
    assert status == 200 and "Content-Security-Policy" in headers and "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_another_host_name_is_refused(local):
    """A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) gets nothing."""
    status, body, _ = local.get("/queue", headers={"Host": "evil.example"})
    assert status == 421 and "only to" in body.decode()


def test_a_form_posted_from_another_site_is_refused(local):
    import urllib.request

    request = urllib.request.Request(local.url + "checks/1/signoff", data=b"reviewer=x&decision=approved",
                                     method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 400 and "expired" in e.read().decode()


def test_unknown_pages_and_checks_are_plain_404s(local):
    for path in ("/checks/999999", "/jobs/../../etc/passwd", "/jobs/" + "a" * 32, "/views/abc.glb",
                 "/submissions/NOPE", "/rules/NOPE-1", "/checks/1/report.exe"):
        status, body, _ = local.get(path)
        assert status == 404, path
        assert b"Traceback" not in body


def test_beyond_loopback_a_token_is_required(tmp_path):
    with Server(tmp_path, host="0.0.0.0") as s:
        assert s.token and len(s.token) >= 20
        assert s.get("/")[0] == 401
        assert s.get("/?token=wrong")[0] == 401
        status, _, headers = s.get(f"/?token={s.token}")
        assert status == 200 and "compliance_token=" in " ".join(headers.get_all("Set-Cookie") or [])
        assert s.get("/rules", headers={"Authorization": f"Bearer {s.token}"})[0] == 200
        assert s.get("/rules", headers={"Cookie": f"compliance_token={s.token}"})[0] == 200


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

    job_id = secrets.token_hex(16)
    folder = local.data / "jobs" / job_id
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text(json.dumps({"step": "reading", "fraction": 0.3}))
    status, body, _ = local.get(f"/jobs/{job_id}/state")
    state = json.loads(body)
    assert status == 200 and state["state"] == "failed" and state["failure"]["kind"] == "interrupted"
    status, body, _ = local.get(f"/jobs/{job_id}")
    assert "upload it again" in body.decode()
