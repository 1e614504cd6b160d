"""HTML verdict: the PDF's report as one self-contained page (inline CSS and SVG, no script)."""

from __future__ import annotations

from .document import html


def render(verdict, lang: str = "both") -> bytes:
    return html(verdict, lang, "screen").encode("utf-8")
