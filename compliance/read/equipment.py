"""Renewable systems, EV charging points and parking spaces, as the conventions file recognises
them (rules/_conventions.yaml, docs/ifc-conventions.md); their figures are read from the
properties the conventions name, else from the type text (noted as such)."""

from __future__ import annotations

import re
from typing import Any

from .areas import pick
from .classify import Found
from .conventions import Concept, Conventions
from .ifcfile import IfcIndex
from .recognise import name_texts, normal, token, type_texts, word_pattern
from .records import ChargerRecord, Note, NoteTaker, ParkingRecord, SystemRecord
from .units import power_kw

SYSTEM_KINDS = {"solar_thermal": "solar_thermal", "solar_device": "solar", "heat_pump": "heat_pump",
                "heat_recovery": "waste_heat_recovery"}


class EquipmentReader(NoteTaker):
    def __init__(self, index: IfcIndex, notes: list[Note], conventions: Conventions, origin=None) -> None:
        self.index = index
        self.notes = notes
        self.conv = conventions
        self.file = index.info.file
        self.origin = origin or (lambda element: None)

    def _base(self, element, matched_by: str) -> dict:
        return dict(global_id=element.GlobalId, ifc_class=element.is_a(), name=element.Name,
                    storey=self.index.storey_of(element), building=self.index.building_of(element), file=self.file, matched_by=matched_by,
                    origin=self.origin(element))

    # -- renewable and heat-recovery systems ----------------------------------------------------

    def systems(self, found: Found) -> list[SystemRecord]:
        out = []
        for concept, kind in SYSTEM_KINDS.items():
            for element, match in found.of(concept):
                if kind == "heat_pump":
                    medium, source = self._medium(element, self.conv[concept])
                    out.append(SystemRecord(kind=kind, source_medium=medium, medium_source=source,
                                            **self._base(element, match.why)))
                elif concept == "heat_recovery":
                    out.append(self._heat_recovery(element, match.why, self.conv[concept]))
                else:
                    out.append(SystemRecord(kind=kind, **self._base(element, match.why)))
        return out

    def _heat_recovery(self, element, why: str, concept: Concept) -> SystemRecord:
        """Waste-heat recovery (a renewable source) where its stated source is one the conventions
        count; heat recovered from the building's own exhaust air is an efficiency measure."""
        source, where = self._medium(element, concept, role="source", texts=name_texts(element))
        if source is None and (implied := concept.class_source.get(element.is_a())):
            source, where = implied, f"{element.is_a()} (the class's own source)"
        kind = "waste_heat_recovery" if source is None or source in concept.renewable_sources else \
            "exhaust_heat_recovery"
        return SystemRecord(kind=kind, source_medium=source, medium_source=where, **self._base(element, why))

    def _medium(self, element, concept: Concept, role: str = "medium", texts=()) -> tuple[str | None, str | None]:
        prop = self.index.first_prop(element, concept.props("source_medium" if role == "medium" else role))
        marks = concept.marks(role)
        if prop is not None and (medium := _marked(str(prop.value), marks, inside=True)):
            return medium, prop.source
        for text, where in [*type_texts(element, self.index.type_of(element)), *texts]:
            if medium := _marked(text, marks, inside=True):
                return medium, f"{where} (convention)"
        return None, None

    # -- EV charging points ---------------------------------------------------------------------

    def chargers(self, found: Found) -> list[ChargerRecord]:
        concept = self.conv["ev_charger"]
        return [self._charger(element, match.why, concept) for element, match in found.of("ev_charger")]

    def _charger(self, element, why: str, concept: Concept) -> ChargerRecord:
        fields: dict[str, Any] = {}
        texts = type_texts(element, self.index.type_of(element)) + name_texts(element)
        prop = self.index.first_prop(element, concept.props("power"))
        pattern = concept.pattern("power_kw")
        if prop is not None and isinstance(prop.value, str) and pattern and \
                (read := _number(pattern, [(prop.value, prop.source)])):
            fields.update(power_kw=read[0], power_source=f"{prop.source} = '{prop.value}' (a text with its unit)")
        elif prop is not None and (kw := power_kw(self.index, prop, element, self.notes)) is not None:
            fields.update(power_kw=kw, power_source=prop.source)
        elif pattern and (read := _number(pattern, texts)):
            fields.update(power_kw=read[0], power_source=f"{read[1]} (read from the type text)")
        current = self.index.first_prop(element, concept.props("current"))
        marks = concept.marks("current")
        if current is not None:
            value = _marked(str(current.value), marks) or str(current.value).strip().upper()
            if value in ("AC", "DC"):
                fields.update(current=value, current_source=current.source)
            else:
                label, said = f"{element.is_a()} {element.GlobalId}", f"{current.source} = {current.value!r}"
                self.note("ev.current_unknown", f"{label}: {said}; expected 'AC' or 'DC'",
                          f"{label}：{said}，应为 'AC' 或 'DC'", (element.GlobalId,), "warning")
        if "current" not in fields:
            for text, where in texts:
                if marked := _marked(text, marks):
                    fields.update(current=marked, current_source=f"{where} (read from the type text)")
                    break
        return ChargerRecord(**self._base(element, why), **fields)

    # -- parking spaces -------------------------------------------------------------------------

    def parking(self, found: Found) -> list[ParkingRecord]:
        concept = self.conv["parking_space"]
        out = []
        for element, match in found.of("parking_space"):
            aisle = self.index.first_prop(element, concept.props("aisle"))
            if aisle is not None and aisle.value is True:
                continue
            out.append(self._parking(element, match.why, concept))
        return out

    def _parking(self, space, why: str, concept: Concept) -> ParkingRecord:
        fields: dict[str, Any] = {}
        area = pick(self.index.area_quantities(space), ("GrossFloorArea", "NetFloorArea"))
        if area is not None:
            fields.update(area_m2=area.value_m2, area_source=f"{area.qset}.{area.name}")
        ready = self.index.first_prop(space, concept.props("charger_ready"))
        if ready is not None and isinstance(ready.value, bool):
            fields.update(charger_ready=ready.value, charger_ready_source=ready.source)
        units = self.index.first_prop(space, concept.props("units"))
        if units is not None and isinstance(units.value, (int, float)) and not isinstance(units.value, bool):
            if units.value >= 1 and float(units.value).is_integer():
                fields.update(units=int(units.value), units_source=units.source)
            else:
                label = f"{space.is_a()} {space.GlobalId}"
                self.note("parking.units_invalid",
                          f"{label}: {units.source} = {units.value!r} is not a whole number of spaces",
                          f"{label}：{units.source} = {units.value!r} 不是整数个停车位",
                          (space.GlobalId,), "uncertain")
        return ParkingRecord(**self._base(space, why), **fields)


def _marked(text: str, marks: dict, inside: bool = False) -> str | None:
    """The key of `marks` (e.g. {'DC': [直流, DC]}) whose words the text holds, or None; `inside`:
    anywhere in the text's token ('GroundSourceHeatPump' holds GROUND), else as whole words."""
    for key, words in marks.items():
        if inside:
            if any(token(w) in token(text) for w in words):
                return key
            continue
        pattern = word_pattern(words)
        if pattern is not None and pattern.search(normal(text)):
            return key
    return None


def _number(pattern: str, texts) -> tuple[float, str] | None:
    for text, where in texts:
        found = re.search(pattern, normal(text))
        if found:
            return float(found.group(1)), where
    return None


def read_equipment(index: IfcIndex, notes: list[Note], found: Found, conventions: Conventions, origin=None):
    reader = EquipmentReader(index, notes, conventions, origin)
    return reader.systems(found), reader.chargers(found), reader.parking(found)
