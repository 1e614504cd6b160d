"""The designer's pages: upload, progress, the result with its 3D view, and the downloads."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, send_file, url_for

from .app import SELF_CONTAINED_CSP, error_page, state
from .findings import findings_of

designer = Blueprint("designer", __name__)
DOWNLOADS = ("pdf", "bcf", "xlsx", "json", "html")        # report.FORMATS, in the order the page offers them


def decisions() -> list[tuple[str, str]]:
    """The sign-off form's choices, worded as the PDF words them."""
    from ..report.labels import DECISION

    return [(key, f"{zh} {en} — {meaning}") for key, (zh, en, _mzh, meaning) in DECISION.items()]


@designer.get("/")
def index():
    s = state().settings
    return render_template("index.html", max_upload_mb=s.max_upload_mb, max_model_mb=s.limits.max_model_mb)


@designer.post("/check")
def upload():
    from .uploads import Upload, unpack

    st = state()
    files = [Upload(f.filename or "", f.stream) for f in request.files.getlist("files")]
    job_id, job_dir = st.jobs.new_job_dir()
    folder = unpack(files, job_dir / "submission", max_bytes=st.settings.max_upload_bytes,
                    max_files=st.settings.max_files)
    st.jobs.start(job_id, folder)
    return redirect(url_for("designer.job", job_id=job_id), 303)


@designer.get("/jobs/<job_id>")
def job(job_id: str):
    found = state().jobs.state(job_id)
    if found is None:
        abort(404)
    if found.state == "done" and request.args.get("stay") is None:
        return redirect(url_for("designer.check", check_id=found.check_id))
    return render_template("job.html", job=found)


@designer.get("/jobs/<job_id>/state")
def job_state(job_id: str):
    found = state().jobs.state(job_id)
    if found is None:
        abort(404)
    data = found.as_json()
    if found.check_id is not None:
        data["url"] = url_for("designer.check", check_id=found.check_id)
    return jsonify(data)


def stored_verdict(check_id: int):
    """(CheckRow, Verdict or None); 404 for an unknown check."""
    registry = state().registry
    row = registry.get(check_id)
    if row is None:
        abort(404)
    return row, registry.verdict(check_id) if row.outcome == "verdict" else None


@designer.get("/checks/<int:check_id>")
def check(check_id: int):
    from .views3d import stored_view

    st = state()
    row, verdict = stored_verdict(check_id)
    if verdict is None:
        return render_template("check_error.html", row=row, failure=row.failure), 200
    views = []
    for model in verdict.models:
        view = stored_view(st.jobs.views_dir, model.sha256)
        views.append({"file": model.file, "sha256": model.sha256, "view": view,
                      "url": url_for("designer.view_file", sha256=model.sha256) if view and view.ok else None})
    history = st.registry.history(row.submission_id) if row.submission_id else []
    return render_template("check.html", row=row, v=verdict, findings=findings_of(verdict), views=views,
                           downloads=DOWNLOADS, history=history, signoffs=verdict.signoffs,
                           since_last=_since_last(history, check_id),
                           decisions=decisions())


def _since_last(history: list, check_id: int):
    """What changed since the submission's check before this one (the designer checks again and
    again before filing): the CheckDiff, or None for a first check."""
    from ..registry.diff import diff_checks

    ids = [r.id for r in history]
    if check_id not in ids or ids.index(check_id) == 0:
        return None
    before = ids[ids.index(check_id) - 1]
    registry = state().registry
    return diff_checks(before, registry.stored_json(before) or {}, check_id, registry.stored_json(check_id) or {})


@designer.post("/checks/<int:check_id>/view")
def prepare_view(check_id: int):
    """Convert the models of a check that did not come through this app (a batch) for the 3D view."""
    from pathlib import Path

    from ..context import file_sha256
    from .views3d import ensure_view

    st = state()
    row, verdict = stored_verdict(check_id)
    if verdict is None:
        abort(404)
    for model in verdict.models:
        source = Path(row.folder) / model.file
        if not source.is_file() or file_sha256(source) != model.sha256:
            return error_page(f"The model {model.file} is no longer where it was checked",
                              "upload the submission again to see it in 3D", 404, where=str(source))
        ensure_view(st.jobs.views_dir, model.sha256, source, retry_failed=True)
    return redirect(url_for("designer.check", check_id=check_id) + "#viewer", 303)


@designer.get("/views/<sha256>.glb")
def view_file(sha256: str):
    from .views3d import view_paths

    try:
        glb, _ = view_paths(state().jobs.views_dir, sha256)
    except ValueError:
        abort(404)
    if not glb.is_file():
        abort(404)
    return send_file(glb, mimetype="model/gltf-binary", max_age=3600)


@designer.get("/checks/<int:check_id>/report.<fmt>")
def download(check_id: int, fmt: str):
    from urllib.parse import quote

    from ..report import FORMATS, render, report_stem

    if fmt not in DOWNLOADS:
        abort(404)
    _row, verdict = stored_verdict(check_id)
    if verdict is None:
        abort(404)
    lang = request.args.get("lang", state().settings.lang)
    if lang not in ("both", "zh", "en"):
        lang = "both"
    f = FORMATS[fmt]
    name = f"{report_stem(verdict.submission.id)}-check{check_id}{f.extension}"
    response = Response(render(fmt, verdict, lang), mimetype=f.media_type)
    response.headers["Content-Disposition"] = (f"{'inline' if fmt == 'html' else 'attachment'}; "
                                               f"filename=\"check{check_id}{f.extension}\"; filename*=UTF-8''{quote(name)}")
    if fmt == "html":
        response.headers["Content-Security-Policy"] = SELF_CONTAINED_CSP
    return response
