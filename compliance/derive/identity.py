"""Which records of a submission are one physical thing, and which only share a GlobalId.

Real submissions carry the same things twice (the panels exported in both the architecture and
the MEP model, under other GlobalIds) and carry copies (a second building copied from the first:
the same GlobalIds, placed elsewhere). GlobalIds alone get both wrong. Pure functions over
`ModelFacts` (no ifcopenshell; shapely is imported by the functions that use it):

- `distinct` / `copies`: each element once by GlobalId, except copies that stand more than
  `SAME_PLACE_M` apart (world origin, else footprint centre): those are different things, each
  counted, and `relocated_findings` says so (`model.same_globalid_elsewhere`);
- `one_per_footprint` / `counted_figures`: PV panels (within one model or across models) and
  roof elements (across models) whose footprints overlap by more than half of the smaller one,
  at the same height, are one element, counted once (the first in model order);
  `overlap_findings` says so (`pv.overlapping_panels`, `roof.overlapping_roofs`);
- `parking_findings` / `unit_range`: an IfcSpace "parking space" far larger than a stall, with
  no ParkingUnits, is likely a zone of many stalls (`parking.space_too_large`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, TypeVar

from ..read.records import AreaFigure, Located, ModelFacts, Note, ParkingRecord, note

SAME_PLACE_M = 1.0           # copies under one GlobalId further apart than this are different things
OVERLAP_SHARE = 0.5          # footprints overlapping by more than this share of the smaller are one element
SAME_HEIGHT_M = 0.5          # ... when their elevation ranges are no further apart than this
EXACT_AREA_SHARE = 0.02      # two such elements with areas within 2 % are exact copies

SHOWN = 3                    # elements (pairs) named in a message; the finding lists them all

L = TypeVar("L", bound=Located)    # a kind of element record: what goes in is what comes out


def stall_areas(conventions=None) -> tuple[float, float]:
    """(typical stall m², largest single space m²): rules/_conventions.yaml's parking `stall_area_m2`."""
    if conventions is None:
        from ..read.conventions import load_conventions

        conventions = load_conventions()
    stall = conventions["parking_space"].stall_area_m2
    return stall.typical, stall.max


# -- one GlobalId, one place --------------------------------------------------------------------

def _centre(record) -> Optional[tuple[float, ...]]:
    """Where a record stands: its placement's world origin, else its footprint's centre (XY, and the
    bottom of its body where known). None: unknown."""
    if record.origin is not None:
        return tuple(record.origin)
    outline = getattr(record, "outline", None)
    points = [p for ring in outline or () for p in ring]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    z = getattr(record, "z_min", None)
    return centre if z is None else centre + (z,)


def _apart(a, b) -> bool:
    """Two records stand more than SAME_PLACE_M apart (unknown positions are the same place)."""
    if a.origin is not None and b.origin is not None:
        return math.dist(a.origin, b.origin) > SAME_PLACE_M
    if a.origin is not None or b.origin is not None:       # compare like with like: the footprints
        a, b = a.model_copy(update={"origin": None}), b.model_copy(update={"origin": None})
    ca, cb = _centre(a), _centre(b)
    if ca is None or cb is None:
        return False
    n = min(len(ca), len(cb))
    return math.dist(ca[:n], cb[:n]) > SAME_PLACE_M


def copies(records: Iterable[L]) -> list[list[L]]:
    """The records grouped into elements: the same GlobalId at the same place (copies of one
    element in several models). Groups in order of first appearance, records in given order."""
    records = list(records)
    if _all_distinct(records):
        return [[r] for r in records]
    by_gid: dict[str, list[list[L]]] = {}
    order: list[list[L]] = []
    for record in records:
        places = by_gid.setdefault(record.global_id, [])
        place = next((p for p in places if not _apart(p[0], record)), None)
        if place is None:
            place = []
            places.append(place)
            order.append(place)
        place.append(record)
    return order


