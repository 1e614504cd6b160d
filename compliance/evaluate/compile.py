"""Rule objects -> durable-rules rulesets (plain JSON) and per-rule facts.

One flat fact per rule. S is the rule's static applicability (kind, use, alternatives,
public-institution flag, zone, date window). A figure — each `where` figure j and each
requirement i — is known or not (wK_j, rH_i), certain or not (wC_j, rC_i), has a value (w_j, r_i)
and a plausible range [lo, hi] (wL_j..wU_j, rL_i..rU_i): [value, value] when certain, the
metric's low/high when not, an unbounded side written as ∓SENTINEL (durable-rules takes no
infinity). A known figure is decided against its threshold over the whole range:
    meets(x)  = xL OP t and xU OP t        fails(x) = not xL OP t and not xU OP t     (>=, >, <=, <)
    meets(x)  = xC and x OP t              fails(x) = xC and not x OP t               (==, !=: no
                                                                                       decision over a range)
With
    W_no  = any_j (wK_j and fails(w_j))    W_yes = all_j (wK_j and meets(w_j))    W_gap = any_j not wK_j
    P = all_i (rH_i and meets(r_i))   F = any_i (rH_i and fails(r_i))   M = any_i not rH_i
the branches, mutually exclusive and together exhaustive, are
    not_applicable : not S  or  W_no
    missing_data   : S and not W_no and not W_yes and W_gap          (a size figure that decides it is missing)
    manual_review  : S and not W_no and not W_yes and not W_gap      (a size figure straddles its threshold)
    pass           : A and P                                          where A = S and W_yes
    manual_review  : A and exempt and not P
    fail           : A and not exempt and F
    missing_data   : A and not exempt and not F and M
    manual_review  : A and not exempt and not F and not M and not P
A definite failure of one requirement fails the rule even when another is missing; a doubtful
figure decides nothing unless its whole range lies on one side of the threshold.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date

from ..errors import EngineError
from ..ruleset.loader import RuleSet
from ..ruleset.schema import Rule, Status
from .conditions import Cmp, Cond, all_of, any_of, one_of
from .engine import TINY


@dataclass(frozen=True)
class Branch:
    status: Status
    cond: Cond
    action: str                      # the durable-rules action name: "<rule>|<status>|<n>"
    why: str = ""                    # which line of the algebra above: "scope", "where_missing",
                                     # "where_doubt", "pass", "exempt", "fail", "missing", "doubt"


SENTINEL = 1e15                      # an unbounded end of a range: beyond any threshold (schema.engine_threshold)
ORDERING = (">=", ">", "<=", "<")    # the operators a range can be decided over


def _uses_part(ruleset: RuleSet, part) -> list[Cond]:
    out: list[Cond] = []
    if part.use is not None or part.use_group is not None or part.use_except:
        out.append(one_of("use", ruleset.uses_of(part)))
    if part.public_institution is not None:
        out.append(Cmp("public_institution", "==", part.public_institution))
    return out


def applicability(rule: Rule, ruleset: RuleSet) -> list[tuple[str, Cond]]:
    """The static parts of a rule's applicability, each named for the not-applicable explanation."""
    a = rule.applies
    parts: list[tuple[str, Cond]] = []
    if a.kind:
        parts.append(("kind", one_of("kind", a.kind)))
    if a.use is not None or a.use_group is not None or a.use_except:
        parts.append(("use", one_of("use", ruleset.uses_of(rule))))
    if a.either:
        parts.append(("either", any_of(*(all_of(*_uses_part(ruleset, alt)) for alt in a.either))))
    if a.public_institution is not None:
        parts.append(("public_institution", Cmp("public_institution", "==", a.public_institution)))
    if a.zone_list is not None:
        parts.append(("zone", one_of("zone", a.zone_list)))
    parts.append(("effective_from", Cmp("date", ">=", a.effective_from.toordinal())))
    if a.effective_until is not None:
        parts.append(("effective_until", Cmp("date", "<=", a.effective_until.toordinal())))
    return parts


def where_known(j: int) -> Cmp:
    return Cmp(f"wK{j}", "==", True)


