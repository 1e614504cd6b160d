"""Plain-language messages (zh and en) for each status, built from result data.

The Chinese reads as a finding of a district construction administration: each figure is said as a
sentence with the kind of value it is (实测值 measured from the models, 设计值 stated by the
designer, 申报值 declared or filed), flags say the fact, measures are named, and requirements are
quoted as values ("满足“不低于30%”的要求"), never as field names or parameters."""

from __future__ import annotations

from typing import Optional

from ..read.metadata import MEASURE_LABELS as MEASURES
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
    "kind": "本条仅适用于{kinds_zh}项目，本项目为{kind_zh}项目",
    "use": "本条不适用于{use_zh}",
    "either": "本条仅适用于{either_zh}",
    "public_institution": "本条仅适用于{pi_zh}",
    "zone": "本条仅适用于{zones_zh}区域",
    "effective_from": "本条自{frm}起执行，本次核查基准日为{as_of}",
    "effective_until": "本条执行至{until}，本次核查基准日为{as_of}",
}

# --------------------------------------------------------------------------- what kind of value a figure is

# Figures the designer states for the design (not measured, not an as-built or operating record).
DESIGN_FIGURES = frozenset({"pue", "renewable_substitution_rate", "retrofit_energy_saving", "energy_class",
                            "green_star"})
SOURCE: dict[str, tuple[str, str]] = {            # Check.source -> (zh, en) name of the value
    "model": ("实测值", "measured from the models"),
    "design": ("设计值", "design figure"),
    "declared": ("申报值", "declared figure"),
    "model_and_declared": ("依据模型及申报资料", "from the models and the declared figures"),
}


def value_source(metric_name: str, metric) -> Optional[str]:
    """Which kind of value a metric's figure is, from where its evidence lies: the models alone
    (实测值), the submission alone (设计值 for design figures, 申报值 otherwise), or both."""
    if metric.value is None:
        return None
    sources = {e.source for e in metric.evidence}
    if "ifc" in sources and "metadata" in sources:
        return "model_and_declared"
    if "metadata" in sources:
        return "design" if metric_name in DESIGN_FIGURES else "declared"
    return "model"


# --------------------------------------------------------------------------- how a figure is named

INTENSITY: dict[str, tuple[str, str]] = {       # operation_reduction `of`: the plan's own words
    "energy_per_m2": ("单位建筑面积能耗", "energy use per floor area"),
    "energy_per_capita": ("人均能耗", "energy use per person"),
    "water_per_capita": ("人均水耗", "water use per person"),
    "carbon_per_m2": ("单位建筑面积碳排放", "carbon emissions per floor area"),
}
COUNT_WORD = {"renewable_types": ("种", "type(s)"), "measures_adopted": ("项", "measure(s)"),
              "parking_spaces": ("个", "space(s)"), "charging_points": ("个", "charging point(s)")}
# A yes/no figure said as the fact: metric -> ((yes zh, no zh), (yes en, no en), what the rule asks, zh and en)
FLAG_FACT = {
    "energy_audit_on_file": (("已开展能源审计和节能诊断，并提交审计报告", "未提交能源审计和节能诊断报告"),
                             ("an energy audit and energy-saving diagnosis is on file",
                              "no energy audit or energy-saving diagnosis is on file"),
                             ("本条要求开展能源审计和节能诊断", "the rule asks for an energy audit and diagnosis")),
}


def measure_names(ids, lang: str = "zh") -> str:
    """Measures as a reader names them: 光伏建筑一体化（BIPV）、“光储直柔”建筑."""
    pick = (lambda t: t.zh) if lang == "zh" else (lambda t: t.en)
    return ("、" if lang == "zh" else ", ").join(pick(MEASURES[m]) if m in MEASURES else m for m in ids)


def figure_label(spec, of=None) -> Text:
    """What a requirement measures, named for this rule: which intensity, which measures."""
    of = tuple(of or ())
    if spec.name == "operation_reduction" and len(of) == 1 and of[0] in INTENSITY:
        zh, en = INTENSITY[of[0]]
        return Text(zh=f"{zh}较2020年下降率", en=f"reduction of {en} vs 2020")
    if spec.name == "measures_adopted" and of:
        return Text(zh=f"已采用措施数（{measure_names(of)}）", en=f"measures adopted ({measure_names(of, 'en')})")
    if of and "of" in spec.params:
        return Text(zh=f"{spec.label_zh}（{measure_names(of)}）", en=f"{spec.label_en} ({', '.join(of)})")
    return Text(zh=spec.label_zh, en=spec.label_en)


# --------------------------------------------------------------------------- sentences

