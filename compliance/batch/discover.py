"""Which folders a batch checks, and every folder it does not check, with why.

    find_submissions(roots) -> Found(folders, skipped)

A folder holding submission.yaml is a submission; a folder holding IFC files but no
submission.yaml, outside any submission, is checked too (so its missing metadata is reported).
Nothing is left out silently; `skipped` names each folder not checked and why:
- it cannot be read (permission denied, or any other error listing it): a submission in it would be missed;
- it is a submission folder inside another submission's folder (checked as a part of that one's
  files, never on its own: move it out to check it);
- it is a symbolic link to a folder (not followed: a link can lead out of the folders given, or
  round in a loop; pass the folder it points to instead), or a link that loops.
Names are shown as compliance/safe_text.py says (a name that is not UTF-8: decoded as GB18030, or
\\xNN), so every folder can be named; the folders themselves are kept as the file system names them.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..read.metadata import METADATA_FILE


@dataclass(frozen=True)
class Skipped:
    """A folder the batch does not check: as shown (relative to the working directory when under
    it, names made safe to print and store) and why, in words that say what to do."""

    folder: str
    reason: str

    def as_dict(self) -> dict:
        return {"folder": self.folder, "reason": self.reason}


@dataclass(frozen=True)
class Found:
    folders: list[Path] = field(default_factory=list)      # to check: sorted, without repeats
    skipped: list[Skipped] = field(default_factory=list)   # not checked, with why; in the order met


def find_submissions(roots: list[Path]) -> Found:
    """Every submission folder under the roots (see the module's docstring), and every folder not
    checked with why. A root is followed even when it is a symbolic link (it was named)."""
    found: dict[Path, None] = {}
    skipped: list[Skipped] = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            skipped.append(Skipped(shown(root), "not a folder (or it does not exist): nothing under it was checked"))
            continue
        _walk(root, found, skipped)
    return Found(sorted(found), skipped)


def _walk(root: Path, found: dict, skipped: list) -> None:
    stack: list[tuple[Path, Path | None]] = [(root, None)]     # (folder, the submission it lies in)
    while stack:
        here, inside = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if inside is None and _holds_metadata(here):    # listed no, searched yes: its check says more
                _add(here, found, skipped)
            elif inside is None:               # in a submission, its own check says what it cannot read
                skipped.append(Skipped(shown(here), _unreadable(exc)))
            continue
        files = [e.name for e in entries if _is_file(e)]
        if inside is not None:
            if METADATA_FILE in files:
                skipped.append(Skipped(shown(here), f"a submission folder inside the submission folder "
                                                    f"{shown(inside)}: not checked on its own; move it out of "
                                                    f"that folder to check it"))
        elif METADATA_FILE in files or (here != root and any(f.lower().endswith(".ifc") for f in files)):
            if not _add(here, found, skipped):
                continue
            inside = here
        subfolders = []
        for entry in entries:
            if entry.is_symlink():
                if inside is None:
                    why = _link(entry)
                    if why:
                        skipped.append(Skipped(shown(Path(entry.path)), why))
                continue
            if _is_dir(entry):
                subfolders.append(Path(entry.path))
        stack.extend((sub, inside) for sub in reversed(subfolders))


def _add(folder: Path, found: dict, skipped: list) -> bool:
    try:
        found[_shown_path(folder.resolve())] = None
        return True
    except (OSError, RuntimeError) as exc:
        skipped.append(Skipped(shown(folder), _unreadable(exc)))
        return False


def _holds_metadata(folder: Path) -> bool:
    try:
        return (folder / METADATA_FILE).is_file()
    except OSError:
        return False


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()          # a link to a file counts: the submission's own check refuses one out of it
    except OSError:
        return False


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _link(entry: os.DirEntry) -> str | None:
    """Why a symbolic link is not followed (None: a link to a file, none of the batch's business)."""
    try:
        os.stat(entry.path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops back on itself: not followed"
        return None                        # broken: it leads nowhere, to no folder
    if not entry.is_dir():
        return None
    try:
        target = os.path.realpath(entry.path)
    except (OSError, ValueError):
        target = "?"
    return (f"a symbolic link to a folder ({shown(Path(target))}): not followed; pass that folder itself "
            "to check what it holds")


def _unreadable(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return ("cannot be read: permission denied, so any submission in it was not checked; give the user "
                "running the batch read access to it, or leave it out")
    if isinstance(exc, OSError):
        return f"cannot be read ({exc.strerror or type(exc).__name__}), so any submission in it was not checked"
    return f"cannot be read ({type(exc).__name__}), so any submission in it was not checked"


def shown(path: Path) -> str:
    """A folder as messages name it: relative to the working directory when under it, a name that
    is not UTF-8 (or holds a NUL) made safe (compliance/safe_text.py)."""
    from ..safe_text import safe_text

    return safe_text(str(_shown_path(path)))


def _shown_path(path: Path) -> Path:
    """Relative to the working directory when under it (messages stay short), else as given."""
    try:
        return path.absolute().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path