def _decided(prefix: str, k: int, op: str, threshold: float) -> tuple[Cond, Cond]:
    """(meets over the whole range, fails over the whole range) for figure `prefix` k, when known."""
    if op in ORDERING:
        ends = (Cmp(f"{prefix}L{k}", op, threshold), Cmp(f"{prefix}U{k}", op, threshold))
        return all_of(*ends), all_of(*(e.negate() for e in ends))
    certain, cmp = Cmp(f"{prefix}C{k}", "==", True), Cmp(f"{prefix}{k}", op, threshold)
    return all_of(certain, cmp), all_of(certain, cmp.negate())


def where_meets(rule: Rule, j: int) -> Cond:
    """`where` figure j is known and its whole plausible range meets the condition."""
    w = rule.applies.where[j]
    return all_of(where_known(j), _decided("w", j, w.op, w.number)[0])


def where_fails(rule: Rule, j: int) -> Cond:
    """`where` figure j is known and its whole plausible range fails the condition."""
    w = rule.applies.where[j]
    return all_of(where_known(j), _decided("w", j, w.op, w.number)[1])


def requirement_met(rule: Rule, i: int) -> Cond:
    r = rule.requirements[i]
    return all_of(Cmp(f"rH{i}", "==", True), _decided("r", i, r.op, r.number)[0])


def requirement_failed(rule: Rule, i: int) -> Cond:
    r = rule.requirements[i]
    return all_of(Cmp(f"rH{i}", "==", True), _decided("r", i, r.op, r.number)[1])


def branches(rule: Rule, ruleset: RuleSet) -> list[Branch]:
    rid = Cmp("rule", "==", rule.id)
    static = all_of(*(c for _, c in applicability(rule, ruleset)))
    n_where, n_req = len(rule.applies.where), len(rule.requirements)
    for c in (*rule.applies.where, *rule.requirements):
        if not -SENTINEL < c.number < SENTINEL:
            raise EngineError(f"internal: threshold {c.number} of {rule.id} is beyond the range sentinel")
    w_no = any_of(*(where_fails(rule, j) for j in range(n_where)))
    w_yes = all_of(*(where_meets(rule, j) for j in range(n_where)))
    w_gap = any_of(*(where_known(j).negate() for j in range(n_where)))
    P = all_of(*(requirement_met(rule, i) for i in range(n_req)))
    F = any_of(*(requirement_failed(rule, i) for i in range(n_req)))
    M = any_of(*(Cmp(f"rH{i}", "!=", True) for i in range(n_req)))
    exempt = Cmp("exempt", "==", True)
    A = all_of(rid, static, w_yes)
    spec: list[tuple[Status, str, Cond]] = [("not_applicable", "scope", all_of(rid, any_of(static.negate(), w_no)))]
    if n_where:
        undecided = (rid, static, w_no.negate(), w_yes.negate())
        spec += [("missing_data", "where_missing", all_of(*undecided, w_gap)),
                 ("manual_review", "where_doubt", all_of(*undecided, w_gap.negate()))]
    spec += [
        ("pass", "pass", all_of(A, P)),
        ("manual_review", "exempt", all_of(A, exempt, P.negate())),
        ("fail", "fail", all_of(A, exempt.negate(), F)),
        ("missing_data", "missing", all_of(A, exempt.negate(), F.negate(), M)),
        ("manual_review", "doubt", all_of(A, exempt.negate(), F.negate(), M.negate(), P.negate())),
    ]
    return [Branch(status, cond, f"{rule.id}|{status}|{n}", why) for n, (status, why, cond) in enumerate(spec)]


@dataclass(frozen=True)
class CompiledRules:
    """A rule set compiled once: the durable-rules JSON and each rule's branches."""

    name: str                                # durable-rules ruleset name (hash of the JSON)
    durable: dict
    by_rule: dict[str, list[Branch]]
    by_action: dict[str, Branch]

    def reference(self, rule_id: str, fact: dict) -> list[str]:
        """The branches whose conditions hold for `fact`, evaluated in Python."""
        return [b.action for b in self.by_rule[rule_id] if b.cond.holds(fact)]


