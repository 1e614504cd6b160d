"""The 3D views of models, kept once per model content (SHA-256) under the app's data folder."""

from __future__ import annotations

import re
from pathlib import Path

SHA256 = re.compile(r"[0-9a-f]{64}")


def view_paths(views_dir: Path, sha256: str) -> tuple[Path, Path]:
    """(glb, its sidecar JSON). `sha256` is checked: it becomes a file name."""
    if not SHA256.fullmatch(sha256 or ""):
        raise ValueError("not a SHA-256")
    return views_dir / f"{sha256}.glb", views_dir / f"{sha256}.json"


def stored_view(views_dir: Path, sha256: str):
    """The converted view of a model, or None when it was never converted (or its record is unreadable)."""
    from .model3d import load_view

    _glb, sidecar = view_paths(views_dir, sha256)
    try:
        return load_view(sidecar) if sidecar.is_file() else None
    except (ValueError, OSError):
        return None


def ensure_view(views_dir: Path, sha256: str, source: Path, *, retry_failed: bool = False,
                time_limit_s: float | None = 300):
    """The view of `source` (whose content hash is `sha256`), converted now if it was not before.
    A conversion that failed is kept (the same model fails the same way) unless `retry_failed`:
    someone asked again, e.g. after a time-out on a busy machine."""
    from .model3d import convert_model

    found = stored_view(views_dir, sha256)
    if found is not None and (found.ok or not retry_failed):
        return found
    views_dir.mkdir(parents=True, exist_ok=True)
    glb, _sidecar = view_paths(views_dir, sha256)
    return convert_model(source, glb, time_limit_s=time_limit_s)
