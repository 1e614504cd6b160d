"""Samples for the evidence the checker reads beyond roof and PV quantities: units (mm, m, feet),
areas from geometry only, findings (zero roof area, panels off the roof, declared figures that
disagree with the model), building figures, parking, charging points, renewable systems, and
broken model files. Each returns (submission.yaml document, models, expected outcome).
"""

from __future__ import annotations

import math

from blocks import (
    arrays_school,
    building_figures,
    decoy_room,
    ev_charger,
    ground_floor,
    heat_pump,
    heat_recovery,
    inverter_room,
    panel_grid,
    parking_space,
    pv_peak,
    pv_type,
    roof_slab,
    solar_collector,
)
from builder import FIXED_STAMP, ROOF_LEVEL_M, SYSTEMS, Model, RawFile, Truncated, meta
from submission_data import CONSTRUCTION, energy, green, green_basic, no_parking

CAMPUS_STOREYS = (("B1", -4.5), ("F1", 0.0), ("F2", 6.0), ("F3", 12.0))
CAMPUS_GFA = {"B1": 2400.0, "F1": 2400.0, "F2": 2400.0, "F3": 2400.0}
ARRAY_W = 4200.0                      # one 5 × 4 m array: 20 m² at 210 W/m²
SLOPE_B = 5.0                         # roof slab B's slope, degrees


def declared(m: Model) -> dict:
    """The `declared:` block of a designer who states exactly what the model holds."""
    f = m.figures
    return {"roof_area_m2": round(m.roof_m2, 2), "pv_area_m2": round(m.pv_m2, 2),
            "pv_peak_power_kw": round(m.peak_kw(), 2), "storeys_above_ground": f["storeys_above"],
            "parking_spaces": f["parking"], "charging_points": f["chargers_ac"] + f["chargers_dc"],
            "fast_charging_points": f["chargers_dc"], "charger_ready_spaces": f["charger_ready"],
            "renewable_systems": ["pv", *(k for k in SYSTEMS if f[k])]}


# -- one campus office building, in three unit systems ------------------------------------------

