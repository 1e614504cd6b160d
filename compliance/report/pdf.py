"""PDF verdict: the document a plan reviewer signs and a designer fixes the model from.

The HTML comes from the template shared with the HTML report (`document.py`), laid out by
WeasyPrint for print. WeasyPrint is imported inside the function so the CLI starts fast.
"""

from __future__ import annotations

from .document import TEMPLATES, html, stylesheet
from .fetch import url_fetcher


def render(verdict, lang: str = "both") -> bytes:
    """The verdict as PDF bytes."""
    from weasyprint import CSS, HTML

    fetcher = url_fetcher()            # data: and the template folders only, never a submitted URL
    document = HTML(string=html(verdict, lang, "print"), base_url=str(TEMPLATES), url_fetcher=fetcher)
    css = CSS(string=stylesheet("print"), base_url=str(TEMPLATES), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css])


def render_html(verdict, lang: str = "both") -> str:
    """The HTML the PDF is laid out from (to debug the template)."""
    return html(verdict, lang, "print")
