"""The reader on every real model in ../shared/ifc, checked against independent counts.

Independent means not through ifcopenshell's entity graph: entity counts and element lists
are read from the STEP text with regular expressions; quantity-set areas are compared with
areas computed from the triangulated geometry.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import SHARED_IFC, shared_ifc_files

from compliance.read.model import read_model

SHARED_NAMES = [p.name for p in shared_ifc_files()] or ["<absent>"]
ENTITY_RE = re.compile(r"#(\d+)\s*=\s*([A-Z0-9_]+)\s*\((.*?)\)\s*;\s*(?=#|ENDSEC)", re.S)


@lru_cache(maxsize=None)
def step_entities(path: Path) -> tuple[tuple[int, str, str], ...]:
    """(id, TYPE, argument text) of every DATA entity, read from the text alone."""
    text = path.read_text(encoding="latin-1")
    data = text[text.index("DATA;") + 5:text.rindex("ENDSEC")]
    return tuple((int(i), t, args) for i, t, args in ENTITY_RE.findall(data + "ENDSEC"))


def gid_of(args: str) -> str:
    return re.match(r"\s*'([^']*)'", args).group(1)


def text_roof_slabs(path: Path) -> set[str]:
    """GlobalIds of IfcSlab(-StandardCase) whose own predefined type is ROOF, from the text."""
    return {gid_of(a) for _, t, a in step_entities(path)
            if t in ("IFCSLAB", "IFCSLABSTANDARDCASE", "IFCSLABELEMENTEDCASE") and re.search(r"\.ROOF\.\s*$", a)}


def text_aggregated_by_roof(path: Path) -> set[str]:
    """GlobalIds of elements an IfcRoof aggregates, from the IFCRELAGGREGATES lines."""
    ents = step_entities(path)
    by_id = {i: (t, a) for i, t, a in ents}
    roofs = {i for i, t, _ in ents if t == "IFCROOF"}
    parts = set()
    for _, t, a in ents:
        if t != "IFCRELAGGREGATES":
            continue
        refs = [int(x) for x in re.findall(r"#(\d+)", a)]
        relating = [r for r in refs if r in roofs]
        if relating:
            parts |= {gid_of(by_id[r][1]) for r in refs if r not in roofs and by_id.get(r, ("", ""))[0] != "IFCOWNERHISTORY"}
    return parts


@pytest.fixture(scope="module")
def facts_by_name(shared_ifc_dir):
    return {name: read_model(shared_ifc_dir / name) for name in SHARED_NAMES}


@pytest.mark.parametrize("name", SHARED_NAMES)
def test_entity_count_matches_the_step_text(facts_by_name, name):
    assert facts_by_name[name].info.entity_count == len(step_entities(SHARED_IFC / name))


@pytest.mark.parametrize("name", SHARED_NAMES)
def test_every_roof_slab_in_the_text_is_counted_once(facts_by_name, name):
    facts = facts_by_name[name]
    path = SHARED_IFC / name
    figures = Counter(f.global_id for f in facts.roofs)
    assert all(n == 1 for n in figures.values()), "an element counted twice"
    roof_slabs, parts = text_roof_slabs(path), text_aggregated_by_roof(path)
    roofs = {gid_of(a) for _, t, a in step_entities(path) if t == "IFCROOF"}
    # Every ROOF slab standing alone is a figure; a roof and its parts are never both figures.
    assert roof_slabs - parts <= set(figures)
    for roof in roofs:
        assert not (roof in figures and parts & set(figures))
    assert set(figures) <= roof_slabs | parts | roofs


@pytest.mark.parametrize("name", SHARED_NAMES)
def test_storeys_and_buildings_match_the_step_text(facts_by_name, name):
    facts = facts_by_name[name]
    types = Counter(t for _, t, _ in step_entities(SHARED_IFC / name))
    assert len(facts.buildings) == types["IFCBUILDING"]
    counted = sum(b.storeys_above_ground.value + b.storeys_below_ground.value
                  for b in facts.buildings if b.storeys_above_ground is not None)
    assert counted == types["IFCBUILDINGSTOREY"]


@pytest.mark.parametrize("name", SHARED_NAMES)
def test_nothing_is_mistaken_for_pv_chargers_or_parking(facts_by_name, name):
    facts = facts_by_name[name]
    assert facts.pv_panels == () and facts.chargers == () and facts.parking == ()
    for fig in facts.roofs:
        for value in (fig.projected_m2, fig.surface_m2):
            assert value is None or (value > 0 and math.isfinite(value))


QUANTITY_VS_GEOMETRY = [  # (model, roof elements the geometry confirms, names of those it contradicts)
    ("AC20-FZK-Haus.ifc", 2, set()),
    ("KIT-EDC_with_SB.ifc", 1, set()),
    # The ridge piece's GrossArea (1.08 m²) is its footprint, not its two sloped top faces (1.53 m²).
    ("ExampleHOM.ifc", 2, {"attic_Roof_mid"}),
]


@pytest.mark.parametrize("name,expected,contradicted", QUANTITY_VS_GEOMETRY)
def test_quantity_areas_agree_with_geometry(shared_ifc_dir, name, expected, contradicted):
    import ifcopenshell

    from compliance.read.geometry import compute_shapes

    facts = read_model(shared_ifc_dir / name)
    ifc = ifcopenshell.open(str(shared_ifc_dir / name))
    checked = 0
    for fig in facts.roofs:
        if fig.projected_method not in ("quantity", "derived"):
            continue
        shape = compute_shapes(ifc, [ifc.by_guid(fig.global_id)], cores=1)[ifc.by_guid(fig.global_id).id()]
        assert shape.footprint_m2 == pytest.approx(fig.projected_m2, rel=0.05)
        if fig.surface_method == "quantity":
            assert shape.surface_m2 == pytest.approx(fig.surface_m2, rel=0.05)
        checked += 1
    assert checked == expected
    flagged = {g for n in facts.notes if n.code == "area.geometry_disagrees" for g in n.global_ids}
    assert {f.name for f in facts.roofs if f.global_id in flagged} == contradicted


def test_roofs_without_quantities_are_computed_from_geometry(shared_ifc_dir):
    facts = read_model(shared_ifc_dir / "IfcOpenHouse_IFC4.ifc")       # millimetres, no quantity sets
    assert len(facts.roofs) == 2
    for fig in facts.roofs:
        assert fig.projected_method == "geometry" and "geometry" in fig.projected_source
        assert fig.projected_m2 == pytest.approx(29.58, abs=0.05)
    (flat,) = read_model(shared_ifc_dir / "3rooms_Heater_AirTerminal_Table_with_SB.ifc").roofs   # BlenderBIM
    assert flat.projected_method == flat.surface_method == "geometry"
    assert flat.projected_m2 == pytest.approx(112.5, abs=0.01) and flat.surface_m2 == pytest.approx(112.5, abs=0.01)
    revit = read_model(shared_ifc_dir / "SampleHouse4.ifc")             # IfcRoof with its own B-rep
    (roof,) = revit.roofs
    assert roof.projected_method == "geometry" and roof.projected_m2 == pytest.approx(108.1, abs=0.2)


def test_building_figures_of_real_models(facts_by_name):
    (fzk,) = facts_by_name["AC20-FZK-Haus.ifc"].buildings
    assert fzk.gross_floor_area.value == pytest.approx(241.498, abs=1e-3)
    assert "BaseQuantities.GrossFloorArea" in fzk.gross_floor_area.source
    assert fzk.occupancy_type.value.startswith("citygml:1000")
    assert fzk.latitude.value == pytest.approx(49.1004, abs=1e-3)
    assert fzk.longitude.value == pytest.approx(8.4365, abs=1e-3)
    (kit,) = facts_by_name["KIT-EDC_with_SB.ifc"].buildings
    assert kit.latitude is None, "(0, 0) means not set"
    (hom,) = facts_by_name["ExampleHOM.ifc"].buildings
    assert hom.gross_floor_area.method == "derived" and "spaces" in hom.gross_floor_area.source
    assert any(n.code == "gfa.from_spaces" for n in facts_by_name["ExampleHOM.ifc"].notes)


def test_road_parking_buildings_are_not_parking_spaces(facts_by_name):
    infra = facts_by_name["PCERT_Infra-Road_IFC4.ifc"]
    assert any("parking" in (b.name or "") for b in infra.buildings)
    assert infra.parking == ()
