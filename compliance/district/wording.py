"""The district report's words: the basis of each target and its figures, in Chinese and English.

Only names a reader knows go into the Chinese: use classes by their labels (rules/_settings.yaml),
kinds as 新建 / 改造, conditions as ≥ / >; no field or code name.
"""

from __future__ import annotations

from ..text import Text
from .targets import LABELS, UNITS, Target, Where

KIND = {"new": Text(zh="新建", en="new"), "retrofit": Text(zh="改造", en="retrofit")}
GROUP = {"public": Text(zh="公共建筑", en="public buildings"), "civil": Text(zh="民用建筑", en="civil buildings"),
         "industrial": Text(zh="工业建筑", en="industrial buildings")}
OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
FLAG = {"green_mall": Text(zh="已采用", en="adopted"), "public_institution": Text(zh="是", en="yes")}
ENERGY_CLASS = {0: Text(zh="无", en="none"), 1: Text(zh="超低能耗", en="ultra-low-energy"),
                2: Text(zh="近零能耗", en="nearly-zero-energy"), 3: Text(zh="零能耗", en="zero-energy")}


def use_label(use: str, labels: dict[str, Text]) -> Text:
    return labels.get(use) or Text(zh=use, en=use)


def _n(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def figure_text(value: float, unit: str) -> Text:
    """A figure with its unit: '120,000 m²', '15%', '40 个' / '40'."""
    if unit == "%":
        return Text(zh=f"{_n(value)}%", en=f"{_n(value)}%")
    if unit in ("count", "flag", "level"):
        return Text(zh=_n(value) + (" 个" if unit == "count" else ""), en=_n(value))
    return Text(zh=f"{_n(value)} {unit}", en=f"{_n(value)} {unit}")


def condition_text(figure: str, op: str, value: float) -> Text:
    """'改造节能率 ≥ 15%', '建筑能效等级不低于超低能耗', '已采用绿色商场改造'."""
    label = LABELS[figure]
    if figure in FLAG and op in (">=", "==") and value == 1:
        return Text(zh=f"{label.zh}：{FLAG[figure].zh}", en=f"{label.en}: {FLAG[figure].en}")
    if figure == "energy_class" and op == ">=" and int(value) == value and int(value) in ENERGY_CLASS:
        level = ENERGY_CLASS[int(value)]
        return Text(zh=f"{label.zh}不低于{level.zh}", en=f"{label.en} at least {level.en}")
    shown = figure_text(value, UNITS[figure])
    return Text(zh=f"{label.zh} {OPS[op]} {shown.zh}", en=f"{label.en} {OPS[op]} {shown.en}")


def _scope(w: Where, labels: dict[str, Text]) -> tuple[list[str], list[str]]:
    zh, en = [], []
    if w.kind:
        zh.append("、".join(KIND[k].zh for k in w.kind) + "项目")
        en.append(", ".join(KIND[k].en for k in w.kind))
    if w.uses:
        zh.append("用途为" + "、".join(use_label(u, labels).zh for u in w.uses))
        en.append("use " + ", ".join(use_label(u, labels).en for u in w.uses))
    if w.groups:
        zh.append("属于" + "、".join(GROUP.get(g, Text(zh=g, en=g)).zh for g in w.groups))
        en.append("among " + ", ".join(GROUP.get(g, Text(zh=g, en=g)).en for g in w.groups))
    if w.public_institution is not None:
        zh.append("公共机构" if w.public_institution else "非公共机构")
        en.append("public institutions" if w.public_institution else "not public institutions")
    if w.min_gross_floor_area_m2 is not None:
        zh.append(f"总建筑面积不小于 {w.min_gross_floor_area_m2:,.0f} m²")
        en.append(f"gross floor area of at least {w.min_gross_floor_area_m2:,.0f} m²")
    if w.any_of:
        alts = [_scope(alt, labels) for alt in w.any_of]
        zh.append("（" + "；或".join("，".join(z) for z, _ in alts) + "）")
        en.append("(" + "; or ".join(", ".join(e) for _, e in alts) + ")")
    if w.not_uses:
        zh.append("不含用途为" + "、".join(use_label(u, labels).zh for u in w.not_uses) + "的项目")
        en.append("excluding use " + ", ".join(use_label(u, labels).en for u in w.not_uses))
    return zh, en


def basis_text(t: Target, labels: dict[str, Text] | None = None) -> Text:
    """What is added up and which submissions count, in both languages."""
    labels = labels or {}
    scope_zh, scope_en = _scope(t.where, labels)
    zh = [f"{t.period.start} 至 {t.period.end} 申报且最近一次核查合规的项目"] + scope_zh
    en = [f"approved submissions (latest check compliant) filed {t.period.start} – {t.period.end}"] + scope_en
    label = LABELS[t.figure]
    cond = condition_text(t.only_if.figure, t.only_if.op, t.only_if.value) if t.only_if else None
    if t.measure == "sum":
        head_zh, head_en = f"{label.zh}之和", f"sum of {label.en}"
    elif t.measure == "share":
        assert cond is not None             # a share has its only_if (Target._consistent)
        head_zh = f"{cond.zh}的项目之{label.zh}占全部的比例"
        head_en = f"share of {label.en} where {cond.en}"
        cond = None
    elif t.measure == "ratio":
        assert t.over is not None           # a ratio has its denominator (Target._consistent)
        over = LABELS[t.over]
        head_zh, head_en = f"{label.zh}之和 ÷ {over.zh}之和", f"sum of {label.en} ÷ sum of {over.en}"
    else:
        assert t.weight is not None         # a weighted measure has its weight (Target._consistent)
        w = LABELS[t.weight]
        head_zh = f"按{w.zh}加权的{label.zh}：Σ（{label.zh} × {w.zh}）÷ Σ {w.zh}"
        head_en = f"{label.en} weighted by {w.en}: Σ({label.en} × {w.en}) ÷ Σ {w.en}"
    if cond is not None:
        head_zh += f"（仅计{cond.zh}的项目）"
        head_en += f" (only where {cond.en})"
    return Text(zh=f"{head_zh}；范围：" + "，".join(zh), en=f"{head_en}; over " + ", ".join(en))
