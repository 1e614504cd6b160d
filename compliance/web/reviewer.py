"""The reviewer's pages: the registry as a queue, a submission's history, the diff between two
checks, and the sign-off."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .app import error_page, state
from .auth import account, audit, require

reviewer = Blueprint("reviewer", __name__)


def _day(name: str, problems: list) -> date | None:
    """A date filter from the query; a malformed one is left out and said."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"'{text}' is not a date: dates are written 2026-03-31")
        return None


def _labels(problems: list) -> tuple[dict, dict]:
    """(zones, uses) for the filters. A rule file broken by an edit in progress turns those two
    filters off (and says so); it does not take the reviewer's queue down with it."""
    from ..errors import ComplianceError

    try:
        ruleset, _ = state().ruleset()
    except ComplianceError as exc:
        where = exc.location()
        problems.append(f"the rule set cannot be read ({where + ': ' if where else ''}{exc.message}): "
                        "filtering by zone and use is off until it is fixed")
        return {}, {}
    return ruleset.settings.zones, ruleset.settings.uses


@reviewer.get("/queue")
@require("reviewer", "policy_editor", "admin")
def queue() -> str:
    from ..registry.signoff import QUEUE_VERDICTS
    from ..registry.store import shown_url

    registry = state().registry
    args = request.args
    problems: list[str] = []
    verdict = args.get("verdict") or None
    if verdict is not None and verdict not in QUEUE_VERDICTS:
        problems.append(f"unknown verdict {verdict!r}")
        verdict = None
    zones, uses = _labels(problems)
    rows = registry.queue(verdict=verdict, zone=args.get("zone") or None, use=args.get("use") or None,
                          since=_day("since", problems), until=_day("until", problems),
                          signed={"yes": True, "no": False}.get(args.get("signed", "")))
    return render_template("queue.html", rows=rows, verdicts=QUEUE_VERDICTS, zones=zones, uses=uses,
                           problems=problems, registry_url=shown_url(registry.url),
                           chosen={k: args.get(k, "") for k in ("verdict", "zone", "use", "since", "until", "signed")})


def _history_or_404(submission_id: str) -> list:
    """The submission's checks the signed-in account may see (a designer: their organisation's;
    the office: the filed ones); 404 when there is none."""
    from ..office.filings import visible_history

    rows = visible_history(state().registry, account(), submission_id)
    if not rows:
        abort(404)
    return rows


@reviewer.get("/submissions/<submission_id>")
def history(submission_id: str):
    from ..registry.diff import OPEN
    from ..registry.signoff import decisions_by_check

    registry = state().registry
    rows = _history_or_404(submission_id)
    visible = {r.id for r in rows}
    signed = {k: v for k, v in decisions_by_check(registry.signoffs(submission_id=submission_id)).items()
              if k in visible}
    open_rules = {r.id: [x for x in registry.results(r.id) if x["status"] in OPEN] for r in rows}
    return render_template("history.html", submission_id=submission_id, rows=rows, signed=signed,
                           open_rules=open_rules)


@reviewer.get("/submissions/<submission_id>/diff")
def diff(submission_id: str):
    from ..registry.diff import diff_checks

    registry = state().registry
    rows = _history_or_404(submission_id)
    ids = [r.id for r in rows]
    try:
        to_id = int(request.args.get("to") or ids[-1])
        from_id = int(request.args.get("from") or (ids[ids.index(to_id) - 1] if ids.index(to_id) > 0 else to_id))
    except (ValueError, IndexError):
        return error_page("Those checks are not of this submission", "pick two checks from its history", 404)
    if from_id not in ids or to_id not in ids:
        return error_page("Those checks are not of this submission", "pick two checks from its history", 404)
    d = diff_checks(from_id, registry.stored_json(from_id) or {}, to_id, registry.stored_json(to_id) or {})
    return render_template("diff.html", submission_id=submission_id, d=d, rows=rows,
                           groups=[("new", "新出现 new"), ("changed", "有变化 changed"),
                                   ("open", "仍未解决 still open"), ("fixed", "已解决 fixed")])


@reviewer.post("/checks/<int:check_id>/signoff")
@require("reviewer")
def sign_off(check_id: int):
    """The signed-in reviewer's decision: the name, title and account come from the session,
    never from the form."""
    from ..office.review import sign

    form = request.form
    done = sign(state().registry, account(), check_id, form.get("decision", ""), form.get("comment", ""))
    audit("signoff", f"check:{check_id}", decision=done.decision, comment=done.comment[:200])
    return redirect(url_for("designer.check", check_id=check_id) + "#signoff", 303)


@reviewer.get("/audit")
@require("admin")
def audit_log():
    """The audit log, newest first, with the state of its hash chain."""
    from ..office.audit import rows, verify

    registry = state().registry
    count, broken = verify(registry)
    args = request.args
    found = rows(registry, action=args.get("action") or None, subject=args.get("subject") or None,
                 actor=args.get("actor") or None, limit=500, newest_first=True)
    return render_template("audit.html", rows=found, count=count, broken=broken,
                           chosen={k: args.get(k, "") for k in ("action", "subject", "actor")})
