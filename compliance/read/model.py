"""Read one IFC model into ModelFacts (cached per run by the file's SHA-256)."""

from __future__ import annotations

from pathlib import Path

from ..context import RunContext
from .elements import read_elements
from .ifcfile import open_ifc, sha256_of
from .records import ModelFacts


def read_model(path: Path, ctx: RunContext | None = None) -> ModelFacts:
    digest = sha256_of(Path(path)) if ctx is not None else None
    if ctx is not None and (cached := ctx.model_cache_get(digest)) is not None:
        return cached.model_copy(update={"info": cached.info.model_copy(update={"file": Path(path).name})})
    index = open_ifc(Path(path))
    roofs, panels, notes = read_elements(index)
    facts = ModelFacts(info=index.info, roofs=tuple(roofs), pv_panels=tuple(panels), notes=tuple(notes))
    if ctx is not None:
        ctx.model_cache_put(index.info.sha256, facts)
    return facts
