"""The buildings (单体) of a submission and their use parts: what the rules are judged on.

A submission's `buildings:` list (or, in the single-use form, the submission itself) becomes one
`BuildingUnit` per building: its use parts with their shares of the floor area, whether it is a
public institution (stated, or derived from its uses by rules/_settings.yaml, with a finding
where the two disagree), its own view of the metadata, and the model elements that stand in it.
Elements of a shared model that stand in no declared building (the site, an IfcBuilding nobody
declared) are not counted for any building: each building lists them as suspects, so a figure
they could change is weighed over both readings (docs/rules.md, "Buildings and use parts").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError
from ..read.metadata import Declared, Submission
from ..read.records import AreaFigure, ModelFacts, Note, SuspectRecord, note
from ..text import Text

# a counted kind of element -> the concept its suspects are listed under (rules/_conventions.yaml)
ELEMENT_GROUPS = ("roofs", "pv_panels", "systems", "chargers", "parking", "buildings", "suspects", "excluded")
SYSTEM_CONCEPTS = {"solar_thermal": "solar_thermal", "heat_pump": "heat_pump",
                   "waste_heat_recovery": "heat_recovery", "solar": "solar_device"}


@dataclass(frozen=True)
class UsePart:
    use: str
    share: float                         # of the building's gross floor area, 0..1
    area_m2: Optional[float]             # as stated or from the share (None: the building's area is unknown)


@dataclass(frozen=True)
class BuildingUnit:
    """One building as the rules judge it."""

    id: str
    name: str
    parts: tuple[UsePart, ...]
    gross_floor_area_m2: Optional[float]
    public_institution: bool             # as the rules read it
    pi_doubt: Optional[Text] = None      # why the other reading is plausible too (rules weigh both)
    meta: Optional[Submission] = None    # the submission as this building's rules read it
    models: list = field(default_factory=list)
    lines: dict = field(default_factory=dict)
    implicit: bool = False               # the single-use form: the submission is the building

    @property
    def main_use(self) -> str:
        return max(self.parts, key=lambda p: p.share).use

    def label(self, use_labels: dict[str, Text], parts: Optional[tuple[UsePart, ...]] = None) -> Text:
        """'1号楼（办公 22,000 m²、商业 8,000 m²）' — of `parts` (default: every use part)."""
        def part(p: UsePart, zh: bool) -> str:
            name = use_labels[p.use].zh if zh else use_labels[p.use].en
            if p.area_m2 is not None:
                return f"{name} {p.area_m2:,.0f} m²"
            return f"{name} {p.share * 100:.0f}%" if len(self.parts) > 1 else name
        shown = self.parts if parts is None else parts
        zh = "、".join(part(p, True) for p in shown)
        en = ", ".join(part(p, False) for p in shown)
        return Text(zh=f"{self.name}（{zh}）", en=f"{self.name} ({en})")


def _norm(text: Optional[str]) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def _parts(spec) -> tuple[tuple[UsePart, ...], Optional[float]]:
    """The use parts of a declared building with their shares, and its floor area."""
    areas = [p.area_m2 for p in spec.uses]
    gfa = spec.gross_floor_area_m2
    if gfa is None and all(a is not None for a in areas):
        gfa = sum(a for a in areas if a is not None)
    out = []
    for p in spec.uses:
        if p.area_m2 is not None:
            share = p.area_m2 / gfa if gfa else 1.0 / len(spec.uses)
            out.append(UsePart(p.use, share, p.area_m2))
        else:
            share = (p.share_pct or 100.0) / 100.0
            out.append(UsePart(p.use, share, round(share * gfa, 2) if gfa else None))
    return tuple(out), gfa


def public_institution(flag: Optional[bool], uses: list[str], settings, file: str, line: Optional[int],
                       where: str) -> tuple[bool, Optional[Text], list[Note]]:
    """(as the rules read it, why the other reading is plausible or None, findings) for a building
    of these uses whose flag says `flag` (None: not stated)."""
    by = {u: settings.uses[u].public_institution for u in uses if settings.uses[u].public_institution}
    always = [u for u, p in by.items() if p.by == "always"]
    usually = [u for u, p in by.items() if p.by == "usually"]
    label = lambda us: Text(zh="、".join(settings.uses[u].label.zh for u in us),       # noqa: E731
                            en=", ".join(settings.uses[u].label.en for u in us))
    if always:
        basis, what = by[always[0]].basis, label(always)
        if flag is False:
            return True, None, [note(
                "metadata.public_institution_contradicts", file,
                f"{where}: public_institution is false, but a {what.en} is a public institution by definition "
                f"({basis.en}); the rules for public institutions apply",
                f"{where}：申报为非公共机构，但{what.zh}依定义属于公共机构（{basis.zh}），按公共机构适用相关条款",
                severity="warning", line=line, field="public_institution")]
        return True, None, []
    if usually:
        basis, what = by[usually[0]].basis, label(usually)
        if flag is True:
            return True, None, []
        doubt = Text(zh=f"{what.zh}通常属于公共机构（{basis.zh}）"
                        + ("，但申报为非公共机构" if flag is False else "，申报未说明是否为公共机构"),
                     en=f"a {what.en} is usually a public institution ({basis.en})"
                        + ("; the submission says it is not" if flag is False else "; the submission does not say"))
        finding = note("metadata.public_institution_doubt", file,
                       f"{where}: {doubt.en}; the rules that depend on it are decided only where both readings "
                       "agree — state public_institution and file the establishment document (办学/执业许可)",
                       f"{where}：{doubt.zh}；取决于此的条款仅在两种情形结论一致时判定——请申报 public_institution "
                       "并提供办学（执业）许可等设立文件", severity="warning", line=line, field="public_institution")
        return (flag is not False), doubt, [finding]
    return bool(flag), None, []


class _Assigner:
    """Which model elements stand in which declared building."""

    def __init__(self, meta: Submission, models: list[ModelFacts], file: str, lines: dict) -> None:
        self.meta, self.models, self.file, self.lines = meta, models, file, lines
        self.own = {m: b.id for b in meta.buildings for m in b.models}        # model file -> building
        self.ifc: dict[str, str] = {}                                          # IfcBuilding GlobalId -> building
        self.findings: list[Note] = []
        shared = [m for m in models if m.info.file not in self.own]
        records = [r for m in shared for r in m.buildings]
        for i, b in enumerate(meta.buildings):
            if b.models:
                continue
            given = {b.ifc_building} if b.ifc_building else {b.id, b.name or ""}
            names = {_norm(k) for k in given} - {""}
            found = [r for r in records if r.global_id in given or _norm(r.name) in names]
            if not found:
                there = "; ".join(f"{r.name or '(no name)'} {r.global_id}" for r in records) or "none"
                raise InputError(f"submission metadata: building '{b.id}' cannot be found in the models "
                                 f"(IfcBuildings there: {there})", file=file,
                                 line=lines.get(f"buildings.{i}.ifc_building") or lines.get(f"buildings.{i}.id"),
                                 hint="give the building's 'models', or 'ifc_building' (the IfcBuilding's GlobalId "
                                      "or Name), or name it as the model does")
            for r in found:
                if r.global_id in self.ifc and self.ifc[r.global_id] != b.id:
                    raise InputError(f"submission metadata: IfcBuilding {r.global_id} is claimed by buildings "
                                     f"'{self.ifc[r.global_id]}' and '{b.id}'", file=file,
                                     line=lines.get(f"buildings.{i}.id"), hint="give each building its own")
                self.ifc[r.global_id] = b.id
        # the same building in another discipline's model (its own GlobalId, the same Name) is that building
        named: dict[str, set[str]] = {}
        for r in records:
            if r.global_id in self.ifc and _norm(r.name):
                named.setdefault(_norm(r.name), set()).add(self.ifc[r.global_id])
        for r in records:
            if r.global_id not in self.ifc and len(named.get(_norm(r.name), ())) == 1:
                self.ifc[r.global_id] = next(iter(named[_norm(r.name)]))
        for r in records:
            if r.global_id not in self.ifc:
                self.findings.append(note(
                    "building.not_declared", r.file,
                    f"IfcBuilding {r.name or ''} {r.global_id} is in the models but in no building of submission.yaml: "
                    "its elements count for no building and are listed as suspects",
                    f"模型中的 IfcBuilding {r.name or ''} {r.global_id} 未在 submission.yaml 的 buildings 中申报："
                    "其构件不计入任何楼栋，列为存疑构件", (r.global_id,), "warning"))

    def split(self) -> dict[Optional[str], list[ModelFacts]]:
        """Each building's view of the models (key None: what stands in none)."""
        keys = [b.id for b in self.meta.buildings] + [None]
        out: dict[Optional[str], list[ModelFacts]] = {k: [] for k in keys}
        for m in self.models:
            owned = {g: [(x, self._owner_of(x)) for x in getattr(m, g)] for g in ELEMENT_GROUPS}
            for k in keys:
                out[k].append(m.model_copy(update={g: tuple(x for x, o in pairs if o == k)
                                                   for g, pairs in owned.items()}))
        return out

    def _owner_of(self, record) -> Optional[str]:
        """The declared building a record stands in: its model's, else its IfcBuilding's (None: none)."""
        return self.own.get(record.file) or self.ifc.get(record.building or "")


