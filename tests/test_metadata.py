"""submission.yaml: every problem is one message naming the file, the line and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from compliance.errors import InputError
from compliance.read.metadata import load_submission

GOOD = """\
id: YP-2024-001
name: 杨浦区测试学校
kind: new
filed_on: 2024-05-01
use: school
public_institution: true
zone: xinjiangwan
models: [model.ifc]
"""
USES = {"school", "public_office"}
ZONES = {"xinjiangwan"}


def write(tmp_path: Path, text: str, model: bool = True) -> Path:
    (tmp_path / "submission.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    if model:
        (tmp_path / "model.ifc").write_text("ISO-10303-21;")
    return tmp_path


def error_for(tmp_path: Path, text: str, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        load_submission(write(tmp_path, text, **kw), uses=USES, zones=ZONES)
    return info.value


def test_good_metadata_loads(tmp_path):
    loaded = load_submission(write(tmp_path, GOOD), uses=USES, zones=ZONES)
    assert loaded.meta.name == "杨浦区测试学校"
    assert loaded.meta.filed_on.isoformat() == "2024-05-01"
    assert loaded.model_paths == [tmp_path / "model.ifc"]


@pytest.mark.parametrize("old,new,line,field", [
    ("kind: new", "kind: demolition", 3, "kind"),
    ("filed_on: 2024-05-01", "filed_on: 2024-13-01", 4, "filed_on"),
    ("public_institution: true", "public_institution: maybe", 6, "public_institution"),
    ("use: school", "use: spaceport", 5, "use"),
    ("zone: xinjiangwan", "zone: atlantis", 7, "zone"),
    ("models: [model.ifc]", "models: []", 8, "models"),
    ("models: [model.ifc]", "models: [../outside.ifc]", 8, "models"),
    ("models: [model.ifc]", "models: [model.dwg]", 8, "models"),
    ("id: YP-2024-001", "id: 'bad id with spaces'", 1, "id"),
])
def test_wrong_field_names_file_line_and_field(tmp_path, old, new, line, field):
    err = error_for(tmp_path, GOOD.replace(old, new))
    assert err.file.endswith("submission.yaml")
    assert err.line == line
    assert f"'{field}'" in err.message or f"{new.split(': ')[1]!r}" in err.message


def test_missing_field_is_named(tmp_path):
    err = error_for(tmp_path, GOOD.replace("kind: new\n", ""))
    assert "required field 'kind' is missing" in err.message and err.line == 1


def test_unknown_field_is_refused_so_typos_are_caught(tmp_path):
    err = error_for(tmp_path, GOOD + "filed_in: 2024-05-01\n")
    assert "filed_in" in err.message and err.line == 9


def test_duplicate_key_is_refused(tmp_path):
    err = error_for(tmp_path, GOOD + "kind: retrofit\n")
    assert "duplicate key 'kind'" in err.message and err.line == 9


def test_broken_yaml_names_the_line(tmp_path):
    err = error_for(tmp_path, GOOD.replace("use: school", "use: [school"))
    assert "not valid YAML" in err.message and err.line is not None


def test_listed_model_that_does_not_exist(tmp_path):
    err = error_for(tmp_path, GOOD, model=False)
    assert "model 'model.ifc'" in err.message and err.line == 8


def test_not_a_mapping(tmp_path):
    err = error_for(tmp_path, "- just\n- a list\n")
    assert "must be a mapping" in err.message


def test_missing_metadata_file(tmp_path):
    with pytest.raises(InputError, match="submission metadata not found"):
        load_submission(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(InputError, match="submission folder not found"):
        load_submission(tmp_path / "nope")


def test_not_utf8(tmp_path):
    (tmp_path / "submission.yaml").write_bytes("name: café".encode("latin-1"))
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xe9"):
        load_submission(tmp_path)


def test_gbk_metadata_is_read_and_says_so(tmp_path):
    write(tmp_path, GOOD)
    (tmp_path / "submission.yaml").write_bytes((tmp_path / "submission.yaml").read_text().encode("gbk"))
    loaded = load_submission(tmp_path)
    assert loaded.meta.name == "杨浦区测试学校" and loaded.encoding == "GB18030"


RICH = GOOD + """\
gross_floor_area_m2: 12800
energy:
  renewable_substitution_rate_pct: 12.5
  energy_class: ultra_low
  design_saving_rate_pct: 52
  audit: {on_file: true, document: EA-2024-07}
green_building:
  claimed: 2-star
  prerequisites_met: true
  scores: {safety_durability: 70, health_comfort: 70, occupant_convenience: 40, resource_saving: 120, environment_livability: 60}
measures: [bipv, bim]
"""


def test_energy_green_building_and_measures_blocks_load_with_their_lines(tmp_path):
    loaded = load_submission(write(tmp_path, RICH), uses=USES, zones=ZONES)
    m = loaded.meta
    assert m.energy.energy_class == "ultra_low" and m.energy.audit.document == "EA-2024-07"
    assert m.green_building.scores.resource_saving == 120 and m.measures == ["bipv", "bim"]
    assert loaded.line_of("energy.design_saving_rate_pct") == 13
    assert loaded.line_of("green_building.claimed") == 16


@pytest.mark.parametrize("old,new,line,field", [
    ("energy_class: ultra_low", "energy_class: ultralow", 12, "energy.energy_class"),
    ("renewable_substitution_rate_pct: 12.5", "renewable_substitution_rate_pct: 125", 11,
     "energy.renewable_substitution_rate_pct"),
    ("claimed: 2-star", "claimed: two stars", 16, "green_building.claimed"),
    ("measures: [bipv, bim]", "measures: [bipv, solar_roads]", 19, "measures.1"),
    ("prerequisites_met: true", "prerequisites_met: yes please", 17, "green_building.prerequisites_met"),
])
def test_new_blocks_name_the_line_and_field_of_a_wrong_value(tmp_path, old, new, line, field):
    err = error_for(tmp_path, RICH.replace(old, new))
    assert err.line == line and f"'{field}'" in err.message, err


def test_exemption_from_an_unknown_rule_is_refused_with_its_line(tmp_path):
    import shutil

    from compliance.context import RunContext
    from compliance.pipeline import check_submission

    folder = tmp_path / "sub"
    shutil.copytree(Path(__file__).resolve().parents[1] / "ifc_samples" / "pass-school", folder)
    text = (folder / "submission.yaml").read_text(encoding="utf-8")
    (folder / "submission.yaml").write_text(text + "exemptions:\n  PV-11: {reason: roof is a sports field}\n",
                                            encoding="utf-8")
    with pytest.raises(InputError) as info:
        check_submission(folder, RunContext(rules_dir=Path(__file__).resolve().parents[1] / "rules"))
    assert "unknown rule 'PV-11'" in info.value.message
    assert info.value.line == text.count("\n") + 2


def test_an_unclosed_quote_or_bracket_names_the_line_where_it_began(tmp_path):
    from compliance.errors import InputError
    from compliance.yamlio import load_yaml

    for text, begun in (('id: "abc\nname: x\n', 1), ("id: a\nname: [b, c\nkind: new\n", 2)):
        path = tmp_path / "submission.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as err:
            load_yaml(path, InputError, what="submission metadata")
        assert err.value.line is not None and err.value.line <= len(text.splitlines())
        assert f"at line {begun})" in err.value.message
