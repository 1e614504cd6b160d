"""What the formats for pipelines (junit.py, sarif.py) share: the one mapping of a rule's result to a
CI outcome, and a result told in plain text in the report's language.

A pipeline must never go green on a submission that is not compliant: a wrong pass is the worst
bug. So every result that keeps the verdict from being compliant is red — a blocking `fail` is a
failure, and a blocking `missing_data` or `manual_review` (the verdict is incomplete) is an error,
never a skip. Results that do not affect the verdict (an encouraged item not taken up, a target
not reached, one whose data is missing) are skipped with the reason; a pass and a rule that does
not apply pass. The formats add the overall verdict itself as one more red or green item.
"""

from __future__ import annotations

from .labels import VERDICT, pick, status_label, visible_controls

# outcome -> what a JUnit test case carries / a SARIF result's (kind, level)
FAILURE, ERROR, SKIPPED, PASSED = "failure", "error", "skipped", "passed"


def outcome(r) -> str:
    """failure, error, skipped or passed for one rule's result (see the module's docstring)."""
    if r.status in ("pass", "not_applicable"):
        return PASSED
    if not r.blocks:
        return SKIPPED
    return FAILURE if r.status == "fail" else ERROR


def verdict_outcome(verdict) -> str:
    return {"compliant": PASSED, "non_compliant": FAILURE}.get(verdict.verdict, ERROR)


def clean(text) -> str:
    """Text fit for XML 1.0 and a terminal: controls shown as [U+001B] (labels.visible_controls), a
    NUL and a name that is not UTF-8 as compliance/safe_text.py shows them, U+FFFE/U+FFFF dropped."""
    from ..safe_text import safe_text

    return visible_controls(safe_text(str(text))).replace("\ufffe", "").replace("\uffff", "")


def said(zh: str | None, en: str | None, lang: str, sep: str = "\n") -> str:
    """One language, or Chinese then English (on the next line); the other when one is missing."""
    zh, en = zh or en or "", en or zh or ""
    return clean(pick(zh, en, lang, sep))


def text_of(x, lang: str, sep: str = "\n") -> str:
    return said(x.zh, x.en, lang, sep) if x is not None else ""


def title(r, lang: str) -> str:
    return said(r.title.zh, r.title.en, lang, " / ")


def status_words(r, lang: str) -> str:
    return said(*status_label(r), lang, " / ")


def verdict_words(verdict, lang: str) -> str:
    zh, en, why_zh, why_en = VERDICT[verdict.verdict]
    return said(f"{zh}：{why_zh}", f"{en}: {why_en}", lang)


def measured(r, lang: str) -> str:
    """'20.03% (required >= 30%)' per requirement, as the terminal summary says it."""
    key, required = ("zh", "要求") if lang == "zh" else ("en", "required")
    return clean("; ".join(f"{getattr(c.measured_text, key)} ({required} {c.operator} {getattr(c.threshold_text, key)})"
                           for c in r.checks))


def details(r, lang: str) -> str:
    """The result in full, as plain text: status, message, figures, reasons, clause, evidence, remedy."""
    head = ("状态", "依据", "证据", "整改") if lang == "zh" else ("status", "clause", "evidence", "remedy")
    lines = [f"{head[0]}: {status_words(r, lang)} ({r.status}; {r.kind}"
             + (", blocks approval)" if r.blocks else ", does not affect the verdict)"),
             said(r.message_zh, r.message, lang)]
    if r.checks and r.status != "not_applicable":
        lines.append(measured(r, lang))
    lines += [text_of(x, lang) for x in r.reasons]
    lines.append(f"{head[1]}: {clean(r.clause.ref)} {clean(r.clause.document)} “{clean(r.clause.quote)}”")
    for ev in r.evidence:
        where = f"{ev.file}:{ev.line}" if ev.line else ev.file
        what = ", ".join([*ev.fields, *ev.global_ids])
        lines.append(clean(f"{head[2]}: {where}" + (f" — {what}" if what else "")))
    if r.remedy is not None:
        lines.append(f"{head[3]}: {text_of(r.remedy, lang, ' / ')}")
    return "\n".join(line for line in lines if line)


def short_message(r, lang: str) -> str:
    """One line for a failure's message attribute or a SARIF message: status and what was found."""
    return said(r.message_zh, r.message, lang, " / ")
