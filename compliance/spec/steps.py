"""Reusable Gherkin steps for rule scenarios (a pytest plugin; no Python per rule).

A scenario describes a submission (what `submission.yaml` would say) and what its models show;
the steps build the same records the IFC reader produces (`ModelFacts`), run them through the
real rule files, metrics and engine (`compliance.pipeline.judge_submission`, with the same
submission findings a real check makes) and compare each rule's result with the scenario.

Vocabulary (lines of a feature file that start with `#` are comments):

  Given the rule set in "rules"                       (the runner may point it at another folder)
  Given a new school submission filed on 2024-03-01   (new | retrofit, any use class of _settings.yaml)
  And the project is a public institution | is not a public institution
  And the project is in zone binjiang_south | is in no zone
  And the gross floor area is 25000 m² | is not stated
  And the submission states energy.pue = 1.25         (any field path of submission.yaml; the value
                                                       is read as YAML: 12.5, true, [bipv, bim], 3-star;
                                                       "not stated" or null removes the field)
  And the submission states:                          (the same, as a table | field | value |)
  And the submission does not state energy.pue
  And the designer claims an exemption from PV-1: "roof reserved for a sports field"
  And the models show a roof of 1000 m² and PV panels of 600 m²   (? = no area, none = no roof)
  And the PV panels stand on the ground beside the building
  And the models hold no geometry for the PV panels
  And the models show a building of 25000 m² gross floor area
  And the models show 40 parking spaces [of which 40 are charger-ready]
  And the models show 40 parking spaces and 6 charging points of which 2 are fast
  And the models show 40 parking spaces and no charging points
  And the models show 6 charging points of which 2 are fast       (fast = DC, 120 kW; others AC 7 kW)
  And the models show no parking spaces and no charging points
  And 2 of the charging points state neither power nor current type
  And 1 of the charging points is AC at 60 kW                    (changes chargers that are not fast)
  And the models show a heat_pump system using ground | a solar_thermal system | no renewable system
  And the reader flagged the roof's area as uncertain: "area unit not declared"
  And the reader flagged the charging points as uncertain: "..."   (roofs, PV panels, parking spaces,
                                                                    charging points, systems)
  And the models show a building of 397.5 m² gross floor area summed from 30 spaces   (a lower bound)
  And the pv_roof_ratio is uncertain between 31 and 40    (any metric of docs/rules.md: the figure the
  And the gross_floor_area is uncertain from 19000 upward  models give stays, but is uncertain within
  And the pv_roof_ratio is uncertain up to 40              that range; "is uncertain" alone: unbounded)
  When the rules are evaluated [as of 2030-01-01]     (default: the filing date)
  Then rule PV-1 is pass | fail | not_applicable | missing_data | manual_review
  Then rules PV-1 and PV-2 are not_applicable
  And rule PV-1 measured 50 | 2-star | —
  And rule PV-1 blocks approval | does not block approval
  And rule EB-2 is reported as "不计入"      (the status as the reports say it: 未采用, 未达目标, a tally's
                                              计入 / 不计入 — from the rule-set settings; zh or en)
  And rule EB-2 is not listed as something to fix | is listed as something to fix
                                            (需要处理的事项, or the encouraged items and targets apart)
  And rule GB-2 explains "not supported"
  And the overall verdict is compliant | non_compliant | incomplete

Every `Then rule X is S` that holds is recorded on the scenario's `world` (rule, status, date,
measured values), so the runner can show which statuses, boundaries and dates each rule's
scenarios cover.
"""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError
from pytest_bdd import given, parsers, then, when

from ..evaluate.results import overall_verdict
from ..read.records import BuildingRecord, ChargerRecord, Figure, Note, ParkingRecord, SystemRecord
from .world import (  # noqa: F401  (fixtures the steps take; pytest finds them here)
    NOT_STATED,
    NUMBER,
    ON_GROUND,
    RULE_ID,
    SPEC_FILE,
    VERDICTS,
    ScenarioError,
    World,
    _area_figure,
    _check_field,
    _doubt,
    _evaluate,
    _expect_status,
    _gid,
    _load,
    _need_submission,
    _number,
    _result,
    _rule_list,
    _state,
    _unstate,
    spec_rulesets,
    world,
)


