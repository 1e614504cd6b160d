"""An uploaded submission -> a folder on disk, or one clear UploadError.

Two shapes are accepted: one zip of the submission folder, or `submission.yaml` and its IFC
files as separate files. Every name that came from the browser is checked part by part before it
becomes a path: no absolute paths, no `..`, no hidden files, no control or reserved characters,
no links; a zip entry that would land outside the folder refuses the whole upload. Sizes are
counted as bytes are written, not taken from the zip's directory (which can lie).
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO, Iterable

from ..errors import ComplianceError
from ..read.metadata import METADATA_FILE

ACCEPTED_SUFFIXES = (".ifc", ".yaml", ".yml")
IGNORED = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|\u200e\u200f\u202a-\u202e\u2066-\u2069]')
CHUNK = 1 << 20
TRY_AGAIN = ("upload a zip of the submission folder (submission.yaml and its IFC files), "
             "or choose submission.yaml and the IFC files themselves")


class UploadError(ComplianceError):
    kind = "upload error"


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it: its name (untrusted) and a readable stream."""

    name: str
    stream: BinaryIO


def safe_part(part: str) -> bool:
    """One path component that can become a file name here unchanged."""
    return (0 < len(part) <= 120 and part not in (".", "..") and not part.startswith(".")
            and not part.endswith((" ", ".")) and not _FORBIDDEN.search(part))


def _refuse_name(name: str, where: str) -> UploadError:
    return UploadError(f"{where}: the name {name!r} cannot be used as a file name",
                       hint="use letters, digits, Chinese characters, spaces, '-', '_' and '.'; "
                            "no folders outside the submission, hidden files or links")


class _Budget:
    """Bytes and files left for this upload, over every file written."""

    def __init__(self, max_bytes: int, max_files: int):
        self.bytes, self.files = max_bytes, max_files
        self.max_bytes, self.max_files = max_bytes, max_files

    def take_file(self, where: str) -> None:
        self.files -= 1
        if self.files < 0:
            raise UploadError(f"{where}: more than {self.max_files} files in one upload",
                              hint="upload one submission at a time; a district batch is `compliance batch`")

    def copy(self, source: IO[bytes], target: Path, where: str) -> None:
        with open(target, "xb") as out:
            while chunk := source.read(CHUNK):
                self.bytes -= len(chunk)
                if self.bytes < 0:
                    raise UploadError(f"{where}: the upload unpacks to more than {self.max_bytes // (1 << 20)} MB",
                                      hint="check a larger submission with `compliance check`, or start the app "
                                           "with a larger --max-upload-mb")
                out.write(chunk)


def unpack(uploads: list[Upload], dest: Path, *, max_bytes: int, max_files: int) -> Path:
    """Write the upload under `dest` (which must not exist) and return the submission folder (the
    one holding submission.yaml). On any refusal nothing is left behind."""
    uploads = [u for u in uploads if u.name]
    if not uploads:
        raise UploadError("no file was uploaded", hint=TRY_AGAIN)
    created = dest
    while not created.parent.exists():          # the topmost folder this call creates: removed on refusal
        created = created.parent
    dest.mkdir(parents=True)
    budget = _Budget(max_bytes, max_files)
    try:
        if len(uploads) == 1 and _looks_like_zip(uploads[0]):
            _unzip(uploads[0], dest, budget)
        else:
            _loose(uploads, dest, budget)
        return _submission_folder(dest, uploads)
    except BaseException:
        shutil.rmtree(created, ignore_errors=True)
        raise


def _looks_like_zip(upload: Upload) -> bool:
    head = upload.stream.read(4)
    upload.stream.seek(0)
    if upload.name.lower().endswith(".zip") and head[:2] != b"PK":
        raise UploadError(f"{upload.name}: this is not a zip archive (it does not start like one)",
                          hint=TRY_AGAIN)
    return head[:2] == b"PK"


def _loose(uploads: list[Upload], dest: Path, budget: _Budget) -> None:
    seen: set[str] = set()
    for up in uploads:
        name = PurePosixPath(up.name.replace("\\", "/")).name    # browsers send base names; some send paths
        if not safe_part(name):
            raise _refuse_name(up.name, "upload")
        if not name.lower().endswith(ACCEPTED_SUFFIXES):
            raise UploadError(f"{name}: only submission.yaml and .ifc files are checked",
                              hint=TRY_AGAIN + " (a zip must be uploaded on its own)")
        if name.lower() in seen:
            raise UploadError(f"{name}: uploaded twice", hint="choose each file once")
        seen.add(name.lower())
        budget.take_file(name)
        budget.copy(up.stream, dest / name, name)


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its author wrote it: zips from Chinese Windows store GBK names without
    the UTF-8 flag, which Python reads as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unzip(upload: Upload, dest: Path, budget: _Budget) -> None:
    archive = upload.name or "upload.zip"
    try:
        zf = zipfile.ZipFile(upload.stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadError(f"{archive}: not a readable zip archive ({exc})", hint=TRY_AGAIN) from None
    with zf:
        for info in zf.infolist():
            name = _entry_name(info)
            parts = [p for p in name.replace("\\", "/").split("/") if p != ""]
            if not parts or parts[0] in IGNORED or parts[-1] in IGNORED:
                continue
            _check_entry(archive, info, name, parts)
            if info.is_dir():
                continue
            target = dest.joinpath(*parts)
            if not target.resolve().is_relative_to(dest.resolve()):       # belt and braces
                raise _escapes(archive, name)
            if not parts[-1].lower().endswith(ACCEPTED_SUFFIXES):
                continue            # drawings, PDFs and the like travel with submissions; they are not checked
            budget.take_file(f"{archive}: {name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                raise UploadError(f"{archive}: {name!r} is in the archive twice", hint="zip the folder again")
            try:
                with zf.open(info) as source:
                    budget.copy(source, target, archive)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, OSError, EOFError) as exc:
                raise UploadError(f"{archive}: entry {name!r} cannot be unpacked ({exc})",
                                  hint="zip the folder again (without a password)") from None


def _escapes(archive: str, name: str) -> UploadError:
    return UploadError(f"{archive}: the entry {name!r} points outside the submission folder; the upload is refused",
                       hint="zip the submission folder itself; entries must not start with '/' or contain '..'")


def _check_entry(archive: str, info: zipfile.ZipInfo, name: str, parts: list[str]) -> None:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise _escapes(archive, name)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UploadError(f"{archive}: the entry {name!r} is a link; the upload is refused",
                          hint="zip the files themselves, not links to them")
    if info.flag_bits & 0x1:
        raise UploadError(f"{archive}: the entry {name!r} is encrypted", hint="zip the folder without a password")
    for part in parts:
        if not safe_part(part):
            raise _refuse_name(name, archive)


def _submission_folder(dest: Path, uploads: Iterable[Upload]) -> Path:
    found = sorted(p.parent for p in dest.rglob(METADATA_FILE) if p.is_file())
    what = ", ".join(u.name for u in uploads)
    if not found:
        ifcs = [p.name for p in dest.rglob("*") if p.suffix.lower() == ".ifc"]
        raise UploadError(f"{what}: no {METADATA_FILE} in the upload" + (f" (found {', '.join(ifcs[:3])})" if ifcs else ""),
                          hint=f"add the submission's {METADATA_FILE} (the project's metadata: use, zone, "
                               "filing date, models); see ifc_samples/ for examples")
    if len(found) > 1:
        raise UploadError(f"{what}: {len(found)} submissions in one upload",
                          hint="upload one submission at a time; check many with `compliance batch`")
    return found[0]
