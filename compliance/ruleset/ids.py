"""The rule set's information requirements as a buildingSMART IDS 1.0 file (built with ifctester).

`requirement_table()` says, per model figure (the names in `MetricSpec.ifc_figures`), what a model
must carry for the checker to read that figure as docs/ifc-conventions.md describes; `build_ids`
makes one IDS specification per record of every figure the rule set uses, `write_ids` writes it and
refuses a file the IDS schema rejects. Specifications are optional (minOccurs 0: a model without
chargers, or a federated model without the roof, is not failed for lacking them) except the
building's own figures (minOccurs 1). Nothing runs at import time; ifctester is imported lazily.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal, Optional

from ..errors import ComplianceError

IFC2X3, IFC4, IFC4X3 = "IFC2X3", "IFC4", "IFC4X3_ADD2"
ALL_VERSIONS = (IFC2X3, IFC4, IFC4X3)
IFC4_UP = (IFC4, IFC4X3)
SEP = r"[\s_\-.·" + "\u3000＿－" + "]*"     # XSD regex: the full-width space written as itself


class IdsError(ComplianceError):
    """The IDS file could not be built or does not conform to the IDS schema."""

    kind = "IDS error"


@dataclass(frozen=True)
class Need:
    """One requirement facet: a property (IfcPropertySet) or quantity (IfcElementQuantity)."""

    pset: str                             # ANY_SET: any property or quantity set (as the reader accepts)
    name: str | tuple[str, ...]           # several: any of them (xs:enumeration)
    data_type: Optional[str] = None
    values: tuple[str, ...] = ()          # allowed values (xs:enumeration)
    optional: bool = False                # IDS cardinality "optional": may be absent, checked when given


# the standard quantity sets and plain BaseQuantities (an XSD pattern; IDS requires the property in
# EVERY set the pattern matches, so vendor sets such as ArchiCADQuantities are left out of it)
ANY_SET = "Qto_[A-Za-z]*BaseQuantities|BaseQuantities"
# the area quantities the reader takes from any quantity set (read/areas.py: projected, then surface)
AREA_NAMES = ("GrossArea", "Area", "NetArea", "ProjectedArea")


@dataclass(frozen=True)
class IdsRequirement:
    """One IDS specification: which elements (applicability) must carry what (needs)."""

    name: tuple[str, str]                 # (zh, en)
    instructions: tuple[str, str]         # (zh, en): what to give, and what else the checker accepts
    versions: tuple[str, ...]
    entity: tuple[str, ...]               # IFC class; several -> xs:enumeration
    needs: tuple[Need, ...] = ()
    predefined_type: Optional[str] = None
    object_type: tuple[str, ...] = ()     # applicability: ObjectType token (or a Family:Type part) is one of these ...
    object_type_contains: tuple[str, ...] = ()   # ... or contains one of these
    part_of: Optional[str] = None         # applicability: aggregated (IfcRelAggregates) by this class
    required_types: tuple[str, ...] = ()  # requirement: the element's predefined type is one of these
    occurs: Literal["optional", "required"] = "optional"


def requirement_table(conventions=None) -> dict[str, tuple[IdsRequirement, ...]]:
    """Figure name (MetricSpec.ifc_figures) -> the requirement records that supply it; the classes
    and words come from the conventions file (rules/_conventions.yaml), as the reader's do."""
    from ..read.conventions import load_conventions

    conv = conventions or load_conventions()
    R = IdsRequirement
    area, power = "IFCAREAMEASURE", "IFCPOWERMEASURE"
    pv, charger_c, parking_c, roof_c = conv["pv_panel"], conv["ev_charger"], conv["parking_space"], conv["roof"]
    heat_pump_c = conv["heat_pump"]
    slab_area = (Need(ANY_SET, AREA_NAMES, area),)
    panel_area = (Need(ANY_SET, AREA_NAMES, area),)
    peak = (Need("YP_PVPanel", "PeakPower", power),)
    charger = (Need("YP_EVCharger", "RatedPower", power), Need("YP_EVCharger", "CurrentType", "IFCLABEL", ("AC", "DC")))
    parking = (Need("YP_ParkingSpace", "ChargerReady", "IFCBOOLEAN"),
               Need("Pset_SpaceParking", "IsAisle", "IFCBOOLEAN", optional=True),
               Need("Pset_SpaceParking", "ParkingUnits", "IFCCOUNTMEASURE", optional=True))
    heat_pump = (Need("YP_HeatPump", "SourceMedium", "IFCLABEL", ("GROUND", "WATER", "AIR")),)

    x2 = ("（IFC2X3 中按 IDS 约定由类型对象定类别，如带 IfcOutletType 的 IfcFlowTerminal。）",
          " (In IFC2X3 the class comes from the type object, as in IDS: e.g. IfcFlowTerminal with an IfcOutletType.)")

    def tokens(concept, zh: str, en: str, by_type: bool = False) -> tuple[str, str]:
        exact, inside = " / ".join(concept.types.exact), " / ".join(concept.types.contains)
        note = x2 if by_type else ("", "")
        return (zh + f"对象类型（ObjectType，忽略大小写、空格、_ 和 -；Revit 的“族:类型”逐段比较）为 {exact}，或含 {inside}"
                "（rules/_conventions.yaml）；类型对象的 ElementType 与 Name 同样适用。仅名称相符的构件为存疑构件。" + note[0],
                en + f" ObjectType (case, spaces, _ and - ignored; each part of Revit's Family:Type) is one of {exact}, "
                f"or contains one of {inside} (rules/_conventions.yaml); the type's ElementType and Name count too. "
                "An element that says so only in its Name is a suspect." + note[1])

    area_zh = ("也接受任意数量集（Qto_RoofBaseQuantities、BaseQuantities 等）的 GrossArea / Area、ProjectedArea"
               "（投影口径优先）和 NetArea（注明）；无面积数量时按几何计算。坡屋面请给出 ProjectedArea 或以拉伸实体建模。")
    area_en = (" GrossArea / Area in any quantity set (Qto_RoofBaseQuantities, BaseQuantities...), ProjectedArea "
               "(preferred for the projected basis) and NetArea (noted) are accepted too; without one the area "
               "comes from geometry. Give a sloped roof ProjectedArea, or model it as an extrusion.")
    on_type = ("属性可在构件或其类型上（构件优先）。", " Properties may sit on the occurrence or its type (occurrence wins).")
    charger_how = ("RatedPower 为额定输出功率（未声明单位按 W），CurrentType 为 AC / DC（DC 为快充）；缺少 RatedPower 时"
                   "读取 Pset_ElectricalDeviceCommon.NominalPower。" + on_type[0],
                   "Give YP_EVCharger.RatedPower (W unless a power unit is declared) and CurrentType AC / DC (DC is "
                   "fast); Pset_ElectricalDeviceCommon.NominalPower is read when RatedPower is absent." + on_type[1])
    parking_how = ("ChargerReady：已预留充电管线和容量。IsAisle = TRUE 为通道（不计，ChargerReady 填 FALSE）；"
                   "ParkingUnits = n 计 n 个车位。",
                   "ChargerReady: conduit and capacity reserved for a charger. IsAisle = TRUE marks an aisle (not "
                   "counted; give ChargerReady = FALSE); ParkingUnits = n counts n spaces.")
    solar_typed = R(("太阳能设备类型", "Solar device type"),
                    ("IfcSolarDevice 须（直接或经 IfcSolarDeviceType）为 SOLARPANEL 或 SOLARCOLLECTOR；NOTDEFINED、"
                     "或 USERDEFINED 加对象类型的设备不计为光伏。",
                     "An IfcSolarDevice must be SOLARPANEL or SOLARCOLLECTOR, itself or through its "
                     "IfcSolarDeviceType; a NOTDEFINED one, or USERDEFINED with an ObjectType, is not counted as PV."),
                    IFC4_UP, ("IFCSOLARDEVICE",), required_types=("SOLARPANEL", "SOLARCOLLECTOR"))
    return {
        "roof_area": (
            R(("屋面板面积", "Roof slab area"),
              ("ROOF 类型（或其类型为 ROOF）的 IfcSlab 在 Qto_SlabBaseQuantities 中给出 GrossArea。" + area_zh,
               "IfcSlab ROOF (or typed ROOF): give Qto_SlabBaseQuantities.GrossArea." + area_en),
              ALL_VERSIONS, ("IFCSLAB",), slab_area, predefined_type="ROOF"),
            R(("屋面板面积（IFC4 标准板）", "Roof slab area (IFC4 standard case)"),
              ("ROOF 类型的 IfcSlabStandardCase / IfcSlabElementedCase 给出面积数量（同上）。",
               "IfcSlabStandardCase / IfcSlabElementedCase ROOF: give an area quantity (as above)."),
              (IFC4,), _in(("IfcSlabStandardCase", "IfcSlabElementedCase"), ("IFC4",)), slab_area,
              predefined_type="ROOF"),
            R(("屋面板面积（对象类型）", "Roof slab area (ObjectType)"),
              tokens(roof_c, "未给出预定义类型、以对象类型标注为屋面的 IfcSlab 给出面积数量（同上）。",
                     "An IfcSlab without a predefined type whose ObjectType marks it as roof: give an area quantity "
                     "(as above)."),
              ALL_VERSIONS, ("IFCSLAB",), slab_area, **_typed(roof_c)),
            R(("屋顶部件面积", "Roof part area"),
              ("IfcRoof 聚合的楼板给出 GrossArea。全部部件有面积时用部件面积，否则用 IfcRoof 自身的数量；其他类别的"
               "部件也需面积，此处只检查楼板。" + area_zh,
               "Slabs aggregated by an IfcRoof: give GrossArea. The parts are used when every part has an area, "
               "else the roof's own quantity; parts of other classes need one too (only slabs checked)." + area_en),
              ALL_VERSIONS, ("IFCSLAB",), slab_area, part_of="IFCROOF"),
            R(("屋顶整体面积", "Roof assembly area"),
              ("IfcRoof 给出自身的面积数量（Qto_RoofBaseQuantities 的 GrossArea 或 ProjectedArea）。无部件或部件缺面积时"
               "核查采用此面积；有部件时与部件之和比较，相差超过 2% 记为发现。",
               "An IfcRoof: give its own area (Qto_RoofBaseQuantities.GrossArea or ProjectedArea). The check uses it "
               "when the roof has no parts or its parts lack areas; otherwise it is compared with the sum of its "
               "parts, and over 2 % off is a finding."),
              ALL_VERSIONS, ("IFCROOF",), (Need(ANY_SET, AREA_NAMES, area),)),
        ),
        "pv_area": (
            R(("光伏组件面积", "PV panel area"),
              ("IfcSolarDevice SOLARPANEL（或其类型为 SOLARPANEL）在 Qto_SolarDeviceBaseQuantities 中给出 GrossArea；"
               "也接受 BaseQuantities.GrossArea / Area 和 ProjectedArea。",
               "IfcSolarDevice SOLARPANEL (or typed SOLARPANEL): give Qto_SolarDeviceBaseQuantities.GrossArea; "
               "BaseQuantities.GrossArea / Area and ProjectedArea are accepted too."),
              IFC4_UP, ("IFCSOLARDEVICE",), panel_area, predefined_type="SOLARPANEL"),
            *by_version(R(("光伏组件面积（代理构件）", "PV panel area (proxy)"),
              tokens(pv, "以代理构件、板、覆面等表示的光伏组件给出 Qto_SolarDeviceBaseQuantities.GrossArea。",
                     "PV panels as proxies, plates, coverings...: give Qto_SolarDeviceBaseQuantities.GrossArea."),
              ALL_VERSIONS, (), panel_area, **_typed(pv)), pv.hosts),
            solar_typed,
        ),
        "pv_peak_power": (
            R(("光伏峰值功率", "PV peak power"),
              ("光伏组件在 YP_PVPanel 中给出 PeakPower（未声明功率单位按 W）。" + on_type[0],
               "PV panels: give YP_PVPanel.PeakPower (W unless a power unit is declared)." + on_type[1]),
              IFC4_UP, ("IFCSOLARDEVICE",), peak, predefined_type="SOLARPANEL"),
            *by_version(R(("光伏峰值功率（代理构件）", "PV peak power (proxy)"),
              tokens(pv, "以代理构件等表示的光伏组件给出 YP_PVPanel.PeakPower。" + on_type[0],
                     "PV panels as proxies, plates, coverings...: give YP_PVPanel.PeakPower." + on_type[1]),
              ALL_VERSIONS, (), peak, **_typed(pv)), pv.hosts),
        ),
        "chargers": (
            R(("充电桩（IFC4X3 RECHARGER）", "EV charging points (IFC4X3 RECHARGER)"), charger_how,
              (IFC4X3,), ("IFCELECTRICFLOWSTORAGEDEVICE",), charger, predefined_type="RECHARGER"),
            *by_version(R(("充电桩（对象类型）", "EV charging points (ObjectType)"),
              tokens(charger_c, charger_how[0], charger_how[1], by_type=True),
              ALL_VERSIONS, (), charger, **_typed(charger_c)), charger_c.hosts),
        ),
        "parking": (
            R(("停车位", "Parking spaces"), parking_how, IFC4_UP, ("IFCSPACE",), parking, predefined_type="PARKING"),
            *by_version(R(("停车位（对象类型）", "Parking spaces (ObjectType)"),
              tokens(parking_c, parking_how[0] + f"LongName / Name 含 {' / '.join(parking_c.names)} 的空间也被接受"
                     "（注明）；非机动车位等排除词见 rules/_conventions.yaml。", parking_how[1] + " Spaces whose LongName / "
                     f"Name contains {' / '.join(parking_c.names)} are accepted too (noted); bicycle spaces and the other "
                     "exclusions of rules/_conventions.yaml are not counted."),
              ALL_VERSIONS, (), parking, **_typed(parking_c)), parking_c.hosts),
        ),
        "gross_floor_area": (
            R(("总建筑面积", "Gross floor area"),
              ("IfcBuilding 在 Qto_BuildingBaseQuantities 中给出 GrossFloorArea。也依次接受：任意数量集的 "
               "GrossFloorArea；各楼层之和；各空间之和（偏小，注明）；Pset_BuildingCommon.GrossPlannedArea（规划值，注明）。",
               "IfcBuilding: give Qto_BuildingBaseQuantities.GrossFloorArea. Also accepted, in order: GrossFloorArea "
               "in any quantity set; the storeys' sum; the spaces' sum (an underestimate, noted); "
               "Pset_BuildingCommon.GrossPlannedArea (planned, noted)."),
              ALL_VERSIONS, ("IFCBUILDING",), (Need("Qto_BuildingBaseQuantities", "GrossFloorArea", area),),
              occurs="required"),
        ),
        "building_use": (
            R(("建筑用途", "Building use"),
              ("IfcBuilding 在 Pset_BuildingCommon 中给出 OccupancyType，与 submission.yaml 申报的用途并列显示。",
               "IfcBuilding: give Pset_BuildingCommon.OccupancyType; it is shown beside the declared use."),
              ALL_VERSIONS, ("IFCBUILDING",), (Need("Pset_BuildingCommon", "OccupancyType", "IFCLABEL"),),
              occurs="required"),
        ),
        "renewable_systems": (
            *by_version(R(("热泵热源", "Heat pump source"),
              tokens(heat_pump_c, "热泵设备在 YP_HeatPump 中给出 SourceMedium"
                     "（GROUND / WATER / AIR，缺少时从对象类型推断）。太阳能集热器和 IfcAirToAirHeatRecovery 凭类别识别。",
                     "Heat pumps: give YP_HeatPump.SourceMedium (GROUND / "
                     "WATER / AIR, else read from the ObjectType). Solar collectors and IfcAirToAirHeatRecovery are "
                     "recognised by class alone.", by_type=True),
              ALL_VERSIONS, (), heat_pump, **_typed(heat_pump_c)), heat_pump_c.name_classes),
            solar_typed,
        ),
    }


