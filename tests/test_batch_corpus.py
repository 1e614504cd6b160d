"""Issue 6's acceptance: a batch of 200 generated submissions (every 10th broken on purpose),
killed half-way and run again, ends with exactly one registry row per submission; the district
figures equal sums computed from the generator's own record of what it put in each folder."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from datetime import date

import pytest
from conftest import ROOT, RULES
from test_corpus import corpus
from test_samples_cli import CLI, run_cli

N = 200
ULE = {"ultra_low", "nearly_zero", "zero_energy"}


def count(db, query="select count(*) from checks", *args) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(query, args).fetchone()[0]
    except sqlite3.OperationalError:          # the tables are not there yet
        return 0


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("corpus-batch")
    manifest = corpus.make_corpus(base / "corpus", n=N)
    db, out = base / "registry.sqlite", base / "out"
    args = ["batch", str(base / "corpus"), "-o", str(out), "--db", str(db), "--format", "json", "--jobs", "2"]

    # first run: killed (SIGKILL, the whole process group: no chance to clean up) a third of the way in
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    first = subprocess.Popen(CLI + args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    deadline = time.monotonic() + 240
    while count(db) < N // 3 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the batch ended before it could be killed; make the corpus larger"
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(30)
    killed_at = count(db)

    second = run_cli(*args)
    return manifest, db, out, killed_at, second


def test_the_kill_left_the_batch_unfinished(run):
    _, _, _, killed_at, _ = run
    assert N // 3 <= killed_at < N


def test_rerun_completes_without_duplicates(run):
    manifest, db, _, killed_at, second = run
    assert second.returncode == 2, second.stderr         # broken submissions: some could not be checked
    assert "Traceback" not in second.stdout + second.stderr
    assert count(db) == N
    assert count(db, "select count(distinct key) from checks") == N
    assert count(db, "select count(distinct folder) from checks") == N
    assert f"{killed_at} already in the registry" in " ".join(second.stdout.split())


def test_every_good_submission_has_its_verdict_and_every_broken_one_an_error_row(run):
    manifest, db, _, _, _ = run
    with sqlite3.connect(db) as conn:
        stored = {folder.rsplit("/", 1)[-1]: (outcome, verdict, message or "")
                  for folder, outcome, verdict, message in
                  conn.execute("select folder, outcome, verdict, error_message from checks")}
    for s in manifest["submissions"]:
        outcome, verdict, message = stored[s["folder"]]
        if s["broken"]:
            assert outcome == "error" and s["expected_error"] in message, (s["folder"], message)
        else:
            assert (outcome, verdict) == ("verdict", s["expect"]), s["folder"]


def test_each_checked_submission_has_its_json_report(run):
    manifest, db, out, _, _ = run
    for s in manifest["submissions"]:
        if not s["broken"]:
            data = json.loads((out / f"{s['id']}.json").read_text(encoding="utf-8"))
            assert data["verdict"] == s["expect"]


def expected_district(manifest) -> dict:
    """Sums over the approved submissions, from the generator's manifest alone."""
    import yaml

    settings = yaml.safe_load((RULES / "_settings.yaml").read_text(encoding="utf-8"))
    public = {u for u, spec in settings["uses"].items() if "public" in spec.get("groups", [])}
    ok = [s for s in manifest["submissions"] if not s["broken"] and s["expect"] == "compliant"]

    def filed(s, a, b):
        return date(a, 1, 1) <= date.fromisoformat(s["filed_on"]) <= date(b, 12, 31)

    retro = [s for s in ok if s["kind"] == "retrofit" and s["use"] in public and filed(s, 2021, 2030)
             and (s["retrofit_saving_pct"] or 0) > 0]                  # an energy retrofit states its saving
    homes = [s for s in ok if s["kind"] == "new" and s["use"] == "residential" and filed(s, 2026, 2030)]
    malls = [s for s in ok if s["use"] == "commercial_complex" and s["kind"] == "retrofit" and filed(s, 2021, 2030)]
    big = [s for s in malls if s["gross_floor_area_m2"] >= 100000 and filed(s, 2021, 2025)]
    return {
        "D-2": sum(s["pv_peak_kw"] for s in ok if filed(s, 2021, 2025)),
        "D-8": sum(s["charging_points"] for s in ok if filed(s, 2021, 2025) and s["use"] != "residential"),
        "D-6": sum(s["gross_floor_area_m2"] for s in retro),
        "D-6a": sum(s["gross_floor_area_m2"] for s in retro if s["retrofit_saving_pct"] >= 15),
        "D-5": 100 * sum(s["gross_floor_area_m2"] for s in homes if s["energy_class"] in ULE)
        / sum(s["gross_floor_area_m2"] for s in homes),
        "D-7": 100 * sum(s["green_mall"] for s in big) / len(big),
        "D-7a": 100 * sum(s["green_mall"] for s in malls) / len(malls),
    }


def test_district_figures_equal_independent_sums(run, tmp_path):
    manifest, db, _, _, _ = run
    expected = expected_district(manifest)
    assert all(v > 0 for v in expected.values()), expected          # the corpus exercises every target
    from office_accounts import approve_compliant

    from compliance.registry.store import Registry

    approve_compliant(Registry(db))                 # the district counts what a reviewer approved
    proc = run_cli("district", "--db", str(db), "--as-of", "2030-12-31", "-o", str(tmp_path) + "/")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "district.json").read_text(encoding="utf-8"))
    achieved = {t["id"]: t for t in report["targets"]}
    for target_id, value in expected.items():
        assert achieved[target_id]["achieved"] == pytest.approx(value, abs=1e-3), target_id
        assert achieved[target_id]["not_counted"] == [], target_id
    assert report["approved"] == sum(1 for s in manifest["submissions"] if not s["broken"] and s["expect"] == "compliant")
    assert report["submissions"] == N
    assert report["errors"] == sum(1 for s in manifest["submissions"] if s["broken"])
    assert sum(report["by_verdict"].values()) + report["errors"] == N
    assert (tmp_path / "district.pdf").read_bytes()[:5] == b"%PDF-"


def test_ctrl_c_stops_cleanly_and_a_rerun_finishes(run, tmp_path):
    corpus_dir = run[1].parent / "corpus"
    db = tmp_path / "registry.sqlite"
    args = ["batch", str(corpus_dir), "-o", str(tmp_path / "out"), "--db", str(db), "--format", "json"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(CLI + args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    while count(db) < N // 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)                 # what Ctrl-C in a terminal does
    out, err = proc.communicate(timeout=120)
    stored = count(db)
    assert proc.returncode == 2
    assert f"interrupted after {stored} of {N} submissions" in " ".join(err.split())
    assert "run the same command again" in err and "Traceback" not in out + err
    assert stored < N
    again = run_cli(*args)
    assert again.returncode == 2 and count(db) == N and count(db, "select count(distinct key) from checks") == N
