"""Where a topic's viewpoint looks: a perspective camera framing the elements' bounding boxes.

The verdict keeps each cited element's axis-aligned box in the model's world coordinates
(`ElementRef.bbox`, metres, from the reader's records). The camera looks at the centre of the union
of the topic's boxes from an elevated south-west diagonal (direction (1, 1, -1): north-east and down,
35.3° below the horizon), from the distance at which the box's enclosing sphere fits the 60° vertical
field of view (radius / sin 30°), at least MIN_RADIUS_M. The up vector is the world Z axis made
perpendicular to the direction. An element the reader knows by its placement point alone (a charging
point, a parking space: the reader measures no body for them) has a box of no size; it is framed as
the point with POINT_MARGIN_M around it horizontally and POINT_HEIGHT_M above it (a parking space is
about 2.5 × 5.3 m, a charger's body smaller), and the topic says how many were framed so.

A topic whose elements have no box gets no camera in BCF 2.1 (the camera is optional there). BCF 3.0
requires one: it gets a fallback camera, framing every cited element that has a box (an overview of
what the check cites) or, where none has, the model's origin, and the topic says which, so nobody
takes it for the elements' position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Optional

Box = tuple[float, float, float, float, float, float]
Vec = tuple[float, float, float]

FIELD_OF_VIEW_DEG = 60.0        # vertical; BCF 2.1 allows 45-60
ASPECT_RATIO = 4 / 3            # BCF 3.0's AspectRatio (w/h), the snapshot's too
MIN_RADIUS_M = 2.0
POINT_MARGIN_M = 3.0
POINT_HEIGHT_M = 3.0
ORIGIN_RADIUS_M = 50.0          # the fallback view of the origin, where nothing cited has a position
_LOOK = (1.0, 1.0, -1.0)


@dataclass(frozen=True)
class Camera:
    position: Vec
    direction: Vec               # unit
    up: Vec                      # unit, perpendicular to direction
    target: Vec                  # the point it looks at
    field_of_view: float = FIELD_OF_VIEW_DEG
    aspect_ratio: float = ASPECT_RATIO
    aimed: Literal["elements", "cited", "origin"] = "elements"   # what it frames: the topic's elements, or a fallback

    def key(self) -> str:
        """The camera as text, for the viewpoint's content-derived GUID."""
        return f"{self.position}|{self.direction}|{self.up}|{self.field_of_view}|{self.aimed}"


def union(boxes) -> Optional[Box]:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), min(b[2] for b in boxes),
            max(b[3] for b in boxes), max(b[4] for b in boxes), max(b[5] for b in boxes))


def centre(box: Box) -> Vec:
    return ((box[0] + box[3]) / 2, (box[1] + box[4]) / 2, (box[2] + box[5]) / 2)


def _unit(v: Vec) -> Vec:
    n = math.sqrt(sum(c * c for c in v))
    return (v[0] / n, v[1] / n, v[2] / n)


def aim(box: Box, aimed: Literal["elements", "cited", "origin"] = "elements",
        min_radius: float = MIN_RADIUS_M) -> Camera:
    """The camera framing `box`: looking at its centre along _LOOK, its enclosing sphere in view."""
    c = centre(box)
    radius = max(min_radius, math.dist(box[:3], box[3:]) / 2)
    distance = radius / math.sin(math.radians(FIELD_OF_VIEW_DEG / 2))
    d = _unit(_LOOK)
    along = d[2]
    up = _unit((-along * d[0], -along * d[1], 1.0 - along * d[2]))      # Z minus its part along d
    position = tuple(round(c[i] - distance * d[i], 3) + 0.0 for i in range(3))
    return Camera(position=(position[0], position[1], position[2]), direction=_rounded(d), up=_rounded(up),
                  target=(round(c[0], 3) + 0.0, round(c[1], 3) + 0.0, round(c[2], 3) + 0.0), aimed=aimed)


def _rounded(v: Vec) -> Vec:
    return (round(v[0], 6) + 0.0, round(v[1], 6) + 0.0, round(v[2], 6) + 0.0)


def is_point(box: Box) -> bool:
    return box[3] - box[0] < 1e-6 and box[4] - box[1] < 1e-6


def framed(box: Box) -> Box:
    """What the camera frames of a box: the box, or a placement point with its margin."""
    if not is_point(box):
        return box
    return (box[0] - POINT_MARGIN_M, box[1] - POINT_MARGIN_M, box[2],
            box[3] + POINT_MARGIN_M, box[4] + POINT_MARGIN_M, box[5] + POINT_HEIGHT_M)


def camera_for(boxes, cited_boxes, required: bool) -> Optional[Camera]:
    """The topic's camera: framing its elements' boxes; without any, None unless the version
    requires a camera (BCF 3.0), then the fallback (every cited box, else the origin)."""
    own = union(framed(b) for b in boxes if b is not None)
    if own is not None:
        return aim(own)
    if not required:
        return None
    cited = union(framed(b) for b in cited_boxes if b is not None)
    if cited is not None:
        return aim(cited, "cited")
    return aim((0.0, 0.0, 0.0, 0.0, 0.0, 0.0), "origin", ORIGIN_RADIUS_M)


def view_note(camera: Optional[Camera], boxes: list, total: int, lang: str) -> list[str]:
    """What the description says about the viewpoint's camera (en/zh per `lang`)."""
    from ..labels import pick

    if total == 0:
        return []
    head = pick("视点", "Viewpoint", lang, " / ") + ":"
    if camera is None:
        said = pick("无相机：核查记录中没有这些构件的位置；请在 BIM 工具中按选中的构件定位。",
                    "no camera: the checker's records give none of these elements a position; find them by the "
                    "selected elements in the BIM tool.", lang, "\n")
    elif camera.aimed == "cited":
        said = pick("相机为默认视角（BCF 3.0 要求相机）：核查记录中没有这些构件的位置，"
                    "相机显示本次核查引用的全部构件的范围，并非这些构件所在位置；请按选中的构件定位。",
                    "the camera is a fallback (BCF 3.0 requires one): the checker's records give none of these "
                    "elements a position, so it shows the extent of every element this check cites, not where "
                    "these are; find them by the selected elements.", lang, "\n")
    elif camera.aimed == "origin":
        said = pick("相机为默认视角（BCF 3.0 要求相机）：核查记录中没有任何构件的位置，"
                    "相机对准模型原点，并非这些构件所在位置；请按选中的构件定位。",
                    "the camera is a fallback (BCF 3.0 requires one): the checker's records give no element a "
                    "position, so it looks at the model's origin, not where these elements are; find them by the "
                    "selected elements.", lang, "\n")
    else:
        count, points = len(boxes), sum(1 for b in boxes if is_point(b))
        zh = f"相机对准红色显示的 {count} 个构件（按其包围盒）"
        en = f"the camera frames the {count} element(s) shown in red (by their bounding boxes)"
        if points:
            zh += f"，其中 {points} 个仅有定位点（按定位点周围 {POINT_MARGIN_M:g} 米取景）"
            en += (f"; {points} of them known by their placement point alone, framed with {POINT_MARGIN_M:g} m "
                   "around it")
        if count < total:
            zh += f"；另 {total - count} 个构件在核查记录中没有位置，仅选中并着色"
            en += (f"; {total - count} more have no position in the checker's records and are only selected "
                   "and coloured")
        said = pick(zh + "。", en + ".", lang, "\n")
    return ["", head, said]
