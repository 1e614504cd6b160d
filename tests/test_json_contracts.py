"""Every JSON document the checker writes against its published JSON Schema (docs/schemas/), with
format checking on; the one versioning rule (compliance/report/versioning.py, docs/json.md); the
published files equal to what the code generates; the JSON error object of each command."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SAMPLES
from jsonschema import Draft202012Validator
from test_samples_cli import run_cli

from compliance.report import schema_docs
from compliance.report.versioning import CONTRACTS, parse_version

FORMATS = Draft202012Validator.FORMAT_CHECKER


def published(name: str) -> Draft202012Validator:
    schema = json.loads((schema_docs.SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMATS)


def strict(name: str) -> Draft202012Validator:
    """The same contract refusing keys it does not list: the writer writes only documented keys."""
    import importlib

    module, function = CONTRACTS[name].builder.split(":")
    return Draft202012Validator(getattr(importlib.import_module(module), function)(strict=True), format_checker=FORMATS)


def assert_valid(name: str, doc: dict, where: str = "") -> None:
    assert doc["$schema"] == CONTRACTS[name].uri and doc["schema_version"] == CONTRACTS[name].version, where
    for validator in (published(name), strict(name)):
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        assert not errors, f"{where or name}: {errors[0].message} at {list(errors[0].absolute_path)}"


# --------------------------------------------------------------------------- the rule, the published files

def test_published_schemas_and_the_table_are_what_the_code_generates():
    assert not schema_docs.stale(), "docs/schemas or docs/json.md is out of date: compliance schema --write-docs"
    assert sorted(p.stem.removesuffix(".schema") for p in schema_docs.SCHEMAS.glob("*.json")) == sorted(CONTRACTS)


def test_format_checking_is_really_on():
    """jsonschema checks date-time only with rfc3339-validator installed (the test extras): without it a
    wrong timestamp would pass silently."""
    for fmt, bad in (("date-time", "2024-11-05 25:00"), ("date", "2024-13-45")):
        assert not FORMATS.conforms(bad, fmt), fmt
    assert FORMATS.conforms("2024-11-05T08:30:00Z", "date-time")


def test_one_version_rule_for_every_contract():
    for c in CONTRACTS.values():
        assert parse_version(c.version) == (c.major, c.minor) and c.version.count(".") == 1, c.name
        schema = c.schema()
        assert schema["$id"] == c.uri and schema["properties"]["$schema"] == {**schema["properties"]["$schema"],
                                                                              "const": c.uri}
        assert "additionalProperties" not in schema, f"{c.name}: a later MINOR's keys must validate"
        validator = Draft202012Validator(schema["properties"]["schema_version"])
        assert validator.is_valid(c.version) and validator.is_valid(f"{c.major}.{c.minor + 7}")
        assert not validator.is_valid(f"{c.major + 1}.0") and not validator.is_valid(str(c.major))
    assert parse_version("1") == (1, 0) and parse_version("1.01") is None and parse_version(1) is None


def test_a_stored_verdict_of_each_version_form(sample_verdicts):
    from compliance.report.json_report import load_verdict, to_dict

    verdict = sample_verdicts["fail-office"]
    doc = to_dict(verdict)
    legacy = {k: v for k, v in doc.items() if k != "$schema"} | {"schema_version": "1"}   # stored before 1.1
    assert load_verdict(legacy) == load_verdict(doc) == verdict
    assert load_verdict({**doc, "schema_version": "1.0"}) == verdict
    for refused in ({**doc, "schema_version": "1.2"}, {**doc, "schema_version": "2.0"},
                    {**doc, "$schema": CONTRACTS["facts"].uri}):
        with pytest.raises(ValueError):
            load_verdict(refused)


# --------------------------------------------------------------------------- real outputs

def test_every_sample_verdict_and_its_facts(sample_verdicts):
    from conftest import RULES

    from compliance.context import RunContext
    from compliance.read.model import read_model
    from compliance.report import render, render_facts

    for name, verdict in sample_verdicts.items():
        assert_valid("verdict", json.loads(render("json", verdict)), name)
    ctx = RunContext(rules_dir=RULES)
    models = sorted(SAMPLES.glob("*/*.ifc"))
    readable = []
    for path in models:
        try:
            readable.append(read_model(path, ctx))
        except Exception:  # noqa: BLE001 — the error- samples
            assert path.parent.name.startswith("error-"), path
    assert len(readable) >= 30
    assert_valid("facts", json.loads(render_facts("json", readable)))


def test_extract_json_through_the_cli():
    proc = run_cli("extract", str(SAMPLES / "fail-office"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert_valid("facts", json.loads(proc.stdout))


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    """A batch over three samples (one broken) into a fresh registry; then recheck and district on it."""
    base = tmp_path_factory.mktemp("contracts")
    inbox, out, db = base / "inbox", base / "out", base / "registry.sqlite"
    for name in ("pass-school", "fail-office", "error-not-ifc"):
        shutil.copytree(SAMPLES / name, inbox / name)
    batch = run_cli("batch", str(inbox), "-o", str(out), "--db", str(db), "--jobs", "1")
    recheck = run_cli("recheck", "--db", str(db), "--json", str(base / "recheck.json"), "--jobs", "1")
    return base, batch, recheck, db


def test_batch_summary_and_the_reports_it_writes(batch_run):
    base, batch, _, _ = batch_run
    assert batch.returncode == 2, batch.stderr           # the broken sample
    summary = json.loads((base / "out" / "batch-summary.json").read_text(encoding="utf-8"))
    assert_valid("batch-summary", summary)
    assert [r["status"] for r in summary["rows"]] == ["error", "checked", "checked"]
    for report in (base / "out").glob("YP-*.json"):
        assert_valid("verdict", json.loads(report.read_text(encoding="utf-8")), report.name)


def test_recheck_json(batch_run):
    base, _, recheck, db = batch_run
    assert recheck.returncode in (0, 2), recheck.stderr
    doc = json.loads((base / "recheck.json").read_text(encoding="utf-8"))
    assert_valid("recheck", doc)
    assert doc["filings"] and all(f["check_id"] >= 1 for f in doc["filings"])
    piped = run_cli("recheck", "--db", str(db), "--json", "-", "--jobs", "1")
    assert piped.returncode == recheck.returncode, piped.stderr
    assert json.loads(piped.stdout)["filings"] == doc["filings"], "standard output is the JSON alone"
    assert "filing(s) in" in piped.stderr, "the table goes to standard error"


@pytest.mark.parametrize("lang", ["both", "zh", "en"])
def test_district_json(batch_run, lang):
    _, _, _, db = batch_run
    proc = run_cli("district", "--db", str(db), "--format", "json", "-o", "-", "--lang", lang)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert_valid("district-report", doc, lang)
    assert doc["schema"] == "district-report/2"


@pytest.fixture(scope="module")
def district_report():
    """A district report with counted and uncounted submissions, findings and labels (the district
    renderer's own test report)."""
    from conftest import RULES
    from test_district_render import _report

    from compliance.district.targets import load_targets
    from compliance.ruleset.loader import load_ruleset

    settings = load_ruleset(RULES).settings
    uses = {u: list(s.groups) for u, s in settings.uses.items()}
    targets, _, version = load_targets(RULES, uses)
    return _report((uses, targets, version, {u: s.label for u, s in settings.uses.items()}))


@pytest.mark.parametrize("lang", ["both", "zh", "en"])
def test_a_full_district_report_validates(district_report, lang):
    from compliance.district.render import render

    assert district_report.targets and any(t.contributions for t in district_report.targets)
    assert_valid("district-report", json.loads(render("json", district_report, lang)), lang)


# --------------------------------------------------------------------------- the error object

def _error(doc: dict, kind: str | None = None) -> dict:
    assert_valid("error", doc)
    assert doc["exit_code"] == 2 and (kind is None or doc["error"]["kind"] == kind), doc
    return doc["error"]


def test_check_writes_the_error_object_where_the_verdict_would_go(tmp_path):
    proc = run_cli("check", str(SAMPLES / "error-truncated-model"), "--format", "json")
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")
    error = _error(json.loads(proc.stdout), "input error")
    assert error["file"].endswith("architecture.ifc") and error["hint"] and error["file"] not in error["message"]
    stale = tmp_path / "v.json"
    stale.write_text('{"verdict": "compliant"}', encoding="utf-8")          # an earlier run's verdict
    rules = tmp_path / "rules"
    shutil.copytree(SAMPLES.parent / "rules", rules)
    (rules / "PV-2.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    proc = run_cli("check", str(SAMPLES / "pass-school"), "--rules", str(rules), "-o", str(stale))
    assert proc.returncode == 2 and proc.stdout == "" and "PV-2.yaml" in proc.stderr
    error = _error(json.loads(stale.read_text(encoding="utf-8")), "rule file error")
    assert error["file"].endswith("PV-2.yaml") and error["line"] == 1
    proc = run_cli("check", str(tmp_path / "nowhere"), "-o", str(tmp_path / "no-folder" / "v.json"))
    assert proc.returncode == 2 and not (tmp_path / "no-folder").exists(), "an error makes no folder"


def test_a_text_check_prints_no_json(tmp_path):
    proc = run_cli("check", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.startswith("error: ")


def test_extract_district_recheck_report_and_batch_error_objects(tmp_path, batch_run):
    _, _, _, db = batch_run
    bad = tmp_path / "model.ifc"
    bad.write_bytes(b"%PDF-1.4 not a model\n")
    proc = run_cli("extract", str(bad), "--format", "json")
    assert proc.returncode == 2 and _error(json.loads(proc.stdout), "input error")["file"] == str(bad)
    missing = tmp_path / "none" / "registry.sqlite"
    for args in (["district", "--db", str(missing), "--format", "json", "-o", "-"],
                 ["recheck", "--db", str(missing), "--json", "-"],
                 ["report", "999", "--db", str(db), "--format", "json"]):
        proc = run_cli(*args)
        assert proc.returncode == 2 and proc.stderr.startswith("error: "), (args, proc.stderr)
        assert _error(json.loads(proc.stdout))["message"], args
    out = tmp_path / "verdicts"
    out.mkdir()
    (out / "batch-summary.json").write_text('{"rows": []}', encoding="utf-8")     # an earlier run's summary
    proc = run_cli("batch", str(tmp_path / "no-such-folder"), "-o", str(out), "--db", str(tmp_path / "r.sqlite"))
    assert proc.returncode == 2
    assert "folder not found" in _error(json.loads((out / "batch-summary.json").read_text(encoding="utf-8")))["message"]
