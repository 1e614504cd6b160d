"""Generate the bundled sample submissions (submission.yaml + IFC models), deterministically.

    .venv/bin/python ifc_samples/generate.py [--out DIR] [--examples-out DIR]

writes the samples to this folder (or --out DIR) and, unless --out is given, the per-rule
examples to features/examples/ (ifc_samples/examples.py; or --examples-out DIR).

Each sample folder's name starts with its expected verdict (pass-, fail-, incomplete-, na-, and
error- for models the checker must refuse with exit status 2). Running the script twice writes
byte-identical files: GlobalIds are uuid5 values derived from the sample, model and creation
order, the STEP header carries a fixed time stamp and IFC2X3 owner histories carry a fixed date
(IFC4 models have no owner history at all).

The model and its file writing are in builder.py, the building blocks in blocks.py, and the
samples for the evidence the checker reads beyond roof and PV quantities (units, geometry,
building figures, parking, chargers, systems, declared figures, broken models) in
samples_evidence.py, the samples for the rest of the rule set (data centres, housing, malls,
retrofits, parking, docks, dated rules) in samples_rules.py and the metadata blocks they share
(green-building scores, energy figures, measures) in submission_data.py; this file holds the
original samples and writes them all.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:            # run as a script from any working directory
    sys.path.insert(0, str(HERE))

from blocks import (  # noqa: E402
    arrays_school,
    bipv_strips,
    building_figures,
    charger_row,
    ground_floor,
    heat_pump,
    inverter_room,
    panel_grid,
    parking_row,
    roof_slab,
)
from builder import ROOF_LEVEL_M, SYSTEMS, Model, meta, write_submission  # noqa: E402
from samples_buildings import BUILDING_SAMPLES  # noqa: E402
from samples_evidence import EVIDENCE_SAMPLES  # noqa: E402
from samples_rules import RULE_SAMPLES  # noqa: E402
from submission_data import CONSTRUCTION, energy, green, green_basic, no_parking  # noqa: E402

# -- the samples ------------------------------------------------------------------------------

def pass_school():
    m = Model("pass-school", "architecture.ifc")
    arrays_school(m)
    doc = meta("YP-2025-0012", "杨浦区某小学新建教学楼", "New teaching building, a primary school in Yangpu",
               "school", "2025-03-18", ["architecture.ifc"], zone="xinjiangwan", gross_floor_area_m2=12800,
               declared=no_parking(), green_building=green(2), energy=energy(renewable_substitution_rate_pct=12.5),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"])
    return doc, [m], ("compliant: PV-1 needs ≥ 50 %; the solar collector is not PV (but counts for RE-1); "
                      "RE-2, GB-1 (2-star), PV-5 and CON-1 pass; no parking, so EV-3/EV-4 do not apply; "
                      "GB-2 does not apply (12800 m² < 20000 m²)")


def fail_office():
    arch = Model("fail-office", "architecture.ifc", millimetres=True)
    ground_floor(arch, 45.0, 30.0)
    roof_slab(arch, "屋面板 roof slab", 0.0, 0.0, 45.0, 30.0)
    mep = Model("fail-office", "mep.ifc", millimetres=True)
    panel_grid(mep, (0.0, 0.0, 45.0, 30.0), 28, 5.0, 2.0, 15.0)
    inverter_room(mep)
    parking_row(arch, 10, arch.ground, 50.0, 2.0, ready=4)              # surface parking east of the building
    parking_row(arch, 10, arch.ground, 50.0, 13.3, first=11)
    charger_row(mep, [(7, "AC"), (7, "AC"), (60, "DC"), (60, "DC")], mep.ground, 50.0, 1.0)
    building_figures(arch, gfa=21500.0)
    doc = meta("YP-2024-0457", "杨浦区某科技园研发办公楼", "R&D office building, a technology park in Yangpu",
               "public_office", "2024-11-05", ["architecture.ifc", "mep.ifc"], zone="changyang_valley",
               public_institution=False, applicant="上海某工程设计咨询有限公司", gross_floor_area_m2=21500,
               green_building=green(1), measures=[*CONSTRUCTION, "pv_storage_dc_flexible", "near_zero_carbon_pilot"])
    return doc, [arch, mep], ("non_compliant: PV-2 needs ≥ 30 % (roof in architecture.ifc, panels in mep.ifc, mm units); "
                              "every other rule that applies passes: RE-1 (PV), GB-1 (1-star), EV-3 (4 chargers for "
                              "20 spaces), EV-4 (2 DC), ULE-4 (Changyang Valley pilot), PV-5, CON-1; GB-2 does not "
                              "apply outside Binjiang South / Xinjiangwan; RE-2 (target, 2022-12-31 to 2025-12-31) lacks the "
                              "substitution rate and does not block")


def incomplete_plant():
    m = Model("incomplete-plant", "architecture.ifc")
    ground_floor(m, 60.0, 60.0)
    roof = m.add("IfcRoof", "厂房屋面 plant roof", predefined="FLAT_ROOF")
    for i, y0 in ((1, 0.0), (2, 30.0)):    # no area quantity and no body: the geometry cannot tell it either
        roof_slab(m, f"屋面板 {i} roof slab {i}", 0.0, y0, 60.0, 30.0, parent=roof, quantities=False, body=False)
    panel_grid(m, (0.0, 0.0, 60.0, 60.0), 100, 5.0, 4.0, 10.0)
    m.roof_missing = True
    doc = meta("YP-2025-0103", "杨浦区某智能制造产业园新建厂房", "New factory building, a smart-manufacturing park in Yangpu",
               "industrial_plant", "2025-05-20", ["architecture.ifc"], zone="dachuanggu",
               public_institution=False, gross_floor_area_m2=7200,
               energy=energy(renewable_substitution_rate_pct=11.0), measures=["prefabrication", "pv_storage_dc_flexible"])
    return doc, [m], ("incomplete: PV-1 lacks data: the roof slabs carry neither an area quantity nor a body; "
                      "RE-1, RE-2, PV-5 and CON-1 pass")


def pass_factory_ifc2x3():
    m = Model("pass-factory-ifc2x3", "factory.ifc", schema="IFC2X3")
    ground_floor(m, 60.0, 40.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 60.0, 40.0)
    panel_grid(m, (0.0, 0.0, 60.0, 40.0), 73, 5.0, 4.0, 10.0, proxy=True)
    inverter_room(m)
    doc = meta("YP-2024-0311", "杨浦区某装备制造企业新建生产厂房", "New production hall of an equipment manufacturer in Yangpu",
               "industrial_plant", "2024-08-27", ["factory.ifc"], zone="jiangpu_road",
               public_institution=False, applicant="上海某工业建筑设计院有限公司", gross_floor_area_m2=4800,
               measures=[])
    return doc, [m], ("compliant: PV-1 ≥ 50 % via the IFC2X3 proxy convention (ObjectType SOLARPANEL), RE-1 (PV); "
                      "measures: [] so PV-5 and CON-1 (encouraged) fail, and never block; RE-2 (target) lacks the "
                      "substitution rate and does not block")


def na_residential():
    m = Model("na-residential", "architecture.ifc")
    ground_floor(m, 24.0, 12.0)
    roof = m.add("IfcRoof", "坡屋面 pitched roof", predefined="GABLE_ROOF")
    m.place(roof, (0.0, 0.0, ROOF_LEVEL_M))
    half = 6.0 / math.cos(math.radians(25.0))
    for name, y, tilt in (("南坡 south slope", 3.0, -25.0), ("北坡 north slope", 9.0, 25.0)):
        roof_slab(m, name, 0.0, y - half / 2, 24.0, half, parent=roof, tilt=tilt, z=ROOF_LEVEL_M + 1.4)
    bipv_strips(m, (12.0, 3.0, ROOF_LEVEL_M + 1.4), -25.0, 8, 2.4, half - 0.4, 0.65)   # solar roof on the south slope
    heat_pump(m, (20.0, 10.0, 0.0), m.ground, medium="AIR")
    m.remark = "BIPV strips in the plane of the south slope (PV, but no PV rule covers housing)"
    doc = meta("YP-2025-0208", "杨浦区某住宅小区新建住宅楼", "New residential block, a housing estate in Yangpu",
               "residential", "2025-06-09", ["architecture.ifc"], zone="binjiang_middle_north",
               public_institution=False, applicant="上海某房地产开发有限公司", gross_floor_area_m2=9600,
               declared=no_parking(), green_building=green_basic("沪绿建预评〔2025〕0208号"),
               energy=energy(renewable_substitution_rate_pct=10.5), measures=["fully_fitted", "prefabrication", "bipv"])
    return doc, [m], ("compliant (not applicable): the PV rules do not cover residential buildings; every rule "
                      "that applies passes: RE-1 (BIPV, air-source heat pump), RE-2, GB-1 (basic), PV-5 (BIPV), "
                      "CON-1; no parking, so EV-2 does not apply")


def incomplete_exemption_school():
    m = Model("incomplete-exemption-school", "architecture.ifc")
    ground_floor(m, 50.0, 30.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 50.0, 30.0)
    panel_grid(m, (0.0, 0.0, 50.0, 12.0), 30, 5.0, 2.0, 10.0)
    exemption = {"reason": "roof reserved for a sports field under the planning permit",
                 "document": "沪规划资源许〔2024〕123号"}
    doc = meta("YP-2024-0529", "杨浦区某中学新建体育教学综合楼", "New sports and teaching building, a secondary school in Yangpu",
               "school", "2024-12-16", ["architecture.ifc"], zone="wujiaochang", gross_floor_area_m2=8600,
               exemptions={"PV-1": exemption}, declared=no_parking(), green_building=green(3),
               measures=[*CONSTRUCTION, "bipv"])
    return doc, [m], ("incomplete: PV-1 fails on figures but an exemption is claimed (manual review); RE-1, GB-1 "
                      "and GM-1 (3-star in Wujiaochang), PV-5, CON-1 pass; RE-2 (target) lacks the substitution rate")


def pass_boundary_school():
    m = Model("pass-boundary-school", "architecture.ifc")
    ground_floor(m, 40.0, 25.0)
    roof_slab(m, "屋面板 roof slab", 0.0, 0.0, 40.0, 25.0)
    panel_grid(m, (0.0, 0.0, 40.0, 25.0), 50, 5.0, 2.0)
    doc = meta("YP-2025-0077", "杨浦区某小学校舍新建工程", "New school building, a primary school in Yangpu",
               "school", "2025-01-22", ["architecture.ifc"], zone="kic", gross_floor_area_m2=6400,
               declared=no_parking(), green_building=green(3), energy=energy(renewable_substitution_rate_pct=10.0),
               measures=[*CONSTRUCTION, "pv_storage_dc_flexible"])
    return doc, [m], ("compliant: exactly 50.00 % meets PV-1's ≥ 50 %, and exactly 10 % meets RE-2's ≥ 10 %; "
                      "RE-1, GB-1 and GM-1 (3-star in KIC), PV-5, CON-1 pass")


SAMPLES = {
    "pass-school": pass_school,
    "fail-office": fail_office,
    "incomplete-plant": incomplete_plant,
    "pass-factory-ifc2x3": pass_factory_ifc2x3,
    "na-residential": na_residential,
    "incomplete-exemption-school": incomplete_exemption_school,
    "pass-boundary-school": pass_boundary_school,
    **EVIDENCE_SAMPLES,
    **RULE_SAMPLES,
    **BUILDING_SAMPLES,
}


def write_sample(out: Path, name: str) -> str:
    doc, models, outcome = SAMPLES[name]()
    header = f"# Generated by ifc_samples/generate.py — do not edit by hand.\n# Expected: {outcome}\n"
    write_submission(out / name, doc, models, header)
    return summary(name, models, outcome)


def summary(name: str, models, outcome: str) -> str:
    """The figures the checker should find: projected PV and roof areas, then any others."""
    if any(getattr(m, "unreadable", False) for m in models):
        return f"{name:36s} PV        —    / roof        —    (the model cannot be read)  -> {outcome}"
    roof, pv = sum(m.roof_m2 for m in models), sum(m.pv_m2 for m in models)
    ratio = "none: the roof area is missing" if any(m.roof_missing for m in models) else f"{pv / roof * 100:.4f} %"
    line = f"{name:36s} PV {pv:9.2f} m² / roof {roof:9.2f} m² (projected) = {ratio}  -> {outcome}"
    f = sum((m.figures for m in models), Counter())
    peak = sum(m.peak_kw() for m in models)
    extra = [f"peak {peak:.2f} kW" if peak else "",
             f"GFA {f['gfa_m2']:g} m²" if f["gfa_m2"] else "",
             f"storeys {f['storeys_above']} above + {f['storeys_below']} below" if f["storeys_above"] else "",
             f"parking {f['parking']} ({f['charger_ready']} charger-ready)" if f["parking"] else "",
             f"chargers {f['chargers_ac']} AC + {f['chargers_dc']} DC" if f["chargers_ac"] + f["chargers_dc"] else "",
             "systems: " + ", ".join(k for k in SYSTEMS if f[k]) if any(f[k] for k in SYSTEMS) else ""]
    extra += [m.remark for m in models if getattr(m, "remark", "")]
    extra = [e for e in extra if e]
    return line + ("\n" + " " * 37 + "; ".join(extra) if extra else "")


def main(argv: list[str] | None = None) -> int:
    from examples import EXAMPLES, write_examples

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help=f"output folder (default: {HERE})")
    parser.add_argument("--examples-out", type=Path, default=None,
                        help=f"where the per-rule examples go (default: {EXAMPLES} when --out is not given, "
                             "otherwise none are written)")
    args = parser.parse_args(argv)
    for name in SAMPLES:
        print(write_sample(args.out or HERE, name))
    examples_out = args.examples_out or (EXAMPLES if args.out is None else None)
    if examples_out is not None:
        lines = write_examples(examples_out)
        print(f"{len(lines)} per-rule examples written to {examples_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