@given(parsers.parse('the rule set in "{folder}"'))
def rule_set(world, request, spec_rulesets, folder):
    _load(world, request, spec_rulesets, folder)


# --------------------------------------------------------------------------- the submission

@given(parsers.re(r"an? (?P<kind>new|retrofit) (?P<use>\w+) submission filed on (?P<filed>\d{4}-\d{2}-\d{2})"))
def submission(world, kind, use, filed):
    world.meta = dict(id="SPEC-1", name="规格场景", kind=kind, use=use, public_institution=False,
                      filed_on=filed, models=[SPEC_FILE])


@given(parsers.re(r"the project is (?P<neg>not )?a public institution"))
def public_institution(world, neg):
    _need_submission(world)["public_institution"] = not neg


@given(parsers.re(r"the project is in zone (?P<zone>\w+)"))
def zone(world, zone):
    _need_submission(world)["zone"] = zone


@given("the project is in no zone")
def no_zone(world):
    _need_submission(world).pop("zone", None)


@given(parsers.re(rf"the gross floor area is (?P<gfa>{NUMBER}|not stated)(?: m²| m2)?"))
def gross_floor_area(world, gfa):
    _state(world, "gross_floor_area_m2", gfa.replace(",", ""))


@given(parsers.re(r"the submission states (?P<path>[\w.-]+) = (?P<value>.+)"))
def states(world, path, value):
    _state(world, path, value)


@given("the submission states:")
def states_table(world, datatable):
    rows = [list(r) for r in datatable]
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["field", "value"]:
        rows = rows[1:]
    for row in rows:
        if len(row) < 2:
            raise ScenarioError(f"a row of 'the submission states:' needs a field and a value: {row}")
        _state(world, row[0], row[1])


@given(parsers.re(r"the submission does not state (?P<path>[\w.-]+)"))
def does_not_state(world, path):
    _unstate(world, path)


@given(parsers.re(r'the designer claims an exemption from (?P<rule>\S+): "(?P<reason>.+)"'))
def exemption(world, rule, reason):
    meta = _need_submission(world)
    meta.setdefault("exemptions", {})[rule] = {"reason": reason}
    _check_field(meta, ("exemptions", rule))


# --------------------------------------------------------------------------- what the models show

@given(parsers.re(r"the models show a roof of (?P<roof>\S+) m² and PV panels of (?P<pv>\S+) m²"))
def model_areas(world, roof, pv):
    if roof != "none":
        world.roofs.append(_area_figure("roof", len(world.roofs) + 1, roof))
    if pv.strip() == "?" or _number(pv) > 0:
        world.panels.append(_area_figure("pv", len(world.panels) + 1, pv))


@given("the PV panels stand on the ground beside the building")
def panels_on_ground(world):
    world.panels = [p.model_copy(update=ON_GROUND) for p in world.panels]


@given("the models hold no geometry for the PV panels")
def panels_without_geometry(world):
    world.panels = [p.model_copy(update=dict(outline=None, z_min=None, z_max=None)) for p in world.panels]


@given(parsers.re(rf"the models show a building of (?P<gfa>{NUMBER}) m² gross floor area"
                  r"(?: summed from (?P<spaces>\d+) spaces)?"))
def building_gfa(world, gfa, spaces):
    n = len(world.buildings) + 1
    figure = Figure(value=_number(gfa), unit="m²", source="Qto_BuildingBaseQuantities.GrossFloorArea") \
        if spaces is None else Figure(value=_number(gfa), unit="m²", method="derived",
                                      source=f"sum of {spaces} spaces' GrossFloorArea (underestimate)")
    world.buildings.append(BuildingRecord(global_id=_gid("BLDG", n), ifc_class="IfcBuilding", file=SPEC_FILE,
                                          matched_by="scenario", gross_floor_area=figure))


