"""The JSON verdict against its documented contract, docs/schemas/verdict.schema.json (the other
documents, and the versioning rule they share: test_json_contracts.py)."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator, FormatChecker

from compliance.report import json_report
from compliance.report.json_schema import verdict_schema

SCHEMA_FILE = ROOT / "docs" / "schemas" / "verdict.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def strict():
    """The same contract refusing keys it does not list: the writer writes no undocumented key."""
    return Draft202012Validator(verdict_schema(strict=True), format_checker=FormatChecker())


def test_committed_schema_is_the_records_schema():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == verdict_schema(), (
        "docs/schemas/verdict.schema.json is out of date: compliance schema --write-docs")


def test_every_sample_verdict_validates(sample_verdicts, validator, strict):
    assert len(sample_verdicts) >= 20
    for name, verdict in sample_verdicts.items():
        doc = json.loads(json_report.render(verdict))
        for v in (validator, strict):
            errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
            assert not errors, f"{name}: {errors[0].message} at {list(errors[0].path)}"
        assert doc["exit_code"] == verdict.exit_code and doc["verdict"] == verdict.verdict
        assert sum(doc["counts"].values()) == len(doc["results"]) == len(verdict.results)


def _broken(doc: dict, how: str) -> dict:
    doc = copy.deepcopy(doc)
    result = doc["results"][0]
    if how == "missing key":
        del result["status"]
    elif how == "unknown key":
        result["score"] = 1
    elif how == "bad status":
        result["status"] = "ok"
    elif how == "bad date":
        doc["as_of"] = "24/11/2026"
    elif how == "bad verdict":
        doc["verdict"] = "pass"
    elif how == "text missing a language":
        del result["title"]["en"]
    elif how == "exit code":
        doc["exit_code"] = 2
    return doc


@pytest.mark.parametrize("how", ["missing key", "bad status", "bad date", "bad verdict", "text missing a language",
                                 "exit code"])
def test_schema_refuses_a_broken_verdict(sample_verdicts, validator, how):
    doc = json.loads(json_report.render(sample_verdicts["fail-office"]))
    assert not list(validator.iter_errors(doc))
    assert list(validator.iter_errors(_broken(doc, how))), how


def test_an_unknown_key_is_a_later_minor_version_not_an_error(sample_verdicts, validator, strict):
    """Readers ignore keys they do not know (docs/json.md): the published schema takes a verdict with a
    key added anywhere; only the writer's own strict check refuses it."""
    doc = json.loads(json_report.render(sample_verdicts["fail-office"]))
    later = _broken(doc, "unknown key")
    later["schema_version"], later["reviewed_by_ai"] = "1.9", False
    assert not list(validator.iter_errors(later))
    assert list(strict.iter_errors(later))
    assert list(validator.iter_errors({**doc, "schema_version": "2.0"})), "another MAJOR is another contract"


def test_json_carries_both_languages_whatever_lang(sample_verdicts):
    verdict = sample_verdicts["fail-office"]
    assert json_report.render(verdict, "en") == json_report.render(verdict, "zh") == json_report.render(verdict)
    doc = json.loads(json_report.render(verdict))
    pv2 = next(r for r in doc["results"] if r["rule"] == "PV-2")
    assert pv2["status"] == "fail" and pv2["title"]["zh"] and pv2["title"]["en"]
    assert pv2["message_zh"] and pv2["message"]


def test_json_names_models_inputs_and_cited_elements(sample_verdicts):
    verdict = sample_verdicts["fail-office"]
    doc = json.loads(json_report.render(verdict))
    assert {m["file"] for m in doc["models"]} == {"architecture.ifc", "mep.ifc"}
    for m in doc["models"]:
        assert len(m["sha256"]) == 64 and m["element_counts"] and m["schema_name"].startswith("IFC")
    assert [f["role"] for f in doc["inputs"]] == ["metadata", "model", "model"]
    cited = {g for r in doc["results"] for e in r["evidence"] for g in e["global_ids"]}
    named = {e["global_id"]: e for e in doc["elements"]}
    assert cited <= set(named)
    pv2 = next(r for r in doc["results"] if r["rule"] == "PV-2")
    panels = [named[g] for e in pv2["evidence"] for g in e["global_ids"] if named[g]["ifc_class"] == "IfcSolarDevice"]
    assert len(panels) == 28 and all(p["name"].startswith("PV-") for p in panels)
