"""A batch that nothing stops (issue 22): a folder name that is not UTF-8, a NUL in a submitted name,
numbers no figure can be (1e308, .inf, .nan, 1e400: durable-rules crashes on them), an outcome the
registry refuses, a worker killed mid-check, and folders the batch cannot or will not check. Each
case is built from the bundled samples in tmp_path; the registry runs on SQLite and PostgreSQL
(`db_url`). The last test is the issue's acceptance line, run as a user runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RULES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from robust_cases import (  # noqa: E402
    BAD_NUMBERS,
    GBK_NAME,
    GBK_SHOWN,
    GFA_LINE,
    GOOD,
    KILL_HOOK,
    NUL_NAME,
    NUL_SHOWN,
    ROOT,
    acceptance_folder,
    copy_sample,
    discovery_tree,
    edit,
    registry_rows,
    run_batch,
    unprivileged,
    with_gfa,
    with_ifc_area,
)

# -- text that cannot be stored as it is ------------------------------------------------------------

def test_safe_text_shows_gbk_names_decoded_other_bytes_escaped_and_nul_visibly():
    from compliance.safe_text import safe_text, safe_value

    assert safe_text(os.fsdecode(b"/in/" + GBK_NAME)) == "/in/" + GBK_SHOWN
    assert safe_text(os.fsdecode(b"caf\xe9-x")) == "caf\\xe9-x"          # Latin-1: not GBK, shown byte by byte
    assert safe_text("a\x00b") == "a[U+0000]b" and safe_text("lone \ud800") == "lone [U+D800]"
    assert safe_text("杨浦 plain") == "杨浦 plain"
    assert safe_value({"m": [float("nan"), 1.5, "x\x00"]}) == {"m": [None, 1.5, "x[U+0000]"]}


def test_a_verdict_from_a_non_utf8_folder_with_a_nul_name_is_stored_alike_on_both_backends(tmp_path, db_url):
    """The check row, its inputs and results: SQLite's driver and psycopg both refuse surrogate
    escapes, PostgreSQL refuses a NUL; stored, both read back the same text."""
    from datetime import datetime, timezone

    from compliance.context import RunContext
    from compliance.pipeline import check_submission
    from compliance.registry.store import Failure, Outcome, Registry

    folder = copy_sample("fail-office", os.fsencode(tmp_path) + b"/" + GBK_NAME)
    edit(folder / "submission.yaml", "name: 杨浦区某科技园研发办公楼", f"name: {NUL_NAME}")
    verdict = check_submission(folder, RunContext(rules_dir=RULES))
    assert verdict.submission.name == "R&D\x00office"
    base = dict(folder=str(folder), inputs_sha256="0" * 64, rules_version="r", tool_version="t",
                checked_at=datetime.now(timezone.utc).replace(microsecond=0), duration_s=1.0)
    registry = Registry(db_url)
    try:
        check_id, new = registry.record(Outcome(key="k-verdict", verdict=verdict, **base))
        error_id, _ = registry.record(Outcome(key="k-error", failure=Failure(
            kind="input error", message=f"bad \x00 value in {folder}", file=str(folder / "submission.yaml"), line=3),
            **base))
        assert new
        stored = {r.key: r for r in registry.all()}
        assert stored["k-verdict"].folder == str(tmp_path / GBK_SHOWN) and stored["k-verdict"].name == NUL_SHOWN
        assert stored["k-error"].error_message == f"bad [U+0000] value in {tmp_path / GBK_SHOWN}"
        assert stored["k-error"].error_file == str(tmp_path / GBK_SHOWN / "submission.yaml")
        assert registry.stored_json(check_id)["submission"]["name"] == "R&D\x00office"   # JSON: \u0000
        assert len(registry.results(check_id)) == len(verdict.results)
    finally:
        registry.close()


def _batch(tmp_path: Path, db_url: str):
    from compliance.batch.run import Batch
    from compliance.registry.store import Registry

    return Batch(roots=[tmp_path], registry=Registry(db_url), rules_dir=RULES, out_dir=tmp_path / "out",
                 formats=("json",), jobs=1)


def _result(folder: Path, key: str):
    """What a worker sends back for `folder` (its verdict, no reports), checked here."""
    from datetime import datetime, timezone

    from compliance.batch.worker import Result
    from compliance.context import RunContext
    from compliance.pipeline import check_submission
    from compliance.registry.store import Outcome

    verdict = check_submission(folder, RunContext(rules_dir=RULES))
    return Result(str(folder), key, outcome=Outcome(
        key=key, folder=str(folder), inputs_sha256="0" * 64, rules_version="r", tool_version="t",
        checked_at=datetime.now(timezone.utc).replace(microsecond=0), duration_s=1.0, verdict=verdict))


def test_an_outcome_the_registry_refuses_becomes_an_error_row_and_the_batch_goes_on(tmp_path, db_url):
    """Whatever the reason a verdict cannot be stored, its folder gets an error row saying so (with
    the verdict it had), and the next outcome is stored as usual."""
    job = _batch(tmp_path, db_url)
    refused, fine = (_result(copy_sample(s, tmp_path / s), f"k-{s}") for s in ("fail-office", "pass-school"))
    record = job.registry.record

    def failing_once(outcome):
        if outcome.verdict is not None and outcome.verdict.submission.id == "YP-2024-0457":
            raise RuntimeError("value too long for type character varying(40)")
        return record(outcome)

    job.registry.record = failing_once
    try:
        first, second = job._store(refused), job._store(fine)
    finally:
        job.registry.close()
    assert first.status == "error" and first.stored and first.check_id
    assert "checked (non_compliant), but the outcome could not be stored" in first.message
    assert "value too long" in first.message
    assert second.status == "checked" and second.verdict == "compliant"
    rows = {r["key"]: r for r in registry_rows(db_url)}
    assert rows["k-fail-office"]["outcome"] == "error" and rows["k-fail-office"]["error_kind"] == "registry error"
    assert rows["k-fail-office"]["submission_id"] == "YP-2024-0457"
    assert rows["k-pass-school"]["outcome"] == "verdict"


def test_when_not_even_an_error_row_can_be_stored_the_summary_says_so(tmp_path, db_url):
    job = _batch(tmp_path, db_url)
    result = _result(copy_sample("pass-school", tmp_path / "pass-school"), "k1")

    def down(outcome):
        raise ConnectionError("the database server closed the connection")

    job.registry.record = down
    try:
        row = job._store(result)
        crash = job._store_crash(str(tmp_path / "pass-school"), "the worker process died")
        summary = json.loads(job.write_summary().read_text(encoding="utf-8"))
    finally:
        job.registry.close()
    assert not row.stored and not crash.stored
    assert "nor could an error row be stored" in row.message and "not stored in the registry" in crash.message
    assert [r["stored"] for r in summary["rows"]] == [False, False]


# -- numbers no figure can be -----------------------------------------------------------------------

@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_a_declared_figure_that_is_not_finite_or_absurd_is_refused_at_its_line(tmp_path, value):
    from compliance.errors import InputError
    from compliance.read.metadata import load_submission

    folder = with_gfa(tmp_path / "s", value)
    with pytest.raises(InputError) as info:
        load_submission(folder)
    assert info.value.file == str(folder / "submission.yaml") and info.value.line == GFA_LINE
    assert "gross_floor_area_m2" in info.value.message and info.value.hint


@pytest.mark.parametrize("value", ["1e308", ".inf", ".nan", "1.0e+400", "10000000000000000000000"])
def test_every_declared_figure_is_guarded_not_only_the_floor_area(tmp_path, value):
    from compliance.errors import InputError
    from compliance.read.metadata import load_submission

    folder = copy_sample("pass-school", tmp_path / "s")
    edit(folder / "submission.yaml", "declared: {parking_spaces: 0, charging_points: 0}",
         f"declared: {{parking_spaces: 0, charging_points: 0, pv_area_m2: {value}}}")
    with pytest.raises(InputError) as info:
        load_submission(folder)
    assert info.value.line == 14 and "pv_area_m2" in info.value.message


@pytest.mark.parametrize("value", [".inf", ".nan", "1e308"])
def test_a_rule_threshold_or_parameter_that_is_not_finite_is_refused_at_its_line(tmp_path, value):
    from compliance.errors import RuleFileError
    from compliance.ruleset.loader import load_ruleset

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    edit(rules / "PV-1.yaml", "  value: 50\n", f"  value: {value}\n")
    with pytest.raises(RuleFileError) as info:
        load_ruleset(rules)
    assert info.value.file == str(rules / "PV-1.yaml") and info.value.line
    assert (rules / "PV-1.yaml").read_text(encoding="utf-8").splitlines()[info.value.line - 1].strip() == f"value: {value}"
    shutil.copy(RULES / "PV-1.yaml", rules / "PV-1.yaml")
    edit(rules / "_parameters.yaml", "  value: 60\n", f"  value: {value}\n")
    with pytest.raises(RuleFileError) as info:
        load_ruleset(rules)
    assert info.value.file == str(rules / "_parameters.yaml") and info.value.line


def test_a_model_quantity_of_1e308_is_left_out_with_a_finding_and_the_rule_cannot_pass(tmp_path):
    from compliance.context import RunContext
    from compliance.pipeline import check_submission
    from compliance.read.model import read_model

    folder = with_ifc_area(tmp_path / "s")
    facts = read_model(folder / "architecture.ifc")
    [note] = [n for n in facts.notes if n.code == "model.unusable_number"]
    assert "02uWKvHdfGlObaC_ulD$7r" in note.global_ids and "ProjectedArea = 1e+308" in note.message
    assert note.severity == "uncertain"
    assert all(abs(f.projected_m2 or 0) < 1e15 for f in facts.roofs)
    verdict = check_submission(folder, RunContext(rules_dir=RULES))
    [pv1] = [r for r in verdict.results if r.rule == "PV-1"]
    assert pv1.status in ("manual_review", "missing_data")           # pass-school's PV-1 passes otherwise
    assert "model.unusable_number" in {n.code for n in verdict.notes}


def test_no_infinite_or_nan_number_reaches_the_rule_engine():
    """The engine boundary (defence in depth): a metric that is not finite is missing data with
    its reason; a fact holding one is refused before durable-rules (which would crash)."""
    from compliance.derive.metrics import Metric
    from compliance.errors import EngineError
    from compliance.evaluate.engine import Engine
    from compliance.evaluate.evaluator import finite

    for bad in (float("inf"), float("-inf"), float("nan"), 1e308):
        metric = finite(Metric(name="pv_roof_ratio", value=bad, unit="%"))
        assert metric.value is None and "not a usable number" in metric.reasons[-1].en
    bounded = finite(Metric(name="x", value=1.0, unit="%", certain=False, low=float("-inf"), high=float("inf")))
    assert (bounded.value, bounded.low, bounded.high) == (1.0, None, None)
    engine = Engine.shared()
    ruleset = {"r": {"all": [{"m": {"$gte": {"x": 1}}}], "run": "r"}}
    for bad in (float("inf"), float("nan")):
        with pytest.raises(EngineError):
            engine.run("issue22_guard", ruleset, [{"id": "f", "x": bad}])
    assert engine.run("issue22_guard", ruleset, [{"id": "f", "x": 2.0}]) == {"f": ["r"]}


# -- folders the batch does not check ---------------------------------------------------------------

def test_find_submissions_reports_every_folder_it_does_not_check(tmp_path):
    prefix = unprivileged()
    root = discovery_tree(tmp_path)
    script = ("import json, sys; from compliance.batch.discover import find_submissions; "
              "f = find_submissions([sys.argv[1]]); "
              "print(json.dumps({'folders': [str(p) for p in f.folders], 'skipped': [s.as_dict() for s in f.skipped]}))")
    try:
        proc = subprocess.run((prefix or []) + [sys.executable, "-c", script, str(root)], capture_output=True,
                              cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    finally:
        (root / "locked").chmod(0o755)
    assert proc.returncode == 0, proc.stderr.decode()
    found = json.loads(proc.stdout)
    assert sorted(Path(p).name for p in found["folders"]) == sorted([os.fsdecode(GBK_NAME), "school"])
    reasons = {Path(s["folder"]).name: s["reason"] for s in found["skipped"]}
    assert "inside the submission folder" in reasons["annex"] and "move it out" in reasons["annex"]
    assert "symbolic link to a folder" in reasons["link"] and "not followed" in reasons["link"]
    assert "loops" in reasons["loop"]
    if prefix is None:
        pytest.skip("running as root without setpriv: a chmod 000 folder stays readable to root, so the "
                    "permission-denied case cannot be made here (everything else above was checked)")
    assert "permission denied" in reasons["locked"]


def test_find_submissions_in_process(tmp_path):
    """The same tree read in this process: the API is Found(folders, skipped)."""
    from compliance.batch.discover import Found, find_submissions

    root = discovery_tree(tmp_path)
    (root / "locked").chmod(0o755)
    found = find_submissions([root])
    assert isinstance(found, Found)
    assert sorted(p.name for p in found.folders) == sorted([os.fsdecode(GBK_NAME), "inside", "school"])
    assert {Path(s.folder).name for s in found.skipped} == {"annex", "link", "loop"}
    assert all(s.folder.encode("utf-8") for s in found.skipped)


# -- the acceptance line --------------------------------------------------------------------

def test_a_batch_with_a_non_utf8_folder_a_nul_name_an_infinite_area_and_a_killed_worker_stores_every_other_verdict(
        tmp_path, db_url):
    """Issue 22's acceptance line, as a user runs it: good samples, a folder named in GBK bytes, a
    NUL in a name, areas of 1e308 and .inf (submission.yaml) and 1.E308 (IFC), one check whose worker
    is killed with SIGKILL, a nested submission and (where permissions can bind) an unreadable
    folder. Every other verdict is stored; the broken ones are error rows saying what and where;
    what was not checked is listed; a rerun stores nothing twice and ends normally."""
    root = acceptance_folder(tmp_path)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(KILL_HOOK, encoding="utf-8")
    prefix = unprivileged()
    locked = root / "locked"
    if prefix is not None:                                   # else: root without setpriv, the case is left out
        copy_sample("pass-school", locked / "inside")
        locked.chmod(0)
    out = tmp_path / "out"
    formats = "json" if "://" in db_url else "json,pdf"      # the reports do not depend on the backend: PDFs once
    try:
        proc = run_batch(root, out, db_url, hooks, prefix or [], formats)
        summary = json.loads((out / "batch-summary.json").read_text(encoding="utf-8"))   # the rerun writes its own
        rerun = run_batch(root, out, db_url, hooks, prefix or [], formats)
    finally:
        if locked.exists():
            locked.chmod(0o755)
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")   # valid UTF-8, both
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stdout + stderr

    rows = {Path(r["folder"]).name: r for r in registry_rows(db_url)}
    assert set(rows) == {*GOOD, GBK_SHOWN, "nul-name", "area-1e308", "area-inf", "ifc-area-1e308", "killed-worker"}, \
        stdout + stderr
    for sample, (sid, verdict) in GOOD.items():                    # every other verdict, as a check alone gives it
        assert (rows[sample]["outcome"], rows[sample]["verdict"]) == ("verdict", verdict), sample
        assert sid is None or rows[sample]["submission_id"] == sid
    assert rows[GBK_SHOWN]["verdict"] == "compliant" and rows[GBK_SHOWN]["folder"] == str(root / GBK_SHOWN)
    assert rows["nul-name"]["name"] == NUL_SHOWN and rows["nul-name"]["verdict"] == "non_compliant"
    assert rows["ifc-area-1e308"]["outcome"] == "verdict" and rows["ifc-area-1e308"]["verdict"] != "compliant"
    for name in ("area-1e308", "area-inf"):
        row = rows[name]
        assert row["outcome"] == "error" and row["exit_code"] == 2, name
        assert row["error_file"].endswith(f"{name}/submission.yaml") and row["error_line"] == GFA_LINE
        assert "gross_floor_area_m2" in row["error_message"] and row["error_hint"]
    killed = rows["killed-worker"]
    assert killed["outcome"] == "error" and killed["error_kind"] == "crash"
    assert re.search(r"died|killed", killed["error_message"]) and killed["error_hint"]

    assert {Path(r["folder"]).name for r in summary["rows"]} == set(rows)
    assert any(r["name"] == NUL_SHOWN for r in summary["rows"]), summary["rows"]
    skipped = {Path(s["folder"]).name: s["reason"] for s in summary["skipped"]}
    assert "inside the submission folder" in skipped["nested"]
    assert "not checked: " in stdout and GBK_SHOWN in stdout and "\x00" not in stdout + stderr
    if prefix is not None:
        assert "permission denied" in skipped["locked"]
    for report in (out / "YP-2025-0012.json", out / "YP-2024-0457.json"):
        assert report.is_file(), report
    assert formats == "json" or (out / "YP-2024-0457.pdf").is_file()
    assert all(p.name.isascii() for p in out.iterdir())

    assert rerun.returncode == 2 and b"Traceback" not in rerun.stdout + rerun.stderr, rerun.stderr.decode()
    assert len(registry_rows(db_url)) == len(rows)                   # the rerun stores nothing twice, ends normally
