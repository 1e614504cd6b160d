"""Building blocks of the sample generator: the elements the checker reads, each written the way
docs/ifc-conventions.md describes it. Positions and areas are given in m and m²; the model
converts them to its units. Every block adds what it builds to the model's expected figures.
"""

from __future__ import annotations

import math

from builder import ROOF_LEVEL_M, SLAB_M, Model, api

# -- roofs and PV -----------------------------------------------------------------------------

def roof_slab(m: Model, name: str, x0: float, y0: float, w: float, d: float, *, parent=None,
              tilt: float = 0.0, quantities: bool = True, z: float = ROOF_LEVEL_M,
              body: bool = True, gross_area: float | None = None):
    """A ROOF slab covering [x0, x0+w] × [y0, y0+d] (tilted slabs keep that centre).
    `gross_area` overrides the quantity written (a wrong figure); the expectation stays true."""
    slab = m.add("IfcSlab", name, parent=parent, predefined="ROOF")
    if body:
        m.box(slab, w, d, SLAB_M, (x0 + w / 2, y0 + d / 2, z), tilt)
    if quantities:
        m.areas(slab, "Qto_SlabBaseQuantities", GrossArea=w * d if gross_area is None else gross_area)
    m.roof_m2 += w * d * math.cos(math.radians(tilt))
    return slab