def _all_distinct(records: Sequence[Located]) -> bool:
    """No GlobalId repeats (the usual case: one model, or disciplines that do not overlap)."""
    return len({r.global_id for r in records}) == len(records)


def distinct(records: Iterable[L], keep: str = "first") -> list[L]:
    """Each element once by GlobalId (one copy per element: the first or the last given), but copies
    under one GlobalId that stand elsewhere are kept: they are different things."""
    records = list(records)
    if _all_distinct(records):
        return records
    return [group[0] if keep == "first" else group[-1] for group in copies(records)]


def elsewhere(records: Iterable[L]) -> list[tuple[L, L]]:
    """(first copy, copy elsewhere) for every GlobalId that stands at several places."""
    records = list(records)
    if _all_distinct(records):
        return []
    by_gid: dict[str, list[L]] = {}
    for group in copies(records):
        by_gid.setdefault(group[0].global_id, []).append(group[0])
    return [(firsts[0], other) for firsts in by_gid.values() for other in firsts[1:]]


# -- one footprint, one element -----------------------------------------------------------------

@dataclass(frozen=True)
class Twin:
    """`copy` lies on `kept` (another GlobalId, the same footprint and height): counted once, as `kept`."""

    kept: AreaFigure
    copy: AreaFigure
    exact: bool              # areas within EXACT_AREA_SHARE


@dataclass(frozen=True)
class Counted:
    """The roof elements and PV panels a submission counts, and the overlapping ones left out."""

    roofs: tuple[AreaFigure, ...]
    panels: tuple[AreaFigure, ...]
    roof_twins: tuple[Twin, ...] = ()
    panel_twins: tuple[Twin, ...] = ()


def _same_height(a: AreaFigure, b: AreaFigure) -> bool:
    if a.z_min is None or a.z_max is None or b.z_min is None or b.z_max is None:
        return True
    return max(a.z_min, b.z_min) - min(a.z_max, b.z_max) <= SAME_HEIGHT_M


def _area(figure: AreaFigure, polygon) -> float:
    return figure.projected_m2 if figure.projected_m2 is not None else polygon.area


