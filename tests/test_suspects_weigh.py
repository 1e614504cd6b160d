"""Suspects and declared-only figures in the verdict: the rules they could change go to review
unless every plausible value gives the same outcome (real submissions, sample builder)."""

from __future__ import annotations

import sys

import pytest
from conftest import RULES, SAMPLES

from compliance.context import RunContext
from compliance.pipeline import check_submission

if str(SAMPLES) not in sys.path:
    sys.path.insert(0, str(SAMPLES))

from blocks import ground_floor, panel_grid, roof_slab  # noqa: E402
from builder import ROOF_LEVEL_M, Model, meta, write_submission  # noqa: E402


@pytest.fixture(scope="module")
def ctx() -> RunContext:
    return RunContext(rules_dir=RULES, cores=1)


def _office(tmp_path, name: str, *, declared=None, extra=None, roof_quantity: float | None = None):
    """A new office (PV-2: rooftop PV ≥ 30 %) with a basement and a 40 × 25 m ROOF slab (whose area
    quantity says `roof_quantity` when given); `extra(m)` adds elements."""
    m = Model(name, "architecture.ifc", storeys=(("B1", -4.5), ("F1", 0.0), ("RF", ROOF_LEVEL_M)))
    ground_floor(m, 40.0, 25.0)
    roof_slab(m, "屋面板", 0.0, 0.0, 40.0, 25.0, gross_area=roof_quantity)
    if extra is not None:
        extra(m)
    doc = meta(f"T-{name}"[:30], "测试办公楼", "Test office", "public_office", "2025-11-12", ["architecture.ifc"],
               public_institution=False, gross_floor_area_m2=9000, declared=declared)
    folder = tmp_path / name
    write_submission(folder, doc, [m], "# test submission\n")
    return folder


def _pv2(verdict):
    return next(r for r in verdict.results if r.rule == "PV-2")


@pytest.mark.parametrize("declared_pv,status", [(400.0, "manual_review"), (200.0, "fail"), (0.0, "fail")])
def test_a_pv_area_declared_with_no_panel_in_the_models(tmp_path, ctx, declared_pv, status):
    """1000 m² of roof, no panel modelled: a declared 400 m² could be 0–40 % (review); a declared
    200 m² fails whatever the truth (0–20 % < 30 %)."""
    verdict = check_submission(_office(tmp_path, f"decl-{int(declared_pv)}", declared={"pv_area_m2": declared_pv}), ctx)
    pv2 = _pv2(verdict)
    assert pv2.status == status
    assert pv2.measured == pytest.approx(declared_pv / 10.0)
    if declared_pv:
        assert "declared only" in pv2.computation.en
        assert any("declared.pv_area_m2" in (e.fields or ("",))[0] for e in pv2.evidence)


