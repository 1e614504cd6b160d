"""The sample generator's model: one deterministic IFC file (`Model`) with its units, spatial
structure and helpers, the broken-file writers (`RawFile`, `Truncated`) and `meta()` for
submission.yaml. The elements the checker reads are built by blocks.py.

A model also keeps the figures the checker should find in it (`roof_m2`, `pv_m2`, `figures`,
`peak_kw()`): the blocks add to them as they build, and the generator prints them.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections import Counter
from pathlib import Path

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
import numpy as np

api = ifcopenshell.api
GUID_NAMESPACE = uuid.UUID("6f1c2e0a-3b7d-5c9e-8a41-2d5f0b9e7c13")
FIXED_STAMP = "2025-01-01T00:00:00+08:00"
FIXED_EPOCH = 1735660800                      # 2025-01-01 00:00 +08:00
ROOF_LEVEL_M = 18.0
SLAB_M = 0.25                                 # roof slab thickness
YANGPU_LAT, YANGPU_LON = (31, 16, 12, 0), (121, 31, 12, 0)   # ≈ 31.27 N, 121.52 E
DEFAULT_STOREYS = (("F1", 0.0), ("RF", ROOF_LEVEL_M))
LENGTH_M = {"m": 1.0, "mm": 0.001, "ft": 0.3048}              # metres per project length unit
AREA_M2 = {"m": 1.0, "mm": 1.0, "ft": 0.09290304}             # m² per project area unit
SYSTEMS = ("solar_thermal", "heat_pump", "waste_heat_recovery")  # besides PV, as in `declared:`


class Model:
    """One IFC file: units, contexts, Project > Site > Building > storeys, and helpers.

    `units`: "m", "mm" (area still m²) or "ft" (conversion-based foot, square foot, cubic foot).
    `power_kw`: declare a POWERUNIT of kW (otherwise power properties are in W, the IFC default).
    `storeys`: (name, elevation in m) in creation order; "F1" is the ground storey and the last
    one holds the roof. Positions and areas are always given in m and m² and converted here."""

    def __init__(self, sample: str, filename: str, schema: str = "IFC4", millimetres: bool = False, *,
                 units: str | None = None, power_kw: bool = False, storeys=DEFAULT_STOREYS):
        self.sample, self.filename, self.schema = sample, filename, schema
        self.units = units or ("mm" if millimetres else "m")
        self.scale, self.area_scale = LENGTH_M[self.units], AREA_M2[self.units]
        self.power_w = 1000.0 if power_kw else 1.0          # W per project power unit
        self.ifc = api.project.create_file(version=schema)
        self.roof_m2 = 0.0                                  # expected projected areas, m²
        self.pv_m2 = 0.0
        self.roof_missing = False                           # True: the roof area cannot be known
        self.figures: Counter = Counter()                   # further expected figures (see summary())
        self.panels: list = []                              # PV panels, and PeakPower (W) by entity id
        self.peaks: dict[int, float] = {}
        self.remark = ""                                    # printed in the summary
        if schema == "IFC2X3":
            self._owner()
        self._project(power_kw)
        self._spatial(storeys)
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

    def _project(self, power_kw: bool) -> None:
        self.project = api.root.create_entity(self.ifc, ifc_class="IfcProject", name=self.sample)
        if self.units == "ft":
            units = [api.unit.add_conversion_based_unit(self.ifc, name=n) for n in ("foot", "square foot", "cubic foot")]
        else:
            units = [
                api.unit.add_si_unit(self.ifc, unit_type="LENGTHUNIT", prefix="MILLI" if self.units == "mm" else None),
                api.unit.add_si_unit(self.ifc, unit_type="AREAUNIT"),
                api.unit.add_si_unit(self.ifc, unit_type="VOLUMEUNIT"),
            ]
        units.append(api.unit.add_si_unit(self.ifc, unit_type="PLANEANGLEUNIT"))
        if power_kw:
            units.append(api.unit.add_si_unit(self.ifc, unit_type="POWERUNIT", prefix="KILO"))
        api.unit.assign_unit(self.ifc, units=units)
        model = api.context.add_context(self.ifc, context_type="Model")
        self.body = api.context.add_context(self.ifc, context_type="Model", context_identifier="Body",
                                            target_view="MODEL_VIEW", parent=model)

    def _spatial(self, storeys) -> None:
        self.site = site = self._spatial_child("IfcSite", "杨浦区项目用地", self.project)
        site.RefLatitude, site.RefLongitude, site.RefElevation = YANGPU_LAT, YANGPU_LON, 4.0 / self.scale
        self.building = self._spatial_child("IfcBuilding", "主楼", site)
        self.storeys = {name: self._spatial_child("IfcBuildingStorey", name, self.building, elevation)
                        for name, elevation in storeys}
        self.ground = self.storeys["F1"]
        self.roof_level = list(self.storeys.values())[-1]

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
        api.geometry.edit_object_placement(self.ifc, product=element, matrix=placement_matrix(*at, tilt, yaw))

    def areas(self, element, qset: str, **values: float) -> None:
        """Area quantities, given in m², written in the project's area unit."""
        qto = api.pset.add_qto(self.ifc, product=element, name=qset)
        api.pset.edit_qto(self.ifc, qto=qto, properties={k: float(v) / self.area_scale for k, v in values.items()})

    def pset(self, element, name: str, **values) -> None:
        """A property set on an occurrence or a type. Plain Python values take their type from the
        standard template (Pset_*); YP_* values are passed wrapped (label(), power(), ...)."""
        pset = api.pset.add_pset(self.ifc, product=element, name=name)
        api.pset.edit_pset(self.ifc, pset=pset, properties=values)

    def power(self, watts: float):
        return self.ifc.createIfcPowerMeasure(watts / self.power_w)

    def label(self, text: str):
        return self.ifc.createIfcLabel(text)

    def boolean(self, value: bool):
        return self.ifc.createIfcBoolean(value)

    def peak_kw(self) -> float:
        """Expected total peak power: an occurrence's own PeakPower wins over its type's."""
        import ifcopenshell.util.element

        total = 0.0
        for panel in self.panels:
            watts = self.peaks.get(panel.id())
            panel_type = ifcopenshell.util.element.get_type(panel)
            if watts is None and panel_type is not None:
                watts = self.peaks.get(panel_type.id())
            total += watts or 0.0
        return total / 1000.0

    # -- output ----------------------------------------------------------------------------

    def save(self, folder: Path) -> Path:
        self._sort_relationship_sets()
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


    def _sort_relationship_sets(self) -> None:
        """ifcopenshell.api fills relationships' SET attributes (RelatedElements, RelatedObjects)
        and the unit assignment's Units from Python sets, in an order that follows memory
        addresses: sort them by entity id so the file does not depend on the process that wrote it."""
        schema = ifcopenshell.ifcopenshell_wrapper.schema_by_name(self.ifc.schema_identifier)
        for rel in self.ifc.by_type("IfcRelationship"):
            for i, attribute in enumerate(schema.declaration_by_name(rel.is_a()).all_attributes()):
                aggregate = attribute.type_of_attribute().as_aggregation_type()
                if aggregate and aggregate.type_of_aggregation_string() == "set" and rel[i] \
                        and isinstance(rel[i][0], ifcopenshell.entity_instance):
                    rel[i] = sorted(rel[i], key=lambda e: e.id())
        for assignment in self.ifc.by_type("IfcUnitAssignment"):     # Units is a SET filled the same way
            assignment.Units = sorted(assignment.Units, key=lambda e: e.id())


