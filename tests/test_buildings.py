"""Buildings, not submissions (issue 20): a submission's buildings and use parts, each judged on
its own elements; public institution derived from the use; every contradiction in submission.yaml
one message at its line. Real models from ../shared/ifc as the buildings of one campus, and the
bundled samples, through the real pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import RULES
from realistic.host import Host
from realistic.variants import MONO_400W, SH4_PANEL_REGION, SH4_PANEL_Z, SH4_ROOF_M2, flat_panels, projected

from compliance.context import RunContext
from compliance.errors import InputError
from compliance.pipeline import check_submission

SAMPLES = Path(__file__).resolve().parents[1] / "ifc_samples"


def _check(folder: Path):
    return check_submission(folder, RunContext(rules_dir=RULES, cores=1))


def _by_building(result) -> dict:
    return {b.building: b.status for b in result.per_building}


def _result(verdict, rule: str):
    return next(r for r in verdict.results if r.rule == rule)


# -- the bundled samples -------------------------------------------------------------------------

def test_two_12000_m2_buildings_are_not_one_large_public_building():
    verdict = _check(SAMPLES / "pass-two-buildings-xinjiangwan")
    gb2 = _result(verdict, "GB-2")
    assert _by_building(gb2) == {"A": "not_applicable", "B": "not_applicable"}
    assert verdict.verdict == "compliant"
    assert [b.id for b in verdict.submission.buildings] == ["A", "B"]
    assert verdict.submission.gross_floor_area_m2 == 24000        # the sum of the buildings'


def test_the_same_blocks_filed_as_one_building_would_be_a_large_public_building(tmp_path):
    """The reading the issue corrects: 24,000 m² as one submission is a large public building."""
    folder = tmp_path / "one"
    shutil.copytree(SAMPLES / "pass-two-buildings-xinjiangwan", folder)
    doc = yaml.safe_load((folder / "submission.yaml").read_text(encoding="utf-8"))
    doc.pop("buildings")
    doc.update(gross_floor_area_m2=24000, declared={"parking_spaces": 0, "charging_points": 0})
    (folder / "submission.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert _result(_check(folder), "GB-2").status == "fail"


def test_a_large_commercial_podium_under_housing_is_a_large_public_building():
    verdict = _check(SAMPLES / "fail-housing-podium-binjiang")
    gb2, pv2 = _result(verdict, "GB-2"), _result(verdict, "PV-2")
    assert gb2.status == "fail" and gb2.building == "T1"
    assert "25,000" in gb2.building_label.zh and "住宅" not in gb2.building_label.zh   # the podium alone
    assert pv2.status == "pass"                     # PV-2 reaches the podium's public use
    assert verdict.verdict == "non_compliant"


def test_panels_left_in_the_site_are_suspects_of_every_building_never_ignored():
    verdict = _check(SAMPLES / "incomplete-two-buildings-one-model")
    pv1 = _result(verdict, "PV-1")
    assert _by_building(pv1) == {"B1": "manual_review", "B2": "not_applicable"}
    check = pv1.checks[0]
    assert check.measured == pytest.approx(29.55, abs=0.02)
    assert check.plausible_high == pytest.approx(59.09, abs=0.02)
    assert "building.unassigned_elements" in {n.code for n in verdict.notes}
    office = next(b for b in verdict.submission.buildings if b.id == "B1")
    assert office.public_institution                   # a government office: by definition
    assert _by_building(_result(verdict, "GB-3")) == {"B1": "pass", "B2": "not_applicable"}


# -- real models from ../shared/ifc as the buildings of one campus ---------------------------------

def _campus(shared: Path, out: Path, panels: int, buildings: bool) -> Path:
    """SampleHouse4 (Revit) as a school with `panels` 'Solar Panel:Mono 400W' proxies on its roof,
    and the Duplex (Revit) as staff housing, in one submission."""
    school = Host(shared, "SampleHouse4.ifc", "campus", filename="school.ifc")
    flat_panels(school, panels, MONO_400W, [SH4_PANEL_REGION], SH4_PANEL_Z, school.storey("Roof"),
                object_type="Solar Panel:Mono 400W")
    folder = school.save(out)
    shutil.copy(shared / "Duplex_A_20110907.ifc", folder / "housing.ifc")
    doc = {"id": "RX-2025-200", "name": "杨浦区某学校及教工宿舍新建工程", "kind": "new", "filed_on": "2025-06-16",
           "use": "school", "public_institution": True, "models": ["school.ifc", "housing.ifc"]}
    if buildings:
        doc["buildings"] = [
            {"id": "school", "name": "教学楼", "uses": [{"use": "school"}], "models": ["school.ifc"]},
            {"id": "housing", "name": "教工宿舍", "uses": [{"use": "residential"}], "models": ["housing.ifc"],
             "public_institution": False}]
    (folder / "submission.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.parametrize("panels, status", [(33, "pass"), (11, "fail")])
def test_each_real_building_is_judged_on_its_own_roof(shared_ifc_dir, tmp_path, panels, status):
    """33 modules = 64.44 m² on the school's 108.12 m² roof = 59.6 % (pass); 11 = 19.9 % (fail).
    The housing's roof (132.93 m²) is not the school's: counted together, 33 modules would be
    26.7 % of 241 m², a wrong fail."""
    verdict = _check(_campus(shared_ifc_dir, tmp_path / "campus", panels, buildings=True))
    pv1 = _result(verdict, "PV-1")
    assert _by_building(pv1) == {"school": status, "housing": "not_applicable"}
    school = next(b for b in pv1.per_building if b.building == "school")
    assert school.checks[0].measured == pytest.approx(projected(panels, MONO_400W) / SH4_ROOF_M2 * 100, abs=0.3)


def test_without_buildings_the_housing_roof_dilutes_the_school_ratio(shared_ifc_dir, tmp_path):
    verdict = _check(_campus(shared_ifc_dir, tmp_path / "campus", 33, buildings=False))
    assert _result(verdict, "PV-1").status == "fail"
    # not a silent fail: the verdict says the models hold two buildings judged as one
    assert "building.several_in_models" in {n.code for n in verdict.notes}


# -- submission.yaml: one message at the line ---------------------------------------------------------

BASE = """\
id: YP-1
name: 测试
kind: new
filed_on: 2025-03-01
models: [a.ifc]
"""


def _meta_error(tmp_path: Path, body: str) -> InputError:
    from compliance.read.metadata import load_submission

    (tmp_path / "a.ifc").write_text("ISO-10303-21;", encoding="utf-8")
    (tmp_path / "submission.yaml").write_text(BASE + body, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_submission(tmp_path, uses={"school", "residential", "public_commercial"}, zones=set())
    return caught.value


@pytest.mark.parametrize("body, line, words", [
    ("buildings:\n  - {id: A, uses: [{use: school, share_pct: 60}, {use: residential, share_pct: 30}]}\n",
     7, "add up to 90"),
    ("buildings:\n  - {id: A, gross_floor_area_m2: 1000, uses: [{use: school, area_m2: 800}, "
     "{use: residential, area_m2: 300}]}\n", 7, "more than the building"),
    ("buildings:\n  - {id: A, uses: [{use: school}]}\n  - {id: A, uses: [{use: school}]}\n", None, "same id"),
    ("buildings:\n  - {id: A, uses: [{use: mall}]}\n", 7, "unknown use class 'mall'"),
    ("buildings:\n  - {id: A, uses: [{use: school}], models: [b.ifc]}\n", None, "not in 'models'"),
    ("gross_floor_area_m2: 5000\nbuildings:\n  - {id: A, gross_floor_area_m2: 3000, uses: [{use: school}]}\n",
     6, "not the sum"),
    ("public_institution: true\n", None, "give the submission's 'use'"),
])
def test_contradictory_buildings_are_one_message_at_their_line(tmp_path, body, line, words):
    error = _meta_error(tmp_path, body)
    assert words in str(error)
    if line is not None:
        assert error.line == line


def test_a_building_the_models_do_not_hold_is_named_with_what_they_hold(tmp_path):
    folder = tmp_path / "sub"
    shutil.copytree(SAMPLES / "incomplete-two-buildings-one-model", folder)
    text = (folder / "submission.yaml").read_text(encoding="utf-8").replace("name: 2号楼", "name: 3号楼")
    (folder / "submission.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        _check(folder)
    assert "building 'B2' cannot be found" in str(caught.value) and "2号楼" in str(caught.value)
    assert caught.value.line is not None


def test_models_of_several_buildings_filed_as_one_are_a_finding(tmp_path):
    folder = tmp_path / "sub"
    shutil.copytree(SAMPLES / "incomplete-two-buildings-one-model", folder)
    doc = yaml.safe_load((folder / "submission.yaml").read_text(encoding="utf-8"))
    doc.pop("buildings")
    (folder / "submission.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    verdict = _check(folder)
    found = [n for n in verdict.notes if n.code == "building.several_in_models"]
    assert len(found) == 1 and "1号楼" in found[0].message and "2号楼" in found[0].message
    assert not verdict.submission.buildings[0].uses[1:]       # judged as the one building filed


def _discipline_copy(tmp_path: Path) -> Path:
    """The two-building sample plus the same campus exported again as another discipline's model:
    the same elements, but each IfcBuilding with the exporter's own GlobalId (same Name)."""
    folder = tmp_path / "sub"
    shutil.copytree(SAMPLES / "incomplete-two-buildings-one-model", folder)
    text = (folder / "campus.ifc").read_text(encoding="utf-8")
    for gid in ("2RI7js8LDLwxeVowiIXf_i", "38aUksZB9PcBrN7D207BUQ"):
        assert text.count(f"IFCBUILDING('{gid}'") == 1
        text = text.replace(f"IFCBUILDING('{gid}'", f"IFCBUILDING('{gid[:-4]}MEP0'")
    (folder / "mep.ifc").write_text(text, encoding="utf-8")
    doc = yaml.safe_load((folder / "submission.yaml").read_text(encoding="utf-8"))
    doc["models"] = ["campus.ifc", "mep.ifc"]
    doc["buildings"][0]["ifc_building"] = "2RI7js8LDLwxeVowiIXf_i"      # by GlobalId, as found in campus.ifc
    (folder / "submission.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


def test_a_discipline_model_of_the_same_buildings_is_assigned_by_name(tmp_path):
    verdict = _check(_discipline_copy(tmp_path))
    assert "building.not_declared" not in {n.code for n in verdict.notes}
    pv1 = _result(verdict, "PV-1")
    assert _by_building(pv1) == {"B1": "manual_review", "B2": "not_applicable"}
    assert pv1.checks[0].measured == pytest.approx(29.55, abs=0.02)       # the copies count once


def test_discipline_models_of_two_buildings_filed_as_one_name_two_buildings(tmp_path):
    folder = _discipline_copy(tmp_path)
    doc = yaml.safe_load((folder / "submission.yaml").read_text(encoding="utf-8"))
    doc.pop("buildings")
    (folder / "submission.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    found = [n for n in _check(folder).notes if n.code == "building.several_in_models"]
    assert len(found) == 1 and len(found[0].global_ids) == 2 and "2 " in found[0].message


def test_a_buildings_own_declared_figures_are_compared_with_its_own_elements(tmp_path):
    """Block B declares a 900 m² roof; its model has 1200 m² (block A's roof is not B's). The finding
    names B and the line of B's field, and B's PV-2 ratio spans both readings (39.39 %–52.52 %)."""
    folder = tmp_path / "sub"
    shutil.copytree(SAMPLES / "pass-two-buildings-xinjiangwan", folder)
    doc = yaml.safe_load((folder / "submission.yaml").read_text(encoding="utf-8"))
    doc["buildings"][1]["declared"]["roof_area_m2"] = 900
    (folder / "submission.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    verdict = _check(folder)
    found = [n for n in verdict.notes if n.code == "metadata.mismatch"]
    assert len(found) == 1 and found[0].message.startswith("building 'B'") and found[0].field == "declared.roof_area_m2"
    text = (folder / "submission.yaml").read_text(encoding="utf-8").splitlines()
    assert "roof_area_m2: 900" in text[found[0].line - 1]
    b = next(r for r in _result(verdict, "PV-2").per_building if r.building == "B")
    assert b.status == "pass"                                   # ≥ 30 % either way
    assert b.checks[0].plausible_high == pytest.approx(52.52, abs=0.05)


def test_the_web_result_page_says_which_building_a_result_concerns():
    from compliance.web.findings import findings_of

    verdict = _check(SAMPLES / "incomplete-two-buildings-one-model")
    pv1 = next(f for f in findings_of(verdict) if f.key == "PV-1")
    assert pv1.message_zh.startswith("1号楼（政府机关办公建筑")
    assert any(line.startswith("2号楼") and line.endswith("not applicable") for line in pv1.measured)