def compile_ruleset(ruleset: RuleSet) -> CompiledRules:
    durable: dict = {}
    by_rule: dict[str, list[Branch]] = {}
    for rule in ruleset.rules:
        by_rule[rule.id] = branches(rule, ruleset)
        for branch in by_rule[rule.id]:
            key = branch.action.replace("|", "__").replace("-", "_")
            durable[key] = {"all": [{"m": branch.cond.to_durable()}], "run": branch.action}
    digest = hashlib.sha256(json.dumps(durable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    by_action = {b.action: b for bs in by_rule.values() for b in bs}
    return CompiledRules(f"yangpu_{digest[:20]}", durable, by_rule, by_action)


def engine_number(value: float) -> float:
    """A figure as the engine compares it: exactly as filed, not rounded (a PUE of 1.30004 is
    above 1.3). The engine cannot take a number JSON writes in exponent notation (below 0.0001 or
    from 1e16): a figure nearer 0 than TINY is given as ±TINY and one beyond ±SENTINEL as
    ±SENTINEL. Neither moves it across a threshold, since every threshold is 0, at least
    engine.SMALLEST_THRESHOLD from 0, and below SENTINEL (schema.engine_threshold)."""
    x = float(value)
    if x == 0 or math.isnan(x):
        return 0.0 if x == 0 else x
    if abs(x) < TINY:
        return math.copysign(TINY, x)
    return math.copysign(SENTINEL, x) if abs(x) > SENTINEL else x


@dataclass(frozen=True)
class Subject:
    """What applicability reads about a submission."""

    kind: str
    use: str
    public_institution: bool
    zone: str | None


@dataclass(frozen=True)
class Reading:
    """What a fact says of one figure: its value (None: absent), whether it is certain, and, when
    it is not, its plausible range (None on an unbounded side). A Metric reads the same way."""

    value: float | None
    certain: bool = True
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        if self.value is None and (self.low is not None or self.high is not None):
            raise ValueError("a figure without a value has no plausible range")
        if self.value is not None and ((self.low is not None and self.low > self.value)
                                       or (self.high is not None and self.high < self.value)):
            raise ValueError(f"the plausible range {self.low}–{self.high} does not hold the value {self.value}")

    @classmethod
    def of(cls, figure) -> "Reading":
        """A Metric (or anything with value, certain, low, high), a (value, certain[, low, high])
        tuple, or a bare value (certain)."""
        if isinstance(figure, Reading):
            return figure
        if hasattr(figure, "certain"):
            return cls(figure.value, figure.certain, getattr(figure, "low", None), getattr(figure, "high", None))
        if isinstance(figure, tuple):
            return cls(*figure)
        return cls(figure)

    def ends(self) -> tuple[float, float]:
        """The range as the engine reads it: finite, unbounded sides at ∓SENTINEL."""
        if self.value is None:
            return 0.0, 0.0
        if self.certain:
            return self.value, self.value
        return (-SENTINEL if self.low is None else max(self.low, -SENTINEL),
                SENTINEL if self.high is None else min(self.high, SENTINEL))


def _figure(fact: dict, prefix: str, k: int, known: str, reading: Reading) -> None:
    lo, hi = reading.ends()
    fact[f"{known}{k}"] = reading.value is not None
    fact[f"{prefix}C{k}"] = bool(reading.certain)
    fact[f"{prefix}{k}"] = engine_number(reading.value) if reading.value is not None else 0.0
    fact[f"{prefix}L{k}"], fact[f"{prefix}U{k}"] = engine_number(lo), engine_number(hi)


def subject_fact(subject: Subject, as_of: date) -> dict:
    """What a fact says of the subject and the date: all that a rule's static applicability reads."""
    return {"kind": subject.kind, "use": subject.use, "public_institution": bool(subject.public_institution),
            "zone": subject.zone or "", "date": as_of.toordinal()}


def in_scope(rule: Rule, ruleset: RuleSet, subject: Subject, as_of: date) -> bool:
    """The rule's static applicability (kind, use, alternatives, public institution, zone, dates)
    holds for this subject."""
    fact = subject_fact(subject, as_of)
    return all(cond.holds(fact) for _, cond in applicability(rule, ruleset))


def make_fact(rule: Rule, subject: Subject, *, as_of: date, exempt: bool, requirements, where=()) -> dict:
    """`requirements` and `where`: one figure per requirement and per `where` condition — a
    Metric, a Reading, a (value, certain[, low, high]) tuple or a bare value (see Reading.of)."""
    fact = {"id": rule.id, "rule": rule.id, "always": True, **subject_fact(subject, as_of), "exempt": bool(exempt)}
    for j, figure in enumerate(where):
        _figure(fact, "w", j, "wK", Reading.of(figure))
    for i, figure in enumerate(requirements):
        _figure(fact, "r", i, "rH", Reading.of(figure))
    return fact
