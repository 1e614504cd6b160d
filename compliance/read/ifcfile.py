"""Open one IFC file (lazily: attributes are parsed when first read) and look up what the
extractors need.

Walking every IfcRelDefinesByProperties of a large model costs more than opening it, and
ifcopenshell.util.element.get_psets per element is slower still: types are indexed in one pass
(few relationships), and quantities, properties and containment are read per element through
its inverse attributes, only for the elements the reader asks about, and memoised (`IfcIndex`).
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..numbers import usable
from .records import ModelInfo, Note

if TYPE_CHECKING:
    import ifcopenshell
    from ifcopenshell import ifcopenshell_wrapper

SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")


def element_counts(ifc) -> dict[str, int]:
    """IfcProduct instances by class (the model header reviewers compare with the authoring tool)."""
    counts = Counter(e.is_a() for e in ifc.by_type("IfcProduct"))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def sha256_of(path: Path) -> str:
    from ..context import file_sha256  # one hasher for the whole package

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
    """An opened model plus the look-ups the extractors need.

    Types are indexed in one pass (few relationships). Quantities, properties and containment
    are read per element through its inverse relationships, only for the elements the reader
    asks about (roofs, panels, spaces, chargers, buildings), and memoised: walking every
    IfcRelDefinesByProperties of a large model costs more than opening it."""

    path: Path
    file: ifcopenshell.file
    info: ModelInfo
    area_unit_declared: bool
    area_scale: float = 1.0
    power_scale_w: float = 1.0
    types: dict[int, ifcopenshell.entity_instance] = field(default_factory=dict)
    # the parser's messages (an in-memory ifcopenshell logger), if kept
    log: ifcopenshell_wrapper.logger | None = field(default=None, repr=False)
    # the property sets the conventions read (Conventions.indexed_psets): only these are indexed
    psets: frozenset = field(default_factory=frozenset)
    _areas: dict[int, list[AreaQuantity]] = field(default_factory=dict, repr=False)
    _props: dict[int, dict[tuple[str, str], PropValue]] = field(default_factory=dict, repr=False)
    _defs: dict[int, list] = field(default_factory=dict, repr=False)
    _storeys: dict[int, str | None] = field(default_factory=dict, repr=False)
    _buildings: dict[int, str | None] = field(default_factory=dict, repr=False)
    # numbers no figure can be (infinite, NaN, beyond ±10^15: compliance/numbers.py), left out of
    # the quantities and properties above: (element, "Qset.Name", value); refused_notes() says so
    refused: list = field(default_factory=list, repr=False)

    def prop(self, element, pset: str, name: str) -> PropValue | None:
        """A property of the occurrence, else of its type object."""
        found = self.props_of(element).get((pset, name))
        if found is None and (typ := self.type_of(element)) is not None:
            found = self.props_of(typ).get((pset, name))
            if found is not None:
                found = PropValue(found.value, found.measure, f"type {found.source}", found.own_scale)
        return found

    def first_prop(self, element, refs) -> PropValue | None:
        """The first of `refs` (conventions.PropRef: pset, property) the element or its type gives."""
        for ref in refs:
            found = self.prop(element, ref.pset, ref.property)
            if found is not None and found.value not in (None, ""):
                return found
        return None

    def props_of(self, element) -> dict[tuple[str, str], PropValue]:
        """Single-value properties of the indexed property sets (`psets`) attached to `element` (occurrence or type)."""
        key = element.id()
        if key not in self._props:
            values: dict[tuple[str, str], PropValue] = {}
            for _, pdef in self._definitions_with_rel(element):
                if pdef.is_a("IfcPropertySet") and pdef.Name in self.psets:
                    values.update(_single_values(pdef))
            for pset in getattr(element, "HasPropertySets", None) or ():      # type objects
                if pset.is_a("IfcPropertySet") and pset.Name in self.psets:
                    values.update(_single_values(pset))
            for ref, found in list(values.items()):
                if not usable(found.value):
                    self.refused.append((element, found.source, found.value))
                    del values[ref]
            self._props[key] = values
        return self._props[key]

    def area_quantities(self, element) -> list[AreaQuantity]:
        key = element.id()
        if key not in self._areas:
            found = [q for rel, pdef in self._definitions_with_rel(element)
                     if pdef.is_a("IfcElementQuantity") for q in _areas_of(pdef, rel, self.area_scale)]
            self.refused += [(element, f"{q.qset}.{q.name}", q.value_m2) for q in found if not usable(q.value_m2)]
            self._areas[key] = [q for q in found if usable(q.value_m2)]
        return self._areas[key]

    def type_of(self, element):
        return self.types.get(element.id())

    def parse_problems(self) -> list[str]:
        """What the parser reported so far: unknown entities (a wrong schema), references to
        instances that do not exist, wrong attribute counts. A lazily read file reports a problem
        when the attribute is first read, so call this after reading."""
        if self.log is None:
            return []
        return [" ".join(m.message.split()) for m in self.log.log_messages()]

    def ancestors(self, element):
        """What `element` is aggregated into, then what that is aggregated into, ...: each once,
        so a loop of aggregations (a broken file) ends."""
        seen = {element.id()}
        parent = self.parent_of(element)
        while parent is not None and parent.id() not in seen:
            seen.add(parent.id())
            yield parent
            parent = self.parent_of(parent)

    def parent_of(self, element):
        """The object `element` is aggregated into (IfcRelAggregates), or None."""
        for rel in getattr(element, "Decomposes", None) or ():
            if rel.is_a("IfcRelAggregates"):
                return rel.RelatingObject
        return None

    def storey_of(self, element, depth: int = 0) -> str | None:
        """The spatial structure containing the element, else containing what it is part of."""
        key = element.id()
        if key not in self._storeys:
            found = None
            for rel in (getattr(element, "ContainedInStructure", None) or ()) if element.is_a("IfcElement") else ():
                found = rel.RelatingStructure.Name or rel.RelatingStructure.GlobalId
                break
            else:
                parent = self.parent_of(element) if depth < 16 else None
                found = self.storey_of(parent, depth + 1) if parent is not None else None
            self._storeys[key] = found
        return self._storeys[key]

    def building_of(self, element, depth: int = 0) -> str | None:
        """The GlobalId of the IfcBuilding the element stands in: its containing spatial structure
        (or what it is part of) and that structure's ancestors; None when it is in none (the site)."""
        key = element.id()
        if key not in self._buildings:
            found = None
            if element.is_a("IfcBuilding"):
                found = element.GlobalId
            elif element.is_a("IfcSpatialStructureElement") or element.is_a("IfcSpatialElement"):
                found = next((p.GlobalId for p in self.ancestors(element) if p.is_a("IfcBuilding")), None)
            else:
                rels = (getattr(element, "ContainedInStructure", None) or ()) if element.is_a("IfcElement") else ()
                structure = next((r.RelatingStructure for r in rels), None)
                if structure is not None:
                    found = self.building_of(structure, depth + 1)
                else:
                    parent = self.parent_of(element) if depth < 16 else None
                    found = self.building_of(parent, depth + 1) if parent is not None else None
            self._buildings[key] = found
        return self._buildings[key]

    def _definitions_with_rel(self, element) -> list:
        """(relationship, property definition) pairs attached to `element`, walked once."""
        key = element.id()
        if key not in self._defs:
            self._defs[key] = [(rel, pdef) for rel in self._property_rels(element)
                               for pdef in _definitions(rel) if pdef is not None]
        return self._defs[key]

    def _property_rels(self, element) -> list:
        if element.is_a("IfcObject"):
            rels = getattr(element, "IsDefinedBy", None) or ()
        else:                            # type objects have no IsDefinedBy: look the references up
            rels = self.file.get_inverse(element)
        return [r for r in rels if r.is_a("IfcRelDefinesByProperties")]