def all_figures() -> tuple[str, ...]:
    return tuple(requirement_table())


def _word(word: str) -> str:
    """A token as an XSD pattern: each letter either case, separators allowed around and between."""
    from ..read.recognise import token

    return SEP + SEP.join(_either(c) for c in token(word)) + SEP


def _either(c: str) -> str:
    """A character in either case, half- or full-width (the reader reads texts NFKC-normalised)."""
    if c.isascii() and c.isalnum():
        wide = "".join(chr(ord(x) + 0xFEE0) for x in dict.fromkeys((c, c.lower())))
        return f"[{c}{c.lower() if c.isalpha() else ''}{wide}]"
    return _escape(c)


def _escape(c: str) -> str:
    return "\\" + c if c in r".^$*+?()[]{}|\-" else c


def token_pattern(tokens: Iterable[str], contains: bool = False) -> str:
    """An XSD pattern matching a value whose token (upper case, spaces, '_' and '-' removed) is one of
    `tokens` (or contains one, with `contains`)."""
    body = "(" + "|".join(_word(t) for t in tokens) + ")"
    return f".*{body}.*" if contains else body


def types_pattern(exact: Iterable[str], contains: Iterable[str]) -> str:
    """What the reader's `types` match, for ObjectType: the whole text or a part of Revit's
    'Family:Type' is one of `exact`, or the text contains one of `contains`."""
    alternatives = []
    if exact := list(exact):
        alternatives.append(f"(.*:)?{token_pattern(exact)}(:.*)?")
    if contains := list(contains):
        alternatives.append(token_pattern(contains, contains=True))
    return "|".join(alternatives) if len(alternatives) > 1 else alternatives[0]


