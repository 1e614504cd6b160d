"""What a rule-set change does to real submissions: check each sample with the old and the new
rules and report the verdicts that flip and the rule statuses that change.

A sample that cannot be checked (a broken model, bad metadata, an internal failure) is
reported with its message and never stops the others. The models are read once: both rule
sets share the run's model cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

METADATA = "submission.yaml"


@dataclass(frozen=True)
class StatusChange:
    rule: str
    old: Optional[str]               # None: the rule is not in that rule set
    new: Optional[str]


@dataclass(frozen=True)
class SampleImpact:
    folder: Path
    submission: Optional[str]        # the submission id, when it could be read
    old_verdict: Optional[str]
    new_verdict: Optional[str]
    changes: tuple[StatusChange, ...] = ()
    old_error: Optional[str] = None  # why the sample could not be checked with the old rules
    new_error: Optional[str] = None

    @property
    def flipped(self) -> bool:
        return self.old_verdict is not None and self.new_verdict is not None and self.old_verdict != self.new_verdict

    @property
    def checked(self) -> bool:
        return self.old_error is None and self.new_error is None


def find_samples(dirs: list[Path]) -> list[Path]:
    """Submission folders: each dir that holds submission.yaml, or its sub-folders that do."""
    found: list[Path] = []
    for d in dirs:
        d = Path(d)
        if (d / METADATA).is_file():
            found.append(d)
        elif d.is_dir():
            found += sorted(p.parent for p in d.glob(f"*/{METADATA}"))
    return list(dict.fromkeys(found))


def _describe(exc: BaseException) -> str:
    from ..errors import ComplianceError
    from .describe import rel

    if isinstance(exc, ComplianceError):
        where = (f"{rel(exc.file)}:{exc.line}" if exc.line else rel(exc.file)) if exc.file else ""
        return f"{where}: {exc.message}" if where else exc.message
    return f"internal error ({type(exc).__name__}: {exc})"


def _check(folder: Path, ctx, as_of: date | None):
    from ..pipeline import check_submission

    try:
        return check_submission(folder, ctx, as_of), None
    except Exception as exc:          # a sample that cannot be checked is reported, never a crash
        return None, _describe(exc)


def recheck(samples: list[Path], old_dir: Path, new_dir: Path, as_of: date | None = None) -> list[SampleImpact]:
    """Check every sample with both rule sets (loaded once each) and compare the outcomes."""
    from ..context import RunContext
    from ..evaluate.results import status_changes

    old_ctx = RunContext(rules_dir=Path(old_dir))
    new_ctx = RunContext(rules_dir=Path(new_dir), models=old_ctx.models)     # read each model once
    out = []
    for folder in samples:
        before, old_error = _check(folder, old_ctx, as_of)
        after, new_error = _check(folder, new_ctx, as_of)
        changes: list[StatusChange] = []
        if before is not None and after is not None:
            changes = [StatusChange(*c) for c in status_changes({r.rule: r.status for r in before.results},
                                                                 {r.rule: r.status for r in after.results})]
        some = before or after
        out.append(SampleImpact(Path(folder), some.submission.id if some else None,
                                before.verdict if before else None, after.verdict if after else None,
                                tuple(changes), old_error, new_error))
    return out


def impact_lines(impacts: list[SampleImpact]) -> list[str]:
    """Per sample: the verdict (FLIPS when it changes) and each rule status old → new; samples
    that could not be checked with their message; a closing count."""
    from .describe import rel

    out: list[str] = []
    unchanged = 0
    for s in impacts:
        name = rel(s.folder)
        if not s.checked:
            if s.old_error == s.new_error:
                out.append(f"  {name}: could not be checked, skipped: {s.old_error}")
            else:
                out += [f"  {name}: could not be checked with the {label} rules: {err}"
                        for label, err in (("old", s.old_error), ("new", s.new_error)) if err]
            continue
        if not s.changes and not s.flipped:
            unchanged += 1
            continue
        verdict = f"verdict {s.old_verdict} → {s.new_verdict}  FLIPS" if s.flipped else f"verdict {s.new_verdict} (unchanged)"
        out.append(f"  {name} ({s.submission}): {verdict}")
        out += [f"      {ch.rule}: {ch.old or '(no rule)'} → {ch.new or '(no rule)'}" for ch in s.changes]
    flips, changed = sum(s.flipped for s in impacts), sum(bool(s.changes) for s in impacts)
    out.append(f"{flips} verdict{'s' if flips != 1 else ''} flip; {changed} sample{'s' if changed != 1 else ''} "
               f"with rule status changes; {unchanged} unchanged; {sum(not s.checked for s in impacts)} could not be checked")
    return out
