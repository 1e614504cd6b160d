"""Samples for the full rule set beyond rooftop PV: data centres (DC-1/2); housing under the
ultra-low-energy target (ULE-1, EV-2), housing whose parking is not all charger-ready (EV-2
fails) and housing whose only heat pump has no stated source (RE-1 to a reviewer); large public
buildings in the 3-star zones (GB-2); malls and public-institution retrofits (EB-1..4, PI-1,
PV-3); a plant retrofit after 2026 (PV-4); a 2030 filing (RE-3, ULE-3); a parking garage (EV-1);
a yacht dock (EV-5); and a retrofit no rule covers. Each returns (submission.yaml document,
models, expected outcome); the filing date decides which dated rules apply.
"""

from __future__ import annotations

from blocks import (
    building_figures,
    charger_row,
    ground_floor,
    heat_pump,
    heat_recovery,
    panel_grid,
    parking_row,
    roof_slab,
    solar_collector,
    waste_heat_exchanger,
)
from builder import ROOF_LEVEL_M, Model, meta
from submission_data import CONSTRUCTION, audit, energy, green, no_parking, operation

BASEMENT = (("B1", -4.5), ("F1", 0.0), ("RF", ROOF_LEVEL_M))


def _building(m: Model, w: float, d: float, gfa: float | None = None) -> None:
    """Ground floor, external walls and one flat w × d roof slab; GFA on the building if given."""
    ground_floor(m, w, d)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, w, d)
    if gfa is not None:
        building_figures(m, gfa=gfa)


# -- data centres -------------------------------------------------------------------------------

def pass_data_centre():
    m = Model("pass-data-centre", "architecture.ifc")
    _building(m, 40.0, 30.0, gfa=16000.0)
    panel_grid(m, (0.0, 0.0, 40.0, 30.0), 31, 5.0, 4.0, 10.0)
    waste_heat_exchanger(m, (10.0, 5.0, 0.0), m.ground)
    doc = meta("YP-2025-0301", "杨浦区某云计算数据中心新建工程", "New cloud data centre in Yangpu", "data_centre",
               "2025-09-10", ["architecture.ifc"], zone="dachuanggu", public_institution=False,
               gross_floor_area_m2=16000, energy=energy(renewable_substitution_rate_pct=11.0, pue=1.25),
               measures=["prefabrication", "pv_storage_dc_flexible"])
    return doc, [m], ("compliant: DC-1 design PUE 1.25 ≤ 1.3; a data centre is a 工业厂房, so PV-1 applies: 31 "
                      "arrays of 5 × 4 m tilted 10° on the 1200 m² roof = 50.9 % ≥ 50 % (24 arrays, 39.4 %, failed it); "
                      "RE-1 (PV and data-centre waste-heat recovery in the model), RE-2, PV-5, CON-1 pass; the "
                      "green-building and EV rules do not cover a data centre")


def pass_data_centre_retrofit():
    m = Model("pass-data-centre-retrofit", "architecture.ifc")
    _building(m, 30.0, 20.0, gfa=9000.0)
    heat_recovery(m, (20.0, 15.0, ROOF_LEVEL_M + 1.0))
    doc = meta("YP-2025-0318", "杨浦区某既有数据中心节能升级改造", "Energy upgrade of an existing data centre in Yangpu",
               "data_centre", "2025-10-20", ["architecture.ifc"], kind="retrofit", public_institution=False,
               gross_floor_area_m2=9000, energy=energy(pue=1.38))
    return doc, [m], ("compliant: DC-2 (target) upgraded design PUE 1.38 ≤ 1.4; a data centre is a 工业厂房, so the "
                      "PV-3 target (50 % rooftop PV) applies and is missed (no PV; a target does not block); its "
                      "energy-recovery ventilator is an efficiency measure")


# -- housing under the ultra-low-energy target --------------------------------------------------

