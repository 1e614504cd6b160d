"""One pass over a model's elements: which are PV panels, renewable systems or charging points.

Each decision depends only on the element's class, its own predefined type and ObjectType, and
its type object (docs/ifc-conventions.md), so elements sharing those four are decided once: a
large model has tens of thousands of elements but a few hundred such combinations.
"""

from __future__ import annotations

from dataclasses import dataclass

from .elements import pv_reason
from .equipment import charger_reason, system_kind
from .ifcfile import IfcIndex


@dataclass(frozen=True)
class Decision:
    pv: str | None                                  # why it is a PV panel
    system: tuple[str, str, str | None] | None      # (kind, why, heat-pump token)
    charger: str | None                             # why it is a charging point

    def __bool__(self) -> bool:
        return bool(self.pv or self.system or self.charger)


def classify(index: IfcIndex) -> list[tuple[object, Decision]]:
    """(element, decision) for every IfcElement that is a panel, a system or a charging point, in
    file order."""
    decided: dict[tuple, Decision] = {}
    found = []
    for element in index.file.by_type("IfcElement"):
        el_type = index.type_of(element)
        key = (element.is_a(), getattr(element, "PredefinedType", None), element.ObjectType,
               el_type.id() if el_type is not None else 0)
        decision = decided.get(key)
        if decision is None:
            decision = decided[key] = Decision(pv_reason(element, el_type), system_kind(element, el_type),
                                               charger_reason(element, el_type))
        if decision:
            found.append((element, decision))
    return found