def _proxy_panels(m, n: int, name: str, object_type: str | None):
    """`n` 2 × 1 m proxies on the roof, named and typed as given (no PV class)."""
    out = []
    for i in range(n):
        p = m.add("IfcBuildingElementProxy", f"{name}-{i:02d}", object_type=object_type)
        m.box(p, 2.0, 1.0, 0.05, (1.5 + 2.5 * (i % 15), 13.0 + 1.2 * (i // 15), ROOF_LEVEL_M + 0.6))
        m.areas(p, "BaseQuantities", GrossArea=2.0)
        out.append(p)
    return out


def test_panels_named_only_send_the_ratio_to_review_naming_them(tmp_path, ctx):
    """100 m² of recognised panels (10 %) and 50 proxies named 光伏组件 (100 m² more): 10–20 % < 30 %:
    fails whatever they are, and says so; 150 named-only proxies (300 m²): 10–40 %: review."""
    def few(m):
        panel_grid(m, (0.0, 0.0, 40.0, 12.0), 50, 2.0, 1.0)
        _proxy_panels(m, 50, "光伏组件", "常规模型")

    def many(m):
        panel_grid(m, (0.0, 0.0, 40.0, 12.0), 50, 2.0, 1.0)
        _proxy_panels(m, 150, "光伏组件", "常规模型")

    few_v = check_submission(_office(tmp_path, "named-few", extra=few), ctx)
    many_v = check_submission(_office(tmp_path, "named-many", extra=many), ctx)
    assert _pv2(few_v).status == "fail"
    assert "doubt does not change" in " ".join(r.en for r in _pv2(few_v).reasons)
    pv2 = _pv2(many_v)
    assert pv2.status == "manual_review"
    named = {g for e in pv2.evidence for g in e.global_ids if "suspect" in (e.detail or "")}
    assert len(named) == 150
    assert any(n.code == "model.suspects" for n in many_v.notes)


@pytest.mark.parametrize("floor_tool_roof,status", [(True, "manual_review"), (False, "pass")])
def test_an_exposed_floor_slab_beside_a_small_roof_cannot_pass(tmp_path, ctx, floor_tool_roof, status):
    """The main roof drawn with the floor tool (a 40 × 25 m FLOOR slab, exposed) and a small annex
    marked ROOF with 40 % of it under panels: over the annex alone 40 % would pass; with the
    exposed slab the ratio may be 3.6–40 %: review. Without that slab it passes."""
    m = Model("floor-tool", "architecture.ifc", storeys=(("F1", 0.0), ("RF", ROOF_LEVEL_M)))
    ground_floor(m, 40.0, 25.0)
    main = m.add("IfcSlab", "楼板:常规-300mm:101", predefined="FLOOR")
    if floor_tool_roof:
        m.box(main, 40.0, 25.0, 0.3, (20.0, 12.5, ROOF_LEVEL_M))
    roof_slab(m, "Annex roof", 45.0, 0.0, 10.0, 10.0, z=4.0)
    panel_grid(m, (45.0, 0.0, 55.0, 10.0), 20, 2.0, 1.0, z=4.6)
    doc = meta("T-floor-tool", "测试办公楼", "Test office", "public_office", "2025-11-12", ["architecture.ifc"],
               public_institution=False, gross_floor_area_m2=9000)
    folder = tmp_path / "floor-tool"
    write_submission(folder, doc, [m], "# test submission\n")
    verdict = check_submission(folder, ctx)
    pv2 = _pv2(verdict)
    assert (pv2.status, pv2.measured) == (status, pytest.approx(40.0))
    suspects = {g for e in pv2.evidence for g in e.global_ids if "suspect roof" in (e.detail or "")}
    assert (main.GlobalId in suspects) is floor_tool_roof


def _office_roof_quantity(tmp_path, name: str, quantity_m2: float, panels: int):
    return _office(tmp_path, name, roof_quantity=quantity_m2,
                   extra=lambda m: panel_grid(m, (0.0, 0.0, 40.0, 25.0), panels, 2.0, 1.0))


@pytest.mark.parametrize("quantity_m2,panels,status", [
    (1100.0, 250, "pass"),            # 500 m² of PV over 1000–1100 m² of roof: 45–50 %, ≥ 30 % either way
    (3000.0, 250, "manual_review"),   # over 1000–3000 m²: 16.7–50 %: the threshold lies inside
    (1100.0, 100, "fail"),            # 200 m² over 1000–1100 m²: 18–20 %, < 30 % either way
])
def test_a_roof_read_two_ways_is_weighed_over_both(tmp_path, ctx, quantity_m2, panels, status):
    """The roof's quantity and its geometry disagree (area.geometry_disagrees): the ratio is decided
    where both readings give the same outcome, and goes to a reviewer where they do not."""
    verdict = check_submission(_office_roof_quantity(tmp_path, f"two-ways-{int(quantity_m2)}-{panels}",
                                                     quantity_m2, panels), ctx)
    assert any(n.code == "area.geometry_disagrees" for n in verdict.notes)
    assert _pv2(verdict).status == status


def test_a_suspect_over_a_counted_roof_adds_nothing(tmp_path, ctx):
    """A roof covering (IfcCovering ROOFING) over the counted roof slab is a suspect roof, but the
    part of it over a counted roof adds no roof area: 400 m² of PV on 1000 m² stays a pass. The
    same covering beside the roof would make it 20–40 %: review."""
    def over(m):
        panel_grid(m, (0.0, 0.0, 40.0, 25.0), 200, 2.0, 1.0)
        cover = m.add("IfcCovering", "Roof finish 屋面面层", predefined="ROOFING")
        m.box(cover, 40.0, 25.0, 0.05, (20.0, 12.5, ROOF_LEVEL_M + 0.2))

    def beside(m):
        panel_grid(m, (0.0, 0.0, 40.0, 25.0), 200, 2.0, 1.0)
        cover = m.add("IfcCovering", "Roof finish 屋面面层", predefined="ROOFING")
        m.box(cover, 40.0, 25.0, 0.05, (20.0, 40.0, ROOF_LEVEL_M + 0.2))

    verdicts = {name: check_submission(_office(tmp_path, name, extra=extra), ctx)
                for name, extra in (("cover-over", over), ("cover-beside", beside))}
    assert _pv2(verdicts["cover-over"]).status == "pass"
    assert _pv2(verdicts["cover-beside"]).status == "manual_review"
    for verdict in verdicts.values():
        assert any(n.code == "model.suspects" and "roof" in n.message for n in verdict.notes)


def test_a_check_carries_its_plausible_range_in_every_report(tmp_path, ctx):
    """The JSON check states the range (and the terminal summary shows it) where the figure is in doubt."""
    import json

    from compliance.report import render

    verdict = check_submission(_office_roof_quantity(tmp_path, "range-in-reports", 3000.0, 250), ctx)
    (check,) = _pv2(verdict).checks
    assert (check.certain, check.plausible_low, check.plausible_high) == (False, pytest.approx(16.6667),
                                                                           pytest.approx(50.0))
    doc = json.loads(render("json", verdict, lang="en"))
    pv2 = next(r for r in doc["results"] if r["rule"] == "PV-2")
    assert pv2["checks"][0]["plausible_text"]["en"] == "16.67%–50%"
    assert "[plausible 16.67%–50%]" in render("text", verdict, lang="en").decode()


def _garage(tmp_path, name: str, declared: dict):
    """A new office with 60 modelled parking spaces and 10 modelled charging points (16.7 %, EV-3 ≥ 15 %)."""
    from blocks import charger_row, parking_row

    def extra(m):
        basement = m.storeys["B1"]
        parking_row(m, 60, basement, 0.0, 2.0, ready=0)
        charger_row(m, [(7, "AC")] * 6 + [(60, "DC")] * 4, basement, 0.0, 0.5)

    return _office(tmp_path, name, declared=declared, extra=extra)


@pytest.mark.parametrize("declared_points,status", [
    (12, "pass"),            # 10 or 12 points for 60 spaces: 16.7–20 % ≥ 15 % either way
    (8, "manual_review"),    # 8 or 10: 13.3–16.7 %: the threshold lies inside
])
def test_a_declared_count_that_disagrees_with_the_model_spans_both(tmp_path, ctx, declared_points, status):
    """Two sources that disagree span both: the metadata.mismatch finding stands, and EV-3 is decided
    where every value between them gives the same outcome."""
    verdict = check_submission(_garage(tmp_path, f"mismatch-{declared_points}",
                                       {"charging_points": declared_points}), ctx)
    assert any(n.code == "metadata.mismatch" and n.field == "declared.charging_points" for n in verdict.notes)
    ev3 = next(r for r in verdict.results if r.rule == "EV-3")
    assert ev3.status == status
    assert any("declared.charging_points" in (e.fields or ("",))[0] for e in ev3.evidence)


def test_a_model_of_the_roof_alone_still_finds_the_floor_tool_roof(tmp_path, ctx):
    """A roof model with no ground slab (the main roof drawn with the floor tool, a small annex marked
    ROOF under panels): the floor-tool roof stands 18 m above the ground, so it is a suspect roof and
    the annex's 40 % cannot pass on its own (it did: the lowest slab was the roof itself)."""
    m = Model("roof-only", "roof.ifc", storeys=(("F1", 0.0), ("RF", ROOF_LEVEL_M)))
    main = m.add("IfcSlab", "楼板:常规-300mm:101", predefined="FLOOR")
    m.box(main, 40.0, 25.0, 0.3, (20.0, 12.5, ROOF_LEVEL_M))
    roof_slab(m, "Annex roof", 45.0, 0.0, 10.0, 10.0)
    panel_grid(m, (45.0, 0.0, 55.0, 10.0), 20, 2.0, 1.0)
    doc = meta("T-roof-only", "测试办公楼", "Test office", "public_office", "2025-11-12", ["roof.ifc"],
               public_institution=False, gross_floor_area_m2=9000)
    write_submission(tmp_path / "roof-only", doc, [m], "# test submission\n")
    pv2 = _pv2(check_submission(tmp_path / "roof-only", ctx))
    assert (pv2.status, pv2.measured) == ("manual_review", pytest.approx(40.0))
    assert main.GlobalId in {g for e in pv2.evidence for g in e.global_ids if "suspect roof" in (e.detail or "")}
