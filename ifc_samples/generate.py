"""Generate the bundled sample submissions (submission.yaml + IFC models), deterministically.

    .venv/bin/python ifc_samples/generate.py [--out DIR]      # default DIR: this folder

Each sample folder's name starts with its expected verdict (pass-, fail-, incomplete-, na-).
Running the script twice writes byte-identical files: GlobalIds are uuid5 values derived
from the sample, model and creation order, the STEP header carries a fixed time stamp and
IFC2X3 owner histories carry a fixed date (IFC4 models have no owner history at all).
"""

from __future__ import annotations

import argparse
import datetime
import math
import uuid
from pathlib import Path

import numpy as np
import yaml

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.geometry
import ifcopenshell.api.owner
import ifcopenshell.api.profile
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.type
import ifcopenshell.api.unit
import ifcopenshell.guid

api = ifcopenshell.api
HERE = Path(__file__).resolve().parent
GUID_NAMESPACE = uuid.UUID("6f1c2e0a-3b7d-5c9e-8a41-2d5f0b9e7c13")
FIXED_STAMP = "2025-01-01T00:00:00+08:00"
FIXED_EPOCH = 1735660800                      # 2025-01-01 00:00 +08:00
ROOF_LEVEL_M = 18.0
SLAB_M = 0.25                                 # roof slab thickness
YANGPU_LAT, YANGPU_LON = (31, 16, 12, 0), (121, 31, 12, 0)   # ≈ 31.27 N, 121.52 E


