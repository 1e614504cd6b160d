"""Human summary for the terminal: the verdict, one line per rule, then what to fix."""

from __future__ import annotations

from .labels import VERDICT, model_summary, note_text, visible_controls

_MARK = {"pass": "PASS", "fail": "FAIL", "not_applicable": "N/A ", "missing_data": "MISS",
         "manual_review": "REVW"}


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


def _model_header(models) -> list[str]:
    """Each model as reviewers asked of IfcTester: file, schema, application, size, elements, SHA-256."""
    if not models:
        return ["  models: none"]
    lines = ["  models:"]
    for m in models:
        top = ", ".join(f"{cls} {n}" for cls, n in list(m.element_counts.items())[:6])
        more = " …" if len(m.element_counts) > 6 else ""
        lines.append(f"    {m.file}  {model_summary(m, 'en')} ({top}{more})")
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


def render(verdict, lang: str = "both") -> bytes:
    s = verdict.submission
    lines = [
        f"{s.id}  {s.name}" + (f"  ({s.name_en})" if s.name_en else ""),
        f"  {s.kind} · {s.use} · filed {s.filed_on} · judged as of {verdict.as_of} · rules {verdict.rules_version}",
        *_model_header(verdict.models),
        *_buildings(s, lang),
        "",
        {"zh": "结论：{0}", "en": "Verdict: {1}"}.get(lang, "Verdict: {0} {1}").format(*VERDICT[verdict.verdict][:2]),
        "",
    ]
    na = [r for r in verdict.results if r.status == "not_applicable"]
    for r in verdict.results:
        if r.status == "not_applicable":
            continue
        lines.append(f"  {_MARK[r.status]}  {r.rule_version:<8} {r.kind:<10} {_measured(r, lang)}")
        lines += [f"        {text}" for text in _said(r.message_zh, r.message, lang)]
        for b in verdict.by_building(r):           # several buildings whose results differ: each one's
            label = (b.building_label.zh if lang == "zh" else b.building_label.en) if b.building_label else b.building
            lines.append(f"        · {_MARK[b.status]}  {label}  {_measured(b, lang)}")
    if na:
        lines.append(f"  {_MARK['not_applicable']}  {len(na)} rules do not apply: " + ", ".join(r.rule for r in na)
                     + " (why: --format json or the PDF)")
    todo = [r for r in verdict.results if r.remedy is not None]
    if todo:
        lines += ["", "What to do:"]
        for r in todo:
            lines += [f"  {r.rule}: {text}" for text in _said(r.remedy.zh, r.remedy.en, lang)]
            for ev in r.evidence:
                if ev.global_ids:
                    ids = ", ".join(ev.global_ids[:8]) + (" …" if len(ev.global_ids) > 8 else "")
                    role = (ev.detail or "").split(":")[0]
                    lines.append(f"      {ev.file}" + (f" ({role})" if role else "") + f": {ids}")
    findings = [n for n in verdict.notes if n.severity != "info"]
    if findings:
        lines += ["", "Findings:"]
        for n in findings:
            where = f"{n.file}:{n.line}" if n.line else n.file
            lines.append(f"  [{n.severity}] {n.code} ({where}): {note_text(n, lang, chr(10) + '        ')}")
    return visible_controls("\n".join(lines) + "\n").encode("utf-8")
