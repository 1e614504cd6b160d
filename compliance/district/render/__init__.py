"""District dashboard renderers, one module per format, registered in FORMATS (which also feeds the CLI).

Every format renders a `DistrictReport` (compliance.district.records) and reads nothing else;
`lang` is "both" (Chinese first, English beside), "zh" or "en" (JSON carries both languages and
ignores it). Renderer modules are imported when used: importing this package loads neither
WeasyPrint, matplotlib nor Jinja2.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    description: str
    target: str              # "module:function" rendering (report, lang) -> bytes, imported on first use
    binary: bool = False

    def render(self, report, lang: str = "both") -> bytes:
        module, function = self.target.split(":")
        return getattr(importlib.import_module(module), function)(report, lang)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", ".json", "application/json", "machine-readable district progress (docs/json.md)",
           "compliance.district.render.json_out:render"),
    Format("pdf", ".pdf", "application/pdf", "district dashboard for presenting progress (WeasyPrint)",
           "compliance.district.render.pdf:render", binary=True),
    Format("html", ".html", "text/html; charset=utf-8", "the PDF's dashboard as one self-contained web page",
           "compliance.district.render.document:render_html"),
)}


def render(fmt: str, report, lang: str = "both") -> bytes:
    """The report in format `fmt` (a key of FORMATS); ValueError names an unknown format or language."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    from ...report.labels import check_lang

    check_lang(lang)
    return FORMATS[fmt].render(report, lang)