def _in(classes, schemas) -> tuple[str, ...]:
    """The classes (upper case) that each of `schemas` has."""
    from ..read.conventions import known_classes

    per_schema = known_classes()
    classes = ("IfcBuildingElementProxy",) if classes == "any" else classes
    return tuple(c.upper() for c in classes if all(c.upper() in per_schema.get(s, ()) for s in schemas))


def by_version(record: "IdsRequirement", classes) -> tuple["IdsRequirement", ...]:
    """One record for IFC4 / IFC4X3 with the classes both have, and one for IFC2X3 with its own
    (IfcOutlet, IfcSolarDevice... do not exist there), named '... (IFC2X3)'."""
    from dataclasses import replace

    out = [replace(record, versions=IFC4_UP, entity=_in(classes, ("IFC4", "IFC4X3_ADD2")))]
    old = _in(classes, ("IFC2X3",))
    if old:
        out.append(replace(record, versions=(IFC2X3,), entity=old,
                           name=(record.name[0] + "（IFC2X3）", record.name[1] + " (IFC2X3)")))
    return tuple(out)


def _typed(concept) -> dict:
    return dict(object_type=tuple(concept.types.exact), object_type_contains=tuple(concept.types.contains))


def _value(values: tuple[str, ...]):
    from ifctester.ids import Restriction

    return values[0] if len(values) == 1 else Restriction(options={"enumeration": list(values)})


