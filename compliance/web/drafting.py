"""Policy editors' pages: the draft rule set (its files, an editor that lints the whole draft on
every save), the comparison with the published set (`rules diff`, and which filed verdicts
flip), and publishing it with a version and an effective date. Checks never use the draft."""

from __future__ import annotations

import hashlib
from datetime import date

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for

from .app import state
from .auth import account, audit, require

drafting = Blueprint("drafting", __name__)
EDITORS = ("policy_editor", "admin")


def _draft():
    from .drafts import open_draft

    st = state()
    return open_draft(st.settings.data_dir, st.publication())


def _split(problems: list) -> tuple[list, list]:
    return [p for p in problems if p.severity == "error"], [p for p in problems if p.severity != "error"]


@drafting.get("/rules/draft")
@require(*EDITORS)
def draft():
    from .drafts import lint_draft

    d = _draft()
    errors, warnings = _split(lint_draft(d))
    return render_template("draft.html", draft=d, files=d.files(), errors=errors, warnings=warnings,
                           in_force=state().publication())


@drafting.get("/rules/draft/file")
@require(*EDITORS)
def edit():
    d = _draft()
    name = request.args.get("name", "")
    path = d.path(name)
    return render_template("draft_file.html", name=name, text=d.read(name), exists=path.is_file(), saved=False)


@drafting.post("/rules/draft/file")
@require(*EDITORS)
def save():
    from .drafts import lint_draft, parse_problem

    d = _draft()
    name, text = request.form.get("name", ""), request.form.get("text", "")
    path = d.save(name, text)
    broken = parse_problem(d, name)
    errors, warnings = _split(lint_draft(d))
    audit("draft_save", f"rules-draft:{name}", sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
          parses=broken is None, lint_errors=len(errors), lint_warnings=len(warnings))
    return render_template("draft_file.html", name=name, text=d.read(name), exists=True, saved=True, broken=broken,
                           errors=errors, warnings=warnings, here=[p for p in errors + warnings if p.file == name])


def _diff_lines(publication, d) -> list[str]:
    """`compliance rules diff PUBLISHED DRAFT`, its folders named as the page names them."""
    from ..ruleset.describe import rel
    from ..ruleset.diff import diff_lines, diff_rulesets

    names = [(publication.folder, f"published/{publication.version}"), (d.root, "draft")]
    forms = sorted(((form, label) for root, label in names for form in {str(root.resolve()), rel(root)}),
                   key=lambda pair: -len(pair[0]))
    out = []
    for line in diff_lines(diff_rulesets(publication.rules_dir, d.rules_dir)):
        for form, label in forms:
            line = line.replace(form, label)
        out.append(line)
    return out


@drafting.get("/rules/draft/compare")
@require(*EDITORS)
def compare():
    from ..errors import RuleFileError

    d, published = _draft(), state().publication()
    try:
        lines, failure = _diff_lines(published, d), None
    except RuleFileError as exc:          # the draft does not load: say where
        lines, failure = [], exc
    where = d.where(failure.file) + (f":{failure.line}" if failure and failure.line else "") if failure else ""
    return render_template("draft_compare.html", lines=lines, failure=failure, where=where, published=published)


@drafting.post("/rules/draft/compare")
@require(*EDITORS)
def compare_start():
    from ..ruleset.loader import load_ruleset
    from . import comparing

    st, d = state(), _draft()
    load_ruleset(d.rules_dir)             # a draft that does not load cannot be compared: its error page
    run_id = comparing.start(st.settings, d, st.publication().version, account().username)
    return redirect(url_for("drafting.compare_run", run_id=run_id), 303)


@drafting.get("/rules/draft/compare/<run_id>")
@require(*EDITORS)
def compare_run(run_id: str):
    from ..ruleset.publication import content_sha256
    from . import comparing

    d = _draft()
    run = comparing.state(state().settings.data_dir, run_id)
    if run is None:
        abort(404)
    changed = run.draft_sha256 != content_sha256(d.rules_dir, d.features_dir)
    response = make_response(render_template("draft_run.html", run=run, draft_changed=changed))
    if run.state == "running":
        response.headers["Refresh"] = "2"            # the progress page follows the re-check without script
    return response


@drafting.get("/rules/draft/publish")
@require(*EDITORS)
def publish_form():
    return _publish_page(None, {"version": "", "effective": date.today().isoformat(), "note": ""}, 200)


def _publish_page(problem, form: dict, status: int):
    from ..ruleset.publish import latest
    from .drafts import lint_draft

    d = _draft()
    errors, _ = _split(lint_draft(d))
    return render_template("draft_publish.html", problem=problem, form=form, errors=errors,
                           latest=latest(state().registry), draft=d), status


@drafting.post("/rules/draft/publish")
@require(*EDITORS)
def publish():
    from ..ruleset.publish import PublishError
    from ..ruleset.publish import publish as publish_draft
    from .drafts import BASED_ON

    st, d = state(), _draft()
    form = {k: request.form.get(k, "").strip() for k in ("version", "effective", "note")}
    try:
        effective = date.fromisoformat(form["effective"])
    except ValueError:
        return _publish_page({"message": f"the effective date {form['effective']!r} is not a date",
                              "hint": "write it as YYYY-MM-DD", "where": ""}, form, 400)
    try:
        done = publish_draft(st.registry, st.settings.data_dir, d.rules_dir, d.features_dir, form["version"], effective,
                             account().username, form["note"])
    except PublishError as exc:
        where = d.where(exc.file) + (f":{exc.line}" if exc.line else "") if exc.file else ""
        return _publish_page({"message": exc.message, "hint": exc.hint or "", "where": where}, form, 400)
    audit("publish", f"rules:{done.version}", effective_from=done.effective_from.isoformat(), sha256=done.rules_sha256,
          note=done.note, folder=str(done.folder))
    (d.root / BASED_ON).write_text(done.version + "\n", encoding="utf-8")
    return redirect(url_for("policy.rules", published=done.version), 303)
