"""Every bundled sample through the real CLI: the folder name states the expected outcome
(pass- compliant, fail- non_compliant, incomplete- incomplete, na- compliant with every rule not
applicable or passing, error- the model cannot be read: exit 2 and one message naming it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SAMPLES

EXPECTED = {"pass": ("compliant", 0), "fail": ("non_compliant", 1), "incomplete": ("incomplete", 3),
            "na": ("compliant", 0), "error": (None, 2)}
SAMPLE_DIRS = sorted(p for p in SAMPLES.iterdir() if (p / "submission.yaml").is_file())
CHECKED_DIRS = [p for p in SAMPLE_DIRS if EXPECTED[p.name.split("-")[0]][0] is not None]
CLI = [sys.executable, "-c", "import cli; cli.main()"]
RULE_IDS = sorted(p.stem for p in (ROOT / "rules").glob("*.yaml") if not p.name.startswith("_"))
ROOF_PV_RULES = {"PV-1", "PV-2", "PV-3"}


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(CLI + list(args), cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def test_there_are_samples_of_each_outcome():
    prefixes = {p.name.split("-")[0] for p in SAMPLE_DIRS}
    assert {"pass", "fail", "incomplete", "na", "error"} <= prefixes
    assert prefixes <= set(EXPECTED), f"unknown sample prefixes: {prefixes - set(EXPECTED)}"


@pytest.mark.parametrize("sample", SAMPLE_DIRS, ids=lambda p: p.name)
def test_sample_verdict_and_exit_code(sample):
    verdict, code = EXPECTED[sample.name.split("-")[0]]
    proc = run_cli("check", str(sample), "--format", "json")
    assert proc.returncode == code, proc.stderr
    if verdict is None:
        assert_one_error_naming_the_model(sample, proc)
        return
    data = json.loads(proc.stdout)
    assert data["verdict"] == verdict
    assert data["submission"]["id"] and data["submission"]["name"]
    assert data["rules_version"].startswith("sha256:") and data["as_of"]
    statuses = {r["rule"]: r["status"] for r in data["results"]}
    assert set(statuses) == set(RULE_IDS)
    for r in data["results"]:
        assert {"rule", "status", "kind", "measured", "threshold", "unit", "message", "evidence"} <= set(r)
        assert r["rule_version"].startswith(r["rule"] + "@")
        for ev in r["evidence"]:
            assert ev["source"] in ("ifc", "metadata") and ev["file"]
    if sample.name.startswith("na-"):
        assert set(statuses.values()) <= {"not_applicable", "pass"}, statuses
    for r in data["results"]:
        if r["rule"] in ROOF_PV_RULES and r["status"] in ("pass", "fail"):
            ids = [g for ev in r["evidence"] for g in ev["global_ids"]]
            assert ids, f"a decided rooftop PV rule ({r['rule']}) must cite the model elements"


def assert_one_error_naming_the_model(sample: Path, proc: subprocess.CompletedProcess) -> None:
    """A model the checker cannot read: no verdict on stdout (with --format json, the JSON error object
    naming the model: docs/json.md), one `error:` line naming the file."""
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.stdout:
        data = json.loads(proc.stdout)
        assert "verdict" not in data, f"a verdict was printed for an unreadable model: {proc.stdout[:200]}"
        assert data["exit_code"] == 2 and data["error"]["kind"] == "input error", data
        assert data["error"]["file"] and data["error"]["file"] in proc.stderr, data
    lines = proc.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert all(line.startswith("error:") or line.startswith("  hint:") for line in lines), proc.stderr
    models = yaml.safe_load((sample / "submission.yaml").read_text(encoding="utf-8"))["models"]
    assert any(str(sample / model) in errors[0] for model in models), errors[0]


def test_statuses_across_samples_cover_every_status():
    seen = set()
    for sample in CHECKED_DIRS:
        data = json.loads(run_cli("check", str(sample), "--format", "json").stdout)
        seen |= {r["status"] for r in data["results"]}
    assert seen == {"pass", "fail", "not_applicable", "missing_data", "manual_review"}


def test_boundary_sample_is_exactly_fifty_percent():
    data = json.loads(run_cli("check", str(SAMPLES / "pass-boundary-school"), "--format", "json").stdout)
    pv1 = next(r for r in data["results"] if r["rule"] == "PV-1")
    assert pv1["status"] == "pass" and pv1["measured"] == 50.0 and pv1["threshold"] == 50.0


def test_text_summary_names_verdict_and_rules():
    proc = run_cli("check", str(SAMPLES / "fail-office"))
    assert proc.returncode == 1
    assert "NON-COMPLIANT" in proc.stdout and "PV-2@1" in proc.stdout and "What to do" in proc.stdout
    assert "FAIL  PV-2@1" in proc.stdout and "PASS  EV-3@" in proc.stdout
    na_line = next(line for line in proc.stdout.splitlines() if "rules do not apply" in line)
    assert "PV-1" in na_line and "PV-2" not in na_line.split(":", 1)[1].split(",")


def test_as_of_before_the_plan_makes_rules_not_applicable():
    proc = run_cli("check", str(SAMPLES / "fail-office"), "--format", "json", "--as-of", "2021-06-30")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["as_of"] == "2021-06-30"
    assert {r["status"] for r in data["results"]} == {"not_applicable"}


def test_pdf_written_atomically_with_verdict_on_stderr(tmp_path):
    out = tmp_path / "sub" / "verdict.pdf"
    proc = run_cli("check", str(SAMPLES / "pass-school"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF") and "compliant" in proc.stderr
    assert [p.name for p in out.parent.iterdir()] == ["verdict.pdf"]
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("杨浦区某小学新建教学楼", "合规", "COMPLIANT", "PV-1@", "PV-2@1", "三(一)1", "52.52 %"):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert any("WenQuanYi" in line and " yes " in line for line in fonts.splitlines()), fonts


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: (d / "submission.yaml").write_text("id: [", encoding="utf-8"), "submission.yaml:1"),
    (lambda d: next(d.glob("*.ifc")).write_bytes(b"garbage"), "not a readable IFC model"),
    (lambda d: next(d.glob("*.ifc")).unlink(), "does not exist"),
])
def test_bad_input_is_one_clear_error_with_exit_2(tmp_path, mutate, expected):
    folder = tmp_path / "sub"
    shutil.copytree(SAMPLES / "pass-school", folder)
    mutate(folder)
    proc = run_cli("check", str(folder))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and expected in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_broken_rule_file_is_one_clear_error(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "PV-2.yaml").write_text((rules / "PV-2.yaml").read_text(encoding="utf-8").replace("op: \">=\"", "op: gte"),
                                     encoding="utf-8")
    proc = run_cli("check", str(SAMPLES / "pass-school"), "--rules", str(rules))
    assert proc.returncode == 2 and "PV-2.yaml:" in proc.stderr and "requires.op" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_exit_2():
    assert run_cli("check").returncode == 2
    assert run_cli("check", str(SAMPLES / "pass-school"), "--format", "docx").returncode == 2
    assert run_cli("check", str(SAMPLES / "nope")).returncode == 2


def test_rules_list():
    proc = run_cli("rules", "list")
    assert proc.returncode == 0 and "PV-1@" in proc.stdout and "PV-2@1" in proc.stdout


def test_an_output_ending_in_a_slash_is_a_new_folder(tmp_path):
    """`-o out/` for a folder that does not exist yet: the reports go into it (pdf and json by
    default), not into a file named `out`."""
    target = tmp_path / "new-folder"
    proc = run_cli("check", str(SAMPLES / "pass-school"), "-o", f"{target}/")
    assert proc.returncode == 0, proc.stderr
    assert target.is_dir(), f"wrote a file: {proc.stderr}"
    assert sorted(p.suffix for p in target.iterdir()) == [".json", ".pdf"]
