"""Writing `svgfig`'s figure as SVG: numbers and colours as matplotlib's SVG backend writes them,
line and edge styles, a line of text as one outlined path (laid out as matplotlib lays out a
`Text`: ascent and descent from the font's typographic metrics, line spacing, alignment, the
optional box behind it), clip boxes and hatch patterns, and the document around them."""

from __future__ import annotations

from typing import Optional

from .glyphs import UNITS, face

NAMED = {"white": "#ffffff", "black": "#000000", "none": None}
HATCH_DENSITY = 6                       # matplotlib's hatch lines per unit per stroke character
STYLE = "*{stroke-linejoin: round; stroke-linecap: butt}"


def num(x: float) -> str:
    """matplotlib's short float: %f without trailing zeros."""
    return f"{x:f}".rstrip("0").rstrip(".") or "0"


def colour(c) -> Optional[str]:
    if c is None:
        return None
    c = NAMED.get(c, c)
    return None if c is None else c.lower()


def dashes(linestyle, linewidth: float):
    """(offset, pattern) scaled by the line width, as matplotlib scales dashes; None when solid."""
    if linestyle in ("solid", "-", None):
        return None
    if isinstance(linestyle, tuple):
        offset, pattern = linestyle
        return offset * linewidth, [v * linewidth for v in pattern]
    raise NotImplementedError(f"linestyle {linestyle!r}")


def stroke(edge, linewidth: float, linestyle, join: Optional[str] = None, cap: Optional[str] = None) -> str:
    if edge is None or not linewidth:
        return ""
    parts = []
    pattern = dashes(linestyle, linewidth)
    if pattern is not None:
        parts.append("stroke-dasharray: " + ",".join(num(v) for v in pattern[1]))
        parts.append(f"stroke-dashoffset: {num(pattern[0])}")
    parts.append(f"stroke: {edge}")
    if linewidth != 1.0:
        parts.append(f"stroke-width: {num(linewidth)}")
    if join and join != "round":
        parts.append(f"stroke-linejoin: {join}")
    if cap and pattern is None:
        parts.append(f"stroke-linecap: {cap}")
    return "; " + "; ".join(parts)


# --------------------------------------------------------------------------- text

def draw_text(out, t, posx: float, posy: float, height: float) -> None:
    if not t.s:
        return
    """`t` (an svgfig.Text) anchored at display point (posx, posy); `height`: the figure's, in points."""
    f = face(t.font.path)
    size = t.font.size
    k = size / UNITS                                   # points per 26.6 unit at this size
    ascender, descender, gap = (v * size / f.upem for v in f.typo)
    min_ascent, min_descent = ascender, -descender
    lines = t.s.split("\n")
    line_gap = 0.0 if len(lines) == 1 else gap
    thisy, wads, ys = 0.0, [], []
    for line in lines:
        w, h, d = ((v * k) for v in f.extents(line)) if line else (0.0, 0.0, 0.0)
        a = h - d
        if t.linespacing is None or t.linespacing == "normal":
            a = max(a, min_ascent) + line_gap / 2
            d = max(d, min_descent) + line_gap / 2
        else:
            leading = t.linespacing * (min_ascent + min_descent) - (a + d)
            a, d = a + leading / 2, d + leading / 2
        thisy -= a
        wads.append((w, a, d))
        ys.append(thisy)
        thisy -= d
    width = max(w for w, _, _ in wads)
    ymin, ymax = ys[-1] - wads[-1][2], 0.0
    xs = [0.0 if t.ha == "left" else (width - w) / 2 if t.ha == "center" else width - w for w, _, _ in wads]
    offx = 0.0 if t.ha == "left" else width if t.ha == "right" else width / 2
    offy = {"bottom": ymin, "top": ymax, "center": (ymin + ymax) / 2, "baseline": ymin + wads[-1][2]}.get(t.va)
    if offy is None:
        raise NotImplementedError(f"va={t.va!r}")
    if t.bbox:
        _text_box(out, height, t.bbox, posx - offx, posy + ymin - offy, width, ymax - ymin, size)
    for line, x, y in zip(lines, xs, ys):
        d = _outline(f, line)
        if d:                          # the line's glyphs in 26.6 units at 100 px, scaled to the size here
            out.glyphs(d, posx + x - offx, height - (posy + y - offy), k, colour(t.color))


