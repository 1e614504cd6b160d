"""Renewable systems, EV charging points and parking spaces (docs/ifc-conventions.md)."""

from __future__ import annotations

from .areas import pick
from .conventions import (EV_TOKENS, HEAT_PUMP_MARKS, HEAT_RECOVERY_TOKENS, OPEN_TYPES, PARKING_NAME_RE,
                          PARKING_TOKENS, SOLAR_THERMAL_TOKENS, match_tokens, medium_of, object_tokens,
                          predefined)
from .ifcfile import IfcIndex
from .records import ChargerRecord, Note, NoteTaker, ParkingRecord, SystemRecord
from .units import power_kw


class EquipmentReader(NoteTaker):
    def __init__(self, index: IfcIndex, notes: list[Note]) -> None:
        self.index = index
        self.notes = notes
        self.file = index.info.file

    def _base(self, element, matched_by: str) -> dict:
        return dict(global_id=element.GlobalId, ifc_class=element.is_a(), name=element.Name,
                    storey=self.index.storey_of(element), file=self.file, matched_by=matched_by)

    # -- renewable and heat-recovery systems ----------------------------------------------------

    def systems_and_chargers(self, found) -> tuple[list[SystemRecord], list[ChargerRecord]]:
        """From the classification pass (`classify.classify`): a system is never also a charging point."""
        systems, chargers = [], []
        for element, decision in found:
            if decision.system is not None:
                kind, where, tok = decision.system
                if kind == "heat_pump":
                    medium, medium_source = self._medium(element, tok, where)
                    systems.append(SystemRecord(kind=kind, source_medium=medium, medium_source=medium_source,
                                                **self._base(element, f"{where} (convention)")))
                else:
                    systems.append(SystemRecord(kind=kind, **self._base(element, where)))
            elif decision.charger:
                chargers.append(self._charger(element, decision.charger))
        return systems, chargers

    def _medium(self, element, tok: str, where: str) -> tuple[str | None, str | None]:
        prop = self.index.prop(element, "YP_HeatPump", "SourceMedium")
        if prop is not None and (medium := medium_of(str(prop.value))):
            return medium, prop.source
        medium = medium_of(tok)
        return (medium, where) if medium else (None, None)

    # -- EV charging points ---------------------------------------------------------------------

    def _charger(self, element, why: str) -> ChargerRecord:
        fields = {}
        prop = (self.index.prop(element, "YP_EVCharger", "RatedPower")
                or self.index.prop(element, "Pset_ElectricalDeviceCommon", "NominalPower"))
        if prop is not None and (kw := power_kw(self.index, prop, element, self.notes)) is not None:
            fields.update(power_kw=kw, power_source=prop.source)
        current = self.index.prop(element, "YP_EVCharger", "CurrentType")
        if current is not None:
            value = str(current.value).strip().upper()
            if value in ("AC", "DC"):
                fields.update(current=value, current_source=current.source)
            else:
                label, said = f"{element.is_a()} {element.GlobalId}", f"{current.source} = {current.value!r}"
                self.note("ev.current_unknown", f"{label}: {said}; expected 'AC' or 'DC'",
                          f"{label}：{said}，应为 'AC' 或 'DC'", (element.GlobalId,), "warning")
        return ChargerRecord(**self._base(element, why), **fields)

    # -- parking spaces -------------------------------------------------------------------------

    def parking(self) -> list[ParkingRecord]:
        out = []
        for space in self.index.file.by_type("IfcSpace"):
            why = self._parking_reason(space)
            if why is None:
                continue
            aisle = self.index.prop(space, "Pset_SpaceParking", "IsAisle")
            if aisle is not None and aisle.value is True:
                continue
            out.append(self._parking(space, why))
        return out

    def _parking_reason(self, space) -> str | None:
        el_type = self.index.type_of(space)
        kind, where = predefined(space, el_type)
        if kind == "PARKING":
            return where
        if why := match_tokens(space, el_type, PARKING_TOKENS):
            return why
        for attr in ("LongName", "Name"):
            text = getattr(space, attr, None)
            if text and PARKING_NAME_RE.search(text):
                return f"IfcSpace.{attr} = '{text}' (naming convention)"
        return None

    def _parking(self, space, why: str) -> ParkingRecord:
        fields = {}
        area = pick(self.index.area_quantities(space), ("GrossFloorArea", "NetFloorArea"))
        if area is not None:
            fields.update(area_m2=area.value_m2, area_source=f"{area.qset}.{area.name}")
        ready = self.index.prop(space, "YP_ParkingSpace", "ChargerReady")
        if ready is not None and isinstance(ready.value, bool):
            fields.update(charger_ready=ready.value, charger_ready_source=ready.source)
        units = self.index.prop(space, "Pset_SpaceParking", "ParkingUnits")
        if units is not None and isinstance(units.value, (int, float)) and not isinstance(units.value, bool):
            if units.value >= 1 and float(units.value).is_integer():
                fields.update(units=int(units.value), units_source=units.source)
            else:
                self.note("parking.units_invalid",
                          f"IfcSpace {space.GlobalId}: {units.source} = {units.value!r} is not a whole number of spaces",
                          f"IfcSpace {space.GlobalId}：{units.source} = {units.value!r} 不是整数个停车位",
                          (space.GlobalId,), "uncertain")
        return ParkingRecord(**self._base(space, why), **fields)


def system_kind(element, el_type) -> tuple[str, str, str | None] | None:
    """(kind, how it was recognised, the heat-pump token) when the element is a renewable or
    heat-recovery system; a function of the class, predefined type, ObjectType and type only."""
    if element.is_a("IfcSolarDevice"):
        kind, where = predefined(element, el_type)
        if kind == "SOLARCOLLECTOR":
            return "solar_thermal", where, None
        if kind not in OPEN_TYPES:
            return None
    if element.is_a("IfcAirToAirHeatRecovery"):
        return "waste_heat_recovery", "IfcAirToAirHeatRecovery", None
    if why := match_tokens(element, el_type, SOLAR_THERMAL_TOKENS):
        return "solar_thermal", why, None
    if why := match_tokens(element, el_type, HEAT_RECOVERY_TOKENS):
        return "waste_heat_recovery", why, None
    for tok, where in object_tokens(element, el_type):
        if any(mark in tok for mark in HEAT_PUMP_MARKS):
            return "heat_pump", where, tok
    return None


def charger_reason(element, el_type) -> str | None:
    if element.is_a("IfcElectricFlowStorageDevice"):
        kind, where = predefined(element, el_type)
        if kind == "RECHARGER":
            return where
    return match_tokens(element, el_type, EV_TOKENS)


def read_equipment(index: IfcIndex, notes: list[Note], found):
    """`found`: the classification pass's (element, Decision) pairs."""
    reader = EquipmentReader(index, notes)
    systems, chargers = reader.systems_and_chargers(found)
    return systems, chargers, reader.parking()
