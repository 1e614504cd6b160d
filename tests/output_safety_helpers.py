"""Helpers of test_output_safety.py: a hostile submission, a recording HTTP server, PDF checks,
and running the CLI so that it can be killed at a chosen moment."""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "ifc_samples" / "pass-school"
RULES = ROOT / "rules"
CLI = [sys.executable, str(ROOT / "cli.py")]
SUBMISSION_ID = "YP-2025-0012"
ALL_FORMATS = ("pdf", "json", "xlsx", "bcf", "html", "text")

OSC8 = "\x1b]8;;file:///etc/passwd\x07click\x1b]8;;\x07"      # a terminal hyperlink to a local file
CLEAR = "\x1b[2J"                                          # clear the screen
CSI8 = "\x9b31m"                                           # C1 CSI: red, to some terminals
ESCAPE_BYTES = (b"\x1b", b"\x07", "\x9b".encode(), "\u202e".encode())
MODEL_FILE = "<img src=x> [bold]m {{ 7*7 }} ..%2F.ifc"       # a file name may hold no '/'


def squash(text: str) -> str:
    return "".join(text.split())


def step_string(text: str) -> str:
    """`text` as an ISO 10303-21 string literal (quotes doubled, non-ASCII as \\X\\, \\X2\\ escapes)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "'":
            out.append("''")
        elif ch == "\\":
            out.append("\\\\")
        elif 0x20 <= code < 0x7f:
            out.append(ch)
        elif code <= 0xff:
            out.append(f"\\X\\{code:02X}")
        else:
            out.append(f"\\X2\\{code:04X}\\X0\\")
    return "'" + "".join(out) + "'"


class Recorder(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):                    # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def recording_server():
    """(port, requests): an HTTP server on 127.0.0.1 and an ephemeral port, recording each path asked."""
    handler = type("Recorder", (Recorder,), {"hits": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1], handler.hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def copy_sample(dest: Path, **fields) -> Path:
    """pass-school copied to `dest`, with submission.yaml's top-level `fields` replaced (as JSON)."""
    shutil.copytree(SAMPLE, dest)
    meta = dest / "submission.yaml"
    text = meta.read_text(encoding="utf-8")
    for key, value in fields.items():
        text, n = re.subn(rf"^{key}: .*$", lambda m, key=key, value=value: f"{key}: {json.dumps(value)}", text, flags=re.M)
        assert n == 1, key
    meta.write_text(text, encoding="utf-8")
    return dest


