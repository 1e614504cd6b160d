"""What the BCF topics say: one per (rule, problem), before any of it becomes BCF-XML.

A rule result the designer must act on is one topic; reader notes are grouped by their code (one
note per slab would otherwise give twenty near-identical topics), so one topic lists every element
of that problem. A topic's type and priority follow the rule's kind and whether it blocks approval
(`rules/_settings.yaml`, `kinds.*.blocks`): only a blocking fail is an Error.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..labels import falls_short, measured_vs_required, model_summary, note_text, pick, say, status_label, utc

ACTIONABLE = ("fail", "missing_data", "manual_review")
NOTE_SEVERITIES = ("warning", "uncertain")
# A blocking fail is an Error; a fail that does not block (a target not reached, an encouraged item not
# taken up) is a Warning; data missing is a Request for it; a reviewer's decision is an Issue.
BLOCKING_FAIL_TYPE = "Error"
SOFT_FAIL_TYPE = "Warning"
TOPIC_TYPE = {"missing_data": "Request", "manual_review": "Issue"}
NOTE_TOPIC_TYPE = "Issue"
BLOCKING_PRIORITY = "High"
PRIORITY = {"mandatory": "Normal", "target": "Normal", "encouraged": "Low", "tally": "Low"}    # those not blocking
NOTE_PRIORITY = "Normal"
SEVERITY = {"warning": ("警告", "warning"), "uncertain": ("存疑", "uncertain"), "info": ("提示", "info")}
ELEMENTS_LISTED = 30            # per evidence item in the description; the viewpoint selects them all
NOTES_LISTED = 30               # messages of one grouped note topic written out in its description


@dataclass(frozen=True)
class Issue:
    """What one topic says, before it becomes BCF."""

    key: str                    # stable identity -> topic GUID: submission + rule + problem
    title: str
    description: str
    topic_type: str
    priority: str
    labels: tuple[str, ...]
    global_ids: tuple[str, ...]
    origins: tuple[tuple[str, str], ...] = ()   # GlobalId -> the file the finding cites it from


def issues(verdict, lang: str) -> list[Issue]:
    """The topics, in the verdict's order: rule results first, then the notes, one topic per code."""
    rules = [_rule_issue(verdict, r, lang) for r in verdict.results
             if r.status in ACTIONABLE and (r.blocks or falls_short(r))]     # never a tally's 不计入
    return rules + _note_issues(verdict, lang)


def topic_type(r) -> str:
    if r.status == "fail":
        return BLOCKING_FAIL_TYPE if r.blocks else SOFT_FAIL_TYPE
    return TOPIC_TYPE[r.status]


def priority(r) -> str:
    return BLOCKING_PRIORITY if r.blocks else PRIORITY.get(r.kind, "Low")


def label(pair: tuple[str, str], lang: str) -> str:
    return pick(pair[0], pair[1], lang)


def unique(gids) -> tuple[str, ...]:
    return tuple(dict.fromkeys(gids))


def _rule_issue(verdict, r, lang: str) -> Issue:
    title = f"{r.rule} {label(status_label(r), lang)}: {say(r.title, lang)}"
    gids = unique(g for e in r.evidence for g in e.global_ids)
    origins = {g: e.file for e in reversed(r.evidence) if e.source == "ifc" for g in e.global_ids}
    return Issue(key=f"{verdict.submission.id}|rule|{r.rule}", title=title,
                 description=_rule_description(verdict, r, lang), topic_type=topic_type(r), priority=priority(r),
                 labels=(r.rule, r.status, r.kind, r.clause.ref), global_ids=gids, origins=tuple(origins.items()))


def _note_issues(verdict, lang: str) -> list[Issue]:
    groups: dict[str, list] = {}
    for n in verdict.notes:
        if n.severity in NOTE_SEVERITIES and n.global_ids:
            groups.setdefault(n.code, []).append(n)
    out = []
    for code, notes in groups.items():
        severities = unique(n.severity for n in notes)
        first_line = (note_text(notes[0], lang, sep=" / ").splitlines() or [""])[0]
        count = f" ({len(notes)})" if len(notes) > 1 else ""         # before the message, which a title may cut
        title = f"{code} {label(SEVERITY[severities[0]], lang)}{count}: {first_line}"
        gids = unique(g for n in notes for g in n.global_ids)
        origins = {g: n.file for n in reversed(notes) for g in n.global_ids}
        out.append(Issue(key=f"{verdict.submission.id}|note|{code}", title=title,
                         description=_note_description(verdict, code, notes, lang), topic_type=NOTE_TOPIC_TYPE,
                         priority=NOTE_PRIORITY, labels=(code, *severities), global_ids=gids,
                         origins=tuple(origins.items())))
    return out


