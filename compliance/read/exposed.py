"""Exposed top slabs: a slab that nothing lies above, not marked as roof, is a suspect roof.

The main roof drawn with the floor tool (a FLOOR slab) beside a small annex marked ROOF would
otherwise leave the rooftop PV ratio computed over the annex alone. A slab is exposed when no
other slab or roof element above it covers at least half of its footprint; slabs near the
lowest slab (ground floors, terraces on grade) and small ones (balconies) are left alone, by the
thresholds of the conventions file (`roof.exposed_slab`: the height is above the ground, world z = 0
or the lowest slab if that is lower).
"""

from __future__ import annotations

from .conventions import OPEN_TYPES
from .recognise import predefined

COVERED_SHARE = 0.5           # covered above this share of its footprint: not exposed
CANDIDATE_TYPES = OPEN_TYPES + ("FLOOR",)


def candidate_slabs(index, taken: set[int]) -> list:
    """IfcSlabs that could be an unmarked roof: FLOOR or open predefined type, not already a roof
    or a suspect (`taken`: entity ids)."""
    return [s for s in index.file.by_type("IfcSlab")
            if s.id() not in taken and predefined(s, index.type_of(s))[0] in CANDIDATE_TYPES]


def exposed(candidates: list, shapes: dict, covers: list, rule) -> list:
    """The candidates (entities) whose shape is exposed. `covers`: the entities that may lie above
    (every slab and roof element with a shape); `rule`: conventions ExposedSlab."""
    from .geometry import overlap_fractions

    placed = [e for e in covers if hasattr(shapes.get(e.id()), "outline") and shapes[e.id()].outline]
    mine = [e for e in candidates if hasattr(shapes.get(e.id()), "outline") and shapes[e.id()].outline]
    if not mine:
        return []
    # the ground: world z = 0 (the project's ±0.000), or lower where slabs go lower; not the lowest
    # slab alone, which in a model of the roof only is the roof itself
    lowest = min([0.0] + [shapes[e.id()].z_min for e in placed])
    mine = [e for e in mine if shapes[e.id()].z_max - lowest >= rule.min_height_m
            and shapes[e.id()].footprint_m2 >= rule.min_area_m2]

    def may_cover(i: int, j: int) -> bool:
        below, above = shapes[mine[i].id()], shapes[placed[j].id()]
        # above: it reaches higher than the slab's top (a sloped roof's eaves may hang lower)
        return placed[j].id() != mine[i].id() and above.z_max >= below.z_max + 0.1

    fractions = overlap_fractions([shapes[e.id()].outline for e in mine],
                                  [shapes[e.id()].outline for e in placed], may_cover)
    return [e for e, f in zip(mine, fractions) if f < COVERED_SHARE]
