"""Labels (zh, en) and number formatting shared by the reports."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

STATUS: dict[str, tuple[str, str]] = {
    "pass": ("通过", "pass"),
    "fail": ("不通过", "fail"),
    "not_applicable": ("不适用", "not applicable"),
    "missing_data": ("数据缺失", "missing data"),
    "manual_review": ("需人工复核", "manual review"),
}
VERDICT: dict[str, tuple[str, str, str, str]] = {  # zh, en, explanation zh, explanation en
    "compliant": ("合规", "COMPLIANT", "所有影响结论的规则均已通过或不适用。",
                  "Every rule that affects approval passes or does not apply."),
    "non_compliant": ("不合规", "NON-COMPLIANT", "至少一项影响结论的规则未通过。",
                      "At least one rule that affects approval fails."),
    "incomplete": ("资料不全或需复核", "INCOMPLETE", "无不通过项，但有影响结论的规则数据缺失或需人工复核。",
                   "No rule fails, but a rule that affects approval lacks data or needs a reviewer's decision."),
}
# A reviewer's decision (SignOff.decision), in the office's words for a 审查意见 (review opinion):
# label zh, en; meaning zh, en. Never 通过: an "approved" beside 不合规 would read as a pass.
DECISION: dict[str, tuple[str, str, str, str]] = {
    "approved": ("同意", "approved", "审查人同意本核查结论。", "The reviewer agrees with the verdict."),
    "rejected": ("不同意", "rejected", "审查人不同意，申报不予认可。", "The reviewer disagrees: the submission is refused."),
    "revise": ("退回修改", "revise", "退回设计单位修改后重新申报。", "Sent back to the designer for changes."),
}
REVIEW_OPINION = ("审查意见", "Review opinion")
# On every page of a PDF no reviewer has signed off, in both languages whatever the report's language.
DRAFT_MARK = "草稿 · 未经审查签署 DRAFT — not signed off"


def review_opinion(signoff, lang: str = "both") -> str:
    """A sign-off on one line: '审查意见 Review opinion: 同意 approved · 王建国（审查员） · 2025-… UTC'."""
    zh, en = DECISION.get(signoff.decision, (signoff.decision, signoff.decision))[:2]
    who = signoff.reviewer + (f"（{signoff.reviewer_title}）" if getattr(signoff, "reviewer_title", "") else "")
    colon = "：" if lang == "zh" else ": "
    return f"{pick(*REVIEW_OPINION, lang)}{colon}{pick(zh, en, lang)} · {who} · {utc(signoff.signed_at)}"
# A failed rule whose kind does not affect the verdict is not a failure to the reader: an encouraged
# item not taken up, or a target not yet reached (the JSON status stays `fail`).
NOT_TAKEN_UP: dict[str, tuple[str, str]] = {"encouraged": ("未采用", "not taken up"),
                                            "target": ("未达目标", "target not reached")}
SEVERITY: dict[str, tuple[str, str]] = {"info": ("提示", "info"), "warning": ("警告", "warning"),
                                        "uncertain": ("存疑", "uncertain")}
# Check.source: what kind of value a figure is (实测 only for what the models measure).
SOURCE: dict[str, tuple[str, str]] = {"model": ("实测值", "measured"), "design": ("设计值", "design"),
                                      "declared": ("申报值", "declared"),
                                      "model_and_declared": ("模型及申报值", "models and declared")}
# The same, short, where a chart or a sentence says "measured 35%" (实测 only for the models' figures).
VALUE_WORD: dict[str, tuple[str, str]] = {"model": ("实测", "measured"), "design": ("设计值", "design"),
                                          "declared": ("申报值", "declared"), "model_and_declared": ("核查值", "figure")}


def value_word(check) -> tuple[str, str]:
    """How a check's figure is introduced (zh, en): 实测 / 设计值 / 申报值."""
    return VALUE_WORD.get(getattr(check, "source", None) or "", ("核查值", "figure"))


