"""Editing a real model the way an authoring tool's exporter would write the additions.

`Host` opens one model of ../shared/ifc and adds elements to it with `ifcopenshell.api`: an
occurrence of a class with Name / ObjectType / PredefinedType, contained in a storey of the host
(or aggregated), with a body (an extruded rectangle placed in world coordinates, metres), an
optional type object, quantity and property sets. `LeanModel` is a model with only a spatial
structure (a discipline model such as the MEP engineer's mep.ifc). Neither touches the real file:
`save()` writes a copy into the variant's folder.

Everything written is deterministic: new GlobalIds are uuid5 values of (variant, file, creation
order), and in IFC2X3 the new elements share the host's own owner history (ifcopenshell.api makes
one per call, stamped with the clock).
"""

from __future__ import annotations

import math
import sys
import uuid
from dataclasses import dataclass
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
import ifcopenshell.util.unit

_SAMPLES = Path(__file__).resolve().parents[2] / "ifc_samples"     # the project's own sample builder
if str(_SAMPLES) not in sys.path:
    sys.path.insert(0, str(_SAMPLES))

from builder import placement_matrix  # noqa: E402  (one placement convention for every generated model)

api = ifcopenshell.api
GUID_NAMESPACE = uuid.UUID("0b8f6a52-7c1e-5d3a-9e24-6a1f3c7d2b90")
FIXED_EPOCH = 1735660800           # 2025-01-01 00:00 +08:00, for owner histories we write


@dataclass(frozen=True)
class Slope:
    """The top face of a sloped roof slab, read from the host's geometry: it runs along X from
    `x0` to `x1`; its eave is at (y_eave, z_eave) and it rises at `angle` degrees towards +Y
    (`towards=+1`) or −Y (`towards=−1`). Panels laid on it are tilted by the same angle."""

    x0: float
    x1: float
    y_eave: float
    z_eave: float
    angle: float
    towards: int

    @property
    def tilt(self) -> float:
        """Rotation about X that lays a panel's local Y up the slope."""
        return self.angle * self.towards

    def point(self, x: float, s: float, lift: float = 0.0):
        """World point `s` metres up the slope from the eave at `x`, `lift` metres off the face."""
        c, si = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        y = self.y_eave + self.towards * s * c
        z = self.z_eave + s * si
        normal = (0.0, -self.towards * si, c)
        return (x + lift * normal[0], y + lift * normal[1], z + lift * normal[2])


