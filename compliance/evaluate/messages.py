"""Plain-language messages (zh and en) for each status, built from result data."""

from __future__ import annotations

from ..ruleset.schema import Rule
from ..text import Text

OP_ZH = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "为"}
OP_EN = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "==": ""}
KIND_ZH = {"new": "新建", "retrofit": "既有建筑改造"}
GROUP_ZH = {"public": "公共建筑", "civil": "民用建筑", "industrial": "工业建筑"}

NA_EN = {
    "kind": "applies to {kinds} projects; this one is '{kind}'",
    "use": "does not apply to use class '{use}'",
    "either": "applies to {either}",
    "public_institution": "applies only where public_institution is {pi}",
    "zone": "applies only in {zones}",
    "effective_from": "in force from {frm}; judged as of {as_of}",
    "effective_until": "in force until {until}; judged as of {as_of}",
}
NA_ZH = {
    "kind": "仅适用于{kinds_zh}项目，本项目为{kind_zh}项目",
    "use": "不适用于用途“{use_zh}”",
    "either": "仅适用于：{either_zh}",
    "public_institution": "仅适用于{pi_zh}项目",
    "zone": "仅适用于{zones_zh}",
    "effective_from": "自 {frm} 起施行，本次核查日期为 {as_of}",
    "effective_until": "施行至 {until}，本次核查日期为 {as_of}",
}


def _need(c, lang: str) -> str:
    if lang == "zh":
        return f"{OP_ZH[c.operator]}{c.threshold_text.zh}"
    return f"{OP_EN[c.operator]} {c.threshold_text.en}".strip()


def _figures(checks, lang: str) -> str:
    if lang == "zh":
        return "；".join(f"{c.label.zh}为{c.measured_text.zh}（要求{_need(c, 'zh')}）" for c in checks)
    return "; ".join(f"{c.label.en} is {c.measured_text.en} (required: {_need(c, 'en')})" for c in checks)


def status_messages(rule: Rule, status: str, *, checks, reasons: tuple[Text, ...],
                    na: tuple[list[str], list[str]]) -> tuple[str, str]:
    why, why_zh = "; ".join(r.en for r in reasons), "；".join(r.zh for r in reasons)
    if status == "pass":
        return (f"Meets the requirement: {_figures(checks, 'en')}.", f"满足要求：{_figures(checks, 'zh')}。")
    if status == "fail":
        failing = [c for c in checks if c.met is False] or list(checks)
        return (f"Does not meet the requirement: {_figures(failing, 'en')}.",
                f"未满足要求：{_figures(failing, 'zh')}。")
    if status == "not_applicable":
        en, zh = na
        return (f"Not applicable: {'; '.join(en) or 'not applicable'}.", f"不适用：{'；'.join(zh) or '不适用'}。")
    if status == "missing_data":
        return f"Cannot be checked, data missing: {why}.", f"数据缺失，无法核查：{why_zh}。"
    return (f"A reviewer must decide ({_figures(checks, 'en')}): {why}.",
            f"需人工复核（{_figures(checks, 'zh')}）：{why_zh}。")


# --------------------------------------------------------------------------- doubt that decides (or not)

def need_text(op: str, threshold: Text) -> Text:
    """'at least 30%' / '不低于30%'."""
    return Text(zh=f"{OP_ZH[op]}{threshold.zh}", en=f"{OP_EN[op]} {threshold.en}".strip())


def range_settles(label: Text, span: Text, need: Text, met: bool) -> Text:
    """A requirement decided over the whole plausible range of an uncertain figure."""
    return Text(zh=f"{label.zh}的合理取值范围（{span.zh}）内均{'' if met else '不'}满足要求（{need.zh}），存疑不影响结论",
                en=f"over the whole plausible range of the {label.en} ({span.en}) the requirement ({need.en}) is "
                   f"{'' if met else 'not '}met, so the doubt does not change the outcome")


def range_straddles(label: Text, span: Text, need: Text) -> Text:
    """A requirement an uncertain figure's plausible range straddles: a reviewer decides."""
    return Text(zh=f"{label.zh}的合理取值范围（{span.zh}）跨越要求（{need.zh}）：其中部分取值满足、部分不满足",
                en=f"the plausible range of the {label.en} ({span.en}) straddles the requirement ({need.en}): "
                   "part of it meets it and part does not")


def where_settles(label: Text, span: Text, need: Text, applies: bool) -> Text:
    """Applicability decided over the whole plausible range of an uncertain size figure."""
    zh, en = (("均适用", "存疑不影响是否适用"), ("applies", "whether it applies")) if applies else \
        (("均不适用", "存疑不影响结论"), ("does not apply", "the outcome"))
    return Text(zh=f"{label.zh}的合理取值范围（{span.zh}）内本条{zh[0]}（适用条件：{need.zh}），{zh[1]}",
                en=f"over the whole plausible range of the {label.en} ({span.en}) the rule {en[0]} (it applies "
                   f"where the {label.en} is {need.en}), so the doubt does not change {en[1]}")


def where_straddles(label: Text, span: Text | None, need: Text) -> Text:
    """Whether the rule applies cannot be decided: the figure's range straddles the threshold
    (`span` None: an uncertain figure under an equality condition, which no range decides)."""
    if span is None:
        return Text(zh=f"无法判定本条是否适用：{label.zh}存疑（适用条件：{need.zh}）",
                    en=f"whether the rule applies cannot be decided: the {label.en} is uncertain (it applies where "
                       f"the {label.en} is {need.en})")
    return Text(zh=f"无法判定本条是否适用：{label.zh}的合理取值范围（{span.zh}）跨越适用门槛（{need.zh}）",
                en=f"whether the rule applies cannot be decided: the plausible range of the {label.en} ({span.en}) "
                   f"straddles the threshold (it applies where the {label.en} is {need.en})")
