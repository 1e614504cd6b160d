"""A published rule set's own record, `_publication.yaml` in its rules folder, and the content
hash that names what was published.

The loader reads the stamp (RuleSet.publication), so a verdict can cite the publication its rules
came from; `publish.py` writes it when it copies a draft into the store. The content hash covers
every file of the rules and features folders (their relative paths and bytes), the stamp excepted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional

STAMP_FILE = "_publication.yaml"
STAMP_FIELDS = ("version", "effective_from", "published_by", "published_at", "sha256", "note")


@dataclass(frozen=True)
class Stamp:
    """What `_publication.yaml` says: which publication a rules folder is."""

    version: str
    effective_from: date
    published_by: str
    published_at: datetime
    sha256: str                      # content_sha256 of the published rules and features folders
    note: str = ""

    def label(self, lang: str = "en") -> str:
        """`2026.1 (effective 2026-03-01)`, `2026.1（2026-03-01 起施行）`."""
        day = self.effective_from.isoformat()
        return f"{self.version}（{day} 起施行）" if lang == "zh" else f"{self.version} (effective {day})"


def content_files(folder: Path) -> list[Path]:
    """Every file under `folder` (recursively, in a stable order), the stamp and hidden files excepted."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.rglob("*") if p.is_file() and p.name != STAMP_FILE
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts)),
                  key=lambda p: p.relative_to(folder).as_posix())


def content_sha256(rules_dir: Path, features_dir: Path) -> str:
    """The 64-hex SHA-256 of both folders' files: `rules/<path>` and `features/<path>` with their bytes."""
    digest = hashlib.sha256()
    for prefix, folder in (("rules", Path(rules_dir)), ("features", Path(features_dir))):
        for path in content_files(folder):
            name = f"{prefix}/{path.relative_to(folder).as_posix()}".encode()
            data = path.read_bytes()
            digest.update(name + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


def stamp_text(stamp: Stamp) -> str:
    """The stamp as YAML (written by hand so the order and the quoting never change)."""
    import json

    at = stamp.published_at.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return ("# written by `compliance rules publish` / the web app: this folder is a published rule set;\n"
            "# never edit it (edit a draft and publish a new version)\n"
            f"version: {json.dumps(stamp.version)}\n"
            f"effective_from: {stamp.effective_from.isoformat()}\n"
            f"published_by: {json.dumps(stamp.published_by, ensure_ascii=False)}\n"
            f"published_at: {json.dumps(at)}\n"
            f"sha256: {json.dumps(stamp.sha256)}\n"
            f"note: {json.dumps(stamp.note, ensure_ascii=False)}\n")


def read_stamp(rules_dir: Path) -> Optional[Stamp]:
    """The folder's `_publication.yaml` (None: a folder that was never published, e.g. a draft).
    RuleFileError naming the file and line when it is there but not a stamp."""
    from ..errors import RuleFileError
    from ..yamlio import load_yaml

    path = Path(rules_dir) / STAMP_FILE
    if not path.is_file():
        return None
    doc = load_yaml(path, RuleFileError, what="publication record")
    data = doc.data if isinstance(doc.data, dict) else {}
    hint = "this file is written when a rule set is published: publish again rather than edit it"
    for key in ("version", "effective_from", "sha256"):
        if key not in data:
            raise RuleFileError(f"publication record: '{key}' is missing", file=path, line=1, hint=hint)
    effective, at = data["effective_from"], data.get("published_at")
    if not isinstance(effective, date) or isinstance(effective, datetime):
        raise RuleFileError("publication record: effective_from must be a date (YYYY-MM-DD)", file=path,
                            line=doc.line_of(("effective_from",)), hint=hint)
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            raise RuleFileError("publication record: published_at is not a time", file=path,
                                line=doc.line_of(("published_at",)), hint=hint) from None
    if not isinstance(at, datetime):
        at = datetime(effective.year, effective.month, effective.day, tzinfo=timezone.utc)
    return Stamp(str(data["version"]), effective, str(data.get("published_by") or ""),
                 at if at.tzinfo else at.replace(tzinfo=timezone.utc), str(data["sha256"]), str(data.get("note") or ""))


def district_problems(rules_dir: Path, ruleset) -> list:
    """The district targets file, checked against the rule set's vocabulary (when both exist)."""
    from ..district.targets import TARGETS_FILE, load_targets, tally_problems
    from ..errors import RuleFileError
    from .describe import rel
    from .lint import LintProblem

    if ruleset is None or not (Path(rules_dir) / TARGETS_FILE).is_file():
        return []
    try:
        targets, _, _ = load_targets(rules_dir, {use: list(spec.groups) for use, spec in ruleset.settings.uses.items()})
    except RuleFileError as exc:
        file = Path(exc.file) if exc.file else Path(rules_dir) / TARGETS_FILE     # load_targets names it
        return [LintProblem("error", "district", str(rel(file)), exc.line, exc.message, exc.hint)]
    # a tally rule and the district target it counts toward read the same figure and threshold
    return [LintProblem("error", "district", str(rel(ruleset.files[rule_id])), ruleset.line_of(rule_id, path), msg, hint)
            for rule_id, path, msg, hint in tally_problems(ruleset, targets)]


def lint_folders(rules_dir: Path, features_dir: Path):
    """`compliance rules lint` of a rules folder and its features: the LintReport, district targets included."""
    from .lint import lint

    report = lint(Path(rules_dir), Path(features_dir))
    report.problems += district_problems(Path(rules_dir), report.ruleset)
    return report
