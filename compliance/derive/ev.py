"""EV charging figures: parking spaces, charging points, the fast share, spaces made ready.

The models are the evidence where they hold parking spaces or chargers; otherwise the
declared figures in submission.yaml are used and cited by field and line.
"""

from __future__ import annotations

from ..text import Text
from .metrics import Evidence, Inputs, Metric, MetricSpec, counted, share_text, unique


NAMES = {"spaces": Text(zh="停车位", en="parking spaces"), "chargers": Text(zh="充电桩", en="charging points"),
         "fast": Text(zh="快充桩", en="fast charging points"),
         "ready": Text(zh="预留充电设施安装条件的停车位", en="charger-ready parking spaces")}
READY = Text(zh="YP_ParkingSpace.ChargerReady 为 TRUE 的停车位", en="spaces with YP_ParkingSpace.ChargerReady = TRUE")


def _ids(records) -> str:
    return ", ".join(r.global_id for r in records[:5])


class _Counts:
    """Parking and charger counts, from the models where they show them, else declared."""

    def __init__(self, inp: Inputs) -> None:
        self.inp = inp
        self.parking = unique(p for m in inp.models for p in m.parking)
        self.chargers = unique(c for m in inp.models for c in m.chargers)
        self.declared = getattr(inp.meta, "declared", None)

    def _declared(self, field: str):
        return getattr(self.declared, field, None) if self.declared is not None else None

    def figure(self, what: str) -> tuple[float | None, tuple[Evidence, ...], list[Text], Text | None]:
        """(value, evidence, doubts, how) for spaces / chargers / fast / ready."""
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
                    return None, (), [Text(zh=f"模型中 {len(records)} 个停车位均未标注 YP_ParkingSpace.ChargerReady",
                                           en=f"none of the {len(records)} parking space(s) states "
                                              "YP_ParkingSpace.ChargerReady")], None
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
                                detail=how.en) for f in files)
            return float(value), ev, doubts, how
        field = {"spaces": "parking_spaces", "ready": "charger_ready_spaces", "chargers": "charging_points",
                 "fast": "fast_charging_points"}[what]
        value = self._declared(field)
        ev = (inp.field_evidence(f"declared.{field}"),)
        if value is None and what in ("chargers", "fast") and self.parking:
            return 0.0, (Evidence(source="ifc", file=self.parking[0].file, detail="no charging points in the models"),), [], \
                Text(zh="模型中的充电桩（未建模）", en="no charging points in the models")
        if value is None:
            return None, ev, [Text(zh=f"模型中无{NAMES[what].zh}，且申报资料未提供 declared.{field}",
                                   en=f"the models show no {NAMES[what].en} and declared.{field} is not given")], None
        return float(value), ev, [], Text(zh=f"{inp.metadata_file} 中的 declared.{field}",
                                          en=f"declared.{field} in {inp.metadata_file}")


def _count_metric(name: str, what: str):
    def compute(inp: Inputs) -> Metric:
        value, ev, doubts, how = _Counts(inp).figure(what)
        if value is None:
            return Metric(name=name, value=None, unit="count", reasons=tuple(doubts), evidence=ev)
        return Metric(name=name, value=value, unit="count", certain=not doubts, reasons=tuple(doubts),
                      evidence=ev, computation=counted(value, how))
    return compute


def _share_metric(name: str, top: str, bottom: str, cap: bool = False):
    def compute(inp: Inputs) -> Metric:
        counts = _Counts(inp)
        num, ev_n, doubts_n, how_n = counts.figure(top)
        den, ev_d, doubts_d, how_d = counts.figure(bottom)
        ev = ev_n + ev_d
        if num is None or den is None:
            return Metric(name=name, value=None, unit="%", reasons=tuple(doubts_n + doubts_d), evidence=ev)
        if den <= 0:
            return Metric(name=name, value=None, unit="%", evidence=ev,
                          reasons=(Text(zh=f"无{NAMES[bottom].zh}，无法计算比例",
                                        en=f"no {NAMES[bottom].en} to take a share of"),))
        doubts = doubts_n + doubts_d
        if num > den and not cap:
            doubts.append(Text(zh=f"{how_n.zh}共 {num:g} 个，多于{how_d.zh}的 {den:g} 个",
                               en=f"{num:g} {how_n.en} exceed {den:g} {how_d.en}"))
        share = round(min(num, den) / den * 100.0 if cap else num / den * 100.0, 4)
        return Metric(name=name, value=share, unit="%", certain=not doubts, reasons=tuple(doubts), evidence=ev,
                      inputs={top: num, bottom: den},
                      computation=share_text(counted(num, how_n), counted(den, how_d), share))
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
