"""The bad-input corpus (tests/bad_inputs/, built by tests/bad_inputs.py) through the real CLI.

Each case states what `compliance check` must answer: for input it cannot judge, exit 2 and one
message naming the file (and line) and what to do, never a traceback; for input it can judge
(an encoding it reads, a broken element), the verdict, the rules' statuses and the notes that
say why a figure is uncertain. Then the whole corpus as one batch: no case stops the others.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bad_inputs import ROOT, build, cases

CLI = [sys.executable, "-c", "import cli; cli.main()"]


def run_cli(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(CLI + list(args), cwd=ROOT, capture_output=True, text=True, env=env, timeout=timeout)


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_bad_input_gets_its_clear_answer(case, tmp_path):
    built = build(case, tmp_path)
    expect = built.expect
    assert expect, f"{case.name}: case.yaml has no 'expect'"
    proc = run_cli("check", str(built.folder), "--format", "json", *built.args)
    codes = expect["exit"] if isinstance(expect["exit"], list) else [expect["exit"]]
    assert proc.returncode in codes, f"{built.about}\nexit {proc.returncode}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert_one_located_message(proc.stderr, tmp_path, expect)
    else:
        assert_verdict(json.loads(proc.stdout), expect)


def assert_one_located_message(stderr: str, tmp: Path, expect: dict) -> None:
    lines = stderr.strip().splitlines()
    assert lines and lines[0].startswith("error: "), stderr
    assert len([line for line in lines if line.startswith("error: ")]) == 1, stderr
    where = str(tmp / expect["file"]) + (f":{expect['line']}: " if "line" in expect else ": ")
    assert lines[0].startswith(f"error: {where}"), f"expected the message to start at {where}\n{stderr}"
    assert re.search(expect["error"], lines[0]), stderr
    assert len(lines) == 2 and lines[1].startswith("  hint: "), f"one message and one hint: {stderr}"
    if "hint" in expect:
        assert re.search(expect["hint"], lines[1]), stderr


def assert_verdict(data: dict, expect: dict) -> None:
    if "verdict" in expect:
        assert data["verdict"] == expect["verdict"], [(r["rule"], r["status"]) for r in data["results"]]
    statuses = {r["rule"]: r["status"] for r in data["results"]}
    for rule, status in (expect.get("statuses") or {}).items():
        assert statuses[rule] == status, (rule, statuses[rule], [r["message"] for r in data["results"] if r["rule"] == rule])
    codes = {n["code"] for n in data["notes"]}
    for code in expect.get("notes") or ():
        assert code in codes, (code, codes)


def test_a_batch_of_the_whole_corpus_checks_every_case(tmp_path):
    """Every case in one folder, checked by one batch: each gets its own row (an error row with
    its message, or a verdict), and a case that breaks, hangs or crashes stops no other."""
    root, outside = tmp_path / "all", tmp_path / "outside"
    shutil.copytree(ROOT / "ifc_samples" / "pass-school", outside)
    expected = {}
    for case in cases():
        built = build(case, tmp_path / "build" / case.name)
        if built.args or (case / "case.yaml").read_text().count("target: rules"):
            continue                # CLI limits and rule sets are per batch, not per submission
        folder = root / case.name
        folder.parent.mkdir(parents=True, exist_ok=True)
        built.folder.rename(folder)
        _relink(folder, outside)
        expected[case.name] = built.expect
    proc = run_cli("batch", str(root), "-o", str(tmp_path / "verdicts"), "--format", "json",
                   "--db", str(tmp_path / "registry.sqlite"), "--jobs", "2", timeout=600)
    assert proc.returncode == 2, proc.stderr
    summary = json.loads((tmp_path / "verdicts" / "batch-summary.json").read_text())
    rows = {Path(r["folder"]).name: r for r in summary["rows"]}
    assert set(rows) == set(expected), set(expected) ^ set(rows)
    for name, expect in expected.items():
        codes = expect["exit"] if isinstance(expect["exit"], list) else [expect["exit"]]
        if codes == [2]:
            assert rows[name]["status"] == "error", (name, rows[name])
            assert re.search(expect["error"], rows[name]["message"]), (name, rows[name]["message"])
        else:
            assert rows[name]["status"] == "checked" and rows[name]["exit_code"] in codes, (name, rows[name])
            if "verdict" in expect:
                assert rows[name]["verdict"] == expect["verdict"], (name, rows[name])


def _relink(folder: Path, outside: Path) -> None:
    """A case's symbolic links point at ../outside/: after the move, at a copy outside the batch."""
    for link in folder.iterdir():
        if link.is_symlink() and os.readlink(link).startswith("../outside/"):
            target = outside / os.readlink(link).split("/", 2)[2]
            link.unlink()
            link.symlink_to(target)


def test_a_submission_over_a_limit_stops_only_itself_in_a_batch(tmp_path):
    """--max-model-mb between two submissions' model sizes: the larger one is an error row that
    says which limit and how big, the smaller one gets its verdict."""
    root = tmp_path / "in"
    for name in ("pass-school", "pass-campus-office-m"):      # 35 kB and 129 kB models
        shutil.copytree(ROOT / "ifc_samples" / name, root / name)
    proc = run_cli("batch", str(root), "-o", str(tmp_path / "out"), "--format", "json",
                   "--db", str(tmp_path / "r.sqlite"), "--jobs", "1", "--max-model-mb", "0.1")
    assert proc.returncode == 2, proc.stderr
    rows = {Path(r["folder"]).name: r for r in json.loads((tmp_path / "out" / "batch-summary.json").read_text())["rows"]}
    assert rows["pass-school"]["status"] == "checked" and rows["pass-school"]["verdict"] == "compliant"
    big = rows["pass-campus-office-m"]
    assert big["status"] == "error" and re.search(r"model is 128\.7 kB, more than the limit of 0\.1 MB", big["message"])
    assert (tmp_path / "out" / "YP-2025-0012.json").is_file()


def test_the_time_limit_is_a_message_in_a_batch_too(tmp_path):
    root = tmp_path / "in"
    shutil.copytree(ROOT / "ifc_samples" / "pass-school", root / "pass-school")
    proc = run_cli("batch", str(root), "-o", str(tmp_path / "out"), "--format", "json",
                   "--db", str(tmp_path / "r.sqlite"), "--jobs", "1", "--time-limit", "0.001")
    assert proc.returncode == 2, proc.stderr
    row = json.loads((tmp_path / "out" / "batch-summary.json").read_text())["rows"][0]
    assert row["status"] == "error" and "took longer than the time limit of 0.001 s" in row["message"]
