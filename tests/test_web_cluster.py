"""`compliance serve --scheduler`: the web app's checks run as tasks on a Dask cluster of separate
`dask scheduler` / `dask worker` processes; the app stores what comes back, and the pages show it
as they show a check run on the app's own machine."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_processes import COMPLIANCE, AppProcess, Browser, add_designer, sample_zip  # noqa: E402
from dask_processes import DaskProcesses  # noqa: E402


def _until_finished(browser: Browser, job_id: str) -> dict:
    deadline = time.time() + 180
    while time.time() < deadline:
        state = json.loads(browser.get(f"jobs/{job_id}/state").body)
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {state}")


def test_uploads_are_checked_on_the_cluster_and_stored_by_the_app(tmp_path):
    db = str(tmp_path / "registry.sqlite")
    add_designer(db, "li", "上海某建筑设计研究院")
    data = tmp_path / "data"
    with DaskProcesses(tmp_path / "dask", workers=2, mark=f"web-{uuid.uuid4().hex[:8]}") as cluster, \
            AppProcess(tmp_path / "app", "--port", "0", "--data-dir", str(data), "--db", db, "--scheduler",
                       cluster.address, env={"COMPLIANCE_CACHE": str(tmp_path / "cache")}) as app:
        browser = Browser(app.url)
        browser.login("li")
        jobs = {name: browser.upload(sample_zip(name, tmp_path / "zips")) for name in ("pass-school", "fail-office")}
        states = {name: _until_finished(browser, job_id) for name, job_id in jobs.items()}
        for name, state in states.items():
            assert state["state"] == "done", (name, state.get("failure"))
            assert browser.get(state["url"]).status == 200                   # the result page
        for job_id in jobs.values():
            job_dir = data / "jobs" / job_id
            assert not (job_dir / "log.txt").exists()                  # no local check process was started
            assert json.loads((job_dir / "result.json").read_text())["outcome"] == "verdict"
        log = (cluster.folder / "scheduler.log").read_text(errors="replace")
    assert log.count("Receive client connection") >= 2                  # the start-up check, then the jobs
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("select submission_id, verdict from checks").fetchall())
        owned = conn.execute("select count(*) from check_owners").fetchone()[0]
        facts = conn.execute("select count(*) from model_facts").fetchone()[0]
    assert stored == {"YP-2025-0012": "compliant", "YP-2024-0457": "non_compliant"}
    assert owned == 2 and facts >= 2            # each the designer's self-check; the models' facts kept


def test_serve_with_an_unreachable_scheduler_says_so_at_start(tmp_path):
    import subprocess

    proc = subprocess.run([str(COMPLIANCE), "serve", "--port", "0", "--data-dir", str(tmp_path / "data"), "--db",
                           str(tmp_path / "r.sqlite"), "--scheduler", "tcp://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr
