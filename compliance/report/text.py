"""Human summary for the terminal: the verdict, one line per rule, then what to fix."""

from __future__ import annotations

from .labels import VERDICT

_MARK = {"pass": "PASS", "fail": "FAIL", "not_applicable": "N/A ", "missing_data": "MISS",
         "manual_review": "REVW"}


def _measured(r) -> str:
    if not r.checks:
        return ""
    return "; ".join(f"{c.measured_text.en} (required {c.operator} {c.threshold_text.en})" for c in r.checks)


def render(verdict, lang: str = "both") -> bytes:
    s = verdict.submission
    lines = [
        f"{s.id}  {s.name}" + (f"  ({s.name_en})" if s.name_en else ""),
        f"  {s.kind} · {s.use} · filed {s.filed_on} · judged as of {verdict.as_of} · rules {verdict.rules_version}",
        f"  models: " + ", ".join(f"{m.file} [{m.schema_name}]" for m in verdict.models),
        "",
        "Verdict: {} {}".format(*VERDICT[verdict.verdict][:2]),
        "",
    ]
    na = [r for r in verdict.results if r.status == "not_applicable"]
    for r in verdict.results:
        if r.status == "not_applicable":
            continue
        lines.append(f"  {_MARK[r.status]}  {r.rule_version:<8} {r.kind:<10} {_measured(r)}")
        lines.append(f"        {r.message}")
    if na:
        lines.append(f"  {_MARK['not_applicable']}  {len(na)} rules do not apply: " + ", ".join(r.rule for r in na)
                     + " (why: --format json or the PDF)")
    todo = [r for r in verdict.results if r.remedy is not None]
    if todo:
        lines += ["", "What to do:"]
        for r in todo:
            lines.append(f"  {r.rule}: {r.remedy.en}")
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
            lines.append(f"  [{n.severity}] {n.code} ({where}): {n.message}")
    return ("\n".join(lines) + "\n").encode("utf-8")