class _Editor:
    """What a real model and a lean discipline model share: adding elements."""

    ifc: ifcopenshell.file
    variant: str
    filename: str

    def _setup(self) -> None:
        self.length_scale = ifcopenshell.util.unit.calculate_unit_scale(self.ifc)       # m per unit
        self.first_new_id = max((e.id() for e in self.ifc), default=0) + 1
        self.body = self._body_context()

    def _body_context(self):
        """The host's Body sub-context, else its 3D 'Model' context (Revit 2011 and IfcOpenHouse
        put bodies in the Model context itself), else a new Body sub-context."""
        contexts = [c for c in self.ifc.by_type("IfcGeometricRepresentationContext")]
        for c in contexts:
            if c.is_a("IfcGeometricRepresentationSubContext") and c.ContextIdentifier == "Body":
                return c
        for c in contexts:
            if not c.is_a("IfcGeometricRepresentationSubContext") and c.ContextType == "Model":
                return c
        model = api.context.add_context(self.ifc, context_type="Model")
        return api.context.add_context(self.ifc, context_type="Model", context_identifier="Body",
                                       target_view="MODEL_VIEW", parent=model)

    # -- spatial structure ---------------------------------------------------------------------

    def storey(self, name: str | None = None):
        storeys = self.ifc.by_type("IfcBuildingStorey")
        if name is None:
            (only,) = storeys
            return only
        (match,) = [s for s in storeys if s.Name == name]
        return match

    # -- elements ------------------------------------------------------------------------------

    def element(self, ifc_class: str, name: str | None, *, storey=None, aggregate_to=None,
                predefined: str | None = None, object_type: str | None = None, long_name: str | None = None):
        """An occurrence contained in `storey` (or aggregated into `aggregate_to`: spaces into
        their storey, roof slabs into their IfcRoof)."""
        element = api.root.create_entity(self.ifc, ifc_class=ifc_class, name=name, predefined_type=predefined)
        if object_type is not None:
            element.ObjectType = object_type
        if long_name is not None:
            element.LongName = long_name
        if aggregate_to is not None:
            api.aggregate.assign_object(self.ifc, products=[element], relating_object=aggregate_to)
        else:
            api.spatial.assign_container(self.ifc, products=[element], relating_structure=storey)
        return element

    def box(self, element, xdim: float, ydim: float, depth: float, at, tilt: float = 0.0, yaw: float = 0.0) -> None:
        """Body: one IfcExtrudedAreaSolid of an xdim × ydim (m) rectangle centred on the placement,
        extruded `depth` m up its local Z from `at` (world, m), tilted `tilt`° about X."""
        profile = api.profile.add_parameterized_profile(self.ifc, ifc_class="IfcRectangleProfileDef")
        profile.ProfileType = "AREA"
        profile.XDim, profile.YDim = xdim / self.length_scale, ydim / self.length_scale
        profile.Position = self.ifc.createIfcAxis2Placement2D(self.ifc.createIfcCartesianPoint((0.0, 0.0)))
        rep = api.geometry.add_profile_representation(self.ifc, context=self.body, profile=profile,
                                                      depth=depth, cardinal_point=None)
        rep.RepresentationIdentifier, rep.RepresentationType = "Body", "SweptSolid"   # as every exporter writes it
        api.geometry.assign_representation(self.ifc, product=element, representation=rep)
        api.geometry.edit_object_placement(self.ifc, product=element, matrix=placement_matrix(*at, tilt, yaw))

    def quantities(self, element, qset: str, **areas: float) -> None:
        """Area quantities in m² (every host that gets quantities declares m² as its area unit)."""
        assert ifcopenshell.util.unit.calculate_unit_scale(self.ifc, "AREAUNIT") == 1.0, \
            f"{self.filename}: quantities are written only where the area unit is m²"
        qto = api.pset.add_qto(self.ifc, product=element, name=qset)
        api.pset.edit_qto(self.ifc, qto=qto, properties={k: float(v) for k, v in areas.items()})

    def pset(self, element, name: str, **values) -> None:
        pset = api.pset.add_pset(self.ifc, product=element, name=name)
        api.pset.edit_pset(self.ifc, pset=pset, properties=values)

    def type_of(self, ifc_class: str, name: str, occurrences: list, *, predefined: str | None = None,
                element_type: str | None = None):
        type_ = api.root.create_entity(self.ifc, ifc_class=ifc_class, name=name, predefined_type=predefined)
        if element_type is not None:
            type_.ElementType = element_type
        api.type.assign_type(self.ifc, related_objects=occurrences, relating_type=type_, should_map_representations=False)
        return type_

    # -- output --------------------------------------------------------------------------------

    def save(self, folder: Path) -> Path:
        """Deterministic GlobalIds for what we added, one owner history (IFC2X3), then write into
        `folder` (made if need be); returns the folder."""
        new = sorted((e for e in self.ifc.by_type("IfcRoot") if e.id() >= self.first_new_id), key=lambda e: e.id())
        for i, element in enumerate(new):
            element.GlobalId = ifcopenshell.guid.compress(
                uuid.uuid5(GUID_NAMESPACE, f"{self.variant}/{self.filename}/{i}").hex)
        histories = self.ifc.by_type("IfcOwnerHistory")
        if histories:
            keep = min(histories, key=lambda h: h.id())
            for history in histories:
                if history.id() < self.first_new_id or history == keep:
                    continue
                for user in self.ifc.get_inverse(history):
                    user.OwnerHistory = keep
                self.ifc.remove(history)
            if keep.id() >= self.first_new_id:
                keep.CreationDate = keep.LastModifiedDate = FIXED_EPOCH
        self._sort_touched_sets()
        if isinstance(self, LeanModel):
            header = self.ifc.header.file_name
            header.name, header.time_stamp = self.filename, "2025-01-01T00:00:00+08:00"
            header.originating_system = header.preprocessor_version = "Autodesk Revit MEP 2011 (tests/realistic)"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.filename
        self.ifc.write(str(path))
        return folder


    def _sort_touched_sets(self) -> None:
        """ifcopenshell.api fills a relationship's SET attributes (RelatedElements, RelatedObjects)
        from Python sets, in memory order: sort, by entity id, those of the relationships that hold
        something we added (the host's own relationships keep their order)."""
        schema = ifcopenshell.ifcopenshell_wrapper.schema_by_name(self.ifc.schema_identifier)
        for rel in self.ifc.by_type("IfcRelationship"):
            for i, attribute in enumerate(schema.declaration_by_name(rel.is_a()).all_attributes()):
                aggregate = attribute.type_of_attribute().as_aggregation_type()
                members = rel[i]
                if (aggregate and aggregate.type_of_aggregation_string() == "set" and members
                        and isinstance(members[0], ifcopenshell.entity_instance)
                        and any(m.id() >= self.first_new_id for m in members)):
                    rel[i] = sorted(members, key=lambda e: e.id())
        for assignment in self.ifc.by_type("IfcUnitAssignment"):
            if assignment.id() >= self.first_new_id:
                assignment.Units = sorted(assignment.Units, key=lambda e: e.id())


