"""A viewpoint's snapshot: a plan view of the topic's elements, as a PNG.

BCF tools show a topic's snapshot as its thumbnail before any model is loaded, and BCF 3.0 readers
expect one where the 3D view can render one. The report stage has the verdict only: each cited
element's bounding box (`ElementRef.bbox`), no meshes, no materials. So the snapshot is drawn, not
rendered: a top-down plan (model X to the right, model Y up) of the topic's elements' boxes in red
over the other elements the check cites in grey, framed on the red ones, with a scale bar. A 3D
render would need the models' geometry and an off-screen GPU or a software rasteriser in the report
stage, for a picture that says less than the camera the viewpoint already carries (the BCF tool
flies to the 3D view itself). Drawn with Pillow (a dependency of WeasyPrint already): the same
boxes give the same bytes (no timestamp or text chunk in the PNG, fixed compression), so one verdict
still gives one BCF file. A topic without any box gets no snapshot.
"""

from __future__ import annotations

import math

from .view import ASPECT_RATIO, Box, union

WIDTH = 800
HEIGHT = round(WIDTH / ASPECT_RATIO)
MARGIN_PX = 40
MIN_EXTENT_M = 6.0               # a point-like element is shown in at least this much of its surroundings
RED, RED_FILL = (204, 0, 0), (255, 214, 214)
GREY, GREY_FILL = (150, 150, 150), (228, 228, 228)
INK = (60, 60, 60)
POINT_PX = 5


def plan_png(culprits: list[Box], context: list[Box]) -> bytes:
    """The plan view of `culprits` (red) over `context` (grey), framed on the culprits."""
    import io

    from PIL import Image, ImageDraw

    own = union(culprits)
    if own is None:
        raise ValueError("a snapshot needs at least one box")
    scale, to_px = _frame(own)
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for box in context:
        _box(draw, box, to_px, GREY, GREY_FILL)
    for box in culprits:
        _box(draw, box, to_px, RED, RED_FILL)
    _scale_bar(draw, scale)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def _frame(own: Box):
    """Metres -> pixels: the culprits' XY extent (at least MIN_EXTENT_M) centred, the same scale on
    both axes, Y up."""
    cx, cy = (own[0] + own[3]) / 2, (own[1] + own[4]) / 2
    width_m = max(own[3] - own[0], MIN_EXTENT_M) * 1.15
    height_m = max(own[4] - own[1], MIN_EXTENT_M) * 1.15
    scale = min((WIDTH - 2 * MARGIN_PX) / width_m, (HEIGHT - 2 * MARGIN_PX) / height_m)    # px per metre

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (WIDTH / 2 + (x - cx) * scale, HEIGHT / 2 - (y - cy) * scale)
    return scale, to_px


def _box(draw, box: Box, to_px, ink, fill) -> None:
    x0, y1 = to_px(box[0], box[1])
    x1, y0 = to_px(box[3], box[4])
    if max(x0, x1) < -WIDTH or min(x0, x1) > 2 * WIDTH or max(y0, y1) < -HEIGHT or min(y0, y1) > 2 * HEIGHT:
        return                                                    # far outside the picture
    x0, x1 = max(x0, -WIDTH), min(x1, 2 * WIDTH)
    y0, y1 = max(y0, -HEIGHT), min(y1, 2 * HEIGHT)
    if x1 - x0 < 2 * POINT_PX and y1 - y0 < 2 * POINT_PX:        # a point, or smaller than a marker
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        draw.ellipse((cx - POINT_PX, cy - POINT_PX, cx + POINT_PX, cy + POINT_PX), fill=fill, outline=ink, width=2)
        return
    draw.rectangle((x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)), fill=fill, outline=ink, width=2)


def _scale_bar(draw, scale: float) -> None:
    """A bar of a round length (1, 2 or 5 × 10^k m) about a fifth of the picture wide, bottom left."""
    from PIL import ImageFont

    target_m = WIDTH / 5 / scale
    power = 10 ** math.floor(math.log10(target_m))
    length_m = max((s * power for s in (1, 2, 5, 10) if s * power <= target_m), default=power)
    px = length_m * scale
    x0, y = MARGIN_PX / 2, HEIGHT - MARGIN_PX / 2
    draw.line((x0, y, x0 + px, y), fill=INK, width=3)
    for x in (x0, x0 + px):
        draw.line((x, y - 6, x, y + 1), fill=INK, width=2)
    text = f"{length_m:g} m"
    draw.text((x0 + px + 8, y - 12), text, fill=INK, font=ImageFont.load_default())
