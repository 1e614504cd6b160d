"""The benchmark's generated submissions (bench/bigmodel.py) are real, checkable models: the
checker finds in them what the generator put in, with and without area quantities, so the
benchmark times a check that does the real work."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bigmodel():
    spec = importlib.util.spec_from_file_location("bigmodel", ROOT / "bench" / "bigmodel.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bigmodel", module)       # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _check(folder: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "check", str(folder), "--format", "json",
                           "-o", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode in (0, 1, 3), proc.stderr
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("quantities", [True, False], ids=["quantities", "geometry-only"])
def test_the_checker_finds_what_the_generator_wrote(tmp_path, quantities):
    written = _bigmodel().write_submission(tmp_path / "sub", 6000, quantities=quantities)
    assert 5000 <= written["entities"] <= 7000
    verdict = _check(tmp_path / "sub", tmp_path / "v.json")
    results = {r["rule"]: r for r in verdict["results"]}
    pv = results["PV-1"]
    assert pv["inputs"]["roof_area_m2"] == pytest.approx(written["roof"], rel=1e-6)
    # with quantities the panels' projection is GrossArea × cos(10°); from geometry it also holds
    # the sliver of the panel's raised edge (4 cm at 10°), well under the 5 % cross-check tolerance
    assert pv["inputs"]["pv_area_m2"] == pytest.approx(written["pv"], rel=1e-6 if quantities else 0.01)
    assert results["EV-3"]["measured"] == pytest.approx(100.0 * written["chargers"] / written["parking"], abs=0.01)
    assert results["EV-4"]["measured"] == pytest.approx(100.0 * written["dc"] / written["chargers"], abs=0.01)
    assert verdict["district"]["pv_peak_power"]["value"] == pytest.approx(written["peak_w"] / 1000.0)
    assert verdict["verdict"] == "compliant", [(r["rule"], r["status"]) for r in verdict["results"]
                                               if r["status"] not in ("pass", "not_applicable")]
    assert verdict["models"][0]["entity_count"] == written["entities"]


def test_the_bench_runs_end_to_end_in_quick_mode(tmp_path):
    """`bench/run.py --quick` measures every group and writes its results file."""
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run([sys.executable, "bench/run.py", "--quick", "--work", str(tmp_path / "work"),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    for needle in ("ifcopenshell.open", "IfcTester", "--help", "batch", "geometry", "Machine"):
        assert needle.lower() in text.lower(), needle
    assert "FAILED" not in text.upper().replace("FAILED MEASUREMENTS: 0", "")