def _specification(req: IdsRequirement, figures: list[str], rules: list):
    from ifctester import ids

    used = ", ".join(f"{r.id} ({r.clause.ref})" for r in rules) or "当前规则集未使用 / none in the current rule set"
    spec = ids.Specification(
        name=f"[{', '.join(figures)}] {req.name[0]} / {req.name[1]}", ifcVersion=list(req.versions),
        identifier=f"{figures[0]}:{req.name[1]}",
        description=f"需要此信息的规则 / Rules that need it: {used}",
        instructions="\n".join(req.instructions),
        minOccurs=1 if req.occurs == "required" else 0, maxOccurs="unbounded")
    entity = _value(req.entity)
    spec.applicability.append(ids.Entity(name=entity, predefinedType=req.predefined_type))
    if req.part_of:
        spec.applicability.append(ids.PartOf(name=req.part_of, relation="IFCRELAGGREGATES"))
    if req.object_type or req.object_type_contains:
        pattern = types_pattern(req.object_type, req.object_type_contains)
        spec.applicability.append(ids.Attribute(name="ObjectType", value=ids.Restriction(options={"pattern": pattern})))

    if req.required_types:
        spec.requirements.append(ids.Entity(name=entity, predefinedType=_value(req.required_types)))
    for need in req.needs:
        cardinality = "optional" if need.optional else "required"
        value = _value(need.values) if need.values else None
        pset = ids.Restriction(options={"pattern": need.pset}) if need.pset == ANY_SET else need.pset
        name = need.name if isinstance(need.name, str) else _value(need.name)
        spec.requirements.append(ids.Property(propertySet=pset, baseName=name, value=value,
                                              dataType=need.data_type, cardinality=cardinality))
    return spec