def pass_residential_2026():
    m = Model("pass-residential-2026", "architecture.ifc", storeys=BASEMENT)
    b1 = m.storeys["B1"]
    _building(m, 30.0, 15.0, gfa=18500.0)
    panel_grid(m, (0.0, 0.0, 30.0, 8.0), 8, 5.0, 2.0, 10.0)
    solar_collector(m, (25.0, 12.0, ROOF_LEVEL_M + 0.6))
    heat_pump(m, (5.0, 12.0, ROOF_LEVEL_M), m.roof_level, medium="AIR")
    parking_row(m, 12, b1, 0.0, 2.0, ready=12)
    charger_row(m, [(7, "AC"), (7, "AC")], b1, 0.0, 1.0)
    doc = meta("YP-2026-0042", "杨浦滨江中北段某住宅小区新建住宅楼", "New residential block, Yangpu riverside (middle-north)",
               "residential", "2026-03-16", ["architecture.ifc"], zone="binjiang_middle_north",
               public_institution=False, applicant="上海某房地产开发有限公司", gross_floor_area_m2=18500,
               green_building=green(1),
               energy=energy(renewable_substitution_rate_pct=13.0, energy_class="ultra_low", design_saving_rate_pct=55),
               measures=["fully_fitted", "prefabrication", "pv_storage_dc_flexible"])
    return doc, [m], ("compliant: filed 2026: ULE-1 (target) ultra-low-energy supported by a 55 % saving; EV-2 all "
                      "12 spaces charger-ready; RE-1 (PV, solar thermal, air-source heat pump), GB-1 (1-star), "
                      "PV-5, CON-1 pass; RE-3 (target, from 2026) 13 % < 15 % is not met and does not block")


def fail_residential_chargers_not_ready():
    m = Model("fail-residential-chargers-not-ready", "architecture.ifc", storeys=BASEMENT)
    b1 = m.storeys["B1"]
    _building(m, 36.0, 15.0, gfa=15600.0)
    panel_grid(m, (0.0, 0.0, 36.0, 8.0), 12, 5.0, 2.0, 10.0)
    heat_pump(m, (30.0, 12.0, -4.5), b1)
    parking_row(m, 12, b1, 2.0, 2.0, ready=12)
    parking_row(m, 12, b1, 2.0, 13.3, first=13)                     # the second row was forgotten
    doc = meta("YP-2025-0466", "杨浦区某住宅小区新建住宅楼（二期）", "New residential blocks, phase 2 of a housing estate in Yangpu",
               "residential", "2025-12-08", ["architecture.ifc"], zone="huan_tongji", public_institution=False,
               applicant="上海某房地产开发有限公司", gross_floor_area_m2=15600, green_building=green(1),
               energy=energy(renewable_substitution_rate_pct=10.2),
               measures=["fully_fitted", "prefabrication", "pv_storage_dc_flexible"])
    return doc, [m], ("non_compliant: EV-2 only 12 of the 24 parking spaces are charger-ready "
                      "(YP_ParkingSpace.ChargerReady), every one must be; RE-1 (PV, ground-source heat pump), "
                      "RE-2, GB-1, PV-5, CON-1 pass")


def incomplete_heat_pump_source():
    m = Model("incomplete-heat-pump-source", "architecture.ifc")
    _building(m, 30.0, 12.0, gfa=8200.0)
    heat_pump(m, (25.0, 8.0, ROOF_LEVEL_M), m.roof_level, medium=None)
    m.remark = "a heat pump (ObjectType 'HeatPump') without YP_HeatPump.SourceMedium; no other renewable"
    doc = meta("YP-2025-0471", "杨浦区某人才公寓新建工程", "New talent apartments in Yangpu", "residential", "2025-12-15",
               ["architecture.ifc"], zone="changyang_valley", public_institution=False, gross_floor_area_m2=8200,
               declared=no_parking(), green_building=green(1), energy=energy(renewable_substitution_rate_pct=10.0),
               measures=["fully_fitted", "near_zero_carbon_pilot"])
    return doc, [m], ("incomplete: RE-1 needs manual review: the only renewable candidate is a heat pump without "
                      "YP_HeatPump.SourceMedium, so whether it uses a renewable source cannot be told; PV-5 "
                      "(encouraged: no BIPV or 光储直柔) is missed and does not block; RE-2, GB-1, ULE-4 (Changyang "
                      "Valley pilot), CON-1 pass")


