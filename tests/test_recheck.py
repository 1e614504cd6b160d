"""`compliance recheck`: the registry's filings evaluated again from their stored facts (no IFC
opened), checked against the same filings checked from their files; the facts store's keys (reader
identity) and the check's key naming the build.

The filings are bundled samples and realistic exports of the real models in ../shared/ifc
(tests/realistic), filed by a real `compliance batch`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import RULES, SAMPLES
from realistic import VARIANTS
from test_samples_cli import run_cli

SAMPLE_NAMES = ("pass-school", "fail-office", "incomplete-panels-off-roof", "na-residential", "pass-data-centre")
REALISTIC = ("pass-office-cn-pv-module-35pct", "review-office-parking-zone-600m2", "fail-school-roof-by-revit-type-name",
             "missing-control-office-a-untouched")


def _without_time(verdict: dict) -> dict:
    return {k: v for k, v in verdict.items() if k != "generated_at"}


def _rules_with_pv2(tmp: Path, value: int) -> Path:
    rules = tmp / f"rules-pv2-{value}"
    shutil.copytree(RULES, rules)
    pv2 = rules / "PV-2.yaml"
    text = pv2.read_text(encoding="utf-8")
    assert text.count("  value: 30\n") == 1, "PV-2.yaml no longer writes its threshold this way: update the test"
    pv2.write_text(text.replace("  value: 30\n", f"  value: {value}\n"), encoding="utf-8")
    return rules


@pytest.fixture(scope="module")
def filed(tmp_path_factory, shared_ifc_dir):
    """A registry holding a batch of samples and realistic exports (their facts stored with them)."""
    base = tmp_path_factory.mktemp("recheck")
    inbox = base / "inbox"
    for name in SAMPLE_NAMES:
        shutil.copytree(SAMPLES / name, inbox / name)
    for name in REALISTIC:
        VARIANTS[name](shared_ifc_dir, inbox)
    db = base / "registry.sqlite"
    proc = run_cli("batch", str(inbox), "--db", str(db), "-o", str(base / "out"), "--format", "json", "--jobs", "2")
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    return base, inbox, db


def _copy_registry(filed, tmp_path) -> Path:
    _, _, db = filed
    copy = tmp_path / "registry.sqlite"
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    return copy


def _recheck(db: Path, *args: str):
    out = db.parent / "recheck.json"
    proc = run_cli("recheck", "--db", str(db), "--json", str(out), "--jobs", "2", *args)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc, (json.loads(out.read_text(encoding="utf-8")) if out.is_file() else None)


def test_the_batch_stores_every_models_facts_and_metadata(filed):
    _, inbox, db = filed
    with sqlite3.connect(db) as conn:
        models = {name for (name,) in conn.execute("select file from model_facts")}
        texts = conn.execute("select count(*) from input_texts").fetchone()[0]
        tools = {t for (t,) in conn.execute("select distinct tool_version from checks")}
    listed = {p.name for p in inbox.rglob("*.ifc")}
    assert listed <= models
    assert texts == len(SAMPLE_NAMES) + len(REALISTIC)
    from compliance.build import build_identity

    assert tools == {build_identity()}, "every check names the build that made it"


def test_a_recheck_with_the_same_rules_gives_every_stored_verdict_again_from_facts(filed, tmp_path):
    """The strongest equality there is: the whole JSON verdict re-made from facts equals the one made
    from the files, for every filing, real models included."""
    from compliance.batch.recheck import RecheckRun
    from compliance.evaluate.results import Verdict
    from compliance.registry.store import Registry
    from compliance.report.json_report import render

    registry = Registry(_copy_registry(filed, tmp_path))
    job = RecheckRun(registry, RULES, jobs=1, store=True)      # store: the workers send each verdict whole
    verdicts = {}
    compare = job._compare
    job._compare = lambda row, filing, result: (verdicts.__setitem__(row.id, Verdict.model_validate_json(
        result.verdict_json)), compare(row, filing, result))[1]
    rows = job.run()
    assert len(rows) == len(SAMPLE_NAMES) + len(REALISTIC)
    assert job.stats["from_facts"] == len(rows) and job.stats["from_files"] == 0
    assert not any(r.flipped or r.error for r in rows)
    assert job.stats["stored"] == 0                 # the same rules and build: the same checks, kept once
    for check_id, verdict in verdicts.items():
        assert _without_time(json.loads(render(verdict))) == _without_time(registry.stored_json(check_id)), check_id


def test_a_rule_change_flips_the_same_verdicts_as_checking_the_files_again(filed, tmp_path):
    base, inbox, _ = filed
    db = _copy_registry(filed, tmp_path)
    rules = _rules_with_pv2(tmp_path, 15)
    proc, report = _recheck(db, "--rules", str(rules))
    assert proc.returncode == 1, proc.stdout + proc.stderr            # some verdicts flip
    flipped = {f["submission"]: f for f in report["filings"] if f["flipped"]}
    assert flipped, "PV-2 at 15 % flips the office that fails it at 30 %"
    assert all(any(c[0] == "PV-2" for c in f["changed_rules"]) for f in flipped.values())
    assert report["from_facts"] == len(report["filings"])
    assert "verdicts that flip" in proc.stdout

    # the same folders checked from their files with the new rules: the same outcome, rule by rule
    fresh = tmp_path / "fresh.sqlite"
    run_cli("batch", str(inbox), "--db", str(fresh), "--rules", str(rules), "-o", str(tmp_path / "fresh"),
            "--format", "json", "--jobs", "2")
    with sqlite3.connect(fresh) as conn:
        expected = {sid: verdict for sid, verdict in conn.execute("select submission_id, verdict from checks")}
    assert {f["submission"]: f["new_verdict"] for f in report["filings"]} == expected

    proc, _ = _recheck(db, "--rules", str(rules), "--store")
    from compliance.registry.store import Registry

    latest = {r.submission_id: r.verdict for r in Registry(db).latest()}
    assert latest == expected, "--store makes the re-checks the filings' latest checks"


def test_filings_whose_folders_are_gone_are_rechecked_from_facts_and_without_facts_are_named(filed, tmp_path):
    base, inbox, _ = filed
    db = _copy_registry(filed, tmp_path)
    moved = tmp_path / "moved"
    shutil.copytree(inbox, moved)
    from compliance.registry.store import Registry

    rows = Registry(db).latest()
    gone = tmp_path / "gone"
    with sqlite3.connect(db) as conn:            # the folders as if removed by `compliance gc`
        conn.execute("update checks set folder = ? || '/' || submission_id", (str(gone),))
    proc, report = _recheck(db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report["from_facts"] == len(rows)

    with sqlite3.connect(db) as conn:
        conn.execute("delete from model_facts where file like '%.ifc' and rowid = (select min(rowid) from model_facts)")
    proc, report = _recheck(db)
    assert proc.returncode == 2
    lost = [f for f in report["filings"] if f["new_verdict"] is None]
    assert len(lost) == 1 and "facts are not stored" in lost[0]["error"] and str(gone) in lost[0]["error"]
    assert f"not re-checked: {lost[0]['submission']}" in proc.stdout.replace("\n", " ")


def test_without_facts_a_filing_whose_files_are_unchanged_is_checked_from_them_and_its_facts_kept(filed, tmp_path):
    db = _copy_registry(filed, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("delete from model_facts")
    proc, report = _recheck(db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report["from_files"] == len(report["filings"]) and report["from_facts"] == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from model_facts").fetchone()[0] > 0
    _, again = _recheck(db)
    assert again["from_facts"] == len(again["filings"])


def test_facts_read_under_other_conventions_are_not_used(filed, tmp_path):
    """The recognition conventions are part of the reader: facts read under others are a miss."""
    db = _copy_registry(filed, tmp_path)
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    conventions = rules / "_conventions.yaml"
    conventions.write_text(conventions.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    proc, report = _recheck(db, "--rules", str(rules))
    assert report["from_facts"] == 0 and report["from_files"] == len(report["filings"]), proc.stdout


def test_where_narrows_the_filings_and_a_bad_where_is_one_clear_error(filed, tmp_path):
    db = _copy_registry(filed, tmp_path)
    proc, report = _recheck(db, "--where", "submission=YP-*", "--where", "use=public_office")
    assert report["filings"] and all(f["submission"].startswith("YP-") for f in report["filings"])
    total = len(_recheck(db)[1]["filings"])
    assert len(report["filings"]) < total
    proc = run_cli("recheck", "--db", str(db), "--where", "colour=red")
    assert proc.returncode == 2 and "KEY=VALUE" in proc.stderr and "Traceback" not in proc.stderr


def test_the_build_identity_changes_with_verdict_code_and_not_with_presentation(tmp_path):
    from compliance.build import PACKAGE, READER_CODE, VERDICT_CODE, code_hash

    copy = tmp_path / "compliance"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    before, reader = code_hash(copy, VERDICT_CODE), code_hash(copy, READER_CODE)
    (copy / "report" / "text.py").write_text("# a report change\n", encoding="utf-8")
    assert code_hash(copy, VERDICT_CODE) == before
    (copy / "evaluate" / "engine.py").write_text((copy / "evaluate" / "engine.py").read_text() + "\n# fix\n")
    assert code_hash(copy, VERDICT_CODE) != before and code_hash(copy, READER_CODE) == reader
    (copy / "read" / "units.py").write_text((copy / "read" / "units.py").read_text() + "\n# fix\n")
    assert code_hash(copy, READER_CODE) != reader


def test_a_checks_key_names_the_build():
    from compliance.registry.keys import check_key

    assert check_key("in", "rules", None, "0.1.0+aaaa") != check_key("in", "rules", None, "0.1.0+bbbb")


def test_batch_recheck_serves_stored_facts_and_gives_what_reading_the_files_gives(filed, tmp_path):
    base, inbox, _ = filed
    db = _copy_registry(filed, tmp_path)
    rules = _rules_with_pv2(tmp_path, 15)
    out = tmp_path / "out"
    proc = run_cli("batch", str(inbox), "--db", str(db), "--rules", str(rules), "-o", str(out), "--recheck",
                   "--jobs", "2")
    assert proc.returncode in (0, 1, 3) and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    summary = json.loads((out / "batch-summary.json").read_text(encoding="utf-8"))
    models = len(list(inbox.rglob("*.ifc")))
    assert sum(r["models_from_facts"] for r in summary["rows"]) == models, "every model served from its facts"
    assert f"{models} model(s) from stored facts" in proc.stdout.replace("\n", " ")
    assert not list(out.glob("*.pdf")), "JSON by default at batch scale; PDFs on demand"

    fresh = tmp_path / "fresh"
    run_cli("batch", str(inbox), "--db", str(tmp_path / "fresh.sqlite"), "--rules", str(rules), "-o", str(fresh),
            "--jobs", "2")
    for report in fresh.glob("*.json"):
        if report.name == "batch-summary.json":
            continue
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (report, out / report.name))
        assert _without_time(a) == _without_time(b), report.name


@pytest.mark.parametrize("parts", ["VERDICT_CODE", "READER_CODE"])
def test_every_module_the_hashed_code_imports_is_hashed_too(parts):
    """A module the verdict (or reader) code imports but the build hash leaves out would let a fix
    to it serve old verdicts (old facts): each import is hashed, or named as not shaping."""
    import ast

    from compliance import build

    hashed = getattr(build, parts)
    names = {p.removesuffix(".py") for p in hashed}
    files = [f for p in hashed for f in ((build.PACKAGE / p).rglob("*.py") if (build.PACKAGE / p).is_dir()
                                         else [build.PACKAGE / p])]
    missing = set()
    for file in files:
        depth = len(file.relative_to(build.PACKAGE).parts)      # 1: compliance/x.py, 2: compliance/pkg/x.py
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == depth and node.module:
                top = node.module.split(".")[0]
                if top not in names and top not in build.NOT_SHAPING:
                    missing.add(f"{file.relative_to(build.PACKAGE)} imports {top}")
    if parts == "READER_CODE":
        missing = {m for m in missing if not m.endswith("imports pipeline")}
    assert not missing, sorted(missing)
