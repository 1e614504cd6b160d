"""Gherkin steps for submissions of several buildings and use parts (a pytest plugin beside steps.py).

  And the submission has a building "A" of 12000 m² used as public_commercial
  And building "A" also has 25000 m² used as public_commercial     (another use part; the area adds up)
  And building "A" is a public institution | is not a public institution
  And building "A" does not state whether it is a public institution
  And the project does not state whether it is a public institution
  Then rule GB-2 is not_applicable for building "A"
  Then the submission has a finding "metadata.public_institution_contradicts" | has no finding "..."

A building of the scenario is also an IfcBuilding of its model (named by its id), so the checker
finds it there; what the other steps put in the models stands in no building.
"""

from __future__ import annotations

from pytest_bdd import given, parsers, then

from ..read.records import BuildingRecord
from .world import NUMBER, RULE_ID, SPEC_FILE, ScenarioError, _gid, _need_submission, _number, _result


def _building(world, bid: str) -> dict:
    for b in _need_submission(world).get("buildings", []):
        if b["id"] == bid:
            return b
    raise ScenarioError(f'building "{bid}" has not been described: add '
                        f'\'the submission has a building "{bid}" of … m² used as …\' first')


@given(parsers.re(rf'the submission has a building "(?P<bid>[\w.-]+)" of (?P<area>{NUMBER}) m² used as (?P<use>\w+)'))
def a_building(world, bid, area, use):
    meta = _need_submission(world)
    meta.pop("gross_floor_area_m2", None)          # the buildings' areas add up to it
    meta.setdefault("buildings", []).append({"id": bid, "gross_floor_area_m2": _number(area),
                                             "uses": [{"use": use, "area_m2": _number(area)}]})
    n = len(world.buildings) + 1
    world.buildings.append(BuildingRecord(global_id=_gid("BLDG", n), ifc_class="IfcBuilding", name=bid,
                                          file=SPEC_FILE, matched_by="scenario"))


@given(parsers.re(rf'building "(?P<bid>[\w.-]+)" also has (?P<area>{NUMBER}) m² used as (?P<use>\w+)'))
def another_use(world, bid, area, use):
    b = _building(world, bid)
    b["uses"].append({"use": use, "area_m2": _number(area)})
    b["gross_floor_area_m2"] += _number(area)


@given(parsers.re(r'building "(?P<bid>[\w.-]+)" is (?P<neg>not )?a public institution'))
def building_institution(world, bid, neg):
    _building(world, bid)["public_institution"] = not neg


@given(parsers.re(r'building "(?P<bid>[\w.-]+)" does not state whether it is a public institution'))
def building_institution_unstated(world, bid):
    _building(world, bid).pop("public_institution", None)


@given("the project does not state whether it is a public institution")
def institution_unstated(world):
    _need_submission(world).pop("public_institution", None)


@then(parsers.re(rf'rule (?P<rule>{RULE_ID}) is (?P<status>\w+) for building "(?P<bid>[\w.-]+)"'))
def status_for_building(world, rule, status, bid):
    result = _result(world, rule)
    found = [r for r in (result.per_building or (result,)) if r.building == bid]
    if not found:
        raise ScenarioError(f'rule {rule} has no result for building "{bid}" (buildings: '
                            f'{", ".join(str(r.building) for r in result.per_building or (result,))})')
    if found[0].status != status:
        raise ScenarioError(f'rule {rule}, building "{bid}": expected {status}, got {found[0].status} — '
                            f"{found[0].message}")


@then(parsers.re(r'the submission has (?:a |(?P<neg>no ))finding "(?P<code>[\w.]+)"'))
def finding(world, neg, code):
    if world.results is None:
        raise ScenarioError("the rules have not been evaluated yet: add 'When the rules are evaluated'")
    codes = [n.code for n in world.findings]
    if bool(neg) == (code in codes):
        raise ScenarioError(f"expected {'no ' if neg else ''}finding {code}; the findings are: "
                            f"{', '.join(codes) or 'none'}")
