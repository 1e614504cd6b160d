"""The registry's latest checks -> the approved submissions and the tally the district report needs."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from ..derive.metrics import Metric
from ..registry.store import Registry, shown_url
from .progress import Approved, Tally, district_progress
from .records import DistrictReport

APPROVED = "approved"


def approved_submissions(registry: Registry) -> tuple[list[Approved], Tally]:
    """A submission counts when a reviewer approved (审查意见：同意) its latest filed check: the
    latest sign-off of that check is `approved` (failures whose metadata could not be read, so
    without an id, are counted as errors). A later check of the same submission, not yet signed,
    takes it out again: the district never counts a building on the strength of a superseded
    verdict, nor on a verdict no reviewer signed."""
    from ..registry.signoff import latest_signoffs

    approved: list[Approved] = []
    verdicts: Counter[str] = Counter()
    errors = 0
    decisions = latest_signoffs(registry)
    for row, figures in registry.district_rows():
        if row.outcome != "verdict":
            errors += 1
            continue
        # a verdict row is written from the verdict and its SubmissionRef (registry/store.py, _check_row)
        assert row.verdict is not None
        verdicts[row.verdict] += 1
        signed = decisions.get(row.id)
        if signed is not None and signed.decision == APPROVED:
            assert (row.submission_id is not None and row.filed_on is not None and row.use is not None
                    and row.kind is not None)
            gfa = figures.get("gross_floor_area", {}).get("value")
            approved.append(Approved(check_id=row.id, submission_id=row.submission_id, name=row.name or "",
                                     filed_on=row.filed_on, use=row.use, kind=row.kind, gross_floor_area_m2=gfa,
                                     figures={k: Metric.model_validate(v) for k, v in figures.items()}))
    errors += registry.unidentified_errors()
    tally = Tally(submissions=sum(verdicts.values()) + errors, by_verdict=dict(sorted(verdicts.items())),
                  errors=errors)
    return approved, tally


def district_report(registry: Registry, rules_dir: Path, as_of: date) -> DistrictReport:
    from ..ruleset.loader import load_ruleset
    from .targets import load_targets

    settings = load_ruleset(rules_dir).settings
    use_groups = {use: list(spec.groups) for use, spec in settings.uses.items()}
    targets, file, version = load_targets(rules_dir, use_groups)
    approved, tally = approved_submissions(registry)
    return district_progress(approved, targets, use_groups, as_of=as_of, tally=tally,
                             registry=shown_url(registry.url), targets_file=str(file), targets_version=version,
                             use_labels={use: spec.label for use, spec in settings.uses.items()})