class Host(_Editor):
    """A real model from ../shared/ifc, opened for editing (the file itself is never written)."""

    def __init__(self, shared: Path, source: str, variant: str, filename: str = "architecture.ifc"):
        self.source, self.variant, self.filename = source, variant, filename
        self.ifc = ifcopenshell.open(str(Path(shared) / source))
        self._setup()


class LeanModel(_Editor):
    """A discipline model with only a spatial structure, as the MEP engineer's export of the same
    project: same schema and length unit as the host, one building with the storeys given
    (name, elevation in m). Its GlobalIds are its own (a separate authoring file)."""

    def __init__(self, schema: str, variant: str, filename: str, storeys, *, millimetres: bool = False,
                 application: str = "Autodesk Revit MEP 2011"):
        self.variant, self.filename = variant, filename
        self.ifc = api.project.create_file(version=schema)
        if schema == "IFC2X3":
            person = api.owner.add_person(self.ifc, identification="MEP", family_name="Engineer", given_name="MEP")
            org = api.owner.add_organisation(self.ifc, identification="MEPCO", name="上海某机电设计所")
            api.owner.add_person_and_organisation(self.ifc, person=person, organisation=org)
            api.owner.add_application(self.ifc, version="2011", application_full_name=application,
                                      application_identifier="Revit")
        project = api.root.create_entity(self.ifc, ifc_class="IfcProject", name="Project Number")
        units = [api.unit.add_si_unit(self.ifc, unit_type="LENGTHUNIT", prefix="MILLI" if millimetres else None),
                 api.unit.add_si_unit(self.ifc, unit_type="AREAUNIT"),
                 api.unit.add_si_unit(self.ifc, unit_type="VOLUMEUNIT"),
                 api.unit.add_si_unit(self.ifc, unit_type="PLANEANGLEUNIT")]
        api.unit.assign_unit(self.ifc, units=units)
        model = api.context.add_context(self.ifc, context_type="Model")
        api.context.add_context(self.ifc, context_type="Model", context_identifier="Body",
                                target_view="MODEL_VIEW", parent=model)
        self.first_new_id = 0
        self.length_scale = 0.001 if millimetres else 1.0
        site = self._spatial("IfcSite", "Default", project)
        building = self._spatial("IfcBuilding", None, site)
        for name, elevation in storeys:
            self._spatial("IfcBuildingStorey", name, building, elevation)
        self.body = self._body_context()

    def _spatial(self, ifc_class: str, name, parent, elevation: float | None = None):
        element = api.root.create_entity(self.ifc, ifc_class=ifc_class, name=name)
        api.aggregate.assign_object(self.ifc, products=[element], relating_object=parent)
        api.geometry.edit_object_placement(self.ifc, product=element,
                                           matrix=placement_matrix(0.0, 0.0, elevation or 0.0))
        if ifc_class == "IfcBuildingStorey":
            element.Elevation = (elevation or 0.0) / self.length_scale
        if ifc_class in ("IfcSite", "IfcBuilding", "IfcBuildingStorey"):
            element.CompositionType = "ELEMENT"
        return element
