"""What the charts say in words and numbers: which inputs make an area or count share, the
metric's levels and labels, and the figures, thresholds and gaps as the report prints them."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from types import MappingProxyType
from typing import Optional

from ..labels import OPS, compact, num
from ..labels import pick as say

# metric -> (numerator key, denominator key, numerator (zh, en), denominator (zh, en))
AREA_RATIOS = MappingProxyType({
    "pv_roof_ratio": ("pv_area_m2", "roof_area_m2", ("光伏面积", "PV area"), ("屋面面积", "Roof area")),
    "pv_suitable_ratio": ("pv_area_m2", "suitable_roof_area_m2", ("光伏面积", "PV area"),
                          ("适宜安装屋面面积", "Suitable roof area")),
})
SHARES = MappingProxyType({
    "charger_share": ("chargers", "spaces", ("充电桩", "Charging points"), ("停车位", "Parking spaces")),
    "fast_charger_share": ("fast", "chargers", ("快充桩", "Fast chargers"), ("充电桩", "Charging points")),
    "charger_ready_share": ("ready", "spaces", ("预留条件车位", "Charger-ready spaces"),
                            ("停车位", "Parking spaces")),
})
MET_WORDS = MappingProxyType({True: ("达标", "meets the requirement"),
                              False: ("未达标", "does not meet the requirement"),
                              None: ("需复核", "uncertain, for the reviewer")})
MET_SHORT = MappingProxyType({True: ("达标", "met"), False: ("未达标", "not met"), None: ("需复核", "to review")})


def sign(op: str) -> str:
    return OPS.get(op, op)


def sentence(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def title(result, zh: str, en: str, lang: str) -> str:
    return f"{result.rule} {say(zh, en, lang)}"


def holds(value: float, op: str, threshold: float) -> bool:
    return {">=": value >= threshold, ">": value > threshold, "<=": value <= threshold,
            "<": value < threshold, "==": abs(value - threshold) < 1e-9}.get(op, False)


def fmt(x: float, unit: str) -> str:
    """A measured figure as the report prints it: 1,350.00 m², 20.03%, 1.25, 4."""
    if unit == "count":
        return f"{x:,.0f}" if float(x).is_integer() else num(x)
    if unit == "%":
        return f"{num(x)}%"
    if unit in ("PUE", "level", "flag", ""):
        return num(x)
    return f"{num(x)} {unit}"


def fmt_threshold(x: float, unit: str) -> str:
    return f"{compact(x)}%" if unit == "%" else compact(x) if unit in ("PUE", "count", "") else f"{compact(x)} {unit}"


def share_of(share: float, base: float) -> float:
    """`share` % of `base`, without float noise (7 % of 100 is 7.000000000000001)."""
    return round(share / 100.0 * base, 6)


def required_count(op: str, exact: float) -> int:
    """The smallest (or, for an upper limit, largest) whole count that satisfies the exact share."""
    if op == ">=":
        return math.ceil(exact)
    if op == ">":
        return math.floor(exact) + 1
    if op == "<=":
        return math.floor(exact)
    if op == "<":
        return math.ceil(exact) - 1
    return round(exact)


def gap_words(op: str, gap: float, text: str) -> tuple[str, str]:
    """(zh, en) for the distance between the measured and the required figure."""
    if gap == 0:
        return "恰好达到要求", "exactly as required"
    if op in (">=", ">", "=="):
        return (f"缺口 {text}", f"{text} short") if gap < 0 else (f"富余 {text}", f"{text} surplus")
    return (f"超出 {text}", f"{text} over the limit") if gap > 0 else (f"余量 {text}", f"{text} under the limit")


def gap_label(op: str, gap: float, text: str, lang: str) -> str:
    zh, en = gap_words(op, gap, text)
    if lang == "both" and gap != 0:                       # 缺口 134.54 m² short: the figure once
        return f"{zh} {en.replace(text, '').strip()}"
    return say(zh, en, lang)


def level_rule_words(op: str, zh: str, en: str) -> tuple[str, str]:
    return {">=": (f"{zh}及以上", f"{en} or better"), ">": (f"高于{zh}", f"better than {en}"),
            "<=": (f"{zh}及以下", f"{en} or lower"), "<": (f"低于{zh}", f"below {en}")}.get(op, (zh, f"exactly {en}"))


def row_label(check) -> tuple[str, str]:
    """A requirement's label, with the intensity named when a rule checks several (PI-1)."""
    from ...derive.declared import INTENSITIES

    m = re.search(r"\(([a-z0-9_]+)\)$", check.label.en)
    if m and m.group(1) in INTENSITIES:
        return INTENSITIES[m.group(1)]
    return check.label.zh, check.label.en


def metric_label(check) -> tuple[str, str]:
    """The metric's own label (a requirement's label may name one of several intensities)."""
    return _spec_label(check.metric) or (check.label.zh, check.label.en)


@lru_cache(maxsize=None)
def _spec_label(metric: str) -> Optional[tuple[str, str]]:
    spec = _spec(metric)
    return (spec.label_zh, spec.label_en) if spec else None


@lru_cache(maxsize=None)
def levels(metric: str) -> tuple[tuple[float, str, str], ...]:
    """The metric's graded levels as (value, zh, en), lowest first (none for other metrics)."""
    spec = _spec(metric)
    return tuple((float(v), zh, en) for v, (zh, en) in sorted(spec.levels.items())) if spec else ()


def _spec(metric: str):
    from ...derive.metrics import metric_specs

    return metric_specs().get(metric)


def ratio_inputs(result, check, entry) -> Optional[tuple[float, float]]:
    """(numerator, base) from the result's inputs, if present and consistent with the measured
    share (a rule with several requirements merges their inputs: never chart the wrong pair)."""
    top, bottom = result.inputs.get(entry[0]), result.inputs.get(entry[1])
    if top is None or bottom is None or bottom <= 0 or check.measured is None:
        return None
    if abs(top / bottom * 100.0 - check.measured) > 0.01 + 1e-4 * abs(check.measured):
        return None
    return float(top), float(bottom)
