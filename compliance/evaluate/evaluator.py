"""Evaluate every rule for one submission: facts -> durable-rules -> frozen RuleResults.

The engine decides each status; the same branch conditions evaluated in Python must agree,
or the check stops with an EngineError (never a silent pass).
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from ..derive.metrics import Evidence, Metric, MetricSpec, joined, metric_specs
from ..errors import EngineError
from ..limits import uninterrupted
from ..read.metadata import Submission
from ..ruleset.loader import RuleSet
from ..ruleset.schema import Rule, Status, Text, _Comparison
from .compile import (
    ORDERING,
    CompiledRules,
    Subject,
    applicability,
    compile_ruleset,
    in_scope,
    make_fact,
    requirement_failed,
    requirement_met,
    where_fails,
    where_meets,
)
from .engine import Engine
from .messages import (
    GROUP_ZH,
    KIND_ZH,
    NA_EN,
    NA_ZH,
    OP_ZH,
    figure_label,
    need_text,
    range_settles,
    range_straddles,
    status_messages,
    value_source,
    where_settles,
    where_straddles,
)
from .results import Check, RuleResult

MetricFor = Callable[[Rule, _Comparison], Metric]
SubjectFor = Callable[[Rule], Subject]


def evaluate(ruleset: RuleSet, meta: Submission, metric_for: MetricFor, as_of: date,
             compiled: CompiledRules | None = None, engine: Engine | None = None,
             subject_for: SubjectFor | None = None) -> tuple[RuleResult, ...]:
    """`metric_for(rule, comparison)` gives the metric a requirement or `where` condition of a rule
    names; `subject_for(rule)` what its applicability reads (default: the submission's kind, use,
    public-institution flag and zone); `compiled` is `compile_ruleset(ruleset)`, passed in so a run
    compiles a rule set once."""
    engine = engine or Engine.shared()
    compiled = compiled or compile_ruleset(ruleset)
    default = Subject(meta.kind, meta.use or "", bool(meta.public_institution), meta.zone)
    subjects = {rule.id: subject_for(rule) if subject_for else default for rule in ruleset.rules}
    measured = {rule.id: ([finite(metric_for(rule, r)) for r in rule.requirements],
                          [finite(metric_for(rule, w)) for w in rule.applies.where])
                for rule in ruleset.rules}
    facts = {
        rule.id: make_fact(rule, subjects[rule.id], as_of=as_of, exempt=rule.id in meta.exemptions,
                           requirements=measured[rule.id][0], where=measured[rule.id][1])
        for rule in ruleset.rules
    }
    with uninterrupted():           # a time limit waits for the engine: its state is never left half-asserted
        fired = engine.run(compiled.name, compiled.durable, list(facts.values()))
    specs = metric_specs()
    results = []
    for rule in ruleset.rules:
        status, why = _decided_status(rule, compiled, facts[rule.id], fired.get(rule.id, []))
        reqs, wheres = measured[rule.id]
        results.append(_Result(rule, ruleset, meta, as_of, facts[rule.id], specs, subjects[rule.id])
                       .build(status, why, reqs, wheres))
    return tuple(results)


def finite(metric: Metric) -> Metric:
    """The metric as the engine may see it. durable-rules crashes the process on infinity and NaN
    (FIELD-NOTES.md), and a figure beyond ±10^15 is no building's: whatever its source (the readers
    refuse such numbers first: yamlio, read/metadata.py, read/ifcfile.py), a figure that is one here
    is missing data with the reason, so its rules cannot pass; an unbounded end of its plausible
    range is written as no end (None), which it means."""
    import math

    from ..numbers import shown, usable

    if metric.value is not None and not usable(metric.value):
        figure = shown(metric.value)
        why = Text(zh=f"由申报资料和模型计算所得的数值 {figure} 不是可用的数值"
                      "（非有限数或超出 ±10^15），请核对相关数据",
                   en=f"the figure computed from the submission is {figure}, which is not a usable number "
                      "(not finite, or beyond ±10^15): check the figures it rests on")
        return metric.model_copy(update={"value": None, "certain": True, "low": None, "high": None,
                                         "reasons": (*metric.reasons, why)})
    ends = {k: None for k in ("low", "high")
            if getattr(metric, k) is not None and not math.isfinite(getattr(metric, k))}
    return metric.model_copy(update=ends) if ends else metric


def _decided_status(rule: Rule, compiled: CompiledRules, fact: dict, fired: list[str]) -> tuple[Status, str]:
    """(status, which branch decided it: Branch.why)."""
    # durable-rules fires a rule once per true alternative of an $or, so the same branch may
    # come back several times; two *different* branches would be a real ambiguity.
    actions = sorted(set(fired))
    if len(actions) != 1:
        raise EngineError(f"internal: rule {rule.id} produced {len(actions)} outcomes ({actions}); "
                          "the verdict is withheld")
    reference = compiled.reference(rule.id, fact)
    if reference != actions:
        raise EngineError(f"internal: engine outcome {actions} for {rule.id} disagrees with the "
                          f"reference evaluation {reference}; the verdict is withheld")
    branch = compiled.by_action[actions[0]]
    return branch.status, branch.why


def _label(spec: MetricSpec, of=None) -> Text:
    return figure_label(spec, of)               # e.g. PI-1: which intensity; which measures


def _span(spec: MetricSpec, metric: Metric) -> Text:
    lo, hi = metric.range()
    return Text(zh=spec.show_range(lo, hi, "zh"), en=spec.show_range(lo, hi, "en"))


def _need(spec: MetricSpec, c) -> Text:
    return need_text(c.op, Text(zh=spec.show(c.number, "zh"), en=spec.show(c.number, "en")))


def _check(rule: Rule, i: int, metric: Metric, spec: MetricSpec, fact: dict) -> Check:
    """Requirement i as measured; `met` True or False only when decided over the figure's whole
    plausible range (the same conditions the engine decides on), None otherwise."""
    req = rule.requirements[i]
    met = True if requirement_met(rule, i).holds(fact) else False if requirement_failed(rule, i).holds(fact) else None
    label = _label(spec, req.of)
    doubt: dict = {}
    if metric.value is not None and not metric.certain:
        low, high = metric.range()
        doubt = dict(certain=False, plausible_low=low, plausible_high=high,
                     plausible_text=Text(zh=spec.show_range(low, high, "zh"), en=spec.show_range(low, high, "en")))
    return Check(metric=req.metric, label=label, measured=metric.value,
                 measured_text=Text(zh=spec.show(metric.value, "zh"), en=spec.show(metric.value, "en")),
                 operator=req.op, threshold=req.number,
                 threshold_text=Text(zh=spec.show(req.number, "zh"), en=spec.show(req.number, "en")),
                 unit=req.unit, parameter=req.param, basis=metric.basis, met=met,
                 source=value_source(req.metric, metric), **doubt)


class _Result:
    """Builds one RuleResult from a decided status and the metrics behind it."""

    def __init__(self, rule: Rule, ruleset: RuleSet, meta: Submission, as_of: date, fact: dict,
                 specs: dict[str, MetricSpec], subject: Subject) -> None:
        self.rule, self.ruleset, self.meta, self.as_of, self.fact = rule, ruleset, meta, as_of, fact
        self.specs, self.subject = specs, subject

    def build(self, status: Status, why: str, reqs: list[Metric], wheres: list[Metric]) -> RuleResult:
        rule, meta = self.rule, self.meta
        kind_setting = self.ruleset.settings.kinds[rule.kind]
        undetermined = why == "where_missing"          # a size figure that decides applicability is missing
        straddles = why == "where_doubt"               # ... is known, but its plausible range straddles the threshold
        applicable = status != "not_applicable" and not undetermined
        exempt = rule.id in meta.exemptions
        checks = tuple(_check(rule, i, m, self.specs[r.metric], self.fact)
                       for i, (r, m) in enumerate(zip(rule.requirements, reqs)))
        reasons: tuple[Text, ...] = ()
        evidence: list[Evidence] = []
        if undetermined:
            for w, m in zip(rule.applies.where, wheres):
                if m.value is None:
                    spec = self.specs[w.metric]
                    reasons += tuple(Text(zh=f"本条是否适用取决于{spec.label_zh}：{r.zh}",
                                          en=f"whether the rule applies depends on the {spec.label_en}: {r.en}")
                                     for r in m.reasons)
                    evidence += m.evidence
        elif applicable:
            where_notes = self._where_notes(wheres)
            reasons = tuple(dict.fromkeys([*where_notes, *(r for m in reqs for r in m.reasons),
                                           *self._requirement_notes(reqs, checks)]))
            evidence = [e for m in wheres for e in m.evidence] if straddles else []
            evidence += [e for m in reqs for e in m.evidence]
            evidence += [] if straddles else [e for m in wheres for e in m.evidence]
            if exempt:
                ex = meta.exemptions[rule.id]
                reasons += (Text(zh=f"设计单位申请豁免：「{ex.reason}」"
                                    + (f"（依据文件：「{ex.document}」）" if ex.document else ""),
                                 en=f"the designer claims an exemption: {ex.reason}"
                                    + (f" (document: {ex.document})" if ex.document else "")),)
                evidence.append(Evidence(source="metadata", file="submission.yaml",
                                         fields=(f"exemptions.{rule.id}",), detail=ex.reason))
        elif in_scope(self.rule, self.ruleset, self.subject, self.as_of):   # n/a by a size figure: was it doubtful?
            reasons = tuple(dict.fromkeys(self._where_notes(wheres)))
            evidence = [e for m in wheres if not m.certain for e in m.evidence]
        adopted = {i: ([m for m in r.of if m in meta.measures], tuple(r.of)) for i, r in enumerate(rule.requirements)
                   if r.metric == "measures_adopted" and meta.measures is not None
                   and r.of is not None}                # always: the loader refuses measures_adopted without `of`
        en, zh = status_messages(rule, status, checks=checks, reasons=reasons, adopted=adopted,
                                 blocks=kind_setting.blocks, kind=kind_setting,
                                 na=self._not_applicable(wheres) if status == "not_applicable" else ([], []))
        first = checks[0]
        lacking = [r for r, m in zip(rule.requirements, reqs) if m.value is None] or list(rule.requirements)
        spec = self.specs[lacking[0].metric]
        return RuleResult(
            rule=rule.id, rule_version=rule.ref, title=rule.title, clause=rule.clause, kind=rule.kind,
            kind_label=kind_setting.label, kind_explanation=kind_setting.explanation, blocks=kind_setting.blocks,
            status=status, status_label=kind_setting.statuses.get(status),
            falls_short=not kind_setting.blocks and status in kind_setting.shortfall,
            measured=first.measured if applicable else None, threshold=first.threshold,
            operator=first.operator, unit=first.unit, basis=first.basis if applicable else None,
            message=en, message_zh=zh, reasons=reasons,
            computation=joined(m.computation for m in reqs) if applicable else None,
            inputs={k: v for m in reqs for k, v in m.inputs.items()} if applicable else {},
            evidence=tuple(evidence),
            checks=checks if applicable else tuple(c.model_copy(update={"measured": None, "met": None, "certain": True,
                                                                        "plausible_low": None, "plausible_high": None,
                                                                        "plausible_text": None,
                                                                        "measured_text": Text(zh="—", en="—")})
                                                   for c in checks),
            remedy=None if not kind_setting.blocks and status not in kind_setting.shortfall else
            _remedy(rule, status, spec, exempt=exempt and not straddles, undetermined=undetermined,
                    where_spec=self._missing_where_spec(wheres)),
            interpretation=rule.interpretation,
        )

    def _where_notes(self, wheres: list[Metric]) -> list[Text]:
        """For each uncertain `where` figure: its reasons, then whether its plausible range decides
        applicability (the whole range on one side of the threshold) or straddles it."""
        out: list[Text] = []
        for j, (w, m) in enumerate(zip(self.rule.applies.where, wheres)):
            if m.value is None or m.certain:
                continue
            spec = self.specs[w.metric]
            label, need = _label(spec, w.of), _need(spec, w)
            if where_meets(self.rule, j).holds(self.fact) or where_fails(self.rule, j).holds(self.fact):
                note = where_settles(label, _span(spec, m), need, applies=where_meets(self.rule, j).holds(self.fact))
            else:
                note = where_straddles(label, _span(spec, m) if w.op in ORDERING else None, need)
            out += [note, *m.reasons]
        return out

    def _requirement_notes(self, reqs: list[Metric], checks: tuple[Check, ...]) -> list[Text]:
        """For each requirement on an uncertain figure with a known range: whether that range
        decides it (so the doubt does not change the outcome) or straddles the threshold."""
        out: list[Text] = []
        for r, m, c in zip(self.rule.requirements, reqs, checks):
            if m.value is None or m.certain:
                continue
            spec = self.specs[r.metric]
            if c.met is not None:
                out.append(range_settles(c.label, _span(spec, m), _need(spec, r), c.met))
            elif m.bounded and r.op in ORDERING:
                out.append(range_straddles(c.label, _span(spec, m), _need(spec, r)))
        return out

    def _missing_where_spec(self, wheres: list[Metric]):
        for w, m in zip(self.rule.applies.where, wheres):
            if m.value is None:
                return self.specs[w.metric]
        return None

    def _not_applicable(self, wheres: list[Metric]) -> tuple[list[str], list[str]]:
        """Why the rule does not apply, in English and Chinese."""
        rule, meta, fact = self.rule, self.meta, self.fact
        a = rule.applies
        settings = self.ruleset.settings
        either = [_alt_text(alt, settings) for alt in a.either]
        use = self.subject.use
        ctx = {"kinds": "/".join(a.kind or []), "kind": meta.kind, "use": use, "pi": a.public_institution,
               "kinds_zh": "/".join(KIND_ZH[k] for k in a.kind or []), "kind_zh": KIND_ZH[meta.kind],
               "use_zh": settings.uses[use].label.zh if use in settings.uses else use,
               "pi_zh": "公共机构" if a.public_institution else "非公共机构",
               "zones": ", ".join(settings.zones[z].en for z in a.zone_list or []),
               "zones_zh": "、".join(settings.zones[z].zh for z in a.zone_list or []),
               "frm": a.effective_from, "until": a.effective_until, "as_of": self.as_of,
               "either": " or ".join(t.en for t in either), "either_zh": "或".join(t.zh for t in either)}
        parts = [part for part, cond in applicability(rule, self.ruleset) if not cond.holds(fact)]
        en = [NA_EN[p].format(**ctx) for p in parts]
        zh = [NA_ZH[p].format(**ctx) for p in parts]
        for j, (w, m) in enumerate(zip(a.where, wheres)):
            if where_fails(rule, j).holds(fact):
                spec = self.specs[w.metric]
                span = _span(spec, m) if not m.certain else None
                en.append(f"applies where the {spec.label_en} is {w.op} {spec.show(w.number)}; "
                          f"here it is {spec.show(m.value)}" + (f" (plausible range {span.en})" if span else ""))
                zh.append(f"适用于{spec.label_zh}{OP_ZH[w.op]}{spec.show(w.number, 'zh')}的项目，"
                          f"本项目为{spec.show(m.value, 'zh')}" + (f"（合理取值范围 {span.zh}）" if span else ""))
        return en, zh


def _alt_text(alt, settings) -> Text:
    """One way a rule can apply (an `either` alternative), as a reader says it."""
    bits, bits_zh = [], []
    if alt.use is not None or alt.use_group is not None:
        bits.append("/".join(alt.use) if alt.use else f"{alt.use_group} buildings")
        bits_zh.append("、".join(settings.uses[u].label.zh if u in settings.uses else u for u in alt.use) if alt.use
                       else GROUP_ZH.get(alt.use_group, f"{alt.use_group} 类建筑"))
    if alt.public_institution is not None:
        bits.append("public institutions" if alt.public_institution else "non-public-institutions")
        bits_zh.append("公共机构" if alt.public_institution else "非公共机构")
    return Text(zh=bits_zh[0] + "".join(f"（{b}）" for b in bits_zh[1:]), en=" ".join(bits))


REVIEW_REMEDY = Text(
    zh="由审核人判断：请逐条处理上述原因——修正模型中所列构件或申报信息（submission.yaml），或随申报材料提供计算书、经核实的数量。",
    en="A reviewer decides: resolve each reason above — correct the listed model elements or the submission "
       "metadata (submission.yaml), or file calculations or verified quantities that settle it.")
EXEMPTION_REMEDY = Text(
    zh="由审核人判断豁免申请：请随申报材料提供豁免依据文件；若豁免不成立，本条按实测值判定。",
    en="A reviewer judges the claimed exemption: file the documents that ground it; if it is not accepted, "
       "the rule is judged on the measured figures.")


def _remedy(rule: Rule, status: str, spec: MetricSpec, exempt: bool, undetermined: bool = False,
            where_spec: MetricSpec | None = None) -> Text | None:
    if status == "fail":
        return rule.remedy
    if status == "missing_data":
        hint = where_spec if undetermined and where_spec is not None else spec
        return Text(zh=hint.data_hint_zh, en=hint.data_hint_en) if hint.data_hint_en else REVIEW_REMEDY
    if status == "manual_review":
        return EXEMPTION_REMEDY if exempt else REVIEW_REMEDY
    return None
