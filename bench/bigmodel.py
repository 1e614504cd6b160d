"""Generate a large, realistic IFC4 submission for the benchmarks, as STEP text (fast at 1M entities).

The model is a government office (so PV-1's 50 % applies) with a basement car park and a PV roof,
written the way an authoring tool exports: every element has a placement, a swept-solid body,
a type (walls, columns, panels), a base-quantity set and a property set, each attached by its own
IfcRelDefinesByProperties. About 70 % of the elements are filler the checker must skip (walls,
columns, floor slabs, doors, furniture, rooms); the rest are what it reads: roof slabs, PV panels,
parking spaces and charging points.

    python bench/bigmodel.py OUT_FOLDER --entities 100000 [--no-quantities]

writes OUT_FOLDER/architecture.ifc and OUT_FOLDER/submission.yaml (with declared figures equal to
what the model holds, so the cross-checks agree). `--no-quantities` leaves the roof slabs and
panels without area quantities: their areas then come from geometry (the fallback).
"""

from __future__ import annotations

import argparse
import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ENTITIES_PER_ELEMENT = 16.6        # measured average over the mix below (elements -> entities)
PANEL_W, PANEL_D, PANEL_T, TILT = 1.0, 1.7, 0.04, 10.0
SLAB_W, SLAB_D, SLAB_T = 10.0, 20.0, 0.25
PANELS_PER_SLAB = 70                # 10 columns × 7 rows: about 59 % of the slab
STOREY_H = 4.0


def _real(x: float) -> str:
    return f"{x:.6f}".rstrip("0")           # STEP reals: "12." is valid, exponents are avoided


def _guid(n: int) -> str:
    import ifcopenshell.guid

    return ifcopenshell.guid.compress(uuid.UUID(int=0x6F1C2E0A3B7D5C9E8A412D5F0B9E0000 + n).hex)


@dataclass
class Writer:
    lines: list[str] = field(default_factory=list)
    next_id: int = 1
    guids: int = 0
    storey_elements: dict[int, list[int]] = field(default_factory=dict)     # contained in the storey
    storey_spaces: dict[int, list[int]] = field(default_factory=dict)       # aggregated by the storey
    typed: dict[int, list[int]] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=lambda: dict(roof=0.0, pv=0.0, peak_w=0.0, parking=0,
                                                                    chargers=0, dc=0, ready=0))

    def add(self, text: str) -> int:
        n = self.next_id
        self.lines.append(f"#{n}={text};")
        self.next_id += 1
        return n

    def guid(self) -> str:
        self.guids += 1
        return _guid(self.guids)

    def point(self, *xyz: float) -> int:
        return self.add(f"IFCCARTESIANPOINT(({','.join(_real(v) for v in xyz)}))")


