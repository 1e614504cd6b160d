"""PDF verdict: the document a plan reviewer signs and a designer fixes the model from.

The HTML comes from the template shared with the HTML report (`document.py`), laid out by
WeasyPrint for print. WeasyPrint is imported inside the function so the CLI starts fast.

The PDF is written as PDF/A-3b, for the archive: fonts embedded, an sRGB output intent, XMP
metadata that says so, and the JSON verdict (`json_report.render`, the same bytes as
`--format json`) embedded as the associated file `verdict.json` (AFRelationship /Data: the data
the pages present), so the archived document carries its machine-readable verdict with it.
`compliance.sign` signs it (PAdES, an incremental update that keeps the PDF/A-3 as it is).

Cost (issue 22, bench/README.md): WeasyPrint builds a few hundred thousand objects (boxes, styles,
layout attempts) that live until the PDF is written; each time they grow by a quarter, Python's
cyclic collector walked the whole heap again (the checker's own objects included): 0.4–0.7 s of a
~5 s PDF. The collector is paused while WeasyPrint works (`_collector_paused`); what the render
leaves for it is collected by its next young collection afterwards, as before.
"""

from __future__ import annotations

from contextlib import contextmanager

from .document import TEMPLATES, html, stylesheet
from .fetch import url_fetcher

PDF_VARIANT = "pdf/a-3b"
EMBEDDED_NAME = "verdict.json"


def prepare() -> None:
    """Pay a process's fixed PDF costs now rather than in its first report: import WeasyPrint (0.4 s),
    compile the template, read the chart fonts, and lay out a line of Chinese and English so that
    fontconfig, Pango and WeasyPrint have loaded what every verdict uses. For a process that forks
    one child per submission (the batch's zygote): called before forking, every child starts
    with it done. Nothing at import time calls it."""
    from weasyprint import HTML

    from .charts.fonts import font_for
    from .charts.glyphs import face
    from .document import TEMPLATE, _environment

    _environment().get_template(TEMPLATE)
    for lang in ("both", "en"):
        face(font_for(lang)[1])
    with _collector_paused():
        HTML(string='<html lang="zh-CN"><body><p>核查 <b>check</b> <span style="font-family: monospace">'
                    'ID</span></p></body></html>', url_fetcher=url_fetcher()).write_pdf(pdf_variant=PDF_VARIANT)


def render(verdict, lang: str = "both") -> bytes:
    """The verdict as PDF/A-3b bytes, with the JSON verdict embedded as verdict.json."""
    with _collector_paused():
        return _render(verdict, lang)


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off for the block and back on after it, unless it was off
    already when the block began (then whoever turned it off turns it back on: a render overlapping
    another in a second thread leaves that to the first)."""
    import gc

    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _render(verdict, lang: str) -> bytes:
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
    return document.write_pdf(stylesheets=[css], pdf_variant=PDF_VARIANT, attachments=[data], finisher=_finish)


def _finish(document, pdf) -> None:
    _one_af_entry_per_file(document, pdf)
    _streams_serialised_once(pdf)


def _streams_serialised_once(pdf) -> None:
    """pydyf serialises (and deflates, at level 9) every stream twice when it writes a PDF/A: once
    for the file, once more for the MD5 of the file identifier PDF/A requires — 0.15 s of a PDF.
    Each stream's bytes are kept from the first time instead; the file is byte for byte the same."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream):
            obj.__class__ = _once(type(obj))


_ONCE: dict = {}


def _once(cls):
    """`cls` with its `data` property computed once per object."""
    if cls not in _ONCE:
        fget = cls.data.fget

        def data(self):
            cached = self.__dict__.get("_serialised")
            if cached is None:
                cached = self.__dict__["_serialised"] = fget(self)
            return cached

        _ONCE[cls] = type(cls.__name__, (cls,), {"data": property(data), "__module__": __name__})
    return _ONCE[cls]


def _one_af_entry_per_file(document, pdf) -> None:
    """WeasyPrint 70 lists an attachment twice in the catalog's /AF (from /EmbeddedFiles and from the
    file specification): once is what PDF/A-3 means."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def render_html(verdict, lang: str = "both") -> str:
    """The HTML the PDF is laid out from (to debug the template)."""
    return html(verdict, lang, "print")