def _need(c, lang: str) -> str:
    """The requirement as a value: '不低于30%', '至少1种', '基本级及以上'."""
    thr = getattr(c.threshold_text, lang)
    if lang == "zh":
        word = COUNT_WORD.get(c.metric, ("", ""))[0]
        if c.unit == "level" and c.operator == ">=":
            return f"{thr}及以上"
        if word and c.operator == ">=":
            return f"至少{'采用' if c.metric == 'measures_adopted' else ''}{thr}{word}"
        return f"{OP_ZH[c.operator]}{thr}{word}"
    return f"{OP_EN[c.operator]} {thr}".strip()


def _fact(c, adopted, lang: str) -> str:
    """What the figure is, said as a fact, with the kind of value it is."""
    zh = lang == "zh"
    value = getattr(c.measured_text, lang)
    src = SOURCE.get(c.source or "", ("", ""))
    if c.metric in FLAG_FACT and c.measured in (0.0, 1.0):
        return FLAG_FACT[c.metric][0 if zh else 1][0 if c.measured else 1]
    if c.metric == "measures_adopted" and adopted is not None:
        found, listed = adopted
        names = measure_names(found, lang)
        if zh:
            return f"申报已采用{names}{'' if len(found) == 1 and c.threshold <= 1 else f'共{len(found)}项措施'}" \
                if found else f"申报未采用本条所列措施（{measure_names(listed)}）"
        return f"the submission adopts {names}" if found else \
            f"the submission adopts none of the listed measures ({measure_names(listed, 'en')})"
    if c.metric == "operation_reduction" and c.measured is not None:
        what = c.label.zh.removesuffix("下降率") if zh else c.label.en
        if zh:
            change = f"下降{value}" if c.measured >= 0 else f"上升{value.lstrip('-')}"
            return f"{what}{change}（{src[0]}）"
        return f"{what} is {value} ({src[1]})"
    if zh:
        word = COUNT_WORD.get(c.metric, ("", ""))[0] if c.measured is not None else ""
        return f"{c.label.zh}{src[0]}为{value}{word}" if src[0].endswith("值") else \
            f"{c.label.zh}为{value}{word}" + (f"（{src[0]}）" if src[0] else "")
    return f"the {c.label.en} is {value}" + (f" ({src[1]})" if src[1] else "")


def _quoted_need(c, lang: str) -> str:
    if c.metric in FLAG_FACT:
        return ""
    if c.metric == "operation_reduction":
        return f"“降幅{_need(c, 'zh')}”" if lang == "zh" else _need(c, "en")
    return f"“{_need(c, 'zh')}”" if lang == "zh" else _need(c, "en")


def _sentence(c, adopted, lang: str, met: Optional[bool]) -> str:
    """One requirement as a sentence: the fact, then whether it meets the requirement."""
    fact, need = _fact(c, adopted, lang), _quoted_need(c, lang)
    if lang == "zh":
        if c.metric in FLAG_FACT:
            return fact if met is not False else f"{fact}，{FLAG_FACT[c.metric][2][0]}"
        if c.metric == "measures_adopted" and "、" not in c.label.zh and met is not None:
            return fact                              # one measure listed: adopted or not says it all
        if met is None:
            return f"{fact}，要求{need.strip('“”')}"
        return f"{fact}，{'满足' if met else '未满足'}{need}的要求"
    if c.metric in FLAG_FACT:
        return fact if met is not False else f"{fact}; {FLAG_FACT[c.metric][2][1]}"
    if met is None:
        return f"{fact}; required: {need}"
    return f"{fact}, which {'meets' if met else 'does not meet'} the requirement ({need})"


def _figures(checks, adopted, lang: str, met: Optional[bool] = None) -> str:
    sep = "；" if lang == "zh" else "; "
    return sep.join(_sentence(c, adopted.get(i), lang, c.met if met is None else met)
                    for i, c in enumerate(checks))


def _not_taken_up(checks, adopted, kind: str) -> tuple[str, str]:
    """An encouraged item not taken up, or a target not reached: the fact and what the rule
    encourages or aims at — in words that are not a failure."""
    zh, en = [], []
    for i, c in enumerate(checks):
        fact_zh, fact_en = _fact(c, adopted.get(i), "zh"), _fact(c, adopted.get(i), "en")
        need = _need(c, "zh")
        if c.metric == "measures_adopted" or c.metric in FLAG_FACT:
            zh.append(fact_zh)
        elif kind == "encouraged":
            zh.append(f"{fact_zh}，本条鼓励{'达到' if c.unit == 'level' else ''}{need}")
        else:
            zh.append(f"{fact_zh}，目标为{'达到' if c.unit == 'level' else ''}{need}")
        en.append(f"{fact_en} ({'encouraged' if kind == 'encouraged' else 'target'}: {_need(c, 'en')})")
    return "；".join(zh), "; ".join(en)


NOT_OP_ZH = {">=": "低于", ">": "不高于", "<=": "高于", "<": "不低于", "==": "不为"}
NOT_OP_EN = {">=": "less than", ">": "at most", "<=": "more than", "<": "at least", "==": "not"}


