"""What the result page lists: every checked rule and every reader / cross-check finding, each with
the GlobalIds the 3D view highlights when it is clicked. Reads only the Verdict record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

ORDER = {"fail": 0, "missing_data": 1, "manual_review": 2, "pass": 3, "not_applicable": 4}
NOTE_ORDER = {"uncertain": 0, "warning": 1, "info": 2}
SEVERITY_LABEL = {"uncertain": ("不确定", "uncertain"), "warning": ("提示", "warning"), "info": ("信息", "info")}


@dataclass(frozen=True)
class ElementLine:
    global_id: str
    ifc_class: str
    name: str
    storey: str
    file: str


@dataclass(frozen=True)
class Finding:
    key: str                        # rule id or note code + index: the page's anchor
    kind: str                       # "rule" or "note"
    status: str                     # a rule's status, or a note's severity
    title: str
    title_zh: str
    message: str
    message_zh: str
    clause: Optional[str]
    measured: tuple[str, ...]       # per requirement: "rooftop PV area ratio: 20.03 % measured, required ≥ 30 %"
    remedy: Optional[str]
    remedy_zh: Optional[str]
    reasons: tuple[str, ...]
    global_ids: tuple[str, ...]
    elements: tuple[ElementLine, ...]
    words: Optional[tuple[str, str]] = None    # a rule's status as the reports say it (labels.status_label):
                                               # 未采用 / 未达目标, a tally's 计入 / 不计入
    tone: Optional[str] = None                 # the colour: a non-blocking fail is never a failure's red
    settled: bool = False                      # nothing to do about it (a tally's 不计入)

    @property
    def open(self) -> bool:
        return not self.settled and self.status in ("fail", "missing_data", "manual_review", "uncertain", "warning")

    @property
    def label(self) -> tuple[str, str]:
        from ..report.labels import STATUS

        if self.words is not None:
            return self.words
        return STATUS.get(self.status) or SEVERITY_LABEL.get(self.status, (self.status, self.status))


def _unique(gids) -> tuple[str, ...]:
    return tuple(dict.fromkeys(g for g in gids if g))


def _elements(verdict, gids, index) -> tuple[ElementLine, ...]:
    out = []
    for gid in gids:
        e = verdict.element(gid, index)
        out.append(ElementLine(gid, e.ifc_class or "—", e.name or "—", e.storey or "—", e.file or "—"))
    return tuple(out)


def _figures(r) -> tuple[str, ...]:
    from ..report.document import MARK
    from ..report.labels import OPS

    return tuple(f"{c.label.zh} {c.label.en}: {c.measured_text.en} measured, required {OPS.get(c.operator, c.operator)} "
                 f"{c.threshold_text.en} — {MARK[c.met][1]}" for c in r.checks)


def findings_of(verdict) -> list[Finding]:
    """Rules first (open ones first), then the notes worth a look; not-applicable rules are left out."""
    from ..report.labels import falls_short, status_label, status_tone

    index = verdict.element_index()
    out = []
    for r in sorted((r for r in verdict.results if r.status != "not_applicable"),
                    key=lambda r: (ORDER.get(r.status, 9), r.rule)):
        gids = _unique(g for e in r.evidence for g in e.global_ids)
        where = r.building_label                          # the building and use parts it concerns
        out.append(Finding(
            key=r.rule, kind="rule", status=r.status, title=r.title.en, title_zh=r.title.zh,
            message=f"{where.en}: {r.message}" if where else r.message,
            message_zh=f"{where.zh}：{r.message_zh}" if where else r.message_zh,
            clause=f"{r.clause.ref} {r.clause.document}".strip(),
            measured=_figures(r) + tuple(f"{b.building_label.zh} {b.building_label.en}: {status_label(b)[1]}"
                                         for b in verdict.by_building(r) if b.building_label),
            remedy=r.remedy.en if r.remedy and r.status != "pass" else None,
            remedy_zh=r.remedy.zh if r.remedy and r.status != "pass" else None,
            reasons=tuple(x.en for x in r.reasons), global_ids=gids, elements=_elements(verdict, gids, index),
            words=status_label(r), tone=status_tone(r),
            settled=r.status != "pass" and not r.blocks and not falls_short(r)))
    notes = sorted(enumerate(verdict.notes), key=lambda p: (NOTE_ORDER.get(p[1].severity, 9), p[0]))
    for i, n in notes:
        gids = _unique(n.global_ids)
        out.append(Finding(
            key=f"{n.code}-{i}", kind="note", status=n.severity, title=n.code, title_zh=n.code, message=n.message,
            message_zh=n.message_zh or n.message, clause=None, measured=(), remedy=None, remedy_zh=None,
            reasons=(), global_ids=gids, elements=_elements(verdict, gids, index)))
    return out
