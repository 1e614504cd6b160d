"""Records the read stage produces: every figure keeps where it came from."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict

AreaBasis = Literal["projected", "surface"]
Role = Literal["roof", "pv"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Note(_Record):
    """Something the reader noticed that makes a figure uncertain or worth a reviewer's look."""

    code: str                     # stable, e.g. "roof.quantity_missing"
    message: str                  # plain language, English
    file: str
    global_ids: tuple[str, ...] = ()
    severity: Literal["info", "warning", "uncertain"] = "warning"


class AreaFigure(_Record):
    """One element's area, in m², on both bases where they can be read, with provenance.

    `projected_m2` is the horizontal projection, `surface_m2` the true (possibly sloped)
    surface. Either is None when it could not be read; the element is still listed so the
    verdict can name the element that lacks data.
    """

    role: Role
    global_id: str
    ifc_class: str
    name: Optional[str] = None
    storey: Optional[str] = None
    file: str
    matched_by: str                        # why the element counts as a roof / PV panel
    projected_m2: Optional[float] = None
    projected_source: Optional[str] = None  # e.g. "Qto_RoofBaseQuantities.ProjectedArea"
    surface_m2: Optional[float] = None
    surface_source: Optional[str] = None    # e.g. "Qto_SlabBaseQuantities.GrossArea"

    def area(self, basis: AreaBasis) -> Optional[float]:
        return self.projected_m2 if basis == "projected" else self.surface_m2

    def source(self, basis: AreaBasis) -> Optional[str]:
        return self.projected_source if basis == "projected" else self.surface_source


class ModelInfo(_Record):
    """The model header a reviewer expects in every report."""

    file: str
    schema_name: str
    application: Optional[str] = None
    size_bytes: int
    sha256: str
    entity_count: int
    length_unit_m: float
    area_unit_m2: float


class ModelFacts(_Record):
    """Everything the checks need from one IFC model."""

    info: ModelInfo
    roofs: tuple[AreaFigure, ...] = ()
    pv_panels: tuple[AreaFigure, ...] = ()
    notes: tuple[Note, ...] = ()