def open_ifc(path: Path, sha256: str | None = None, limits=None, psets: frozenset = frozenset()) -> IfcIndex:
    """Open `path` (`psets`: the property sets to index); a file ifcopenshell cannot parse is an InputError naming it, a file over
    `limits.max_model_mb` (limits.Limits) a LimitExceeded."""
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
    if limits is not None:
        limits.check_model_size(path, size)
    _check_complete(path, size)
    log = _parser_log()
    try:
        with native_path(path) as name:
            # lazy= is in ifcopenshell.open's signature but not in its @overload stubs
            ifc = ifcopenshell.open(name, lazy=True,  # type: ignore[call-overload]
                                    **({"logger": log} if log is not None else {}))
        # lazy: attributes parsed when first read: 2× faster, half the memory
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
        ifc_project=_project_global_id(ifc),
    )
    index = IfcIndex(path=path, file=ifc, info=info, area_unit_declared=area_declared,
                     area_scale=area_scale, power_scale_w=power_scale, log=log, psets=frozenset(psets))
    _index_types(index)
    return index


@contextmanager
def native_path(path: Path):
    """The path as ifcopenshell takes it (its C++ side takes UTF-8 text): the path itself, or, for a
    name that is not UTF-8 (a folder unzipped from Chinese Windows: GBK bytes, which Python holds as
    surrogate escapes ifcopenshell cannot encode), /proc/self/fd/N of the file opened here: the
    library opens that link itself and keeps its own handle, so N is closed on leaving."""
    import os

    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        if not Path("/proc/self/fd").is_dir():
            raise InputError("the model's path is not UTF-8 text, which the IFC parser cannot open on this system",
                             file=path, hint="rename the folder or file with UTF-8 characters") from None
        fd = os.open(path, os.O_RDONLY)
        try:
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    yield name