def campus(sample: str, schema: str = "IFC4", units: str = "m", power_kw: bool = False) -> Model:
    """60 × 40 m, B1 + F1-F3. Roof: an IfcRoof of a flat slab A (60 × 30 m) and a slab B sloped
    5° (60 × 10 m projected) = 2400 m² projected; 66 PV arrays of 5 × 4 m tilted 10° on slab A."""
    m = Model(sample, "architecture.ifc", schema, units=units, power_kw=power_kw, storeys=CAMPUS_STOREYS)
    b1 = m.storeys["B1"]
    ground_floor(m, 60.0, 40.0)
    base = m.add("IfcSlab", "地下室底板 basement slab", storey=b1, predefined="BASESLAB")
    m.box(base, 60.0, 40.0, 0.5, (30.0, 20.0, -5.0))
    m.areas(base, "Qto_SlabBaseQuantities", GrossArea=2400.0)

    roof = m.add("IfcRoof", "屋面 roof", predefined="FLAT_ROOF")
    m.place(roof, (0.0, 0.0, ROOF_LEVEL_M))
    roof_slab(m, "屋面板 A roof slab A", 0.0, 0.0, 60.0, 30.0, parent=roof)
    depth_b = 10.0 / math.cos(math.radians(SLOPE_B))
    roof_slab(m, "屋面板 B roof slab B (5° slope)", 0.0, 35.0 - depth_b / 2, 60.0, depth_b, parent=roof,
              tilt=SLOPE_B, z=ROOF_LEVEL_M + 0.45)
    m.areas(roof, "Qto_RoofBaseQuantities", GrossArea=1800.0 + 60.0 * depth_b, ProjectedArea=2400.0)
    panels = panel_grid(m, (0.0, 0.0, 60.0, 30.0), 66, 5.0, 4.0, 10.0)
    pv_type(m, panels[:33], "PV array 5×4 m 4.2 kWp", peak_w=ARRAY_W)    # peak power on the type
    for panel in panels[33:]:
        pv_peak(m, panel, ARRAY_W)                                       # ... or on the occurrence
    for panel in panels[:3]:
        pv_peak(m, panel, 4000.0)                   # an occurrence's own figure wins over its type's

    building_figures(m, occupancy="政府办公 government office", storey_gfa=CAMPUS_GFA,
                     gfa=sum(CAMPUS_GFA.values()), storeys_declared=3)
    for i in range(10):                             # two rows of 10 spaces either side of an aisle
        parking_space(m, f"车位 P-{i + 1:02d}", 2.0 + 2.5 * i, 2.0, b1, ready=False)
    parking_space(m, "车道 drive aisle", 2.0, 7.3, b1, w=25.0, d=6.0, aisle=True)
    for i in range(10):
        parking_space(m, f"车位 P-{i + 11:02d}", 2.0 + 2.5 * i, 13.3, b1, ready=i < 8)
    parking_space(m, "机械车位 P-21 stacker (3 cars)", 28.0, 2.0, b1, w=3.0, d=6.0, units=3, ready=False)
    office = m.add("IfcSpace", "停车管理室 parking attendant office", parent=b1, predefined="INTERNAL")
    m.box(office, 4.0, 4.0, 2.4, (35.0, 4.0, -4.5))
    for i in range(6):                              # wall-mounted in front of P-01 ... P-06
        dc = i >= 4
        ev_charger(m, f"充电桩 {'DC' if dc else 'AC'}-{i + 1} {'60' if dc else '7'} kW", (3.25 + 2.5 * i, 1.0, -4.5),
                   b1, watts=60000.0 if dc else 7000.0, current="DC" if dc else "AC")

    solar_collector(m, (10.0, 35.0, ROOF_LEVEL_M + 1.2))
    heat_pump(m, (45.0, 10.0, -4.5), b1)
    heat_recovery(m, (50.0, 35.0, ROOF_LEVEL_M + 1.0))
    inverter_room(m)
    decoy_room(m, "Heat pump plant room 热泵机房", (45.0, 10.0, -4.5), b1, 10.0, 8.0)
    decoy_room(m, "EV charger spare room 充电设备备用间", (40.0, 25.0, -4.5), b1)
    return m


def _campus_sample(model: Model, suffix: str, unit_note: str):
    doc = meta(f"YP-2025-0150-{suffix}", "杨浦滨江某政务服务中心新建办公楼",
               "New office building of a government service centre, Yangpu riverside", "government_office",
               "2025-04-15", ["architecture.ifc"], zone="binjiang_south", gross_floor_area_m2=model.figures["gfa_m2"],
               declared=declared(model), green_building=green(3, certificate="沪绿建预评〔2025〕0150号"),
               energy=energy(renewable_substitution_rate_pct=15.0),
               measures=[*CONSTRUCTION, "prefabrication", "pv_storage_dc_flexible"])
    return doc, [model], (f"compliant: PV-1 ≥ 50 % and every declared figure matches the model ({unit_note}); "
                          "EV-3 (6 chargers for 23 spaces), EV-4 (2 DC of 6), RE-1 (four types), RE-2, GB-1, GB-3 "
                          "(public-institution office ≥ 2-star) and GM-1 (3-star in Binjiang South), PV-5, CON-1 "
                          "pass; GB-2 does not apply (9600 m² < 20000 m²)")


def pass_campus_office_mm():
    return _campus_sample(campus("pass-campus-office-mm", units="mm"), "MM", "IFC4, millimetres, areas in m²")


def pass_campus_office_m():
    return _campus_sample(campus("pass-campus-office-m"), "M", "IFC4, metres")


def pass_campus_office_ifc4x3_ft():
    m = campus("pass-campus-office-ifc4x3-ft", schema="IFC4X3", units="ft", power_kw=True)
    return _campus_sample(m, "FT", "IFC4X3, feet and square feet, power in kW, chargers as RECHARGER")


# -- roof and PV areas that need more than a quantity ---------------------------------------------

