"""Reusable Gherkin steps for rule scenarios (no Python per rule).

Scenarios describe a submission and what its models show; the steps build the same
records the IFC reader produces and run them through the real rule files and engine.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from compliance.evaluate.results import overall_verdict
from compliance.pipeline import evaluate_models
from compliance.read.metadata import Exemption, Submission
from compliance.read.records import AreaFigure, ModelFacts, ModelInfo, Note
from compliance.ruleset.loader import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
SPEC_FILE = "spec.ifc"


@pytest.fixture
def world() -> dict:
    return {"meta": {}, "roofs": [], "panels": [], "notes": [], "exemptions": {}}


def _square(x0: float, y0: float, size: float):
    return (((x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)),)


ROOF_PLACE = dict(outline=_square(0.0, 0.0, 100.0), z_min=18.0, z_max=18.25)     # the roof of the scenario
ON_ROOF = dict(outline=_square(10.0, 10.0, 20.0), z_min=18.6, z_max=18.7)        # panels standing on it
ON_GROUND = dict(outline=_square(150.0, 10.0, 20.0), z_min=0.0, z_max=0.1)       # panels beside the building


def _figure(role: str, n: int, text: str) -> AreaFigure:
    area = None if text.strip() == "?" else float(text)
    return AreaFigure(role=role, global_id=f"{role.upper()}{n:018d}"[:22], ifc_class="IfcSlab" if role == "roof" else "IfcSolarDevice",
                      file=SPEC_FILE, matched_by="scenario", projected_m2=area, surface_m2=area,
                      projected_source=None if area is None else "scenario",
                      surface_source=None if area is None else "scenario",
                      **(ROOF_PLACE if role == "roof" else ON_ROOF))


@given(parsers.parse('the rule set in "{folder}"'))
def rule_set(world, folder):
    world["ruleset"] = load_ruleset(ROOT / folder)


@given(parsers.re(r"an? (?P<kind>new|retrofit) (?P<use>\w+) submission filed on (?P<filed>\d{4}-\d{2}-\d{2})"))
def submission(world, kind, use, filed):
    world["meta"] = dict(id="SPEC-1", name="规格场景", kind=kind, use=use, public_institution=False,
                         filed_on=date.fromisoformat(filed), models=[SPEC_FILE])


@given(parsers.re(r"the models show a roof of (?P<roof>\S+) m² and PV panels of (?P<pv>\S+) m²"))
def model_areas(world, roof, pv):
    if roof != "none":
        world["roofs"].append(_figure("roof", 1, roof))
    if pv.strip() == "?" or float(pv) > 0:
        world["panels"].append(_figure("pv", 1, pv))


@given("the PV panels stand on the ground beside the building")
def panels_on_ground(world):
    world["panels"] = [p.model_copy(update=ON_GROUND) for p in world["panels"]]


@given("the models hold no geometry for the PV panels")
def panels_without_geometry(world):
    world["panels"] = [p.model_copy(update=dict(outline=None, z_min=None, z_max=None)) for p in world["panels"]]


@given(parsers.parse('the designer claims an exemption from {rule}: "{reason}"'))
def exemption(world, rule, reason):
    world["exemptions"][rule] = Exemption(reason=reason)


@given(parsers.parse('the reader flagged the roof\'s area as uncertain: "{why}"'))
def uncertain_roof(world, why):
    gids = tuple(f.global_id for f in world["roofs"])
    world["notes"].append(Note(code="spec.uncertain", message=why, file=SPEC_FILE, global_ids=gids,
                               severity="uncertain"))


def _evaluate(world, as_of: date | None):
    meta = Submission(**world["meta"], exemptions=world["exemptions"])
    info = ModelInfo(file=SPEC_FILE, schema_name="IFC4", size_bytes=0, sha256="0" * 64, entity_count=0,
                     length_unit_m=1.0, area_unit_m2=1.0)
    model = ModelFacts(info=info, roofs=tuple(world["roofs"]), pv_panels=tuple(world["panels"]),
                       notes=tuple(world["notes"]))
    world["results"] = {r.rule: r for r in evaluate_models(world["ruleset"], meta, [model], as_of or meta.filed_on)}


@when("the rules are evaluated")
def evaluated(world):
    _evaluate(world, None)


@when(parsers.parse("the rules are evaluated as of {day}"))
def evaluated_as_of(world, day):
    _evaluate(world, date.fromisoformat(day))


@then(parsers.parse("rule {rule} is {status}"))
def rule_status(world, rule, status):
    result = world["results"][rule]
    assert result.status == status, f"{rule}: expected {status}, got {result.status}: {result.message}"


@then(parsers.parse("the overall verdict is {verdict}"))
def overall(world, verdict):
    assert overall_verdict(list(world["results"].values())) == verdict