def _spaces(world: World, count: int, ready: int | None) -> None:
    if ready is not None and ready > count:
        raise ScenarioError(f"{ready} charger-ready spaces out of {count}")
    world.parking = [ParkingRecord(global_id=_gid("PARK", i), ifc_class="IfcSpace", file=SPEC_FILE,
                                   matched_by="scenario", area_m2=12.5, area_source="scenario",
                                   charger_ready=None if ready is None else i <= ready,
                                   charger_ready_source=None if ready is None else "YP_ParkingSpace.ChargerReady")
                     for i in range(1, count + 1)]


def _chargers(world: World, count: int, fast: int) -> None:
    if fast > count:
        raise ScenarioError(f"{fast} fast charging points out of {count}")
    world.chargers = [ChargerRecord(global_id=_gid("EVC", i), ifc_class="IfcOutlet", file=SPEC_FILE,
                                    matched_by="scenario", power_kw=120.0 if i <= fast else 7.0,
                                    power_source="YP_EVCharger.RatedPower", current="DC" if i <= fast else "AC",
                                    current_source="YP_EVCharger.CurrentType")
                      for i in range(1, count + 1)]


@given(parsers.re(r"the models show (?P<count>\d+) parking spaces?(?: of which (?P<ready>\d+) (?:is|are) charger-ready)?"))
def parking_spaces(world, count, ready):
    _spaces(world, int(count), None if ready is None else int(ready))


@given(parsers.re(r"the models show (?P<count>\d+) parking spaces? and (?:(?P<chargers>\d+) charging points? "
                  r"of which (?P<fast>\d+) (?:is|are) fast|no charging points)"))
def parking_and_chargers(world, count, chargers, fast):
    _spaces(world, int(count), None)
    _chargers(world, int(chargers or 0), int(fast or 0))


@given("the models show no parking spaces and no charging points")
def no_parking(world):
    world.parking, world.chargers = [], []


@given(parsers.re(r"the models show (?P<chargers>\d+) charging points? of which (?P<fast>\d+) (?:is|are) fast"))
def chargers_only(world, chargers, fast):
    _chargers(world, int(chargers), int(fast))


@given(parsers.re(r"(?P<count>\d+) of the charging points states? neither power nor current type"))
def chargers_unknown(world, count):
    n = int(count)
    slow = [c for c in world.chargers if c.current != "DC"]
    if n > len(slow):
        raise ScenarioError(f"only {len(slow)} charging points are not fast")
    unknown = {c.global_id for c in slow[-n:]} if n else set()
    world.chargers = [c.model_copy(update=dict(power_kw=None, power_source=None, current=None, current_source=None))
                      if c.global_id in unknown else c for c in world.chargers]


@given(parsers.re(r"(?P<count>\d+) of the charging points (?:is|are) (?P<current>AC|DC) at (?P<kw>\d+(?:\.\d+)?) kW"))
def chargers_rated(world, count, current, kw):
    n = int(count)
    slow = [c for c in world.chargers if c.current != "DC"]
    if n > len(slow):
        raise ScenarioError(f"only {len(slow)} charging points are not fast")
    chosen = {c.global_id for c in slow[-n:]} if n else set()
    world.chargers = [c.model_copy(update=dict(power_kw=float(kw), current=current)) if c.global_id in chosen else c
                      for c in world.chargers]


