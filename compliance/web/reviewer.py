"""The reviewer's pages: the registry as a queue, a submission's history, the diff between two
checks, and the sign-off."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .app import error_page, state

reviewer = Blueprint("reviewer", __name__)
VERDICTS = ("compliant", "non_compliant", "incomplete", "error")


def _date(name: str):
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return "bad"


@reviewer.get("/queue")
def queue():
    st = state()
    ruleset, _ = st.ruleset()
    args = request.args
    verdict = args.get("verdict") or None
    zone = args.get("zone") or None
    use = args.get("use") or None
    signed = {"yes": True, "no": False}.get(args.get("signed", ""))
    since, until = _date("since"), _date("until")
    problems = []
    if verdict is not None and verdict not in VERDICTS:
        problems.append(f"unknown verdict {verdict!r}")
        verdict = None
    if "bad" in (since, until):
        problems.append("dates are written 2026-03-31")
        since = None if since == "bad" else since
        until = None if until == "bad" else until
    rows = st.registry.queue(verdict=verdict, zone=zone, use=use, since=since, until=until, signed=signed)
    return render_template("queue.html", rows=rows, verdicts=VERDICTS, zones=ruleset.settings.zones,
                           uses=ruleset.settings.uses, problems=problems,
                           chosen=dict(verdict=verdict or "", zone=zone or "", use=use or "",
                                       since=args.get("since", ""), until=args.get("until", ""),
                                       signed=args.get("signed", "")))


def _history_or_404(submission_id: str) -> list:
    rows = state().registry.history(submission_id)
    if not rows:
        abort(404)
    return rows


@reviewer.get("/submissions/<submission_id>")
def history(submission_id: str):
    from ..registry.diff import OPEN
    from ..registry.signoff import decisions_by_check

    registry = state().registry
    rows = _history_or_404(submission_id)
    signed = decisions_by_check(registry.signoffs(submission_id=submission_id))
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
def sign_off(check_id: int):
    form = request.form
    state().registry.sign_off(check_id, form.get("reviewer", ""), form.get("decision", ""), form.get("comment", ""))
    return redirect(url_for("designer.check", check_id=check_id) + "#signoff", 303)
