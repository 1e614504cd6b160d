"""Retention (`compliance gc`): what the web app keeps on disk, and for how long.

A designer's self-check that was never filed is private and temporary: after `keep_days` its
uploaded files (DATA_DIR/jobs/<id>/submission) are deleted. So are the job folders of uploads that
could not be checked, the PDFs kept under DATA_DIR/reports/ (made again on demand), and the 3D
views (DATA_DIR/views/<sha256>.*) of models no check still on disk refers to. What is never
deleted: a filed check's files (nor those of a check the office made itself, which has no owner
row), and registry rows: the verdicts stay, the registry is the record.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ..registry.store import Registry

JOB_ID = re.compile(r"[0-9a-f]{32}")
VIEW = re.compile(r"([0-9a-f]{64})\..+")
VIEW_GRACE = timedelta(hours=1)       # a newer view may be of a check still being stored
MB = 1024 * 1024


@dataclass(frozen=True)
class Removal:
    kind: str             # self-check upload / failed upload / cached report / 3D view
    path: Path
    bytes: int
    subject: str = ""     # check:12, job:<id>


@dataclass
class Plan:
    data_dir: Path
    keep_days: int
    removals: list[Removal] = field(default_factory=list)
    kept_filed: int = 0                    # job folders kept because their check is filed (or the office's)
    failed: list[tuple[Path, str]] = field(default_factory=list)   # removals that did not happen, and why

    @property
    def bytes(self) -> int:
        return sum(r.bytes for r in self.removals)

    def by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.removals:
            out[r.kind] = out.get(r.kind, 0) + 1
        return out


def looks_like_data_dir(data_dir: Path) -> bool:
    """A folder `compliance serve --data-dir` made (never a folder named by mistake)."""
    return any((data_dir / name).exists() for name in ("jobs", "views", "reports", "secret_key"))


def plan(registry: "Registry", data_dir: Path, keep_days: int, now: Optional[datetime] = None) -> Plan:
    """What `gc` removes, without removing anything."""
    from ..web.jobrun import read_json

    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=keep_days)
    owners, folders = _owners_and_folders(registry)
    protected = {folders[c] for c in folders if c not in owners or owners[c][0] is not None}
    out = Plan(data_dir, keep_days)
    jobs = data_dir / "jobs"
    for job_dir in sorted(jobs.iterdir()) if jobs.is_dir() else []:
        if not (job_dir.is_dir() and JOB_ID.fullmatch(job_dir.name)):
            continue
        result = read_json(job_dir / "result.json")
        check_id = (result or {}).get("check_id")
        owner = owners.get(check_id) if check_id is not None else None
        subject = f"check:{check_id}" if check_id is not None else f"job:{job_dir.name}"
        if result is not None and result.get("outcome") == "verdict" and check_id is not None:
            if owner is None or owner[0] is not None:          # filed, or the office's own check
                out.kept_filed += 1
            elif owner[1] < cutoff:
                _add(out, "self-check upload", job_dir / "submission", subject, protected)
            continue
        # an upload that could not be checked, was interrupted, or never started (its files unreadable)
        uploaded = owner[1] if owner is not None else _newest_mtime(job_dir)
        if uploaded < cutoff:            # a job still running has touched its folder lately
            _add(out, "failed upload", job_dir, subject, protected)
    reports = data_dir / "reports"
    for path in sorted(reports.iterdir()) if reports.is_dir() else []:
        if path.is_file() and _mtime(path) < cutoff:
            _add(out, "cached report", path, "", protected)
    _plan_views(registry, out, data_dir / "views", owners, folders, now)
    return out


def _plan_views(registry, out: Plan, views: Path, owners: dict, folders: dict, now: datetime) -> None:
    """A model's view is kept while a filed check, or a check whose folder is still on disk (after
    this collection), refers to the model."""
    from sqlalchemy import select

    from ..registry.tables import inputs

    if not views.is_dir():
        return
    removed = [r.path.resolve() for r in out.removals if r.path.is_dir()]
    live = {c for c, folder in folders.items()
            if c not in owners or owners[c][0] is not None
            or (Path(folder).is_dir() and not any(_within(Path(folder), gone) for gone in removed))}
    with registry.engine.connect() as conn:
        referred = {sha for check_id, sha in conn.execute(select(inputs.c.check_id, inputs.c.sha256))
                    if check_id in live}
    for path in sorted(views.iterdir()):
        found = VIEW.fullmatch(path.name)
        if path.is_file() and found and found.group(1) not in referred and _mtime(path) < now - VIEW_GRACE:
            _add(out, "3D view", path, f"model:{found.group(1)[:12]}", set())


def _owners_and_folders(registry) -> tuple[dict[int, tuple[Optional[datetime], datetime]], dict[int, str]]:
    """{check id: (filed_at, uploaded_at)} of designers' checks, {check id: resolved folder} of every check."""
    from sqlalchemy import select

    from ..registry.tables import check_owners, checks

    with registry.engine.connect() as conn:
        owners = {r.check_id: (_utc(r.filed_at) if r.filed_at else None, _utc(r.uploaded_at))
                  for r in conn.execute(select(check_owners.c.check_id, check_owners.c.filed_at,
                                               check_owners.c.uploaded_at))}
        folders = {r.id: str(Path(r.folder).resolve()) for r in conn.execute(select(checks.c.id, checks.c.folder))}
    return owners, folders


def _add(out: Plan, kind: str, path: Path, subject: str, protected: set[str]) -> None:
    if not path.exists():
        return
    resolved = path.resolve()
    if any(_within(Path(folder), resolved) for folder in protected):    # a filed check's files: never
        out.kept_filed += 1
        return
    out.removals.append(Removal(kind, path, _size(path), subject))


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def carry_out(found: Plan) -> Plan:
    """Remove what `found` lists; what could not be removed is noted in `found.failed`."""
    for r in found.removals:
        try:
            if r.path.is_dir() and not r.path.is_symlink():
                shutil.rmtree(r.path)
            else:
                r.path.unlink(missing_ok=True)
        except OSError as exc:
            found.failed.append((r.path, exc.strerror or str(exc)))
    return found


def collect(registry: "Registry", data_dir: Path, keep_days: int, actor: str, dry_run: bool = False) -> Plan:
    """Plan, remove (unless `dry_run`) and record the collection in the audit log (one row)."""
    from .audit import record

    found = plan(registry, data_dir, keep_days)
    if dry_run:
        return found
    carry_out(found)
    record(registry, actor, "gc", f"data:{data_dir}"[:200], {
        "keep_days": keep_days, "removed": len(found.removals) - len(found.failed),
        "mb": round(found.bytes / MB, 3), "kinds": found.by_kind(), "failed": len(found.failed),
        "checks": sorted({r.subject for r in found.removals if r.subject.startswith("check:")})[:500]})
    return found


def _size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.lstat().st_mtime, timezone.utc)


def _newest_mtime(folder: Path) -> datetime:
    """The newest change in a job folder (its top level and the folder itself)."""
    times = [_mtime(folder)] + [_mtime(p) for p in folder.iterdir()]
    return max(times)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
