"""The verdict document: one Jinja2 template and stylesheet behind both the PDF and the HTML report.

`html(verdict, lang, medium)` lays the verdict out for print (WeasyPrint: running header and
footer, page numbers) or for the screen (one self-contained file: inline CSS and SVG charts,
no external resource, a Content-Security-Policy that allows no script). The template is
autoescaped: names, messages and file names come from submitted files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from .labels import (
    DECISION,
    DRAFT_MARK,
    REVIEW_OPINION,
    STATUS,
    check_lang,
    falls_short,
    template_globals,
    visible_controls,
)

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "verdict.html.j2"
STYLES = {"print": ("verdict.css", "print.css"), "screen": ("verdict.css", "screen.css")}
MAX_ELEMENT_ROWS = 40          # per evidence group; the JSON, xlsx and BCF reports list them all
ORDER = {"fail": 0, "missing_data": 1, "manual_review": 2, "pass": 3}   # findings first
MARK = {True: ("满足", "met"), False: ("不满足", "not met"), None: ("未定", "undetermined")}
ROLE = {"metadata": ("申报资料", "metadata"), "model": ("模型", "model")}
Medium = Literal["print", "screen"]


def decision_labels(decision: str) -> tuple[str, str, str, str]:
    """A sign-off decision's labels (zh, en) and meaning (zh, en); an unknown one as it is."""
    return DECISION.get(decision, (decision, decision, "", ""))


@dataclass(frozen=True)
class ElementRow:
    global_id: str
    ifc_class: str
    name: str
    storey: str


@dataclass(frozen=True)
class EvidenceView:
    """One evidence group of a result: its elements as rows (capped), its metadata fields."""

    source: str
    file: str
    detail: str | None
    fields: tuple[str, ...]
    line: int | None
    rows: tuple[ElementRow, ...]
    more: int                  # elements not listed here (over MAX_ELEMENT_ROWS)
    total: int
    detail_zh: str | None = None   # the detail in Chinese (Evidence.detail_zh)


def stylesheet(medium: Medium) -> str:
    return "\n".join((TEMPLATES / name).read_text(encoding="utf-8") for name in STYLES[medium])


def html(verdict, lang: str = "both", medium: Medium = "print") -> str:
    """The verdict as HTML for `medium`; `lang` is both (zh first, en beside), zh or en."""
    check_lang(lang)
    return _environment().get_template(TEMPLATE).render(context(verdict, lang, medium))


@lru_cache(maxsize=None)
def _environment():
    """One Jinja2 environment per process: it compiles the template once (0.08 s), not per report.
    Its loader still notices an edited template (auto_reload)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, finalize=_finalize)
    env.globals.update(template_globals())
    return env


def _finalize(value):
    """Applied to every value the template prints, before escaping."""
    return visible_controls(value) if isinstance(value, str) else value


def context(verdict, lang: str, medium: Medium) -> dict:
    from .charts import charts_for, summary_chart

    counts = verdict.counts()
    index = verdict.element_index()
    checked = sorted((r for r in verdict.results if r.status != "not_applicable"),
                     key=lambda r: ORDER.get(r.status, 9))
    return dict(
        v=verdict, s=verdict.submission, lang=lang, medium=medium,
        css=stylesheet(medium) if medium == "screen" else "",
        counts=[(status, counts.get(status, 0)) for status in STATUS],
        checked=checked,
        aside=[r for r in checked if falls_short(r)],   # not blocking, falling short (never a tally's 不计入)
        not_applicable=[r for r in verdict.results if r.status == "not_applicable"],
        evidence={r.rule: [_evidence(e, verdict, index) for e in r.evidence] for r in checked},
        charts={r.rule: charts_for(verdict, r, lang) for r in checked},
        summary_chart=summary_chart(verdict, lang),
        findings=list(verdict.notes),
        MARK=MARK, ROLE=ROLE, decision=decision_labels, DRAFT_MARK=DRAFT_MARK, REVIEW_OPINION=REVIEW_OPINION,
        signoffs=list(verdict.signoffs),            # oldest first; the last one counts
    )


def _evidence(ev, verdict, index: dict) -> EvidenceView:
    rows = []
    for gid in ev.global_ids[:MAX_ELEMENT_ROWS]:
        e = verdict.element(gid, index)
        rows.append(ElementRow(gid, e.ifc_class or "—", e.name or "—", e.storey or "—"))
    return EvidenceView(source=ev.source, file=ev.file, detail=ev.detail, fields=ev.fields, line=ev.line,
                        detail_zh=ev.detail_zh,
                        rows=tuple(rows), more=max(0, len(ev.global_ids) - MAX_ELEMENT_ROWS),
                        total=len(ev.global_ids))
