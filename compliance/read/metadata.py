"""submission.yaml -> Submission (pydantic), with file-and-line error messages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal, Optional, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import InputError
from ..numbers import shown, usable, why_unusable
from ..text import Text
from ..yamlio import LocatedYaml, describe_validation_error, load_yaml

METADATA_FILE = "submission.yaml"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class _Strict(BaseModel):
    # allow_inf_nan False: "inf", "nan", "1e400" (text YAML leaves for pydantic to read) are refused
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _figures_are_usable(cls, v):
        """No figure beyond ±10^15 (compliance/numbers.py: "1e308" reaches here as text, which
        yamlio's own check of YAML numbers does not see); the file's line comes with the field."""
        for x in (v if isinstance(v, (list, tuple)) else v.values() if isinstance(v, dict) else (v,)):
            if not usable(x):
                raise ValueError(f"the number {shown(x)} {why_unusable(x)}; write the figure itself")
        return v


class Exemption(_Strict):
    """A designer's claim that a requirement cannot apply as written; a reviewer must judge it."""

    reason: str = Field(min_length=3)
    document: Optional[str] = None


class Declared(_Strict):
    """Figures the designer states for the submission. Where a model holds the same figure the
    two are compared, and a difference beyond a tolerance is a finding in the verdict."""

    roof_area_m2: Optional[float] = Field(default=None, ge=0)        # horizontal projection
    suitable_roof_area_m2: Optional[float] = Field(default=None, ge=0)   # where PV can be installed
    pv_area_m2: Optional[float] = Field(default=None, ge=0)          # horizontal projection
    pv_peak_power_kw: Optional[float] = Field(default=None, ge=0)
    storeys_above_ground: Optional[int] = Field(default=None, ge=0)
    parking_spaces: Optional[int] = Field(default=None, ge=0)
    charging_points: Optional[int] = Field(default=None, ge=0)
    fast_charging_points: Optional[int] = Field(default=None, ge=0)
    charger_ready_spaces: Optional[int] = Field(default=None, ge=0)
    renewable_systems: Optional[list[Literal["pv", "solar_thermal", "heat_pump", "waste_heat_recovery"]]] = None


# The measures a submission may list under `measures`, with the names the plan gives them (the
# one place they are named: reports, messages and computations read them from here).
Measure = Literal["bipv", "pv_storage_dc_flexible", "shore_power", "green_mall", "near_zero_carbon_pilot",
                  "green_construction", "bim", "prefabrication", "fully_fitted"]
MEASURE_LABELS: dict[Measure, Text] = {
    "bipv": Text(zh="光伏建筑一体化（BIPV）", en="building-integrated PV (BIPV)"),
    "pv_storage_dc_flexible": Text(zh="“光储直柔”建筑", en="PV + storage + DC + flexible-load building"),
    "shore_power": Text(zh="码头岸电设施", en="shore power at the dock"),
    "green_mall": Text(zh="绿色商场改造", en="green-mall retrofit"),
    "near_zero_carbon_pilot": Text(zh="近零碳建筑试点", en="near-zero-carbon building pilot"),
    "green_construction": Text(zh="绿色施工", en="green construction"),
    "bim": Text(zh="建筑信息模型（BIM）技术应用", en="building information modelling (BIM)"),
    "prefabrication": Text(zh="装配式建筑", en="prefabricated construction"),
    "fully_fitted": Text(zh="全装修", en="full fit-out"),
}
MEASURES = tuple(MEASURE_LABELS)
assert set(MEASURES) == set(get_args(Measure)), "every measure a submission may list has its label"
EnergyClass = Literal["none", "ultra_low", "nearly_zero", "zero_energy"]
ENERGY_CLASSES = get_args(EnergyClass)
GREEN_CATEGORIES = ("safety_durability", "health_comfort", "occupant_convenience", "resource_saving",
                    "environment_livability")


class EnergyAudit(_Strict):
    on_file: StrictBool
    document: Optional[str] = None


class Energy(_Strict):
    """Energy figures the design states (GB/T 51350, the plan's renewable and PUE targets)."""

    renewable_substitution_rate_pct: Optional[float] = Field(default=None, ge=0, le=100)
    energy_class: Optional[EnergyClass] = None
    design_saving_rate_pct: Optional[float] = Field(default=None, ge=0, le=200)   # vs the 2016 design baseline
    pue: Optional[float] = Field(default=None, ge=1, le=5)
    baseline_energy_kwh_per_year: Optional[float] = Field(default=None, gt=0)     # retrofit: before
    design_energy_kwh_per_year: Optional[float] = Field(default=None, ge=0)       # retrofit: after
    audit: Optional[EnergyAudit] = None


class GreenScores(_Strict):
    """GB/T 50378-2019 self-assessment scores (design stage)."""

    safety_durability: float = Field(ge=0)
    health_comfort: float = Field(ge=0)
    occupant_convenience: float = Field(ge=0)
    resource_saving: float = Field(ge=0)
    environment_livability: float = Field(ge=0)
    innovation: float = Field(default=0, ge=0)


class GreenBuilding(_Strict):
    """The claimed green-building label and, where given, the scores that must support it."""

    claimed: Optional[Literal["none", "basic", "1-star", "2-star", "3-star"]] = None
    certificate: Optional[str] = None            # label certificate or pre-assessment document
    prerequisites_met: Optional[StrictBool] = None
    full_fit_out: Optional[StrictBool] = None
    technical_requirements_met: Optional[StrictBool] = None   # GB/T 50378-2019 Table 3.2.8
    scores: Optional[GreenScores] = None


class Intensities(_Strict):
    energy_per_m2: float = Field(gt=0)           # kgce/m²·a
    energy_per_capita: float = Field(gt=0)       # kgce/person·a
    water_per_capita: float = Field(gt=0)        # m³/person·a
    carbon_per_m2: float = Field(gt=0)           # kgCO2/m²·a


class Operation(_Strict):
    """Public institutions (PI-1): 2020 baseline and current operating intensities."""

    baseline_2020: Intensities
    current: Intensities


class UsePart(_Strict):
    """One use of a building and how much of it: an area, or a share of the building's floor area."""

    use: str
    area_m2: Optional[float] = Field(default=None, gt=0)
    share_pct: Optional[float] = Field(default=None, gt=0, le=100)

    @model_validator(mode="after")
    def _one_measure(self) -> "UsePart":
        if self.area_m2 is not None and self.share_pct is not None:
            raise ValueError("give either 'area_m2' or 'share_pct' for a use, not both")
        return self


def _id_shape(v: str) -> str:
    if not _ID_RE.match(v):
        raise ValueError("must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return v


Identifier = Annotated[str, AfterValidator(_id_shape)]       # a submission's or a building's id


class BuildingSpec(_Strict):
    """One building (单体) of a submission: its uses, floor area and public-institution status, and
    where the models show it (`models`: the models holding this building alone; `ifc_building`:
    the IfcBuilding's GlobalId or Name in shared models; neither: matched by `id` or `name`)."""

    id: Identifier
    name: Optional[str] = Field(default=None, max_length=200)
    gross_floor_area_m2: Optional[float] = Field(default=None, gt=0)
    uses: list[UsePart] = Field(min_length=1)
    public_institution: Optional[StrictBool] = None
    ifc_building: Optional[str] = None
    models: list[str] = Field(default_factory=list)
    declared: Optional[Declared] = None          # this building's own declared figures (else none)
    energy: Optional[Energy] = None              # else the submission's
    green_building: Optional[GreenBuilding] = None

    @model_validator(mode="after")
    def _shares(self) -> "BuildingSpec":
        if len({p.use for p in self.uses}) != len(self.uses):
            raise ValueError("a use is listed twice; give each use once with its whole area")
        if any(p.area_m2 is None and p.share_pct is None for p in self.uses) and len(self.uses) > 1:
            raise ValueError("a building of several uses gives each use its 'area_m2' or 'share_pct'")
        shares = [p.share_pct for p in self.uses if p.share_pct is not None]
        if shares and len(shares) == len(self.uses) and abs(sum(shares) - 100) > 0.5:
            raise ValueError(f"the uses' shares add up to {sum(shares):g} %, not 100 %")
        areas = [p.area_m2 for p in self.uses if p.area_m2 is not None]
        if areas and self.gross_floor_area_m2 is not None and sum(areas) > self.gross_floor_area_m2 * 1.001:
            raise ValueError(f"the uses' areas add up to {sum(areas):g} m², more than the building's "
                             f"gross_floor_area_m2 ({self.gross_floor_area_m2:g} m²)")
        return self


class Submission(_Strict):
    """Project metadata of one submission. Field names are part of the public contract."""

    id: Identifier
    name: str = Field(min_length=1, max_length=200)
    name_en: Optional[str] = Field(default=None, max_length=200)
    kind: Literal["new", "retrofit"]
    filed_on: date
    use: Optional[str] = None                     # the single-use form; with `buildings`, the main use
    public_institution: Optional[StrictBool] = None   # None: derived from the use (derive/buildings.py)
    zone: Optional[str] = None
    models: list[str] = Field(min_length=1)
    applicant: Optional[str] = None
    gross_floor_area_m2: Optional[float] = Field(default=None, gt=0)
    exemptions: dict[str, Exemption] = Field(default_factory=dict)
    declared: Declared = Field(default_factory=Declared)
    energy: Energy = Field(default_factory=Energy)
    green_building: GreenBuilding = Field(default_factory=GreenBuilding)
    measures: Optional[list[Measure]] = None        # None: not stated; [] : none adopted
    operation: Optional[Operation] = None
    buildings: list[BuildingSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _use_given(self) -> "Submission":
        if not self.buildings:
            if self.use is None:
                raise ValueError("give the submission's 'use', or a 'buildings' list with each building's uses")
            return self
        if len({b.id for b in self.buildings}) != len(self.buildings):
            raise ValueError("two buildings have the same id")
        for b in self.buildings:
            for m in b.models:
                if m not in self.models:
                    raise ValueError(f"building '{b.id}' lists model '{m}', which is not in 'models'")
        if self.use is None:                      # the main use: the largest part over all buildings
            parts = [(p.area_m2 or (p.share_pct or 100) / 100 * (b.gross_floor_area_m2 or 0), p.use)
                     for b in self.buildings for p in b.uses]
            object.__setattr__(self, "use", max(parts, key=lambda t: t[0])[1])
        return self

    @field_validator("models")
    @classmethod
    def _model_paths(cls, v: list[str]) -> list[str]:
        for p in v:
            if any(ord(c) < 32 or ord(c) == 127 for c in p):
                raise ValueError(f"{p!r} holds a control character, which no file name has")
            if not p.lower().endswith(".ifc"):
                raise ValueError(f"'{p}' is not an .ifc file")
            if Path(p).is_absolute() or ".." in Path(p).parts:
                raise ValueError(f"'{p}' must be a path inside the submission folder")
        if len(set(v)) != len(v):
            raise ValueError("the same model is listed twice")
        return v


class LoadedSubmission(BaseModel):
    """A validated submission and where it came from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    folder: Path
    metadata_file: Path
    meta: Submission
    model_paths: list[Path]
    lines: dict[str, int] = {}      # "gross_floor_area_m2", "declared.parking_spaces" -> line in the file
    encoding: str = "UTF-8"         # what submission.yaml was read as (GB18030: a Chinese Windows editor)

    def line_of(self, field: str) -> int | None:
        return self.lines.get(field)


def load_submission(folder: Path, *, uses: set[str] | None = None,
                    zones: set[str] | None = None, models_present: bool = True) -> LoadedSubmission:
    """Read and validate `folder/submission.yaml`.

    `uses` and `zones` are the vocabulary the rule set knows; a value outside it is an error
    at the line of that field, since no rule could ever apply to it correctly. `models_present`
    False: the models are not in the folder (a filing re-checked from its stored facts), so their
    files are not looked for.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("submission folder not found", file=folder,
                         hint="pass a folder that holds submission.yaml and its IFC models")
    file = folder / METADATA_FILE
    _inside(folder, file, file, None)
    doc = load_yaml(file, InputError, what="submission metadata", legacy_encoding=True)
    if not isinstance(doc.data, dict):
        raise InputError("submission metadata must be a mapping of fields (id, name, kind, ...)",
                         file=file, line=1, hint="see README: 'Submissions' for an example")
    try:
        meta = Submission.model_validate(doc.data)
    except ValidationError as exc:
        raise describe_validation_error(doc, exc, InputError, what="submission metadata", model=Submission) from None
    _check_vocabulary(doc, meta, uses, zones)
    _check_consistency(doc, meta)
    paths: list[Path] = []
    for i, rel in enumerate(meta.models):
        path = folder / rel
        if not models_present:
            paths.append(path)
            continue
        line = doc.line_of(("models", i))
        try:
            path.stat()
        except FileNotFoundError:
            pass                     # said below
        except (OSError, ValueError) as exc:       # a name too long, a component that is a file, ...
            raise InputError(f"model '{rel[:80]}{'…' if len(rel) > 80 else ''}' listed in 'models' cannot be "
                             f"opened: {getattr(exc, 'strerror', None) or exc}", file=file, line=line, hint="fix the path") from None
        if path.is_dir():
            raise InputError(f"model '{rel}' listed in 'models' is a folder, not an IFC file", file=file,
                             line=line, hint="list the .ifc files themselves")
        if not path.is_file():
            raise InputError(f"model '{rel}' listed in 'models' does not exist", file=file, line=line,
                             hint="add the IFC file to the submission folder or fix the path")
        _inside(folder, path, file, line)
        if any(path.resolve() == seen.resolve() for seen in paths):
            raise InputError(f"model '{rel}' is listed twice in 'models' (under another spelling)", file=file,
                             line=line, hint="list each model once")
        paths.append(path)
    lines = {".".join(map(str, path)): line for path, line in doc.lines.items() if path}
    return LoadedSubmission(folder=folder, metadata_file=file, meta=meta, model_paths=paths,
                            lines={k: v for k, v in lines.items() if v is not None}, encoding=doc.encoding)


def _inside(folder: Path, path: Path, file: Path, line: int | None) -> None:
    """A file of the submission must be in its folder: a symbolic link out of it is refused
    (a submission names its own files, never the reviewer's)."""
    try:
        real, root = path.resolve(strict=False), folder.resolve(strict=True)
    except (OSError, RuntimeError):       # a symlink loop
        raise InputError(f"'{path.name}' is a broken or looping symbolic link", file=file, line=line,
                         hint="put the file itself in the submission folder") from None
    if not real.is_relative_to(root):
        raise InputError(f"'{path.relative_to(folder)}' is a link to a file outside the submission folder",
                         file=file, line=line, hint="copy the file itself into the submission folder")


# (smaller field, larger field, what the relation means): a declared figure that breaks one is
# a typo the verdict must not be built on
_ORDERED = (
    ("declared.fast_charging_points", "declared.charging_points", "fast charging points are among the charging points"),
    ("declared.charging_points", "declared.parking_spaces", "charging points serve parking spaces"),
    ("declared.charger_ready_spaces", "declared.parking_spaces", "charger-ready spaces are parking spaces"),
    ("declared.suitable_roof_area_m2", "declared.roof_area_m2", "the area suitable for PV is part of the roof"),
)


def _check_consistency(doc: LocatedYaml, meta: Submission) -> None:
    """Figures that contradict each other: one message at the line of the second one."""
    def value(path: str):
        obj = meta
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    for small, large, why in _ORDERED:
        a, b = value(small), value(large)
        if a is not None and b is not None and a > b:
            raise InputError(f"submission metadata: '{small}' ({a:g}) is more than '{large}' ({b:g}), "
                             f"but {why}", file=doc.file, line=doc.line_of(tuple(small.split("."))),
                             hint=f"correct '{small}' or '{large}'")
    areas = [b.gross_floor_area_m2 for b in meta.buildings]
    if meta.gross_floor_area_m2 is not None and areas and None not in areas:
        total = sum(a for a in areas if a is not None)
        if abs(total - meta.gross_floor_area_m2) > max(1.0, 0.001 * total):
            raise InputError(f"submission metadata: 'gross_floor_area_m2' ({meta.gross_floor_area_m2:g} m²) is not "
                             f"the sum of the buildings' gross_floor_area_m2 ({total:g} m²)", file=doc.file,
                             line=doc.line_of(("gross_floor_area_m2",)),
                             hint="correct one of them, or leave the submission's total out (it is the sum)")
    names = meta.declared.renewable_systems
    if names is not None and len(set(names)) != len(names):
        raise InputError("submission metadata: 'declared.renewable_systems' lists a system twice",
                         file=doc.file, line=doc.line_of(("declared", "renewable_systems")),
                         hint="name each system once")


def _check_vocabulary(doc: LocatedYaml, meta: Submission, uses: set[str] | None,
                      zones: set[str] | None) -> None:
    if uses is not None and meta.use not in uses and "use" in doc.data:
        raise InputError(f"submission metadata: field 'use': unknown use class '{meta.use}'",
                         file=doc.file, line=doc.line_of(("use",)),
                         hint="use one of: " + ", ".join(sorted(uses)))
    for i, b in enumerate(meta.buildings):
        for j, part in enumerate(b.uses):
            if uses is not None and part.use not in uses:
                raise InputError(f"submission metadata: building '{b.id}': unknown use class '{part.use}'",
                                 file=doc.file, line=doc.line_of(("buildings", i, "uses", j, "use")),
                                 hint="use one of: " + ", ".join(sorted(uses)))
    if zones is not None and meta.zone is not None and meta.zone not in zones:
        raise InputError(f"submission metadata: field 'zone': unknown zone '{meta.zone}'",
                         file=doc.file, line=doc.line_of(("zone",)),
                         hint="use one of: " + ", ".join(sorted(zones)) + ", or leave it out")
