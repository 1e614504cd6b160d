"""Rule objects -> durable-rules rulesets (plain JSON) and per-rule facts.

One flat fact per rule. S is the rule's static applicability (kind, use, alternatives,
public-institution flag, zone, date window); each `where` figure j is known or not (wK_j) with
a value (w_j); each requirement i has a value or not (rH_i), is certain or not (rC_i), and
meets its threshold or not (rM_i = r_i OP threshold). With
    W_no  = any_j (wK_j and not w_j OP t_j)        W_yes = all_j (wK_j and w_j OP t_j)
    P = all_i (rH_i and rC_i and rM_i)   F = any_i (rH_i and rC_i and not rM_i)   M = any_i not rH_i
the branches, mutually exclusive and together exhaustive, are
    not_applicable : not S  or  W_no
    missing_data   : S and not W_no and not W_yes            (a size figure that decides it is missing)
    pass           : A and P                                  where A = S and W_yes
    manual_review  : A and exempt and not P
    fail           : A and not exempt and F
    missing_data   : A and not exempt and not F and M
    manual_review  : A and not exempt and not F and not M and not P
A definite failure of one requirement fails the rule even when another is missing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from ..ruleset.loader import RuleSet
from ..ruleset.schema import Rule
from .conditions import Cmp, Cond, all_of, any_of, one_of
from .engine import NUMBER_DECIMALS


@dataclass(frozen=True)
class Branch:
    status: str
    cond: Cond
    action: str                      # the durable-rules action name: "<rule>|<status>|<n>"


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


def where_holds(rule: Rule, j: int) -> Cmp:
    w = rule.applies.where[j]
    return Cmp(f"w{j}", w.op, w.number)


def branches(rule: Rule, ruleset: RuleSet) -> list[Branch]:
    rid = Cmp("rule", "==", rule.id)
    static = all_of(*(c for _, c in applicability(rule, ruleset)))
    n_where = len(rule.applies.where)
    w_no = any_of(*(all_of(where_known(j), where_holds(rule, j).negate()) for j in range(n_where)))
    w_yes = all_of(*(all_of(where_known(j), where_holds(rule, j)) for j in range(n_where)))
    has = [Cmp(f"rH{i}", "==", True) for i in range(len(rule.requirements))]
    cert = [Cmp(f"rC{i}", "==", True) for i in range(len(rule.requirements))]
    meets = [Cmp(f"r{i}", r.op, r.number) for i, r in enumerate(rule.requirements)]
    P = all_of(*(all_of(h, c, m) for h, c, m in zip(has, cert, meets)))
    F = any_of(*(all_of(h, c, m.negate()) for h, c, m in zip(has, cert, meets)))
    M = any_of(*(h.negate() for h in has))
    exempt = Cmp("exempt", "==", True)
    A = all_of(rid, static, w_yes)
    spec = [("not_applicable", all_of(rid, any_of(static.negate(), w_no)))]
    if n_where:
        spec.append(("missing_data", all_of(rid, static, w_no.negate(), w_yes.negate())))
    spec += [
        ("pass", all_of(A, P)),
        ("manual_review", all_of(A, exempt, P.negate())),
        ("fail", all_of(A, exempt.negate(), F)),
        ("missing_data", all_of(A, exempt.negate(), F.negate(), M)),
        ("manual_review", all_of(A, exempt.negate(), F.negate(), M.negate(), P.negate())),
    ]
    return [Branch(status, cond, f"{rule.id}|{status}|{n}") for n, (status, cond) in enumerate(spec)]


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
    """A float at the engine's resolution (0.0001), so its JSON form has no exponent."""
    rounded = round(float(value), NUMBER_DECIMALS)
    return 0.0 if rounded == 0 else rounded


@dataclass(frozen=True)
class Subject:
    """What applicability reads about a submission."""

    kind: str
    use: str
    public_institution: bool
    zone: str | None


def make_fact(rule: Rule, subject: Subject, *, as_of: date, exempt: bool,
              requirements: list[tuple[float | None, bool]], where: list[float | None] = ()) -> dict:
    """`requirements`: (value, certain) per requirement; `where`: the value of each `where` figure."""
    fact = {
        "id": rule.id, "rule": rule.id, "always": True,
        "kind": subject.kind, "use": subject.use, "public_institution": bool(subject.public_institution),
        "zone": subject.zone or "", "date": as_of.toordinal(), "exempt": bool(exempt),
    }
    for j, value in enumerate(where):
        fact[f"wK{j}"] = value is not None
        fact[f"w{j}"] = engine_number(value) if value is not None else 0.0
    for i, (value, certain) in enumerate(requirements):
        fact[f"rH{i}"] = value is not None
        fact[f"rC{i}"] = bool(certain)
        fact[f"r{i}"] = engine_number(value) if value is not None else 0.0
    return fact
