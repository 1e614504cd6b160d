"""`compliance batch` over the bundled samples, the registry it fills, `history` and `diff`.

Expected outcomes come from the sample folder names (pass-/na- compliant, fail- non_compliant,
incomplete- incomplete, error- cannot be checked), not from the checker."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

import pytest
import yaml
from conftest import SAMPLES
from test_samples_cli import EXPECTED, SAMPLE_DIRS, run_cli

GOOD = [p for p in SAMPLE_DIRS if not p.name.startswith("error-")]
BROKEN = [p for p in SAMPLE_DIRS if p.name.startswith("error-")]


def rows(db, query, *args):
    with sqlite3.connect(db) as conn:
        return conn.execute(query, args).fetchall()


@pytest.fixture(scope="module")
def first_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("batch")
    db, out = base / "registry.sqlite", base / "out"
    proc = run_cli("batch", str(SAMPLES), "-o", str(out), "--db", str(db), "--format", "json", "--jobs", "2")
    return db, out, proc


def test_batch_checks_every_sample_and_reports_the_broken_ones(first_batch):
    db, out, proc = first_batch
    assert proc.returncode == 2, proc.stderr          # some could not be checked
    assert "Traceback" not in proc.stderr + proc.stdout
    for broken in BROKEN:
        assert f"{broken.name}/architecture.ifc" in proc.stdout, f"{broken.name} not reported"
    assert f"{len(SAMPLE_DIRS)} of {len(SAMPLE_DIRS)} submissions" in proc.stdout.replace("\n", " ")


def test_every_good_sample_has_its_expected_verdict_in_the_registry(first_batch):
    db, _, _ = first_batch
    stored = {folder.split("/")[-1]: (outcome, verdict) for folder, outcome, verdict in
              rows(db, "select folder, outcome, verdict from checks")}
    assert len(stored) == len(SAMPLE_DIRS)
    for sample in GOOD:
        assert stored[sample.name] == ("verdict", EXPECTED[sample.name.split("-")[0]][0]), sample.name
    for sample in BROKEN:
        assert stored[sample.name] == ("error", None), sample.name


def test_error_rows_say_what_is_wrong_and_where(first_batch):
    db, _, _ = first_batch
    errors = {folder.split("/")[-1]: (file, message, hint, code) for folder, file, message, hint, code in
              rows(db, "select folder, error_file, error_message, error_hint, exit_code from checks "
                       "where outcome = 'error'")}
    assert set(errors) == {p.name for p in BROKEN}
    assert "truncated" in errors["error-truncated-model"][1]
    assert "IFC2X2_FINAL" in errors["error-unsupported-schema"][1]
    for name, (file, _message, hint, code) in errors.items():
        assert file.endswith("architecture.ifc") and hint and code == 2, name


def test_stored_verdicts_match_a_single_check(first_batch, sample_verdicts):
    db, _, _ = first_batch
    for (sid, text) in rows(db, "select submission_id, verdict_json from checks where outcome = 'verdict'"):
        stored = json.loads(text)
        [single] = [v for v in sample_verdicts.values() if v.submission.id == sid]
        assert stored["verdict"] == single.verdict
        assert {r["rule"]: r["status"] for r in stored["results"]} == {r.rule: r.status for r in single.results}
        assert stored["district"].keys() == single.district.keys()


def test_inputs_are_stored_with_their_hashes(first_batch):
    db, _, _ = first_batch
    for sample in GOOD:
        [(check_id,)] = rows(db, "select id from checks where folder like ?", f"%/{sample.name}")
        stored = dict(rows(db, "select file, sha256 from inputs where check_id = ?", check_id))
        meta = yaml.safe_load((sample / "submission.yaml").read_text(encoding="utf-8"))
        assert set(stored) == {"submission.yaml", *meta["models"]}
        for file, sha in stored.items():
            assert sha == hashlib.sha256((sample / file).read_bytes()).hexdigest()
        results = rows(db, "select rule, status from results where check_id = ?", check_id)
        assert len(results) == len(list((SAMPLES.parent / "rules").glob("[A-Z]*.yaml")))


def test_reports_and_summary_are_written(first_batch):
    db, out, _ = first_batch
    summary = json.loads((out / "batch-summary.json").read_text(encoding="utf-8"))
    assert len(summary["rows"]) == len(SAMPLE_DIRS)
    for row in summary["rows"]:
        if row["status"] == "checked":
            [report] = row["reports"]
            data = json.loads(open(report, encoding="utf-8").read())
            assert data["submission"]["id"] == row["submission_id"] and data["verdict"] == row["verdict"]
        else:
            assert row["status"] == "error" and row["reports"] == [] and row["message"]


def test_rerun_skips_what_is_stored_and_adds_nothing(first_batch):
    db, out, _ = first_batch
    before = rows(db, "select id, key, checked_at from checks order by id")
    proc = run_cli("batch", str(SAMPLES), "-o", str(out), "--db", str(db), "--format", "json")
    assert proc.returncode == 2
    assert rows(db, "select id, key, checked_at from checks order by id") == before
    assert f"{len(SAMPLE_DIRS)} already in the registry" in proc.stdout.replace("\n", " ")


def test_retry_errors_rechecks_broken_ones_without_duplicates(first_batch):
    db, out, _ = first_batch
    proc = run_cli("batch", str(SAMPLES / "error-not-ifc"), "--db", str(db), "-o", str(out), "--retry-errors")
    assert proc.returncode == 2
    assert len(rows(db, "select id from checks where folder like '%/error-not-ifc'")) == 1
    assert len(rows(db, "select key from checks")) == len({k for (k,) in rows(db, "select key from checks")})


def _resubmit(base, name, edit):
    folder = base / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SAMPLES / "fail-office", folder)
    meta = folder / "submission.yaml"
    meta.write_text(edit(meta.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def test_history_and_diff_of_a_resubmission(first_batch, tmp_path):
    db, out, _ = first_batch
    # resubmission 1 drops the green-building claim: GB-1 becomes a finding; PV-2 stays failed
    v1 = _resubmit(tmp_path, "v1", lambda t: t.replace("green_building:", "green_building_removed:", 1)
                   .replace("green_building_removed:", "# green_building:", 1))
    text = (v1 / "submission.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# green_building:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith((" ", "\t")))
    (v1 / "submission.yaml").write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")
    assert run_cli("batch", str(v1), "--db", str(db), "-o", str(out), "--format", "json").returncode == 1
    # resubmission 2 restores it (same content as the sample plus a comment: new inputs, new check)
    v2 = _resubmit(tmp_path, "v2", lambda t: t + "# resubmitted\n")
    assert run_cli("batch", str(v2), "--db", str(db), "-o", str(out), "--format", "json").returncode == 1

    checks = rows(db, "select id, verdict from checks where submission_id = 'YP-2024-0457' order by id")
    assert len(checks) == 3
    hist = run_cli("history", "YP-2024-0457", "--db", str(db))
    assert hist.returncode == 0, hist.stderr
    for check_id, _ in checks:
        assert str(check_id) in hist.stdout

    first = run_cli("diff", "YP-2024-0457", "--db", str(db), "--from", str(checks[0][0]), "--to", str(checks[1][0]))
    assert first.returncode == 0, first.stderr
    new_part = first.stdout.split("new findings")[1].split("still open")[0]
    assert "GB-1" in new_part and "PV-2" not in new_part
    assert "PV-2" in first.stdout.split("still open")[1].split("fixed")[0]
    latest = run_cli("diff", "YP-2024-0457", "--db", str(db))        # the last two checks
    assert "GB-1" in latest.stdout.split("\nfixed")[1]
    assert "1 fixed, 0 new" in latest.stdout


# The batch's registry path on each backend (`db_url`: SQLite, then PostgreSQL). One test, not the
# module: `first_batch` (every sample) and the tests reading it stay on SQLite, as the suite is long
# and they test the checks rather than the database; this one runs what a backend must serve alike —
# a real `compliance batch` (worker processes, one transaction per outcome, an error row, a
# submission and its resubmission), then `history`, `diff` and `district` from the registry.
# (A rerun skipping what is stored runs on PostgreSQL in test_registry_postgres.py.)
def test_batch_then_history_diff_and_district_on_each_backend(db_url, tmp_path):
    from compliance.registry.store import Registry

    resubmitted = _resubmit(tmp_path, "v2", lambda t: t + "# resubmitted\n")
    batch = run_cli("batch", str(SAMPLES / "fail-office"), str(resubmitted), str(SAMPLES / "pass-school"),
                    str(SAMPLES / "error-not-ifc"), "--db", db_url, "-o", str(tmp_path / "out"), "--format", "json",
                    "--jobs", "2")
    assert batch.returncode == 2 and "Traceback" not in batch.stderr, batch.stderr

    registry = Registry(db_url, create=False)
    stored = registry.all()
    assert sorted((r.submission_id, r.outcome, r.verdict) for r in stored) == [
        ("YP-2024-0457", "verdict", "non_compliant"), ("YP-2024-0457", "verdict", "non_compliant"),
        ("YP-2025-0012", "verdict", "compliant"), ("YP-2025-0202", "error", None)]
    assert [r.error_file for r in stored if r.outcome == "error"] != [None]
    office = [r.id for r in registry.history("YP-2024-0457")]
    registry.close()
    hist = run_cli("history", "YP-2024-0457", "--db", db_url)
    assert hist.returncode == 0 and all(str(i) in hist.stdout for i in office), hist.stderr
    diff = run_cli("diff", "YP-2024-0457", "--db", db_url)
    assert diff.returncode == 0 and "0 fixed, 0 new" in diff.stdout, diff.stdout + diff.stderr
    district = run_cli("district", "--db", db_url, "-o", str(tmp_path / "district.json"))
    assert district.returncode == 0, district.stderr
    assert json.loads((tmp_path / "district.json").read_text(encoding="utf-8"))["targets"]


def test_unknown_submission_and_single_check_are_clear_errors(first_batch):
    db, _, _ = first_batch
    proc = run_cli("history", "YP-2025-001", "--db", str(db))
    assert proc.returncode == 2 and "no checks of submission 'YP-2025-001'" in proc.stderr
    assert "did you mean" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("diff", "YP-2025-0012", "--db", str(db))
    assert proc.returncode == 2 and "only one check" in proc.stderr


def test_a_registry_that_cannot_be_opened_is_one_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_cli("batch", str(SAMPLES / "pass-school"), "--db", str(blocker / "sub" / "registry.sqlite"),
                   "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and "cannot open the registry" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("history", "X", "--db", "nosuchdialect://x")
    assert proc.returncode == 2 and "cannot open the registry" in proc.stderr
    proc = run_cli("district", "--db", str(tmp_path / "typo.sqlite"))
    assert proc.returncode == 2 and "no registry here" in proc.stderr and "compliance batch" in proc.stderr
    assert not (tmp_path / "typo.sqlite").exists()


def test_a_sqlalchemy_url_is_accepted(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'by-url.sqlite'}"
    proc = run_cli("batch", str(SAMPLES / "pass-school"), "--db", url, "-o", str(tmp_path / "out"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert rows(tmp_path / "by-url.sqlite", "select submission_id, verdict from checks") == [("YP-2025-0012", "compliant")]
    proc = run_cli("history", "YP-2025-0012", "--db", url)
    assert proc.returncode == 0 and "compliant" in proc.stdout


def test_a_new_output_folder_gets_its_reports_without_new_rows(first_batch, tmp_path):
    db, _, _ = first_batch
    before = rows(db, "select id, key from checks order by id")
    proc = run_cli("batch", str(SAMPLES / "pass-school"), str(SAMPLES / "fail-office"), "--db", str(db),
                   "-o", str(tmp_path / "elsewhere"), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert rows(db, "select id, key from checks order by id") == before
    for sid in ("YP-2025-0012", "YP-2024-0457"):
        assert json.loads((tmp_path / "elsewhere" / f"{sid}.json").read_text(encoding="utf-8"))["submission"]["id"] == sid
    again = run_cli("batch", str(SAMPLES / "pass-school"), "--db", str(db), "-o", str(tmp_path / "elsewhere"),
                    "--format", "json")
    assert "1 already in the registry" in again.stdout
