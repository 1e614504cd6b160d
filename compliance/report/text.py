"""Human summary for the terminal: the verdict, one line per rule, then what to fix — in the
report's language (zh alone carries no English words of ours: status, kind, headings)."""

from __future__ import annotations

from .labels import (
    PROJECT_KIND,
    SEVERITY,
    STATUS,
    VERDICT,
    falls_short,
    model_summary,
    note_text,
    pick,
    review_opinion,
    status_label,
    visible_controls,
)

_MARK = {"pass": "PASS", "fail": "FAIL", "not_applicable": "N/A ", "missing_data": "MISS",
         "manual_review": "REVW"}
_SOFT_MARK = {"encouraged": "SOFT", "target": "TGT "}     # a fail that does not affect the verdict


def _measured(r, lang: str) -> str:
    key, required = ("zh", "要求") if lang == "zh" else ("en", "required")
    plausible = "可能范围" if lang == "zh" else "plausible"
    return "; ".join(f"{getattr(c.measured_text, key)}"
                     + (f" [{plausible} {getattr(c.plausible_text, key)}]" if c.plausible_text else "")
                     + f" ({required} {c.operator} {getattr(c.threshold_text, key)})"
                     for c in r.checks)


def _said(zh: str, en: str, lang: str) -> list[str]:
    """The lines a message takes: one language, or Chinese then English."""
    return [zh] if lang == "zh" else [en] if lang == "en" else [zh, en]


def _mark(r, lang: str) -> str:
    """The status at the head of a rule's line: a word in Chinese, a four-letter mark otherwise."""
    if lang == "zh":
        return f"{status_label(r)[0]:<5}".replace(" ", "\u3000")[:5]
    if getattr(r, "status_label", None) is not None:   # the kind's own word, from the rule-set settings
        return r.status_label.en.upper()
    return _SOFT_MARK.get(r.kind, "SOFT") if r.status == "fail" and not r.blocks else _MARK[r.status]


def _model_header(models, lang: str) -> list[str]:
    """Each model as reviewers asked of IfcTester: file, schema, application, size, elements, SHA-256."""
    if not models:
        return ["  " + pick("模型：无", "models: none", lang, " / ")]
    lines = ["  " + pick("模型：", "models:", lang, " / ")]
    for m in models:
        top = ", ".join(f"{cls} {n}" for cls, n in list(m.element_counts.items())[:6])
        more = " …" if len(m.element_counts) > 6 else ""
        lines.append(f"    {m.file}  {model_summary(m, 'zh' if lang == 'zh' else 'en')} ({top}{more})")
        lines.append(f"      sha256 {m.sha256}")
    return lines


def _buildings(s, lang: str) -> list[str]:
    """The buildings and their use parts, where the submission is more than one single-use building."""
    if len(s.buildings) < 2 and not any(len(b.uses) > 1 for b in s.buildings):
        return []
    head = "  楼栋：" if lang == "zh" else "  buildings:"
    yes, no = ("公共机构", "非公共机构") if lang == "zh" else ("public institution", "not a public institution")
    return [head] + [f"    {b.id}  {b.label.zh if lang == 'zh' else b.label.en}  · {yes if b.public_institution else no}"
                     for b in s.buildings]


def _identity(verdict, lang: str) -> str:
    s = verdict.submission
    if lang == "zh":
        use = s.use_label.zh if s.use_label else s.use
        return (f"  {PROJECT_KIND.get(s.kind, (s.kind,))[0]} · {use} · 申报日期 {s.filed_on} · "
                f"核查基准日 {verdict.as_of} · 规则集 {verdict.rules_label('zh')}")
    return f"  {s.kind} · {s.use} · filed {s.filed_on} · judged as of {verdict.as_of} · rules {verdict.rules_label()}"


def render(verdict, lang: str = "both") -> bytes:
    s = verdict.submission
    zh = lang == "zh"
    lines = [
        f"{s.id}  {s.name}" + (f"  ({s.name_en})" if s.name_en and not zh else ""),
        _identity(verdict, lang),
        *_model_header(verdict.models, lang),
        *_buildings(s, lang),
        "",
        {"zh": "结论：{0}", "en": "Verdict: {1}"}.get(lang, "Verdict: {0} {1}").format(*VERDICT[verdict.verdict][:2]),
        *([review_opinion(verdict.signoffs[-1], lang)] if verdict.signoffs else []),
        "",
    ]
    na = [r for r in verdict.results if r.status == "not_applicable"]
    for r in verdict.results:
        if r.status == "not_applicable":
            continue
        kind = r.kind_label.zh if zh else r.kind
        lines.append(f"  {_mark(r, lang)}  {r.rule_version:<8} {kind:<10} {_measured(r, lang)}")
        lines += [f"        {text}" for text in _said(r.message_zh, r.message, lang)]
        apart = verdict.by_building(r)             # several buildings whose results differ: each one's
        for b in apart:
            label = (b.building_label.zh if lang == "zh" else b.building_label.en) if b.building_label else b.building
            lines.append(f"        · {_mark(b, lang)}  {label}  {_measured(b, lang)}")
        if r.building_label and not apart and not r.per_building:     # one building: the use parts concerned
            lines.append(f"        · {r.building_label.zh if lang == 'zh' else r.building_label.en}")
    if na:
        ids = ", ".join(r.rule for r in na)
        lines.append(f"  {STATUS['not_applicable'][0]}　　 {len(na)} 条规则不适用：{ids}（理由见 PDF 或 JSON 报告）" if zh else
                     f"  {_MARK['not_applicable']}  {len(na)} rules do not apply: {ids} (why: --format json or the PDF)")
    todo = [r for r in verdict.results if r.remedy is not None and not falls_short(r)]
    aside = [r for r in verdict.results if r.remedy is not None and falls_short(r)]
    for group, head in ((todo, ("整改要求：", "What to do:")), (aside, ("鼓励性及目标性事项（不影响总体结论）：",
                                                                     "Encouraged items and targets (do not affect "
                                                                     "the verdict):"))):
        if not group:
            continue
        lines += ["", pick(*head, lang, " / ")]
        for r in group:
            lines += [f"  {r.rule}: {text}" for text in _said(r.remedy.zh, r.remedy.en, lang)]
            for ev in r.evidence:
                if ev.global_ids:
                    ids = ", ".join(ev.global_ids[:8]) + (" …" if len(ev.global_ids) > 8 else "")
                    role = ((ev.detail_zh if zh else ev.detail) or "").replace("：", ":").split(":")[0]
                    lines.append(f"      {ev.file}" + (f" ({role})" if role else "") + f": {ids}")
    findings = [n for n in verdict.notes if n.severity != "info"]
    if findings:
        lines += ["", pick("核对发现：", "Findings:", lang, " / ")]
        for n in findings:
            where = f"{n.file}:{n.line}" if n.line else n.file
            severity = SEVERITY.get(n.severity, (n.severity,))[0] if zh else n.severity
            lines.append(f"  [{severity}] {n.code} ({where}): {note_text(n, lang, chr(10) + '        ')}")
    return visible_controls("\n".join(lines) + "\n").encode("utf-8")