class Builder:
    def __init__(self, quantities: bool = True) -> None:
        self.w = Writer()
        self.quantities = quantities
        w = self.w
        self.origin = w.point(0.0, 0.0, 0.0)
        self.z = w.add("IFCDIRECTION((0.,0.,1.))")
        self.x = w.add("IFCDIRECTION((1.,0.,0.))")
        self.world = w.add(f"IFCAXIS2PLACEMENT3D(#{self.origin},#{self.z},#{self.x})")
        self.origin2d = w.add("IFCCARTESIANPOINT((0.,0.))")
        units = [w.add("IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.)"), w.add("IFCSIUNIT(*,.AREAUNIT.,$,.SQUARE_METRE.)"),
                 w.add("IFCSIUNIT(*,.VOLUMEUNIT.,$,.CUBIC_METRE.)"), w.add("IFCSIUNIT(*,.POWERUNIT.,$,.WATT.)"),
                 w.add("IFCSIUNIT(*,.PLANEANGLEUNIT.,$,.RADIAN.)")]
        assignment = w.add(f"IFCUNITASSIGNMENT(({','.join(f'#{u}' for u in units)}))")
        ctx = w.add(f"IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.0E-5,#{self.world},$)")
        self.body = w.add(f"IFCGEOMETRICREPRESENTATIONSUBCONTEXT('Body','Model',*,*,*,*,#{ctx},$,.MODEL_VIEW.,$)")
        self.project = w.add(f"IFCPROJECT('{w.guid()}',$,'Bench project',$,$,$,$,(#{ctx}),#{assignment})")
        self.site_place = w.add(f"IFCLOCALPLACEMENT($,#{self.world})")
        self.site = w.add(f"IFCSITE('{w.guid()}',$,'Site',$,$,#{self.site_place},$,$,.ELEMENT.,(31,16,12,0),"
                          f"(121,31,12,0),0.,$,$)")
        self.building_place = w.add(f"IFCLOCALPLACEMENT(#{self.site_place},#{self.world})")
        self.building = w.add(f"IFCBUILDING('{w.guid()}',$,'Bench office',$,$,#{self.building_place},$,$,"
                              f".ELEMENT.,$,$,$)")
        self.types = {cls: w.add(f"IFC{cls}TYPE('{w.guid()}',$,'{name}',$,$,$,$,$,$,.{pre}.)")
                      for cls, name, pre in (("WALL", "Basic Wall:200 mm", "STANDARD"),
                                             ("COLUMN", "Concrete column 500", "COLUMN"),
                                             ("SOLARDEVICE", "PV module 400 W", "SOLARPANEL"))}

    # -- helpers -----------------------------------------------------------------------------------

    def placement(self, rel_to: int, x: float, y: float, z: float, tilt: float = 0.0) -> int:
        w = self.w
        pt = w.point(x, y, z)
        if tilt:
            t = math.radians(tilt)
            axis = w.add(f"IFCDIRECTION((0.,{_real(-math.sin(t))},{_real(math.cos(t))}))")
            a2p = w.add(f"IFCAXIS2PLACEMENT3D(#{pt},#{axis},#{self.x})")
        else:
            a2p = w.add(f"IFCAXIS2PLACEMENT3D(#{pt},$,$)")
        return w.add(f"IFCLOCALPLACEMENT(#{rel_to},#{a2p})")

    def box(self, xdim: float, ydim: float, depth: float) -> int:
        """A centred rectangle extruded upward: the body of most elements."""
        w = self.w
        pos2d = w.add(f"IFCAXIS2PLACEMENT2D(#{self.origin2d},$)")
        prof = w.add(f"IFCRECTANGLEPROFILEDEF(.AREA.,$,#{pos2d},{_real(xdim)},{_real(ydim)})")
        solid = w.add(f"IFCEXTRUDEDAREASOLID(#{prof},$,#{self.z},{_real(depth)})")
        rep = w.add(f"IFCSHAPEREPRESENTATION(#{self.body},'Body','SweptSolid',(#{solid}))")
        return w.add(f"IFCPRODUCTDEFINITIONSHAPE($,$,(#{rep}))")

    def qto(self, element: int, name: str, **values: tuple[str, float]) -> None:
        w = self.w
        qs = []
        for qname, (kind, value) in values.items():
            qs.append(w.add(f"IFCQUANTITY{kind}('{qname}',$,$,{_real(value)},$)"))
        q = w.add(f"IFCELEMENTQUANTITY('{w.guid()}',$,'{name}',$,$,({','.join(f'#{x}' for x in qs)}))")
        w.add(f"IFCRELDEFINESBYPROPERTIES('{w.guid()}',$,$,$,(#{element}),#{q})")

    def pset(self, element: int, name: str, **values: str) -> None:
        w = self.w
        props = [w.add(f"IFCPROPERTYSINGLEVALUE('{k}',$,{v},$)") for k, v in values.items()]
        p = w.add(f"IFCPROPERTYSET('{w.guid()}',$,'{name}',$,({','.join(f'#{x}' for x in props)}))")
        w.add(f"IFCRELDEFINESBYPROPERTIES('{w.guid()}',$,$,$,(#{element}),#{p})")

    def element(self, storey: int, text: str, type_key: str | None = None) -> int:
        el = self.w.add(text)
        into = self.w.storey_spaces if text.startswith("IFCSPACE(") else self.w.storey_elements
        into.setdefault(storey, []).append(el)
        if type_key:
            self.w.typed.setdefault(self.types[type_key], []).append(el)
        return el

    # -- building blocks ---------------------------------------------------------------------------

    def storey(self, name: str, elevation: float) -> tuple[int, int]:
        place = self.placement(self.building_place, 0.0, 0.0, elevation)
        st = self.w.add(f"IFCBUILDINGSTOREY('{self.w.guid()}',$,'{name}',$,$,#{place},$,$,.ELEMENT.,{_real(elevation)})")
        return st, place

    def wall(self, st: int, place: int, i: int, x: float, y: float) -> None:
        w = self.w
        el = self.element(st, f"IFCWALL('{w.guid()}',$,'Basic Wall:200 mm:{i}',$,$,{self._pb(place, x, y, 6.0, 0.2, 3.6)},"
                              f"$,.STANDARD.)", "WALL")
        self.qto(el, "Qto_WallBaseQuantities", Length=("LENGTH", 6.0), Height=("LENGTH", 3.6),
                 GrossSideArea=("AREA", 21.6))
        self.pset(el, "Pset_WallCommon", IsExternal="IFCBOOLEAN(.F.)", LoadBearing="IFCBOOLEAN(.T.)",
                  FireRating="IFCLABEL('2h')")

    def column(self, st: int, place: int, i: int, x: float, y: float) -> None:
        w = self.w
        el = self.element(st, f"IFCCOLUMN('{w.guid()}',$,'C-{i}',$,$,{self._pb(place, x, y, 0.5, 0.5, 3.6)},$,.COLUMN.)",
                          "COLUMN")
        self.qto(el, "Qto_ColumnBaseQuantities", Length=("LENGTH", 3.6), CrossSectionArea=("AREA", 0.25))
        self.pset(el, "Pset_ColumnCommon", LoadBearing="IFCBOOLEAN(.T.)")

    def furniture(self, st: int, place: int, i: int, x: float, y: float) -> None:
        w = self.w
        el = self.element(st, f"IFCFURNITURE('{w.guid()}',$,'Desk {i}',$,$,{self._pb(place, x, y, 1.6, 0.8, 0.75)},$,"
                              ".DESK.)")
        self.pset(el, "Pset_FurnitureTypeCommon", Style="IFCLABEL('office')", IsBuiltIn="IFCBOOLEAN(.F.)")

    def door(self, st: int, place: int, i: int, x: float, y: float) -> None:
        w = self.w
        el = self.element(st, f"IFCDOOR('{w.guid()}',$,'D-{i}',$,$,{self._pb(place, x, y, 0.9, 0.2, 2.1)},$,2.1,0.9,"
                              ".DOOR.,.SINGLE_SWING_LEFT.,$)")
        self.qto(el, "Qto_DoorBaseQuantities", Width=("LENGTH", 0.9), Height=("LENGTH", 2.1), Area=("AREA", 1.89))
        self.pset(el, "Pset_DoorCommon", FireRating="IFCLABEL('1h')", IsExternal="IFCBOOLEAN(.F.)")

    def room(self, st: int, place: int, i: int, x: float, y: float) -> None:
        w = self.w
        el = self.element(st, f"IFCSPACE('{w.guid()}',$,'R{i}','Office',$,{self._pb(place, x, y, 6.0, 6.0, 3.0)},"
                              "'Office',.ELEMENT.,.INTERNAL.,$)")
        self.qto(el, "Qto_SpaceBaseQuantities", NetFloorArea=("AREA", 36.0), GrossFloorArea=("AREA", 36.0))
        self.pset(el, "Pset_SpaceCommon", Reference="IFCIDENTIFIER('OFFICE')", IsExternal="IFCBOOLEAN(.F.)")

    def floor_slab(self, st: int, place: int, i: int) -> None:
        w = self.w
        el = self.element(st, f"IFCSLAB('{w.guid()}',$,'Floor {i}',$,$,{self._pb(place, 15.0, 10.0, 30.0, 20.0, 0.25)},"
                              "$,.FLOOR.)")
        self.qto(el, "Qto_SlabBaseQuantities", GrossArea=("AREA", 600.0), Width=("LENGTH", 0.25))

    def parking(self, st: int, place: int, i: int, x: float, y: float, ready: bool) -> None:
        w = self.w
        el = self.element(st, f"IFCSPACE('{w.guid()}',$,'P-{i}','车位',$,{self._pb(place, x, y, 2.5, 5.3, 2.4)},"
                              "$,.ELEMENT.,.PARKING.,$)")
        self.qto(el, "Qto_SpaceBaseQuantities", GrossFloorArea=("AREA", 13.25))
        self.pset(el, "YP_ParkingSpace", ChargerReady=f"IFCBOOLEAN(.{'T' if ready else 'F'}.)")
        w.figures["parking"] += 1
        w.figures["ready"] += ready

    def charger(self, st: int, place: int, i: int, x: float, y: float, dc: bool) -> None:
        w = self.w
        el = self.element(st, f"IFCOUTLET('{w.guid()}',$,'EV-{i}',$,'EVCHARGER',{self._pb(place, x, y, 0.5, 0.3, 1.6)},"
                              "$,.USERDEFINED.)")
        self.pset(el, "YP_EVCharger", RatedPower=f"IFCPOWERMEASURE({'60000.' if dc else '7000.'})",
                  CurrentType=f"IFCLABEL('{'DC' if dc else 'AC'}')")
        w.figures["chargers"] += 1
        w.figures["dc"] += dc

    def roof_slab(self, st: int, place: int, i: int, x: float, y: float) -> None:
        w = self.w
        el = self.element(st, f"IFCSLAB('{w.guid()}',$,'Roof {i}',$,$,{self._pb(place, x, y, SLAB_W, SLAB_D, SLAB_T)},"
                              "$,.ROOF.)")
        if self.quantities:
            self.qto(el, "Qto_SlabBaseQuantities", GrossArea=("AREA", SLAB_W * SLAB_D), Width=("LENGTH", SLAB_T))
        w.figures["roof"] += SLAB_W * SLAB_D

    def panel(self, st: int, place: int, i: int, x: float, y: float, z: float) -> None:
        w = self.w
        pl = self.placement(place, x, y, z, TILT)
        el = self.element(st, f"IFCSOLARDEVICE('{w.guid()}',$,'PV-{i}',$,$,#{pl},#{self.box(PANEL_W, PANEL_D, PANEL_T)},"
                              "$,.SOLARPANEL.)", "SOLARDEVICE")
        if self.quantities:
            self.qto(el, "Qto_SolarDeviceBaseQuantities", GrossArea=("AREA", PANEL_W * PANEL_D))
        self.pset(el, "YP_PVPanel", PeakPower="IFCPOWERMEASURE(400.)")
        w.figures["pv"] += PANEL_W * PANEL_D * math.cos(math.radians(TILT))
        w.figures["peak_w"] += 400.0

    def _pb(self, place: int, x: float, y: float, xd: float, yd: float, depth: float) -> str:
        return f"#{self.placement(place, x, y, 0.0)},#{self.box(xd, yd, depth)}"

    # -- relationships and output ------------------------------------------------------------------

    def relate(self, storeys: list[int]) -> None:
        w = self.w
        w.add(f"IFCRELAGGREGATES('{w.guid()}',$,$,$,#{self.project},(#{self.site}))")
        w.add(f"IFCRELAGGREGATES('{w.guid()}',$,$,$,#{self.site},(#{self.building}))")
        w.add(f"IFCRELAGGREGATES('{w.guid()}',$,$,$,#{self.building},({','.join(f'#{s}' for s in storeys)}))")
        for st, spaces in w.storey_spaces.items():
            w.add(f"IFCRELAGGREGATES('{w.guid()}',$,$,$,#{st},({','.join(f'#{e}' for e in spaces)}))")
        for st, others in w.storey_elements.items():
            w.add(f"IFCRELCONTAINEDINSPATIALSTRUCTURE('{w.guid()}',$,$,$,({','.join(f'#{e}' for e in others)}),#{st})")
        for typ, elements in w.typed.items():
            w.add(f"IFCRELDEFINESBYTYPE('{w.guid()}',$,$,$,({','.join(f'#{e}' for e in elements)}),#{typ})")

    def text(self) -> str:
        header = ("ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [DesignTransferView]'),'2;1');\n"
                  "FILE_NAME('architecture.ifc','2025-01-01T00:00:00',('bench'),('compliance'),'bench','bench','');\n"
                  "FILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n")
        return header + "\n".join(self.w.lines) + "\nENDSEC;\nEND-ISO-10303-21;\n"