def figure_uses(ruleset) -> dict[str, list]:
    """Figure -> the rules (in rule-set order) whose metric reads it."""
    from ..derive.metrics import metric_specs

    specs = metric_specs()
    uses: dict[str, list] = {}
    for rule in ruleset.rules:
        metrics = [c.metric for c in rule.requirements] + [w.metric for w in rule.applies.where]
        for figure in dict.fromkeys(f for m in metrics for f in specs[m].ifc_figures):
            uses.setdefault(figure, []).append(rule)
    return uses


def build_ids(ruleset, *, figures: Optional[Iterable[str]] = None,
              date: str | datetime.date | None = None):
    """An ifctester Ids with one specification per requirement record of every figure a rule of
    `ruleset` uses (or of the explicit `figures`). `date` (ISO) goes into the IDS info; by default
    there is none, so the same rule set always gives the same file."""
    from ifctester import ids

    table = requirement_table()
    uses = figure_uses(ruleset)
    wanted = list(uses) if figures is None else list(figures)
    unknown = sorted(set(wanted) - set(table))
    if unknown:
        raise IdsError(f"no IDS requirements for figure(s) {', '.join(unknown)}",
                       hint="known figures: " + ", ".join(table) + "; add the figure to compliance/ruleset/ids.py")
    records: dict[IdsRequirement, list[str]] = {}
    for figure, reqs in table.items():
        if figure in wanted:
            for req in reqs:
                records.setdefault(req, []).append(figure)
    if not records:
        raise IdsError("the rule set's metrics read no model figures, so there is nothing to require",
                       hint="pass figures=... (or --all) to export every figure")
    if date is not None:
        try:
            date = datetime.date.fromisoformat(str(date)).isoformat()
        except ValueError:
            raise IdsError(f"'{date}' is not an ISO date (YYYY-MM-DD)") from None
    name = ruleset.settings.name
    document = ids.Ids(
        title=f"{name.zh} / {name.en} — {ruleset.version}", version=ruleset.version, date=date,
        description="模型信息需求，由规则集生成；每条规范列出需要它的规则。 / Model information requirements "
                    "generated from the rule set; each specification names the rules that need it.",
        purpose="碳达峰合规核查 / carbon-peak compliance check")
    for req, figs in records.items():
        rules = sorted({r.id: r for f in figs for r in uses.get(f, [])}.values(), key=lambda r: r.id)
        document.specifications.append(_specification(req, figs, rules))
    return document


