"""A large corpus of generated submissions for `compliance batch` and `compliance district`.

    .venv/bin/python ifc_samples/corpus.py OUT [--n 200] [--seed 7] [--broken-every 10]

writes `n` submission folders under OUT (c000-pass-office, c001-pass-school, ...) and
OUT/manifest.json: for every submission the TRUE figures the generator put in (filing date,
kind, use, floor area, PV peak power and charging points in the models, retrofit saving, energy
class, green mall) and the verdict it is designed to get (`expect`), checked template by template
against the real checker by tests/test_corpus.py. About every `broken_every`-th submission is
broken on purpose (`broken` names the defect, `expected_error` is part of the checker's message).

Fast: the models are built from a few layouts (roof, PV arrays, parking, chargers, systems), each
built once with a sentinel PeakPower and cached; a submission gets a copy with its own peak power
written in and its own GlobalIds (uuid5 of the folder and the template's GlobalId). The same seed
writes the same bytes; each submission depends only on the seed and its index.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import random
import re
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:            # run as a script from any working directory
    sys.path.insert(0, str(HERE))

import yaml  # noqa: E402
from blocks import (  # noqa: E402
    charger_row,
    heat_pump,
    panel_grid,
    parking_row,
    pv_type,
    roof_slab,
    solar_collector,
    waste_heat_exchanger,
)
from builder import GUID_NAMESPACE, ROOF_LEVEL_M, Model, meta  # noqa: E402
from submission_data import CONSTRUCTION, audit, energy, green, no_parking, operation  # noqa: E402

SENTINEL_W = 98765.25                   # PeakPower written into the cached layouts, replaced per submission
TEMPLATE_SAMPLE = "corpus-layout"       # IfcProject name in the cached layouts, replaced by the submission id
ARRAY_W, ARRAY_D = 5.0, 4.0             # one PV array, m
GREEN3_ZONES = ("binjiang_south", "xinjiangwan")
ZONES = ("binjiang_south", "binjiang_middle_north", "xinjiangwan", "dachuangzhi", "dachuanggu", "huan_tongji",
         "changyang_valley", "wujiaochang", "kic", "jiangpu_road", None)
BROKEN = {   # defect -> a substring of the message the checker prints
    "yaml_syntax": "is not valid YAML", "missing_model": "listed in 'models' does not exist",
    "truncated_ifc": "the model file is truncated", "random_bytes_ifc": "not a readable IFC model",
    "unknown_use": "unknown use class 'spaceport'", "wrong_type": "field 'gross_floor_area_m2'",
    "missing_submission_yaml": "submission metadata not found"}
_GUID = re.compile(rb"(=IFC[A-Z0-9]+\(')([0-9A-Za-z_$]{22})(')")


# -- model layouts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    """What one model holds; equal layouts are built once. Sizes in m."""

    filename: str = "architecture.ifc"
    units: str = "m"
    roof: str = "slab"            # slab | bare (no quantity, no body: area unknown) | none (in another model)
    roof_w: float = 0.0
    roof_d: float = 0.0
    panels: int = 0
    tilt: float = 10.0
    peak_on: str = "occurrence"   # occurrence | type (YP_PVPanel.PeakPower on an IfcSolarDeviceType)
    parking: int = 0
    ready: int = 0
    ac: int = 0
    dc: int = 0
    systems: tuple = ()           # heat_pump:AIR|GROUND|WATER|none, waste_heat, collector


def build(layout: Layout, tmp: Path) -> bytes:
    m = Model(TEMPLATE_SAMPLE, layout.filename, units=layout.units)
    if layout.roof != "none":
        bare = layout.roof == "bare"
        roof_slab(m, "屋面板 roof slab", 0.0, 0.0, layout.roof_w, layout.roof_d, quantities=not bare, body=not bare)
    if layout.panels:
        on_type = layout.peak_on == "type"
        panels = panel_grid(m, (0.0, 0.0, layout.roof_w, layout.roof_d), layout.panels, ARRAY_W, ARRAY_D,
                            layout.tilt, peak_w=None if on_type else SENTINEL_W)
        if on_type:
            pv_type(m, panels, "PV array 5×4 m", peak_w=SENTINEL_W)
    x0 = layout.roof_w + 10.0                        # surface parking and chargers east of the building
    for row in range(math.ceil(layout.parking / 10)):
        count = min(10, layout.parking - 10 * row)
        parking_row(m, count, m.ground, x0, 2.0 + 11.3 * row, ready=max(0, min(count, layout.ready - 10 * row)),
                    first=1 + 10 * row)
    if layout.ac + layout.dc:
        charger_row(m, [(7, "AC")] * layout.ac + [(60, "DC")] * layout.dc, m.ground, x0, 1.0)
    for system in layout.systems:
        if system.startswith("heat_pump:"):
            medium = system.split(":")[1]
            heat_pump(m, (5.0, 5.0, 0.0), m.ground, medium=None if medium == "none" else medium)
        elif system == "waste_heat":
            waste_heat_exchanger(m, (10.0, 5.0, 0.0), m.ground)
        elif system == "collector":
            solar_collector(m, (2.0, layout.roof_d + 2.0, ROOF_LEVEL_M + 0.6))
    return m.save(tmp).read_bytes()


class Layouts:
    """Built layouts, by Layout; `model(...)` is one submission's copy of one."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.cache = tmp, {}

    def model(self, layout: Layout, folder: str, sub_id: str, peak_w: float) -> bytes:
        if layout not in self.cache:
            self.cache[layout] = build(layout, self.tmp)
        data = self.cache[layout].replace(b"IFCPOWERMEASURE(%r)" % SENTINEL_W, b"IFCPOWERMEASURE(%.1f)" % peak_w)
        data = data.replace(b"'%s'" % TEMPLATE_SAMPLE.encode(), b"'%s'" % sub_id.encode())
        return _GUID.sub(lambda g: g[1] + _guid(folder, g[2]) + g[3], data)