# The figures a computation starts from (RuleResult.inputs keys), as a reader names them.
INPUT: dict[str, tuple[str, str]] = {
    "roof_area_m2": ("屋面面积（m²）", "roof area (m²)"), "pv_area_m2": ("光伏面积（m²）", "PV area (m²)"),
    "suitable_roof_area_m2": ("适宜安装光伏的屋面面积（m²）", "suitable roof area (m²)"),
    "chargers": ("充电桩（个）", "charging points"), "spaces": ("停车位（个）", "parking spaces"),
    "fast": ("快充桩（个）", "fast charging points"), "ready": ("预留安装条件车位（个）", "spaces made ready"),
    "total_score": ("绿色建筑评价总得分", "total green-building score"),
    "baseline_kwh": ("改造前基准能耗（kWh/年）", "baseline energy use (kWh/a)"),
    "design_kwh": ("改造后设计能耗（kWh/年）", "design energy use (kWh/a)"),
    "baseline_2020": ("2020年基准值", "2020 baseline"), "current": ("当前值", "current"),
    "peak_power_kw": ("光伏峰值功率（kW）", "PV peak power (kW)"),
    "design_saving_pct": ("设计节能率（%）", "design saving (%)"),
}
PROJECT_KIND: dict[str, tuple[str, str]] = {"new": ("新建", "new"), "retrofit": ("改造", "retrofit")}
BASIS: dict[str, tuple[str, str]] = {"projected": ("水平投影", "projected"), "surface": ("实际表面", "surface")}
OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


LANGS = ("both", "zh", "en")


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")


def pick(zh: str, en: str, lang: str, sep: str = " ") -> str:
    """Chinese, English, or both (Chinese first, English beside) — once when they are the same."""
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return zh if zh == en else f"{zh}{sep}{en}"


def say(x, lang: str, sep: str = " / ") -> str:
    """A Text (or a plain string) in `lang`; 'both' gives Chinese first, English beside."""
    if x is None:
        return "—"
    return x if isinstance(x, str) else pick(x.zh, x.en, lang, sep)


def note_text(note, lang: str, sep: str = " / ") -> str:
    """A reader note or finding in `lang` (the English message when no Chinese is recorded)."""
    zh = note.message_zh or note.message
    if lang == "en" or (lang == "both" and zh == note.message):
        return note.message
    return zh if lang == "zh" else f"{zh}{sep}{note.message}"


BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# C0 controls but tab and line feed, DEL, and C1 controls (U+009B is a one-character CSI to some terminals)
CONTROL_CHARS = dict.fromkeys([*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)])
SHOWN = {code: f"[U+{code:04X}]" for code in (*BIDI_CONTROLS, *CONTROL_CHARS)}


def visible_controls(text: str) -> str:
    """Control characters from submitted text shown as [U+001B], [U+202E] and the like, never obeyed:
    * bidirectional embedding/override/isolate controls can make a name read backwards ('fdp.exe'),
      which a signed verdict must not allow (right-to-left text itself needs no control and is kept);
    * ESC, BEL, CR and the other C0/C1 controls would be obeyed by a terminal (colours, clearing the
      screen, OSC 8 hyperlinks, overwriting 'non-compliant' with 'compliant') and mean nothing in a
      document. Tab and line feed are kept: they are layout, and harmless."""
    return text.translate(SHOWN)


def num(x: Optional[float], decimals: int = 2) -> str:
    """A measured figure: fixed decimals, thousands separators; '—' when absent."""
    return "—" if x is None else f"{x:,.{decimals}f}"


def compact(x: float) -> str:
    """A threshold as written in the rule: 50, not 50.00."""
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def status_label(r) -> tuple[str, str]:
    """A result's status as a reader says it (zh, en): the kind's own word from the rule-set settings
    where it has one (a tally's 计入 / 不计入); else a non-blocking fail is an encouraged item not
    taken up or a target not reached, never 不通过."""
    own = getattr(r, "status_label", None)
    if own is not None:
        return own.zh, own.en
    if r.status == "fail" and not r.blocks:
        return NOT_TAKEN_UP.get(r.kind, ("未达到", "not reached"))
    return STATUS[r.status]


def status_tone(r) -> str:
    """The colour a result's status is shown in: its status, but a non-blocking fail (not taken up, not
    counted) is never the red of a failure."""
    return "not_taken_up" if r.status == "fail" and not r.blocks else r.status


def status_counts(verdict) -> list[tuple[str, str, str, int]]:
    """The cover's counts as (tone, zh, en, n): each status (all five, zero or not) for the results
    said with the usual words; then non-blocking fails (未采用或未达目标); then each word a kind has
    of its own in the rule-set settings (a tally's 计入 / 不计入), where any result is said with it."""
    plain: dict[str, int] = dict.fromkeys(STATUS, 0)
    soft = 0
    own: dict[tuple[str, str, str], int] = {}
    for r in verdict.results:
        label = getattr(r, "status_label", None)
        if label is not None:
            key = (status_tone(r), label.zh, label.en)
            own[key] = own.get(key, 0) + 1
        elif soft_fail(r):
            soft += 1
        else:
            plain[r.status] = plain.get(r.status, 0) + 1
    out = [(s, STATUS[s][0], STATUS[s][1], plain[s]) for s in STATUS]
    out += [("not_taken_up", "未采用或未达目标", "not taken up", soft)] if soft else []
    return out + [(tone, zh, en, n) for (tone, zh, en), n in own.items()]


