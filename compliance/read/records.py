"""Records the read stage produces: every figure keeps where it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..text import Text

AreaBasis = Literal["projected", "surface"]
Role = Literal["roof", "pv"]
Method = Literal["quantity", "derived", "geometry"]   # read from a quantity / computed from one / from geometry
Outline = tuple[tuple[tuple[float, float], ...], ...]
# solar: PV or thermal, not said; exhaust_heat_recovery: heat recovered from the building's own exhaust air
# (ERV/HRV), an efficiency measure, not a renewable source (rules/_conventions.yaml, heat_recovery)
SystemKind = Literal["solar_thermal", "solar", "heat_pump", "waste_heat_recovery", "exhaust_heat_recovery"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Note(_Record):
    """Something the reader noticed that makes a figure uncertain or worth a reviewer's look."""

    code: str = Field(description="Stable, e.g. 'roof.quantity_missing'")
    message: str = Field(description="Plain language, English")
    message_zh: Optional[str] = Field(None, description="The same in Chinese (every note the checker makes has it)")
    file: str
    line: Optional[int] = Field(None, description="For metadata findings: the line in submission.yaml")
    field: Optional[str] = Field(None, description="For metadata findings: the submission.yaml field, e.g. "
                                                   "'declared.charging_points'")
    global_ids: tuple[str, ...] = ()
    severity: Literal["info", "warning", "uncertain"] = "warning"

    @property
    def text(self) -> Text:
        """The message in both languages (the English one where a note was made without Chinese)."""
        return Text(zh=self.message_zh or self.message, en=self.message)


def note(code: str, file: str, en: str, zh: str, gids=(), severity: str = "warning",
         line: Optional[int] = None, field: Optional[str] = None) -> Note:
    """A note in both languages."""
    return Note(code=code, message=en, message_zh=zh, file=file, line=line, global_ids=tuple(gids),
                severity=severity, field=field)


class NoteTaker:
    """A reader of one model that records what it notices in `notes` (shared with the other readers)."""

    file: str
    notes: list[Note]

    def note(self, code: str, en: str, zh: str, gids=(), severity: str = "warning") -> None:
        self.notes.append(note(code, self.file, en, zh, gids, severity))


BASIS_ZH = {"projected": "水平投影面积", "surface": "实际表面积"}
_SOURCE_ZH = (
    (r"computed from geometry \(footprint\)", "由几何计算（水平投影）"),
    (r"computed from geometry \(top surface\)", "由几何计算（顶面）"),
    (r" \(flat: surface = projection\)", "（平面：表面积即水平投影面积）"),
    (r", slope from placement", "，坡度取自构件定位"),
    (r"^sum of (\d+) storeys' (.+)$", r"\1 个楼层的 \2 之和"),
    (r"^sum of (\d+) spaces' (\S+) \(underestimate\)$", r"\1 个空间的 \2 之和（偏小）"),
    (r" \(planned figure\)$", "（规划数值）"),
)


def source_zh(source: str) -> str:
    """A figure's source, as the readers write it, in Chinese (quantity and property names stay)."""
    for pattern, zh in _SOURCE_ZH:
        source = re.sub(pattern, zh, source)
    return source


class Located(_Record):
    """An element named the way every report names it."""

    global_id: str
    ifc_class: str
    name: Optional[str] = None
    storey: Optional[str] = None
    building: Optional[str] = None         # GlobalId of the IfcBuilding it stands in (None: none, e.g. the site)
    file: str
    matched_by: str                        # why the element counts as what it is listed as
    origin: Optional[tuple[float, float, float]] = None   # world XYZ of its placement, metres (None: unknown)


class AreaFigure(Located):
    """One element's area, in m², on both bases where they can be read, with provenance.

    `projected_m2` is the horizontal projection, `surface_m2` the true (possibly sloped)
    surface. Either is None when it could not be read; the element is still listed so the
    verdict can name the element that lacks data. `*_method` says whether the figure is a
    quantity in the model, derived from one (surface × cos slope), or computed from geometry.
    """

    role: Role
    projected_m2: Optional[float] = None
    projected_source: Optional[str] = None  # e.g. "Qto_RoofBaseQuantities.ProjectedArea"
    projected_method: Optional[Method] = None
    surface_m2: Optional[float] = None
    surface_source: Optional[str] = None    # e.g. "Qto_SlabBaseQuantities.GrossArea"
    surface_method: Optional[Method] = None
    # where a quantity and the geometry disagree (area.geometry_disagrees): the geometry's figure, so
    # the metrics can weigh the area over both readings instead of not at all
    projected_alt_m2: Optional[float] = None
    surface_alt_m2: Optional[float] = None
    peak_power_kw: Optional[float] = None   # PV only, where the model gives it
    peak_power_source: Optional[str] = None
    outline: Optional[Outline] = None        # footprint rings, world XY in metres, from geometry
    z_min: Optional[float] = None            # world elevation range of the body, metres
    z_max: Optional[float] = None

    def area(self, basis: AreaBasis) -> Optional[float]:
        return self.projected_m2 if basis == "projected" else self.surface_m2

    def span(self, basis: AreaBasis) -> tuple[Optional[float], Optional[float]]:
        """(lowest, highest) of the readings of this area: the figure, and the geometry's where it disagrees."""
        value = self.area(basis)
        other = self.projected_alt_m2 if basis == "projected" else self.surface_alt_m2
        if value is None or other is None:
            return value, value
        return min(value, other), max(value, other)

    def source(self, basis: AreaBasis) -> Optional[str]:
        return self.projected_source if basis == "projected" else self.surface_source

    def method(self, basis: AreaBasis) -> Optional[str]:
        return self.projected_method if basis == "projected" else self.surface_method


