"""A check's key: what must be equal for two checks to be the same check."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Callable

from ..context import file_sha256
from ..read.metadata import METADATA_FILE


def input_files(folder: Path) -> list[Path]:
    """submission.yaml and every IFC file under the folder (the models a submission.yaml may list are
    .ifc files inside it), in a stable order. A broken submission has inputs too."""
    folder = Path(folder)
    files = [p for p in folder.rglob("*") if p.is_file() and (p.suffix.lower() == ".ifc" or
                                                               p.relative_to(folder).as_posix() == METADATA_FILE)]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def inputs_sha256(folder: Path, sha256: Callable[[Path], str] = file_sha256) -> str:
    """One hash over the relative path and content hash of every input file (`sha256`: a run's
    memoised hasher, so the models are not hashed again when they are read)."""
    folder = Path(folder)
    digest = hashlib.sha256()
    for path in input_files(folder):
        # surrogateescape: a file name that is not UTF-8 is hashed as its bytes (UTF-8 names as before)
        digest.update(f"{path.relative_to(folder).as_posix()}\0{sha256(path)}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def check_key(inputs: str, rules_version: str, as_of: date | None, build: str) -> str:
    """`as_of` None means 'as of the filing date', which the inputs already fix; `build`:
    build.build_identity(), so a check made by other checker code is another check."""
    text = f"{inputs}\n{rules_version}\n{as_of.isoformat() if as_of else 'filed_on'}\n{build}"
    return hashlib.sha256(text.encode()).hexdigest()
