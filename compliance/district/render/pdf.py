"""PDF district dashboard: the template shared with the HTML page (`document.py`), laid out by
WeasyPrint for A4 print. WeasyPrint is imported inside the function so the CLI starts fast."""

from __future__ import annotations

from ...report.fetch import url_fetcher
from .document import TEMPLATES, html, stylesheet


def render(report, lang: str = "both") -> bytes:
    """The DistrictReport as PDF bytes."""
    from weasyprint import CSS, HTML

    fetcher = url_fetcher()            # data: and the template folders only, never a submitted URL
    document = HTML(string=html(report, lang, "print"), base_url=str(TEMPLATES), url_fetcher=fetcher)
    css = CSS(string=stylesheet("print"), base_url=str(TEMPLATES), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css])