class Hostile:
    """The hostile strings, where they went, and the folder holding the submission."""

    def __init__(self, port: int, folder: Path):
        url = f"http://127.0.0.1:{port}"
        self.folder, self.url = folder, url
        # submission.yaml: printable text only (the YAML reader may refuse control characters)
        self.name = ('=HYPERLINK("http://x") <img src="file:///etc/passwd"> {{ 7*7 }} {% raw %} [bold]x[/] '
                     "../../evil")
        self.name_en = f'+1 <link rel=stylesheet href="{url}/x.css"> [link=file:///etc]y[/link] [/x]'
        self.applicant = f"@SUM(1) {{% raw %}}{{{{ 7*7 }}}} <img src='{url}/a.png'>"
        # the IFC model: control characters too (the authoring application is in the text report)
        self.application = f"{OSC8} app [bold]x[/] {CLEAR} {CSI8} \u202eexe.fdp"
        self.elements = {                                   # GlobalId -> hostile name
            "13O5CqEOPOuetGYhAOpMoI": f"-1 {CLEAR} <img src=\"{url}/p.png\"> [bold]x[/] ../../evil",
            "2jprLqoADJSgTFuCwlsPHR": f"=HYPERLINK(\"http://x\") {{{{ 7*7 }}}} {{% raw %}} \u202eexe.fdp {OSC8}",
            "2kgnqTqcrOd8cr5WlWzXOu": "[/x] closes nothing [link=file:///etc]y[/link] @SUM(1)",
            "2fqHbijCjJAf4do9EUA6j8": f"<link rel=stylesheet href=\"{url}/s.css\"> ..\\..\\evil",
        }

    def build(self) -> "Hostile":
        copy_sample(self.folder, name=self.name, name_en=self.name_en, applicant=self.applicant, models=[MODEL_FILE])
        # a declared roof and PV area the model contradicts: PV-1 needs a reviewer and the BCF
        # gets topics citing the hostile elements
        meta = self.folder / "submission.yaml"
        text, n = re.subn(r"^declared: \{", "declared: {roof_area_m2: 2000.0, pv_area_m2: 100.0, ",
                          meta.read_text(encoding="utf-8"), flags=re.M)
        assert n == 1
        meta.write_text(text, encoding="utf-8")
        ifc_path = self.folder / "architecture.ifc"
        ifc = ifc_path.read_text(encoding="ascii")
        for gid, name in self.elements.items():
            ifc, n = re.subn(rf"(IFC(?:SOLARDEVICE|SLAB)\('{re.escape(gid)}',\$,)'(?:[^']|'')*'",
                             lambda m, name=name: m.group(1) + step_string(name), ifc)
            assert n == 1, gid
        ifc, n = re.subn(r"^(FILE_NAME\((?:'[^']*',){2}\([^)]*\),\([^)]*\),'[^']*',)'[^']*'",
                         lambda m: m.group(1) + step_string(self.application), ifc, flags=re.M)
        assert n == 1
        ifc_path.write_text(ifc, encoding="ascii")
        ifc_path.rename(self.folder / MODEL_FILE)
        return self

    def strings(self) -> list[str]:
        return [self.name, self.name_en, self.applicant, self.application, *self.elements.values()]


def run_cli(*args, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(CLI + [str(a) for a in args], cwd=ROOT, capture_output=True, timeout=timeout, **kw)


def pdf_text(path: Path) -> str:
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return proc.stdout.decode("utf-8")


def complete_pdf(path: Path) -> bool:
    data = path.read_bytes()
    return (data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
            and subprocess.run(["pdfinfo", str(path)], capture_output=True).returncode == 0)


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parts(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".part")]


def start(cmd: list) -> subprocess.Popen:
    return subprocess.Popen(CLI + [str(c) for c in cmd], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def kill(proc: subprocess.Popen) -> int:
    """SIGKILL a process started by `start` and the children it forked (its own session), if running."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return proc.wait()


def kill_after(cmd: list, delay: float) -> int:
    proc = start(cmd)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        pass
    return kill(proc)


def kill_mid_write(cmd: list, target: Path, timeout: float = 60) -> str:
    """Run `cmd` and SIGKILL it the moment it starts writing: a temporary .part file shows up beside
    `target`, or `target` itself changes. Says which it caught ('part', 'target' or 'none')."""
    def state():
        try:
            st = target.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    before, names = state(), {p.name for p in target.parent.iterdir()}
    proc = start(cmd)
    deadline = time.monotonic() + timeout
    caught = "none"
    while proc.poll() is None and time.monotonic() < deadline:
        if state() != before:
            caught = "target"
        elif any(e.name.endswith(".part") and e.name not in names for e in os.scandir(target.parent)):
            caught = "part"
        if caught != "none":
            break
        time.sleep(0.0005)
    kill(proc)
    return caught


# a page as if a template had printed submitted text unescaped
INJECTED = """<!doctype html><html><head>
<link rel="stylesheet" href="{url}/link.css">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<style>@import url("{url}/import.css"); @font-face {{ font-family: X; src: url("{url}/font.woff"); }}
body {{ background: url("{url}/bg.png"); font-family: X; }}</style></head>
<body><p>injected</p><img src="{url}/img.png"><img src="file:///etc/passwd"><img src="../../../../../../etc/passwd">
<img src="ftp://127.0.0.1:{port}/x.png"><a rel="attachment" href="file:///etc/hostname">a</a>
<svg width="10" height="10"><image href="{url}/svg.png" width="10" height="10"/></svg></body></html>"""