def one_per_footprint(figures: list[AreaFigure], within_model: bool = True) -> tuple[list[AreaFigure], list[Twin]]:
    """(the figures counted, the twins left out). A figure whose footprint overlaps one already kept
    (earlier in the given order) by more than OVERLAP_SHARE of the smaller of the two, with
    elevation ranges within SAME_HEIGHT_M, is that element again. `within_model` False: only
    figures of different files are compared. Figures without an outline are always kept. One
    spatial index: the cost grows with the number of figures, not with its square."""
    import numpy as np
    import shapely

    from ..read.geometry import polygons_of

    shown = [i for i, f in enumerate(figures) if f.outline]
    if len(shown) < 2:
        return list(figures), []
    polygons = polygons_of([figures[i].outline for i in shown])
    left, right = shapely.STRtree(polygons).query(polygons, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    if not within_model:
        files = np.array([figures[i].file for i in shown], dtype=object)
        pairs = files[left] != files[right]
        left, right = left[pairs], right[pairs]
    apart = shapely.touches(polygons[left], polygons[right])     # edge to edge (a panel array): nothing in common
    left, right = left[~apart], right[~apart]
    areas = shapely.area(polygons)
    common = shapely.area(shapely.intersection(polygons[left], polygons[right])) if len(left) else np.array([])
    smaller = np.minimum(areas[left], areas[right])
    pairs = (smaller > 0) & (common > OVERLAP_SHARE * np.where(smaller > 0, smaller, 1.0))
    partners: dict[int, list[int]] = {}
    for i, j in zip(left[pairs].tolist(), right[pairs].tolist()):
        if _same_height(figures[shown[i]], figures[shown[j]]):
            partners.setdefault(j, []).append(i)
    dropped: dict[int, int] = {}                # index in `shown` -> the kept one it repeats
    for j in sorted(partners):
        kept = [i for i in sorted(partners[j]) if i not in dropped]
        if kept:
            dropped[j] = kept[0]
    twins = []
    for j, i in sorted(dropped.items()):
        a, b = figures[shown[i]], figures[shown[j]]
        area_a, area_b = _area(a, polygons[i]), _area(b, polygons[j])
        exact = abs(area_a - area_b) <= EXACT_AREA_SHARE * max(area_a, area_b, 1e-9)
        twins.append(Twin(kept=a, copy=b, exact=exact))
    gone = {shown[j] for j in dropped}
    return [f for n, f in enumerate(figures) if n not in gone], twins


def counted_figures(models: list[ModelFacts]) -> Counted:
    """The roof elements and panels to count: one per element (GlobalId and place), then one per
    footprint (panels within and across models, roof elements across models)."""
    roofs, roof_twins = one_per_footprint(distinct(f for m in models for f in m.roofs), within_model=False)
    panels, panel_twins = one_per_footprint(distinct(f for m in models for f in m.pv_panels), within_model=True)
    return Counted(tuple(roofs), tuple(panels), tuple(roof_twins), tuple(panel_twins))


# -- findings -----------------------------------------------------------------------------------

def _named(f: Located) -> tuple[str, str]:
    return (f"{f.ifc_class} {f.global_id}" + (f" ({f.name})" if f.name else ""),
            f"{f.ifc_class} {f.global_id}" + (f"（「{f.name}」）" if f.name else ""))


def _more(n: int) -> tuple[str, str]:
    rest = n - SHOWN
    return (f"; and {rest} more", f"；另有 {rest} 组") if rest > 0 else ("", "")


OVERLAP_WHAT = {"pv": ("PV panel", "PV panels", "块光伏组件", "pv.overlapping_panels"),
                "roof": ("roof element", "roof elements", "个屋面构件", "roof.overlapping_roofs")}


def _overlap_note(role: str, twins: list[Twin]) -> Note:
    one, many, zh, code = OVERLAP_WHAT[role]
    kept_file, copy_file, exact = twins[0].kept.file, twins[0].copy.file, twins[0].exact
    n = len(twins)
    where_en = f"{one if n == 1 else many} of {copy_file}"
    other_en = (f"another {one} of the same model" if kept_file == copy_file
                else f"{'a ' + one if n == 1 else many} of {kept_file}")
    other_zh = "同一模型中的另一" + zh if kept_file == copy_file else f" {kept_file} 中的{zh[1:]}"
    pairs_en = "; ".join(f"{_named(t.copy)[0]} on {_named(t.kept)[0]}" for t in twins[:SHOWN])
    pairs_zh = "；".join(f"{_named(t.copy)[1]} 与 {_named(t.kept)[1]}" for t in twins[:SHOWN])
    more_en, more_zh = _more(n)
    if exact:
        why_en, why_zh = "They are exact copies (areas within 2 %)", "二者为完全相同的副本（面积相差不超过 2 %）"
    else:
        t = next(t for t in twins if not t.exact)
        a, b = t.kept.projected_m2, t.copy.projected_m2
        sizes_en = f" ({b:,.2f} m² vs {a:,.2f} m²)" if a is not None and b is not None else ""
        sizes_zh = f"（{b:,.2f} m² 与 {a:,.2f} m²）" if a is not None and b is not None else ""
        why_en = f"Their areas differ by more than 2 %{sizes_en}: a reviewer should confirm which copy is right"
        why_zh = f"二者面积相差超过 2 %{sizes_zh}：应由审核人确认以哪一份为准"
    en = (f"{n} {where_en} {'lies' if n == 1 else 'lie'} on {other_en} under other GlobalIds (more than half of "
          f"the footprint overlapping, at the same height): {pairs_en}{more_en}. {why_en}. Each was counted once, "
          f"as in {kept_file}")
    zh = (f"{copy_file} 中 {n} {zh}与{other_zh}在平面上重叠（重叠超过较小者投影面积的一半，标高相同），但 GlobalId "
          f"不同：{pairs_zh}{more_zh}。{why_zh}。每组仅计一次，按 {kept_file} 中的构件计入")
    gids = [g for t in twins for g in (t.kept.global_id, t.copy.global_id)]
    return note(code, copy_file, en, zh, list(dict.fromkeys(gids)), "warning" if exact else "uncertain")


def overlap_findings(models: list[ModelFacts], counted: Counted | None = None) -> list[Note]:
    """`pv.overlapping_panels` and `roof.overlapping_roofs`: one finding per pair of files and
    kind of copy (exact: a warning; areas that differ: uncertain, so the rules go to manual review)."""
    counted = counted or counted_figures(models)
    out = []
    for role, twins in (("roof", counted.roof_twins), ("pv", counted.panel_twins)):
        groups: dict[tuple, list[Twin]] = {}
        for t in twins:
            groups.setdefault((t.kept.file, t.copy.file, t.exact), []).append(t)
        out += [_overlap_note(role, group) for group in groups.values()]
    return out


# ModelFacts attribute -> (one, several, Chinese with its measure word, counted at both places here)
ELSEWHERE_WHAT = (("roofs", "roof element", "roof elements", "个屋面构件", True),
                  ("pv_panels", "PV panel", "PV panels", "块光伏组件", True),
                  ("chargers", "charging point", "charging points", "个充电桩", False),
                  ("parking", "parking space", "parking spaces", "个停车位", False),
                  ("systems", "system", "systems", "个系统设备", False),
                  ("buildings", "building", "buildings", "栋建筑", False))


def _at(record) -> tuple[str, str]:
    """Where a record stands, as a message says it: its origin, else its footprint's centre."""
    centre = _centre(record)
    if centre is None:
        return f"an unknown position in {record.file}", f"{record.file} 中位置未知"
    text = "(" + ", ".join(f"{v:.1f}" for v in centre) + ")"
    if record.origin is not None:
        return f"{text} in {record.file}", f"{record.file} 中位于 {text}"
    return f"footprint centre {text} in {record.file}", f"{record.file} 中投影中心位于 {text}"


def relocated_findings(models: list[ModelFacts]) -> list[Note]:
    """`model.same_globalid_elsewhere` (uncertain): a GlobalId carried by elements more than
    SAME_PLACE_M apart, e.g. a building copied from another without new GlobalIds. Roof elements
    and panels are counted at both places (`distinct`); one finding per kind of element and pair of files."""
    out = []
    for attribute, one, many, zh, both in ELSEWHERE_WHAT:
        groups: dict[tuple[str, str], list[tuple[Located, Located]]] = {}
        for first, other in elsewhere(r for m in models for r in getattr(m, attribute)):
            groups.setdefault((first.file, other.file), []).append((first, other))
        for (file_a, file_b), pairs in groups.items():
            n = len(pairs)
            listed_en = "; ".join(f"{b.global_id}: {_at(a)[0]}, {_at(b)[0]}" for a, b in pairs[:SHOWN])
            listed_zh = "；".join(f"{b.global_id}：{_at(a)[1]}，{_at(b)[1]}" for a, b in pairs[:SHOWN])
            more_en, more_zh = _more(n)
            if file_a == file_b:
                what_en = f"another {one} of the same model"
                what_zh = f"同一模型中的另一{zh[1:]}"
            else:
                what_en, what_zh = (f"a {one}" if n == 1 else many) + f" of {file_a}", f" {file_a} 中的{zh[1:]}"
            counted_en = ("Both copies were counted, as different elements" if both
                          else "A reviewer should confirm whether both are meant")
            counted_zh = "两处副本均已计入（视为不同构件）" if both else "应由审核人确认两处是否均为有意设置"
            en = (f"{n} {one if n == 1 else many} of {file_b} {'has' if n == 1 else 'have'} the same GlobalId as "
                  f"{what_en} but {'stands' if n == 1 else 'stand'} more than {SAME_PLACE_M:g} m away: "
                  f"{listed_en}{more_en}. These are copies (e.g. a building copied from another without new "
                  f"GlobalIds). {counted_en}; give each copy its own GlobalIds")
            zh = (f"{file_b} 中 {n} {zh}与{what_zh} GlobalId 相同，但位置相距超过 {SAME_PLACE_M:g} m："
                  f"{listed_zh}{more_zh}。此为复制的构件（例如复制楼栋而未重新生成 GlobalId）。{counted_zh}；"
                  "请为每个副本赋予各自的 GlobalId")
            gids = list(dict.fromkeys(b.global_id for _, b in pairs))
            out.append(note("model.same_globalid_elsewhere", file_b, en, zh, gids, "uncertain"))
    return out


def unit_range(space: ParkingRecord, stall_m2: float, max_stall_m2: float = 0.0) -> tuple[int, int]:
    """How many parking units a space plausibly holds: ParkingUnits when given; one for a space no
    larger than the largest single stall (`max_stall_m2`: a roomy accessible stall is one stall);
    else 1 to as many `stall_m2` stalls as its area holds."""
    if space.units_source is not None or space.area_m2 is None or space.area_m2 <= max_stall_m2:
        return space.units, space.units
    return 1, max(1, math.floor(space.area_m2 / stall_m2 + 1e-9))


def unit_ranges(models: list[ModelFacts], stall_m2: float,
                max_stall_m2: float = 0.0) -> list[tuple[ParkingRecord, tuple[int, int]]]:
    """Each parking space of the submission (counted once) with `unit_range`."""
    return [(p, unit_range(p, stall_m2, max_stall_m2))
            for p in distinct((p for m in models for p in m.parking), keep="last")]


def parking_findings(models: list[ModelFacts], max_stall_m2: float, stall_m2: float) -> list[Note]:
    """`parking.space_too_large` (uncertain): a parking space over `max_stall_m2` without
    Pset_SpaceParking.ParkingUnits counts as one space but is likely a zone of many stalls of
    `stall_m2` (rules/_conventions.yaml's parking `stall_area_m2`: max, typical)."""
    stall_en, stall_zh = " per stall", f"按每个车位 {stall_m2:g} m² 估算"
    out = []
    for space, (least, most) in unit_ranges(models, stall_m2, max_stall_m2):
        if least == most:
            continue
        name_en, name_zh = _named(space)
        area = space.area_m2
        en = (f"{name_en}: {area:,.1f} m² is far more than one parking stall (at most {max_stall_m2:g} m²), yet it "
              f"counts as 1 space (no Pset_SpaceParking.ParkingUnits): it likely holds about {most} stalls "
              f"({area:,.1f} m² ÷ {stall_m2:g} m²{stall_en}). Give Pset_SpaceParking.ParkingUnits, or model each "
              "stall as its own space")
        zh = (f"{name_zh}：面积 {area:,.1f} m²，远大于单个停车位（不超过 {max_stall_m2:g} m²），但未提供 "
              f"Pset_SpaceParking.ParkingUnits，仅计为 1 个车位：{stall_zh}约含 {most} 个车位"
              f"（{area:,.1f} m² ÷ {stall_m2:g} m²）。请提供 Pset_SpaceParking.ParkingUnits，或将每个车位单独建模")
        out.append(note("parking.space_too_large", space.file, en, zh, (space.global_id,), "uncertain"))
    return out


def identity_findings(models: list[ModelFacts], counted: Counted | None = None,
                      conventions=None) -> list[Note]:
    """Every finding of this module: overlapping roofs and panels, GlobalIds elsewhere, zones of stalls
    (`conventions`: the run's recognition conventions, for the stall areas)."""
    stall_m2, max_stall_m2 = stall_areas(conventions)
    return (overlap_findings(models, counted) + relocated_findings(models)
            + parking_findings(models, max_stall_m2, stall_m2))