def acts_on(r) -> bool:
    """A result the applicant must act on (the cover's 需要处理的事项): one that affects the verdict and
    is not a pass. Non-blocking results that fall short are listed apart (`falls_short`)."""
    return r.blocks and r.status in ("fail", "missing_data", "manual_review")


def falls_short(r) -> bool:
    """An encouraged item or target that is not taken up, lacks data, or waits for a reviewer — as the
    kind's `shortfall` in the rule-set settings says (a tally's 不计入 is not: nothing to fix)."""
    recorded = getattr(r, "falls_short", None)
    if recorded is not None:
        return recorded
    return not r.blocks and r.status in ("fail", "missing_data", "manual_review")


def soft_fail(r) -> bool:
    """A non-blocking fail: an encouraged item not taken up, a target not reached, a tally not counted."""
    return r.status == "fail" and not r.blocks


def input_label(key: str, lang: str) -> str:
    zh, en = INPUT.get(key, (key, key))
    return pick(zh, en, lang)


def source_label(source, lang: str) -> str:
    """'实测值' / '设计值' / '申报值' for a check's figure ('' when it has none)."""
    if not source:
        return ""
    zh, en = SOURCE.get(source, (source, source))
    return pick(zh, en, lang)


def evidence_detail(ev, lang: str) -> str:
    """An evidence group's detail in `lang` (the Chinese when recorded; in Chinese alone, nothing rather
    than an English sentence)."""
    zh, en = getattr(ev, "detail_zh", None), ev.detail
    if not en:
        return ""
    if zh is None and ev.source == "metadata":
        zh = f"「{en}」"                 # the designer's own words (an exemption's reason), quoted as written
    if lang == "en":
        return en
    if lang == "zh":
        return zh or ""
    return f"{zh} / {en}" if zh and zh != en else en


def measured_vs_required(r, lang: str = "en") -> str:
    """E.g. '52.40 % ≥ 50 %', '2-star ≥ 3-star', '— ≥ 50 %'; one line per requirement of the rule."""
    if r.checks:
        return "\n".join(f"{getattr(c.measured_text, lang)} {OPS.get(c.operator, c.operator)} "
                         f"{getattr(c.threshold_text, lang)}" for c in r.checks)
    unit = "" if r.unit in ("count", "level", "flag", "PUE") else f" {r.unit}"
    measured = "—" if r.measured is None else f"{num(r.measured)}{unit}"
    return f"{measured} {OPS.get(r.operator, r.operator)} {compact(r.threshold)}{unit}"


def basis_label(basis: Optional[str], lang: str = "both") -> str:
    if not basis:
        return ""
    zh, en = BASIS.get(basis, (basis, basis))
    return zh if lang == "zh" else en if lang == "en" else f"{en}/{zh}"


def file_size(n: int) -> str:
    units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
    big = next(((n / d, u) for d, u in units if n >= d), None)
    return f"{n:,} B" if big is None else f"{big[0]:.1f} {big[1]} ({n:,} B)"


def model_summary(m, lang: str) -> str:
    """A model's header on one line: schema · application · size · elements (the file and SHA-256 apart)."""
    return (f"{m.schema_name} · {m.application or pick('创建软件未知', 'application unknown', lang)} · "
            f"{file_size(m.size_bytes)} · {sum(m.element_counts.values()):,} {pick('个构件', 'elements', lang)}")


def utc(dt: datetime) -> str:
    dt = dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%d %H:%M:%S UTC")


def yes_no(flag: bool) -> str:
    return "是 yes" if flag else "否 no"


def svg_uri(svg: str) -> str:
    """An SVG as a data: URI for <img>: WeasyPrint draws it with its SVG renderer (inline <svg> styles
    would go through the HTML stylesheet parser), and a browser shows it without any request."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def template_globals() -> dict:
    return dict(OPS=OPS, reason=say, svg_uri=svg_uri, STATUS=STATUS, PROJECT_KIND=PROJECT_KIND, VERDICT=VERDICT,
                num=num, compact=compact, utc=utc, measured_vs_required=measured_vs_required, basis_label=basis_label,
                file_size=file_size, yes_no=yes_no, status_label=status_label, acts_on=acts_on,
                falls_short=falls_short, status_tone=status_tone, soft_fail=soft_fail, status_counts=status_counts, input_label=input_label, source_label=source_label,
                evidence_detail=evidence_detail, SEVERITY=SEVERITY)
