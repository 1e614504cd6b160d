"""Read one IFC model into ModelFacts (cached per run by file name and SHA-256)."""

from __future__ import annotations

from pathlib import Path

from ..context import RunContext
from .areas import AreaReader
from .building import read_buildings
from .classify import classify
from .elements import find_roofs, panel_figures, roof_and_panel_elements, roof_figures
from .equipment import read_equipment
from .ifcfile import IfcIndex, open_ifc, sha256_of
from .records import ModelFacts, Note


def read_model(path: Path, ctx: RunContext | None = None) -> ModelFacts:
    path = Path(path)
    digest = (ctx.sha256(path) if ctx is not None else sha256_of(path)) if path.is_file() else None
    key = (path.name, digest)   # the name is in every figure's provenance, so it is part of the key
    if ctx is not None and (cached := ctx.models.get(key)) is not None:
        return cached
    facts = facts_of(open_ifc(path, sha256=digest), cores=ctx.cores if ctx is not None else None,
                     cache_dir=ctx.cache_dir if ctx is not None else None)
    if ctx is not None:
        ctx.models[key] = facts
    return facts


def facts_of(index: IfcIndex, cores: int | None = None, cache_dir: Path | None = None) -> ModelFacts:
    """`cache_dir`: where geometry-kernel results are kept by file SHA-256 (None: not kept)."""
    from .extrusion import Placements
    from .geocache import GeometryCache
    from .geometry import compute_shapes

    notes: list[Note] = []
    found = classify(index)
    roofs, panels = find_roofs(index), [(element, d.pv) for element, d in found if d.pv]
    placements = Placements(index.info.length_unit_m)
    shapes = compute_shapes(index.file, roof_and_panel_elements(roofs, panels), cores=cores,
                            placements=placements, cache=GeometryCache(cache_dir, index.info.sha256),
                            path=index.path)
    reader = AreaReader(index, shapes, notes, placements)
    roof_figs, panel_figs = roof_figures(reader, roofs), panel_figures(reader, panels)
    systems, chargers, parking = read_equipment(index, notes, found)
    buildings = read_buildings(index, notes)
    return ModelFacts(info=index.info, roofs=tuple(roof_figs), pv_panels=tuple(panel_figs),
                      systems=tuple(systems), chargers=tuple(chargers), parking=tuple(parking),
                      buildings=tuple(buildings), notes=tuple(notes))
