"""One pass over a model's elements (and spaces): what each is by the conventions file.

Returns, in file order, every element with at least one match (recognised, suspect or
excluded); `recognise.Recogniser` decides, memoising what depends on the type alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .ifcfile import IfcIndex
from .recognise import Match, Recogniser

if TYPE_CHECKING:
    from ifcopenshell import entity_instance


@dataclass
class Found:
    """The elements of one model by concept and tier."""

    recognised: dict[str, list[tuple[entity_instance, Match]]] = field(default_factory=dict)
    suspects: list[tuple[entity_instance, Match]] = field(default_factory=list)
    excluded: list[tuple[entity_instance, Match]] = field(default_factory=list)

    def of(self, concept: str) -> list[tuple[entity_instance, Match]]:
        return self.recognised.get(concept, [])


def classify(index: IfcIndex, recogniser: Recogniser) -> Found:
    found = Found()
    for cls in ("IfcElement", "IfcSpace"):
        for element in index.file.by_type(cls):
            for match in recogniser.matches(element, index.type_of(element)):
                if match.tier == "recognised":
                    found.recognised.setdefault(match.concept, []).append((element, match))
                elif match.tier == "suspect":
                    found.suspects.append((element, match))
                else:
                    found.excluded.append((element, match))
    return found
