"""Policy staff's pages: the rule set (each rule with its clause, parameters and Gherkin
scenarios) and the district dashboard with its charts."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request

from .app import SELF_CONTAINED_CSP, state
from .auth import require

policy = Blueprint("policy", __name__)


@policy.get("/rules")
def rules():
    from ..ruleset.describe import list_rows
    from ..ruleset.publish import publications

    st = state()
    ruleset, index = st.ruleset()
    rows = list_rows(ruleset, index)
    params = sorted(ruleset.parameters.items())
    return render_template("rules.html", ruleset=ruleset, rows=rows, params=params, in_force=st.publication(),
                           publications=list(reversed(publications(st.registry))), today=date.today())


@policy.get("/rules/<rule_id>")
def rule(rule_id: str):
    from ..ruleset.describe import applicability_lines, requirement_lines, window_text

    ruleset, index = state().ruleset()
    found = next((r for r in ruleset.rules if r.id.upper() == rule_id.upper()), None)
    if found is None:
        abort(404)
    kinds = ruleset.settings.kinds
    files: dict = {}           # feature file -> its lines, read once for all its scenarios
    scenarios = [{"name": s.name, "where": s.where(index.folder.parent), "text": _scenario_text(s, files)}
                 for s in (index.for_rule(found.id) if index is not None else [])]
    params = {name: ruleset.parameters[name] for name in
              dict.fromkeys(q.param for q in found.requirements if q.param) if name in ruleset.parameters}
    return render_template("rule.html", r=found, ruleset=ruleset, window=window_text(found.applies),
                           applies=applicability_lines(found, ruleset), requires=requirement_lines(found, ruleset),
                           blocks=kinds[found.kind].blocks if found.kind in kinds else False,
                           file=ruleset.files[found.id].name, line=ruleset.line_of(found.id, ("id",)) or 1,
                           params=params, scenarios=scenarios)


def _scenario_text(scenario, files: dict) -> str:
    """The scenario as its feature file says it: its lines, from its title to its last step or
    example row (the index knows where it ends, in whatever Gherkin language the file is written)."""
    if scenario.feature not in files:
        try:
            files[scenario.feature] = scenario.feature.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            files[scenario.feature] = []
    lines = files[scenario.feature]
    if not lines:
        return ""
    start = max(0, (scenario.line or 1) - 1)
    out = [lines[start]]
    for line in lines[start + 1:scenario.end or len(lines)]:
        stripped = line.strip()
        if stripped.startswith(("Scenario", "Rule:", "Feature:")):
            break
        out.append(line)
    while out and (not out[-1].strip() or out[-1].strip().startswith(("@", "#"))):   # the next one's tags, comments
        out.pop()
    return "\n".join(out)


def _district_report():
    from ..district.collect import district_report

    st = state()
    as_of = request.args.get("as_of")
    try:
        when = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        when = date.today()
    from ..ruleset.publish import current

    found = current(st.registry, when)             # the targets as published on that day
    return district_report(st.registry, found.rules_dir if found is not None else st.current_rules(), when)


@policy.get("/district")
@require("reviewer", "policy_editor", "admin")
def district():
    report = _district_report()
    return render_template("district.html", report=report)


@policy.get("/district/report.<fmt>")
@require("reviewer", "policy_editor", "admin")
def district_file(fmt: str):
    from ..district.render import FORMATS

    if fmt not in FORMATS:
        abort(404)
    f = FORMATS[fmt]
    response = Response(f.render(_district_report(), state().settings.lang), mimetype=f.media_type)
    if fmt == "html":           # one self-contained page with its own styles and charts (data: images)
        response.headers["Content-Security-Policy"] = SELF_CONTAINED_CSP
    else:
        response.headers["Content-Disposition"] = f'attachment; filename="district{f.extension}"'
    return response