def build(entities: int, quantities: bool = True) -> Builder:
    """A model of about `entities` instances."""
    b = Builder(quantities)
    elements = max(60, int(entities / ENTITIES_PER_ELEMENT))
    slabs = max(1, round(elements * 6 / 100 / PANELS_PER_SLAB))   # about 6 % of the elements are PV panels
    panels = slabs * PANELS_PER_SLAB
    parking = max(10, elements * 4 // 100)              # 4 % parking spaces, 20 % with a charger
    chargers = max(2, math.ceil(parking / 5))
    filler = elements - panels - slabs - parking - chargers
    floors = max(1, filler // 250)
    storeys = []
    basement, b_place = b.storey("B1", -STOREY_H)
    storeys.append(basement)
    for i in range(parking):
        b.parking(basement, b_place, i, 2.5 * (i % 40), 6.0 * (i // 40), ready=i % 5 < 2)
    for i in range(chargers):
        b.charger(basement, b_place, i, 2.5 * (i % 40) + 1.25, 6.0 * (i // 40), dc=i % 3 == 0)
    makers = (b.wall, b.wall, b.wall, b.column, b.furniture, b.furniture, b.door, b.room)
    per_floor = max(1, filler // floors)
    n = 0
    for f in range(floors):
        st, place = b.storey(f"F{f + 1}", f * STOREY_H)
        storeys.append(st)
        b.floor_slab(st, place, f)
        for j in range(per_floor - 1):
            makers[j % len(makers)](st, place, n, 1.0 * (j % 30), 1.0 * (j // 30))
            n += 1
    roof_z = floors * STOREY_H
    roof, r_place = b.storey("RF", roof_z)
    storeys.append(roof)
    for s in range(slabs):
        x0, y0 = 12.0 * (s % 20), 22.0 * (s // 20)
        b.roof_slab(roof, r_place, s, x0 + SLAB_W / 2, y0 + SLAB_D / 2)
        for k in range(PANELS_PER_SLAB):
            row, col = divmod(k, 10)                       # rows of 10 panels, 1.0 × 1.7 m at 10°
            b.panel(roof, r_place, PANELS_PER_SLAB * s + k, x0 + 0.5 + col * 1.0, y0 + 2.0 + row * 2.4,
                    SLAB_T + 0.3)
    b.relate(storeys)
    building_area = 600.0 * (floors + 1)
    b.qto(b.building, "Qto_BuildingBaseQuantities", GrossFloorArea=("AREA", building_area))
    b.pset(b.building, "Pset_BuildingCommon", OccupancyType="IFCLABEL('Office')",
           NumberOfStoreys=f"IFCINTEGER({floors + 1})")
    b.gross_floor_area = building_area
    b.storeys_above = floors + 1
    return b


SUBMISSION = """\
# Generated by bench/bigmodel.py for the benchmarks.
id: BENCH-{tag}
name: 性能基准办公楼（{entities} 实体）
name_en: Benchmark office ({entities} entities)
kind: new
filed_on: 2025-04-15
use: government_office
public_institution: true
models: [architecture.ifc]
gross_floor_area_m2: {gfa}
declared:
  roof_area_m2: {roof}
  pv_area_m2: {pv}
  pv_peak_power_kw: {peak}
  storeys_above_ground: {above}
  parking_spaces: {parking}
  charging_points: {chargers}
  fast_charging_points: {dc}
  charger_ready_spaces: {ready}
  renewable_systems: [pv]
green_building:
  claimed: 2-star
  certificate: 沪绿建预评〔2025〕0999号
  prerequisites_met: true
  full_fit_out: true
  technical_requirements_met: true
  scores: {{safety_durability: 85, health_comfort: 85, occupant_convenience: 60, resource_saving: 150,
    environment_livability: 80, innovation: 0}}
energy: {{renewable_substitution_rate_pct: 15.0}}
measures: [green_construction, bim, pv_storage_dc_flexible]
"""


def write_submission(folder: Path, entities: int, quantities: bool = True, tag: str | None = None) -> dict:
    """Write folder/architecture.ifc + submission.yaml; returns what was written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    b = build(entities, quantities)
    (folder / "architecture.ifc").write_text(b.text(), encoding="utf-8")
    f = b.w.figures
    (folder / "submission.yaml").write_text(SUBMISSION.format(
        tag=tag or f"{entities}", entities=entities, gfa=b.gross_floor_area, roof=round(f["roof"], 2),
        pv=round(f["pv"], 2), peak=round(f["peak_w"] / 1000, 2), above=b.storeys_above, parking=f["parking"],
        chargers=f["chargers"], dc=f["dc"], ready=f["ready"]), encoding="utf-8")
    return {"entities": b.w.next_id - 1, "bytes": (folder / "architecture.ifc").stat().st_size, **f}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--no-quantities", action="store_true")
    args = parser.parse_args()
    print(write_submission(args.folder, args.entities, not args.no_quantities))


if __name__ == "__main__":
    main()
