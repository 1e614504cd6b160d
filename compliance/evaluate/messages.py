"""Plain-language messages (zh and en) for each status, built from result data."""

from __future__ import annotations

from ..ruleset.schema import Rule

_OP_ZH = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "等于"}
_OP_EN = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "==": "exactly"}

_NA_EN = {
    "kind": "applies to {kinds} projects; this one is '{kind}'",
    "use": "does not apply to use class '{use}'",
    "public_institution": "applies only where public_institution is {pi}",
    "zone": "applies only in zones {zones}",
    "effective_from": "in force from {frm}; judged as of {as_of}",
    "effective_until": "in force until {until}; judged as of {as_of}",
}
_NA_ZH = {
    "kind": "仅适用于{kinds}项目，本项目为“{kind}”",
    "use": "不适用于用途“{use}”",
    "public_institution": "仅适用于公共机构标志为 {pi} 的项目",
    "zone": "仅适用于区域 {zones}",
    "effective_from": "自 {frm} 起施行，本次核查日期为 {as_of}",
    "effective_until": "施行至 {until}，本次核查日期为 {as_of}",
}


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}".rstrip("0").rstrip(".")


def status_messages(rule: Rule, status: str, *, label_en: str, label_zh: str, measured: float | None,
                    reasons: tuple[str, ...], na_parts: list[str], context: dict) -> tuple[str, str]:
    req = rule.requires
    unit = req.unit
    need_en = f"{_OP_EN[req.op]} {_num(req.value)} {unit}"
    need_zh = f"{_OP_ZH[req.op]}{_num(req.value)}{unit}"
    why = "; ".join(reasons)
    label_en = label_en[:1].upper() + label_en[1:]
    if status == "pass":
        return (f"{label_en} is {_num(measured)} {unit}: meets the requirement of {need_en}.",
                f"{label_zh}为{_num(measured)}{unit}，满足{need_zh}的要求。")
    if status == "fail":
        return (f"{label_en} is {_num(measured)} {unit}: below the required {need_en}.",
                f"{label_zh}为{_num(measured)}{unit}，未达到{need_zh}的要求。")
    if status == "not_applicable":
        en = "; ".join(_NA_EN[p].format(**context) for p in na_parts) or "not applicable"
        zh = "；".join(_NA_ZH[p].format(**context) for p in na_parts) or "不适用"
        return f"Not applicable: {en}.", f"不适用：{zh}。"
    if status == "missing_data":
        return (f"Cannot be checked, data missing: {why}.", f"数据缺失，无法核查：{why}。")
    return (f"A reviewer must decide ({label_en} {_num(measured)} {unit}, required {need_en}): {why}.",
            f"需人工复核（{label_zh}{_num(measured)}{unit}，要求{need_zh}）：{why}。")