def _unassigned_suspects(models: list[ModelFacts]) -> tuple[SuspectRecord, ...]:
    """What stands in no declared building, as suspects of every building (counted by none)."""
    why, why_zh = "stands in no declared building", "不属于任何已申报楼栋"
    out: list[SuspectRecord] = []
    for m in models:
        for x in (*m.roofs, *m.pv_panels):
            out.append(_suspect(x, "roof" if x.role == "roof" else "pv_panel", why, why_zh))
        out += [_suspect(x, "ev_charger", why, why_zh) for x in m.chargers]
        out += [_suspect(x, "parking_space", why, why_zh) for x in m.parking]
        out += [_suspect(x, SYSTEM_CONCEPTS[x.kind], why, why_zh) for x in m.systems if x.kind in SYSTEM_CONCEPTS]
    return tuple(out)


def _suspect(x, concept: str, why: str, why_zh: str) -> SuspectRecord:
    base = dict(global_id=x.global_id, ifc_class=x.ifc_class, name=x.name, storey=x.storey, building=x.building,
                file=x.file, matched_by=f"{x.matched_by}; {why}", origin=x.origin)
    if isinstance(x, AreaFigure):
        base.update(projected_m2=x.projected_m2, surface_m2=x.surface_m2,
                    area_source=x.projected_source or x.surface_source, outline=x.outline, z_min=x.z_min, z_max=x.z_max)
    return SuspectRecord(concept=concept, reason_zh=why_zh, **base)


