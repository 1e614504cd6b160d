"""The rule set's information requirements as a buildingSMART IDS 1.0 file (ifctester).

`requirement_table()` says, per model figure (the names in `MetricSpec.ifc_figures`), what a
model must carry for the checker to read that figure as docs/ifc-conventions.md describes.
`build_ids` turns the figures used by a rule set into one IDS specification per requirement
record; `write_ids` writes it and refuses a file the IDS schema rejects. Nothing is computed
at import time; ifctester is imported inside the functions.

Every specification is optional in IDS terms (minOccurs 0: a model without chargers, or the
MEP model of a federated submission without roofs, is not failed for lacking them), except
the building's own figures, which every building model has to carry (minOccurs 1).
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

CHARGER_TOKENS = ("EVCHARGER", "EVCHARGINGPOINT", "EVCHARGINGSTATION", "CHARGINGPOINT", "CHARGINGSTATION",
                  "CHARGINGPILE", "EVSE", "充电桩")
PARKING_TOKENS = ("PARKING", "PARKINGSPACE", "PARKINGSTALL", "PARKINGBAY", "停车位")
HEAT_PUMP_TOKENS = ("HEATPUMP", "热泵")


class IdsError(ComplianceError):
    """The IDS file could not be built or does not conform to the IDS schema."""

    kind = "IDS error"


@dataclass(frozen=True)
class Need:
    """One requirement facet: a property or quantity (`pset` given) or an attribute (`pset` None)."""

    pset: Optional[str]
    name: str
    data_type: Optional[str] = None
    values: tuple[str, ...] = ()          # allowed values (xs:enumeration)
    optional: bool = False                # IDS cardinality "optional": may be absent, checked when given


@dataclass(frozen=True)
class IdsRequirement:
    """One IDS specification: which elements (applicability) must carry what (needs)."""

    name_zh: str
    name_en: str
    what_zh: str                          # -> specification description
    what_en: str
    how_zh: str                           # -> specification instructions (incl. what else the checker accepts)
    how_en: str
    versions: tuple[str, ...]
    entity: tuple[str, ...]               # IFC class; several -> xs:enumeration
    needs: tuple[Need, ...] = ()
    predefined_type: Optional[str] = None
    object_type: tuple[str, ...] = ()     # applicability: ObjectType token is one of these
    object_type_contains: bool = False    # ... or contains one of them
    part_of: Optional[str] = None         # applicability: aggregated (IfcRelAggregates) by this class
    required_types: tuple[str, ...] = ()  # requirement: the element's predefined type is one of these
    occurs: Literal["optional", "required"] = "optional"


def requirement_table() -> dict[str, tuple[IdsRequirement, ...]]:
    """Figure name (MetricSpec.ifc_figures) -> the requirement records that supply it."""
    from ..read.elements import PV_TOKENS

    area, power = "IFCAREAMEASURE", "IFCPOWERMEASURE"
    pv = tuple(sorted(PV_TOKENS))
    slab_area = Need("Qto_SlabBaseQuantities", "GrossArea", area)
    panel_area = Need("Qto_SolarDeviceBaseQuantities", "GrossArea", area)
    peak = Need("YP_PVPanel", "PeakPower", power)
    charger = (Need("YP_EVCharger", "RatedPower", power), Need("YP_EVCharger", "CurrentType", "IFCLABEL", ("AC", "DC")))
    parking = (Need("YP_ParkingSpace", "ChargerReady", "IFCBOOLEAN"),
               Need("Pset_SpaceParking", "IsAisle", "IFCBOOLEAN", optional=True),
               Need("Pset_SpaceParking", "ParkingUnits", "IFCCOUNTMEASURE", optional=True))
    heat_pump = (Need("YP_HeatPump", "SourceMedium", "IFCLABEL", ("GROUND", "WATER", "AIR")),)

    def token_zh(tokens):
        return (f"对象类型（ObjectType，忽略大小写、空格、_ 和 -）为 {' / '.join(tokens)}；核查程序也接受其他构件类"
                "及类型对象的 ElementType，从不依据名称。")

    def token_en(tokens):
        return (f"ObjectType (case, spaces, _ and - ignored) is one of {' / '.join(tokens)}; the checker also accepts "
                "other element classes and the type's ElementType, never names.")

    area_zh = ("也接受任意数量集（Qto_RoofBaseQuantities、BaseQuantities 等）中的 GrossArea / Area、ProjectedArea（投影口径优先）"
               "和 NetArea（注明）；无面积数量时按几何计算。坡屋面请给出 ProjectedArea 或以拉伸实体建模。")
    area_en = ("GrossArea / Area in any quantity set (Qto_RoofBaseQuantities, BaseQuantities...), ProjectedArea "
               "(preferred for the projected basis) and NetArea (noted) are accepted too; without one the area comes "
               "from geometry. Give a sloped roof ProjectedArea, or model it as an extrusion.")
    pset_zh, pset_en = "属性可在构件或其类型上（构件优先）。", "Properties may sit on the occurrence or its type (occurrence wins)."
    charger_zh = ("RatedPower 为额定输出功率（未声明单位按 W），CurrentType 为 AC / DC（DC 为快充）；缺少 RatedPower 时读取 "
                  "Pset_ElectricalDeviceCommon.NominalPower。" + pset_zh)
    charger_en = ("RatedPower is the rated output (W unless a power unit is declared), CurrentType AC / DC (DC is fast); "
                  "Pset_ElectricalDeviceCommon.NominalPower is read when RatedPower is absent. " + pset_en)
    parking_zh = "ChargerReady：已预留充电管线和容量。IsAisle = TRUE 为通道（不计，ChargerReady 填 FALSE）；ParkingUnits = n 计 n 个。"
    parking_en = ("ChargerReady: conduit and capacity reserved for a charger. IsAisle = TRUE marks an aisle (not counted; "
                  "give ChargerReady = FALSE); ParkingUnits = n counts n spaces.")
    hp_zh = "SourceMedium 为 GROUND / WATER / AIR，缺少时从对象类型推断。太阳能集热器和 IfcAirToAirHeatRecovery 凭类别识别，无需其他信息。"
    hp_en = ("SourceMedium is GROUND / WATER / AIR, else read from the ObjectType. Solar collectors and "
             "IfcAirToAirHeatRecovery are recognised by class alone.")
    x2_zh = "（IFC2X3 中按 IDS 约定由类型对象判定类别，如带 IfcOutletType 的 IfcFlowTerminal。）"
    x2_en = " (In IFC2X3 the class is taken from the type object, as IDS does: e.g. IfcFlowTerminal + IfcOutletType.)"
    proxy_what = ("以 IfcBuildingElementProxy 表示的光伏组件（IFC2X3 约定）", "PV panels modelled as IfcBuildingElementProxy")
    solar_typed = IdsRequirement(
        "太阳能设备类型", "Solar device type",
        "IfcSolarDevice 须（直接或经 IfcSolarDeviceType）为 SOLARPANEL 或 SOLARCOLLECTOR。",
        "An IfcSolarDevice must be SOLARPANEL or SOLARCOLLECTOR, itself or through its IfcSolarDeviceType.",
        "NOTDEFINED、或 USERDEFINED 加对象类型的太阳能设备不计为光伏。",
        "A NOTDEFINED device, or USERDEFINED with an ObjectType, is not counted as PV.",
        IFC4_UP, ("IFCSOLARDEVICE",), required_types=("SOLARPANEL", "SOLARCOLLECTOR"))
    return {
        "roof_area": (
            IdsRequirement("屋面板面积", "Roof slab area", "ROOF 类型（或其类型为 ROOF）的 IfcSlab 须给出毛面积。",
                           "IfcSlab ROOF (or typed ROOF) must give its gross area.",
                           "在 Qto_SlabBaseQuantities 中给出 GrossArea。" + area_zh,
                           "Give Qto_SlabBaseQuantities.GrossArea. " + area_en,
                           ALL_VERSIONS, ("IFCSLAB",), (slab_area,), predefined_type="ROOF"),
            IdsRequirement("屋顶部件面积", "Roof part area", "IfcRoof 聚合的楼板须给出毛面积。",
                           "Slabs aggregated by an IfcRoof must give their gross area.",
                           "全部部件有面积时用部件面积，否则用 IfcRoof 自身的数量；其他类别的部件也需面积，此处只检查楼板。" + area_zh,
                           "The parts are used when every part has an area, else the roof's own quantity; parts of "
                           "other classes need an area too (only slabs are checked here). " + area_en,
                           ALL_VERSIONS, ("IFCSLAB",), (slab_area,), part_of="IFCROOF"),
            IdsRequirement("屋顶整体面积", "Roof assembly area", "IfcRoof 自身的面积数量（给出时须为面积）。",
                           "An IfcRoof's own area quantities (areas when given).",
                           "无部件或部件缺面积的 IfcRoof 必须给出 GrossArea 或 ProjectedArea（IDS 无法表达此条件，故为可选）；"
                           "与部件之和相差超过 2% 记为发现。",
                           "An IfcRoof without parts, or whose parts lack areas, must give GrossArea or ProjectedArea "
                           "(IDS cannot express the condition: optional here); over 2 % from its parts' sum is a finding.",
                           ALL_VERSIONS, ("IFCROOF",), (Need("Qto_RoofBaseQuantities", "GrossArea", area, optional=True),
                                                        Need("Qto_RoofBaseQuantities", "ProjectedArea", area, optional=True))),
        ),
        "pv_area": (
            IdsRequirement("光伏组件面积", "PV panel area", "IfcSolarDevice SOLARPANEL（或其类型为 SOLARPANEL）须给出面积。",
                           "IfcSolarDevice SOLARPANEL (or typed SOLARPANEL) must give the panel area.",
                           "在 Qto_SolarDeviceBaseQuantities 中给出 GrossArea；也接受 BaseQuantities.GrossArea / Area 和 ProjectedArea。",
                           "Give Qto_SolarDeviceBaseQuantities.GrossArea; BaseQuantities.GrossArea / Area and "
                           "ProjectedArea are accepted too.",
                           IFC4_UP, ("IFCSOLARDEVICE",), (panel_area,), predefined_type="SOLARPANEL"),
            IdsRequirement("光伏组件面积（代理构件）", "PV panel area (proxy)", proxy_what[0] + "须给出面积。",
                           proxy_what[1] + " (the IFC2X3 convention) must give the panel area.",
                           "在 Qto_SolarDeviceBaseQuantities 中给出 GrossArea。" + token_zh(pv),
                           "Give Qto_SolarDeviceBaseQuantities.GrossArea. " + token_en(pv),
                           ALL_VERSIONS, ("IFCBUILDINGELEMENTPROXY",), (panel_area,), object_type=pv),
            solar_typed,
        ),
        "pv_peak_power": (
            IdsRequirement("光伏峰值功率", "PV peak power", "光伏组件须给出峰值功率。", "PV panels must give their peak power.",
                           "在 YP_PVPanel 中给出 PeakPower（未声明功率单位按 W）。" + pset_zh,
                           "Give YP_PVPanel.PeakPower (W unless a power unit is declared). " + pset_en,
                           IFC4_UP, ("IFCSOLARDEVICE",), (peak,), predefined_type="SOLARPANEL"),
            IdsRequirement("光伏峰值功率（代理构件）", "PV peak power (proxy)", proxy_what[0] + "须给出峰值功率。",
                           proxy_what[1] + " must give their peak power.",
                           "在 YP_PVPanel 中给出 PeakPower。" + token_zh(pv), "Give YP_PVPanel.PeakPower. " + token_en(pv),
                           ALL_VERSIONS, ("IFCBUILDINGELEMENTPROXY",), (peak,), object_type=pv),
        ),
        "chargers": (
            IdsRequirement("充电桩（IFC4X3）", "EV charging points (IFC4X3)",
                           "IfcElectricFlowStorageDevice RECHARGER 须给出额定功率和电流类型。",
                           "IfcElectricFlowStorageDevice RECHARGER must give its rated power and current type.",
                           charger_zh, charger_en, (IFC4X3,), ("IFCELECTRICFLOWSTORAGEDEVICE",), charger,
                           predefined_type="RECHARGER"),
            IdsRequirement("充电桩（对象类型）", "EV charging points (ObjectType)",
                           "以对象类型标明的充电桩（IfcOutlet、IfcElectricAppliance、代理构件）须给出额定功率和电流类型。",
                           "Charging points marked by ObjectType (IfcOutlet, IfcElectricAppliance, proxy) must give "
                           "their rated power and current type.", charger_zh + token_zh(CHARGER_TOKENS) + x2_zh,
                           charger_en + " " + token_en(CHARGER_TOKENS) + x2_en,
                           ALL_VERSIONS, ("IFCBUILDINGELEMENTPROXY", "IFCELECTRICAPPLIANCE", "IFCOUTLET"), charger,
                           object_type=CHARGER_TOKENS),
        ),
        "parking": (
            IdsRequirement("停车位", "Parking spaces", "IfcSpace PARKING（或其类型为 PARKING）须说明是否预留充电条件。",
                           "IfcSpace PARKING (or typed PARKING) must say whether it is charger-ready.",
                           parking_zh, parking_en, IFC4_UP, ("IFCSPACE",), parking, predefined_type="PARKING"),
            IdsRequirement("停车位（对象类型）", "Parking spaces (ObjectType)", "以对象类型标明的停车位须说明是否预留充电条件。",
                           "Spaces marked as parking by ObjectType must say whether they are charger-ready.",
                           parking_zh + token_zh(PARKING_TOKENS) + "LongName / Name 含“停车位”“车位”“parking space”等的空间也被接受（注明）。",
                           parking_en + " " + token_en(PARKING_TOKENS) + " Spaces whose LongName / Name contains "
                           "'parking space/stall/bay', '停车位' or '车位' are accepted too (noted).",
                           ALL_VERSIONS, ("IFCSPACE",), parking, object_type=PARKING_TOKENS),
        ),
        "gross_floor_area": (
            IdsRequirement("总建筑面积", "Gross floor area", "IfcBuilding 须给出总建筑面积。",
                           "IfcBuilding must give its gross floor area.",
                           "在 Qto_BuildingBaseQuantities 中给出 GrossFloorArea。也依次接受：任意数量集的 GrossFloorArea；各楼层"
                           " GrossFloorArea 之和；各空间之和（偏小，注明）；Pset_BuildingCommon.GrossPlannedArea（规划值，注明）。",
                           "Give Qto_BuildingBaseQuantities.GrossFloorArea. Also accepted, in order: GrossFloorArea in "
                           "any quantity set; the storeys' sum; the spaces' sum (an underestimate, noted); "
                           "Pset_BuildingCommon.GrossPlannedArea (planned, noted).",
                           ALL_VERSIONS, ("IFCBUILDING",), (Need("Qto_BuildingBaseQuantities", "GrossFloorArea", area),),
                           occurs="required"),
        ),
        "building_use": (
            IdsRequirement("建筑用途", "Building use", "IfcBuilding 须给出使用功能。", "IfcBuilding must state its use.",
                           "在 Pset_BuildingCommon 中给出 OccupancyType，与 submission.yaml 申报的用途并列显示。",
                           "Give Pset_BuildingCommon.OccupancyType; it is shown beside the use declared in submission.yaml.",
                           ALL_VERSIONS, ("IFCBUILDING",), (Need("Pset_BuildingCommon", "OccupancyType", "IFCLABEL"),),
                           occurs="required"),
        ),
        "renewable_systems": (
            IdsRequirement("热泵热源", "Heat pump source", "对象类型含 HEATPUMP / 热泵 的设备须给出热源。",
                           "Equipment whose ObjectType contains HEATPUMP / 热泵 must give its heat source.",
                           "在 YP_HeatPump 中给出 SourceMedium。" + hp_zh + x2_zh,
                           "Give YP_HeatPump.SourceMedium. " + hp_en + x2_en,
                           ALL_VERSIONS, ("IFCBUILDINGELEMENTPROXY", "IFCUNITARYEQUIPMENT"), heat_pump,
                           object_type=HEAT_PUMP_TOKENS, object_type_contains=True),
            solar_typed,
        ),
    }


def all_figures() -> tuple[str, ...]:
    return tuple(requirement_table())


def token_pattern(tokens: Iterable[str], contains: bool = False) -> str:
    """An XSD pattern matching a value whose token (upper case, spaces, '_' and '-' removed) is one of
    `tokens` (or contains one, with `contains`)."""
    sep = r"[\s_\-]*"
    alternatives = [sep + sep.join(f"[{c}{c.lower()}]" if c.isascii() and c.isalpha() else c for c in t) + sep
                    for t in tokens]
    body = "(" + "|".join(alternatives) + ")"
    return f".*{body}.*" if contains else body


def _value(values: tuple[str, ...]):
    from ifctester.ids import Restriction

    return values[0] if len(values) == 1 else Restriction(options={"enumeration": list(values)})


def _specification(req: IdsRequirement, figures: list[str], rules: list):
    from ifctester import ids

    used = ", ".join(f"{r.id} ({r.clause.ref})" for r in rules) or "当前规则集未使用 / not used by the current rule set"
    spec = ids.Specification(
        name=f"[{', '.join(figures)}] {req.name_zh} / {req.name_en}", ifcVersion=list(req.versions),
        identifier=f"{figures[0]}:{req.name_en}",
        description=f"{req.what_zh}\n{req.what_en}\n规则 / Rules: {used}",
        instructions=f"{req.how_zh}\n{req.how_en}",
        minOccurs=1 if req.occurs == "required" else 0, maxOccurs="unbounded")
    entity = _value(req.entity)
    spec.applicability.append(ids.Entity(name=entity, predefinedType=req.predefined_type))
    if req.part_of:
        spec.applicability.append(ids.PartOf(name=req.part_of, relation="IFCRELAGGREGATES"))
    if req.object_type:
        pattern = token_pattern(req.object_type, req.object_type_contains)
        spec.applicability.append(ids.Attribute(name="ObjectType", value=ids.Restriction(options={"pattern": pattern})))
    if req.required_types:
        spec.requirements.append(ids.Entity(name=entity, predefinedType=_value(req.required_types)))
    for need in req.needs:
        cardinality = "optional" if need.optional else "required"
        value = _value(need.values) if need.values else None
        if need.pset is None:
            spec.requirements.append(ids.Attribute(name=need.name, value=value, cardinality=cardinality))
        else:
            spec.requirements.append(ids.Property(propertySet=need.pset, baseName=need.name, value=value,
                                                  dataType=need.data_type, cardinality=cardinality))
    return spec


def figure_uses(ruleset) -> dict[str, list]:
    """Figure -> the rules (in rule-set order) whose metric reads it."""
    from ..derive.metrics import metric_specs

    specs = metric_specs()
    uses: dict[str, list] = {}
    for rule in ruleset.rules:
        for figure in specs[rule.requires.metric].ifc_figures:
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
    """Write an ifctester Ids to `path`; a document the IDS XSD rejects raises IdsError and leaves
    no file behind (an existing file at `path` is kept)."""
    from ifctester.ids import get_schema

    path = Path(path)
    part = path.with_name(path.name + ".part")
    try:
        try:
            valid = document.to_xml(str(part))
        except OSError as exc:
            raise IdsError(f"cannot write the IDS file: {exc.strerror or exc}", file=path) from None
        except Exception as exc:  # xmlschema refuses to encode a document the schema rejects
            reason = getattr(exc, "reason", None) or str(exc).strip().splitlines()[0]
            raise IdsError(f"the IDS does not conform to the IDS 1.0 schema: {reason}", file=path,
                           hint="fix the requirement table in compliance/ruleset/ids.py") from None
        if not valid:
            error = next(iter(get_schema().iter_errors(str(part))), None)
            reason = getattr(error, "reason", None) or str(error)
            raise IdsError(f"the IDS does not conform to the IDS 1.0 schema: {reason}", file=path,
                           hint="fix the requirement table in compliance/ruleset/ids.py")
        os.replace(part, path)
    finally:
        if part.exists():
            part.unlink()


def write_ids(ruleset, path: str | Path, *, figures: Optional[Iterable[str]] = None,
              date: str | datetime.date | None = None) -> None:
    """Write the rule set's information requirements as an IDS file (validated against the XSD)."""
    write_document(build_ids(ruleset, figures=figures, date=date), path)
