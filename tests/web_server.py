"""`compliance serve` in a subprocess for the web tests, on a free port, with its own data folder,
registry and geometry cache; and the bundled samples as the zips a designer would upload."""

from __future__ import annotations

import re
import sys
import urllib.request
import zipfile
from pathlib import Path

from app_processes import NoRedirects as NoRedirect

ROOT = Path(__file__).resolve().parents[1]
COMPLIANCE = Path(sys.executable).parent / "compliance"


class Server:
    """`compliance serve` on a free port of `host`, over a registry holding the test accounts
    (tests/office_accounts.py); the process is app_processes.AppProcess."""

    def __init__(self, folder: Path, *args: str, host: str = "127.0.0.1", env: dict | None = None):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.db = str(self.folder / "registry.sqlite")
        self.args = ["--host", host, "--port", "0", "--data-dir", str(self.data), "--db", self.db, *args]
        self.env = env or {}
        self.url = ""
        self.seeded = False         # True: the registry has its accounts already (a second server on it)

    def __enter__(self) -> "Server":
        from app_processes import AppProcess
        from office_accounts import seed_db

        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.seeded:
            seed_db(self.db)
        self.app = AppProcess(self.folder, *self.args, env={"COMPLIANCE_CACHE": str(self.folder / "cache"), **self.env})
        self.url = self.app.__enter__().url
        return self

    def __exit__(self, *exc) -> None:
        self.app.__exit__(*exc)

    def get(self, path: str, headers: dict | None = None, opener=None) -> tuple[int, bytes, object]:
        """GET as nobody (or as the `opener` of `session`), redirects not followed."""
        return self.request(path, headers=headers, opener=opener)

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None, opener=None,
                method: str | None = None) -> tuple[int, bytes, object]:
        request = urllib.request.Request(self.url + path.lstrip("/"), data=data, headers=headers or {}, method=method)
        opener = opener or urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as r:
                return r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    def session(self, username: str):
        """A urllib opener signed in as `username` (cookies kept, redirects not followed)."""
        import http.cookiejar
        from urllib.parse import urlencode

        from office_accounts import PASSWORD, csrf_of

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        _, body, _ = self.request("/login", opener=opener)
        form = urlencode({"username": username, "password": PASSWORD, "csrf": csrf_of(body.decode())}).encode()
        status, body, _ = self.request("/login", form, {"Content-Type": "application/x-www-form-urlencoded"}, opener)
        assert status == 303, body[:300]
        return opener

    def login(self, page, username: str) -> None:
        """Sign a Playwright page in as `username`, through the login form."""
        from office_accounts import PASSWORD

        page.goto(self.url + "login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_selector("#who")

    def view_sidecar(self, sha256: str) -> Path:
        return self.data / "views" / f"{sha256}.json"


def sample_zip(sample: str, folder: Path, yaml_edit: tuple[str, str] | list[tuple[str, str]] | None = None) -> Path:
    """The bundled sample `name` zipped as a designer would; `name:edited` changes its applicant (a new
    check of the same submission); `yaml_edit` replaces one text in submission.yaml (it must be there)."""
    name, _, edited = sample.partition(":")
    source = ROOT / "ifc_samples" / name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(source.iterdir()):
            data = path.read_bytes()
            if path.name == "submission.yaml":
                text = data.decode("utf-8")
                if edited:
                    text = re.sub(r"(?m)^applicant: .*$", "applicant: 上海某设计院（修改后 revised）", text, count=1)
                for before, after in ([yaml_edit] if isinstance(yaml_edit, tuple) else yaml_edit or []):
                    assert text.count(before) == 1, before
                    text = text.replace(before, after)
                data = text.encode("utf-8")
            zf.writestr(f"{name}/{path.name}", data)
    return target
