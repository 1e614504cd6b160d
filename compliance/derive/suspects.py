"""Suspects in the metrics: what elements the model does not establish could change.

The reader lists suspects (a proxy named 光伏, a FLOOR slab typed 屋面, an exposed top slab, a
space named like a car park); a metric that could change with them widens its plausible range
by what they could add (their area where it can be read, else unbounded), so a rule decides only
when every plausible value gives the same outcome (docs/rules.md).
"""

from __future__ import annotations

from typing import Optional

from ..read.records import AreaBasis, ModelFacts, Note, SuspectRecord, note
from ..text import Text
from .metrics import Evidence

LABELS = {"roof": Text(zh="屋面", en="roof"), "pv_panel": Text(zh="光伏组件", en="PV panel"),
          "ev_charger": Text(zh="充电桩", en="charging point"), "parking_space": Text(zh="停车位", en="parking space"),
          "solar_thermal": Text(zh="太阳能集热器", en="solar collector"), "heat_pump": Text(zh="热泵", en="heat pump"),
          "heat_recovery": Text(zh="余热回收装置", en="heat-recovery unit")}
SHOWN = 5


def suspects_of(models: list[ModelFacts], concept: str) -> list[SuspectRecord]:
    """Each suspect once (by file and GlobalId), in model order."""
    out: dict[tuple[str, str], SuspectRecord] = {}
    for m in models:
        for s in getattr(m, "suspects", ()):
            if s.concept == concept:
                out.setdefault((s.file, s.global_id), s)
    return list(out.values())


def extra_area(suspects: list[SuspectRecord], basis: AreaBasis, counted=()) -> Optional[float]:
    """What the suspects could add to an area: their sum, None when one has no area (unbounded).
    The part of a suspect's footprint that lies over an element already counted (`counted`: figures
    with outlines — a roof covering over a counted roof slab, a panel repeated as a named proxy)
    adds nothing."""
    areas: list[float] = []
    for s in suspects:
        a = s.area(basis)
        if a is None:
            return None
        areas.append(a)
    placed = [c.outline for c in counted if getattr(c, "outline", None)]
    shown = [i for i, s in enumerate(suspects) if s.outline]
    if placed and shown:
        from ..read.geometry import overlap_fractions

        for i, covered in zip(shown, overlap_fractions([suspects[i].outline for i in shown], placed)):
            areas[i] *= 1.0 - covered
    return float(sum(areas))


def _named(suspects: list[SuspectRecord]) -> Text:
    names = [f"{s.ifc_class} {s.global_id}" + (f" ({s.name})" if s.name else "") for s in suspects[:SHOWN]]
    rest = len(suspects) - SHOWN
    return Text(zh="、".join(names) + (f" 等共 {len(suspects)} 个" if rest > 0 else ""),
                en=", ".join(names) + (f" and {rest} more" if rest > 0 else ""))


def suspect_reason(concept: str, suspects: list[SuspectRecord], effect: Text) -> Text:
    """'2 element(s) may be PV panels the model does not establish (…): <effect>'."""
    label, names = LABELS[concept], _named(suspects)
    return Text(zh=f"{len(suspects)} 个构件可能是{label.zh}，但模型未表明（{names.zh}）：{effect.zh}",
                en=f"{len(suspects)} element(s) may be {label.en}s the model does not establish ({names.en}): "
                   f"{effect.en}")


def suspect_evidence(concept: str, suspects: list[SuspectRecord]) -> list[Evidence]:
    files: dict[str, list[SuspectRecord]] = {}
    for s in suspects:
        files.setdefault(s.file, []).append(s)
    return [Evidence(source="ifc", file=f, global_ids=tuple(s.global_id for s in recs),
                     detail=f"suspect {LABELS[concept].en}s (not counted): "
                            + "; ".join(dict.fromkeys(s.matched_by for s in recs[:SHOWN])),
                     detail_zh=f"疑似{LABELS[concept].zh}（未计入）")
            for f, recs in files.items()]


def suspect_findings(models: list[ModelFacts]) -> list[Note]:
    """One finding per model and concept listing its suspects (the metrics weigh them)."""
    out = []
    for m in models:
        by_concept: dict[str, list[SuspectRecord]] = {}
        for s in m.suspects:
            by_concept.setdefault(s.concept, []).append(s)
        for concept, recs in by_concept.items():
            label, names = LABELS.get(concept, Text(zh=concept, en=concept)), _named(recs)
            out.append(note("model.suspects", m.info.file,
                            f"{len(recs)} element(s) may be {label.en}s but the model does not establish it "
                            f"({names.en}): not counted; the rules they could change go to manual review unless "
                            "the outcome is the same either way. Give them the class, predefined type or ObjectType "
                            "of docs/ifc-conventions.md, or rename them",
                            f"{len(recs)} 个构件可能是{label.zh}，但模型未表明（{names.zh}）：未计入；其可能影响的规则"
                            "转人工复核（结论不受其影响者除外）。请按 docs/ifc-conventions.md 赋予类别、预定义类型或对象类型，或更正名称",
                            tuple(s.global_id for s in recs[:200]), "warning"))
    return out
