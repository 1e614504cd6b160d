"""EV charging figures: parking spaces, charging points, the fast share, spaces made ready.

The models are the evidence where they hold parking spaces or chargers; otherwise the
declared figures in submission.yaml stand in, cited by field and line, and — unless 0 is
declared — uncertain between 0 (what the models show) and the declared figure
(evidence_policy.py). A share's range follows from its parts': lo = num_lo ÷ den_hi,
hi = num_hi ÷ den_lo.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import Text
from .evidence_policy import declared_only, stated
from .metrics import Evidence, Inputs, Metric, MetricSpec, counted, share_text, unique

NAMES = {"spaces": Text(zh="停车位", en="parking spaces"), "chargers": Text(zh="充电桩", en="charging points"),
         "fast": Text(zh="快充桩", en="fast charging points"),
         "ready": Text(zh="预留充电设施安装条件的停车位", en="charger-ready parking spaces")}
FIELDS = {"spaces": "parking_spaces", "ready": "charger_ready_spaces", "chargers": "charging_points",
          "fast": "fast_charging_points"}          # the declared field of each count
READY = Text(zh="YP_ParkingSpace.ChargerReady 为 TRUE 的停车位", en="spaces with YP_ParkingSpace.ChargerReady = TRUE")


def _ids(records) -> str:
    return ", ".join(r.global_id for r in records[:5])


@dataclass(frozen=True)
class _Figure:
    """A count with its evidence. `reasons` empty: certain. Otherwise `low`/`high` bound it where
    the doubt's reach is known (a declared figure the models do not show), and are None where it
    is not (a reader's note: a reviewer decides)."""

    value: float | None
    evidence: tuple[Evidence, ...]
    reasons: list[Text]
    how: Text | None = None
    low: float | None = None
    high: float | None = None

    @property
    def unbounded(self) -> bool:
        return bool(self.reasons) and self.low is None and self.high is None


class _Counts:
    """Parking and charger counts, from the models where they show them, else declared; widened by
    the stalls a zone may hold and by what suspect elements could add (suspects.py)."""

    def __init__(self, inp: Inputs) -> None:
        from .identity import stall_areas, unit_range

        self.inp = inp
        self.parking = unique(p for m in inp.models for p in m.parking)
        self.chargers = unique(c for m in inp.models for c in m.chargers)
        stall, self.max_stall = stall_areas(inp.conventions)
        self.units = {id(p): unit_range(p, stall, self.max_stall) for p in self.parking}

    def figure(self, what: str) -> _Figure:
        """Spaces / chargers / fast / ready."""
        f = self._with_suspects(self._with_declared(self._figure(what), what), what)
        return self._with_chargers(f) if what == "ready" else f

    def _with_chargers(self, f: _Figure) -> _Figure:
        """A space with a charger installed has its installation conditions reserved (EV-2): it is
        ready whatever YP_ParkingSpace.ChargerReady says. The models do not say which space a charger
        serves, so the ready spaces are at least the chargers (one space each) or those marked ready,
        and at most both together — capped at the spaces there are."""
        if not self.parking or not self.chargers or (f.value is not None and f.unbounded):
            return f
        total = float(sum(p.units for p in self.parking))
        n = float(len(self.chargers))
        how = Text(zh="已安装充电桩或标注 YP_ParkingSpace.ChargerReady 为 TRUE 的停车位",
                   en="spaces with a charger installed or YP_ParkingSpace.ChargerReady = TRUE")
        ev = f.evidence + (Evidence(source="ifc", file=self.chargers[0].file,
                                    global_ids=tuple(c.global_id for c in self.chargers[:50]),
                                    detail="charging points installed: their spaces are ready"),)
        if f.value is None:                  # no space states readiness: only a charger makes one ready
            return _Figure(total, ev, [], how, total, total) if n >= total else f
        low = min(total, max(f.value if f.low is None else f.low, n))
        high = None if f.high is None and f.reasons else min(total, (f.value if f.high is None else f.high) + n)
        if high is not None and high == low:
            return _Figure(low, ev, f.reasons, how, low, high)
        reason = Text(zh=f"已安装 {n:g} 个充电桩，其所在车位视为已预留安装条件；模型未表明充电桩对应哪个车位，"
                         f"预留车位数为 {low:g}–{(high if high is not None else total):g} 个",
                      en=f"{n:g} charging point(s) are installed and their spaces count as ready; the models do not "
                         f"say which space each serves, so {low:g}–{(high if high is not None else total):g} spaces "
                         "are ready")
        return _Figure(max(f.value, low), ev, f.reasons + [reason], how, low, high)

    def _with_declared(self, f: _Figure, what: str) -> _Figure:
        """A declared count that disagrees with the models' (metadata.mismatch): weighed over both."""
        field = f"declared.{FIELDS[what]}"
        finding = self.inp.mismatch(field)
        declared = stated(self.inp.meta, field)
        if finding is None or declared is None or f.value is None:
            return f
        reasons = f.reasons + [finding.text]
        evidence = f.evidence + (self.inp.field_evidence(field),)
        if f.unbounded:
            return _Figure(f.value, evidence, reasons, f.how)
        low = min(f.value if f.low is None else f.low, float(declared))
        high = None if f.high is None and f.reasons else max(f.value if f.high is None else f.high, float(declared))
        return _Figure(f.value, evidence, reasons, f.how, low, high)

    def _figure(self, what: str) -> _Figure:
        inp = self.inp
        records = self.parking if what in ("spaces", "ready") else self.chargers
        if records:
            if what == "spaces":
                kept, value = records, sum(p.units for p in records)
                how = Text(zh="模型中的停车位（计入 ParkingUnits）",
                           en="parking spaces in the models (ParkingUnits counted)")
            elif what == "ready":
                unstated = [p for p in records if p.charger_ready is None]
                if len(unstated) == len(records):     # absent is not "not ready": the data is missing
                    return _Figure(None, (), [Text(zh=f"模型中 {len(records)} 个停车位均未标注 YP_ParkingSpace.ChargerReady",
                                                   en=f"none of the {len(records)} parking space(s) states "
                                                      "YP_ParkingSpace.ChargerReady")])
                kept = [p for p in records if p.charger_ready is True]
                value, how = sum(p.units for p in kept), READY
            elif what == "chargers":
                kept, value, how = records, len(records), Text(zh="模型中的充电桩", en="charging points in the models")
            else:
                limit = inp.param("fast_charger_min_kw")
                kept = [c for c in records if c.current == "DC" or (c.power_kw or 0) >= limit]
                value, how = len(kept), Text(zh=f"模型中直流或功率 ≥ {limit:g} kW 的充电桩",
                                             en=f"DC or ≥ {limit:g} kW charging points in the models")
            doubts = inp.doubts_about({r.global_id for r in records})
            if what == "ready" and unstated:
                doubts.append(Text(zh=f"{len(unstated)} 个停车位未标注 YP_ParkingSpace.ChargerReady：{_ids(unstated)}",
                                   en=f"{len(unstated)} parking space(s) do not state YP_ParkingSpace.ChargerReady: "
                                      f"{_ids(unstated)}"))
            if what == "fast":
                unknown = [c for c in records if c.current is None and c.power_kw is None]
                if unknown:
                    doubts.append(Text(zh=f"{len(unknown)} 个充电桩既无功率也无交直流类型：{_ids(unknown)}",
                                       en=f"{len(unknown)} charging point(s) have neither power nor AC/DC: "
                                          f"{_ids(unknown)}"))
            files = sorted({r.file for r in kept}) or sorted({r.file for r in records})
            ev = tuple(Evidence(source="ifc", file=f, global_ids=tuple(r.global_id for r in kept if r.file == f),
                                detail=how.en, detail_zh=how.zh) for f in files)
            value = float(value)
            if what in ("spaces", "ready") and not doubts:
                return self._zones(kept, value, ev, how)
            return _Figure(value, ev, doubts, how, *((None, None) if doubts else (value, value)))
        field = FIELDS[what]
        only = declared_only(inp, f"declared.{field}", models_show=False)
        if only is None and what in ("chargers", "fast") and self.parking:
            return _Figure(0.0, (Evidence(source="ifc", file=self.parking[0].file,
                                          detail="no charging points in the models", detail_zh="模型中无充电桩"),), [],
                           Text(zh="模型中的充电桩（未建模）", en="no charging points in the models"), 0.0, 0.0)
        if only is None:
            return _Figure(None, (inp.field_evidence(f"declared.{field}"),),
                           [Text(zh=f"模型中无{NAMES[what].zh}，且申报资料未提供 declared.{field}",
                                 en=f"the models show no {NAMES[what].en} and declared.{field} is not given")])
        return _Figure(only.value, (only.evidence,), list(only.reasons), only.how, only.low, only.high)


    def _zones(self, kept, value: float, ev, how) -> _Figure:
        """Spaces far larger than a stall, without ParkingUnits, may hold many stalls: the count's range."""
        low = float(sum(self.units[id(p)][0] for p in kept))
        high = float(sum(self.units[id(p)][1] for p in kept))
        zones = [p for p in kept if self.units[id(p)][1] > self.units[id(p)][0]]
        if not zones:
            return _Figure(value, ev, [], how, value, value)
        reason = Text(zh=f"{len(zones)} 个停车位面积远大于单个车位（超过 {self.max_stall:g} m²）且未提供 ParkingUnits，"
                         f"可能为多个车位的停车区（{_ids(zones)}）：车位数为 {low:g}–{high:g} 个",
                      en=f"{len(zones)} parking space(s) are far larger than a stall (over {self.max_stall:g} m²) "
                         f"without ParkingUnits and may be zones of stalls ({_ids(zones)}): {low:g}–{high:g} spaces")
        return _Figure(value, ev, [reason], how, low, high)

    def _with_suspects(self, f: _Figure, what: str) -> _Figure:
        """Suspect chargers could each be one (fast) charging point; a suspect parking space any number."""
        from .suspects import suspect_evidence, suspect_reason, suspects_of

        if what == "ready":
            return f
        concept = "parking_space" if what == "spaces" else "ev_charger"
        sus = suspects_of(self.inp.models, concept)
        if not sus:
            return f
        extra = None if concept == "parking_space" else float(len(sus))
        effect = Text(zh="未计入" + (f"，可能另有 {extra:g} 个" if extra is not None else "，数量无法估计"),
                      en="not counted" + (f"; they could add {extra:g}" if extra is not None else
                                          "; how many they could add cannot be told"))
        reasons = f.reasons + [suspect_reason(concept, sus, effect)]
        evidence = f.evidence + tuple(suspect_evidence(concept, sus))
        if f.value is None:
            return _Figure(None, evidence, reasons, f.how)
        if f.unbounded:
            return _Figure(f.value, evidence, reasons, f.how)
        low = f.value if f.low is None else f.low
        high = None if extra is None or f.high is None else f.high + extra
        return _Figure(f.value, evidence, reasons, f.how, low, high)


def _count_metric(name: str, what: str):
    def compute(inp: Inputs) -> Metric:
        f = inp.memo("ev.counts", lambda: _Counts(inp)).figure(what)
        if f.value is None:
            return Metric(name=name, value=None, unit="count", reasons=tuple(f.reasons), evidence=f.evidence)
        bounds = {} if not f.reasons else dict(low=f.low, high=f.high)
        return Metric(name=name, value=f.value, unit="count", certain=not f.reasons, reasons=tuple(f.reasons),
                      evidence=f.evidence, computation=counted(f.value, f.how), **bounds)
    return compute


def _share_range(num: _Figure, den: _Figure, cap: bool) -> dict:
    """The share's plausible range (in %) from its parts' ranges; none when a part's doubt has no
    known reach. Counts are never negative, and a denominator that may be 0 leaves no upper bound."""
    if num.unbounded or den.unbounded:
        return {}
    n_lo, n_hi, d_lo, d_hi = num.low or 0.0, num.high, den.low, den.high
    low = round(n_lo / d_hi * 100.0, 4) if d_hi else 0.0
    high = round(n_hi / d_lo * 100.0, 4) if d_lo and n_hi is not None else None
    if cap:
        low, high = min(low, 100.0), 100.0 if high is None else min(high, 100.0)
    return dict(low=low, high=high)


def _share_metric(name: str, top: str, bottom: str, cap: bool = False):
    def compute(inp: Inputs) -> Metric:
        counts = inp.memo("ev.counts", lambda: _Counts(inp))
        num, den = counts.figure(top), counts.figure(bottom)
        ev = num.evidence + den.evidence
        if num.value is None or den.value is None:
            return Metric(name=name, value=None, unit="%", reasons=tuple(num.reasons + den.reasons), evidence=ev)
        if den.value <= 0:
            return Metric(name=name, value=None, unit="%", evidence=ev,
                          reasons=(Text(zh=f"无{NAMES[bottom].zh}，无法计算比例",
                                        en=f"no {NAMES[bottom].en} to take a share of"),))
        doubts = num.reasons + den.reasons
        bounds = _share_range(num, den, cap) if doubts else {}
        if num.value > den.value and not cap:
            doubts.append(Text(zh=f"{num.how.zh}共 {num.value:g} 个，多于{den.how.zh}的 {den.value:g} 个",
                               en=f"{num.value:g} {num.how.en} exceed {den.value:g} {den.how.en}"))
            bounds = {}                      # a count in doubt, how far not known: a reviewer decides
        share = round(min(num.value, den.value) / den.value * 100.0 if cap else num.value / den.value * 100.0, 4)
        return Metric(name=name, value=share, unit="%", certain=not doubts, reasons=tuple(doubts), evidence=ev,
                      inputs={top: num.value, bottom: den.value}, **bounds,
                      computation=share_text(counted(num.value, num.how), counted(den.value, den.how), share))
    return compute


def ev_specs() -> list[MetricSpec]:
    model_hint_zh = ("在模型中按约定建模停车位（IfcSpace PARKING）与充电桩（IFC4 IfcOutlet EVCHARGER / IFC4X3 RECHARGER，"
                     "YP_EVCharger.RatedPower 与 CurrentType），或在 submission.yaml 的 declared 中申报数量。")
    model_hint_en = ("Model parking spaces (IfcSpace PARKING) and charging points (IFC4 IfcOutlet EVCHARGER / IFC4X3 "
                     "RECHARGER with YP_EVCharger.RatedPower and CurrentType), or state the counts under 'declared' "
                     "in submission.yaml.")
    figs = ("parking", "chargers")
    return [
        MetricSpec("parking_spaces", "count", "停车位数", "parking spaces", {}, _count_metric("parking_spaces", "spaces"),
                   model_hint_zh, model_hint_en, ifc_figures=("parking",)),
        MetricSpec("charging_points", "count", "充电桩数", "charging points", {},
                   _count_metric("charging_points", "chargers"), model_hint_zh, model_hint_en, ifc_figures=("chargers",)),
        MetricSpec("charger_share", "%", "配建充电桩车位比例", "charging points per parking space", {},
                   _share_metric("charger_share", "chargers", "spaces"), model_hint_zh, model_hint_en, ifc_figures=figs),
        MetricSpec("fast_charger_share", "%", "快充桩占充电桩比例", "fast chargers among charging points", {},
                   _share_metric("fast_charger_share", "fast", "chargers"), model_hint_zh, model_hint_en,
                   ifc_figures=("chargers",), uses_params=("fast_charger_min_kw",)),
        MetricSpec("charger_ready_share", "%", "预留充电设施安装条件车位比例",
                   "parking spaces with charger installation conditions", {},
                   _share_metric("charger_ready_share", "ready", "spaces"), model_hint_zh, model_hint_en,
                   ifc_figures=("parking",)),
    ]
