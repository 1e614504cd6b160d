"""The office service's security: who may see and do what (issue 21, "Done when: security tests").

In process (Flask's test client, real checks in real job processes): another organisation's
designer gets 404 on every URL of a submission, a designer cannot sign, a form from another origin
or port is refused, a submission id belongs to the organisation that filed it first, a changed
password ends sessions, and a tampered audit log is found out."""

from __future__ import annotations

import re

import pytest
from office_accounts import client_as, finished, post_files, seed, token
from web_server import ROOT, sample_zip

from compliance.web.app import create_app
from compliance.web.settings import WebSettings


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """An app with the accounts, and one filed check of fail-office by 上海某建筑设计研究院 (li)."""
    folder = tmp_path_factory.mktemp("office")
    app = create_app(WebSettings(data_dir=folder / "data", rules_dir=ROOT / "rules", db=str(folder / "r.sqlite")))
    seed(app.extensions["compliance"].registry)
    li = client_as(app, "li")
    job_id, check_id = upload(li, sample_zip("fail-office", folder))
    r = li.post(f"/checks/{check_id}/file", data={"csrf": token(li, f"/checks/{check_id}")})
    assert r.status_code == 303
    yield app, li, job_id, check_id
    app.extensions["compliance"].jobs.close()


def upload(client, zip_path) -> tuple[str, int]:
    """(job id, check id) of an upload of the zip, once checked."""
    state = finished(client, post_files(client, [(zip_path.read_bytes(), "s.zip")]))
    return state["id"], state["check_id"]


def submission_urls(app, job_id: str, check_id: int) -> list[tuple[str, str]]:
    """(method, URL) for every route of the app that names a check, a submission, a job or a model,
    filled in with the filed check's: a new route is covered without editing this test."""
    registry = app.extensions["compliance"].registry
    row = registry.get(check_id)
    sha = registry.verdict(check_id).models[0].sha256
    values = {"check_id": check_id, "submission_id": row.submission_id, "job_id": job_id, "sha256": sha}
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments & values.keys():
            continue
        args = {k: values[k] for k in rule.arguments if k in values}
        if "fmt" in rule.arguments:
            for fmt in ("pdf", "json", "html", "xlsx", "bcf"):
                out += [(m, _build(app, rule, {**args, "fmt": fmt})) for m in rule.methods - {"HEAD", "OPTIONS"}]
            continue
        if rule.arguments - values.keys():
            raise AssertionError(f"route {rule.rule} takes {rule.arguments - values.keys()}: extend this test")
        out += [(m, _build(app, rule, args)) for m in rule.methods - {"HEAD", "OPTIONS"}]
    return out


def _build(app, rule, args) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def test_another_organisations_designer_gets_nothing_of_a_submission(office):
    app, li, job_id, check_id = office
    urls = submission_urls(app, job_id, check_id)
    assert {u for _, u in urls} >= {f"/checks/{check_id}", f"/checks/{check_id}/report.pdf", f"/jobs/{job_id}/state",
                                    f"/checks/{check_id}/signoff", f"/checks/{check_id}/file"}
    zhao = client_as(app, "zhao")
    csrf = token(zhao, "/")
    for method, url in urls:
        r = zhao.get(url) if method == "GET" else zhao.open(url, method=method, data={"csrf": csrf, "decision": "approved",
                                                                                       "comment": "x"})
        assert r.status_code in (403, 404), (method, url, r.status_code)
        assert "YP-2024-0457" not in r.data.decode("utf-8", "replace") or url.endswith("signoff"), url
    for method, url in urls:                   # the owner sees all of it
        if method == "GET" and "/views/" not in url:
            assert li.get(url).status_code in (200, 202, 302), url      # 202: the PDF is being rendered
    assert f'data-check="{check_id}"' not in zhao.get("/").data.decode()


def test_a_designer_cannot_sign_not_even_their_own_filing(office):
    app, li, _job, check_id = office
    r = li.post(f"/checks/{check_id}/signoff", data={"csrf": token(li, "/"), "decision": "approved", "comment": "ok"})
    assert r.status_code == 403
    page = li.get(f"/checks/{check_id}").data.decode()
    assert "signoff-form" not in page
    assert app.extensions["compliance"].registry.signoffs(check_id=check_id) == []


def test_a_form_from_another_origin_or_port_is_refused(office):
    app, _li, _job, check_id = office
    wang = client_as(app, "wang")
    csrf = token(wang, f"/checks/{check_id}")
    form = {"csrf": csrf, "decision": "revise", "comment": "forged"}
    for headers in ({"Origin": "http://localhost:8001"},                    # the same host, another port
                    {"Origin": "http://evil.example"},
                    {"Sec-Fetch-Site": "same-site"},                        # what Chromium says from another port
                    {"Referer": "http://localhost:9999/attack.html"}):
        r = wang.post(f"/checks/{check_id}/signoff", data=form, headers=headers)
        assert r.status_code == 403, headers
    r = wang.post(f"/checks/{check_id}/signoff", data={**form, "csrf": "forged-token"})
    assert r.status_code == 400 and "expired" in r.data.decode()
    other = client_as(app, "wang")                                          # another session's token is no good
    r = other.post(f"/checks/{check_id}/signoff", data=form, headers={"Origin": "http://localhost"})
    assert r.status_code == 400
    assert app.extensions["compliance"].registry.signoffs(check_id=check_id) == []
    r = wang.post(f"/checks/{check_id}/signoff", data=form, headers={"Origin": "http://localhost"})
    assert r.status_code == 303                                             # the same origin, the session's token


