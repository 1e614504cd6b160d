"""Geometry-kernel results cached on disk by model SHA-256 (compliance/read/geocache.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ifcopenshell
import pytest

from compliance.context import RunContext, default_cache_dir, file_sha256
from compliance.read.geocache import GEOMETRY_VERSION, GeometryCache, _version
from compliance.read.geometry import Shape, ShapeFailure, compute_shapes

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "ifc_samples" / "pass-school-geometry-only" / "architecture.ifc"


def _elements(ifc):
    return [e for e in ifc.by_type("IfcSlab") + ifc.by_type("IfcSolarDevice")]


@pytest.fixture(scope="module")
def model():
    ifc = ifcopenshell.open(str(MODEL))
    elements = _elements(ifc)
    assert elements
    return ifc, elements, file_sha256(MODEL)


def test_kernel_results_are_stored_and_read_back(tmp_path, model):
    ifc, elements, sha = model
    first = compute_shapes(ifc, elements, cores=1, cache=GeometryCache(tmp_path, sha))
    stored = tmp_path / "geometry" / f"{sha}.json"
    assert stored.is_file() and json.loads(stored.read_text())["version"] == _version()
    assert _version().startswith(GEOMETRY_VERSION + "/ifcopenshell ")
    again = GeometryCache(tmp_path, sha)
    assert {e.id(): again.get(e.id()) for e in elements} == first
    assert any(isinstance(s, Shape) and s.outline for s in first.values())


def test_a_cached_figure_is_used_instead_of_the_kernel(tmp_path, model):
    """Proof that the kernel is skipped: a figure planted in the cache comes back."""
    ifc, elements, sha = model
    cache = GeometryCache(tmp_path, sha)
    planted = Shape(123.0, 456.0, 1.0, 2.0, (((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)),))
    cache.put(elements[0].id(), planted)
    cache.save()
    shapes = compute_shapes(ifc, elements, cores=1, cache=GeometryCache(tmp_path, sha))
    assert shapes[elements[0].id()] == planted
    assert shapes[elements[1].id()] != planted


@pytest.mark.parametrize("content", ["{not json", json.dumps({"version": "0", "shapes": {}}),
                                     json.dumps({"version": GEOMETRY_VERSION, "shapes": {}}),   # another kernel
                                     json.dumps({"version": _version(), "shapes": {"1": {"z": 3}}}),
                                     json.dumps([1, 2])])
def test_an_unreadable_or_stale_cache_file_is_ignored(tmp_path, model, content):
    ifc, elements, sha = model
    stored = tmp_path / "geometry" / f"{sha}.json"
    stored.parent.mkdir(parents=True)
    stored.write_text(content)
    shapes = compute_shapes(ifc, elements, cores=1, cache=GeometryCache(tmp_path, sha))
    fresh = compute_shapes(ifc, elements, cores=1)
    assert shapes == fresh
    assert json.loads(stored.read_text())["version"] == _version()     # rewritten


def test_failures_are_cached_with_both_languages(tmp_path):
    failure = ShapeFailure("geometry kernel error: x", "几何内核报错：x")
    cache = GeometryCache(tmp_path, "ab" * 32)
    cache.put(7, failure)
    cache.save()
    back = GeometryCache(tmp_path, "ab" * 32).get(7)
    assert back == failure and back.reason_zh == failure.reason_zh


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path, model):
    ifc, elements, sha = model
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    shapes = compute_shapes(ifc, elements, cores=1, cache=GeometryCache(blocker, sha))
    assert shapes == compute_shapes(ifc, elements, cores=1)


def test_the_cache_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPLIANCE_CACHE", "off")
    assert default_cache_dir() is None and RunContext(rules_dir=tmp_path).cache_dir is None
    monkeypatch.setenv("COMPLIANCE_CACHE", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("COMPLIANCE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "yangpu-compliance"


def test_a_check_with_and_without_the_cache_gives_the_same_verdict(tmp_path, shared_ifc_dir):
    """Kernel figures read back from the cache give the verdict the kernel gave. The Duplex
    model's roof is not a plain extrusion, so its figures come from the kernel."""
    import shutil

    folder = tmp_path / "duplex"
    folder.mkdir()
    shutil.copy(shared_ifc_dir / "Duplex_A_20110907.ifc", folder / "duplex.ifc")
    (folder / "submission.yaml").write_text(
        "id: YP-CACHE-1\nname: 复式住宅\nkind: new\nfiled_on: 2025-04-15\nuse: residential\npublic_institution: false\n"
        "models: [duplex.ifc]\n", encoding="utf-8")
    outputs = []
    for run in ("cold", "warm", "off"):
        env = dict(os.environ, COMPLIANCE_CACHE="off" if run == "off" else str(tmp_path / "cache"))
        out = tmp_path / f"{run}.json"
        proc = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "check", str(folder),
                               "--format", "json", "-o", str(out)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        assert proc.returncode in (0, 1, 3), proc.stderr
        doc = json.loads(out.read_text())
        doc.pop("generated_at", None)
        outputs.append(doc)
        if run == "cold":
            stored = tmp_path / "cache" / "geometry" / f"{file_sha256(folder / 'duplex.ifc')}.json"
            assert len(json.loads(stored.read_text())["shapes"]) >= 1       # the kernel was used
    assert outputs[0] == outputs[1] == outputs[2]
