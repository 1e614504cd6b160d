"""Each building judged on its own (derive/buildings.py); a rule's status is the gravest over them.

Within a building, a rule is judged on the use parts its applicability admits: the building's uses
are tried one by one (kind, use, public institution, zone, dates — the rule's static applicability)
and the rule's `where` floor area is the area of the parts it admits, so "大型公共建筑" is a single
building's public floor area: two 12,000 m² buildings are not one large public building, and a
25,000 m² commercial podium under housing is one. Every status still comes out of durable-rules;
this module only chooses what each building's facts say and, where two readings are plausible
(whether a school is a public institution), keeps a status only when both readings give it.
"""

from __future__ import annotations

from datetime import date

from ..derive.buildings import BuildingUnit, UsePart
from ..derive.metrics import Derivation, Metric
from ..ruleset.loader import RuleSet
from ..ruleset.schema import Rule, _Comparison
from ..text import Text
from .compile import CompiledRules, Subject, in_scope
from .evaluator import evaluate
from .results import RuleResult

GRAVITY = ("not_applicable", "pass", "manual_review", "missing_data", "fail")   # gravest last
CONFORMS = frozenset({"pass", "not_applicable"})                                 # nothing to act on either way


class _Building:
    """One building's facts for every rule, under one reading of whether it is a public institution."""

    def __init__(self, ruleset: RuleSet, unit: BuildingUnit, derivation: Derivation, as_of: date, pi: bool) -> None:
        self.ruleset, self.unit, self.derivation, self.as_of, self.pi = ruleset, unit, derivation, as_of, pi
        assert unit.meta is not None
        self.meta = unit.meta
        self._scopes: dict[str, tuple[Subject, tuple[UsePart, ...]]] = {}

    def scope(self, rule: Rule) -> tuple[Subject, tuple[UsePart, ...]]:
        """(the subject the rule's facts say, the use parts it concerns): the first part the rule
        admits stands for them all; none admitted — the main use, and the rule does not apply."""
        if rule.id not in self._scopes:
            subject = lambda use: Subject(self.meta.kind, use, self.pi, self.meta.zone)   # noqa: E731
            admitted = tuple(p for p in self.unit.parts if in_scope(rule, self.ruleset, subject(p.use), self.as_of))
            self._scopes[rule.id] = (subject(admitted[0].use if admitted else self.unit.main_use), admitted)
        return self._scopes[rule.id]

    def metric(self, rule: Rule, c: _Comparison) -> Metric:
        """The figure a requirement or `where` names; a floor area narrowed to the use parts the rule admits."""
        metric = self.derivation.metric(c.metric, basis=getattr(c, "basis", None), of=c.of)
        admitted = self.scope(rule)[1]
        if c.metric != "gross_floor_area" or not admitted or len(admitted) == len(self.unit.parts):
            return metric
        labels = self.ruleset.settings.uses
        what = Text(zh="、".join(labels[p.use].label.zh for p in admitted),
                    en=", ".join(labels[p.use].label.en for p in admitted))
        return part_of(metric, sum(p.share for p in admitted), what)

    def results(self, compiled: CompiledRules) -> tuple[RuleResult, ...]:
        meta = self.meta.model_copy(update={"public_institution": self.pi})
        return evaluate(self.ruleset, meta, self.metric, self.as_of, compiled,
                        subject_for=lambda rule: self.scope(rule)[0])


def part_of(metric: Metric, share: float, what: Text) -> Metric:
    """A building's floor area narrowed to the use parts a rule concerns (`what`: their share of it)."""
    if metric.value is None:
        return metric
    scale = lambda x: None if x is None else round(x * share, 4)        # noqa: E731
    how = Text(zh=f"其中本条适用的使用功能（{what.zh}）占 {share * 100:.2f}%：{metric.value:,.2f} m² × {share:.4f}",
               en=f"of which the uses this rule concerns ({what.en}) are {share * 100:.2f} %: "
                  f"{metric.value:,.2f} m² × {share:.4f}")
    computation = how if metric.computation is None else Text(zh=f"{metric.computation.zh}；{how.zh}",
                                                              en=f"{metric.computation.en}; {how.en}")
    return metric.model_copy(update={"value": scale(metric.value), "low": scale(metric.low),
                                     "high": scale(metric.high), "computation": computation})


def _weigh_institution(stated: RuleResult, other: RuleResult, doubt: Text) -> RuleResult:
    """A rule whose outcome depends on whether the building is a public institution, when both
    readings are plausible: decided when both give the same status (or both conform: passing and
    not applying ask nothing of the designer), else a reviewer's question."""
    if stated.status == other.status or {stated.status, other.status} <= CONFORMS:
        return stated
    reason = Text(zh=f"本条结论取决于是否为公共机构：{doubt.zh}",
                  en=f"the outcome depends on whether the building is a public institution: {doubt.en}")
    return stated.model_copy(update={
        "status": "manual_review", "reasons": (*stated.reasons, reason),
        "message": f"manual review: {reason.en}", "message_zh": f"需人工复核：{reason.zh}",
        "remedy": Text(zh="请在 submission.yaml 中申报 public_institution，并随申报材料提供设立文件（如办学许可、执业许可）。",
                       en="State public_institution in submission.yaml and file the establishment document "
                          "(school or practice licence)."),
    })


def judge_buildings(ruleset: RuleSet, compiled: CompiledRules, units: list[BuildingUnit],
                    derivations: list[Derivation], as_of: date) -> tuple[RuleResult, ...]:
    """Every rule for every building; one result per rule (the gravest building's, with each
    building's result in `per_building` when the submission has several)."""
    labels = {u: spec.label for u, spec in ruleset.settings.uses.items()}
    per_unit: list[tuple[RuleResult, ...]] = []
    for unit, derivation in zip(units, derivations):
        building = _Building(ruleset, unit, derivation, as_of, unit.public_institution)
        results = building.results(compiled)
        if unit.pi_doubt is not None:
            other = _Building(ruleset, unit, derivation, as_of, not unit.public_institution).results(compiled)
            results = tuple(_weigh_institution(a, b, unit.pi_doubt) for a, b in zip(results, other))
        if not unit.implicit:
            rules = {r.id: r for r in ruleset.rules}
            results = tuple(r.model_copy(update={
                "building": unit.id,
                "building_label": unit.label(labels, building.scope(rules[r.rule])[1] or None)}) for r in results)
        per_unit.append(results)
    if len(per_unit) == 1:
        return per_unit[0]
    merged = []
    for by_building in zip(*per_unit):
        gravest = max(by_building, key=lambda r: GRAVITY.index(r.status))
        merged.append(gravest.model_copy(update={"per_building": tuple(by_building)}))
    return tuple(merged)