class RawFile:
    """A model file written as the given bytes (the broken-model samples): nothing to measure."""

    roof_m2 = pv_m2 = 0.0
    roof_missing, unreadable, remark = False, True, ""
    figures: Counter = Counter()

    def peak_kw(self) -> float:
        return 0.0

    def __init__(self, filename: str, data: bytes) -> None:
        self.filename, self.data = filename, data

    def save(self, folder: Path) -> Path:
        path = folder / self.filename
        path.write_bytes(self.data)
        return path


class Truncated(RawFile):
    """A valid generated model cut short in the middle of its DATA section, mid-line, as an
    interrupted upload would leave it. The cut point depends only on the model's bytes."""

    def __init__(self, model: Model) -> None:
        super().__init__(model.filename, b"")
        self.model = model

    def save(self, folder: Path) -> Path:
        path = self.model.save(folder)
        text = path.read_bytes()
        data = text.index(b"\nDATA;\n")
        middle = (data + text.index(b"\nENDSEC;", data)) // 2
        line = text.rindex(b"\n", 0, middle) + 1                # cut the middle entity in half
        path.write_bytes(text[:(line + text.index(b"\n", middle)) // 2])
        return path


def placement_matrix(x: float, y: float, z: float, tilt: float = 0.0, yaw: float = 0.0) -> np.ndarray:
    """World placement in metres: translate, turn by `yaw` about Z, tilt by `tilt` about X (degrees)."""
    c, s = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
    tilt_m = np.array([[1.0, 0, 0, 0], [0, c, -s, 0], [0, s, c, 0], [0, 0, 0, 1.0]])
    c, s = round(math.cos(math.radians(yaw)), 12), round(math.sin(math.radians(yaw)), 12)
    yaw_m = np.array([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]])
    move = np.eye(4)
    move[:3, 3] = (x, y, z)
    return move @ yaw_m @ tilt_m


def write_submission(folder: Path, doc: dict, models, header: str) -> None:
    """The models and submission.yaml (`header`: comment lines, each ending in a newline)."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    for model in models:
        model.save(folder)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    (folder / "submission.yaml").write_text(header + text, encoding="utf-8")


def meta(id_, name, name_en, use, filed_on, models, **extra) -> dict:
    doc = {"id": id_, "name": name, "name_en": name_en, "kind": extra.pop("kind", "new"),
           "filed_on": datetime.date.fromisoformat(filed_on), "use": use, "public_institution": extra.pop("public_institution", True)}
    doc.update(zone=extra.pop("zone", None), models=models, applicant=extra.pop("applicant", "上海某建筑设计研究院有限公司"))
    doc.update(extra)
    return {k: v for k, v in doc.items() if v is not None}
