"""`compliance serve` processes started as a deployment starts them, the accounts made with
`compliance users`, and a small browser for them (a cookie jar, sign-in with the page's CSRF
token, uploads), for the tests of several app processes and of the deployment behind nginx."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
COMPLIANCE = Path(sys.executable).parent / "compliance"
PASSWORD = "a long test password"


def cli(*args: str, stdin: Optional[str] = None, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """One `compliance` command that must succeed."""
    done = subprocess.run([str(COMPLIANCE), *args], input=stdin, capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.returncode == 0, f"compliance {' '.join(args[:3])}: {done.stderr}"
    return done


def add_designer(db: str, username: str, organisation: str) -> None:
    """An organisation and a designer of it, as the administrator makes them."""
    cli("users", "add-org", organisation, "--db", db)
    cli("users", "add", username, "--role", "designer", "--org", organisation, "--name", "测试设计",
        "--password-stdin", "--db", db, stdin=PASSWORD + "\n")


class AppProcess:
    """`compliance serve ARGS` until the context ends; `url` once it serves."""

    def __init__(self, folder: Path, *args: str, env: Optional[dict] = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.args = ["serve", "--rules", str(ROOT / "rules"), *args]
        self.env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self.url = ""

    def __enter__(self) -> "AppProcess":
        self.log = open(self.folder / f"serve-{secrets.token_hex(4)}.log", "w+b")
        self.proc = subprocess.Popen([str(COMPLIANCE), *self.args], stdout=self.log, stderr=subprocess.PIPE,
                                     env=self.env)
        deadline = time.time() + 60
        said = []
        while time.time() < deadline:
            line = self.proc.stderr.readline().decode(errors="replace")
            said.append(line)
            if not line and self.proc.poll() is not None:
                raise RuntimeError(f"compliance serve exited with {self.proc.returncode}: {''.join(said)}")
            found = re.search(r"serving on (http://\S+/)", line)
            if found:
                self.url = found.group(1)
                return self
        self.proc.kill()
        raise RuntimeError(f"compliance serve did not start in 60 s: {''.join(said)}")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()
        self.log.close()


@dataclass
class Reply:
    status: int
    headers: object
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Requests with one cookie jar (shared by every app process of one site), redirects not
    followed, so a test sees each answer as the browser would."""

    def __init__(self, base: str, context: Optional[ssl.SSLContext] = None):
        self.base = base if base.endswith("/") else base + "/"
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), NoRedirects()]
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)

    def at(self, base: str) -> "Browser":
        """The same browser (its cookies) on another address of the site."""
        other = Browser.__new__(Browser)
        other.base, other.jar, other.opener = base if base.endswith("/") else base + "/", self.jar, self.opener
        return other

    def request(self, method: str, path: str, data: Optional[bytes] = None,
                headers: Optional[dict] = None) -> Reply:
        url = path if "://" in path else self.base + path.lstrip("/")
        headers = dict(headers or {})
        if method == "POST":
            headers.setdefault("Referer", url)   # as a browser sends it (HTTPS forms need it: CSRF strict)
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as r:
                return Reply(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.headers, e.read())

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path} ({page.status})"
        return found.group(1)

    def post_form(self, path: str, fields: dict, headers: Optional[dict] = None) -> Reply:
        from urllib.parse import urlencode

        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def login(self, username: str, password: str = PASSWORD) -> Reply:
        reply = self.post_form("login", {"username": username, "password": password, "csrf": self.csrf("login")})
        assert reply.status == 303, f"sign-in answered {reply.status}: {reply.text[:300]}"
        return reply

    def upload(self, archive: Path) -> str:
        """Upload a zip from the designer's home page; the job's id."""
        boundary = secrets.token_hex(16)
        token = self.csrf("")
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{archive.name}\"\r\n"
                "Content-Type: application/zip\r\n\r\n").encode() + archive.read_bytes() + \
            f"\r\n--{boundary}--\r\n".encode()
        reply = self.request("POST", "check", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert reply.status == 303, f"the upload answered {reply.status}: {reply.text[:300]}"
        return re.search(r"/jobs/([0-9a-f]{32})", reply.headers["Location"]).group(1)


def sample_zip(name: str, folder: Path) -> Path:
    """The bundled sample `name` zipped as a designer uploads it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((ROOT / "ifc_samples" / name).iterdir()):
            zf.write(path, f"{name}/{path.name}")
    return target