class Model:
    """One IFC file: units, contexts, Project > Site > Building > (F1, RF), and helpers."""

    def __init__(self, sample: str, filename: str, schema: str = "IFC4", millimetres: bool = False):
        self.sample, self.filename, self.schema = sample, filename, schema
        self.scale = 0.001 if millimetres else 1.0      # metres per project length unit
        self.ifc = api.project.create_file(version=schema)
        self.roof_m2 = 0.0                              # expected projected areas, m²
        self.pv_m2 = 0.0
        self.roof_missing = False                       # True: the roof has geometry but no area
        if schema == "IFC2X3":
            self._owner()
        self._project(millimetres)
        self._spatial()
        self.shared = {e.id() for e in self.ifc.by_type("IfcRoot")}   # same GlobalIds in every model of a sample

    def _owner(self) -> None:
        """IFC2X3 requires an owner history on every rooted entity."""
        person = api.owner.add_person(self.ifc, identification="SAMPLE", family_name="Sample",
                                      given_name="Generator")
        org = api.owner.add_organisation(self.ifc, identification="YPSAMPLE", name="Yangpu samples")
        api.owner.add_person_and_organisation(self.ifc, person=person, organisation=org)
        api.owner.add_application(self.ifc, version="1.0",
                                  application_full_name="Yangpu compliance sample generator",
                                  application_identifier="yangpu-samples")

    def _project(self, millimetres: bool) -> None:
        self.project = api.root.create_entity(self.ifc, ifc_class="IfcProject", name=self.sample)
        units = [
            api.unit.add_si_unit(self.ifc, unit_type="LENGTHUNIT", prefix="MILLI" if millimetres else None),
            api.unit.add_si_unit(self.ifc, unit_type="AREAUNIT"),
            api.unit.add_si_unit(self.ifc, unit_type="VOLUMEUNIT"),
            api.unit.add_si_unit(self.ifc, unit_type="PLANEANGLEUNIT"),
        ]
        api.unit.assign_unit(self.ifc, units=units)
        model = api.context.add_context(self.ifc, context_type="Model")
        self.body = api.context.add_context(self.ifc, context_type="Model", context_identifier="Body",
                                            target_view="MODEL_VIEW", parent=model)

    def _spatial(self) -> None:
        site = self._spatial_child("IfcSite", "杨浦区项目用地", self.project)
        site.RefLatitude, site.RefLongitude, site.RefElevation = YANGPU_LAT, YANGPU_LON, 4.0 / self.scale
        building = self._spatial_child("IfcBuilding", "主楼", site)
        self.ground = self._spatial_child("IfcBuildingStorey", "F1", building, 0.0)
        self.roof_level = self._spatial_child("IfcBuildingStorey", "RF", building, ROOF_LEVEL_M)

    def _spatial_child(self, ifc_class: str, name: str, parent, elevation: float | None = None):
        element = api.root.create_entity(self.ifc, ifc_class=ifc_class, name=name)
        api.aggregate.assign_object(self.ifc, products=[element], relating_object=parent)
        self.place(element, (0.0, 0.0, elevation or 0.0))
        if elevation is not None:
            element.Elevation = elevation / self.scale
        return element

    # -- elements --------------------------------------------------------------------------

    def add(self, ifc_class: str, name: str, *, storey=None, parent=None, predefined=None, object_type=None):
        element = api.root.create_entity(self.ifc, ifc_class=ifc_class, name=name, predefined_type=predefined)
        if object_type is not None:
            element.ObjectType = object_type
        if parent is not None:
            api.aggregate.assign_object(self.ifc, products=[element], relating_object=parent)
        else:
            api.spatial.assign_container(self.ifc, products=[element],
                                         relating_structure=storey or self.roof_level)
        return element

    def box(self, element, xdim: float, ydim: float, depth: float, at, tilt: float = 0.0, yaw: float = 0.0):
        """Body = one IfcExtrudedAreaSolid of an xdim × ydim (m) rectangle, centred on `at` (m),
        tilted by `tilt` degrees about X (the slope the checker reads) and turned by `yaw` about Z."""
        profile = api.profile.add_parameterized_profile(self.ifc, ifc_class="IfcRectangleProfileDef")
        profile.XDim, profile.YDim = xdim / self.scale, ydim / self.scale
        profile.Position = self.ifc.createIfcAxis2Placement2D(self.ifc.createIfcCartesianPoint((0.0, 0.0)))
        rep = api.geometry.add_profile_representation(self.ifc, context=self.body, profile=profile,
                                                      depth=depth, cardinal_point=None)
        api.geometry.assign_representation(self.ifc, product=element, representation=rep)
        self.place(element, at, tilt, yaw)

    def place(self, element, at, tilt: float = 0.0, yaw: float = 0.0) -> None:
        api.geometry.edit_object_placement(self.ifc, product=element, matrix=_matrix(*at, tilt, yaw))

    def areas(self, element, qset: str, **values: float) -> None:
        qto = api.pset.add_qto(self.ifc, product=element, name=qset)
        api.pset.edit_qto(self.ifc, qto=qto, properties={k: float(v) for k, v in values.items()})

    # -- output ----------------------------------------------------------------------------

    def save(self, folder: Path) -> Path:
        for i, element in enumerate(sorted(self.ifc.by_type("IfcRoot"), key=lambda e: e.id())):
            scope = "spatial" if element.id() in self.shared else self.filename
            element.GlobalId = ifcopenshell.guid.compress(uuid.uuid5(GUID_NAMESPACE, f"{self.sample}/{scope}/{i}").hex)
        histories = self.ifc.by_type("IfcOwnerHistory")     # IFC2X3 only: keep one, fixed date
        for element in self.ifc.by_type("IfcRoot") if histories else ():
            element.OwnerHistory = histories[0]
        for history in histories[1:]:
            self.ifc.remove(history)
        if histories:
            histories[0].CreationDate = histories[0].LastModifiedDate = FIXED_EPOCH
        header = self.ifc.header.file_name
        header.name, header.time_stamp = self.filename, FIXED_STAMP
        header.author, header.organization = ("Yangpu compliance samples",), ("ifc_samples/generate.py",)
        header.preprocessor_version = header.originating_system = "IfcOpenShell (ifc_samples/generate.py)"
        path = folder / self.filename
        self.ifc.write(str(path))
        return path


def _matrix(x: float, y: float, z: float, tilt: float = 0.0, yaw: float = 0.0) -> np.ndarray:
    """World placement in metres: translate, turn by `yaw` about Z, tilt by `tilt` about X (degrees)."""
    c, s = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
    tilt_m = np.array([[1.0, 0, 0, 0], [0, c, -s, 0], [0, s, c, 0], [0, 0, 0, 1.0]])
    c, s = round(math.cos(math.radians(yaw)), 12), round(math.sin(math.radians(yaw)), 12)
    yaw_m = np.array([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]])
    move = np.eye(4)
    move[:3, 3] = (x, y, z)
    return move @ yaw_m @ tilt_m


