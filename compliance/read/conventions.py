"""How an element is recognised as what the checker counts (docs/ifc-conventions.md).

Classes, predefined types, `ObjectType` and the type object's `ElementType` are used; names
never are, except for spaces (where naming is the common practice, and the provenance says so).
"""

from __future__ import annotations

import re

ROOF_TOKENS = frozenset({"ROOF", "ROOFSLAB", "FLATROOF", "屋面", "屋面板", "屋顶", "屋顶板"})
ROOF_PREFIXES = ("BASICROOF",)          # Revit's roof family, written as ObjectType 'Basic Roof:<type>'
PV_TOKENS = frozenset({"SOLARPANEL", "PVPANEL", "PHOTOVOLTAICPANEL", "PVMODULE", "PHOTOVOLTAICMODULE"})
SOLAR_THERMAL_TOKENS = frozenset({"SOLARCOLLECTOR", "SOLARTHERMALCOLLECTOR", "SOLARWATERHEATER", "太阳能集热器"})
HEAT_PUMP_MARKS = ("HEATPUMP", "热泵")
HEAT_RECOVERY_TOKENS = frozenset({"WASTEHEATRECOVERY", "HEATRECOVERY", "余热回收"})
EV_TOKENS = frozenset({"EVCHARGER", "EVCHARGINGPOINT", "EVCHARGINGSTATION", "CHARGINGPOINT",
                       "CHARGINGSTATION", "CHARGINGPILE", "EVSE", "充电桩"})
PARKING_TOKENS = frozenset({"PARKING", "PARKINGSPACE", "PARKINGSTALL", "PARKINGBAY", "停车位"})
PARKING_NAME_RE = re.compile(r"parking[\s_-]*(space|stall|bay)|停车位|车位", re.IGNORECASE)
MEDIUM_MARKS = (("ground", ("GROUND", "GEOTHERMAL", "地源")), ("water", ("WATER", "RIVER", "水源")),
                ("air", ("AIR", "空气源")))
OPEN_TYPES = (None, "NOTDEFINED", "USERDEFINED")


def token(value) -> str:
    """Upper case with spaces, '_' and '-' removed: 'Solar Panel' -> 'SOLARPANEL'."""
    return re.sub(r"[\s_\-]+", "", str(value or "")).upper()


def predefined(element, el_type) -> tuple[str | None, str | None]:
    """(predefined type, where it was read): the occurrence's unless it is open, else its type's."""
    own = getattr(element, "PredefinedType", None)
    if own not in OPEN_TYPES:
        return own, f"{element.is_a()}.PredefinedType = {own}"
    typed = getattr(el_type, "PredefinedType", None) if el_type is not None else None
    if typed not in OPEN_TYPES:
        return typed, f"type {el_type.is_a()}.PredefinedType = {typed}"
    return own, None


def object_tokens(element, el_type) -> list[tuple[str, str]]:
    """(token, provenance) of the occurrence's ObjectType and its type's ElementType."""
    out = []
    if getattr(element, "ObjectType", None):
        out.append((token(element.ObjectType), f"{element.is_a()}.ObjectType = '{element.ObjectType}'"))
    if el_type is not None and getattr(el_type, "ElementType", None):
        out.append((token(el_type.ElementType), f"type {el_type.is_a()}.ElementType = '{el_type.ElementType}'"))
    return out


def match_tokens(element, el_type, tokens: frozenset[str]) -> str | None:
    for tok, where in object_tokens(element, el_type):
        if tok in tokens:
            return f"{where} (convention)"
    return None


def roof_mark(element, el_type) -> str | None:
    """How an exporter marked a slab as roof when its predefined type says nothing."""
    candidates = object_tokens(element, el_type)
    if el_type is not None and getattr(el_type, "Name", None):
        candidates.append((token(el_type.Name), f"type {el_type.is_a()}.Name = '{el_type.Name}'"))
    for tok, where in candidates:
        if tok in ROOF_TOKENS or tok.split(":")[0] in ROOF_TOKENS or tok.startswith(ROOF_PREFIXES):
            return f"{where} (exporter's roof marking)"
    return None


def medium_of(text: str) -> str | None:
    tok = token(text)
    for medium, marks in MEDIUM_MARKS:
        if any(mark in tok for mark in marks):
            return medium
    return None