class SystemRecord(Located):
    """A renewable or heat-recovery system the model shows (presence is the evidence)."""

    kind: SystemKind
    # heat pumps: ground / water / air; heat recovery: where its heat comes from (rules/_conventions.yaml)
    source_medium: Optional[Literal["ground", "water", "air", "process", "data_centre", "sewage", "exhaust_air"]] = None
    medium_source: Optional[str] = None


class ChargerRecord(Located):
    """An EV charging point. Whether it is fast is decided in the derive stage (a rule parameter)."""

    power_kw: Optional[float] = None
    power_source: Optional[str] = None
    current: Optional[Literal["AC", "DC"]] = None
    current_source: Optional[str] = None


class ParkingRecord(Located):
    """One parking space; `charger_ready` is whether charger installation conditions are reserved."""

    area_m2: Optional[float] = None
    area_source: Optional[str] = None
    charger_ready: Optional[bool] = None
    charger_ready_source: Optional[str] = None
    units: int = 1                           # Pset_SpaceParking.ParkingUnits: one space element may hold several
    units_source: Optional[str] = None


class SuspectRecord(Located):
    """An element a person would call a roof, PV panel, charging point, ... that the model does not
    establish as one (`tier` suspect: listed, the rules it could change go to review unless the
    outcome is the same either way), or that an exclusion word rules out (`tier` excluded)."""

    concept: str                             # a concept of rules/_conventions.yaml
    tier: Literal["suspect", "excluded"] = "suspect"
    reason_zh: str = ""                      # matched_by, in Chinese
    projected_m2: Optional[float] = None     # roofs and panels: their area where it can be read
    surface_m2: Optional[float] = None
    area_source: Optional[str] = None
    outline: Optional[Outline] = None
    z_min: Optional[float] = None
    z_max: Optional[float] = None

    def area(self, basis: AreaBasis) -> Optional[float]:
        return self.projected_m2 if basis == "projected" else self.surface_m2


class Figure(_Record):
    """A single building-level figure with its source."""

    value: float | str | int
    unit: Optional[str] = None
    source: str
    method: Method = "quantity"


class BuildingRecord(Located):
    """An IfcBuilding: use, floor area, storeys, and the site it stands on. It stands in itself
    (`building` is its own GlobalId), so a building's records are picked like its elements."""

    @model_validator(mode="before")
    @classmethod
    def _stands_in_itself(cls, data):
        if isinstance(data, dict) and data.get("building") is None and "global_id" in data:
            data = {**data, "building": data["global_id"]}
        return data

    occupancy_type: Optional[Figure] = None
    gross_floor_area: Optional[Figure] = None        # m²
    storeys_above_ground: Optional[Figure] = None
    storeys_below_ground: Optional[Figure] = None
    declared_storeys: Optional[Figure] = None        # Pset_BuildingCommon.NumberOfStoreys
    latitude: Optional[Figure] = None                # decimal degrees, from IfcSite
    longitude: Optional[Figure] = None


class ModelInfo(_Record):
    """The model header a reviewer expects in every report."""

    file: str
    schema_name: str
    application: Optional[str] = None
    size_bytes: int
    sha256: str
    entity_count: int
    element_counts: dict[str, int] = Field({}, description="IfcProduct instances by class, most frequent first")
    length_unit_m: float
    area_unit_m2: float
    power_unit_w: float = 1.0
    ifc_project: Optional[str] = Field(None, description="The GlobalId of the model's IfcProject, which BCF tools "
                                                         "match a topic's model by (null: the model has none, or "
                                                         "none that is a valid GlobalId)")


@dataclass(frozen=True)
class FactsKey:
    """A model's facts in the facts store (registry/facts.py): its content, the reader that read it
    (build.reader_identity: the reader's code and conventions) and its name, which every figure cites."""

    sha256: str
    reader: str
    file: str


class ModelFacts(_Record):
    """Everything the checks need from one IFC model."""

    info: ModelInfo
    roofs: tuple[AreaFigure, ...] = ()
    pv_panels: tuple[AreaFigure, ...] = ()
    systems: tuple[SystemRecord, ...] = ()
    chargers: tuple[ChargerRecord, ...] = ()
    parking: tuple[ParkingRecord, ...] = ()
    buildings: tuple[BuildingRecord, ...] = ()
    suspects: tuple[SuspectRecord, ...] = ()         # named, not counted: rules they could change go to review
    excluded: tuple[SuspectRecord, ...] = ()         # matched but ruled out (bicycle spaces, ...): listed only
    notes: tuple[Note, ...] = ()

    def suspects_of(self, concept: str) -> tuple[SuspectRecord, ...]:
        return tuple(s for s in self.suspects if s.concept == concept)
