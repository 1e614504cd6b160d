"""Records the read stage produces: every figure keeps where it came from."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict

AreaBasis = Literal["projected", "surface"]
Role = Literal["roof", "pv"]
Method = Literal["quantity", "derived", "geometry"]   # read from a quantity / computed from one / from geometry
Outline = tuple[tuple[tuple[float, float], ...], ...]
SystemKind = Literal["solar_thermal", "heat_pump", "waste_heat_recovery"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Note(_Record):
    """Something the reader noticed that makes a figure uncertain or worth a reviewer's look."""

    code: str                     # stable, e.g. "roof.quantity_missing"
    message: str                  # plain language, English
    message_zh: Optional[str] = None   # the same in Chinese
    file: str
    line: Optional[int] = None    # for metadata findings: the line in submission.yaml
    global_ids: tuple[str, ...] = ()
    severity: Literal["info", "warning", "uncertain"] = "warning"


class Located(_Record):
    """An element named the way every report names it."""

    global_id: str
    ifc_class: str
    name: Optional[str] = None
    storey: Optional[str] = None
    file: str
    matched_by: str                        # why the element counts as what it is listed as


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
    peak_power_kw: Optional[float] = None   # PV only, where the model gives it
    peak_power_source: Optional[str] = None
    outline: Optional[Outline] = None        # footprint rings, world XY in metres, from geometry
    z_min: Optional[float] = None            # world elevation range of the body, metres
    z_max: Optional[float] = None

    def area(self, basis: AreaBasis) -> Optional[float]:
        return self.projected_m2 if basis == "projected" else self.surface_m2

    def source(self, basis: AreaBasis) -> Optional[str]:
        return self.projected_source if basis == "projected" else self.surface_source

    def method(self, basis: AreaBasis) -> Optional[str]:
        return self.projected_method if basis == "projected" else self.surface_method


class SystemRecord(Located):
    """A renewable or heat-recovery system the model shows (presence is the evidence)."""

    kind: SystemKind
    source_medium: Optional[Literal["ground", "water", "air"]] = None   # heat pumps
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


class Figure(_Record):
    """A single building-level figure with its source."""

    value: float | str | int
    unit: Optional[str] = None
    source: str
    method: Method = "quantity"


class BuildingRecord(Located):
    """An IfcBuilding: use, floor area, storeys, and the site it stands on."""

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
    element_counts: dict[str, int] = {}   # IfcProduct instances by class, most frequent first
    length_unit_m: float
    area_unit_m2: float
    power_unit_w: float = 1.0


class ModelFacts(_Record):
    """Everything the checks need from one IFC model."""

    info: ModelInfo
    roofs: tuple[AreaFigure, ...] = ()
    pv_panels: tuple[AreaFigure, ...] = ()
    systems: tuple[SystemRecord, ...] = ()
    chargers: tuple[ChargerRecord, ...] = ()
    parking: tuple[ParkingRecord, ...] = ()
    buildings: tuple[BuildingRecord, ...] = ()
    notes: tuple[Note, ...] = ()