def write_document(document, path: str | Path) -> None:
    """Write an ifctester Ids to `path` (its missing folders made). A document the IDS XSD rejects
    raises IdsError and leaves no file behind (an existing file at `path` is kept)."""
    from ifctester.ids import get_schema

    path = Path(path)
    part = path.with_name(path.name + ".part")
    try:
        reason = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not document.to_xml(str(part)):    # it encodes strictly: this re-check is a safety net
                reason = next(iter(get_schema().iter_errors(str(part))), "invalid")
        except OSError as exc:
            raise IdsError(f"cannot write the IDS file: {exc.strerror or exc}", file=path) from None
        except Exception as exc:  # xmlschema refuses to encode a document the schema rejects
            reason = exc
        if reason is not None:
            reason = getattr(reason, "reason", None) or str(reason).strip().splitlines()[0]
            raise IdsError(f"the IDS does not conform to the IDS 1.0 schema: {reason}", file=path,
                           hint="fix the requirement table in compliance/ruleset/ids.py")
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def write_ids(ruleset, path: str | Path, *, figures: Optional[Iterable[str]] = None,
              date: str | datetime.date | None = None) -> None:
    """Write the rule set's information requirements as an IDS file (validated against the XSD)."""
    write_document(build_ids(ruleset, figures=figures, date=date), path)