def _guid(folder: str, old: bytes) -> bytes:
    import ifcopenshell.guid

    return ifcopenshell.guid.compress(uuid.uuid5(GUID_NAMESPACE, f"corpus/{folder}/{old.decode()}").hex).encode()


def pv_roof(rng: random.Random, cols: tuple, rows: tuple, stretch: float = 1.0, tilt: float = 10.0) -> dict:
    """A roof just big enough for `cols` × `rows` arrays (× `stretch` in depth), and how many are
    there (the last row at least half full)."""
    c, r = rng.choice(cols), rng.choice(rows)
    pitch = ARRAY_D * math.cos(math.radians(tilt)) + 0.6
    n = c * r - rng.randrange(0, c // 2 + 1)
    return dict(roof_w=5.5 * c - 0.5, roof_d=math.ceil((r * pitch - 0.2) * stretch * 10) / 10, panels=n, tilt=tilt)


def ratio_pct(layouts) -> float:
    roof = sum(x.roof_w * x.roof_d for x in layouts if x.roof == "slab")
    pv = sum(x.panels * ARRAY_W * ARRAY_D * math.cos(math.radians(x.tilt)) for x in layouts)
    return round(pv / roof * 100, 2) if roof else None


# -- templates: (rng) -> a submission's description ------------------------------------------------

def _date(rng: random.Random, first: int, last: int) -> str:
    start, end = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    return (start + datetime.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def _stars(use_public: bool, zone, gfa: float, least: int) -> int:
    return 3 if use_public and zone in GREEN3_ZONES and gfa >= 20000 else least


def _ev(rng: random.Random) -> dict:
    """Parking with enough chargers for EV-3 (≥ 15 %) and enough DC among them for EV-4 (≥ 30 %)."""
    spaces = rng.choice((10, 20, 30))
    chargers = math.ceil(spaces * 0.15) + rng.randrange(3)
    dc = math.ceil(chargers * 0.3) + rng.randrange(2)
    return dict(parking=spaces, ac=chargers - dc, dc=dc)


def new_public(rng, use, name, pv_cols, pv_rows, *, stretch=1.0, public_institution=True, least=1, years=(2021, 2029),
               parking=True, units="m", split=False, exemption=False):
    zone, gfa = rng.choice(ZONES), float(rng.randrange(4000, 36000, 100))
    roof = pv_roof(rng, pv_cols, pv_rows, stretch, rng.choice((0.0, 10.0)))
    ev = _ev(rng) if parking else {}
    peak_on = rng.choice(("occurrence", "type"))
    if split:   # roof and parking in architecture.ifc, the PV and the chargers in mep.ifc
        ev_arch = {k: v for k, v in ev.items() if k == "parking"}
        layouts = [Layout(units=units, roof_w=roof["roof_w"], roof_d=roof["roof_d"], **ev_arch),
                   Layout("mep.ifc", units, "none", peak_on=peak_on, ac=ev["ac"], dc=ev["dc"], **roof)]
    else:
        layouts = [Layout(units=units, peak_on=peak_on, **roof, **ev)]
    extra = dict(exemptions={"PV-1": {"reason": "roof reserved for a sports field under the planning permit",
                                      "document": "沪规划资源许〔2024〕123号"}}) if exemption else {}
    return dict(use=use, name=name, kind="new", zone=zone, filed_on=_date(rng, *years), gfa=gfa, layouts=layouts,
                public_institution=public_institution, green_building=green(_stars(True, zone, gfa, least)),
                energy=energy(renewable_substitution_rate_pct=round(rng.uniform(10.2, 14.5), 1)),
                declared=None if parking else no_parking(), measures=[*CONSTRUCTION, "pv_storage_dc_flexible"], **extra)


def residential(rng, *, years=(2026, 2029), not_ready=False, hp_only=False):
    roof = pv_roof(rng, (3, 4, 5), (1, 2, 3), 1.6)
    spaces = 0 if hp_only else rng.choice((10, 20, 30))
    ready = spaces // 2 if not_ready else spaces
    systems = ("heat_pump:none",) if hp_only else rng.choice(((), ("heat_pump:AIR",), ("collector",)))
    ac = 0 if hp_only else rng.randrange(1, 7)
    if not_ready:       # a space with a charger is ready too (EV-2): too few chargers to make every space ready
        ac = min(ac, spaces - ready - 1)
    layout = Layout(roof_w=roof["roof_w"], roof_d=roof["roof_d"], parking=spaces, ready=ready, systems=systems,
                    **({} if hp_only else dict(panels=roof["panels"], tilt=roof["tilt"], ac=ac)))
    cls = "none" if hp_only else rng.choice(("ultra_low", "ultra_low", "nearly_zero", "none", "none"))
    saving = {"ultra_low": rng.randrange(50, 60), "nearly_zero": rng.randrange(60, 75),
              "none": rng.randrange(25, 45)}[cls]
    return dict(use="residential", name="杨浦区某住宅小区新建住宅楼", kind="new", zone=rng.choice(ZONES),
                filed_on=_date(rng, *years), gfa=float(rng.randrange(6000, 40000, 100)), layouts=[layout],
                public_institution=False, green_building=green(1), declared=None if spaces else no_parking(),
                energy=energy(renewable_substitution_rate_pct=round(rng.uniform(10.2, 14.5), 1), energy_class=cls,
                              design_saving_rate_pct=saving),
                measures=["fully_fitted", "prefabrication", "pv_storage_dc_flexible"])


def _retrofit_energy(rng, low: float, high: float) -> dict:
    baseline = rng.randrange(800_000, 25_000_000, 1000)
    design = round(baseline * (1 - rng.uniform(low, high) / 100))
    return dict(baseline_energy_kwh_per_year=baseline, design_energy_kwh_per_year=design)


def mall_retrofit(rng):
    large = rng.random() < 0.5
    gfa = float(rng.randrange(105_000, 180_000, 500) if large else rng.randrange(20_000, 95_000, 500))
    gm = rng.random() < (0.6 if large else 0.4)
    roof = pv_roof(rng, (6, 8), (3, 4))
    layout = Layout(roof_w=roof["roof_w"], roof_d=roof["roof_d"],
                    **(dict(panels=roof["panels"], tilt=roof["tilt"]) if rng.random() < 0.5 else {}))
    return dict(use="commercial_complex", name="杨浦区某商业综合体节能改造", kind="retrofit", zone=rng.choice(ZONES),
                filed_on=_date(rng, 2021, 2029), gfa=gfa, layouts=[layout], public_institution=False,
                declared=no_parking(), energy=energy(**_retrofit_energy(rng, 6, 26), audit=audit("杨浦区公共建筑能源审计报告")),
                measures=["green_mall"] if gm else [])


def public_retrofit(rng):
    use = rng.choice(("government_office", "school", "public_office"))
    institution = use != "public_office" or rng.random() < 0.5
    low, high = rng.choice(((5.0, 14.0), (16.0, 28.0)))
    roof = pv_roof(rng, (4, 6), (2, 3))
    layout = Layout(roof_w=roof["roof_w"], roof_d=roof["roof_d"],
                    **(dict(panels=roof["panels"], tilt=roof["tilt"]) if rng.random() < 0.6 else {}))
    ops = operation((12.0, 480.0, 28.0, 30.0), (11.2, 440.0, 25.5, 27.5)) if institution else None
    return dict(use=use, name="杨浦区某公共建筑节能改造", kind="retrofit", zone=rng.choice(ZONES),
                filed_on=_date(rng, 2021, 2029), gfa=float(rng.randrange(6000, 60000, 100)), layouts=[layout],
                public_institution=institution, declared=no_parking(), operation=ops,
                energy=energy(**_retrofit_energy(rng, low, high), audit=audit("杨浦区公共机构能源审计报告")))


def data_centre(rng, pue=(1.15, 1.29), years=(2021, 2029)):
    roof = pv_roof(rng, (4, 5, 6), (2, 3))
    layout = Layout(peak_on=rng.choice(("occurrence", "type")), systems=("waste_heat",), **roof)
    return dict(use="data_centre", name="杨浦区某数据中心新建工程", kind="new", zone=rng.choice(ZONES),
                filed_on=_date(rng, *years), gfa=float(rng.randrange(5000, 30000, 100)), layouts=[layout],
                public_institution=False, declared=no_parking(), measures=["prefabrication", "pv_storage_dc_flexible"],
                energy=energy(renewable_substitution_rate_pct=round(rng.uniform(10.2, 14.5), 1),
                              pue=round(rng.uniform(*pue), 2)))


def plant(rng, bare=False, years=(2021, 2029)):
    roof = pv_roof(rng, (5, 6, 8), (3, 4, 5))
    layout = Layout(roof="bare" if bare else "slab", **roof)
    return dict(use="industrial_plant", name="杨浦区某智能制造企业新建厂房", kind="new", zone=rng.choice(ZONES),
                filed_on=_date(rng, *years), gfa=float(rng.randrange(3000, 20000, 100)), layouts=[layout],
                public_institution=False, declared=no_parking(), measures=rng.choice(([], ["prefabrication"])),
                energy=energy(renewable_substitution_rate_pct=round(rng.uniform(10.2, 14.5), 1)))


# name -> (expected verdict, weight, template)
TEMPLATES = {
    "pass-school": ("compliant", 12, lambda r: new_public(r, "school", "杨浦区某学校新建教学楼", (4, 5, 6), (2, 3, 4),
                                                          parking=False, least=2)),
    "pass-government-office": ("compliant", 10, lambda r: new_public(r, "government_office", "杨浦区某政府机关新建办公楼",
                                                                     (4, 5), (2, 3), least=2)),
    "pass-office": ("compliant", 10, lambda r: new_public(r, "public_office", "杨浦区某科技园研发办公楼", (4, 5, 6), (2, 3),
                                                          stretch=1.6, public_institution=False, units="mm",
                                                          split=True)),
    "pass-residential": ("compliant", 16, residential),
    "pass-mall-retrofit": ("compliant", 12, mall_retrofit),
    "pass-public-retrofit": ("compliant", 14, public_retrofit),
    "pass-data-centre": ("compliant", 6, data_centre),
    "pass-plant": ("compliant", 8, plant),
    "fail-office": ("non_compliant", 3, lambda r: new_public(r, "public_office", "杨浦区某商务办公楼", (4, 5), (2, 3),
                                                             stretch=3.5, public_institution=False, years=(2023, 2029))),
    "fail-residential-not-ready": ("non_compliant", 3, lambda r: residential(r, not_ready=True)),
    "fail-data-centre-pue": ("non_compliant", 2, lambda r: data_centre(r, pue=(1.35, 1.6), years=(2023, 2029))),
    "incomplete-plant-roof": ("incomplete", 2, lambda r: plant(r, bare=True, years=(2023, 2029))),
    "incomplete-exemption-school": ("incomplete", 2, lambda r: new_public(
        r, "school", "杨浦区某中学新建体育教学综合楼", (4, 5), (2, 3), stretch=3.5, parking=False, least=2,
        years=(2023, 2029), exemption=True)),
    "incomplete-heat-pump": ("incomplete", 2, lambda r: residential(r, hp_only=True)),
}


# -- the corpus -------------------------------------------------------------------------------------

def plan(n: int, seed: int, broken_every: int) -> list[tuple[int, str, str | None, random.Random]]:
    """(index, template, defect, rng) per submission: every template once first, then by weight."""
    names, weights = list(TEMPLATES), [w for _, w, _ in TEMPLATES.values()]
    kinds, out, good = list(BROKEN), [], 0
    for i in range(n):
        rng = random.Random(f"corpus/{seed}/{i}")
        broken = broken_every > 0 and (i + 1) % broken_every == 0
        if broken:
            name = rng.choices(names, weights)[0]
        else:
            name = names[good] if good < len(names) else rng.choices(names, weights)[0]
            good += 1
        out.append((i, name, kinds[(i // broken_every) % len(kinds)] if broken else None, rng))
    return out


def make_corpus(out: Path, n: int = 200, seed: int = 7, broken_every: int = 10) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        layouts = Layouts(Path(tmp))
        for i, name, defect, rng in plan(n, seed, broken_every):
            entries.append(_write_one(out, layouts, i, name, defect, rng, seed))
    counts = Counter(e["expect"] for e in entries)
    manifest = {"generator": "ifc_samples/corpus.py", "seed": seed, "n": n, "broken_every": broken_every,
                "counts": dict(sorted(counts.items())), "submissions": entries}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def _write_one(out: Path, layouts: Layouts, i: int, name: str, defect: str | None, rng: random.Random,
               seed: int) -> dict:
    expect, _, template = TEMPLATES[name]
    spec = template(rng)
    folder_name = f"c{i:03d}-{'error-' + defect.replace('_', '-') if defect else name}"
    sub_id = f"YP-{spec['filed_on'][:4]}-C{i:03d}"
    peak_w = float(rng.randrange(3200, 5200, 5))            # per 5 × 4 m array
    folder = out / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    models = {x.filename: layouts.model(x, folder_name, sub_id, peak_w) for x in spec["layouts"]}
    energy_doc = spec.get("energy") or {}
    doc = meta(sub_id, f"{spec['name']}（{i:03d}）", f"Corpus submission {i:03d} ({name})", spec["use"],
               spec["filed_on"], list(models), kind=spec["kind"], zone=spec["zone"],
               public_institution=spec["public_institution"], applicant="上海某建筑设计研究院有限公司",
               gross_floor_area_m2=spec["gfa"], exemptions=spec.get("exemptions"), declared=spec.get("declared"),
               green_building=spec.get("green_building"), energy=energy_doc or None, measures=spec.get("measures"),
               operation=spec.get("operation"))
    panels = sum(x.panels for x in spec["layouts"])
    base, design = energy_doc.get("baseline_energy_kwh_per_year"), energy_doc.get("design_energy_kwh_per_year")
    entry = {
        "folder": folder_name, "id": sub_id, "template": name,
        "expect": "error" if defect else expect, "broken": defect, "expected_error": BROKEN.get(defect),
        "filed_on": spec["filed_on"], "kind": spec["kind"], "use": spec["use"], "zone": spec["zone"],
        "public_institution": spec["public_institution"], "gross_floor_area_m2": spec["gfa"],
        "models": list(models), "pv_panels": panels, "pv_peak_w_per_panel": peak_w if panels else None,
        "pv_peak_kw": round(panels * peak_w / 1000.0, 4),
        "pv_roof_ratio_pct": ratio_pct(spec["layouts"]) if panels else None,
        "charging_points": sum(x.ac + x.dc for x in spec["layouts"]),
        "parking_spaces": sum(x.parking for x in spec["layouts"]),
        "retrofit_saving_pct": round((base - design) / base * 100.0, 4) if base else None,
        "energy_class": energy_doc.get("energy_class"),
        "green_mall": "green_mall" in (spec.get("measures") or []),
    }
    _check_design(entry)
    header = (f"# Generated by ifc_samples/corpus.py (seed {seed}) — do not edit by hand.\n"
              f"# Expected: {entry['expect']}{' (' + defect + ')' if defect else ''}\n")
    text = header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    if defect:
        text, models = _break(defect, text, models, rng)
        entry["models"] = list(models) if defect != "missing_model" else entry["models"] + ["structure.ifc"]
    for filename, data in models.items():
        (folder / filename).write_bytes(data)
    if defect != "missing_submission_yaml":
        (folder / "submission.yaml").write_text(text, encoding="utf-8")
    return entry


def _check_design(e: dict) -> None:
    """The generator's own arithmetic: the PV ratios its templates are designed around."""
    ratio, t = e["pv_roof_ratio_pct"], e["template"]
    if t in ("pass-school", "pass-government-office", "pass-plant"):
        assert ratio >= 53, (t, ratio)
    elif t == "pass-office":
        assert ratio >= 33, (t, ratio)
    elif t in ("fail-office", "incomplete-exemption-school"):
        assert ratio <= 27, (t, ratio)


def _break(defect: str, text: str, models: dict, rng: random.Random) -> tuple[str, dict]:
    first = next(iter(models))
    if defect == "yaml_syntax":
        text = re.sub(r"(?m)^use: (\S+)$", r"use: [\1", text, count=1)              # an unclosed flow sequence
    elif defect == "missing_model":
        text = re.sub(r"(?m)^models: \[(.*)\]$", r"models: [\1, structure.ifc]", text, count=1)
    elif defect == "truncated_ifc":
        data = models[first]
        cut = data.index(b"\n", len(data) // 2)
        models = {**models, first: data[:cut - 7]}                                 # mid-line, as an upload cut short
    elif defect == "random_bytes_ifc":
        models = {**models, first: rng.randbytes(4096)}
    elif defect == "unknown_use":
        text = re.sub(r"(?m)^use: \S+$", "use: spaceport", text, count=1)
    elif defect == "wrong_type":
        text = re.sub(r"(?m)^gross_floor_area_m2: \S+$", "gross_floor_area_m2: lots", text, count=1)
    return text, models


def main(argv: list[str] | None = None) -> int:
    import time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--n", type=int, default=200, help="number of submissions (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--broken-every", type=int, default=10, help="every N-th submission is broken (0: none)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    manifest = make_corpus(args.out, args.n, args.seed, args.broken_every)
    print(f"{args.n} submissions written to {args.out} in {time.perf_counter() - start:.1f} s: "
          + ", ".join(f"{v} {k}" for k, v in manifest["counts"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
