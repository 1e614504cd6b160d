"""Read one IFC model into ModelFacts (cached per run by file name and SHA-256)."""

from __future__ import annotations

from pathlib import Path

from ..context import RunContext
from .elements import read_elements
from .ifcfile import open_ifc, sha256_of
from .records import ModelFacts


def read_model(path: Path, ctx: RunContext | None = None) -> ModelFacts:
    path = Path(path)
    digest = sha256_of(path) if path.is_file() else None
    key = (path.name, digest)   # the name is in every figure's provenance, so it is part of the key
    if ctx is not None and (cached := ctx.models.get(key)) is not None:
        return cached
    index = open_ifc(path, sha256=digest)
    roofs, panels, notes = read_elements(index)
    facts = ModelFacts(info=index.info, roofs=tuple(roofs), pv_panels=tuple(panels), notes=tuple(notes))
    if ctx is not None:
        ctx.models[key] = facts
    return facts
