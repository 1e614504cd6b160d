"""Open one IFC file and index what the extractors need, in one pass per relationship.

Per-element property look-ups (ifcopenshell.util.element.get_psets) are the known
performance trap on large models, so quantities, types and containment are walked once
from their relationship entities here.
"""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .records import ModelInfo

SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")
# Property sets the reader looks at; only these are indexed (a whole-model index is the known trap).
INDEXED_PSETS = frozenset({"Pset_BuildingCommon", "Pset_SpaceParking", "Pset_ElectricalDeviceCommon",
                           "YP_PVPanel", "YP_EVCharger", "YP_ParkingSpace", "YP_HeatPump"})


def element_counts(ifc) -> dict[str, int]:
    """IfcProduct instances by class (the model header reviewers compare with the authoring tool)."""
    counts = Counter(e.is_a() for e in ifc.by_type("IfcProduct"))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def sha256_of(path: Path) -> str:
    from ..context import file_sha256     # one hasher for the whole package

    return file_sha256(path)


@dataclass
class AreaQuantity:
    qset: str
    name: str
    value_m2: float
    own_unit: bool = False
    shared_by: int = 1              # how many objects this IfcElementQuantity is attached to
    qset_id: int = 0                # the IfcElementQuantity's entity id


@dataclass(frozen=True)
class PropValue:
    value: object                   # Python value (float, int, str, bool)
    measure: str | None             # IFC type of the value, e.g. "IfcPowerMeasure", "IfcBoolean"
    source: str                     # "Pset.Name", or "type Pset.Name" when inherited from the type
    own_scale: float | None = None  # SI scale of the property's own Unit, when it has one


@dataclass
class IfcIndex:
    """An opened model plus one-pass indexes over its relationships."""

    path: Path
    file: object                                   # ifcopenshell.file
    info: ModelInfo
    area_unit_declared: bool
    areas: dict[int, list[AreaQuantity]] = field(default_factory=lambda: defaultdict(list))
    types: dict[int, object] = field(default_factory=dict)
    container: dict[int, str] = field(default_factory=dict)
    parent: dict[int, object] = field(default_factory=dict)
    props: dict[int, dict[tuple[str, str], PropValue]] = field(default_factory=lambda: defaultdict(dict))
    power_scale_w: float = 1.0

    def prop(self, element, pset: str, name: str) -> PropValue | None:
        """A property of the occurrence, else of its type object."""
        found = self.props.get(element.id(), {}).get((pset, name))
        if found is None and (typ := self.type_of(element)) is not None:
            found = self.props.get(typ.id(), {}).get((pset, name))
            if found is not None:
                found = PropValue(found.value, found.measure, f"type {found.source}", found.own_scale)
        return found

    def area_quantities(self, element) -> list[AreaQuantity]:
        return self.areas.get(element.id(), [])

    def type_of(self, element):
        return self.types.get(element.id())

    def storey_of(self, element) -> str | None:
        seen = 0
        while element is not None and seen < 16:
            name = self.container.get(element.id())
            if name is not None:
                return name
            element = self.parent.get(element.id())
            seen += 1
        return None


def open_ifc(path: Path, sha256: str | None = None) -> IfcIndex:
    """Open `path`; a file ifcopenshell cannot parse is an InputError naming it."""
    import ifcopenshell  # heavy: imported when a model is actually read

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read model: {exc.strerror}", file=path) from None
    if not path.is_file():
        raise InputError("not a model file (a folder or a device)", file=path,
                         hint="name an .ifc file; for a submission folder use 'compliance check FOLDER'")
    if size == 0:
        raise InputError("model file is empty", file=path,
                         hint="re-export the model from the authoring tool")
    _check_complete(path, size)
    try:
        ifc = ifcopenshell.open(str(path))
    except Exception as exc:  # ifcopenshell raises several unrelated types for bad files
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"not a readable IFC model ({reason[:200]})", file=path,
                         hint="re-export it as IFC2X3, IFC4 or IFC4X3 (STEP .ifc) and check it opens in a viewer") from None
    schema = str(ifc.schema).upper()
    if not any(schema.startswith(s) for s in SUPPORTED_SCHEMAS):
        raise InputError(f"IFC schema {ifc.schema} is not supported", file=path,
                         hint="export as IFC2X3, IFC4 or IFC4X3")
    length_scale, area_scale, area_declared, power_scale = _units(ifc)
    info = ModelInfo(
        file=path.name, schema_name=str(ifc.schema), application=_application(ifc),
        size_bytes=size, sha256=sha256 or sha256_of(path), entity_count=len(ifc.entity_names()),
        element_counts=element_counts(ifc),
        length_unit_m=length_scale, area_unit_m2=area_scale, power_unit_w=power_scale,
    )
    index = IfcIndex(path=path, file=ifc, info=info, area_unit_declared=area_declared,
                     power_scale_w=power_scale)
    _index_quantities(index, area_scale)
    _index_types(index)
    _index_spatial(index)
    _index_properties(index)
    return index


