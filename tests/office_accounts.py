"""The accounts the web tests sign in with, made through the same functions `compliance users`
calls, and signing in as a browser does (the login form with its CSRF token)."""

from __future__ import annotations

import re

PASSWORD = "correct horse battery"
ORG_A, ORG_B = "上海某建筑设计研究院", "另一设计院"
# username: (display name, role, organisation, title)
ACCOUNTS = {
    "li": ("李设计", "designer", ORG_A, ""),
    "zhao": ("赵设计", "designer", ORG_B, ""),
    "wang": ("王审查", "reviewer", None, "审查员"),
    "chen": ("陈政策", "policy_editor", None, ""),
    "admin": ("管理员", "admin", None, ""),
}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def seed(registry) -> None:
    """The two organisations and the five accounts, in `registry` (a Registry)."""
    from compliance.office.accounts import add_organisation, add_user

    for org in (ORG_A, ORG_B):
        add_organisation(registry, org)
    for username, (name, role, org, title) in ACCOUNTS.items():
        add_user(registry, username, name, role, PASSWORD, org, title)


def seed_db(db: str) -> None:
    from compliance.registry.store import Registry

    registry = Registry(db)
    try:
        seed(registry)
    finally:
        registry.close()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def client_as(app, username: str):
    """A Flask test client signed in as `username`."""
    client = app.test_client()
    token = csrf_of(client.get("/login").data.decode())
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf": token})
    assert r.status_code == 303, r.data[:500]
    return client


def token(client, path: str = "/rules") -> str:
    """The session's CSRF token, read from a page that carries a form (the sign-out form)."""
    return csrf_of(client.get(path).data.decode())


def approve_compliant(registry) -> int:
    """The office's reviewer agrees (同意) with the latest compliant check of every submission, as
    a reviewer working through a batch would; returns how many were signed."""
    from compliance.office.accounts import add_user, user_named
    from compliance.office.review import sign

    reviewer = user_named(registry, "batch-reviewer") or add_user(registry, "batch-reviewer", "批量审查", "reviewer",
                                                                 PASSWORD, title="审查员")
    rows = [r for r in registry.latest() if r.outcome == "verdict" and r.verdict == "compliant"]
    for row in rows:
        sign(registry, reviewer, row.id, "approved")
    return len(rows)


# -- the designer's upload and the office's downloads, through the Flask test client ---------------

def post_files(client, files: list[tuple[bytes, str]]):
    """Upload (bytes, file name) pairs as the upload form does."""
    import io

    return client.post("/check", data={"csrf": token(client, "/"), "files": [(io.BytesIO(d), n) for d, n in files]},
                       content_type="multipart/form-data")


def finished(client, response, timeout: float = 180) -> dict:
    """The job's final state (as /jobs/ID/state says it: id, state, check_id, failure...)."""
    import time

    assert response.status_code == 303, response.data[:500]
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = client.get(f"/jobs/{job_id}/state").json
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.3)
    raise AssertionError("the check did not finish")


def file_as(client, check_id: int) -> None:
    """The designer files the check (提交)."""
    r = client.post(f"/checks/{check_id}/file", data={"csrf": token(client, f"/checks/{check_id}")})
    assert r.status_code == 303, r.data[:500]


def when_ready(client, url: str, timeout: float = 240):
    """GET as the "preparing" page does (it refreshes itself) until the answer is not 202."""
    import time

    deadline = time.time() + timeout
    response = client.get(url)
    while response.status_code == 202 and time.time() < deadline:
        time.sleep(0.5)
        response = client.get(url)
    return response