def pass_school_geometry_only():
    m = Model("pass-school-geometry-only", "architecture.ifc")
    ground_floor(m, 40.0, 30.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 40.0, 30.0, quantities=False)
    panel_grid(m, (0.0, 0.0, 40.0, 30.0), 36, 5.0, 4.0, 10.0, quantities=False)
    edge = 36 * 5.0 * 0.04 * math.sin(math.radians(10.0))
    m.remark = (f"no area quantities on the roof or the panels: areas from geometry (the panels' tilted "
                f"0.04 m edges add {edge:.2f} m² to their projection)")
    doc = meta("YP-2025-0166", "杨浦区某九年一贯制学校新建教学楼", "New teaching building, a nine-year school in Yangpu",
               "school", "2025-07-02", ["architecture.ifc"], zone="huan_tongji", gross_floor_area_m2=7600,
               declared=no_parking(), green_building=green_basic("沪绿建预评〔2025〕0166号"),
               energy=energy(renewable_substitution_rate_pct=10.8), measures=[*CONSTRUCTION, "bipv"])
    return doc, [m], ("compliant: PV-1 ≥ 50 % with the roof and panel areas computed from the geometry; RE-1, "
                      "RE-2, GB-1 (basic, by certificate), PV-5, CON-1 pass")


def incomplete_zero_roof():
    m = Model("incomplete-zero-roof", "architecture.ifc")
    ground_floor(m, 50.0, 25.0)
    roof_slab(m, "屋面板 A roof slab A", 0.0, 0.0, 40.0, 25.0)
    roof_slab(m, "屋面板 B roof slab B", 40.0, 0.0, 10.0, 25.0, gross_area=0.0)
    panel_grid(m, (0.0, 0.0, 40.0, 25.0), 28, 5.0, 4.0, 10.0)
    m.remark = (f"slab B's GrossArea is 0.0 but its body is 10 × 25 m; counted as zero the ratio "
                f"would pass at {m.pv_m2 / 1000.0 * 100:.2f} %")
    doc = meta("YP-2025-0171", "杨浦区某小学新建风雨操场", "New covered playground, a primary school in Yangpu",
               "school", "2025-07-10", ["architecture.ifc"], zone="wujiaochang", gross_floor_area_m2=1250,
               declared=no_parking(), green_building=green(3), energy=energy(renewable_substitution_rate_pct=11.0),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"])
    return doc, [m], ("incomplete: PV-1 needs manual review: a roof slab's area quantity is 0.0 (area.zero); "
                      "every other rule that applies passes")


def incomplete_panels_off_roof():
    m = Model("incomplete-panels-off-roof", "architecture.ifc")
    ground_floor(m, 30.0, 20.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 30.0, 20.0)
    panel_grid(m, (0.0, 0.0, 30.0, 20.0), 12, 5.0, 4.0, 10.0)
    on_roof = m.pv_m2
    panel_grid(m, (40.0, 0.0, 70.0, 20.0), 12, 5.0, 4.0, 10.0, prefix="地面光伏 GPV", z=0.6, storey=m.site)
    m.remark = (f"12 of the 24 panels ({m.pv_m2 - on_roof:.2f} m²) stand on the ground east of the building; "
                f"on the roof alone: {on_roof:.2f} m² = {on_roof / m.roof_m2 * 100:.2f} %")
    doc = meta("YP-2025-0180", "杨浦区某幼儿园新建园舍", "New building of a kindergarten in Yangpu",
               "school", "2025-08-04", ["architecture.ifc"], zone="xinjiangwan", gross_floor_area_m2=1800,
               declared=no_parking(), green_building=green(2), energy=energy(renewable_substitution_rate_pct=12.0),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"])
    return doc, [m], ("incomplete: PV-1 needs manual review: half the panels are not on the roof (pv.off_roof); "
                      "every other rule that applies passes")


def incomplete_metadata_mismatch():
    m = Model("incomplete-metadata-mismatch", "architecture.ifc")
    arrays_school(m)
    building_figures(m, occupancy="小学 primary school", gfa=10000.0)
    m.remark = "declared roof 1170 m² (+30 %) and GFA 12000 m² (+20 %) disagree with the model"
    doc = meta("YP-2025-0192", "杨浦区某小学新建综合楼", "New multi-purpose building, a primary school in Yangpu",
               "school", "2025-08-21", ["architecture.ifc"], zone="dachuangzhi", gross_floor_area_m2=12000.0,
               declared={"roof_area_m2": round(m.roof_m2 * 1.3, 2), "pv_area_m2": round(m.pv_m2, 2), **no_parking()},
               green_building=green(2, claimed="basic", full_fit_out=False),
               energy=energy(renewable_substitution_rate_pct=11.5), measures=[*CONSTRUCTION, "pv_storage_dc_flexible"])
    return doc, [m], ("incomplete: PV-1 needs manual review: the declared roof area and gross floor area disagree "
                      "with the model (metadata.mismatch); every other rule that applies passes (GB-1: basic, "
                      "the scores reach 2-star but the fit-out is not full)")


# -- model files the checker must refuse (exit status 2, one message naming the file) ------------

NOT_IFC = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
           b"% a drawing set saved as architecture.ifc by mistake: this is not an IFC model\n%%EOF\n")
IFC2X2 = """ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
FILE_NAME('architecture.ifc','{stamp}',('Yangpu compliance samples'),('ifc_samples/generate.py'),'','','');
FILE_SCHEMA(('IFC2X2_FINAL'));
ENDSEC;
DATA;
#1=IFCPERSON($,'Sample','Generator',$,$,$,$,$);
#2=IFCORGANIZATION($,'Yangpu samples',$,$,$);
#3=IFCPERSONANDORGANIZATION(#1,#2,$);
#4=IFCAPPLICATION(#2,'1.0','Yangpu compliance sample generator','yangpu-samples');
#5=IFCOWNERHISTORY(#3,#4,$,.ADDED.,$,$,$,1735660800);
#6=IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);
#7=IFCUNITASSIGNMENT((#6));
#8=IFCPROJECT('1kTvXnbbzCWw8lcMd1dR4o',#5,'error-unsupported-schema',$,$,$,$,$,#7);
ENDSEC;
END-ISO-10303-21;
"""


def _error_meta(id_: str, name: str, name_en: str) -> dict:
    return meta(id_, name, name_en, "school", "2025-09-01", ["architecture.ifc"], zone="kic", gross_floor_area_m2=6400)


def error_truncated_model():
    m = Model("error-truncated-model", "architecture.ifc")
    ground_floor(m, 40.0, 25.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 40.0, 25.0)
    panel_grid(m, (0.0, 0.0, 40.0, 25.0), 50, 5.0, 2.0)
    doc = _error_meta("YP-2025-0201", "杨浦区某小学校舍改建工程（上传中断）", "School building, upload interrupted")
    return doc, [Truncated(m)], "error: architecture.ifc is cut short in its DATA section (exit 2, one message naming it)"


def error_not_ifc():
    doc = _error_meta("YP-2025-0202", "杨浦区某小学校舍新建工程（文件错误）", "School building, wrong file uploaded")
    return doc, [RawFile("architecture.ifc", NOT_IFC)], "error: architecture.ifc is a PDF, not an IFC model (exit 2)"


def error_unsupported_schema():
    data = IFC2X2.format(stamp=FIXED_STAMP).encode("ascii")
    doc = _error_meta("YP-2025-0203", "杨浦区某小学校舍新建工程（旧版本导出）", "School building, exported as IFC2X2")
    return doc, [RawFile("architecture.ifc", data)], "error: architecture.ifc is IFC2X2_FINAL, not a supported schema (exit 2)"


EVIDENCE_SAMPLES = {
    "pass-campus-office-mm": pass_campus_office_mm,
    "pass-campus-office-m": pass_campus_office_m,
    "pass-campus-office-ifc4x3-ft": pass_campus_office_ifc4x3_ft,
    "pass-school-geometry-only": pass_school_geometry_only,
    "incomplete-zero-roof": incomplete_zero_roof,
    "incomplete-panels-off-roof": incomplete_panels_off_roof,
    "incomplete-metadata-mismatch": incomplete_metadata_mismatch,
    "error-truncated-model": error_truncated_model,
    "error-not-ifc": error_not_ifc,
    "error-unsupported-schema": error_unsupported_schema,
}
