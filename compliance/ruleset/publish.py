"""Published rule sets: immutable copies of a rules folder and its features, each with a version
and the date from which checks use it.

`publish` copies a draft into `<store>/published/<version>/rules` and `.../features`, writes the
stamp (`_publication.yaml`, see publication.py) into the rules copy, makes the files read-only and
records a `rule_publications` row. It refuses a draft with lint errors, a version that exists, an
effective date before the latest publication's, and content identical to the latest publication.
`current(registry, on)` is the publication in force on a day: the latest whose effective_from is
on or before it (of two with the same date, the one published last)."""

from __future__ import annotations

import os
import re
import shutil
import stat
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..errors import ComplianceError, RuleFileError
from .publication import STAMP_FILE, Stamp, content_sha256, lint_folders, read_stamp, stamp_text

if TYPE_CHECKING:
    from ..registry.store import Registry

VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
INITIAL_EFFECTIVE = date(2022, 12, 31)        # the plan's own date: the rules a first app start found
PUBLISHED = "published"


class PublishError(ComplianceError):
    kind = "publish refused"


@dataclass(frozen=True)
class Publication:
    id: int
    version: str
    effective_from: date
    rules_sha256: str                # content_sha256 of the published rules and features
    folder: Path                     # <store>/published/<version>
    published_by: str
    published_at: datetime
    note: str

    @property
    def rules_dir(self) -> Path:
        return self.folder / "rules"

    @property
    def features_dir(self) -> Path:
        return self.folder / "features"

    def label(self, lang: str = "en") -> str:
        day = self.effective_from.isoformat()
        return f"{self.version}（{day} 起施行）" if lang == "zh" else f"{self.version} (effective {day})"


def _row(r) -> Publication:
    at = r.published_at
    at = at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
    return Publication(r.id, r.version, r.effective_from, r.rules_sha256, Path(r.folder), r.published_by, at,
                       r.note or "")


def publications(registry: "Registry") -> list[Publication]:
    """Every publication, in the order they take effect (effective date, then publication order)."""
    from sqlalchemy import select

    from ..registry.tables import rule_publications as t

    with registry.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.effective_from, t.c.id)).all()
    return [_row(r) for r in rows]


def current(registry: "Registry", on: Optional[date] = None) -> Optional[Publication]:
    """The publication in force on `on` (default today), or None when none has taken effect yet."""
    on = on or date.today()
    found = [p for p in publications(registry) if p.effective_from <= on]
    return found[-1] if found else None


def latest(registry: "Registry") -> Optional[Publication]:
    """The publication that takes effect last (what a new one must not come before)."""
    found = publications(registry)
    return found[-1] if found else None


def named(registry: "Registry", version: str) -> Optional[Publication]:
    return next((p for p in publications(registry) if p.version == version), None)


def verify(publication: Publication) -> None:
    """RuleFileError when the published copy is missing or was changed after publishing."""
    hint = "published rule sets are never edited: restore the folder from a backup, or publish a new version"
    if not publication.rules_dir.is_dir():
        raise RuleFileError(f"published rule set {publication.version} is missing", file=publication.rules_dir,
                            hint=hint)
    if content_sha256(publication.rules_dir, publication.features_dir) != publication.rules_sha256:
        raise RuleFileError(f"published rule set {publication.version} was changed after it was published",
                            file=publication.folder, hint=hint)


def lint_errors(rules_dir: Path, features_dir: Path) -> list:
    """The draft's lint errors (LintProblem), each with its file and line."""
    return lint_folders(rules_dir, features_dir).errors


def publish(registry: "Registry", store_dir: Path, draft_rules_dir: Path, draft_features_dir: Path, version: str,
            effective_from: date, published_by: str, note: str = "", *, strict: bool = True) -> Publication:
    """Publish the draft as `version`, in force from `effective_from`. PublishError (the first
    lint error's file and line, or what is refused) when it cannot be. `strict` False (the initial
    publication of the rules an app started with): only a rule set that cannot be loaded is refused."""
    from sqlalchemy.exc import IntegrityError

    from ..registry.tables import rule_publications

    draft_rules_dir, draft_features_dir = Path(draft_rules_dir), Path(draft_features_dir)
    version, note = (version or "").strip(), (note or "").strip()
    _check_request(registry, draft_rules_dir, draft_features_dir, version, effective_from, strict)
    sha = content_sha256(draft_rules_dir, draft_features_dir)
    last = latest(registry)
    if last is not None and last.rules_sha256 == sha:
        raise PublishError(f"the draft is the very same as publication {last.version}: there is nothing to publish",
                           hint="change the draft first")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = Stamp(version, effective_from, published_by, now, sha, note)
    folder = _copy(Path(store_dir) / PUBLISHED, draft_rules_dir, draft_features_dir, stamp)
    try:
        with registry.engine.begin() as conn:
            inserted = conn.execute(rule_publications.insert().values(
                version=version, effective_from=effective_from, rules_sha256=sha, folder=str(folder),
                published_by=published_by, published_at=now, note=note)).inserted_primary_key
            assert inserted is not None             # a single-row insert has its primary key
            new_id = inserted[0]
    except IntegrityError:
        _remove(folder)
        raise PublishError(f"version {version} was published in the meantime",
                           hint="choose another version") from None
    return Publication(new_id, version, effective_from, sha, folder, published_by, now, note)


