"""The formats for pipelines on every bundled sample: JUnit XML (against tests/data/junit.xsd and read
back by junitparser, a second reader) and SARIF 2.1.0 (against the SARIF 2.1.0 schema); neither
goes green on a submission that is not compliant (compliance/report/ci.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_samples_cli import run_cli

from compliance.report import ci, render

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def junit_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(DATA / "junit.xsd")))


def _junit(verdict, lang="both"):
    from lxml import etree

    return etree.fromstring(render("junit", verdict, lang))


def test_every_sample_as_junit_validates_and_is_red_unless_compliant(sample_verdicts, junit_schema):
    for name, verdict in sample_verdicts.items():
        for lang in ("both", "zh", "en"):
            root = _junit(verdict, lang)
            assert junit_schema.validate(root), f"{name} {lang}: {junit_schema.error_log.last_error}"
        (suite,) = root.findall("testsuite")
        cases = suite.findall("testcase")
        assert len(cases) == len(verdict.results) + 1 and cases[0].get("name") == "verdict"
        red = int(suite.get("failures")) + int(suite.get("errors"))
        assert (red > 0) == (verdict.verdict != "compliant"), name
        assert int(suite.get("tests")) == len(cases)
        for count, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            assert int(suite.get(count)) == len(suite.findall(f"testcase/{tag}")), (name, tag)
        verdict_case = cases[0]
        expected = {"compliant": None, "non_compliant": "failure", "incomplete": "error"}[verdict.verdict]
        assert [c.tag for c in verdict_case if c.tag != "system-out"] == ([expected] if expected else []), name


def test_a_missing_figure_that_blocks_is_an_error_never_a_skip(sample_verdicts):
    seen = set()
    for verdict in sample_verdicts.values():
        root = _junit(verdict, "en")
        by_rule = {c.get("name").split()[0].split("@")[0]: c for c in root.iter("testcase")}
        for r in verdict.results:
            case = by_rule[r.rule]
            tags = {c.tag for c in case} - {"system-out"}
            want = {ci.FAILURE: {"failure"}, ci.ERROR: {"error"}, ci.SKIPPED: {"skipped"}, ci.PASSED: set()}
            assert tags == want[ci.outcome(r)], (r.rule, r.status, r.blocks)
            if r.blocks and r.status in ("missing_data", "manual_review"):
                assert tags == {"error"}
                seen.add(r.status)
    assert seen == {"missing_data", "manual_review"}, "the samples cover both kinds of blocking gap"


def test_junitparser_reads_the_same_counts(sample_verdicts, tmp_path):
    from junitparser import Error, Failure, JUnitXml, Skipped

    for name, verdict in sample_verdicts.items():
        path = tmp_path / f"{name}.xml"
        path.write_bytes(render("junit", verdict, "en"))
        xml = JUnitXml.fromfile(str(path))
        (suite,) = list(xml)
        outcomes = {"failure": 0, "error": 0, "skipped": 0, "passed": 0}
        for case in suite:
            kinds = {type(x) for x in case.result}
            key = ("failure" if Failure in kinds else "error" if Error in kinds else "skipped" if Skipped in kinds
                   else "passed")
            outcomes[key] += 1
        assert suite.tests == sum(outcomes.values()) == len(verdict.results) + 1
        assert (suite.failures, suite.errors, suite.skipped) == (outcomes["failure"], outcomes["error"],
                                                                 outcomes["skipped"]), name
        assert suite.name.startswith(verdict.submission.id)


def test_junit_keeps_hostile_text_well_formed(sample_verdicts):
    from lxml import etree

    verdict = sample_verdicts["fail-office"]
    hostile = verdict.submission.model_copy(update={"name": "大楼\x1b[2J\u202e<x>&\x00\ufffe"})
    data = render("junit", verdict.model_copy(update={"submission": hostile}))
    root = etree.fromstring(data)                    # well-formed XML 1.0
    name = root.find("testsuite").get("name")
    assert "<x>&" in name and "\x1b" not in name and "\u202e" not in name and "[U+001B]" in name


# --------------------------------------------------------------------------- SARIF

@pytest.fixture(scope="module")
def sarif_validator():
    from sarif_schema import validator  # tests/sarif_schema.py: the official schema, where installed

    return validator()


def test_every_sample_as_sarif_validates_and_is_red_unless_compliant(sample_verdicts, sarif_validator):
    for name, verdict in sample_verdicts.items():
        for lang in ("both", "zh", "en"):
            doc = json.loads(render("sarif", verdict, lang))
            errors = sorted(sarif_validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
            assert not errors, f"{name} {lang}: {errors[0].message} at {list(errors[0].absolute_path)}"
        (run,) = doc["runs"]
        rules = run["tool"]["driver"]["rules"]
        assert [r["id"] for r in rules] == [r.rule for r in verdict.results]
        assert all(r["fullDescription"]["text"] and r["shortDescription"]["text"] for r in rules)
        errors = [x for x in run["results"] if x["level"] == "error"]
        assert bool(errors) == (verdict.verdict != "compliant"), name
        assert run["invocations"][0]["exitCode"] == verdict.exit_code
        for result in run["results"]:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"] and result["locations"]
            if result["kind"] != "fail":
                assert result["level"] == "none", result           # SARIF §3.27.9


def test_sarif_locations_name_the_yaml_line_and_the_elements(sample_verdicts):
    verdict = sample_verdicts["fail-office"]
    run = json.loads(render("sarif", verdict, "en"))["runs"][0]
    pv2 = next(x for x in run["results"] if x["ruleId"] == "PV-2")
    assert pv2["kind"] == "fail" and pv2["level"] == "error" and pv2["properties"]["status"] == "fail"
    files = {loc["physicalLocation"]["artifactLocation"]["uri"] for loc in pv2["locations"]}
    assert {"architecture.ifc", "mep.ifc"} <= files
    panels = [g for loc in pv2["locations"] for g in loc.get("logicalLocations", ())
              if g.get("properties", {}).get("ifcClass") == "IfcSolarDevice"]
    assert len(panels) == 28 and all(p["kind"] == "object" for p in panels)
    lines = [loc["physicalLocation"]["region"]["startLine"] for x in run["results"] for loc in x["locations"]
             if loc["physicalLocation"]["artifactLocation"]["uri"] == "submission.yaml"
             and "region" in loc["physicalLocation"]]
    assert lines and all(n >= 1 for n in lines)
    assert {a["location"]["uri"] for a in run["artifacts"]} == {"submission.yaml", "architecture.ifc", "mep.ifc"}


def test_junit_and_sarif_through_the_cli(tmp_path):
    from conftest import SAMPLES

    proc = run_cli("check", str(SAMPLES / "fail-office"), "--format", "junit,sarif", "-o", f"{tmp_path}/")
    assert proc.returncode == 1, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["YP-2024-0457.sarif", "YP-2024-0457.xml"]
    proc = run_cli("check", str(SAMPLES / "fail-office"), "-o", str(tmp_path / "scan.sarif.json"))
    assert proc.returncode == 1 and json.loads((tmp_path / "scan.sarif.json").read_text())["version"] == "2.1.0"
    proc = run_cli("check", str(SAMPLES / "pass-school"), "--format", "junit", "-o", "-")
    assert proc.returncode == 0 and proc.stdout.startswith("<?xml") and not (SAMPLES.parent / "-").exists()


def test_the_two_schemas_refuse_a_broken_report(sample_verdicts, junit_schema, sarif_validator):
    """They are not vacuous: a wrong level, a URI with a space, a time that is not one, an attribute
    no JUnit reader knows are each refused."""
    verdict = sample_verdicts["fail-office"]
    doc = json.loads(render("sarif", verdict))
    for path, value in ((("results", 0, "level"), "fatal"), (("invocations", 0, "endTimeUtc"), "yesterday"),
                        (("artifacts", 0, "location", "uri"), "sub mission.yaml")):
        broken = json.loads(json.dumps(doc))
        node = broken["runs"][0]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        assert list(sarif_validator.iter_errors(broken)), path
    root = _junit(verdict)
    root.find("testsuite").set("score", "1")
    assert not junit_schema.validate(root)


def test_sarif_shows_hostile_text_as_text(sample_verdicts, sarif_validator):
    verdict = sample_verdicts["fail-office"]
    hostile = verdict.submission.model_copy(update={"name": "大楼\x1b]8;;file:///etc/passwd\x07x\u202e\x9b31m"})
    data = render("sarif", verdict.model_copy(update={"submission": hostile}))
    for raw in (b"\x1b", b"\x07", "\u202e".encode(), "\x9b".encode(), b"\\u001b", b"\\u202e"):
        assert raw not in data, raw
    doc = json.loads(data)
    assert not list(sarif_validator.iter_errors(doc))
    assert doc["runs"][0]["properties"]["name"] == "大楼[U+001B]]8;;file:///etc/passwd[U+0007]x[U+202E][U+009B]31m"
