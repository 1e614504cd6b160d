"""Evaluate every rule for one submission: facts -> durable-rules -> frozen RuleResults.

The engine decides each status; the same branch conditions evaluated in Python must agree,
or the check stops with an EngineError (never a silent pass).
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from ..derive.metrics import Evidence, Metric, MetricSpec, metric_specs
from ..errors import EngineError
from ..read.metadata import Submission
from ..ruleset.loader import RuleSet
from ..ruleset.schema import Rule, Text
from .compile import CompiledRules, applicability, compile_ruleset, make_fact
from .engine import Engine
from .messages import status_messages
from .results import RuleResult


def evaluate(ruleset: RuleSet, meta: Submission, metric_for: Callable[[Rule], Metric],
             as_of: date, compiled: CompiledRules | None = None,
             engine: Engine | None = None) -> tuple[RuleResult, ...]:
    """`compiled` is `compile_ruleset(ruleset)`, passed in so a run compiles a rule set once."""
    engine = engine or Engine.shared()
    compiled = compiled or compile_ruleset(ruleset)
    specs = metric_specs()
    metrics = {rule.id: metric_for(rule) for rule in ruleset.rules}
    facts = {
        rule.id: make_fact(rule, kind=meta.kind, use=meta.use, public_institution=meta.public_institution,
                           zone=meta.zone, as_of=as_of, exempt=rule.id in meta.exemptions,
                           value=metrics[rule.id].value, certain=metrics[rule.id].certain)
        for rule in ruleset.rules
    }
    fired = engine.run(compiled.name, compiled.durable, list(facts.values()))
    results = []
    for rule in ruleset.rules:
        status = _decided_status(rule, compiled, facts[rule.id], fired.get(rule.id, []))
        results.append(_result(rule, ruleset, status, metrics[rule.id], specs[rule.requires.metric],
                               meta, as_of, facts[rule.id]))
    return tuple(results)


def _decided_status(rule: Rule, compiled: CompiledRules, fact: dict, fired: list[str]) -> str:
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
    return compiled.by_action[actions[0]].status


def _result(rule: Rule, ruleset: RuleSet, status: str, metric: Metric, spec: MetricSpec,
            meta: Submission, as_of: date, fact: dict) -> RuleResult:
    kind_setting = ruleset.settings.kinds[rule.kind]
    applicable = status != "not_applicable"
    reasons = tuple(metric.reasons) if applicable else ()
    evidence = list(metric.evidence) if applicable else []
    if applicable and rule.id in meta.exemptions:
        ex = meta.exemptions[rule.id]
        reasons += (f"the designer claims an exemption: {ex.reason}"
                    + (f" (document: {ex.document})" if ex.document else ""),)
        evidence.append(Evidence(source="metadata", file="submission.yaml",
                                 fields=(f"exemptions.{rule.id}",), detail=ex.reason))
    na_parts = [part for part, cond in applicability(rule, ruleset) if not cond.holds(fact)]
    context = {
        "kinds": "/".join(rule.applies.kind or []), "kind": meta.kind, "use": meta.use,
        "pi": rule.applies.public_institution, "zones": ", ".join(rule.applies.zones or []),
        "frm": rule.applies.effective_from, "until": rule.applies.effective_until, "as_of": as_of,
    }
    en, zh = status_messages(rule, status, label_en=spec.label_en, label_zh=spec.label_zh,
                             measured=metric.value if applicable else None, reasons=reasons,
                             na_parts=na_parts, context=context)
    return RuleResult(
        rule=rule.id, rule_version=rule.ref, title=rule.title, clause=rule.clause, kind=rule.kind,
        kind_label=kind_setting.label, blocks=kind_setting.blocks, status=status,
        measured=metric.value if applicable else None, threshold=rule.requires.value,
        operator=rule.requires.op, unit=rule.requires.unit, basis=metric.basis if applicable else None,
        message=en, message_zh=zh, reasons=reasons,
        computation=metric.computation if applicable else None,
        inputs=dict(metric.inputs) if applicable else {}, evidence=tuple(evidence),
        remedy=_remedy(rule, status, spec, exempt=rule.id in meta.exemptions),
    )


REVIEW_REMEDY = Text(
    zh="由审核人判断：请逐条处理上述原因——修正模型中所列构件或申报信息（submission.yaml），或随申报材料提供计算书、经核实的数量。",
    en="A reviewer decides: resolve each reason above — correct the listed model elements or the submission "
       "metadata (submission.yaml), or file calculations or verified quantities that settle it.")
EXEMPTION_REMEDY = Text(
    zh="由审核人判断豁免申请：请随申报材料提供豁免依据文件；若豁免不成立，本条按实测值判定。",
    en="A reviewer judges the claimed exemption: file the documents that ground it; if it is not accepted, "
       "the rule is judged on the measured figures.")


def _remedy(rule: Rule, status: str, spec, exempt: bool) -> Text | None:
    if status == "fail":
        return rule.remedy
    if status == "missing_data":
        return Text(zh=spec.data_hint_zh, en=spec.data_hint_en) if spec.data_hint_en else REVIEW_REMEDY
    if status == "manual_review":
        return EXEMPTION_REMEDY if exempt else REVIEW_REMEDY
    return None
