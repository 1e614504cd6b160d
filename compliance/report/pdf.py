"""PDF verdict: the document a plan reviewer signs and a designer fixes the model from.

The HTML comes from the template shared with the HTML report (`document.py`), laid out by
WeasyPrint for print. WeasyPrint is imported inside the function so the CLI starts fast.

The PDF is written as PDF/A-3b, for the archive: fonts embedded, an sRGB output intent, XMP
metadata that says so, and the JSON verdict (`json_report.render`, the same bytes as
`--format json`) embedded as the associated file `verdict.json` (AFRelationship /Data: the data
the pages present), so the archived document carries its machine-readable verdict with it.
`compliance.sign` signs it (PAdES, an incremental update that keeps the PDF/A-3 as it is).
"""

from __future__ import annotations

from .document import TEMPLATES, html, stylesheet
from .fetch import url_fetcher

PDF_VARIANT = "pdf/a-3b"
EMBEDDED_NAME = "verdict.json"


def render(verdict, lang: str = "both") -> bytes:
    """The verdict as PDF/A-3b bytes, with the JSON verdict embedded as verdict.json."""
    import io
    from datetime import timezone

    from weasyprint import CSS, HTML, Attachment

    from .json_report import render as render_json

    fetcher = url_fetcher()            # data: and the template folders only, never a submitted URL
    document = HTML(string=html(verdict, lang, "print"), base_url=str(TEMPLATES), url_fetcher=fetcher)
    css = CSS(string=stylesheet("print"), base_url=str(TEMPLATES), url_fetcher=fetcher)
    at = verdict.generated_at
    when = (at.astimezone(timezone.utc) if at.tzinfo else at).replace(tzinfo=None)   # WeasyPrint writes it as UTC
    data = Attachment(file_obj=io.BytesIO(render_json(verdict, lang)), name=EMBEDDED_NAME, url_fetcher=fetcher,
                      description=f"JSON verdict of {verdict.submission.id} (the data this document presents)",
                      created=when, modified=when, relationship="Data")
    return document.write_pdf(stylesheets=[css], pdf_variant=PDF_VARIANT, attachments=[data],
                              finisher=_one_af_entry_per_file)


def _one_af_entry_per_file(document, pdf) -> None:
    """WeasyPrint 70 lists an attachment twice in the catalog's /AF (from /EmbeddedFiles and from the
    file specification): once is what PDF/A-3 means."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def render_html(verdict, lang: str = "both") -> str:
    """The HTML the PDF is laid out from (to debug the template)."""
    return html(verdict, lang, "print")