@given(parsers.re(r"the models show an? (?P<kind>\w+) system(?: using (?P<medium>\w+))?"))
def renewable_system(world, kind, medium):
    """Heat recovery is waste-heat recovery (renewable) or, where its source is one the conventions
    do not count (exhaust_air), an efficiency measure — as the reader records it."""
    from ..read.conventions import load_conventions

    n = len(world.systems) + 1
    pset = "YP_HeatPump.SourceMedium"
    if kind == "waste_heat_recovery":
        pset = "YP_HeatRecovery.HeatSource"
        if medium is not None and medium not in load_conventions(world.ruleset.directory)["heat_recovery"].renewable_sources:
            kind = "exhaust_heat_recovery"
    try:
        world.systems.append(SystemRecord(global_id=_gid("SYS", n), ifc_class="IfcEnergyConversionDevice",
                                          file=SPEC_FILE, matched_by="scenario", kind=kind, source_medium=medium,
                                          medium_source=None if medium is None else pset))
    except ValidationError:
        raise ScenarioError(f"a system is solar_thermal, heat_pump or waste_heat_recovery (not {kind!r}), "
                            f"using ground, water or air (heat pumps) or process, data_centre, sewage or exhaust_air "
                            f"(heat recovery) (not {medium!r})") from None


@given("the models show no renewable system")
def no_renewables(world):
    world.systems, world.panels = [], []


@given(parsers.parse('the reader flagged the roof\'s area as uncertain: "{why}"'))
def uncertain_roof(world, why):
    _flag(world, world.roofs, why)


FLAGGABLE = {"roof": "roofs", "roofs": "roofs", "PV panels": "panels", "parking spaces": "parking",
             "charging points": "chargers", "systems": "systems", "building": "buildings"}


@given(parsers.re(r'the reader flagged the (?P<what>roofs?|PV panels|parking spaces|charging points|systems|building) '
                  r'as uncertain: "(?P<why>.+)"'))
def uncertain_records(world, what, why):
    _flag(world, getattr(world, FLAGGABLE[what]), why)


def _flag(world: World, records: list, why: str) -> None:
    if not records:
        raise ScenarioError("nothing to flag: say first what the models show")
    # the scenario's own words, in whichever language it is written, stand for both
    world.notes.append(Note(code="spec.uncertain", message=why, message_zh=why, file=SPEC_FILE,
                            global_ids=tuple(r.global_id for r in records), severity="uncertain"))


@given(parsers.re(rf"the (?P<metric>[a-z][a-z_]*) is uncertain(?: between (?P<low>-?{NUMBER}) and (?P<high>-?{NUMBER})"
                  rf"| from (?P<above>-?{NUMBER}) upward| up to (?P<below>-?{NUMBER}))?"))
def uncertain_metric(world, metric, low, high, above, below):
    def signed(text):
        return None if text is None else -_number(text[1:]) if text.startswith("-") else _number(text)

    _doubt(world, metric, signed(low if low is not None else above), signed(high if high is not None else below))


# --------------------------------------------------------------------------- evaluation

@when("the rules are evaluated")
def evaluated(world, request, spec_rulesets):
    _evaluate(world, request, spec_rulesets, None)


@when(parsers.re(r"the rules are evaluated as of (?P<day>\d{4}-\d{2}-\d{2})"))
def evaluated_as_of(world, request, spec_rulesets, day):
    _evaluate(world, request, spec_rulesets, date.fromisoformat(day))


# --------------------------------------------------------------------------- outcomes

@then(parsers.re(rf"rule (?P<rule>{RULE_ID}) is (?P<status>\w+)"))
def rule_status(world, rule, status):
    _expect_status(world, rule, status)


@then(parsers.re(rf"rules (?P<rules>{RULE_ID}(?:(?:, | and |、|和){RULE_ID})+) are (?P<status>\w+)"))
def rules_status(world, rules, status):
    for rule in _rule_list(rules):
        _expect_status(world, rule, status)


@then(parsers.re(rf"rule (?P<rule>{RULE_ID}) measured (?P<value>.+)"))
def rule_measured(world, rule, value):
    result = _result(world, rule)
    text = value.strip()
    got = result.measured
    if text.lower() in NOT_STATED | {"nothing"}:
        ok = got is None
    else:
        try:
            want = _number(text.rstrip("%").strip())
        except ValueError:
            shown = {c.measured_text.en for c in result.checks[:1]} | {c.measured_text.zh for c in result.checks[:1]}
            ok = text in shown
        else:
            ok = got is not None and abs(got - want) < 1e-4
    if not ok:
        shown = result.checks[0].measured_text.en if result.checks else "—"
        raise ScenarioError(f"rule {rule}: expected the measured value {text}, got {shown} ({result.status})")


