"""Property values to SI, with a finding where a unit cannot be told."""

from __future__ import annotations

from .ifcfile import IfcIndex, PropValue
from .records import Note

POWER_MEASURES = ("IfcPowerMeasure",)
PLAUSIBLE_KW = (1e-3, 1e5)     # one panel or charging point outside this range is suspect


def power_kw(index: IfcIndex, prop: PropValue, element, notes: list[Note]) -> float | None:
    """A power property in kW; None (with a finding) when it is not a power measure or implausible."""
    label = f"{element.is_a()} {element.GlobalId}"
    if prop.measure not in POWER_MEASURES or isinstance(prop.value, (str, bool)):
        notes.append(Note(code="units.power_unitless", file=index.info.file, global_ids=(element.GlobalId,),
                          severity="uncertain",
                          message=f"{label}: {prop.source} = {prop.value!r} is a {prop.measure}, not an "
                                  "IfcPowerMeasure; its unit cannot be told, so it is not used"))
        return None
    scale = prop.own_scale if prop.own_scale is not None else index.power_scale_w
    kw = float(prop.value) * scale / 1000.0
    if not PLAUSIBLE_KW[0] <= kw <= PLAUSIBLE_KW[1]:
        notes.append(Note(code="units.power_implausible", file=index.info.file, global_ids=(element.GlobalId,),
                          severity="uncertain",
                          message=f"{label}: {prop.source} gives {kw:g} kW, implausible for one device; "
                                  "check the power unit (IFC's default is the watt)"))
        return None
    return round(kw, 6)
