"""Samples of submissions with several buildings (单体) and mixed use (issue 20): two buildings in
two models, housing over a large commercial podium, and two IfcBuildings in one model with PV
panels the exporter left in the site. Each returns (submission.yaml document, models, expected
outcome)."""

from __future__ import annotations

from blocks import heat_pump, panel_grid, roof_slab
from builder import ROOF_LEVEL_M, Model, meta
from submission_data import CONSTRUCTION, energy, green, no_parking

SLAB_M = 0.3


def _roof_and_panels(m: Model, w: float, d: float, panels: int, storey=None) -> None:
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, w, d)
    panel_grid(m, (0.0, 0.0, w, d), panels, 5.0, 4.0, 10.0, storey=storey)
    heat_pump(m, (w - 2.0, 2.0, 0.0), m.ground)


def pass_two_buildings_xinjiangwan():
    a, b = Model("pass-two-buildings-xinjiangwan", "a.ifc"), Model("pass-two-buildings-xinjiangwan", "b.ifc")
    for m, name in ((a, "A座"), (b, "B座")):
        m.building.Name = name
        _roof_and_panels(m, 40.0, 30.0, 24)
    building = lambda bid, name, model: {"id": bid, "name": name, "gross_floor_area_m2": 12000,  # noqa: E731
                                         "uses": [{"use": "public_commercial"}], "models": [model],
                                         "declared": no_parking()}
    doc = meta("YP-2025-0520", "新江湾某商业街区A、B座新建工程", "New retail blocks A and B, Xinjiangwan",
               "public_commercial", "2025-10-09", ["a.ifc", "b.ifc"], zone="xinjiangwan", public_institution=False,
               green_building=green(2), energy=energy(renewable_substitution_rate_pct=11.0),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"],
               buildings=[building("A", "A座", "a.ifc"), building("B", "B座", "b.ifc")])
    return doc, [a, b], ("compliant: two 12000 m² buildings, each judged on its own — neither is a large public "
                         "building, so GB-2 (3-star in Xinjiangwan) applies to neither (the submission's 24000 m² "
                         "is not one building's); PV-2 (39.39 % each), RE-1, RE-2, GB-1 (2-star), PV-5, CON-1 pass")


def fail_housing_podium_binjiang():
    m = Model("fail-housing-podium-binjiang", "architecture.ifc")
    m.building.Name = "1号楼"
    _roof_and_panels(m, 60.0, 40.0, 40)
    doc = meta("YP-2025-0533", "杨浦滨江南段某住宅及商业裙房新建工程", "New housing over a retail podium, Binjiang South",
               "residential", "2025-10-20", ["architecture.ifc"], zone="binjiang_south", public_institution=False,
               declared=no_parking(), green_building=green(2), energy=energy(renewable_substitution_rate_pct=10.5),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"],
               buildings=[{"id": "T1", "name": "1号楼", "gross_floor_area_m2": 65000,
                           "uses": [{"use": "residential", "area_m2": 40000},
                                    {"use": "public_commercial", "area_m2": 25000}]}])
    return doc, [m], ("non_compliant: GB-2 — the 25000 m² commercial podium under the housing makes building 1号楼 "
                      "a large public building (≥ 20000 m²) in Binjiang South, which needs green 3-star; its scores "
                      "support 2-star. PV-2 applies to the podium's public use (32.79 % ≥ 30 %), RE-1, RE-2, GB-1, "
                      "PV-5, CON-1 pass")


def incomplete_two_buildings_one_model():
    m = Model("incomplete-two-buildings-one-model", "campus.ifc")
    m.building.Name = "1号楼"
    roof_slab(m, "1号楼屋面板 roof slab", 0.0, 0.0, 40.0, 30.0)
    panel_grid(m, (0.0, 0.0, 40.0, 15.0), 18, 5.0, 4.0, 10.0)
    panel_grid(m, (0.0, 15.0, 40.0, 30.0), 18, 5.0, 4.0, 10.0, prefix="PV-S", storey=m.site)
    heat_pump(m, (38.0, 2.0, 0.0), m.ground)
    second = m._spatial_child("IfcBuilding", "2号楼", m.site)
    roof2 = m._spatial_child("IfcBuildingStorey", "2号楼屋面层", second, ROOF_LEVEL_M)
    slab = m.add("IfcSlab", "2号楼屋面板 roof slab", storey=roof2, predefined="ROOF")
    m.box(slab, 30.0, 20.0, SLAB_M, (75.0, 10.0, ROOF_LEVEL_M))
    m.areas(slab, "Qto_SlabBaseQuantities", GrossArea=600.0)
    m.roof_m2 += 600.0
    heat_pump(m, (88.0, 2.0, ROOF_LEVEL_M), roof2)
    doc = meta("YP-2025-0547", "杨浦区某街道办事处及职工公寓新建工程", "New sub-district office and staff flats",
               "government_office", "2025-11-03", ["campus.ifc"], zone="dachuangzhi",
               declared=no_parking(), green_building=green(2), energy=energy(renewable_substitution_rate_pct=10.5),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"],
               buildings=[{"id": "B1", "name": "1号楼", "gross_floor_area_m2": 9000,
                           "uses": [{"use": "government_office"}], "declared": no_parking()},
                          {"id": "B2", "name": "2号楼", "gross_floor_area_m2": 6000,
                           "uses": [{"use": "residential"}], "public_institution": False,
                           "declared": no_parking()}])
    return doc, [m], ("incomplete: PV-1 for 1号楼 (a government office: a public institution by definition) — 18 "
                      "of the 36 arrays on its roof are contained in the site, not in the building (an exporter's "
                      "habit): they count for no building and are suspects, so its ratio is 29.55 % counting its "
                      "own and up to 59.09 % with them, which straddles 50 %: a reviewer decides. 2号楼 (housing) "
                      "needs no PV. RE-1 passes for both (a heat pump each); GB-1 and GB-3 (2-star), RE-2, PV-5, "
                      "CON-1 pass")


BUILDING_SAMPLES = {
    "pass-two-buildings-xinjiangwan": pass_two_buildings_xinjiangwan,
    "fail-housing-podium-binjiang": fail_housing_podium_binjiang,
    "incomplete-two-buildings-one-model": incomplete_two_buildings_one_model,
}
