"""Looking into rendered reports, shared by the verdict and district tests: the text of a PDF
(poppler's pdftotext) and an audit of what a self-contained HTML page may not contain."""

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest


def pdftotext(data: bytes, tmp_path: Path, name: str = "v.pdf") -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext not found: install poppler-utils (the README's test command does)")
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def flat(text: str) -> str:
    """Text without any whitespace (PDF layout breaks lines anywhere)."""
    return "".join(text.split())


class PageAudit(HTMLParser):
    """Everything in a page that could load or run something."""

    def __init__(self):
        super().__init__()
        self.tags, self.external, self.images, self.csp = [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        for key in ("src", "href", "data", "action", "xlink:href"):
            value = attrs.get(key) or ""
            if value and not value.startswith(("#", "data:")):
                self.external.append((tag, key, value))
        if tag == "img":
            self.images.append(attrs.get("src") or "")
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = attrs.get("content")
