"""Where the CLI writes: -o's extension decides the format (an unknown one is an error, never text);
-o - is standard output (binary formats only when it is not a terminal); output piped is never
wrapped; -o makes missing folders."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import ROOT, SAMPLES
from test_samples_cli import run_cli

from compliance.report import FORMATS, OutputError, format_for_path, plan_outputs


@pytest.mark.parametrize("name,fmt", [("v.pdf", "pdf"), ("V.JSON", "json"), ("v.htm", "html"), ("v.xml", "junit"),
                                      ("v.junit.xml", "junit"), ("v.sarif", "sarif"), ("v.sarif.json", "sarif"),
                                      ("v.txt", "text"), ("v.bcf", "bcf"), ("v.xlsx", "xlsx"), ("v.docx", None)])
def test_the_extension_names_the_format(name, fmt):
    assert format_for_path(name) == fmt


def test_an_unknown_extension_is_an_error_naming_the_formats(tmp_path):
    target = tmp_path / "v.docx"
    proc = run_cli("check", str(SAMPLES / "pass-school"), "-o", str(target))
    assert proc.returncode == 2 and not target.exists() and proc.stdout == ""
    assert "'.docx'" in proc.stderr and "Traceback" not in proc.stderr
    for fmt in FORMATS.values():
        assert fmt.extension in proc.stderr and fmt.name in proc.stderr
    proc = run_cli("check", str(SAMPLES / "pass-school"), "--format", "json", "-o", str(target))
    assert proc.returncode == 0 and json.loads(target.read_text(encoding="utf-8"))["verdict"] == "compliant", \
        "a format given explicitly is written under any name"


def test_dash_is_standard_output(tmp_path):
    proc = run_cli("check", str(SAMPLES / "pass-school"), "--format", "json", "-o", "-", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["verdict"] == "compliant"
    assert list(tmp_path.iterdir()) == [], "no file named -"
    proc = run_cli("check", str(SAMPLES / "pass-school"), "-o", "-", cwd=tmp_path)
    assert proc.returncode == 0 and "COMPLIANT" in proc.stdout and list(tmp_path.iterdir()) == []


def test_a_binary_format_to_standard_output_only_when_piped(tmp_path):
    with pytest.raises(OutputError, match="terminal"):
        plan_outputs(["pdf"], "-", stdout_is_terminal=True)
    assert plan_outputs(["pdf"], "-", stdout_is_terminal=False) == (["pdf"], None, False)
    with pytest.raises(OutputError, match="standard output"):
        plan_outputs(["json", "pdf"], "-")
    import os
    import subprocess

    from test_samples_cli import CLI

    proc = subprocess.run([*CLI, "check", str(SAMPLES / "pass-school"), "--format", "xlsx", "-o", "-"], cwd=tmp_path,
                          capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
    assert proc.returncode == 0 and proc.stdout.startswith(b"PK") and list(tmp_path.iterdir()) == []


def test_extract_takes_its_format_from_the_extension(tmp_path):
    model = str(SAMPLES / "pass-school" / "architecture.ifc")
    proc = run_cli("extract", model, "-o", str(tmp_path / "new" / "facts.json"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "new" / "facts.json").read_text(encoding="utf-8"))["models"]
    proc = run_cli("extract", model, "-o", str(tmp_path / "facts.docx"))
    assert proc.returncode == 2 and "'.docx'" in proc.stderr and not (tmp_path / "facts.docx").exists()


def test_ids_makes_missing_folders_and_writes_to_standard_output(tmp_path):
    target = tmp_path / "some" / "new" / "folder" / "x.ids"
    proc = run_cli("ids", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes().startswith(b"<?xml") and [p.name for p in target.parent.iterdir()] == ["x.ids"]
    proc = run_cli("ids", "-o", "-", cwd=tmp_path)
    assert proc.returncode == 0 and "<ids" in proc.stdout and not (tmp_path / "-").exists()


def test_piped_output_is_never_wrapped(tmp_path):
    """The batch summary through a pipe: one line per row and per message, however long (rich would
    fold them at 80 or 140 columns)."""
    long_name = "error-" + "a-very-long-submission-folder-name-" * 6
    shutil.copytree(SAMPLES / "error-not-ifc", tmp_path / "in" / long_name)
    proc = run_cli("batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--db", str(tmp_path / "r.sqlite"),
                   "--jobs", "1")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stdout.splitlines()
    row = next(line for line in lines if line.lstrip().startswith(long_name))
    assert "YP-2025-0202" in row and "error" in row, row
    message = next(line for line in lines if line.startswith(f"error: {long_name}"))
    assert message.rstrip().endswith("check it opens in a viewer"), message
    summary = next(line for line in lines if line.startswith("1 of 1 submissions"))
    assert summary.rstrip().endswith("in " + str(tmp_path / "out") + "/"), summary
    assert "\x1b[" not in proc.stdout


def test_console_when_piped_has_no_width_limit(capsys):
    from rich.table import Table
    from rich.text import Text

    from compliance.commands.common import console

    out = console()
    assert not out.is_terminal
    table = Table("a", "b")
    table.add_row("x" * 500, "y" * 300)
    out.print(table)
    out.print(Text("z" * 1000))
    lines = capsys.readouterr().out.splitlines()
    assert any("x" * 500 in line and "y" * 300 in line for line in lines) and "z" * 1000 in lines
    assert max(map(len, lines)) < 2000, "no padding to the console's width"


def test_help_lists_the_formats():
    proc = run_cli("check", "--help")
    assert all(name in proc.stdout for name in FORMATS) and ROOT.is_dir()
