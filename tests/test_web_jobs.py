"""Several app processes on one data folder and registry (compliance/web/jobs.py, the registry's
`web_jobs`): a job started through one process is queued, running or done through any other,
never 'interrupted' while the process running it beats; a job whose process stopped beating is."""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone

from app_processes import AppProcess, Browser, add_designer, sample_zip
from conftest import RULES, SAMPLES


def _runner(tmp_path, db: str, **timing):
    from compliance.registry.store import Registry
    from compliance.web.jobs import JobRunner
    from compliance.web.settings import WebSettings

    return JobRunner(WebSettings(data_dir=tmp_path / "data", rules_dir=RULES, db=db), Registry(db), **timing)


def test_a_jobs_state_is_told_by_its_row_in_the_registry(db_url, tmp_path):
    from sqlalchemy import update

    from compliance.registry.tables import web_jobs

    runner = _runner(tmp_path, db_url, stale_s=30)
    job_id = secrets.token_hex(16)
    folder = runner.jobs_dir / job_id
    folder.mkdir()
    (folder / "job.json").write_text("{}")
    now = datetime.now(timezone.utc)
    with runner.registry.engine.begin() as conn:       # run by another app process, on another host
        conn.execute(web_jobs.insert().values(id=job_id, owner="app-2.example:4242", created_at=now,
                                              heartbeat_at=now, finished=False))

    def beat(**values):
        with runner.registry.engine.begin() as conn:
            conn.execute(update(web_jobs).where(web_jobs.c.id == job_id).values(**values))

    assert runner.state(job_id).state == "queued"
    (folder / "progress.json").write_text(json.dumps({"step": "reading model 1 of 2", "fraction": 0.3}))
    found = runner.state(job_id)
    assert (found.state, found.step, found.fraction) == ("running", "reading model 1 of 2", 0.3)
    beat(heartbeat_at=now - timedelta(seconds=25))                 # a beat missed or two: still running
    assert runner.state(job_id).state == "running"
    beat(heartbeat_at=now - timedelta(seconds=31))                 # its process stopped
    found = runner.state(job_id)
    assert (found.state, found.failure["kind"]) == ("failed", "interrupted")
    beat(heartbeat_at=now, finished=True)
    (folder / "result.json").write_text(json.dumps({"check_id": 7, "outcome": "verdict", "failure": None}))
    assert (runner.state(job_id).state, runner.state(job_id).check_id) == ("done", 7)

    old = secrets.token_hex(16)                                    # a job of a version before web_jobs
    (runner.jobs_dir / old).mkdir()
    (runner.jobs_dir / old / "job.json").write_text("{}")
    assert runner.state(old).failure["kind"] == "interrupted"
    runner.close()
    runner.registry.close()


def test_the_heartbeat_keeps_a_running_job_alive_for_the_other_processes(db_url, tmp_path, monkeypatch):
    """An observer that calls a job interrupted after 0.6 s without a beat watches a check that
    takes longer than that (its process waits 2 s before it starts): the runner's beats (every
    0.1 s) keep it running until it is done."""
    slow = tmp_path / "slow-python"
    slow.write_text(f"#!/bin/sh\nsleep 2\nexec {sys.executable} \"$@\"\n")
    slow.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(slow))          # the runner starts each check with it
    runner = _runner(tmp_path, db_url, heartbeat_s=0.1)
    observer = _runner(tmp_path, db_url, stale_s=0.6)
    job_id, job_dir = runner.new_job_dir()
    folder = shutil.copytree(SAMPLES / "pass-school", job_dir / "submission")
    started = time.monotonic()
    runner.start(job_id, folder)
    seen = []
    while time.monotonic() - started < 120:
        found = observer.state(job_id)
        seen.append(found.state)
        if found.state in ("done", "failed"):
            break
        time.sleep(0.1)
    assert seen[-1] == "done", (seen[-1], found.failure)
    assert "failed" not in seen and seen.count("running") > 1
    assert time.monotonic() - started > 3 * 0.6, "the check must outlast the observer's limit"
    for r in (runner, observer):
        r.close()
        r.registry.close()


def test_a_job_started_through_one_app_process_is_followed_through_another(db_url, tmp_path):
    """Two `compliance serve` processes on the same --data-dir and --db (as behind one proxy): the
    designer uploads through the first and polls the second, signed in once (one session key)."""
    add_designer(db_url, "li", "上海某建筑设计研究院")
    shared = ["--port", "0", "--data-dir", str(tmp_path / "data"), "--db", db_url, "--workers", "1"]
    env = {"COMPLIANCE_CACHE": str(tmp_path / "cache")}
    with AppProcess(tmp_path / "a", *shared, env=env) as first, AppProcess(tmp_path / "b", *shared, env=env) as second:
        browser = Browser(first.url)
        browser.login("li")
        job_id = browser.upload(sample_zip("pass-school", tmp_path / "zips"))
        other = browser.at(second.url)
        seen, states = [], {}
        deadline = time.time() + 180
        while time.time() < deadline:
            reply = other.get(f"jobs/{job_id}/state")
            assert reply.status == 200, reply.text[:300]
            states = json.loads(reply.body)
            seen.append(states["state"])
            if states["state"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert seen[0] in ("queued", "running") and seen[-1] == "done", (seen, states.get("failure"))
        assert "failed" not in seen, states.get("failure")
        assert json.loads(browser.get(f"jobs/{job_id}/state").body)["state"] == "done"      # the first agrees
        assert other.get(states["url"]).status == 200                                        # the result page