def _parser_log():
    """An in-memory logger for the parser's warnings and errors (None where ifcopenshell has none)."""
    from ifcopenshell import ifcopenshell_wrapper as wrapper

    if not hasattr(wrapper, "logger"):
        return None
    log = wrapper.logger()
    log.output_format(wrapper.logger.FMT_INMEMORY)
    log.verbosity(wrapper.logger.LOG_WARNING)
    return log


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


def _project_global_id(ifc) -> str | None:
    """The GlobalId of the model's one IfcProject, where it is a valid IFC GlobalId (22 characters of
    the IFC base-64 alphabet); None where there is no project, several, or an id that is not one."""
    import re

    try:
        projects = ifc.by_type("IfcProject")
        gid = projects[0].GlobalId if len(projects) == 1 else None
    except Exception:  # a malformed project instance: the header stays without it, the check goes on
        return None
    return gid if isinstance(gid, str) and re.fullmatch(r"[0-9A-Za-z_$]{22}", gid) else None


def _definitions(rel):
    pdef = rel.RelatingPropertyDefinition
    return pdef if isinstance(pdef, (list, tuple)) else (pdef,)


def _areas_of(qset, rel, area_scale: float) -> list[AreaQuantity]:
    import ifcopenshell.util.unit as unit

    found = []
    for q in qset.Quantities or ():
        if not q.is_a("IfcQuantityArea") or q.AreaValue is None:
            continue
        own = getattr(q, "Unit", None)
        scale = unit.get_unit_scale(own) if own is not None else area_scale
        found.append(AreaQuantity(qset.Name or "", q.Name or "", float(q.AreaValue) * scale,
                                  own_unit=own is not None, shared_by=len(rel.RelatedObjects or ()),
                                  qset_id=qset.id()))
    return found


def _index_types(index: IfcIndex) -> None:
    for rel in index.file.by_type("IfcRelDefinesByType"):
        for obj in rel.RelatedObjects or ():
            index.types[obj.id()] = rel.RelatingType


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


def refused_notes(index: IfcIndex) -> list[Note]:
    """One 'uncertain' note per element whose quantity or property held a number no figure can be
    (IfcIndex.refused): the value is left out, and every figure the element adds to is doubtful, so
    no rule passes on it; the note names the element and the value to correct."""
    from ..numbers import shown, why_unusable
    from .records import note

    by_element: dict[int, tuple] = {}
    for element, source, value in index.refused:             # an element read twice is noted once
        by_element.setdefault(element.id(), (element, {}))[1].setdefault(source, value)
    out = []
    for element, found in by_element.values():
        gid = getattr(element, "GlobalId", None)
        label = f"{element.is_a()} {gid or '#' + str(element.id())}"
        values = "; ".join(f"{source} = {shown(value)} {why_unusable(value)}" for source, value in found.items())
        values_zh = "；".join(f"{source} = {shown(value)}" for source, value in found.items())
        out.append(note("model.unusable_number", index.info.file,
                        f"{label}: {values}: left out, so the figures this element counts in are uncertain; "
                        "correct the value in the model (a unit or a typo) and export it again",
                        f"{label}：{values_zh} 不是可用的数值（非有限数，或超出 ±10^15），已略去；"
                        "该构件计入的数据因此不确定，请在模型中更正该值（单位或笔误）后重新导出",
                        _with_parts(element), "uncertain"))
    return out


def _with_parts(element) -> tuple[str, ...]:
    """The element's GlobalId and its parts' (an IfcRoof's slabs: the roof's figure is theirs)."""
    gids = [getattr(element, "GlobalId", None)]
    for rel in getattr(element, "IsDecomposedBy", None) or ():
        gids += [getattr(part, "GlobalId", None) for part in rel.RelatedObjects or ()]
    return tuple(dict.fromkeys(g for g in gids if g))
