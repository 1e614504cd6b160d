"""Property values to SI, with a finding where a unit cannot be told."""

from __future__ import annotations

from .ifcfile import IfcIndex, PropValue
from .records import Note, note

POWER_MEASURES = ("IfcPowerMeasure",)
PLAUSIBLE_KW = (1e-3, 1e5)     # one panel or charging point outside this range is suspect


def power_kw(index: IfcIndex, prop: PropValue, element, notes: list[Note]) -> float | None:
    """A power property in kW; None (with a finding) when it is not a power measure or implausible."""
    label = f"{element.is_a()} {element.GlobalId}"
    value = prop.value
    if prop.measure not in POWER_MEASURES or isinstance(value, bool) or not isinstance(value, (int, float)):
        notes.append(note("units.power_unitless", index.info.file,
                          f"{label}: {prop.source} = {prop.value!r} is a {prop.measure}, not an "
                          "IfcPowerMeasure; its unit cannot be told, so it is not used",
                          f"{label}：{prop.source} = {prop.value!r} 的类型为 {prop.measure}，不是 IfcPowerMeasure，"
                          "无法判断其单位，未予采用", (element.GlobalId,), "uncertain"))
        return None
    scale = prop.own_scale if prop.own_scale is not None else index.power_scale_w
    kw = float(value) * scale / 1000.0
    if not PLAUSIBLE_KW[0] <= kw <= PLAUSIBLE_KW[1]:
        notes.append(note("units.power_implausible", index.info.file,
                          f"{label}: {prop.source} gives {kw:g} kW, implausible for one device; "
                          "check the power unit (IFC's default is the watt)",
                          f"{label}：{prop.source} 为 {kw:g} kW，单台设备不合常理，请核对功率单位（IFC 默认单位为瓦）",
                          (element.GlobalId,), "uncertain"))
        return None
    return round(kw, 6)
