"""The realistic-export variants: real models from ../shared/ifc with elements added the way
Revit, ArchiCAD and Chinese design institutes export them, each with the outcome worked out by
hand (README.md in this folder gives every computation).

Each builder takes (shared folder, output folder) and returns a `Variant`: the submission folder
it wrote and what the checker must say about it. Builders are registered in `VARIANTS` under
their folder name, which starts with the expected outcome (`pass-`, `fail-`, `review-`, `na-`,
`missing-`) of the rule the variant is about.
"""

from __future__ import annotations

import datetime
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from .host import Host, LeanModel, Slope

# -- host figures (measured from the real models: see README.md) --------------------------------

# SampleHouse4.ifc (Revit IFC4, mm): the IfcRoof B-rep, a shallow barrel over
# x −8.431…6.410, y −1.940…5.345 m, top at most 3.48 m: projected 14.841 × 7.285 m.
SH4_ROOF_M2 = 108.1157
SH4_PANEL_REGION = (-8.40, -1.90, 6.38, 5.30)     # inside the roof's footprint
SH4_PANEL_Z = 3.55                                # on a mounting frame just above the crown
# Duplex_A_20110907.ifc (Revit IFC2X3, m): flat 'Basic Roof:Live Roof…' slab, top at 6.457 m,
# x 0.417…8.383, y −17.383…−0.417, less two skylight openings: 132.926 m² projected.
DUPLEX_ROOF_M2 = 132.9260
DUPLEX_REGIONS = ((0.50, -6.30, 8.30, -0.50), (0.50, -17.30, 8.30, -11.40))   # clear of the skylights
DUPLEX_PANEL_Z = 6.60
# AC20-FZK-Haus.ifc (ArchiCAD IFC4, m): gable roof Dach-1 (north) + Dach-2 (south), 30°, each
# 13 × 5.5 m projected (BaseQuantities.GrossArea 82.561 × cos 30° = 71.5 m²).
FZK_ROOF_M2 = 143.0
FZK_SOUTH = Slope(x0=-0.5, x1=12.5, y_eave=-0.5, z_eave=3.14226, angle=30.0, towards=+1)
FZK_NORTH = Slope(x0=-0.5, x1=12.5, y_eave=10.5, z_eave=3.14226, angle=30.0, towards=-1)
# IfcOpenHouse_IFC4.ifc (IfcOpenShell, mm, no area unit, no quantity sets): gable roof of two
# 45° slabs, each 10.2 × 2.9 m projected (29.58 m², from the geometry).
OPENHOUSE_ROOF_M2 = 59.16
OPENHOUSE_SOUTH = Slope(x0=-5.1, x1=5.1, y_eave=-0.4, z_eave=2.88, angle=45.0, towards=+1)
# Office_A_20110811.ifc (Revit IFC2X3, m): no roof element at all; storeys Level 1 (0),
# Level 2 (4.267 m), Roof (7.925 m); external walls over x −0.5…50.0, y −36.3…0.5.
OFFICE_A_ROOF_Z = 7.924821
OFFICE_A_LEVEL2_Z = 4.267221

# Modules as their Revit families name them: (width, depth) in m.
MONO_400W = (1.722, 1.134)          # 'Solar Panel:Mono 400W'        1.952748 m²
MONO_550W = (2.278, 1.134)          # '光伏组件:单晶硅550W'            2.583252 m²
MODULE_60_CELL = (0.99, 1.65)       # '太阳能光伏板' 60-cell module     1.6335 m²
FILED_ON = "2025-06-16"


@dataclass
class Variant:
    """A built submission and what the checker must find in it.

    `expect`: rule id -> status (or a tuple of acceptable statuses). The rest is optional:
    `measured`: rule id -> the value the result must report (± `tolerance`, in the rule's unit);
    `mentions`: rule id -> strings the result's computation (English) must contain;
    `suspects`: rule id -> GlobalIds of suspects the result must name (evidence or reasons);
    `noted`: groups of GlobalIds: for each group, some note of the verdict names one of them;
    `note_text`: strings some note's message must contain (a declared field's name);
    `nothing_counted`: True for the untouched real models: the reader finds no PV panel,
    charging point or parking space in any of them;
    `pv`: file -> GlobalIds of the PV panels as built and `pv_projected_m2` their projected area
    by hand (the corpus is checked against its own geometry)."""

    folder: Path
    host: str
    expect: dict
    measured: dict = field(default_factory=dict)
    tolerance: float = 1.0
    mentions: dict = field(default_factory=dict)
    suspects: dict = field(default_factory=dict)
    noted: tuple = ()
    note_text: tuple = ()
    nothing_counted: bool = False
    pv: dict = field(default_factory=dict)
    pv_projected_m2: float | None = None


VARIANTS: dict[str, Callable[[Path, Path], Variant]] = {}


def variant(name: str, *, panels: bool = False):
    """Register a builder under its folder name; `panels`: it adds PV panels (or suspects), whose
    geometry the tests check against the hand computation."""
    def register(builder):
        builder.variant_name, builder.has_panels = name, panels
        VARIANTS[name] = builder
        return builder
    return register


# -- submission.yaml ----------------------------------------------------------------------------

def write_submission(folder: Path, number: int, name: str, use: str, models: list[str], expected: str,
                     host: str, **extra) -> None:
    doc = {"id": f"RX-2025-{number:03d}", "name": name, "kind": extra.pop("kind", "new"),
           "filed_on": datetime.date.fromisoformat(FILED_ON), "use": use,
           "public_institution": extra.pop("public_institution", use in ("school", "government_office")),
           "zone": extra.pop("zone", None), "models": models,
           "applicant": extra.pop("applicant", "上海某建筑设计研究院有限公司")}
    doc.update(extra)
    doc = {k: v for k, v in doc.items() if v is not None}
    header = (f"# Built by tests/realistic from ../shared/ifc/{host} (a real model) at test time.\n"
              f"# Expected: {expected}\n")
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    (folder / "submission.yaml").write_text(header + text, encoding="utf-8")