def test_a_submission_id_belongs_to_the_organisation_that_filed_it_first(office, tmp_path):
    app, _li, _job, check_id = office
    zhao = client_as(app, "zhao")
    _, copy_id = upload(zhao, sample_zip("fail-office:edited", tmp_path))  # the same id, another organisation
    assert copy_id != check_id
    r = zhao.post(f"/checks/{copy_id}/file", data={"csrf": token(zhao, f"/checks/{copy_id}")})
    assert r.status_code == 400 and "filed by another organisation" in r.data.decode()
    wang = client_as(app, "wang")
    queue = wang.get("/queue").data.decode()
    assert f'data-check="{check_id}"' in queue and f'data-check="{copy_id}"' not in queue
    assert wang.get(f"/checks/{copy_id}").status_code == 404


def test_a_new_password_or_a_disabled_account_ends_its_sessions(office):
    from office_accounts import PASSWORD

    from compliance.office.accounts import update_user

    app, _li, _job, _check = office
    registry = app.extensions["compliance"].registry
    chen = client_as(app, "chen")
    assert chen.get("/rules").status_code == 200
    update_user(registry, "chen", password=PASSWORD + "!")
    assert chen.get("/rules").status_code == 302
    update_user(registry, "chen", password=PASSWORD)
    chen = client_as(app, "chen")
    update_user(registry, "chen", active=False)
    assert chen.get("/rules").status_code == 302
    r = app.test_client().post("/login", data={"username": "chen", "password": PASSWORD,
                                               "csrf": token(app.test_client(), "/login")})
    assert r.status_code in (400, 401)
    update_user(registry, "chen", active=True)


def test_a_wrong_password_is_refused_and_logged(office):
    from compliance.office.audit import rows

    app, *_ = office
    client = app.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").data.decode()).group(1)
    r = client.post("/login", data={"username": "wang", "password": "guess", "csrf": csrf})
    assert r.status_code == 401 and "not right" in r.data.decode()
    assert client.get("/queue").status_code == 302
    assert rows(app.extensions["compliance"].registry, action="login_failed", newest_first=True, limit=1)[0].actor == "wang"


def test_behind_a_proxy_the_forwarded_host_is_served_and_still_needs_a_session(tmp_path):
    app = create_app(WebSettings(data_dir=tmp_path / "data", rules_dir=ROOT / "rules", db=str(tmp_path / "r.sqlite"),
                                 proxies=1, secure_cookies=True))
    seed(app.extensions["compliance"].registry)
    client = app.test_client()
    forwarded = {"X-Forwarded-Host": "checker.example.gov.cn", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Prefix": "/carbon", "X-Forwarded-For": "10.0.0.7",
                 "Referer": "https://checker.example.gov.cn/carbon/login"}   # over HTTPS a form needs its referrer
    r = client.get("/queue", headers=forwarded, base_url=HTTPS)
    assert r.status_code == 302 and r.headers["Location"].startswith(("https://checker.example.gov.cn/carbon/login",
                                                                      "/carbon/login"))
    page = client.get("/login", headers=forwarded, base_url=HTTPS).data.decode()
    assert 'action="/carbon/login' in page
    # the sub-path's cookies (Path=/carbon) need the proxy's paths: tests/test_deploy.py goes through
    # nginx; here the same proxy without a sub-path
    forwarded = {k: v for k, v in forwarded.items() if k != "X-Forwarded-Prefix"}
    forwarded["Referer"] = "https://checker.example.gov.cn/login"
    page = client.get("/login", headers=forwarded, base_url=HTTPS).data.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    from office_accounts import PASSWORD

    r = client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf": csrf},
                    headers={**forwarded, "Origin": "https://checker.example.gov.cn"}, base_url=HTTPS)
    assert r.status_code == 303
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    r = client.post("/logout", data={"csrf": csrf}, headers={**forwarded, "Origin": "https://checker.example.gov.cn:8443"},
                    base_url=HTTPS)
    assert r.status_code == 403                       # another port of the same host is another origin
    assert client.get("/queue", headers=forwarded, base_url=HTTPS).status_code == 200


HTTPS = "https://127.0.0.1"        # the test client keeps Secure cookies for https only, as a browser does


def test_a_tampered_audit_log_is_found_out(office, tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from sqlalchemy import text

    from compliance.office.audit import verify
    from compliance.registry.store import Registry

    app, *_ = office
    source = Path(app.extensions["compliance"].registry.url.removeprefix("sqlite:///"))
    cli = str(Path(sys.executable).parent / "compliance")
    for how, statement in (("edited", "UPDATE audit_log SET detail = '{\"decision\":\"approved\"}' WHERE id = 3"),
                           ("removed", "DELETE FROM audit_log WHERE id = 4"),
                           ("actor changed", "UPDATE audit_log SET actor = 'admin' WHERE id = 5")):
        db = tmp_path / f"{how.replace(' ', '-')}.sqlite"
        shutil.copy(source, db)
        for suffix in ("-wal", "-shm"):
            if Path(str(source) + suffix).exists():
                shutil.copy(str(source) + suffix, str(db) + suffix)
        registry = Registry(db)
        count, intact = verify(registry)
        assert intact is None and count >= 6
        with registry.engine.begin() as conn:
            conn.execute(text(statement))
        _count, broken = verify(registry)
        assert broken is not None and broken.id in (3, 4, 5, 6), how
        registry.close()
        done = subprocess.run([cli, "audit", "--verify", "--db", str(db)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and "BROKEN" in done.stderr, how