def panel_grid(m: Model, region, count: int, w: float, d: float, tilt: float = 0.0, *,
               prefix: str = "PV", proxy: bool = False, start: int = 1, z: float = ROOF_LEVEL_M + 0.6,
               storey=None, quantities: bool = True, peak_w: float | None = None) -> list:
    """`count` w × d panels in rows over region (x0, y0, x1, y1), raised above the roof."""
    x0, y0, x1, y1 = region
    cols = int((x1 - x0 + 0.5) // (w + 0.5))
    pitch = d * math.cos(math.radians(tilt)) + 0.6
    rows = math.ceil(count / cols)
    assert cols >= 1 and rows * pitch - 0.6 <= y1 - y0 + 1e-9, f"{count} panels do not fit {region}"
    panels = []
    for i in range(count):
        row, col = divmod(i, cols)
        at = (x0 + w / 2 + col * (w + 0.5), y0 + pitch / 2 + row * pitch, z)
        panels.append(pv_panel(m, f"{prefix}-{start + i:02d}", w, d, at, tilt, proxy,
                               storey=storey, quantities=quantities, peak_w=peak_w))
    return panels


def pv_panel(m: Model, name: str, w: float, d: float, at, tilt: float, proxy: bool, *,
             storey=None, quantities: bool = True, peak_w: float | None = None):
    if proxy:     # IFC2X3 convention: no IfcSolarDevice, so a proxy typed by ObjectType
        panel = m.add("IfcBuildingElementProxy", name, storey=storey, object_type="SOLARPANEL")
    else:
        panel = m.add("IfcSolarDevice", name, storey=storey, predefined="SOLARPANEL")
    m.box(panel, w, d, 0.04, at, tilt)
    if quantities:
        m.areas(panel, "Qto_SolarDeviceBaseQuantities", GrossArea=w * d)
    if peak_w is not None:
        pv_peak(m, panel, peak_w)
    m.pv_m2 += w * d * math.cos(math.radians(tilt))
    m.panels.append(panel)
    return panel


def pv_peak(m: Model, element, watts: float) -> None:
    """YP_PVPanel.PeakPower (IfcPowerMeasure) on a panel or a panel type."""
    m.pset(element, "YP_PVPanel", PeakPower=m.power(watts))
    m.peaks[element.id()] = watts


def pv_type(m: Model, panels: list, name: str, peak_w: float | None = None):
    """An IfcSolarDeviceType SOLARPANEL for `panels`; assign_type clears the occurrences'
    PredefinedType, and every other one is set back to NOTDEFINED (both forms occur in practice)."""
    panel_type = api.root.create_entity(m.ifc, ifc_class="IfcSolarDeviceType", name=name,
                                        predefined_type="SOLARPANEL")
    api.type.assign_type(m.ifc, related_objects=panels, relating_type=panel_type)
    for panel in panels[::2]:
        panel.PredefinedType = "NOTDEFINED"
    if peak_w is not None:
        pv_peak(m, panel_type, peak_w)
    return panel_type


def solar_collector(m: Model, at, storey=None) -> None:
    """Solar hot water (SOLARCOLLECTOR): renewable, but never PV."""
    collector = m.add("IfcSolarDevice", "太阳能热水集热器 solar water heater", storey=storey, predefined="SOLARCOLLECTOR")
    m.box(collector, 4.0, 3.0, 0.1, at, 30.0)
    m.areas(collector, "Qto_SolarDeviceBaseQuantities", GrossArea=12.0)
    m.figures["solar_thermal"] += 1


# -- building, storeys, spaces ----------------------------------------------------------------

def ground_floor(m: Model, w: float, d: float) -> None:
    """Floor slab (FLOOR, with an area the checker must ignore) and four external walls."""
    floor = m.add("IfcSlab", "一层楼板 ground floor slab", storey=m.ground, predefined="FLOOR")
    m.box(floor, w, d, 0.2, (w / 2, d / 2, -0.2))
    m.areas(floor, "Qto_SlabBaseQuantities", GrossArea=w * d)
    walls = [("南墙 south wall", w, (w / 2, 0.1), 0), ("北墙 north wall", w, (w / 2, d - 0.1), 0),
             ("西墙 west wall", d, (0.1, d / 2), 90), ("东墙 east wall", d, (w - 0.1, d / 2), 90)]
    for name, length, (x, y), yaw in walls:
        wall = m.add("IfcWall", name, storey=m.ground)
        m.box(wall, length, 0.2, ROOF_LEVEL_M, (x, y, 0.0), yaw=yaw)
        m.areas(wall, "Qto_WallBaseQuantities", GrossSideArea=length * ROOF_LEVEL_M)


def building_figures(m: Model, *, occupancy: str | None = None, storey_gfa: dict | None = None,
                     gfa: float | None = None, storeys_declared: int | None = None) -> None:
    """Pset_BuildingCommon (OccupancyType, NumberOfStoreys: types from the schema's template) and
    Qto_BuildingBaseQuantities.GrossFloorArea on the building; storeys' own GrossFloorArea."""
    props = {k: v for k, v in (("OccupancyType", occupancy), ("NumberOfStoreys", storeys_declared)) if v is not None}
    if props:
        m.pset(m.building, "Pset_BuildingCommon", **props)
    for name, area in (storey_gfa or {}).items():
        m.areas(m.storeys[name], "Qto_BuildingStoreyBaseQuantities", GrossFloorArea=area)
    if gfa is not None:
        m.areas(m.building, "Qto_BuildingBaseQuantities", GrossFloorArea=gfa)
        m.figures["gfa_m2"] += gfa
    m.figures["storeys_above"] = sum(1 for e in m.storeys.values() if e.Elevation >= 0)
    m.figures["storeys_below"] = len(m.storeys) - m.figures["storeys_above"]


def parking_space(m: Model, name: str, x0: float, y0: float, storey, *, w: float = 2.5, d: float = 5.3,
                  ready: bool | None = None, units: int | None = None, aisle: bool = False):
    """A parking space [x0, x0+w] × [y0, y0+d] on `storey`: IfcSpace PARKING (IFC4+) or ObjectType
    PARKINGSPACE (IFC2X3), a 2.4 m box body and Qto_SpaceBaseQuantities.GrossFloorArea.
    `ready`: YP_ParkingSpace.ChargerReady TRUE or FALSE (None: not stated, which the checker reads
    as unknown, not as "not ready"); `units`: Pset_SpaceParking.ParkingUnits; `aisle`: IsAisle."""
    if m.schema == "IFC2X3":
        space = m.add("IfcSpace", name, parent=storey, object_type="PARKINGSPACE")
        space.CompositionType, space.InteriorOrExteriorSpace = "ELEMENT", "INTERNAL"
    else:
        space = m.add("IfcSpace", name, parent=storey, predefined="PARKING")
    m.box(space, w, d, 2.4, (x0 + w / 2, y0 + d / 2, storey.Elevation * m.scale))
    m.areas(space, "Qto_SpaceBaseQuantities", GrossFloorArea=w * d)
    if aisle or units is not None:
        m.pset(space, "Pset_SpaceParking", **({"IsAisle": True} if aisle else {"ParkingUnits": units}))
    if ready is not None:
        m.pset(space, "YP_ParkingSpace", ChargerReady=m.boolean(ready))
    m.figures["parking"] += 0 if aisle else (units or 1)
    m.figures["charger_ready"] += 1 if ready and not aisle else 0
    return space


def ev_charger(m: Model, name: str, at, storey, *, watts: float, current: str):
    """A charging point: IfcElectricFlowStorageDevice RECHARGER (IFC4X3), IfcOutlet USERDEFINED
    'EVCHARGER' (IFC4) or a proxy 'EVCHARGER' (IFC2X3, which has no IfcOutlet occurrence), with
    YP_EVCharger.RatedPower and CurrentType (AC/DC)."""
    if m.schema.startswith("IFC4X3"):
        charger = m.add("IfcElectricFlowStorageDevice", name, storey=storey, predefined="RECHARGER")
    elif m.schema == "IFC2X3":
        charger = m.add("IfcBuildingElementProxy", name, storey=storey, object_type="EVCHARGER")
    else:
        charger = m.add("IfcOutlet", name, storey=storey, predefined="USERDEFINED", object_type="EVCHARGER")
    m.box(charger, 0.5, 0.3, 1.6, at)
    m.pset(charger, "YP_EVCharger", RatedPower=m.power(watts), CurrentType=m.label(current))
    m.figures["chargers_" + current.lower()] += 1
    return charger


def parking_row(m: Model, count: int, storey, x0: float, y0: float, *, ready: int | None = 0,
                first: int = 1) -> list:
    """`count` spaces side by side from (x0, y0); the first `ready` are charger-ready, and the others
    say they are not (YP_ParkingSpace.ChargerReady FALSE); `ready=None`: none says either way."""
    return [parking_space(m, f"车位 P-{first + i:02d}", x0 + 2.5 * i, y0, storey,
                          ready=None if ready is None else i < ready) for i in range(count)]


def charger_row(m: Model, chargers, storey, x0: float, y0: float) -> list:
    """Charging points from (kW, 'AC'/'DC') pairs, wall-mounted 2.5 m apart from (x0, y0)."""
    out = []
    for i, (kw, current) in enumerate(chargers):
        out.append(ev_charger(m, f"充电桩 {current}-{i + 1} {kw:g} kW", (x0 + 1.25 + 2.5 * i, y0, storey.Elevation * m.scale),
                              storey, watts=kw * 1000.0, current=current))
    return out


def bipv_strips(m: Model, slab_centre, tilt: float, count: int, w: float, d: float, x0: float) -> list:
    """Building-integrated PV: `count` w × d strips laid in the plane of a sloped roof slab
    (centred on `slab_centre`, tilted `tilt`°), just above its top face, from x0 along X."""
    cx, cy, cz = slab_centre
    c, s = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
    lift = SLAB_M + 0.01                          # the slab's top face, plus 1 cm
    panels = []
    for i in range(count):
        at = (x0 + w / 2 + i * (w + 0.5), cy - s * lift, cz + c * lift)
        panels.append(pv_panel(m, f"BIPV-{i + 1:02d}", w, d, at, tilt, False))
    return panels


# -- systems and decoys -----------------------------------------------------------------------

HEAT_PUMPS = {"GROUND": ("地源热泵机组 GSHP-1", "GroundSourceHeatPump"),
              "WATER": ("水源热泵机组 WSHP-1", "WaterSourceHeatPump"),
              "AIR": ("空气源热泵机组 ASHP-1", "AirSourceHeatPump"),
              None: ("热泵机组 HP-1", "HeatPump")}           # no source stated: does not count (RE-1)


def heat_pump(m: Model, at, storey, medium: str | None = "GROUND") -> None:
    """An IfcUnitaryEquipment USERDEFINED heat pump with YP_HeatPump.SourceMedium (none when
    `medium` is None: whether it uses a renewable source cannot be told)."""
    name, object_type = HEAT_PUMPS[medium]
    pump = m.add("IfcUnitaryEquipment", name, storey=storey, predefined="USERDEFINED", object_type=object_type)
    m.box(pump, 3.0, 1.5, 2.0, at)
    if medium is not None:
        m.pset(pump, "YP_HeatPump", SourceMedium=m.label(medium))
        m.figures["heat_pump"] += 1


def heat_recovery(m: Model, at, storey=None) -> None:
    """An energy-recovery ventilator (IfcAirToAirHeatRecovery): heat from the building's own exhaust
    air, an efficiency measure and not a renewable source (RE-1 does not count it)."""
    unit = m.add("IfcAirToAirHeatRecovery", "新风热回收机组 ERV-1", storey=storey, predefined="ROTARYWHEEL")
    m.box(unit, 3.0, 2.0, 1.5, at)
    m.figures["exhaust_heat_recovery"] += 1


def waste_heat_exchanger(m: Model, at, storey) -> None:
    """Waste-heat recovery by its ObjectType: an IfcHeatExchanger USERDEFINED 'WasteHeatRecovery'
    (e.g. a data centre's server heat reused for domestic hot water)."""
    unit = m.add("IfcHeatExchanger", "余热回收换热器 waste-heat recovery HX-1", storey=storey,
                 predefined="USERDEFINED", object_type="WasteHeatRecovery")
    m.box(unit, 2.0, 1.2, 1.8, at)
    m.pset(unit, "YP_HeatRecovery", HeatSource=m.label("data_centre"))
    m.figures["waste_heat_recovery"] += 1


def decoy_room(m: Model, name: str, at, storey, w: float = 6.0, d: float = 6.0) -> None:
    """A proxy whose name sounds like equipment: names never count."""
    room = m.add("IfcBuildingElementProxy", name, storey=storey, object_type="EQUIPMENTROOM")
    m.box(room, w, d, 3.0, at)
    m.areas(room, "BaseQuantities", GrossArea=w * d)


def inverter_room(m: Model) -> None:
    """A proxy whose name says PV: names never make a panel, so it must not be counted."""
    room = m.add("IfcBuildingElementProxy", "PV inverter room", storey=m.ground, object_type="EQUIPMENTROOM")
    m.box(room, 6.0, 6.0, 3.0, (4.0, 4.0, 0.0))
    m.areas(room, "BaseQuantities", GrossArea=36.0)


def arrays_school(m: Model) -> None:
    """The pass-school building: an IfcRoof (with matching quantities) aggregating two flat ROOF
    slabs (900 m²), 24 PV arrays of 20 m² tilted 10° (half typed), a solar collector."""
    ground_floor(m, 50.0, 20.0)
    roof = m.add("IfcRoof", "屋面 roof", predefined="FLAT_ROOF")
    m.place(roof, (0.0, 0.0, ROOF_LEVEL_M))
    roof_slab(m, "屋面板 A roof slab A", 0.0, 0.0, 30.0, 20.0, parent=roof)
    roof_slab(m, "屋面板 B roof slab B", 30.0, 0.0, 20.0, 15.0, parent=roof)
    m.areas(roof, "Qto_RoofBaseQuantities", GrossArea=900.0, ProjectedArea=900.0)
    panels = panel_grid(m, (0.0, 0.0, 30.0, 20.0), 20, 5.0, 4.0, 10.0)
    panels += panel_grid(m, (30.0, 0.0, 50.0, 15.0), 4, 5.0, 4.0, 10.0, start=21)
    pv_type(m, panels[:12], "PV array 5×4 m")
    solar_collector(m, (40.0, 13.0, ROOF_LEVEL_M + 0.6))
