"""Geometry-kernel results kept on disk by the model file's SHA-256.

Triangulating an element the fast path (`extrusion.py`) does not understand costs about a
millisecond; a reviewer re-checks the same model under another rule set, `rules diff` checks
every stored submission twice, and a batch is re-run after a crash. The kernel's results for a
file are stored once per file content in `<cache dir>/geometry/<sha256>.json`:

- the key is the file's SHA-256, and the file records `GEOMETRY_VERSION` (bumped whenever the
  measurement in geometry.py changes) and the ifcopenshell version (its kernel triangulates), so
  an edited model, a new checker or a new kernel never reads stale figures;
- JSON, never pickle: a cache file is data, not code, even if someone else wrote it;
- written atomically (temporary file + rename); a file that cannot be read or parsed is
  ignored and the figures are computed again. A cache is an optimisation, never an input.

The cache folder comes from the run's context (`RunContext.cache_dir`, see
`context.default_cache_dir`: `$COMPLIANCE_CACHE`, `off` disables it).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .geometry import Shape, ShapeFailure

GEOMETRY_VERSION = "1"      # bump when geometry.py's measurement rules change


class GeometryCache:
    """The kernel's Shapes of one model file (by entity id), loaded from and saved to the cache."""

    def __init__(self, folder: Path | None, sha256: str | None) -> None:
        self.path = (Path(folder) / "geometry" / f"{sha256}.json") if folder and sha256 else None
        self.shapes: dict[int, Shape | ShapeFailure] = self._load()
        self._dirty = False

    def get(self, element_id: int) -> Shape | ShapeFailure | None:
        return self.shapes.get(element_id)

    def put(self, element_id: int, shape: Shape | ShapeFailure) -> None:
        self.shapes[element_id] = shape
        self._dirty = True

    def save(self) -> None:
        """Write the file when something new was computed; a failure to write is not an error."""
        if self.path is None or not self._dirty:
            return
        doc = {"version": _version(), "shapes": {str(k): _encode(v) for k, v in self.shapes.items()}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".geometry-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, separators=(",", ":"))
            os.replace(tmp, self.path)
            self._dirty = False
        except OSError:
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass

    def _load(self) -> dict[int, Shape | ShapeFailure]:
        if self.path is None:
            return {}
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("version") != _version():
                return {}
            return {int(k): _decode(v) for k, v in doc["shapes"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}                      # absent, unreadable or not ours: compute again


def _version() -> str:
    import ifcopenshell

    return f"{GEOMETRY_VERSION}/ifcopenshell {ifcopenshell.version}"


def _encode(shape: Shape | ShapeFailure) -> dict:
    if isinstance(shape, ShapeFailure):
        return {"failure": shape.reason, "failure_zh": shape.reason_zh}
    return {"footprint": shape.footprint_m2, "surface": shape.surface_m2, "z": [shape.z_min, shape.z_max],
            "outline": [[list(p) for p in ring] for ring in shape.outline]}


def _decode(doc: dict) -> Shape | ShapeFailure:
    if "failure" in doc:
        return ShapeFailure(str(doc["failure"]), str(doc.get("failure_zh", "")))
    z_min, z_max = (float(z) for z in doc["z"])
    outline = tuple(tuple((float(x), float(y)) for x, y in ring) for ring in doc["outline"])
    return Shape(float(doc["footprint"]), float(doc["surface"]), z_min, z_max, outline)