def _check_complete(path: Path, size: int) -> None:
    """A STEP file ends with END-ISO-10303-21; ifcopenshell silently keeps what precedes a cut."""
    with open(path, "rb") as fh:
        head = fh.read(64)
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if head.lstrip().upper().startswith(b"ISO-10303-21") and b"END-ISO-10303-21" not in tail.upper():
        raise InputError("the model file is truncated (it does not end with END-ISO-10303-21)", file=path,
                         hint="the upload or export was cut short: export the model again and resubmit it")


def _units(ifc) -> tuple[float, float, bool, float]:
    """Scales to SI of the project's length, area and power units (and whether area is declared)."""
    import ifcopenshell.util.unit as unit

    assignments = ifc.by_type("IfcUnitAssignment")
    declared = {getattr(u, "UnitType", None) for a in assignments for u in (a.Units or ())}
    length = unit.calculate_unit_scale(ifc, "LENGTHUNIT") if assignments else 1.0
    area = unit.calculate_unit_scale(ifc, "AREAUNIT") if "AREAUNIT" in declared else 1.0
    power = unit.calculate_unit_scale(ifc, "POWERUNIT") if "POWERUNIT" in declared else 1.0
    return float(length), float(area), "AREAUNIT" in declared, float(power)


def _application(ifc) -> str | None:
    apps = ifc.by_type("IfcApplication")
    if apps:
        app = apps[0]
        return " ".join(str(x) for x in (app.ApplicationFullName, app.Version) if x)
    try:
        return ifc.header.file_name.originating_system or None
    except Exception:  # header fields are optional in practice
        return None


def _definitions(rel):
    pdef = rel.RelatingPropertyDefinition
    return pdef if isinstance(pdef, (list, tuple)) else (pdef,)


def _index_quantities(index: IfcIndex, area_scale: float) -> None:
    import ifcopenshell.util.unit as unit

    for rel in index.file.by_type("IfcRelDefinesByProperties"):
        for pdef in _definitions(rel):
            if pdef is None or not pdef.is_a("IfcElementQuantity"):
                continue
            found = []
            for q in pdef.Quantities or ():
                if not q.is_a("IfcQuantityArea") or q.AreaValue is None:
                    continue
                own = getattr(q, "Unit", None)
                scale = unit.get_unit_scale(own) if own is not None else area_scale
                found.append(AreaQuantity(pdef.Name or "", q.Name or "", float(q.AreaValue) * scale,
                                          own_unit=own is not None, shared_by=len(rel.RelatedObjects or ()),
                                          qset_id=pdef.id()))
            if found:
                for obj in rel.RelatedObjects or ():
                    index.areas[obj.id()].extend(found)


def _index_types(index: IfcIndex) -> None:
    for rel in index.file.by_type("IfcRelDefinesByType"):
        for obj in rel.RelatedObjects or ():
            index.types[obj.id()] = rel.RelatingType


def _index_spatial(index: IfcIndex) -> None:
    for rel in index.file.by_type("IfcRelContainedInSpatialStructure"):
        name = rel.RelatingStructure.Name or rel.RelatingStructure.GlobalId
        for obj in rel.RelatedElements or ():
            index.container[obj.id()] = name
    for rel in index.file.by_type("IfcRelAggregates"):
        for obj in rel.RelatedObjects or ():
            index.parent[obj.id()] = rel.RelatingObject


def _single_values(pset) -> dict[tuple[str, str], PropValue]:
    import ifcopenshell.util.unit as unit

    out = {}
    for prop in getattr(pset, "HasProperties", None) or ():
        if not prop.is_a("IfcPropertySingleValue") or prop.NominalValue is None:
            continue
        nominal = prop.NominalValue
        own = getattr(prop, "Unit", None)
        out[(pset.Name, prop.Name)] = PropValue(nominal.wrappedValue, nominal.is_a(), f"{pset.Name}.{prop.Name}",
                                                float(unit.get_unit_scale(own)) if own is not None else None)
    return out


def _index_properties(index: IfcIndex) -> None:
    """Single-value properties of the INDEXED_PSETS, for occurrences and type objects."""
    for rel in index.file.by_type("IfcRelDefinesByProperties"):
        for pdef in _definitions(rel):
            if pdef is None or not pdef.is_a("IfcPropertySet") or pdef.Name not in INDEXED_PSETS:
                continue
            values = _single_values(pdef)
            for obj in rel.RelatedObjects or ():
                index.props[obj.id()].update(values)
    for typ in index.file.by_type("IfcTypeObject"):
        for pset in typ.HasPropertySets or ():
            if pset.is_a("IfcPropertySet") and pset.Name in INDEXED_PSETS:
                index.props[typ.id()].update(_single_values(pset))