@then(parsers.re(rf'rule (?P<rule>{RULE_ID}) shows the measured value "(?P<text>[^"]+)"'))
def rule_shows_measured(world, rule, text):
    """The measured value as the verdict writes it (English or Chinese), character for character."""
    result = _result(world, rule)
    shown = [c.measured_text for c in result.checks[:1]]
    if not any(text in (t.en, t.zh) for t in shown):
        raise ScenarioError(f"rule {rule}: expected the verdict to show {text!r}, it shows "
                            f"{shown[0].en if shown else '—'!r} ({result.status})")


@then(parsers.re(rf"rule (?P<rule>{RULE_ID}) (?P<verb>blocks|does not block) approval"))
def rule_blocks(world, rule, verb):
    result = _result(world, rule)
    blocks = result.blocks and result.status in ("fail", "missing_data", "manual_review")
    if blocks != (verb == "blocks"):
        raise ScenarioError(f"rule {rule} ({result.kind}, {result.status}) "
                            f"{'blocks' if blocks else 'does not block'} approval")


@then(parsers.re(rf'rule (?P<rule>{RULE_ID}) is reported as "(?P<text>[^"]+)"'))
def rule_reported_as(world, rule, text):
    """The status in the reports' words (zh or en): the kind's own word from the rule-set settings
    (a tally's 计入 / 不计入), else 未采用 / 未达目标 for a non-blocking fail, else the status."""
    from ..report.labels import status_label

    result = _result(world, rule)
    said = status_label(result)
    if text not in said:
        raise ScenarioError(f"rule {rule} ({result.kind}, {result.status}) is reported as "
                            f"{said[0]!r} / {said[1]!r}, not {text!r}")


@then(parsers.re(rf"rule (?P<rule>{RULE_ID}) is (?P<neg>not )?listed as something to fix"))
def rule_listed_to_fix(world, rule, neg):
    """Whether the reports list the result as something to act on: under 需要处理的事项 (blocking), or
    apart as an encouraged item or target falling short — with a remedy or suggestion either way."""
    from ..report.labels import acts_on, falls_short

    result = _result(world, rule)
    listed = acts_on(result) or falls_short(result)
    if listed == bool(neg):
        raise ScenarioError(f"rule {rule} ({result.kind}, {result.status}) is {'' if listed else 'not '}listed "
                            "as something to fix")
    if not listed and result.status != "pass" and result.remedy is not None:
        raise ScenarioError(f"rule {rule} ({result.kind}, {result.status}) is not listed, yet carries a remedy")


@then(parsers.re(rf'rule (?P<rule>{RULE_ID}) explains "(?P<text>.+)"'))
def rule_explains(world, rule, text):
    result = _result(world, rule)
    said = [result.message, result.message_zh, *((result.computation.en, result.computation.zh)
                                                  if result.computation else ()),
            *(r.en for r in result.reasons), *(r.zh for r in result.reasons)]
    if not any(text.lower() in s.lower() for s in said):
        raise ScenarioError(f"rule {rule}: {text!r} is not in its explanation: " + " | ".join(s for s in said if s))


@then(parsers.re(r"the overall verdict is (?P<verdict>\w+)"))
def overall(world, verdict):
    if verdict not in VERDICTS:
        raise ScenarioError(f"{verdict!r} is not a verdict; use one of {', '.join(VERDICTS)}")
    if world.results is None:
        raise ScenarioError("the rules have not been evaluated yet")
    got = overall_verdict(list(world.results.values()))
    if got != verdict:
        deciding = [f"{r.rule} {r.status}" for r in world.results.values()
                    if r.blocks and r.status in ("fail", "missing_data", "manual_review")]
        raise ScenarioError(f"expected the overall verdict {verdict}, got {got} ({', '.join(deciding) or 'nothing blocks'})")
