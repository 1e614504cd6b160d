"""Which filed verdicts a draft rule set would change: the latest filed check of every submission
in the registry, checked again with the draft, compared with the verdict stored for it.

Filed means what the reviewers see: a designer's check once filed, or a check the office made
itself (no owner row). A designer's unfiled self-check is never re-checked: it is theirs, not the
office's. A check whose folder is gone (an upload removed by `compliance gc`) cannot be re-checked
and is reported as such, never guessed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from ..registry.store import CheckRow, Registry


@dataclass(frozen=True)
class Recheck:
    submission: str
    check_id: int
    old_verdict: str
    new_verdict: Optional[str]           # None: could not be checked with the draft
    error: Optional[str] = None          # why (file:line: message)
    changed_rules: tuple = ()            # (rule, old status, new status)

    @property
    def flipped(self) -> bool:
        return self.new_verdict is not None and self.new_verdict != self.old_verdict

    def as_json(self) -> dict:
        data = asdict(self)
        data["changed_rules"] = [list(c) for c in self.changed_rules]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Recheck":
        return cls(**{**data, "changed_rules": tuple(tuple(c) for c in data.get("changed_rules", ()))})


def filed_checks(registry: "Registry") -> tuple[list["CheckRow"], list["CheckRow"]]:
    """(the latest filed check of every submission, when it is a verdict and its folder is still
    there; those whose folder is gone), by submission id: what the queue and the district read."""
    rows = [r for r in registry.latest() if r.outcome == "verdict"]
    return [r for r in rows if Path(r.folder).is_dir()], [r for r in rows if not Path(r.folder).is_dir()]


def _as_of(row: "CheckRow") -> Optional[date]:
    """The date the stored check was judged as of, when it was not simply the filing date."""
    return None if row.as_of is None or row.as_of == row.filed_on else row.as_of


def recheck_filed(registry: "Registry", rules_dir: Path, progress: Optional[Callable[[str, int, int], None]] = None,
                  limits=None) -> list[Recheck]:
    """Check every filed submission's latest check again with `rules_dir`; one Recheck each, in
    submission order. A submission that cannot be checked is reported with its message."""
    from ..context import RunContext
    from ..limits import time_limit
    from ..pipeline import check_submission
    from ..ruleset.impact import _describe

    rows, gone = filed_checks(registry)
    ctx = RunContext(rules_dir=Path(rules_dir), limits=limits, cores=1)
    out = [Recheck(r.submission_id, r.id, r.verdict or "", None, "its uploaded files are no longer kept") for r in gone]
    for n, row in enumerate(rows):
        if progress is not None:
            progress(f"{row.submission_id} (check {row.id})", n, len(rows))
        try:
            with time_limit(getattr(limits, "time_limit_s", None), Path(row.folder)):
                verdict = check_submission(Path(row.folder), ctx, _as_of(row))
        except Exception as exc:         # one submission that cannot be checked never stops the others
            out.append(Recheck(row.submission_id, row.id, row.verdict or "", None, _describe(exc)))
            continue
        old = {r["rule"]: r["status"] for r in registry.results(row.id)}
        new = {r.rule: r.status for r in verdict.results}
        changed = tuple((rule, old.get(rule), new.get(rule)) for rule in list(new) + [r for r in old if r not in new]
                        if old.get(rule) != new.get(rule))
        out.append(Recheck(row.submission_id, row.id, row.verdict or "", verdict.verdict, None, changed))
    if progress is not None:
        progress("done", len(rows), len(rows))
    return sorted(out, key=lambda r: r.submission)