# -- building blocks --------------------------------------------------------------------------

def roof_slab(m: Model, name: str, x0: float, y0: float, w: float, d: float, *, parent=None,
              tilt: float = 0.0, quantities: bool = True, z: float = ROOF_LEVEL_M):
    """A ROOF slab covering [x0, x0+w] × [y0, y0+d] (tilted slabs keep that centre)."""
    slab = m.add("IfcSlab", name, parent=parent, predefined="ROOF")
    m.box(slab, w, d, SLAB_M, (x0 + w / 2, y0 + d / 2, z), tilt)
    if quantities:
        m.areas(slab, "Qto_SlabBaseQuantities", GrossArea=w * d)
    m.roof_m2 += w * d * math.cos(math.radians(tilt))
    return slab


def panel_grid(m: Model, region, count: int, w: float, d: float, tilt: float = 0.0, *,
               prefix: str = "PV", proxy: bool = False, start: int = 1) -> list:
    """`count` w × d panels in rows over region (x0, y0, x1, y1), raised above the roof."""
    x0, y0, x1, y1 = region
    cols = int((x1 - x0 + 0.5) // (w + 0.5))
    pitch = d * math.cos(math.radians(tilt)) + 0.6
    rows = math.ceil(count / cols)
    assert cols >= 1 and rows * pitch - 0.6 <= y1 - y0 + 1e-9, f"{count} panels do not fit {region}"
    panels = []
    for i in range(count):
        row, col = divmod(i, cols)
        at = (x0 + w / 2 + col * (w + 0.5), y0 + pitch / 2 + row * pitch, ROOF_LEVEL_M + 0.6)
        panels.append(pv_panel(m, f"{prefix}-{start + i:02d}", w, d, at, tilt, proxy))
    return panels


def pv_panel(m: Model, name: str, w: float, d: float, at, tilt: float, proxy: bool):
    if proxy:     # IFC2X3 convention: no IfcSolarDevice, so a proxy typed by ObjectType
        panel = m.add("IfcBuildingElementProxy", name, object_type="SOLARPANEL")
    else:
        panel = m.add("IfcSolarDevice", name, predefined="SOLARPANEL")
    m.box(panel, w, d, 0.04, at, tilt)
    m.areas(panel, "Qto_SolarDeviceBaseQuantities", GrossArea=w * d)
    m.pv_m2 += w * d * math.cos(math.radians(tilt))
    return panel


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


def inverter_room(m: Model) -> None:
    """A proxy whose name says PV: names never make a panel, so it must not be counted."""
    room = m.add("IfcBuildingElementProxy", "PV inverter room", storey=m.ground, object_type="EQUIPMENTROOM")
    m.box(room, 6.0, 6.0, 3.0, (4.0, 4.0, 0.0))
    m.areas(room, "BaseQuantities", GrossArea=36.0)


# -- the samples ------------------------------------------------------------------------------

def meta(id_, name, name_en, use, filed_on, models, **extra) -> dict:
    doc = {"id": id_, "name": name, "name_en": name_en, "kind": extra.pop("kind", "new"),
           "filed_on": datetime.date.fromisoformat(filed_on), "use": use, "public_institution": extra.pop("public_institution", True)}
    doc.update(zone=extra.pop("zone", None), models=models, applicant=extra.pop("applicant", "上海某建筑设计研究院有限公司"))
    doc.update(extra)
    return {k: v for k, v in doc.items() if v is not None}


def pass_school():
    m = Model("pass-school", "architecture.ifc")
    ground_floor(m, 50.0, 20.0)
    roof = m.add("IfcRoof", "屋面 roof", predefined="FLAT_ROOF")
    m.place(roof, (0.0, 0.0, ROOF_LEVEL_M))
    roof_slab(m, "屋面板 A roof slab A", 0.0, 0.0, 30.0, 20.0, parent=roof)
    roof_slab(m, "屋面板 B roof slab B", 30.0, 0.0, 20.0, 15.0, parent=roof)
    m.areas(roof, "Qto_RoofBaseQuantities", GrossArea=900.0, ProjectedArea=900.0)
    panels = panel_grid(m, (0.0, 0.0, 30.0, 20.0), 20, 5.0, 4.0, 10.0)
    panels += panel_grid(m, (30.0, 0.0, 50.0, 15.0), 4, 5.0, 4.0, 10.0, start=21)
    pv_type = api.root.create_entity(m.ifc, ifc_class="IfcSolarDeviceType", name="PV array 5×4 m",
                                     predefined_type="SOLARPANEL")
    api.type.assign_type(m.ifc, related_objects=panels[:12], relating_type=pv_type)
    for panel in panels[:12:2]:        # assign_type unsets the instance's type; some say NOTDEFINED
        panel.PredefinedType = "NOTDEFINED"
    collector = m.add("IfcSolarDevice", "太阳能热水集热器 solar water heater", predefined="SOLARCOLLECTOR")
    m.box(collector, 4.0, 3.0, 0.1, (40.0, 13.0, ROOF_LEVEL_M + 0.6), 30.0)
    m.areas(collector, "Qto_SolarDeviceBaseQuantities", GrossArea=12.0)
    doc = meta("YP-2025-0012", "杨浦区某小学新建教学楼", "New teaching building, a primary school in Yangpu",
               "school", "2025-03-18", ["architecture.ifc"], zone="xinjiangwan", gross_floor_area_m2=12800)
    return doc, [m], "compliant: PV-1 needs ≥ 50 %; the solar collector is not PV"


def fail_office():
    arch = Model("fail-office", "architecture.ifc", millimetres=True)
    ground_floor(arch, 45.0, 30.0)
    roof_slab(arch, "屋面板 roof slab", 0.0, 0.0, 45.0, 30.0)
    mep = Model("fail-office", "mep.ifc", millimetres=True)
    panel_grid(mep, (0.0, 0.0, 45.0, 30.0), 28, 5.0, 2.0, 15.0)
    inverter_room(mep)
    doc = meta("YP-2024-0457", "杨浦区某科技园研发办公楼", "R&D office building, a technology park in Yangpu",
               "public_office", "2024-11-05", ["architecture.ifc", "mep.ifc"], zone="changyang_valley",
               public_institution=False, applicant="上海某工程设计咨询有限公司", gross_floor_area_m2=21500)
    return doc, [arch, mep], "non_compliant: PV-2 needs ≥ 30 % (roof in architecture.ifc, panels in mep.ifc, mm units)"


def incomplete_plant():
    m = Model("incomplete-plant", "architecture.ifc")
    ground_floor(m, 60.0, 60.0)
    roof = m.add("IfcRoof", "厂房屋面 plant roof", predefined="FLAT_ROOF")
    roof_slab(m, "屋面板 1 roof slab 1", 0.0, 0.0, 60.0, 30.0, parent=roof, quantities=False)
    roof_slab(m, "屋面板 2 roof slab 2", 0.0, 30.0, 60.0, 30.0, parent=roof, quantities=False)
    panel_grid(m, (0.0, 0.0, 60.0, 60.0), 100, 5.0, 4.0, 10.0)
    m.roof_missing = True
    doc = meta("YP-2025-0103", "杨浦区某智能制造产业园新建厂房", "New factory building, a smart-manufacturing park in Yangpu",
               "industrial_plant", "2025-05-20", ["architecture.ifc"], zone="dachuanggu",
               public_institution=False, gross_floor_area_m2=7200)
    return doc, [m], "incomplete: the roof slabs carry no area quantity"


def pass_factory_ifc2x3():
    m = Model("pass-factory-ifc2x3", "factory.ifc", schema="IFC2X3")
    ground_floor(m, 60.0, 40.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 60.0, 40.0)
    panel_grid(m, (0.0, 0.0, 60.0, 40.0), 73, 5.0, 4.0, 10.0, proxy=True)
    inverter_room(m)
    doc = meta("YP-2024-0311", "杨浦区某装备制造企业新建生产厂房", "New production hall of an equipment manufacturer in Yangpu",
               "industrial_plant", "2024-08-27", ["factory.ifc"], zone="jiangpu_road",
               public_institution=False, applicant="上海某工业建筑设计院有限公司", gross_floor_area_m2=4800)
    return doc, [m], "compliant: PV-1 ≥ 50 % via the IFC2X3 proxy convention (ObjectType SOLARPANEL)"


def na_residential():
    m = Model("na-residential", "architecture.ifc")
    ground_floor(m, 24.0, 12.0)
    roof = m.add("IfcRoof", "坡屋面 pitched roof", predefined="GABLE_ROOF")
    m.place(roof, (0.0, 0.0, ROOF_LEVEL_M))
    half = 6.0 / math.cos(math.radians(25.0))
    for name, y, tilt in (("南坡 south slope", 3.0, -25.0), ("北坡 north slope", 9.0, 25.0)):
        roof_slab(m, name, 0.0, y - half / 2, 24.0, half, parent=roof, tilt=tilt, z=ROOF_LEVEL_M + 1.4)
    doc = meta("YP-2025-0208", "杨浦区某住宅小区新建住宅楼", "New residential block, a housing estate in Yangpu",
               "residential", "2025-06-09", ["architecture.ifc"], zone="binjiang_middle_north",
               public_institution=False, applicant="上海某房地产开发有限公司", gross_floor_area_m2=9600)
    return doc, [m], "compliant (not applicable): the PV rules do not cover residential buildings"


def incomplete_exemption_school():
    m = Model("incomplete-exemption-school", "architecture.ifc")
    ground_floor(m, 50.0, 30.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 50.0, 30.0)
    panel_grid(m, (0.0, 0.0, 50.0, 12.0), 30, 5.0, 2.0, 10.0)
    exemption = {"reason": "roof reserved for a sports field under the planning permit",
                 "document": "沪规划资源许〔2024〕123号"}
    doc = meta("YP-2024-0529", "杨浦区某中学新建体育教学综合楼", "New sports and teaching building, a secondary school in Yangpu",
               "school", "2024-12-16", ["architecture.ifc"], zone="wujiaochang", gross_floor_area_m2=8600,
               exemptions={"PV-1": exemption})
    return doc, [m], "incomplete: PV-1 fails on figures but an exemption is claimed (manual review)"


def pass_boundary_school():
    m = Model("pass-boundary-school", "architecture.ifc")
    ground_floor(m, 40.0, 25.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 40.0, 25.0)
    panel_grid(m, (0.0, 0.0, 40.0, 25.0), 50, 5.0, 2.0)
    doc = meta("YP-2025-0077", "杨浦区某小学校舍新建工程", "New school building, a primary school in Yangpu",
               "school", "2025-01-22", ["architecture.ifc"], zone="kic", gross_floor_area_m2=6400)
    return doc, [m], "compliant: exactly 50.00 % meets PV-1's ≥ 50 %"


SAMPLES = {
    "pass-school": pass_school,
    "fail-office": fail_office,
    "incomplete-plant": incomplete_plant,
    "pass-factory-ifc2x3": pass_factory_ifc2x3,
    "na-residential": na_residential,
    "incomplete-exemption-school": incomplete_exemption_school,
    "pass-boundary-school": pass_boundary_school,
}


def write_sample(out: Path, name: str) -> str:
    doc, models, outcome = SAMPLES[name]()
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    for model in models:
        model.save(folder)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    header = f"# Generated by ifc_samples/generate.py — do not edit by hand.\n# Expected: {outcome}\n"
    (folder / "submission.yaml").write_text(header + text, encoding="utf-8")
    roof, pv = sum(m.roof_m2 for m in models), sum(m.pv_m2 for m in models)
    ratio = "none: roof area quantities missing" if any(m.roof_missing for m in models) else f"{pv / roof * 100:.4f} %"
    return f"{name:30s} PV {pv:9.2f} m² / roof {roof:9.2f} m² (projected) = {ratio}  -> {outcome}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    for name in SAMPLES:
        print(write_sample(args.out, name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
