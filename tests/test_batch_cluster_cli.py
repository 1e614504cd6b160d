"""`compliance batch` on Dask: on a cluster of separate `dask scheduler` / `dask worker` processes it
gives the verdicts a LocalCluster gives; SIGTERM or Ctrl-C midway leaves no process behind, every
finished submission in the registry, and a rerun checks the rest."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import ROOT, SAMPLES  # noqa: E402
from dask_processes import MARK, DaskProcesses, survivors, wait_gone  # noqa: E402
from test_samples_cli import CLI, run_cli  # noqa: E402

VARYING = re.compile(r"(_at|duration_s|duration)$")     # when and how long: not part of a verdict


def without_times(value):
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if not VARYING.search(k)}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def reports(folder: Path) -> dict:
    return {p.name: without_times(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))
            if p.name != "batch-summary.json"}


def rows(db: Path, query: str = "select folder, outcome, verdict, key from checks") -> list:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute(query).fetchall()
    except sqlite3.OperationalError:          # the batch is creating the registry right now
        return []


def test_a_cluster_of_separate_processes_gives_the_verdicts_of_a_local_one(tmp_path):
    samples = sorted(SAMPLES.glob("pass-*"))[:3] + sorted(SAMPLES.glob("fail-*"))[:3]
    with DaskProcesses(tmp_path / "dask", workers=2, mark=f"verdicts-{uuid.uuid4().hex[:8]}") as cluster:
        remote = run_cli("batch", *map(str, samples), "--scheduler", cluster.address, "--db",
                         str(tmp_path / "remote.sqlite"), "-o", str(tmp_path / "remote"), "--format", "json")
        log = (cluster.folder / "scheduler.log").read_text(errors="replace")
    local = run_cli("batch", *map(str, samples), "--jobs", "2", "--db", str(tmp_path / "local.sqlite"),
                    "-o", str(tmp_path / "local"), "--format", "json")
    assert remote.returncode == local.returncode == 1, remote.stderr + local.stderr      # some non-compliant
    assert "Traceback" not in remote.stderr + local.stderr
    assert "Receive client connection" in log                    # the batch really used that scheduler
    on_cluster, here = reports(tmp_path / "remote"), reports(tmp_path / "local")
    assert len(here) == len(samples) and on_cluster == here
    stored = {db: sorted(rows(tmp_path / db, "select folder, verdict, key from checks"))
              for db in ("remote.sqlite", "local.sqlite")}
    assert stored["remote.sqlite"] == stored["local.sqlite"] and len(stored["local.sqlite"]) == len(samples)


def test_an_unreachable_scheduler_is_one_message(tmp_path):
    proc = run_cli("batch", str(SAMPLES / "pass-school"), "--scheduler", "tcp://127.0.0.1:9", "--db",
                   str(tmp_path / "r.sqlite"), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr and "hint:" in proc.stderr


# -- stopping a batch midway ---------------------------------------------------------------------------

COPIES = 12


@pytest.fixture(scope="module")
def slow_submissions(tmp_path_factory) -> Path:
    """COPIES submissions of a 40k-entity model (~1 s each to check), each a distinct file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bigmodel", ROOT / "bench" / "bigmodel.py")
    bigmodel = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bigmodel", bigmodel)
    spec.loader.exec_module(bigmodel)
    base = tmp_path_factory.mktemp("slow")
    source = base / "source"
    bigmodel.write_submission(source, 40_000)
    meta = (source / "submission.yaml").read_text(encoding="utf-8")
    for i in range(1, COPIES + 1):
        copy = base / "subs" / f"S{i:02d}"
        copy.mkdir(parents=True)
        shutil.copyfile(source / "architecture.ifc", copy / "architecture.ifc")
        with open(copy / "architecture.ifc", "a", encoding="ascii") as ifc:
            ifc.write(f"/* copy S{i:02d} */\n")
        (copy / "submission.yaml").write_text(re.sub(r"(?m)^id: .*$", f"id: SLOW-{i:02d}", meta), encoding="utf-8")
    return base / "subs"


@pytest.mark.parametrize("how", ["SIGTERM to the batch", "Ctrl-C (SIGINT to its process group)"])
def test_stopping_a_batch_midway_leaves_no_process_and_a_rerun_does_the_rest(slow_submissions, tmp_path, how):
    mark = f"stop-{uuid.uuid4().hex[:8]}"
    db, out = tmp_path / "registry.sqlite", tmp_path / "out"
    args = ["batch", str(slow_submissions), "--db", str(db), "-o", str(out), "--format", "json", "--jobs", "2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{MARK: mark})
    with open(tmp_path / "stderr.txt", "w+") as err:
        proc = subprocess.Popen(CLI + args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while len(rows(db)) < 2 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert proc.poll() is None, "the batch ended before it could be stopped midway"
            running = survivors(mark)
            assert len(running) >= 5               # the batch, 2 workers, their runs' processes, checks
            if how.startswith("SIGTERM"):
                proc.send_signal(signal.SIGTERM)
            else:
                os.killpg(proc.pid, signal.SIGINT)
            code = proc.wait(60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        err.seek(0)
        said = err.read()
    left = wait_gone(mark, 20)
    for pid in left:                              # not to leak them into other tests, whatever happens
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes still running after the batch ended: {left}"
    assert code == 2 and "Traceback" not in said, said
    done = int(re.search(r"interrupted after (\d+) of 12 submissions", said).group(1))
    stored = rows(db)
    assert 2 <= done < COPIES and len(stored) == done        # every one finished is stored, and only those
    assert all(outcome == "verdict" and verdict == "compliant" for _, outcome, verdict, _ in stored)
    rerun = run_cli(*args)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done} already in the registry" in rerun.stdout.replace("\n", " ")
    final = rows(db)
    assert len(final) == COPIES and len({key for *_, key in final}) == COPIES
    assert {Path(folder).name for folder, *_ in final} == {f"S{i:02d}" for i in range(1, COPIES + 1)}
