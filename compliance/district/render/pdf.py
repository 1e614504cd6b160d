"""PDF district dashboard: the template shared with the HTML page (`document.py`), laid out by
WeasyPrint for A4 print. WeasyPrint is imported inside the function so the CLI starts fast."""

from __future__ import annotations

from .document import TEMPLATES, html, stylesheet


def render(report, lang: str = "both") -> bytes:
    """The DistrictReport as PDF bytes."""
    from weasyprint import CSS, HTML

    document = HTML(string=html(report, lang, "print"), base_url=str(TEMPLATES))
    return document.write_pdf(stylesheets=[CSS(string=stylesheet("print"))])