# -- large public buildings: the 3-star zones -----------------------------------------------------

def fail_binjiang_office():
    m = Model("fail-binjiang-office", "architecture.ifc", storeys=BASEMENT)
    b1 = m.storeys["B1"]
    _building(m, 50.0, 40.0, gfa=32000.0)
    panel_grid(m, (0.0, 0.0, 50.0, 40.0), 36, 5.0, 4.0, 10.0)
    heat_pump(m, (45.0, 30.0, -4.5), b1)
    parking_row(m, 15, b1, 2.0, 2.0, ready=6)
    parking_row(m, 15, b1, 2.0, 13.3, first=16)
    charger_row(m, [(7, "AC")] * 4 + [(120, "DC")] * 2, b1, 2.0, 1.0)
    doc = meta("YP-2025-0412", "杨浦滨江南段某总部办公楼", "New headquarters office building, Binjiang South",
               "public_office", "2025-11-12", ["architecture.ifc"], zone="binjiang_south", public_institution=False,
               applicant="上海某建筑设计有限公司", gross_floor_area_m2=32000,
               green_building=green(2, claimed="3-star"), energy=energy(renewable_substitution_rate_pct=11.5),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"])
    return doc, [m], ("non_compliant: GB-2 requires green 3-star for a new large public building (32000 m² ≥ "
                      "20000 m²) in Binjiang South; 3-star is claimed but the scores (Q = 76) support 2-star "
                      "(green.claim_unsupported); GM-1 (encouraged) is missed too and does not block; PV-2, RE-1, "
                      "RE-2, GB-1, EV-3 (6 for 30 spaces), EV-4 (2 DC of 6), PV-5, CON-1 pass")


def pass_xinjiangwan_mall():
    m = Model("pass-xinjiangwan-mall", "architecture.ifc", storeys=BASEMENT)
    b1 = m.storeys["B1"]
    _building(m, 60.0, 40.0, gfa=46000.0)
    panel_grid(m, (0.0, 0.0, 60.0, 40.0), 40, 5.0, 4.0, 10.0)
    heat_pump(m, (50.0, 30.0, -4.5), b1, medium="WATER")
    parking_row(m, 10, b1, 2.0, 2.0, ready=4)
    parking_row(m, 10, b1, 2.0, 13.3, first=11)
    charger_row(m, [(7, "AC"), (7, "AC"), (60, "DC"), (60, "DC")], b1, 2.0, 1.0)
    doc = meta("YP-2026-0107", "新江湾城某商业综合体新建工程", "New commercial complex, Xinjiangwan", "commercial_complex",
               "2026-04-08", ["architecture.ifc"], zone="xinjiangwan", public_institution=False,
               applicant="上海某商业地产开发有限公司", gross_floor_area_m2=46000,
               green_building=green(3, certificate="沪绿建预评〔2026〕0107号"),
               energy=energy(renewable_substitution_rate_pct=12.0, energy_class="ultra_low", design_saving_rate_pct=52),
               measures=[*CONSTRUCTION, "prefabrication", "pv_storage_dc_flexible"])
    return doc, [m], ("compliant: GB-2 3-star (Q = 90) for a new large public building (46000 m²) in Xinjiangwan; "
                      "PV-2, RE-1 (PV, water-source heat pump), GB-1, ULE-2 (ultra-low-energy, 2026), EV-3 "
                      "(4 for 20 spaces), EV-4 (2 DC of 4), PV-5, CON-1 pass; RE-3 (target, from 2026) 12 % < 15 % is "
                      "not met and does not block")


# -- existing buildings -------------------------------------------------------------------------------

def pass_mall_retrofit():
    m = Model("pass-mall-retrofit", "architecture.ifc")
    _building(m, 80.0, 60.0, gfa=125000.0)
    doc = meta("YP-2026-0133", "五角场某商业综合体绿色商场改造", "Green-mall retrofit of a commercial complex, Wujiaochang",
               "commercial_complex", "2026-05-18", ["architecture.ifc"], kind="retrofit", zone="wujiaochang",
               public_institution=False, applicant="上海某商业管理有限公司", gross_floor_area_m2=125000,
               energy=energy(baseline_energy_kwh_per_year=21500000, design_energy_kwh_per_year=17630000,
                             audit=audit("杨浦区公共建筑能源审计报告 YPNS-2025-031")),
               measures=["green_mall"])
    return doc, [m], ("compliant: EB-1 energy audit on file (125000 m² > 10000 m²); EB-2 (target) 18 % saving; "
                      "EB-3 (> 100000 m²) and EB-4 (every commercial complex, from 2026) green mall")


def pass_institution_office_retrofit():
    m = Model("pass-institution-office-retrofit", "architecture.ifc")
    _building(m, 50.0, 30.0, gfa=14500.0)
    panel_grid(m, (0.0, 0.0, 50.0, 30.0), 40, 5.0, 4.0, 10.0)
    doc = meta("YP-2025-0355", "杨浦区某政府机关办公楼节能改造", "Energy retrofit of a government office building in Yangpu",
               "government_office", "2025-08-12", ["architecture.ifc"], kind="retrofit", zone="dachuangzhi",
               gross_floor_area_m2=14500,
               energy=energy(baseline_energy_kwh_per_year=2150000, design_energy_kwh_per_year=1780000,
                             audit=audit("杨浦区公共机构能源审计报告 YPGJ-2025-012")),
               operation=operation((12.0, 480.0, 28.0, 30.0), (11.2, 440.0, 25.5, 27.5)))
    return doc, [m], ("compliant: PV-3 (target) 52.52 % ≥ 50 % on an existing public-institution roof; EB-1 audit on "
                      "file (14500 m²); EB-2 (target) 17.21 % saving; PI-1 (target) energy/m² −6.67 %, energy/person "
                      "−8.33 %, water/person −8.93 %, carbon/m² −8.33 % vs 2020; PV-4 starts in 2026")


def pass_plant_retrofit_2026():
    m = Model("pass-plant-retrofit-2026", "architecture.ifc")
    _building(m, 50.0, 30.0)
    panel_grid(m, (0.0, 0.0, 50.0, 30.0), 48, 5.0, 4.0, 10.0)
    doc = meta("YP-2026-0021", "杨浦区某机械加工厂房屋顶光伏改造", "Rooftop PV retrofit of a machining plant in Yangpu",
               "industrial_plant", "2026-02-03", ["architecture.ifc"], kind="retrofit", zone="jiangpu_road",
               public_institution=False, applicant="上海某工业建筑设计院有限公司", gross_floor_area_m2=8000,
               declared={"roof_area_m2": round(m.roof_m2, 2), "suitable_roof_area_m2": 940.0,
                         "pv_area_m2": round(m.pv_m2, 2)})
    return doc, [m], (f"compliant: PV-3 (target) {m.pv_m2 / m.roof_m2 * 100:.2f} % ≥ 50 %; PV-4 (target, from 2026) "
                      f"the PV covers the whole declared suitable roof area ({m.pv_m2:.2f} m² ≥ 940 m²)")


# -- a 2030 filing -------------------------------------------------------------------------------------

def pass_office_2030():
    m = Model("pass-office-2030", "architecture.ifc")
    _building(m, 40.0, 25.0, gfa=12000.0)
    panel_grid(m, (0.0, 0.0, 40.0, 25.0), 16, 5.0, 4.0, 10.0)
    heat_pump(m, (35.0, 20.0, 0.0), m.ground)
    doc = meta("YP-2030-0015", "杨浦区某软件园研发办公楼", "R&D office building, a software park in Yangpu", "public_office",
               "2030-03-05", ["architecture.ifc"], public_institution=False, gross_floor_area_m2=12000,
               declared=no_parking(), green_building=green(1),
               energy=energy(renewable_substitution_rate_pct=16.5, energy_class="nearly_zero", design_saving_rate_pct=62),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"])
    return doc, [m], ("compliant: filed 2030: ULE-3 (mandatory) nearly-zero-energy supported by a 62 % saving; RE-3 "
                      "(target) 16.5 % ≥ 15 %; PV-2 31.51 %, RE-1, GB-1 (1-star), PV-5, CON-1 pass; RE-2 and ULE-2 "
                      "ended in 2029; no zone")


# -- parking and docks ----------------------------------------------------------------------------------

def fail_parking_garage():
    m = Model("fail-parking-garage", "architecture.ifc")
    _building(m, 40.0, 20.0, gfa=5200.0)
    panel_grid(m, (0.0, 0.0, 40.0, 20.0), 14, 5.0, 2.0)          # PV canopy on the roof deck
    parking_row(m, 8, m.ground, 2.0, 2.0, ready=4)
    parking_row(m, 8, m.ground, 2.0, 12.0, first=9)
    charger_row(m, [(7, "AC"), (7, "AC"), (7, "AC"), (60, "DC")], m.ground, 2.0, 1.0)
    doc = meta("YP-2025-0290", "杨浦区某公共停车库新建工程", "New public parking garage in Yangpu", "parking",
               "2025-06-30", ["architecture.ifc"], zone="jiangpu_road", public_institution=False,
               gross_floor_area_m2=5200, measures=["prefabrication", "pv_storage_dc_flexible"])
    return doc, [m], ("non_compliant: a public garage is a public facility, so EV-4 applies: 1 DC charger of 4 = "
                      "25 % < 30 % fast; EV-1 (4 charging points in the model), EV-3 (4 for 16 spaces = 25 % ≥ 15 %), "
                      "PV-5, CON-1 pass; RE-1/RE-2 and the green-building rules do not cover parking facilities")


def incomplete_yacht_dock():
    m = Model("incomplete-yacht-dock", "architecture.ifc")
    _building(m, 20.0, 10.0)
    panel_grid(m, (0.0, 0.0, 20.0, 10.0), 6, 5.0, 2.0)
    doc = meta("YP-2025-0377", "杨浦滨江南段某游艇码头配套用房", "Service building of a new yacht dock, Binjiang South", "dock",
               "2025-09-25", ["architecture.ifc"], zone="binjiang_south", public_institution=False,
               gross_floor_area_m2=600, measures=["shore_power", "bipv", "green_construction"])
    return doc, [m], ("incomplete: a dock's service building is a new public building, so GB-1 applies and no "
                      "green-building data is given (missing data), and EV-3 and EV-4 apply where there is parking and "
                      "the parking is not stated (missing data); PV-2 (6 arrays of 10 m² on the 200 m² roof = 30 %), RE-1 "
                      "(the PV), EV-5 (encouraged) shore power, PV-5, CON-1 pass")


def na_parking_retrofit():
    m = Model("na-parking-retrofit", "architecture.ifc")
    _building(m, 30.0, 15.0, gfa=3000.0)
    parking_row(m, 10, m.ground, 2.0, 2.0)
    doc = meta("YP-2025-0391", "杨浦区某小区地面停车场改造", "Retrofit of a residential surface car park in Yangpu", "parking",
               "2025-10-01", ["architecture.ifc"], kind="retrofit", public_institution=False,
               gross_floor_area_m2=3000)
    return doc, [m], ("compliant (not applicable): no rule covers the retrofit of a parking facility that is not a "
                      "public institution")


RULE_SAMPLES = {
    "pass-data-centre": pass_data_centre,
    "pass-data-centre-retrofit": pass_data_centre_retrofit,
    "pass-residential-2026": pass_residential_2026,
    "fail-residential-chargers-not-ready": fail_residential_chargers_not_ready,
    "incomplete-heat-pump-source": incomplete_heat_pump_source,
    "fail-binjiang-office": fail_binjiang_office,
    "pass-xinjiangwan-mall": pass_xinjiangwan_mall,
    "pass-mall-retrofit": pass_mall_retrofit,
    "pass-institution-office-retrofit": pass_institution_office_retrofit,
    "pass-plant-retrofit-2026": pass_plant_retrofit_2026,
    "pass-office-2030": pass_office_2030,
    "fail-parking-garage": fail_parking_garage,
    "incomplete-yacht-dock": incomplete_yacht_dock,
    "na-parking-retrofit": na_parking_retrofit,
}
