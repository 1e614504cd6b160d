"""Read one IFC model into ModelFacts (cached per run by file name, SHA-256 and conventions)."""

from __future__ import annotations

from pathlib import Path

from ..context import RunContext
from ..limits import Limits
from .areas import AreaReader
from .building import read_buildings
from .classify import Found, classify
from .conventions import Conventions, load_conventions
from .elements import find_roofs, panel_figures, roof_and_panel_elements, roof_figures, suspect_record
from .equipment import read_equipment
from .ifcfile import IfcIndex, open_ifc, refused_notes, sha256_of
from .malformed import MALFORMED, malformed, unreadable_value
from .records import ModelFacts, Note

AREA_CONCEPTS = ("roof", "pv_panel")        # suspects measured, so the rules can weigh them


def conventions_for(ctx: RunContext | None) -> Conventions:
    """The run's recognition conventions (the rule folder's `_conventions.yaml`), loaded once per run."""
    if ctx is None:
        return load_conventions()
    if ctx.rules_dir not in ctx.conventions:
        ctx.conventions[ctx.rules_dir] = load_conventions(ctx.rules_dir)
    return ctx.conventions[ctx.rules_dir]


def read_model(path: Path, ctx: RunContext | None = None) -> ModelFacts:
    path = Path(path)
    conventions = conventions_for(ctx)
    digest = (ctx.sha256(path) if ctx is not None else sha256_of(path)) if path.is_file() else None
    key = (path.name, digest, conventions.digest)   # the name is in every figure's provenance
    if ctx is not None and (cached := ctx.models.get(key)) is not None:
        return cached
    stored = _facts_key(path, digest, conventions) if ctx is not None and ctx.facts is not None and digest else None
    if ctx is not None and stored is not None and (facts := ctx.facts.get(stored)) is not None:
        ctx.models[key] = facts
        return facts
    limits = ctx.limits if ctx is not None and ctx.limits is not None else Limits()
    try:
        index = open_ifc(path, sha256=digest, limits=limits, psets=conventions.indexed_psets())
        facts = facts_of(index, conventions, cores=ctx.cores if ctx is not None else None,
                         cache_dir=ctx.cache_dir if ctx is not None else None)
    except RecursionError:
        raise
    except RuntimeError as exc:     # the lazy parser meets a value it cannot read (e.g. 1.E400)
        raise unreadable_value(path, exc) from None
    except MALFORMED as exc:        # a value of another kind than the schema says (kept as the cause)
        raise malformed(path, exc) from exc
    if ctx is not None:
        ctx.models[key] = facts
        if stored is not None:
            ctx.facts.put(stored, facts)
    return facts


def _facts_key(path: Path, digest: str, conventions: Conventions):
    """The model's key in the facts store (registry/facts.py): content, reader and conventions, name."""
    from ..build import reader_identity
    from .records import FactsKey

    return FactsKey(digest, reader_identity(conventions.digest), path.name)


def facts_of(index: IfcIndex, conventions: Conventions | None = None, cores: int | None = None,
             cache_dir: Path | None = None) -> ModelFacts:
    """`cache_dir`: where geometry-kernel results are kept by file SHA-256 (None: not kept)."""
    from .exposed import candidate_slabs
    from .extrusion import Placements
    from .geocache import GeometryCache
    from .geometry import compute_shapes
    from .recognise import Recogniser

    conventions = conventions or load_conventions()
    notes: list[Note] = []
    found = classify(index, Recogniser(conventions))
    roofs = find_roofs(index, found)
    panels = [(element, m.why) for element, m in found.of("pv_panel")]
    measured_suspects = [e for e, m in found.suspects if m.concept in AREA_CONCEPTS]
    taken = {e.id() for e, _ in found.of("roof")} | {p.id() for c in roofs for p in c.parts} | \
        {e.id() for e, m in found.suspects if m.concept == "roof"}
    slabs = candidate_slabs(index, taken) if conventions["roof"].exposed_slab is not None else []
    placements = Placements(index.info.length_unit_m)
    elements = roof_and_panel_elements(roofs, panels, measured_suspects + slabs)
    shapes = compute_shapes(index.file, elements, cores=cores, placements=placements,
                            cache=GeometryCache(cache_dir, index.info.sha256), path=index.path)
    reader = AreaReader(index, shapes, notes, placements)
    roof_figs, panel_figs = roof_figures(reader, roofs), panel_figures(reader, panels, conventions["pv_panel"])

    def origin(element):
        matrix = placements.matrix(element.ObjectPlacement) if getattr(element, "ObjectPlacement", None) else None
        return None if matrix is None else tuple(round(float(v), 3) for v in matrix[:3, 3])

    systems, chargers, parking = read_equipment(index, notes, found, conventions, origin)
    apart = AreaReader(index, shapes, [], placements)     # suspects' notes are not the model's
    suspects = _suspects(index, found, apart, origin) + _exposed(index, slabs, shapes, roofs, conventions, apart, origin)
    buildings = read_buildings(index, notes, conventions)
    notes.extend(_parse_notes(index))
    notes.extend(refused_notes(index))          # quantities and properties no figure can be (numbers.py)
    return ModelFacts(info=index.info, roofs=tuple(roof_figs), pv_panels=tuple(panel_figs),
                      systems=tuple(systems), chargers=tuple(chargers), parking=tuple(parking),
                      buildings=tuple(buildings), suspects=tuple(suspects),
                      excluded=tuple(suspect_record(index, e, m.concept, "excluded", m.why, m.why_zh, origin=origin(e))
                                     for e, m in found.excluded),
                      notes=tuple(notes))


def _suspects(index: IfcIndex, found: Found, reader: AreaReader, origin) -> list:
    return [suspect_record(index, e, m.concept, "suspect", m.why, m.why_zh,
                           reader if m.concept in AREA_CONCEPTS else None, origin(e))
            for e, m in found.suspects]


def _exposed(index: IfcIndex, slabs: list, shapes: dict, roofs, conventions: Conventions, reader: AreaReader,
             origin) -> list:
    from .exposed import exposed

    rule = conventions["roof"].exposed_slab
    if not slabs or rule is None:
        return []
    covers = [c.element for c in roofs] + [p for c in roofs for p in c.parts] + list(index.file.by_type("IfcSlab"))
    covers = list({e.id(): e for e in covers}.values())
    out = []
    for slab in exposed(slabs, shapes, covers, rule):
        kind = getattr(slab, "PredefinedType", None) or "no predefined type"
        out.append(suspect_record(
            index, slab, "roof", "suspect",
            f"IfcSlab ({kind}): an exposed top slab (nothing above it) that is not marked as roof",
            f"IfcSlab（{kind}）：顶部外露楼板（其上无其他楼板或屋面），但未标注为屋面", reader, origin(slab)))
    return out


def _parse_notes(index: IfcIndex) -> list[Note]:
    """The parser's complaints about what was read: the file is not what its schema says, so
    every figure from it is uncertain (a reviewer looks) rather than trusted."""
    from .records import note

    problems = index.parse_problems()
    if not problems:
        return []
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    return [note("model.parse_errors", index.info.file,
                 f"the IFC parser reported {len(problems)} problem(s) reading this model ({shown}): entities "
                 f"it could not read are left out, so figures from this model are uncertain; check the export "
                 f"(schema {index.info.schema_name}) and validate the file",
                 f"IFC 解析器读取此模型时报告 {len(problems)} 个问题（{shown}）：无法读取的实体已被略去，"
                 f"因此本模型的数据不确定；请检查导出设置（模式 {index.info.schema_name}）并校验文件",
                 severity="uncertain")]
