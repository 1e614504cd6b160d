"""The rule set the web app checks with: the publication in force today, never the --rules folder
itself. The first time an app starts on a registry without any publication, its --rules folder
(and features) is published as `initial-<sha8>`, in force from 2022-12-31, by "system", and the
audit log says so."""

from __future__ import annotations

import logging
from datetime import date

log = logging.getLogger("compliance.web")


def publish_first(st) -> None:
    """At start-up: the initial publication, when there is none. A --rules folder that cannot be
    loaded is logged, not fatal: the pages say where it breaks, as they do for any request."""
    from ..errors import ComplianceError

    try:
        in_force(st)
    except ComplianceError as exc:
        log.warning("no rule set in force: %s", exc)


def in_force(st):
    """The Publication in force today (made from --rules the first time). RuleFileError (file and
    line) when the --rules folder has to be published and cannot be loaded."""
    from ..errors import RuleFileError
    from ..office.audit import record
    from ..ruleset.publish import current, publications, publish_initial

    found = current(st.registry, date.today())
    if found is not None:
        return found
    if not publications(st.registry):
        made = publish_initial(st.registry, st.settings.data_dir, st.settings.rules_dir, st.features_dir)
        if made is not None:
            record(st.registry, "system", "publish", f"rules:{made.version}",
                   {"effective_from": made.effective_from.isoformat(), "sha256": made.rules_sha256,
                    "folder": str(made.folder), "from": str(st.settings.rules_dir), "initial": True})
        found = current(st.registry, date.today())
    if found is None:
        raise RuleFileError("no published rule set is in force today", file=st.settings.data_dir / "published",
                            hint="every publication takes effect later: publish one effective today "
                                 "(`compliance rules publish`)")
    return found


def load_published(publication):
    """(RuleSet, ScenarioIndex or None) of a publication, after checking it is as published."""
    from ..ruleset.loader import load_ruleset
    from ..ruleset.publish import verify
    from ..ruleset.scenarios import index_features

    verify(publication)
    ruleset = load_ruleset(publication.rules_dir)
    index = index_features(publication.features_dir) if publication.features_dir.is_dir() else None
    return ruleset, index