def _check_request(registry, rules_dir: Path, features_dir: Path, version: str, effective_from: date,
                   strict: bool) -> None:
    if not VERSION.fullmatch(version):
        raise PublishError(f"version {version!r} is not a version name",
                           hint="1-40 letters, digits, '.', '_' or '-', starting with a letter or digit, e.g. 2026.1")
    if not isinstance(effective_from, date):
        raise PublishError("the effective date is missing", hint="give it as YYYY-MM-DD")
    if not rules_dir.is_dir():
        raise PublishError("rules folder not found", file=rules_dir, hint="give the draft's rules folder")
    if (rules_dir / STAMP_FILE).is_file():
        raise PublishError("this folder is a published rule set, not a draft", file=rules_dir / STAMP_FILE,
                           hint="copy it into a draft folder (without _publication.yaml), edit it and publish that")
    if named(registry, version) is not None:
        raise PublishError(f"version {version} is published already", hint="choose a new version, e.g. 2026.2")
    last = latest(registry)
    if last is not None and effective_from < last.effective_from:
        raise PublishError(f"the effective date {effective_from.isoformat()} is before that of the latest "
                           f"publication, {last.version} ({last.effective_from.isoformat()})",
                           hint=f"give {last.effective_from.isoformat()} or a later date")
    if strict:
        errors = lint_errors(rules_dir, features_dir)
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
            raise PublishError(f"the draft has lint errors: {first.message}{more}", file=first.file, line=first.line,
                               hint="`compliance rules lint` lists them all; fix them and publish again")
    else:
        from .loader import load_ruleset

        load_ruleset(rules_dir)


def _copy(published: Path, rules_dir: Path, features_dir: Path, stamp: Stamp) -> Path:
    """Copy both folders into a temporary folder, stamp it, make it read-only, then move it into place."""
    import tempfile

    target = published / stamp.version
    if target.exists():
        raise PublishError(f"a folder for version {stamp.version} exists already", file=target,
                           hint="choose another version (a folder left by an interrupted publication may be "
                                "removed by the administrator)")
    published.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{stamp.version}.", dir=published))
    try:
        ignore = shutil.ignore_patterns(".*", STAMP_FILE, "__pycache__")
        shutil.copytree(rules_dir, work / "rules", ignore=ignore)
        if Path(features_dir).is_dir():
            shutil.copytree(features_dir, work / "features", ignore=ignore)
        else:
            (work / "features").mkdir()
        if content_sha256(work / "rules", work / "features") != stamp.sha256:
            raise PublishError("the draft changed while it was being published", file=rules_dir,
                               hint="publish again once no one is saving the draft")
        (work / "rules" / STAMP_FILE).write_text(stamp_text(stamp), encoding="utf-8")
        _read_only(work)
        os.rename(work, target)
    except BaseException:
        _remove(work)
        raise
    return target


def _read_only(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _remove(folder: Path) -> None:
    def writable(func, path, _exc):
        os.chmod(path, stat.S_IRWXU)
        func(path)

    if Path(folder).exists():
        shutil.rmtree(folder, onerror=writable)


def publish_initial(registry: "Registry", store_dir: Path, rules_dir: Path, features_dir: Path) -> Optional[Publication]:
    """When there is no publication at all: publish the rules an app was started with as
    `initial-<sha8>`, in force from 2022-12-31, by "system". None when there is one already
    (another process may have made it at the same moment)."""
    if publications(registry):
        return None
    sha = content_sha256(rules_dir, features_dir)
    try:
        return publish(registry, store_dir, rules_dir, features_dir, f"initial-{sha[:8]}", INITIAL_EFFECTIVE,
                       "system", "the rules the web app was first started with", strict=False)
    except PublishError:
        import time

        for _ in range(40):                 # another process may be publishing it at this moment
            if publications(registry):
                return None
            time.sleep(0.05)
        raise


__all__ = ["Publication", "PublishError", "publish", "publish_initial", "current", "latest", "publications",
           "named", "verify", "read_stamp"]
