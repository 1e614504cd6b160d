"""The registry's latest checks -> the approved submissions and the tally the district report needs."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from ..derive.metrics import Metric
from ..registry.store import Registry, shown_url
from .progress import Approved, Tally, district_progress
from .records import DistrictReport

APPROVED = "compliant"


def approved_submissions(registry: Registry) -> tuple[list[Approved], Tally]:
    """A submission counts when its latest check is compliant (failures whose metadata could not be
    read, so without an id, are counted as errors). A later failed or non-compliant
    check of the same submission takes it out again: the district never counts a building on
    the strength of a superseded verdict."""
    approved, verdicts, errors = [], Counter(), 0
    for row, figures in registry.district_rows():
        if row.outcome != "verdict":
            errors += 1
            continue
        verdicts[row.verdict] += 1
        if row.verdict == APPROVED:
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
