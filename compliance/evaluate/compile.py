"""Rule objects -> durable-rules rulesets (plain JSON) and per-rule facts.

Each rule becomes five mutually exclusive branches over one flat fact per rule:
    not_applicable  : not A
    pass            : A and has_value and certain and (value OP threshold)
    manual_review   : A and exempt and not (has_value and certain and value OP threshold)
    missing_data    : A and not exempt and not has_value
    manual_review   : A and not exempt and has_value and not certain
    fail            : A and not exempt and has_value and certain and not (value OP threshold)
where A is the rule's applicability (kind, use, public-institution flag, zone, date window).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from ..ruleset.loader import RuleSet
from ..ruleset.schema import Rule
from .conditions import Cmp, Cond, all_of, one_of
from .engine import NUMBER_DECIMALS


@dataclass(frozen=True)
class Branch:
    status: str
    cond: Cond
    action: str                      # the durable-rules action name: "<rule>|<status>|<n>"


def applicability(rule: Rule, ruleset: RuleSet) -> list[tuple[str, Cond]]:
    """The parts of a rule's applicability, each named for the not-applicable explanation."""
    a = rule.applies
    parts: list[tuple[str, Cond]] = []
    if a.kind:
        parts.append(("kind", one_of("kind", a.kind)))
    if a.use is not None or a.use_group is not None or a.use_except:
        parts.append(("use", one_of("use", ruleset.uses_of(rule))))
    if a.public_institution is not None:
        parts.append(("public_institution", Cmp("public_institution", "==", a.public_institution)))
    if a.zones:
        parts.append(("zone", one_of("zone", a.zones)))
    parts.append(("effective_from", Cmp("date", ">=", a.effective_from.toordinal())))
    if a.effective_until is not None:
        parts.append(("effective_until", Cmp("date", "<=", a.effective_until.toordinal())))
    return parts


def branches(rule: Rule, ruleset: RuleSet) -> list[Branch]:
    rid = Cmp("rule", "==", rule.id)
    applies = all_of(*(c for _, c in applicability(rule, ruleset)))
    meets = Cmp("value", rule.requires.op, rule.requires.value)
    has, certain, exempt = (Cmp(f, "==", True) for f in ("has_value", "certain", "exempt"))
    decided_pass = all_of(has, certain, meets)
    spec = [
        ("not_applicable", all_of(rid, applies.negate())),
        ("pass", all_of(rid, applies, decided_pass)),
        ("manual_review", all_of(rid, applies, exempt, decided_pass.negate())),
        ("missing_data", all_of(rid, applies, exempt.negate(), has.negate())),
        ("manual_review", all_of(rid, applies, exempt.negate(), has, certain.negate())),
        ("fail", all_of(rid, applies, exempt.negate(), has, certain, meets.negate())),
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


def make_fact(rule: Rule, *, kind: str, use: str, public_institution: bool, zone: str | None,
              as_of: date, exempt: bool, value: float | None, certain: bool) -> dict:
    return {
        "id": rule.id, "rule": rule.id, "always": True,
        "kind": kind, "use": use, "public_institution": bool(public_institution), "zone": zone or "",
        "date": as_of.toordinal(), "exempt": bool(exempt),
        "has_value": value is not None, "certain": bool(certain),
        "value": engine_number(value) if value is not None else 0.0,
    }
