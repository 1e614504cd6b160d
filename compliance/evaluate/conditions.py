"""A tiny condition language, compiled to durable-rules JSON and also evaluated in Python.

The Python evaluation is the reference: the evaluator cross-checks every engine outcome
against it, so an engine quirk can never turn into a silent wrong result.
Only single-fact comparisons exist here (cross-fact comparisons crash durable-rules).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Union

_OPS = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_DURABLE = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


@dataclass(frozen=True)
class Cmp:
    field: str
    op: str
    value: Any

    def negate(self) -> "Cmp":
        return Cmp(self.field, _NEGATED[self.op], self.value)

    def holds(self, fact: dict) -> bool:
        return _OPS[self.op](fact[self.field], self.value)

    def to_durable(self) -> dict:
        if self.op == "==":
            return {self.field: self.value}
        return {_DURABLE[self.op]: {self.field: self.value}}


@dataclass(frozen=True)
class All:
    items: tuple["Cond", ...]

    def negate(self) -> "Cond":
        return any_of(*(i.negate() for i in self.items))

    def holds(self, fact: dict) -> bool:
        return all(i.holds(fact) for i in self.items)

    def to_durable(self) -> dict:
        return {"$and": [i.to_durable() for i in self.items]}


@dataclass(frozen=True)
class AnyOf:
    items: tuple["Cond", ...]

    def negate(self) -> "Cond":
        return all_of(*(i.negate() for i in self.items))

    def holds(self, fact: dict) -> bool:
        return any(i.holds(fact) for i in self.items)

    def to_durable(self) -> dict:
        return {"$or": [i.to_durable() for i in self.items]}


Cond = Union[Cmp, All, AnyOf]

TRUE_FIELD = "always"          # every fact carries always=True so an empty All() is expressible


def all_of(*items: Cond) -> Cond:
    """Every item holds (nested conjunctions are flattened: durable-rules expands each rule into
    alternatives and refuses a rule with too many, so conditions are kept as flat as they can be)."""
    flat = tuple(x for i in items for x in (i.items if isinstance(i, All) else (i,)))
    if not flat:
        return Cmp(TRUE_FIELD, "==", True)
    return All(flat) if len(flat) > 1 else flat[0]


def any_of(*items: Cond) -> Cond:
    """An empty any_of is false (no alternative holds); nested alternatives are flattened."""
    flat = tuple(x for i in items for x in (i.items if isinstance(i, AnyOf) else (i,)))
    if not flat:
        return Cmp(TRUE_FIELD, "==", False)
    return AnyOf(flat) if len(flat) > 1 else flat[0]


def one_of(field: str, values) -> Cond:
    values = tuple(values)
    if not values:
        return Cmp(TRUE_FIELD, "==", False)
    return AnyOf(tuple(Cmp(field, "==", v) for v in values)) if len(values) > 1 else Cmp(field, "==", values[0])
