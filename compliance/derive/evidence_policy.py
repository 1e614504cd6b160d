"""Declared vs model: one policy for every family of figures (docs/rules.md, "Declared figures").

The models are the evidence; submission.yaml's `declared:` figures are what the designer says.
- Both give a figure and they disagree beyond the tolerance (`metadata_tolerance_pct`; counts
  must agree exactly): crosscheck.py's `metadata.mismatch` finding names both (and its `field`),
  and the metric reading that field spans both values (metrics.WEIGHED_FIELDS: EV counts, roof
  and PV areas; the gross floor area in declared.py): it decides only where both give the same
  outcome. A mismatch on another field makes the figures resting on those elements uncertain
  with no known reach (Inputs.doubts_about): a reviewer decides.
- submission.yaml declares a figure of a family no model shows (declared.charging_points: 12,
  and no charging point in any model): crosscheck.py's `metadata.declared_not_in_model` finding,
  and the metric uses the declared figure, uncertain over [what the models show, what is
  declared] = [0, declared] — so a rule is decided only where every value in that range gives
  the same outcome, and goes to a reviewer otherwise. The computation says "declared only, not
  shown in the models".
- Declared 0 where the models show none, or only one source for the figure: as it stands.
The gross floor area (declared.py) follows the same policy with its own twist: a sum of spaces is
a lower bound, not a figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import Text
from .metrics import Evidence, Inputs

DECLARED_NOT_IN_MODEL = "metadata.declared_not_in_model"

# declared field -> (the ModelFacts records that show its family, what a model would show)
FAMILIES: dict[str, tuple[str, Text]] = {
    "declared.parking_spaces": ("parking", Text(zh="停车位", en="parking spaces")),
    "declared.charger_ready_spaces": ("parking", Text(zh="停车位", en="parking spaces")),
    "declared.charging_points": ("chargers", Text(zh="充电桩", en="charging points")),
    "declared.fast_charging_points": ("chargers", Text(zh="充电桩", en="charging points")),
    "declared.pv_area_m2": ("pv_panels", Text(zh="光伏组件", en="PV panels")),
}
DECLARED_ONLY = Text(zh="仅申报，模型中未体现", en="declared only, not shown in the models")


def differs(declared: float, measured: float, is_count: bool, tolerance: float) -> bool:
    """Do a declared and a modelled figure disagree? Counts must agree; measures (areas, power)
    may differ by `tolerance` (a fraction) of the larger."""
    if is_count:
        return round(declared) != round(measured)
    return abs(declared - measured) > tolerance * max(abs(declared), abs(measured))


def shows(models, family: str) -> bool:
    """Does any model show an element of this family (ModelFacts attribute: parking, chargers, pv_panels…)?"""
    return any(getattr(m, family) for m in models)


def stated(meta, field: str):
    """The value submission.yaml gives a field path ('declared.charging_points', 'gross_floor_area_m2')."""
    value = meta
    for part in field.split("."):
        value = getattr(value, part, None) if value is not None else None
    return value


def at_line(file: str, line: int | None) -> Text:
    """'submission.yaml (line 14)' / 'submission.yaml 第 14 行'."""
    return Text(zh=f"{file} 第 {line} 行" if line else file, en=f"{file} (line {line})" if line else file)


def declared_only_reason(claim: Text, where: Text, what: Text) -> Text:
    """Why a declared figure of a family the models do not show is uncertain."""
    return Text(zh=f"{DECLARED_ONLY.zh}：{where.zh}申报 {claim.zh}，但模型中没有{what.zh}",
                en=f"declared but not shown in the models: {claim.en} in {where.en}, and the models show no "
                   f"{what.en}")


@dataclass(frozen=True)
class DeclaredOnly:
    """A declared figure standing in for a family no model shows, weighed by the policy above."""

    field: str                   # 'declared.charging_points'
    value: float                 # as declared
    low: float                   # what the models show: 0
    high: float                  # the declared figure
    certain: bool                # True only when 0 is declared (nothing to doubt)
    reasons: tuple[Text, ...]    # why it is uncertain (empty when certain)
    evidence: Evidence           # the field and its line in submission.yaml
    how: Text                    # for the computation: 'declared.x in submission.yaml — declared only, …'

    def metric_range(self, scale: float = 1.0) -> dict:
        """Metric keyword arguments for this figure times `scale` (e.g. 100 / roof area for a
        ratio in %): value, certain, low, high, reasons."""
        value = round(self.value * scale, 4)
        if self.certain:
            return dict(value=value, certain=True, reasons=())
        return dict(value=value, certain=False, low=round(self.low * scale, 4), high=round(self.high * scale, 4),
                    reasons=self.reasons)


def declared_only(inp: Inputs, field: str, models_show: bool | None = None) -> DeclaredOnly | None:
    """The declared `field` where no model shows its family, weighed; None where a model shows
    the family (the models are the evidence, and a disagreement is crosscheck's
    `metadata.mismatch`) or where the field is not declared. `models_show` overrides the test
    of FAMILIES (for a field not listed there)."""
    if models_show is None:
        models_show = shows(inp.models, FAMILIES[field][0])
    value = stated(inp.meta, field)
    if models_show or value is None:
        return None
    value = float(value)
    evidence = inp.field_evidence(field)
    where = at_line(inp.metadata_file, inp.lines.get(field))
    if value == 0:
        return DeclaredOnly(field, 0.0, 0.0, 0.0, True, (), evidence,
                            Text(zh=f"{inp.metadata_file} 中的 {field}", en=f"{field} in {inp.metadata_file}"))
    what = FAMILIES[field][1] if field in FAMILIES else Text(zh="相应构件", en="such elements")
    claim = Text(zh=f"{field} = {value:g}", en=f"{field} = {value:g}")
    return DeclaredOnly(field, value, 0.0, value, False, (declared_only_reason(claim, where, what),), evidence,
                        Text(zh=f"{inp.metadata_file} 中的 {field}（{DECLARED_ONLY.zh}）",
                             en=f"{field} in {inp.metadata_file} ({DECLARED_ONLY.en})"))
