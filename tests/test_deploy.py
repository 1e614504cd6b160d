"""docs/deploy.md as written: its nginx block (placeholders replaced as the page says) ending
HTTPS in front of two `compliance serve` processes started as section 5 starts them, on a
PostgreSQL registry (tests/postgres.py). Everything is checked over HTTPS through nginx."""

from __future__ import annotations

import contextlib
import grp
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from app_processes import AppProcess, Browser, add_designer
from conftest import ROOT
from postgres import free_port

DOC = ROOT / "docs" / "deploy.md"
NGINX = Path("/usr/sbin/nginx")
NAME = "checker.example.gov.cn"
CERT, KEY = f"/etc/nginx/tls/{NAME}.crt", f"/etc/nginx/tls/{NAME}.key"
UPSTREAMS = ("127.0.0.1:8000", "127.0.0.1:8001")


def nginx_block() -> str:
    blocks = re.findall(r"^```nginx\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)
    assert len(blocks) == 1, "docs/deploy.md has one ```nginx block"
    return blocks[0]


def _needed(program: Path | str) -> str:
    found = shutil.which(str(program))
    if found is None:
        message = f"{program} is not installed (scripts/bootstrap.sh installs nginx and openssl)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_the_nginx_block_passes_what_the_app_needs():
    block = " ".join(nginx_block().split())
    for needed in ("proxy_set_header Host $host;", "proxy_set_header X-Forwarded-For $remote_addr;",
                   "proxy_set_header X-Forwarded-Proto $scheme;", "proxy_set_header X-Forwarded-Host $host;",
                   "proxy_set_header X-Forwarded-Port $server_port;", "proxy_set_header X-Forwarded-Prefix /carbon;",
                   "client_max_body_size", "location /carbon/ {", "proxy_pass http://compliance_app/;"):
        assert needed in block, needed
    for placeholder in (NAME, "listen 80;", "listen 443 ssl;", CERT, KEY, *UPSTREAMS):
        assert placeholder in block, f"the placeholder {placeholder} the test replaces"


@dataclass
class Site:
    url: str                      # https://localhost:PORT/carbon/
    https_port: int
    http_port: int
    apps: tuple[int, int]
    context: ssl.SSLContext
    folder: Path

    def browser(self) -> Browser:
        return Browser(self.url, self.context)


def _certificate(folder: Path) -> tuple[Path, Path]:
    """As section 6 makes it, for localhost."""
    crt, key = folder / "localhost.crt", folder / "localhost.key"
    subprocess.run([_needed("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-days", "2", "-nodes",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    key.chmod(0o600)
    return crt, key


def _config(folder: Path, crt: Path, key: Path, https: int, http: int, apps: tuple[int, int]) -> Path:
    """nginx.conf: the documented block, its placeholders replaced, in a main config of this folder."""
    block = nginx_block()
    for old, new in ((CERT, str(crt)), (KEY, str(key)), (NAME, "localhost"), ("listen 443 ssl;", f"listen {https} ssl;"),
                     ("listen 80;", f"listen {http};"), (UPSTREAMS[0], f"127.0.0.1:{apps[0]}"),
                     (UPSTREAMS[1], f"127.0.0.1:{apps[1]}")):
        assert old in block, old
        block = block.replace(old, new)
    # as root the workers run as nobody (nginx's master reads the key as root); the folder is theirs to enter
    user = "user nobody nogroup;" if os.geteuid() == 0 and _group_exists("nogroup") else \
        ("user nobody;" if os.geteuid() == 0 else "")
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = folder / "nginx.conf"
    conf.write_text(f"""{user}
worker_processes 1;
daemon off;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} info;
events {{ worker_connections 128; }}
http {{
    log_format upstreams '$upstream_addr $status "$request"';
    access_log {folder / 'access.log'} upstreams;
{temp}
{block}
}}
""")
    return conf


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen on {port}: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def site(postgres_cluster, tmp_path_factory):
    nginx = _needed(NGINX)
    work = tmp_path_factory.mktemp("deploy")
    folder = Path(tempfile.mkdtemp(prefix="compliance-nginx-"))      # not pytest's 0700 folder: nobody enters it
    folder.chmod(0o755)
    db = postgres_cluster.create_database("deploy")
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, True)
        stack.callback(postgres_cluster.drop_database, db)
        add_designer(db, "li", "上海某建筑设计研究院")
        crt, key = _certificate(folder)
        https, http, *apps = (free_port() for _ in range(4))
        conf = _config(folder, crt, key, https, http, tuple(apps))
        checked = subprocess.run([nginx, "-t", "-p", f"{folder}/", "-c", str(conf), "-e", str(folder / "error.log")],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        proc = subprocess.Popen([nginx, "-p", f"{folder}/", "-c", str(conf), "-e", str(folder / "error.log")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(proc.wait, 20)
        stack.callback(proc.terminate)
        _wait_for_port(https, proc, folder / "error.log")
        env = {"COMPLIANCE_SECRET_KEY": os.urandom(32).hex(), "COMPLIANCE_CACHE": str(work / "cache")}
        for port in apps:                                   # as compliance@PORT.service starts them
            stack.enter_context(AppProcess(work / f"app-{port}", "--host", "127.0.0.1", "--port", str(port),
                                           "--proxy", "1", "--allowed-host", "localhost",
                                           "--data-dir", str(work / "data"), "--db", db, env=env))
        context = ssl.create_default_context(cafile=str(crt))
        yield Site(f"https://localhost:{https}/carbon/", https, http, tuple(apps), context, folder)


def _cookie(reply, name: str) -> dict:
    """The attributes of one Set-Cookie header: {'': value, 'path': ..., 'secure': '', ...}."""
    for header in reply.cookies():
        first, *attributes = [part.strip() for part in header.split(";")]
        if first.startswith(name + "="):
            found = {"": first.partition("=")[2]}
            for attribute in attributes:
                key, _, value = attribute.partition("=")
                found[key.lower()] = value
            return found
    raise AssertionError(f"no {name} cookie in {reply.cookies()}")


def test_the_login_page_is_served_under_the_prefix(site):
    browser = site.browser()
    page = browser.get("login")
    assert page.status == 200
    links = re.findall(r'(?:href|src|action)="(/[^"]*)"', page.text)
    assert links and all(link.startswith("/carbon/") for link in links), links
    assert page.headers["Strict-Transport-Security"]
    bare = browser.get(f"https://localhost:{site.https_port}/carbon")
    assert (bare.status, bare.headers["Location"]) == (301, f"https://localhost:{site.https_port}/carbon/")


def test_plain_http_is_sent_to_https(site):
    reply = Browser(f"http://localhost:{site.http_port}/carbon/").get("queue")
    assert (reply.status, reply.headers["Location"]) == (301, "https://localhost/carbon/queue")


def test_a_page_without_a_session_sends_to_the_login_under_the_prefix(site):
    reply = site.browser().get("queue")
    assert reply.status == 302
    target = urlsplit(reply.headers["Location"])
    assert target.path == "/carbon/login" and target.netloc in ("", f"localhost:{site.https_port}")


def test_the_session_cookie_is_secure_http_only_lax_and_the_apps_own(site):
    browser = site.browser()
    cookie = _cookie(browser.login("li"), "compliance_session")
    assert "secure" in cookie and "httponly" in cookie, cookie
    assert cookie.get("samesite") == "Lax" and cookie.get("path") == "/carbon", cookie
    for _ in range(4):                  # both app processes (round robin) know the session
        home = browser.get("")
        assert home.status == 200 and "上海某建筑设计研究院" in home.text


def test_a_form_from_another_port_of_the_host_is_refused(site):
    browser = site.browser()
    browser.login("li")
    token = browser.csrf("")
    other = free_port()
    refused = browser.post_form("logout", {"csrf": token}, headers={"Origin": f"https://localhost:{other}"})
    assert refused.status == 403
    assert browser.get("").status == 200                       # still signed in
    own = browser.post_form("logout", {"csrf": token}, headers={"Origin": f"https://localhost:{site.https_port}"})
    assert own.status == 303
    assert browser.get("").status == 302                       # signed out


def test_the_host_nginx_passes_is_accepted_and_pages_still_need_the_session(site):
    assert site.browser().get("").status == 302                # no session: to the login page
    wrong = site.browser().get("login", headers={"Host": "evil.example"})
    assert wrong.status == 421                                 # --allowed-host
    browser = site.browser()
    browser.login("li")
    assert browser.get("").status == 200


def test_both_app_processes_serve_behind_the_one_upstream(site):
    browser = site.browser()
    for _ in range(6):
        assert browser.get("login").status == 200
    used = {line.split()[0] for line in (site.folder / "access.log").read_text().splitlines() if line.strip()}
    assert {f"127.0.0.1:{port}" for port in site.apps} <= used, used