# -- layouts ------------------------------------------------------------------------------------

def grid(regions, count: int, w: float, d: float, gap_x: float = 0.1, gap_y: float = 0.05) -> list[tuple[float, float]]:
    """Centres of `count` w × d rectangles in rows over the regions (x0, y0, x1, y1), in turn."""
    centres = []
    for x0, y0, x1, y1 in regions:
        cols = int((x1 - x0 + gap_x + 1e-9) // (w + gap_x))
        rows = int((y1 - y0 + gap_y + 1e-9) // (d + gap_y))
        for r in range(rows):
            for c in range(cols):
                centres.append((x0 + w / 2 + c * (w + gap_x), y0 + d / 2 + r * (d + gap_y)))
    assert len(centres) >= count, f"{count} panels do not fit {regions}"
    return centres[:count]


def flat_panels(host, count, size, regions, z, storey, *, ifc_class="IfcBuildingElementProxy",
                name=None, object_type=None, predefined=None, qset="BaseQuantities", first_id=500100):
    """Flat modules on a frame at height z (bottom face), each with a body and GrossArea."""
    w, d = size
    panels = []
    for i, (x, y) in enumerate(grid(regions, count, w, d)):
        label = name(i) if callable(name) else f"{object_type}:{first_id + i}"
        panel = host.element(ifc_class, label, storey=storey, predefined=predefined, object_type=object_type)
        host.box(panel, w, d, 0.04, (x, y, z))
        if qset:
            host.quantities(panel, qset, GrossArea=w * d)
        panels.append(panel)
    return panels


def sloped_panels(host, slope: Slope, rows: list[tuple[int, float]], size, storey, *, ifc_class, name,
                  object_type=None, predefined=None, qset="BaseQuantities", gap_x=0.05):
    """Panels laid in the plane of a roof slope, 2 cm off its top face: `rows` is a list of
    (count, s) — that many panels in a row whose lower edge is s m up the slope from the eave."""
    w, d = size
    panels = []
    for count, s in rows:
        span = count * w + (count - 1) * gap_x
        x_start = slope.x0 + (slope.x1 - slope.x0 - span) / 2 + w / 2
        assert span <= slope.x1 - slope.x0 and s + d <= _slope_length(slope) + 1e-9, "panel row off the slope"
        for c in range(count):
            panel = host.element(ifc_class, name(len(panels)), storey=storey, predefined=predefined,
                                 object_type=object_type)
            host.box(panel, w, d, 0.04, slope.point(x_start + c * (w + gap_x), s + d / 2, lift=0.02), tilt=slope.tilt)
            if qset:
                host.quantities(panel, qset, GrossArea=w * d)
            panels.append(panel)
    return panels


def _slope_length(slope: Slope) -> float:
    run = {FZK_SOUTH: 5.5, FZK_NORTH: 5.5, OPENHOUSE_SOUTH: 2.9}[slope]
    return run / math.cos(math.radians(slope.angle))


def projected(count: int, size, tilt: float = 0.0) -> float:
    return count * size[0] * size[1] * math.cos(math.radians(tilt))


def gids(elements) -> tuple[str, ...]:
    return tuple(e.GlobalId for e in elements)


def pct(part: float, whole: float) -> float:
    return 100.0 * part / whole


# -- parking and chargers -----------------------------------------------------------------------

def parking_spaces(host, count, storey, x0, y0, *, per_row=20, w=2.5, d=5.3, row_gap=2.0,
                   ifc_class="IfcSpace", name=None, long_name=None, object_type=None, predefined=None,
                   qset="BaseQuantities", height=2.4):
    """Parking spaces in rows from (x0, y0): IfcSpace (aggregated into the storey, IFC2X3 needs
    CompositionType and Interior/Exterior) or a parking component (contained in the storey)."""
    spaces = []
    for i in range(count):
        row, col = divmod(i, per_row)
        x, y = x0 + w / 2 + col * w, y0 - d / 2 - row * (d + row_gap)
        if ifc_class == "IfcSpace":
            space = host.element("IfcSpace", name(i), aggregate_to=storey, predefined=predefined,
                                 object_type=object_type, long_name=long_name)
            if host.ifc.schema == "IFC2X3":
                space.CompositionType, space.InteriorOrExteriorSpace = "ELEMENT", "EXTERNAL"
            host.box(space, w, d, height, (x, y, _storey_z(host, storey)))
            if qset:
                host.quantities(space, qset, GrossFloorArea=w * d)
        else:
            space = host.element(ifc_class, name(i), storey=storey, object_type=object_type)
            host.box(space, w, d, 0.05, (x, y, _storey_z(host, storey)))
        spaces.append(space)
    return spaces


def chargers(host, count, storey, x0, y, *, ifc_class="IfcBuildingElementProxy", name, object_type=None,
             predefined=None, pitch=2.5):
    out = []
    for i in range(count):
        charger = host.element(ifc_class, name(i), storey=storey, predefined=predefined, object_type=object_type)
        host.box(charger, 0.4, 0.3, 1.6, (x0 + pitch * i + 1.25, y, _storey_z(host, storey)))
        out.append(charger)
    return out


def _storey_z(host, storey) -> float:
    return (storey.Elevation or 0.0) * host.length_scale


# ==============================================================================================
# (1) Revit proxies 'Solar Panel:Mono 400W' on SampleHouse4's roof, new school (PV-1 ≥ 50 %)
# ==============================================================================================

def _sh4_school_panels(shared: Path, out: Path, name: str, count: int, number: int, verdict: str) -> Variant:
    host = Host(shared, "SampleHouse4.ifc", name)
    panels = flat_panels(host, count, MONO_400W, [SH4_PANEL_REGION], SH4_PANEL_Z, host.storey("Roof"),
                         object_type="Solar Panel:Mono 400W")
    folder = host.save(out / name)
    pv = projected(count, MONO_400W)
    ratio = pct(pv, SH4_ROOF_M2)
    write_submission(folder, number, "杨浦区某小学新建教学楼（屋面光伏）", "school", ["architecture.ifc"],
                     f"PV-1 {verdict}: {count} Revit proxies 'Solar Panel:Mono 400W' = {pv:.2f} m² on "
                     f"{SH4_ROOF_M2:.2f} m² of roof = {ratio:.2f} % (≥ 50 % required)", "SampleHouse4.ifc")
    return Variant(folder, "SampleHouse4.ifc", {"PV-1": verdict, "RE-1": "pass"},
                   measured={"PV-1": ratio}, mentions={"PV-1": (f"{count} ",)},
                   pv={"architecture.ifc": gids(panels)}, pv_projected_m2=pv)


@variant("pass-school-revit-solar-panel-60pct", panels=True)
def pass_school_revit_solar_panel(shared: Path, out: Path) -> Variant:
    return _sh4_school_panels(shared, out, pass_school_revit_solar_panel.variant_name, 33, 1, "pass")


@variant("fail-school-revit-solar-panel-20pct", panels=True)
def fail_school_revit_solar_panel(shared: Path, out: Path) -> Variant:
    return _sh4_school_panels(shared, out, fail_school_revit_solar_panel.variant_name, 11, 2, "fail")


# ==============================================================================================
# (2) '光伏组件:单晶硅550W' proxies with Chinese names on the Duplex, new office (PV-2 ≥ 30 %)
# ==============================================================================================

@variant("pass-office-cn-pv-module-35pct", panels=True)
def pass_office_cn_pv_module(shared: Path, out: Path) -> Variant:
    name = pass_office_cn_pv_module.variant_name
    host = Host(shared, "Duplex_A_20110907.ifc", name)
    w, d = MONO_550W
    panels = flat_panels(host, 18, (d, w), DUPLEX_REGIONS, DUPLEX_PANEL_Z, host.storey("Roof"),   # portrait
                         object_type="光伏组件:单晶硅550W", first_id=612300)
    return _duplex_office_pv2(host, out / name, 3, "杨浦区某研发办公楼", panels, MONO_550W,
                              "proxies '光伏组件:单晶硅550W'", "(≥ 30 %); the two exterior slabs on grade are not roofs")


def _duplex_office_pv2(host, folder: Path, number: int, title: str, panels, size, what: str, more: str = "") -> Variant:
    """The Duplex filed as a new office with `panels` of `size` on its roof: PV-2 and RE-1 pass."""
    folder = host.save(folder)
    pv = projected(len(panels), size)
    ratio = pct(pv, DUPLEX_ROOF_M2)
    write_submission(folder, number, title, "public_office", ["architecture.ifc"],
                     f"PV-2 pass: {len(panels)} {what} = {pv:.2f} m² on {DUPLEX_ROOF_M2:.2f} m² = {ratio:.2f} %"
                     + (f" {more}" if more else ""), "Duplex_A_20110907.ifc", public_institution=False)
    return Variant(folder, "Duplex_A_20110907.ifc", {"PV-2": "pass", "RE-1": "pass"},
                   measured={"PV-2": ratio}, mentions={"PV-2": (f"{len(panels)} ",)},
                   pv={"architecture.ifc": gids(panels)}, pv_projected_m2=pv)


# ==============================================================================================
# (3) BIPV: IfcPlate typed '光伏玻璃幕墙:BIPV' and IfcCovering 'BIPV光伏玻璃' on FZK-Haus's south slope
# ==============================================================================================

@variant("pass-office-bipv-plate-and-covering", panels=True)
def pass_office_bipv(shared: Path, out: Path) -> Variant:
    name = pass_office_bipv.variant_name
    host = Host(shared, "AC20-FZK-Haus.ifc", name)
    storey = host.storey("Dachgeschoss")
    size = (1.2, 2.4)
    plates = sloped_panels(host, FZK_SOUTH, [(10, 0.3)], size, storey, ifc_class="IfcPlate",
                           name=lambda i: f"光伏玻璃-{i + 1:02d}", predefined="NOTDEFINED")
    host.type_of("IfcPlateType", "光伏玻璃幕墙:BIPV", plates, predefined="NOTDEFINED")
    coverings = sloped_panels(host, FZK_SOUTH, [(10, 2.9)], size, storey, ifc_class="IfcCovering",
                              name=lambda i: f"屋面覆层-{i + 1:02d}", predefined="USERDEFINED",
                              object_type="BIPV光伏玻璃")
    folder = host.save(out / name)
    pv = projected(20, size, 30.0)
    ratio = pct(pv, FZK_ROOF_M2)
    write_submission(folder, 4, "杨浦区某办公楼（BIPV屋面）", "public_office", ["architecture.ifc"],
                     f"PV-2 pass: 10 IfcPlate typed '光伏玻璃幕墙:BIPV' + 10 IfcCovering 'BIPV光伏玻璃', 2.88 m² each "
                     f"in the 30° south slope: {pv:.2f} m² projected on {FZK_ROOF_M2:.1f} m² = {ratio:.2f} % "
                     f"(one class alone: {ratio / 2:.2f} %, a fail)", "AC20-FZK-Haus.ifc",
                     public_institution=False, measures=["bipv"])
    return Variant(folder, "AC20-FZK-Haus.ifc", {"PV-2": "pass", "RE-1": "pass"},
                   measured={"PV-2": ratio}, mentions={"PV-2": ("20 ",)},
                   pv={"architecture.ifc": gids(plates + coverings)}, pv_projected_m2=pv)


# ==============================================================================================
# (4a) IfcSolarDevice USERDEFINED '太阳能光伏板' on IfcOpenHouse (mm, no area unit: geometry only)
# ==============================================================================================

@variant("pass-office-solar-device-userdefined-mm", panels=True)
def pass_office_solar_device_userdefined(shared: Path, out: Path) -> Variant:
    name = pass_office_solar_device_userdefined.variant_name
    host = Host(shared, "IfcOpenHouse_IFC4.ifc", name)
    panels = sloped_panels(host, OPENHOUSE_SOUTH, [(9, 0.35), (9, 2.10)], MODULE_60_CELL, host.storey(),
                           ifc_class="IfcSolarDevice", name=lambda i: f"PV-{i + 1:02d}",
                           predefined="USERDEFINED", object_type="太阳能光伏板", qset=None, gap_x=0.1)
    folder = host.save(out / name)
    pv = projected(18, MODULE_60_CELL, 45.0)
    ratio = pct(pv, OPENHOUSE_ROOF_M2)
    write_submission(folder, 5, "杨浦区某社区服务中心", "public_office", ["architecture.ifc"],
                     f"PV-2 pass: 18 IfcSolarDevice USERDEFINED '太阳能光伏板' (0.99 × 1.65 m) in the 45° south slope, "
                     f"no quantity sets (the host has no area unit): {pv:.2f} m² projected from geometry on "
                     f"{OPENHOUSE_ROOF_M2:.2f} m² = {ratio:.2f} %", "IfcOpenHouse_IFC4.ifc", public_institution=False)
    return Variant(folder, "IfcOpenHouse_IFC4.ifc", {"PV-2": "pass", "RE-1": "pass"},
                   measured={"PV-2": ratio}, mentions={"PV-2": ("18 ",)},
                   pv={"architecture.ifc": gids(panels)}, pv_projected_m2=pv)


# ==============================================================================================
# (4b) IfcSolarDevice NOTDEFINED, no type, no hint, on both slopes of FZK-Haus, new school
# ==============================================================================================

@variant("review-school-solar-device-no-hint", panels=True)
def review_school_solar_device_no_hint(shared: Path, out: Path) -> Variant:
    name = review_school_solar_device_no_hint.variant_name
    host = Host(shared, "AC20-FZK-Haus.ifc", name)
    storey = host.storey("Dachgeschoss")
    size = (1.2, 2.0)
    devices = []
    for slope in (FZK_SOUTH, FZK_NORTH):
        devices += sloped_panels(host, slope, [(10, 0.6), (10, 2.8)], size, storey, ifc_class="IfcSolarDevice",
                                 name=lambda i, n=len(devices): f"Objekt-{n + i + 1:02d}",  # noqa: B008 - count so far
                                 predefined="NOTDEFINED")
    folder = host.save(out / name)
    pv = projected(40, size, 30.0)
    ratio = pct(pv, FZK_ROOF_M2)
    write_submission(folder, 6, "杨浦区某中学新建体育馆", "school", ["architecture.ifc"],
                     f"PV-1 manual_review: 40 IfcSolarDevice NOTDEFINED without type or hint (solar, but PV or "
                     f"thermal?) = {pv:.2f} m² projected, {ratio:.2f} % if PV (pass), 0 % if not (fail); RE-1 pass "
                     f"(a solar device is a renewable source either way)", "AC20-FZK-Haus.ifc")
    return Variant(folder, "AC20-FZK-Haus.ifc", {"PV-1": "manual_review", "RE-1": "pass"},
                   suspects={"PV-1": gids(devices)}, pv={"architecture.ifc": gids(devices)}, pv_projected_m2=pv)


# ==============================================================================================
# (5) Proxies whose only PV hint is their Name '光伏组件-01' (ObjectType '常规模型'), new school
# ==============================================================================================

@variant("review-school-pv-named-only", panels=True)
def review_school_pv_named_only(shared: Path, out: Path) -> Variant:
    name = review_school_pv_named_only.variant_name
    host = Host(shared, "SampleHouse4.ifc", name)
    panels = flat_panels(host, 33, MONO_400W, [SH4_PANEL_REGION], SH4_PANEL_Z, host.storey("Roof"),
                         object_type="常规模型", name=lambda i: f"光伏组件-{i + 1:02d}")
    folder = host.save(out / name)
    pv = projected(33, MONO_400W)
    write_submission(folder, 7, "杨浦区某小学新建综合楼", "school", ["architecture.ifc"],
                     f"PV-1 manual_review: 33 proxies named '光伏组件-NN', ObjectType '常规模型' (generic model): "
                     f"{pct(pv, SH4_ROOF_M2):.2f} % if they are panels (pass), 0 % if not (fail)", "SampleHouse4.ifc")
    return Variant(folder, "SampleHouse4.ifc", {"PV-1": "manual_review"}, suspects={"PV-1": gids(panels)},
                   pv={"architecture.ifc": gids(panels)}, pv_projected_m2=pv)


# ==============================================================================================
# (6) Chargers '充电桩:直流120kW' ×3 and '充电桩:交流7kW' ×7, 60 car + 40 bicycle spaces (Office_A)
# ==============================================================================================

@variant("pass-office-cn-chargers-bicycle-spaces")
def pass_office_cn_chargers(shared: Path, out: Path) -> Variant:
    name = pass_office_cn_chargers.variant_name
    host = Host(shared, "Office_A_20110811.ifc", name)
    level1 = host.storey("Level 1")
    parking_spaces(host, 60, level1, 0.0, -39.0, name=lambda i: f"P{i + 1:03d}", long_name="车位")
    parking_spaces(host, 30, level1, 0.0, -62.0, per_row=40, w=0.6, d=1.8, height=1.2,
                   name=lambda i: f"B{i + 1:03d}", long_name="非机动车位")
    parking_spaces(host, 10, level1, 24.0, -62.0, per_row=40, w=0.6, d=1.8, height=1.2,
                   name=lambda i: f"B{i + 31:03d}", long_name="自行车位")
    chargers(host, 3, level1, 0.0, -38.6, name=lambda i: f"充电桩:直流120kW:{700100 + i}", object_type="充电桩:直流120kW")
    chargers(host, 7, level1, 7.5, -38.6, name=lambda i: f"充电桩:交流7kW:{700200 + i}", object_type="充电桩:交流7kW")
    folder = host.save(out / name)
    write_submission(folder, 8, "杨浦区某科技园办公楼（地面停车场）", "public_office", ["architecture.ifc"],
                     "EV-3 pass: 10 chargers / 60 car spaces = 16.67 % (the 30 '非机动车位' and 10 '自行车位' are "
                     "bicycle spaces: counted, 10/100 = 10 % would fail); EV-4 pass: 3 DC 120 kW of 10 = 30 %",
                     "Office_A_20110811.ifc", public_institution=False)
    return Variant(folder, "Office_A_20110811.ifc", {"EV-3": "pass", "EV-4": "pass"},
                   measured={"EV-3": 100 * 10 / 60, "EV-4": 30.0}, tolerance=0.01,
                   mentions={"EV-3": ("60",), "EV-4": ("3 ",)})


# ==============================================================================================
# (7) A parking zone '机动车位区-A' of 600 m² + 10 spaces + 2 chargers (FZK-Haus site)
# ==============================================================================================

@variant("review-office-parking-zone-600m2")
def review_office_parking_zone(shared: Path, out: Path) -> Variant:
    name = review_office_parking_zone.variant_name
    host = Host(shared, "AC20-FZK-Haus.ifc", name)
    ground = host.storey("Erdgeschoss")
    (zone,) = parking_spaces(host, 1, ground, -10.0, 35.0, w=30.0, d=20.0, name=lambda i: "机动车位区-A",
                             long_name="机动车位区", predefined="PARKING")
    parking_spaces(host, 10, ground, -10.0, 42.3, name=lambda i: f"P-{i + 1:02d}", long_name="停车位",
                   predefined="PARKING")
    chargers(host, 2, ground, -10.0, 43.0, ifc_class="IfcElectricAppliance", predefined="USERDEFINED",
             object_type="EV Charger:60kW DC", name=lambda i: f"EV Charger:60kW DC:{i + 1}")
    folder = host.save(out / name)
    write_submission(folder, 9, "杨浦区某办公楼（停车区）", "public_office", ["architecture.ifc"],
                     "EV-3 manual_review: '机动车位区-A' is a 600 m² parking zone without ParkingUnits (one stall "
                     "is ~12.5 m²): 2 chargers / (10 + 1) = 18.2 % pass if it is one space, 2 / (10 + 24…48) "
                     "= 3.4…5.9 % fail if it holds stalls; EV-4 pass: both chargers DC 60 kW",
                     "AC20-FZK-Haus.ifc", public_institution=False)
    return Variant(folder, "AC20-FZK-Haus.ifc", {"EV-3": "manual_review", "EV-4": "pass"},
                   suspects={"EV-3": (zone.GlobalId,)}, noted=((zone.GlobalId,),))


# ==============================================================================================
# (8) Main roof as a FLOOR slab typed '楼板:屋面-300mm' + a small annex IfcRoof (Office_A)
# ==============================================================================================

MAIN_ROOFS = {   # how the main roof (50 × 36 m on top of Office_A) is exported, and why it is suspect
    "typed": dict(name="楼板:屋面-300mm:356789", predefined="FLOOR", object_type="楼板:屋面-300mm",
                  type_name="楼板:屋面-300mm", why="an IfcSlab FLOOR typed '楼板:屋面-300mm'"),
    "named": dict(name="屋面板", predefined="NOTDEFINED", object_type=None, type_name=None,
                  why="an IfcSlab NOTDEFINED whose only hint is its Name '屋面板'"),
    "exposed": dict(name="Floor:Generic 300mm:356790", predefined="FLOOR", object_type="Floor:Generic 300mm",
                    type_name=None, why="an IfcSlab FLOOR 'Floor:Generic 300mm' with nothing above it (the top "
                                        "of the building), marked as no roof"),
}


def _office_a_suspect_roof(shared: Path, out: Path, name: str, number: int, with_panels: bool,
                           main_kind: str = "typed") -> Variant:
    how = MAIN_ROOFS[main_kind]
    host = Host(shared, "Office_A_20110811.ifc", name)
    roof_storey, level2 = host.storey("Roof"), host.storey("Level 2")
    main = host.element("IfcSlab", how["name"], storey=roof_storey, predefined=how["predefined"],
                        object_type=how["object_type"])
    host.box(main, 50.0, 36.0, 0.3, (25.0, -18.0, OFFICE_A_ROOF_Z - 0.3))
    host.quantities(main, "BaseQuantities", GrossArea=1800.0, Width=0.3)
    if how["type_name"]:
        host.type_of("IfcSlabType", how["type_name"], [main], predefined=how["predefined"])
    annex_roof = host.element("IfcRoof", "Basic Roof:Generic - 300mm:401234", storey=level2)
    annex_roof.ShapeType = "FLAT_ROOF"
    annex = host.element("IfcSlab", "Basic Roof:Generic - 300mm:401234", aggregate_to=annex_roof,
                         predefined="ROOF", object_type="Basic Roof:Generic - 300mm")
    host.box(annex, 10.0, 6.0, 0.3, (57.0, -17.0, OFFICE_A_LEVEL2_Z - 0.3))
    host.quantities(annex, "BaseQuantities", GrossArea=60.0, Width=0.3)
    panels = []
    if with_panels:
        panels = flat_panels(host, 25, MONO_400W, [(52.05, -19.95, 61.95, -14.05)], OFFICE_A_LEVEL2_Z + 0.15,
                             level2, object_type="Solar Panel:Mono 400W", first_id=401300)
    folder = host.save(out / name)
    pv = projected(len(panels), MONO_400W)
    if with_panels:
        expected = (f"PV-1 manual_review: the main roof is {how['why']} (1800 m², a suspect roof); the annex IfcRoof "
                    f"(60 m²) carries 25 × 'Solar Panel:Mono 400W' = {pv:.2f} m²: "
                    f"{pct(pv, 1860):.2f} % … {pct(pv, 60):.2f} % straddles 50 %")
        expect = {"PV-1": "manual_review", "RE-1": "pass"}
    else:
        expected = (f"PV-1 fail: no PV at all, so 0 % whatever the main roof ({how['why']}, 1800 m²) is; "
                    "RE-1 fail; the suspect roof is still listed")
        expect = {"PV-1": "fail", "RE-1": "fail"}
    write_submission(folder, number, "杨浦区某中学新建教学楼", "school", ["architecture.ifc"], expected,
                     "Office_A_20110811.ifc")
    return Variant(folder, "Office_A_20110811.ifc", expect,
                   measured={} if with_panels else {"PV-1": 0.0},
                   suspects={"PV-1": (main.GlobalId,)} if with_panels else {},
                   noted=((main.GlobalId,),),
                   pv={"architecture.ifc": gids(panels)} if panels else {}, pv_projected_m2=pv if panels else None)


@variant("review-school-floor-slab-typed-roof", panels=True)
def review_school_floor_slab_typed_roof(shared: Path, out: Path) -> Variant:
    return _office_a_suspect_roof(shared, out, review_school_floor_slab_typed_roof.variant_name, 10, True)


@variant("fail-school-floor-slab-typed-roof-no-pv")
def fail_school_floor_slab_typed_roof_no_pv(shared: Path, out: Path) -> Variant:
    return _office_a_suspect_roof(shared, out, fail_school_floor_slab_typed_roof_no_pv.variant_name, 11, False)


@variant("review-school-roof-slab-named-only", panels=True)
def review_school_roof_slab_named_only(shared: Path, out: Path) -> Variant:
    return _office_a_suspect_roof(shared, out, review_school_roof_slab_named_only.variant_name, 17, True, "named")


@variant("review-school-exposed-top-floor-slab", panels=True)
def review_school_exposed_top_floor_slab(shared: Path, out: Path) -> Variant:
    return _office_a_suspect_roof(shared, out, review_school_exposed_top_floor_slab.variant_name, 18, True, "exposed")


@variant("fail-school-roof-by-revit-type-name", panels=True)
def fail_school_roof_by_revit_type_name(shared: Path, out: Path) -> Variant:
    """The main roof of Office_A as an IfcSlab NOTDEFINED whose only marking is its type's Name
    'Basic Roof:Generic - 300mm' (a roof: the exporter's roof marking), with 25 modules on it."""
    name = fail_school_roof_by_revit_type_name.variant_name
    host = Host(shared, "Office_A_20110811.ifc", name)
    roof_storey = host.storey("Roof")
    main = host.element("IfcSlab", "Generic - 300mm:356791", storey=roof_storey, predefined="NOTDEFINED")
    host.box(main, 50.0, 36.0, 0.3, (25.0, -18.0, OFFICE_A_ROOF_Z - 0.3))
    host.quantities(main, "BaseQuantities", GrossArea=1800.0, Width=0.3)
    host.type_of("IfcSlabType", "Basic Roof:Generic - 300mm", [main], predefined="NOTDEFINED")
    panels = flat_panels(host, 25, MONO_400W, [(20.0, -20.0, 30.0, -14.0)], OFFICE_A_ROOF_Z + 0.15, roof_storey,
                         object_type="Solar Panel:Mono 400W", first_id=401400)
    folder = host.save(out / name)
    pv = projected(25, MONO_400W)
    ratio = pct(pv, 1800.0)
    write_submission(folder, 19, "杨浦区某中学新建实验楼", "school", ["architecture.ifc"],
                     f"PV-1 fail: the roof is an IfcSlab NOTDEFINED typed 'Basic Roof:Generic - 300mm' (a roof by its "
                     f"Revit type name, 1800 m²); 25 'Solar Panel:Mono 400W' = {pv:.2f} m² = {ratio:.2f} %",
                     "Office_A_20110811.ifc")
    return Variant(folder, "Office_A_20110811.ifc", {"PV-1": "fail", "RE-1": "pass"},
                   measured={"PV-1": ratio}, tolerance=0.1, mentions={"PV-1": ("25 ",)},
                   pv={"architecture.ifc": gids(panels)}, pv_projected_m2=pv)


@variant("pass-office-proxy-type-pv-module", panels=True)
def pass_office_proxy_type_pv_module(shared: Path, out: Path) -> Variant:
    """Proxies with no ObjectType whose IfcBuildingElementProxyType says ElementType 'PV Module'
    (its Name is the unhelpful 'Generic Model'), on the Duplex, new office (PV-2)."""
    name = pass_office_proxy_type_pv_module.variant_name
    host = Host(shared, "Duplex_A_20110907.ifc", name)
    panels = flat_panels(host, 24, MONO_400W, DUPLEX_REGIONS, DUPLEX_PANEL_Z, host.storey("Roof"),
                         name=lambda i: f"PV-{i + 1:02d}")
    host.type_of("IfcBuildingElementProxyType", "Generic Model", panels, predefined="USERDEFINED",
                 element_type="PV Module")
    return _duplex_office_pv2(host, out / name, 20, "杨浦区某创新中心办公楼", panels, MONO_400W,
                              "proxies typed ElementType 'PV Module' (type Name 'Generic Model', no ObjectType)")


# ==============================================================================================
# (9) The same panels in architecture.ifc and mep.ifc with different GlobalIds (Duplex, school)
# ==============================================================================================

@variant("fail-school-panels-in-two-models", panels=True)
def fail_school_panels_in_two_models(shared: Path, out: Path) -> Variant:
    name = fail_school_panels_in_two_models.variant_name
    host = Host(shared, "Duplex_A_20110907.ifc", name)
    arch = flat_panels(host, 20, MONO_400W, DUPLEX_REGIONS, DUPLEX_PANEL_Z, host.storey("Roof"),
                       object_type="Solar Panel:Mono 400W", first_id=184600)
    mep = LeanModel("IFC2X3", name, "mep.ifc", [("Level 1", 0.0), ("Level 2", 3.1), ("Roof", 6.0)])
    copies = flat_panels(mep, 20, MONO_400W, DUPLEX_REGIONS, DUPLEX_PANEL_Z, mep.storey("Roof"),
                         object_type="Solar Panel:Mono 400W", first_id=923100)
    folder = host.save(out / name)
    mep.save(folder)
    pv = projected(20, MONO_400W)
    ratio = pct(pv, DUPLEX_ROOF_M2)
    write_submission(folder, 12, "杨浦区某小学新建教学楼（建筑+机电模型）", "school", ["architecture.ifc", "mep.ifc"],
                     f"PV-1 fail: the 20 'Solar Panel:Mono 400W' of architecture.ifc are in mep.ifc too, at the same "
                     f"places with other GlobalIds: {pv:.2f} m² once = {ratio:.2f} % (counting both: "
                     f"{2 * ratio:.2f} %, a wrong pass)", "Duplex_A_20110907.ifc")
    return Variant(folder, "Duplex_A_20110907.ifc", {"PV-1": "fail", "RE-1": "pass"},
                   measured={"PV-1": ratio}, noted=(gids(arch) + gids(copies),),
                   pv={"architecture.ifc": gids(arch), "mep.ifc": gids(copies)}, pv_projected_m2=2 * pv)


# ==============================================================================================
# (10) declared.charging_points: 12, no charger in the model, 60 Revit parking components (Duplex)
# ==============================================================================================

@variant("review-office-declared-chargers-not-in-model")
def review_office_declared_chargers(shared: Path, out: Path) -> Variant:
    name = review_office_declared_chargers.variant_name
    host = Host(shared, "Duplex_A_20110907.ifc", name)
    parking_spaces(host, 60, host.storey("Level 1"), 12.0, -0.2, w=2.4, d=4.8, ifc_class="IfcBuildingElementProxy",
                   object_type="Parking Space:4800 x 2400mm", name=lambda i: f"Parking Space:4800 x 2400mm:{510200 + i}")
    folder = host.save(out / name)
    write_submission(folder, 13, "杨浦区某办公楼（地面停车）", "public_office", ["architecture.ifc"],
                     "EV-3 manual_review: 12 charging points are declared but the model shows none; with the model's "
                     "60 parking spaces (Revit components 'Parking Space:4800 x 2400mm') the share is 0 % (fail) "
                     "to 12/60 = 20 % (pass)", "Duplex_A_20110907.ifc", public_institution=False,
                     declared={"charging_points": 12})
    return Variant(folder, "Duplex_A_20110907.ifc", {"EV-3": "manual_review"}, note_text=("charging_points",))


# ==============================================================================================
# More: Revit parking components that must both count, name-only chargers, GFA from spaces
# ==============================================================================================

@variant("fail-office-revit-parking-components")
def fail_office_revit_parking_components(shared: Path, out: Path) -> Variant:
    name = fail_office_revit_parking_components.variant_name
    host = Host(shared, "SampleHouse4.ifc", name)
    ground = host.storey("Ground Floor")
    parking_spaces(host, 20, ground, -20.0, -5.2, w=2.4, d=4.8, ifc_class="IfcBuildingElementProxy",
                   object_type="Parking Space:4800 x 2400mm", name=lambda i: f"Parking Space:4800 x 2400mm:{330100 + i}")
    parking_spaces(host, 10, ground, -20.0, -12.0, ifc_class="IfcFurnishingElement",
                   object_type="停车位:标准车位", name=lambda i: f"停车位:标准车位:{330200 + i}")
    slow = chargers(host, 2, ground, -20.0, -4.6, ifc_class="IfcElectricAppliance", name=lambda i: f"EV-AC-{i + 1}")
    host.type_of("IfcElectricApplianceType", "EV Charger:7kW AC", slow, predefined="USERDEFINED", element_type="7kW AC")
    chargers(host, 2, ground, -15.0, -4.6, ifc_class="IfcOutlet", predefined="USERDEFINED",
             object_type="充电桩:直流120kW", name=lambda i: f"充电桩:直流120kW:{330300 + i}")
    folder = host.save(out / name)
    write_submission(folder, 14, "杨浦区某办公楼（Revit停车构件）", "public_office", ["architecture.ifc"],
                     "EV-3 fail: 4 chargers / (20 'Parking Space:4800 x 2400mm' proxies + 10 '停车位:标准车位' "
                     "furnishing elements) = 13.33 % (< 15 %; with either kind missed it would pass); EV-4 pass: "
                     "2 DC 120 kW of 4 = 50 %", "SampleHouse4.ifc", public_institution=False)
    return Variant(folder, "SampleHouse4.ifc", {"EV-3": "fail", "EV-4": "pass"},
                   measured={"EV-3": 100 * 4 / 30, "EV-4": 50.0}, tolerance=0.01, mentions={"EV-3": ("30",)})


@variant("review-office-chargers-named-only")
def review_office_chargers_named_only(shared: Path, out: Path) -> Variant:
    name = review_office_chargers_named_only.variant_name
    host = Host(shared, "IfcOpenHouse_IFC4.ifc", name)
    storey = host.storey()
    parking_spaces(host, 20, storey, -25.0, -6.7, name=lambda i: f"P-{i + 1:02d}", long_name="停车位",
                   predefined="PARKING", qset=None)
    named = chargers(host, 4, storey, -25.0, -5.9, object_type="常规模型", name=lambda i: f"充电桩-{i + 1:02d}")
    folder = host.save(out / name)
    write_submission(folder, 15, "杨浦区某社区办公用房", "public_office", ["architecture.ifc"],
                     "EV-3 manual_review: 4 proxies only named '充电桩-NN' (ObjectType '常规模型'): 4/20 = 20 % if "
                     "they are chargers (pass), 0 % if not (fail)", "IfcOpenHouse_IFC4.ifc", public_institution=False)
    return Variant(folder, "IfcOpenHouse_IFC4.ifc", {"EV-3": "manual_review"}, suspects={"EV-3": gids(named)})


GREEN_2_STAR = {"claimed": "2-star", "prerequisites_met": True, "full_fit_out": True, "technical_requirements_met": True,
                "scores": {"safety_durability": 70, "health_comfort": 65, "occupant_convenience": 45,
                           "resource_saving": 120, "environment_livability": 60}}


@variant("review-binjiang-office-gfa-from-spaces")
def review_binjiang_office_gfa_from_spaces(shared: Path, out: Path) -> Variant:
    name = review_binjiang_office_gfa_from_spaces.variant_name
    folder = out / name
    folder.mkdir(parents=True)
    shutil.copyfile(shared / "SampleHouse4.ifc", folder / "architecture.ifc")
    write_submission(folder, 16, "杨浦滨江南段某办公楼", "public_office", ["architecture.ifc"],
                     "GB-2 manual_review: no gross_floor_area_m2 in the metadata and the model's only GFA is the sum of "
                     "its 4 spaces (152.57 m², an underestimate), so whether the building reaches 20000 m² (a large "
                     "public building in Binjiang South) cannot be told; the 2-star scores would fail GB-2 if it "
                     "applies — never not_applicable", "SampleHouse4.ifc", public_institution=False,
                     zone="binjiang_south", green_building=GREEN_2_STAR)
    return Variant(folder, "SampleHouse4.ifc", {"GB-2": "manual_review"})


# ==============================================================================================
# (11) Negative controls: each host untouched
# ==============================================================================================

def _control(shared: Path, out: Path, name: str, source: str, number: int, use: str, rule: str,
             statuses: tuple[str, ...], why: str) -> Variant:
    folder = out / name
    folder.mkdir(parents=True)
    shutil.copyfile(shared / source, folder / "architecture.ifc")
    write_submission(folder, number, f"对照：{source} 原样提交", use, ["architecture.ifc"],
                     f"{rule} {' or '.join(statuses)}, never pass: {why}; RE-1 fail (nothing renewable); the reader "
                     f"finds no PV panel, charging point or parking space", source)
    return Variant(folder, source, {rule: statuses, "RE-1": "fail"}, nothing_counted=True)


@variant("fail-control-fzk-haus-untouched")
def control_fzk(shared: Path, out: Path) -> Variant:
    return _control(shared, out, control_fzk.variant_name, "AC20-FZK-Haus.ifc", 21, "school", "PV-1",
                    ("fail", "missing_data"), "no PV on the 143 m² gable roof = 0 %")


@variant("fail-control-samplehouse4-untouched")
def control_sh4(shared: Path, out: Path) -> Variant:
    return _control(shared, out, control_sh4.variant_name, "SampleHouse4.ifc", 22, "public_office", "PV-2",
                    ("fail", "missing_data"), "no PV on the 108.12 m² IfcRoof = 0 %")


@variant("fail-control-duplex-untouched")
def control_duplex(shared: Path, out: Path) -> Variant:
    return _control(shared, out, control_duplex.variant_name, "Duplex_A_20110907.ifc", 23, "school", "PV-1",
                    ("fail", "missing_data"), "no PV on the 132.93 m² roof = 0 %")


@variant("fail-control-ifcopenhouse-untouched")
def control_openhouse(shared: Path, out: Path) -> Variant:
    return _control(shared, out, control_openhouse.variant_name, "IfcOpenHouse_IFC4.ifc", 24, "public_office", "PV-2",
                    ("fail", "missing_data"), "no PV on the 59.16 m² gable roof = 0 %")


@variant("missing-control-office-a-untouched")
def control_office_a(shared: Path, out: Path) -> Variant:
    return _control(shared, out, control_office_a.variant_name, "Office_A_20110811.ifc", 25, "public_office", "PV-2",
                    ("missing_data", "fail"), "the model has no roof element and no PV")