def _compared(checks, adopted, lang: str) -> str:
    """Each figure and how it stands against the threshold, as plain fact: '改造节能率设计值为10%，低于15%'."""
    out = []
    for i, c in enumerate(checks):
        fact, thr = _fact(c, adopted.get(i), lang), getattr(c.threshold_text, lang)
        if c.metric in FLAG_FACT or c.metric == "measures_adopted" or c.met is None:
            out.append(fact)
        elif lang == "zh":
            out.append(f"{fact}，{OP_ZH[c.operator] if c.met else NOT_OP_ZH[c.operator]}{thr}")
        else:
            out.append(f"{fact}, {OP_EN[c.operator] if c.met else NOT_OP_EN[c.operator]} {thr}".replace("  ", " "))
    return ("；" if lang == "zh" else "; ").join(out)


def _kind_message(template: Text, rule: Rule, checks, adopted) -> tuple[str, str]:
    """(en, zh) from the kind's sentence in the rule-set settings (a tally: 计入 / 不计入 ...)."""
    ct = rule.counts_toward
    words = {lang: dict(figures=_compared(checks, adopted, lang), what=getattr(ct.what, lang) if ct else "",
                        toward=getattr(ct.toward, lang) if ct else "") for lang in ("zh", "en")}
    en = template.en.format(**words["en"])
    return en[:1].upper() + en[1:], template.zh.format(**words["zh"])


def status_messages(rule: Rule, status: str, *, checks, reasons: tuple[Text, ...],
                    na: tuple[list[str], list[str]], adopted: Optional[dict] = None,
                    blocks: bool = True, kind=None) -> tuple[str, str]:
    """(en, zh). `adopted`: for a measures requirement (by index into checks), the measures the
    submission adopts of those the rule lists; `blocks`: whether the rule's kind affects the verdict
    (a fail that does not is an encouraged item not taken up, or a target not reached); `kind`: the
    kind's settings, whose `messages` give the sentence for a status where they have one."""
    adopted = adopted or {}
    why, why_zh = "; ".join(r.en for r in reasons), "；".join(r.zh for r in reasons)
    if kind is not None and status in kind.messages:          # the kind's own sentence (a tally)
        return _kind_message(kind.messages[status], rule, checks, adopted)
    if status == "pass":
        return (f"Meets the requirement: {_figures(checks, adopted, 'en')}.",
                f"符合要求：{_figures(checks, adopted, 'zh')}。")
    if status == "fail":
        failing = [c for c in checks if c.met is False] or list(checks)
        idx = {id(c): i for i, c in enumerate(checks)}
        picked = {j: adopted.get(idx[id(c)]) for j, c in enumerate(failing)}
        if blocks:
            return (f"Does not meet the requirement: {_figures(failing, picked, 'en', False)}.",
                    f"不符合要求：{_figures(failing, picked, 'zh', False)}。")
        zh, en = _not_taken_up(failing, picked, rule.kind)
        if rule.kind == "encouraged":
            return (f"Encouraged, not taken up: {en}. This does not affect the overall verdict.",
                    f"鼓励性事项，本项目未采用：{zh}。本条为鼓励性条款，不影响总体结论。")
        return (f"Target not reached: {en}. This does not affect the overall verdict.",
                f"目标性事项，本项目尚未达到：{zh}。本条为目标性条款，不影响总体结论。")
    if status == "not_applicable":
        na_en, na_zh = na
        return (f"Not applicable: {'; '.join(na_en) or 'not applicable'}.",
                f"不适用：{'；'.join(na_zh) or '本条不适用'}。")
    if status == "missing_data":
        return f"Cannot be checked, data missing: {why}.", f"资料不全，无法核查：{why_zh}。"
    return (f"A reviewer must decide ({_figures(checks, adopted, 'en', None)}): {why}.",
            f"需人工复核（{_figures(checks, adopted, 'zh', None)}）：{why_zh}。")


# --------------------------------------------------------------------------- doubt that decides (or not)

def need_text(op: str, threshold: Text) -> Text:
    """'at least 30%' / '不低于30%'."""
    return Text(zh=f"{OP_ZH[op]}{threshold.zh}", en=f"{OP_EN[op]} {threshold.en}".strip())


def range_settles(label: Text, span: Text, need: Text, met: bool) -> Text:
    """A requirement decided over the whole plausible range of an uncertain figure."""
    return Text(zh=f"{label.zh}的合理取值范围（{span.zh}）内均{'' if met else '不'}满足“{need.zh}”的要求，存疑不影响结论",
                en=f"over the whole plausible range of the {label.en} ({span.en}) the requirement ({need.en}) is "
                   f"{'' if met else 'not '}met, so the doubt does not change the outcome")


def range_straddles(label: Text, span: Text, need: Text) -> Text:
    """A requirement an uncertain figure's plausible range straddles: a reviewer decides."""
    return Text(zh=f"{label.zh}的合理取值范围（{span.zh}）跨越“{need.zh}”的要求：其中部分取值满足、部分不满足",
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
