"""`compliance extract`: what the checker sees in a model, through the real CLI."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, SHARED_IFC
from test_samples_cli import run_cli


def test_extract_json_lists_figures_with_provenance():
    proc = run_cli("extract", str(SAMPLES / "pass-school" / "architecture.ifc"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    (model,) = json.loads(proc.stdout)["models"]
    assert model["info"]["schema_name"] == "IFC4" and len(model["info"]["sha256"]) == 64
    assert len(model["roofs"]) == 2 and len(model["pv_panels"]) == 24
    for fig in model["roofs"] + model["pv_panels"]:
        assert fig["global_id"] and fig["ifc_class"] and fig["matched_by"]
        assert fig["projected_source"] and fig["projected_method"] in ("quantity", "derived", "geometry")
        assert fig["storey"] == "RF" and fig["outline"]
    assert [s["kind"] for s in model["systems"]] == ["solar_thermal"]
    assert sum(f["projected_m2"] for f in model["roofs"]) == pytest.approx(900.0)


def test_extract_table_names_every_section(shared_ifc_dir):
    proc = run_cli("extract", str(SHARED_IFC / "AC20-FZK-Haus.ifc"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for heading in ("Roofs (m²): 2", "PV panels (m², kW): none found", "Buildings: 1", "EV charging points: none found"):
        assert heading in out
    assert "BaseQuantities.GrossArea × cos(30.0°)" in out and "241.498" in out


@pytest.mark.parametrize("content,message", [
    (None, "cannot read model"),
    (b"%PDF-1.4 not a model\n", "not a readable IFC model"),
])
def test_extract_bad_input_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "model.ifc"
    if content is not None:
        path.write_bytes(content)
    proc = run_cli("extract", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"error: {path}: {message}") and "Traceback" not in proc.stderr


@pytest.mark.parametrize("extra,minimum", [((), 6), (("--all",), 15)])
def test_ids_command_writes_a_valid_ids(tmp_path, extra, minimum):
    import ifctester.ids

    path = tmp_path / "requirements.ids"
    proc = run_cli("ids", "-o", str(path), *extra)
    assert proc.returncode == 0, proc.stderr
    assert str(path) in proc.stderr and "Traceback" not in proc.stderr
    document = ifctester.ids.open(str(path), validate=True)
    assert len(document.specifications) >= minimum


def test_ids_command_with_a_broken_rule_folder_is_one_clear_error(tmp_path):
    (tmp_path / "_settings.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    proc = run_cli("ids", "-o", str(tmp_path / "r.ids"), "--rules", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "_settings.yaml" in proc.stderr
    assert not (tmp_path / "r.ids").exists()


def test_extract_a_submission_folder_reads_its_models():
    proc = run_cli("extract", str(SAMPLES / "fail-office"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert [m["info"]["file"] for m in json.loads(proc.stdout)["models"]] == ["architecture.ifc", "mep.ifc"]


def test_extract_a_folder_without_submission_is_one_clear_error(tmp_path):
    proc = run_cli("extract", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
