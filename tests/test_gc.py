"""`compliance gc` over a real web app's data folder: real uploads checked in real job processes, a
real PDF rendered, then `gc` run as the administrator runs it (the command, in its own process)."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from office_accounts import client_as, finished, post_files, seed, token, when_ready
from web_server import COMPLIANCE, ROOT, sample_zip

from compliance.web.app import create_app
from compliance.web.settings import WebSettings

OLD = datetime.now(timezone.utc) - timedelta(days=200)






def gc(data: Path, db: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMPLIANCE), "gc", "--data-dir", str(data), "--db", db, *args],
                          capture_output=True, text=True, timeout=120)


def counts(registry) -> dict[str, int]:
    from sqlalchemy import func, select

    from compliance.registry import tables

    with registry.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                for t in (tables.checks, tables.inputs, tables.results, tables.check_owners, tables.signoffs)}


def set_back(registry, *check_ids: int) -> None:
    """These checks were uploaded 200 days ago."""
    from sqlalchemy import update

    from compliance.registry.tables import check_owners

    with registry.engine.begin() as conn:
        conn.execute(update(check_owners).where(check_owners.c.check_id.in_(check_ids)).values(uploaded_at=OLD))


def age(*paths: Path) -> None:
    for path in paths:
        os.utime(path, (OLD.timestamp(), OLD.timestamp()))


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """An app whose data folder holds: li's old self-check of fail-office never filed, li's old
    filed check of pass-school (with its PDF kept), an old upload that could not be checked, and
    zhao's self-check of pass-school made today."""
    folder = tmp_path_factory.mktemp("gc")
    db = str(folder / "r.sqlite")
    app = create_app(WebSettings(data_dir=folder / "data", rules_dir=ROOT / "rules", db=db))
    st = app.extensions["compliance"]
    seed(st.registry)
    li, zhao = client_as(app, "li"), client_as(app, "zhao")
    jobs = {}
    jobs["unfiled"] = finished(li, post_files(li, [(sample_zip("fail-office", folder).read_bytes(), "fo.zip")]))
    jobs["filed"] = finished(li, post_files(li, [(sample_zip("pass-school", folder).read_bytes(), "ps.zip")]))
    yaml = (ROOT / "ifc_samples" / "fail-office" / "submission.yaml").read_bytes()
    jobs["failed"] = finished(li, post_files(li, [(yaml, "submission.yaml")]))          # its models are missing
    jobs["recent"] = finished(zhao, post_files(zhao, [(sample_zip("pass-school", folder).read_bytes(), "ps.zip")]))
    assert [s["state"] for s in jobs.values()] == ["done", "done", "failed", "done"], jobs
    ids = {name: s["check_id"] for name, s in jobs.items()}
    job_ids = {name: s["id"] for name, s in jobs.items()}
    r = li.post(f"/checks/{ids['filed']}/file", data={"csrf": token(li, f"/checks/{ids['filed']}")})
    assert r.status_code == 303
    assert when_ready(li, f"/checks/{ids['filed']}/report.pdf").status_code == 200
    set_back(st.registry, ids["unfiled"], ids["filed"], ids["failed"])
    data = folder / "data"
    age(*(data / "reports").iterdir(), *(data / "views").iterdir())
    yield app, data, db, job_ids, ids
    st.jobs.close()
    st.reports.close()


def models_of(registry, check_id: int) -> set[str]:
    return {m.sha256 for m in registry.verdict(check_id).models}


def test_dry_run_then_gc(office):
    from compliance.office.audit import rows, verify

    app, data, db, job_ids, ids = office
    registry = app.extensions["compliance"].registry
    before = counts(registry)
    files_before = sorted(p for p in data.rglob("*"))
    unfiled_upload = data / "jobs" / job_ids["unfiled"] / "submission"
    assert list(unfiled_upload.rglob("mep.ifc")) and list((data / "reports").glob("*.pdf"))

    dry = gc(data, db, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would remove self-check upload" in dry.stdout and str(unfiled_upload) in dry.stdout
    assert "dry run: nothing removed" in dry.stderr and "Traceback" not in dry.stderr
    assert sorted(p for p in data.rglob("*")) == files_before                 # nothing deleted
    assert not rows(registry, action="gc")

    done = gc(data, db, "--keep-days", "90")
    assert done.returncode == 0, done.stderr
    summary = re.search(r"removed (\d+) items \(([\d.]+) MB\)", done.stderr)
    assert summary and int(summary.group(1)) >= 4 and float(summary.group(2)) > 0, done.stderr
    assert "removed failed upload" in done.stdout and "removed cached report" in done.stdout
    # the old self-check never filed: its uploaded files are gone, its job's record stays
    assert not unfiled_upload.exists() and (data / "jobs" / job_ids["unfiled"] / "result.json").is_file()
    assert not (data / "jobs" / job_ids["failed"]).exists()                      # the failed upload's folder
    assert not list((data / "reports").iterdir())                             # the old cached PDF
    # the filed check's files and the recent self-check's are kept, however old
    assert list((data / "jobs" / job_ids["filed"] / "submission").rglob("architecture.ifc"))
    assert list((data / "jobs" / job_ids["recent"] / "submission").rglob("architecture.ifc"))
    views = {p.name.split(".")[0] for p in (data / "views").iterdir()}
    kept = models_of(registry, ids["filed"]) | models_of(registry, ids["recent"])
    assert kept <= views and not (models_of(registry, ids["unfiled"]) - kept) & views   # its 3D views went too
    # the registry is the record: every row is there, the verdict still reads
    assert counts(registry) == before
    assert registry.verdict(ids["unfiled"]).verdict == "non_compliant"
    assert client_as(app, "li").get(f"/checks/{ids['unfiled']}").status_code == 200

    logged = rows(registry, action="gc")
    assert len(logged) == 1 and logged[0].actor.startswith("cli:")
    assert logged[0].detail["removed"] >= 4 and logged[0].detail["keep_days"] == 90
    assert f"check:{ids['unfiled']}" in logged[0].detail["checks"]
    assert f"check:{ids['filed']}" not in logged[0].detail["checks"]
    assert verify(registry)[1] is None

    again = gc(data, db)
    assert again.returncode == 0 and "removed 0 items" in again.stderr, again.stderr


def test_gc_refuses_a_folder_that_is_not_the_apps(tmp_path, office):
    _app, _data, db, _jobs, _ids = office
    (tmp_path / "keep.txt").write_text("not the web app's")
    r = gc(tmp_path, db)
    assert r.returncode == 2 and "not the web app's data folder" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "keep.txt").is_file()