def _several_in_models(models: list[ModelFacts], file: str) -> list[Note]:
    """A submission filed as one building whose models hold several IfcBuildings: judged as one,
    which may hide a building that misses a rule (list them under `buildings`)."""
    # one building per Name (discipline models of one building each have their own IfcBuilding GlobalId)
    records = {_norm(r.name) or r.global_id: r for m in models for r in m.buildings}
    if len(records) < 2:
        return []
    names = "、".join(r.name or r.global_id for r in records.values())
    return [note("building.several_in_models", file,
                 f"the models hold {len(records)} IfcBuildings ({names}) but submission.yaml lists no buildings: "
                 "they are judged as one; list them under 'buildings' so each is judged on its own "
                 "(a large public building is a single building)",
                 f"模型中有 {len(records)} 个 IfcBuilding（{names}），但 submission.yaml 未列出 buildings：现按一个建筑"
                 "合并判定；请在 buildings 中逐栋申报，以便逐栋判定（大型公共建筑按单体认定）",
                 tuple(r.global_id for r in records.values()), "warning")]


def _lines_of(lines: dict, i: int) -> dict:
    """The metadata lines as building i's rules read them: its own fields over the submission's."""
    prefix = f"buildings.{i}."
    return {**lines, **{k[len(prefix):]: v for k, v in lines.items() if k.startswith(prefix)}}


def building_units(meta: Submission, models: list[ModelFacts], settings, file: str = "submission.yaml",
                   lines: Optional[dict] = None) -> tuple[list[BuildingUnit], list[Note]]:
    """The buildings the rules are judged on, and the findings about them."""
    lines = lines or {}
    if not meta.buildings:
        assert meta.use is not None
        pi, doubt, found = public_institution(meta.public_institution, [meta.use], settings, file,
                                              lines.get("public_institution"), "submission.yaml")
        part = UsePart(meta.use, 1.0, meta.gross_floor_area_m2)
        unit = BuildingUnit(id=meta.id, name=meta.name, parts=(part,), gross_floor_area_m2=meta.gross_floor_area_m2,
                            public_institution=pi, pi_doubt=doubt, models=models, lines=lines, implicit=True,
                            meta=meta.model_copy(update={"public_institution": pi}))
        return [unit], found + _several_in_models(models, file)
    assigner = _Assigner(meta, models, file, lines) if len(meta.buildings) > 1 else None
    views = assigner.split() if assigner else {meta.buildings[0].id: models, None: []}
    loose = _unassigned_suspects(views[None])
    findings = list(assigner.findings) if assigner else []
    if loose:
        findings.append(note("building.unassigned_elements", file,
                             f"{len(loose)} counted element(s) stand in no declared building (the site, or an "
                             "undeclared IfcBuilding): each building lists them as suspects",
                             f"{len(loose)} 个构件不属于任何已申报楼栋（位于场地或未申报的 IfcBuilding）：各楼栋将其列为存疑构件",
                             tuple(s.global_id for s in loose), "warning"))
    units = []
    for i, b in enumerate(meta.buildings):
        parts, gfa = _parts(b)
        flag = b.public_institution if b.public_institution is not None else meta.public_institution
        line = lines.get(f"buildings.{i}.public_institution") or lines.get("public_institution")
        pi, doubt, found = public_institution(flag, [p.use for p in parts], settings, file, line,
                                              f"building '{b.id}'")
        findings += found
        view = [m.model_copy(update={"suspects": m.suspects + loose}) if loose and n == 0 else m
                for n, m in enumerate(views[b.id])]
        single = len(meta.buildings) == 1
        declared = b.declared or (meta.declared if single else Declared())
        update = {"use": max(parts, key=lambda p: p.share).use, "public_institution": pi, "gross_floor_area_m2": gfa,
                  "declared": declared, "energy": b.energy or meta.energy,
                  "green_building": b.green_building or meta.green_building, "buildings": []}
        units.append(BuildingUnit(id=b.id, name=b.name or b.id, parts=parts, gross_floor_area_m2=gfa,
                                  public_institution=pi, pi_doubt=doubt, meta=meta.model_copy(update=update),
                                  models=view, lines=_lines_of(lines, i)))
    return units, findings
