"""The designer's pages: upload, progress, the result with its 3D view, and the downloads."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, send_file, url_for

from .app import SELF_CONTAINED_CSP, error_page, state
from .auth import account, audit, home_for, require
from .findings import findings_of

designer = Blueprint("designer", __name__)
DOWNLOADS = ("pdf", "bcf", "xlsx", "json", "html")        # report.FORMATS, in the order the page offers them


def decisions() -> list[tuple[str, str]]:
    """The sign-off form's choices, worded as the PDF words them."""
    from ..report.labels import DECISION

    return [(key, f"{zh} {en} — {meaning}") for key, (zh, en, _mzh, meaning) in DECISION.items()]


def decision_words() -> dict[str, str]:
    from ..report.labels import DECISION

    return {key: f"{zh} {en}" for key, (zh, en, _mzh, _meaning) in DECISION.items()}


@designer.get("/")
def index():
    from ..office.filings import organisation_checks

    me = account()
    if me.role != "designer":
        return redirect(home_for(me))
    st = state()
    s = st.settings
    checks = organisation_checks(st.registry, me.organisation_id)
    return render_template("index.html", max_upload_mb=s.max_upload_mb, max_model_mb=s.limits.max_model_mb,
                           checks=checks, quota=_quota(me))


def _quota(me) -> dict:
    """What the organisation uploaded in the last 24 hours, against its allowance."""
    from datetime import datetime, timedelta, timezone

    from ..office.filings import uploaded_bytes

    allowed = int(state().settings.quota_mb_per_day * 1024 * 1024)
    used = uploaded_bytes(state().registry, me.organisation_id, datetime.now(timezone.utc) - timedelta(days=1))
    return {"used_mb": used / (1024 * 1024), "allowed_mb": allowed / (1024 * 1024), "left": max(0, allowed - used)}


@designer.post("/check")
@require("designer")
def upload():
    from .uploads import Upload, unpack

    st = state()
    me = account()
    size = request.content_length or 0
    quota = _quota(me)
    if size > quota["left"]:
        audit("refused", "upload", why="quota", bytes=size)
        return error_page(f"Your organisation's uploads today would pass its {quota['allowed_mb']:.1f} MB allowance "
                          f"({quota['used_mb']:.1f} MB used in the last 24 hours)",
                          "upload again tomorrow, or ask the district office to raise the allowance", 429,
                          title_zh=f"本单位今日上传将超过 {quota['allowed_mb']:.1f} MB 限额"
                                   f"（近24小时已用 {quota['used_mb']:.1f} MB）",
                          hint_zh="请明日再上传，或请区审查部门提高限额")
    files = [Upload(f.filename or "", f.stream) for f in request.files.getlist("files")]
    job_id, job_dir = st.jobs.new_job_dir()
    folder = unpack(files, job_dir / "submission", max_bytes=st.settings.max_upload_bytes,
                    max_files=st.settings.max_files)
    st.jobs.start(job_id, folder, user_id=me.id, upload_bytes=size, rules_dir=st.current_rules())
    audit("upload", f"job:{job_id}", bytes=size, files=len(files))
    return redirect(url_for("designer.job", job_id=job_id), 303)


def _own_job(job_id: str):
    """The job's state, if the signed-in designer's organisation started it (else 404)."""
    from ..office.accounts import get_user
    from .jobrun import read_json

    st = state()
    found = st.jobs.state(job_id)
    folder = st.jobs.job_dir(job_id)
    if found is None or folder is None:
        abort(404)
    owner_id = (read_json(folder / "job.json") or {}).get("user_id")
    owner = get_user(st.registry, owner_id) if owner_id is not None else None
    me = account()
    if owner is None or owner.organisation_id is None or owner.organisation_id != me.organisation_id:
        abort(404)
    return found


@designer.get("/jobs/<job_id>")
def job(job_id: str):
    found = _own_job(job_id)
    if found.state == "done" and request.args.get("stay") is None:
        return redirect(url_for("designer.check", check_id=found.check_id))
    return render_template("job.html", job=found)


@designer.get("/jobs/<job_id>/state")
def job_state(job_id: str):
    found = _own_job(job_id)
    data = found.as_json()
    if found.check_id is not None:
        data["url"] = url_for("designer.check", check_id=found.check_id)
    return jsonify(data)


def stored_verdict(check_id: int):
    """(CheckRow, Verdict or None); 404 for an unknown check or one the signed-in account may not
    see (another organisation's, or a designer's self-check not filed)."""
    from ..office.filings import can_see

    registry = state().registry
    row = registry.get(check_id)
    if row is None or not can_see(registry, account(), row):
        abort(404)
    return row, registry.verdict(check_id) if row.outcome == "verdict" else None


@designer.get("/checks/<int:check_id>")
def check(check_id: int):
    from ..office.filings import ownership, visible_history
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
    me = account()
    history = visible_history(st.registry, me, row.submission_id) if row.submission_id else []
    owner = ownership(st.registry, check_id)
    filed = owner is None or owner.filed
    return render_template("check.html", row=row, v=verdict, findings=findings_of(verdict), views=views,
                           downloads=DOWNLOADS, history=history, signoffs=verdict.signoffs,
                           since_last=_since_last(history, check_id), decisions=decisions(),
                           decision_words=decision_words(),
                           filed=filed, owner=owner, can_file=me.role == "designer" and not filed,
                           can_sign=me.can_sign and filed)


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


@designer.post("/checks/<int:check_id>/file")
@require("designer")
def file(check_id: int):
    """File (提交) a self-check: it enters the reviewers' queue; the submission id becomes the
    organisation's."""
    from ..office.filings import file_check

    stored_verdict(check_id)            # 404 for what the account may not see
    row = file_check(state().registry, check_id, account())
    audit("file", f"check:{check_id}", submission=row.submission_id, verdict=row.verdict)
    return redirect(url_for("designer.check", check_id=check_id) + "#filing", 303)


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
    from ..office.filings import sees_model
    from .views3d import view_paths

    if not sees_model(state().registry, account(), sha256):
        abort(404)
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
    body = None
    if fmt == "pdf":                   # rendered outside this thread and kept (pdfcache); meanwhile a page
        from .pdfcache import pdf_or_page

        body = pdf_or_page(state(), check_id, lang)
        if not isinstance(body, bytes):
            return body
    audit("download", f"check:{check_id}", format=fmt, lang=lang)
    name = f"{report_stem(verdict.submission.id)}-check{check_id}{f.extension}"
    response = Response(body if body is not None else render(fmt, verdict, lang), mimetype=f.media_type)
    response.headers["Content-Disposition"] = (f"{'inline' if fmt == 'html' else 'attachment'}; "
                                               f"filename=\"check{check_id}{f.extension}\"; filename*=UTF-8''{quote(name)}")
    if fmt == "html":
        response.headers["Content-Security-Policy"] = SELF_CONTAINED_CSP
    return response
