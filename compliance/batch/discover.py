"""Which folders a batch checks."""

from __future__ import annotations

import os
from pathlib import Path

from ..read.metadata import METADATA_FILE


def find_submissions(roots: list[Path]) -> list[Path]:
    """Every folder holding a submission.yaml under the roots (a submission's own subfolders are not
    searched further), and every folder holding IFC files but no submission.yaml outside any
    submission (checked, so its missing metadata is reported rather than silently skipped).
    Sorted and without repeats; symlinked folders are not followed."""
    found: dict[Path, None] = {}
    for root in roots:
        root = Path(root)
        if (root / METADATA_FILE).is_file():
            found[root.resolve()] = None
            continue
        for current, dirs, files in os.walk(root):
            here = Path(current)
            if METADATA_FILE in files:
                found[here.resolve()] = None
                dirs.clear()
            elif here != root and any(f.lower().endswith(".ifc") for f in files):
                found[here.resolve()] = None
                dirs.clear()
            else:
                dirs.sort()
    return sorted(_shown(p) for p in found)


def _shown(path: Path) -> Path:
    """Relative to the working directory when under it (messages stay short), else absolute."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path