def _text_box(out, H: float, bbox: dict, x: float, y: float, w: float, h: float, size: float) -> None:
    style, _, pad = bbox.get("boxstyle", "square,pad=0.3").partition(",pad=")
    if style != "square" or set(bbox) - {"boxstyle", "facecolor", "edgecolor"}:
        raise NotImplementedError(f"text bbox {bbox!r}")
    p = float(pad or 0.3) * size
    x0, y0, x1, y1 = x - p, y - p, x + w + p, y + h + p
    face_c, edge = colour(bbox.get("facecolor", "white")), colour(bbox.get("edgecolor", "black"))
    fill = "fill: none" if face_c is None else f"fill: {face_c}"
    out.path(f"M {num(x0)} {num(H - y0)} L {num(x1)} {num(H - y0)} L {num(x1)} {num(H - y1)} L {num(x0)} "
             f"{num(H - y1)} z", fill + stroke(edge, 1.0, "solid", join="miter"))


def _outline(f, line: str) -> str:
    """The glyphs of one line as path data in 26.6 units at 100 px (y up), pen at the origin: whole
    numbers (halves at implied on-curve points), as FreeType hands them to matplotlib."""
    parts: list[str] = []
    for name, pen in f.layout(line):
        for cmd in f.outline(name)[0]:
            if cmd[0] == "Z":
                parts.append("z")
                continue
            parts.append(cmd[0])
            for px, py in cmd[1:]:
                parts.append(f"{pen + px:g} {py:g}")
    return " ".join(parts)


# --------------------------------------------------------------------------- the document

class Writer:
    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.body: list[str] = []
        self.clips: list[str] = []
        self.hatches: dict = {}
        self.hatch_colour, self.hatch_width = "#000000", 1.0

    def path(self, d: str, style: str, clip: Optional[str] = None) -> None:
        clip_attr = f' clip-path="url(#{clip})"' if clip else ""
        self.body.append(f'  <path d="{d}"{clip_attr} style="{style}"/>')

    def glyphs(self, d: str, x: float, y: float, k: float, fill: str) -> None:
        """A line of text: its outlines `d` in font units, placed at (x, y) and scaled by k (a fill
        attribute, not a style: shapes have styles)."""
        self.body.append(f'  <path transform="translate({num(x)} {num(y)}) scale({k:.9g} {-k:.9g})" d="{d}" '
                         f'fill="{fill}"/>')

    def clip(self, x: float, y: float, w: float, h: float) -> str:
        name = f"clip{len(self.clips) + 1}"
        self.clips.append(f'  <clipPath id="{name}">\n   <rect x="{num(x)}" y="{num(y)}" width="{num(w)}" '
                          f'height="{num(h)}"/>\n  </clipPath>')
        return name

    def hatch(self, pattern: str, face_c: Optional[str], line_c: str) -> str:
        key = (pattern, face_c, line_c)
        if key not in self.hatches:
            self.hatches[key] = f"hatch{len(self.hatches) + 1}"
        return self.hatches[key]

    def document(self) -> str:
        w, h = num(self.width), num(self.height)
        defs = [f' <defs>\n  <style type="text/css">{STYLE}</style>\n </defs>']
        tail = []
        if self.clips:
            tail.append(" <defs>\n" + "\n".join(self.clips) + "\n </defs>")
        if self.hatches:
            tail.append(" <defs>\n" + "\n".join(self._pattern(k, v) for k, v in self.hatches.items()) + "\n </defs>")
        return "\n".join([f'<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}pt" height="{h}pt" '
                          f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" version="1.1">',
                          *defs, " <g>", *self.body, " </g>", *tail, "</svg>"]) + "\n"

    def _pattern(self, key, name: str) -> str:
        pattern, face_c, line_c = key
        if set(pattern) != {"/"}:
            raise NotImplementedError(f"hatch {pattern!r}")
        n = len(pattern) * HATCH_DENSITY
        d = " ".join(f"M {num(72 * s)} {num(72 + 72 * s)} L {num(72 + 72 * s)} {num(72 * s)}"
                     for s in (-0.5 + i / n for i in range(n + 1)))
        rect = f'   <rect x="0" y="0" width="73" height="73" fill="{face_c}"/>\n' if face_c else ""
        return (f'  <pattern id="{name}" patternUnits="userSpaceOnUse" x="0" y="0" width="72" height="72">\n{rect}'
                f'   <path d="{d}" style="fill: {line_c}; stroke: {line_c}; stroke-width: {num(self.hatch_width)}; '
                f'stroke-linecap: butt; stroke-linejoin: miter"/>\n  </pattern>')

