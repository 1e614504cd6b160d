"""PDF verdict: the document a plan reviewer signs and a designer fixes the model from.

HTML from a Jinja2 template (autoescaped: names and messages come from submitted files),
laid out by WeasyPrint. Both are imported inside the functions so the CLI starts fast.
"""

from __future__ import annotations

from pathlib import Path

from .labels import STATUS, template_globals

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "verdict.html.j2"
STYLESHEET = TEMPLATES / "verdict.css"


def render(verdict, lang: str = "both") -> bytes:
    """The verdict as PDF bytes."""
    from weasyprint import CSS, HTML

    document = HTML(string=render_html(verdict), base_url=str(TEMPLATES))
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def render_html(verdict) -> str:
    """The verdict as the HTML the PDF is laid out from (useful to debug the template)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(template_globals())
    return env.get_template(TEMPLATE).render(_context(verdict))


def _context(verdict) -> dict:
    counts = verdict.counts()
    return dict(
        v=verdict,
        s=verdict.submission,
        counts=[(status, counts.get(status, 0)) for status in STATUS],
        checked=[r for r in verdict.results if r.status != "not_applicable"],
        not_applicable=[r for r in verdict.results if r.status == "not_applicable"],
    )