def _rule_description(verdict, r, lang: str) -> str:
    lines = [f"{label(status_label(r), lang)} — {say(r.kind_label, lang, ' ')} ({r.rule_version})",
             f"{label(('结论说明', 'Finding'), lang)}:", pick(r.message_zh, r.message, lang, "\n")]
    mvr = pick(measured_vs_required(r, "zh"), measured_vs_required(r, "en"), lang, "\n")
    lines += [f"{label(('核查值 / 要求', 'Measured / required'), lang)}:", mvr]
    if r.computation:
        lines += [f"{label(('计算', 'Computation'), lang)}: {say(r.computation, lang)}"]
    if r.reasons:
        lines += [f"{label(('原因', 'Reasons'), lang)}:"] + [f"- {say(x, lang)}" for x in r.reasons]
    lines += [f"{label(('条文', 'Clause'), lang)}: {r.clause.document} {r.clause.ref}", f"「{r.clause.quote}」"]
    if r.remedy is not None:
        lines += [f"{label(('整改建议', 'Remedy'), lang)}:", say(r.remedy, lang, "\n")]
    if r.evidence:
        lines += [f"{label(('证据', 'Evidence'), lang)}:"]
        for e in r.evidence:
            lines += _evidence_lines(verdict, e, lang)
    return "\n".join(lines + footer(verdict, lang))


def _note_description(verdict, code: str, notes: list, lang: str) -> str:
    severities = unique(n.severity for n in notes)
    head = " / ".join(label(SEVERITY[s], lang) for s in severities)
    lines = [f"{head} — {code}"]
    if len(notes) > 1:
        count = len(unique(g for n in notes for g in n.global_ids))
        lines.append(pick(f"同一问题的 {len(notes)} 条读取记录，共 {count} 个构件（视点中均已选中）：",
                          f"{len(notes)} reader notes of the same problem, on {count} element(s), all selected in "
                          "the viewpoint:", lang, "\n"))
    for n in notes[:NOTES_LISTED]:
        where = f"{n.file}:{n.line}" if n.line else n.file
        lines += [f"- {note_text(n, lang, sep=' / ')}", f"  {label(('来源', 'Source'), lang)}: {where}"]
    if len(notes) > NOTES_LISTED:
        more = len(notes) - NOTES_LISTED
        lines.append(pick(f"… 另 {more} 条", f"… {more} more", lang, " / "))
    lines.append(f"{label(('构件', 'Elements'), lang)}:")
    lines += _element_lines(verdict, unique(g for n in notes for g in n.global_ids), lang)
    return "\n".join(lines + footer(verdict, lang))


def _evidence_lines(verdict, e, lang: str) -> list[str]:
    if e.source == "metadata":
        where = f"{e.file}:{e.line}" if e.line else e.file
        head = f"- {where} {', '.join(e.fields)}".rstrip()
    else:
        n = len(unique(e.global_ids))
        count = pick(f"{n} 个构件", f"{n} element(s)", lang, " / ")
        head = f"- {e.file} (IFC): {count}"
    lines = [head + (f" — {e.detail}" if e.detail else "")]
    return lines + _element_lines(verdict, unique(e.global_ids), lang)


def _element_lines(verdict, gids: tuple[str, ...], lang: str) -> list[str]:
    lines, index = [], verdict.element_index()
    for gid in gids[:ELEMENTS_LISTED]:
        el = verdict.element(gid, index)
        parts = [gid, el.ifc_class or "", f"“{el.name}”" if el.name else "",
                 f"@ {el.storey}" if el.storey else "", f"({el.file})" if el.file else ""]
        lines.append("    " + " ".join(p for p in parts if p))
    if len(gids) > ELEMENTS_LISTED:
        more = len(gids) - ELEMENTS_LISTED
        lines.append("    " + pick(f"… 另 {more} 个（视点中均已选中）",
                                      f"… {more} more (all selected in the viewpoint)", lang, " / "))
    return lines


def footer(verdict, lang: str) -> list[str]:
    """The submission, the rule set, and the model header reviewers expect in every report."""
    models = [f"- {m.file}: {model_summary(m, lang)} · SHA-256 {m.sha256}" for m in verdict.models]
    return ["", f"{label(('报审项目', 'Submission'), lang)}: {verdict.submission.id} — "
                f"{label(('规则集', 'rule set'), lang)} {verdict.rules_version} — "
                f"compliance {verdict.tool_version}, {utc(verdict.generated_at)}",
            f"{label(('模型文件', 'Models'), lang)}:"] + models
