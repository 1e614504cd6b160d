"""A small figure that writes SVG: the part of matplotlib's Figure/Axes interface the verdict's chart
plans use (`plans.py`), drawn as matplotlib's SVG backend draws it, at a fraction of the cost.

Why: a verdict PDF drew its charts with matplotlib (0.4 s to import, ~60 ms per chart) and
WeasyPrint then parsed every glyph of every label as a separate `<use>` of a glyph definition
(0.1 s per chart). Here a chart is a handful of `<path>`s: shapes in matplotlib's geometry
(axes fractions, data limits, bar and line styles, hatch patterns, clip boxes, tick marks, spines,
the same draw order by z-order) and each line of text one filled path whose glyph outlines come
from the font file (`glyphs.py`), laid out as matplotlib lays text out (alignment, ascent and
descent from the font's typographic metrics, line spacing). Text stays outlines, as before: the
PDF's text layer is unchanged. `preview_png` still draws the same plans with matplotlib itself.
`svgdraw` writes the SVG (styles, text, clip boxes, hatch patterns).

Supported: `Figure.add_axes/get_figheight`; `Axes.barh/bar/plot/axhline/text/add_patch/set_xlim/
set_ylim/set_axis_off/set_xticks/get_xticklabels/tick_params/get_yaxis_transform`, `spines[...]`,
`transAxes`, `transData`; ticks only where the plan sets them. Anything else raises
NotImplementedError rather than drawing something else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .svgdraw import Writer, colour, draw_text, num, stroke

DEFAULT_PATCH_EDGE = None               # matplotlib draws no edge on a filled patch unless asked


@dataclass(frozen=True)
class FontSpec:
    """What `Pen.props` gives the light renderer: a font file, a size in points (bold uses the same file)."""

    path: str
    size: float
    bold: bool = False


@dataclass
class Rectangle:
    xy: tuple
    width: float
    height: float
    facecolor: object = None
    edgecolor: object = None
    hatch: Optional[str] = None
    linewidth: float = 1.0
    linestyle: object = "solid"
    hatchcolor: object = None
    zorder: float = 1.0


@dataclass
class Text:
    x: float
    y: float
    s: str
    font: Optional[FontSpec]            # None: a tick label, until set_fontproperties gives it one
    color: str = "#000000"
    ha: str = "left"
    va: str = "baseline"
    linespacing: object = None
    transform: str = "data"
    bbox: Optional[dict] = None
    zorder: float = 3.0

    def set_fontproperties(self, font) -> None:
        self.font = font

    def set_color(self, c) -> None:
        self.color = c


@dataclass
class Line:
    xs: list
    ys: list
    color: str
    linewidth: float = 1.5
    linestyle: object = "solid"
    transform: str = "data"            # data, or "xaxes" for axhline (x in axes fractions)
    clip: bool = True
    zorder: float = 2.0


@dataclass
class Spine:
    visible: bool = True
    color: str = "#000000"
    linewidth: float = 0.8

    def set_visible(self, b: bool) -> None:
        self.visible = b

    def set_color(self, c) -> None:
        self.color = c

    def set_linewidth(self, w: float) -> None:
        self.linewidth = w


@dataclass
class TickSide:
    marks: bool = True
    labels: bool = True
    length: float = 3.5
    width: float = 0.8
    color: str = "#000000"
    pad: float = 3.5
    ticks: Optional[list] = None
    labels_text: list = field(default_factory=list)


class Figure:
    def __init__(self, width_in: float, height_in: float) -> None:
        self.width, self.height = width_in * 72.0, height_in * 72.0     # points (= pixels at 72 dpi)
        self._height_in = height_in
        self.axes: list[Axes] = []

    def get_figheight(self) -> float:
        return self._height_in

    def add_axes(self, rect) -> "Axes":
        ax = Axes(self, rect)
        self.axes.append(ax)
        return ax

    def svg(self, hatch_colour: str = "#000000", hatch_width: float = 1.0) -> str:
        """The figure as an SVG document (matplotlib's rc hatch.color and hatch.linewidth for hatches)."""
        out = Writer(self.width, self.height)
        out.hatch_colour, out.hatch_width = colour(hatch_colour) or "none", hatch_width   # "none": no lines
        out.path(f"M 0 {num(self.height)} L {num(self.width)} {num(self.height)} L {num(self.width)} 0 L 0 0 z",
                 "fill: #ffffff")
        for ax in self.axes:
            ax.draw(out)
        return out.document()


class Axes:
    transAxes = "axes"
    transData = "data"

    def __init__(self, fig: Figure, rect) -> None:
        left, bottom, width, height = rect
        self.fig = fig
        self.x0, self.y0 = left * fig.width, bottom * fig.height
        self.w, self.h = width * fig.width, height * fig.height
        self.xlim, self.ylim = (0.0, 1.0), (0.0, 1.0)
        self.axis_on = True
        self.artists: list = []
        self.spines = {side: Spine() for side in ("left", "right", "bottom", "top")}
        self.xaxis, self.yaxis = TickSide(), TickSide()

    # ------------------------------------------------------------------ matplotlib's interface
    def set_axis_off(self) -> None:
        self.axis_on = False

    def set_xlim(self, lo, hi=None) -> None:
        if hi is None:
            lo, hi = lo                           # one (lo, hi) pair
        self.xlim = (float(lo), float(hi))

    def set_ylim(self, lo, hi=None) -> None:
        if hi is None:
            lo, hi = lo                           # one (lo, hi) pair
        self.ylim = (float(lo), float(hi))

    def get_yaxis_transform(self) -> str:
        return "xaxes"                            # x in axes fractions, y in data

    def tick_params(self, axis: str = "both", **kw) -> None:
        for name in ("x", "y") if axis == "both" else (axis,):
            side = self.xaxis if name == "x" else self.yaxis
            marks_key, labels_key = ("bottom", "labelbottom") if name == "x" else ("left", "labelleft")
            for key, value in kw.items():
                if key == marks_key:
                    side.marks = value
                elif key == labels_key:
                    side.labels = value
                elif key in ("length", "width", "pad"):
                    setattr(side, key, float(value))
                elif key == "color":
                    side.color = value
                else:
                    raise NotImplementedError(f"tick_params({key}=...)")

    def set_xticks(self, ticks, labels=None) -> None:
        self.xaxis.ticks = [float(t) for t in ticks]
        if labels is None:
            raise NotImplementedError("tick labels from a formatter")
        self.xaxis.labels_text = [Text(t, 0.0, str(s), None, transform="xtick") for t, s in zip(ticks, labels)]

    def get_xticklabels(self) -> list:
        return list(self.xaxis.labels_text)

    def add_patch(self, patch: Rectangle) -> Rectangle:
        self.artists.append(patch)
        return patch

    def barh(self, y, width, height=0.8, left=0.0, **kw) -> Rectangle:
        return self.add_patch(_bar((left, y - height / 2), width, height, kw))

    def bar(self, x, height, width=0.8, bottom=0.0, **kw) -> Rectangle:
        return self.add_patch(_bar((x - width / 2, bottom), width, height, kw))

    def plot(self, xs, ys, color="#000000", linewidth=1.5, linestyle="solid", clip_on=True) -> Line:
        line = Line(list(xs), list(ys), color, linewidth, linestyle, clip=clip_on)
        self.artists.append(line)
        return line

    def axhline(self, y=0.0, color="#000000", linewidth=1.5, linestyle="solid") -> Line:
        line = Line([0.0, 1.0], [y, y], color, linewidth, linestyle, transform="xaxes")
        self.artists.append(line)
        return line

    def text(self, x, y, s, fontproperties=None, color="#000000", ha="left", va="baseline", linespacing=None,
             transform="data", bbox=None, **kw) -> Text:
        if kw or fontproperties is None:
            raise NotImplementedError(f"text({', '.join(kw) or 'without fontproperties'})")
        t = Text(x, y, s, fontproperties, color, ha, va, linespacing, transform, bbox)
        self.artists.append(t)
        return t

    # ------------------------------------------------------------------ geometry
    def to_display(self, x: float, y: float, transform: str = "data") -> tuple[float, float]:
        """matplotlib's display coordinates (points from the bottom left)."""
        if transform == "axes":
            return self.x0 + x * self.w, self.y0 + y * self.h
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        dx = self.x0 + (x - x0) / (x1 - x0) * self.w if transform == "data" else self.x0 + x * self.w
        return dx, self.y0 + (y - y0) / (y1 - y0) * self.h

    def draw(self, out: "Writer") -> None:
        clip = None
        if self.axis_on:
            x0, y1 = self.x0, self.fig.height - self.y0
            out.path(f"M {num(x0)} {num(y1)} L {num(x0 + self.w)} {num(y1)} L {num(x0 + self.w)} "
                     f"{num(y1 - self.h)} L {num(x0)} {num(y1 - self.h)} z", "fill: #ffffff")
        layers = sorted(enumerate(self.artists), key=lambda item: (item[1].zorder, item[0]))
        if self.axis_on:
            axis_z, spine_z = 1.5, 2.5
            layers = [a for a in layers if a[1].zorder < axis_z] + [(-1, "axis")] + \
                     [a for a in layers if axis_z <= a[1].zorder < spine_z] + [(-1, "spines")] + \
                     [a for a in layers if a[1].zorder >= spine_z]
        for _, artist in layers:
            if artist == "axis":
                self._draw_axis(out)
            elif artist == "spines":
                self._draw_spines(out)
            elif isinstance(artist, Text):
                draw_text(out, artist, *self.to_display(artist.x, artist.y, artist.transform), self.fig.height)
            else:
                if clip is None and (isinstance(artist, Rectangle) or artist.clip):
                    clip = out.clip(self.x0, self.fig.height - self.y0 - self.h, self.w, self.h)
                if isinstance(artist, Rectangle):
                    self._draw_patch(out, artist, clip)
                else:
                    self._draw_line(out, artist, clip if artist.clip else None)

    def _flip(self, x: float, y: float) -> str:
        return f"{num(x)} {num(self.fig.height - y)}"

    def _draw_patch(self, out, p: Rectangle, clip) -> None:
        (x, y), w, h = p.xy, p.width, p.height
        corners = [self.to_display(x, y), self.to_display(x + w, y), self.to_display(x + w, y + h),
                   self.to_display(x, y + h)]
        d = "M " + " L ".join(self._flip(*c) for c in corners) + " z"
        face_c = colour(p.facecolor)
        if p.hatch:
            fill = f"fill: url(#{out.hatch(p.hatch, face_c, colour(p.hatchcolor) or out.hatch_colour)})"
        else:
            fill = "fill: none" if face_c is None else f"fill: {face_c}"
        out.path(d, fill + stroke(colour(p.edgecolor), p.linewidth, p.linestyle, join="miter"), clip)

    def _draw_line(self, out, line: Line, clip) -> None:
        points = [self.to_display(x, y, line.transform) for x, y in zip(line.xs, line.ys)]
        d = "M " + " L ".join(self._flip(*p) for p in points)
        solid = line.linestyle in ("solid", "-")
        out.path(d, "fill: none" + stroke(colour(line.color), line.linewidth, line.linestyle,
                                            cap="square" if solid else None), clip)

    def _draw_axis(self, out) -> None:
        xa, ya = self.xaxis, self.yaxis
        if (ya.marks or ya.labels) or ((xa.marks or xa.labels) and xa.ticks is None):
            raise NotImplementedError("ticks the plan did not set")
        (lo, hi) = sorted(self.xlim)
        for i, t in enumerate(xa.ticks or []):
            if not lo - 1e-9 <= t <= hi + 1e-9:
                continue
            x, y = self.to_display(t, self.ylim[0])[0], self.y0
            if xa.marks:
                out.path(f"M {self._flip(x, y)} L {self._flip(x, y - xa.length)}",
                         f"fill: none; stroke: {colour(xa.color)}; stroke-width: {num(xa.width)}")
            if xa.labels and i < len(xa.labels_text):
                label = xa.labels_text[i]
                label.ha, label.va = "center", "top"
                draw_text(out, label, x, y - (xa.length + xa.pad), self.fig.height)

    def _draw_spines(self, out) -> None:
        x0, y0, x1, y1 = self.x0, self.y0, self.x0 + self.w, self.y0 + self.h
        ends = {"left": ((x0, y0), (x0, y1)), "right": ((x1, y0), (x1, y1)),
                "bottom": ((x0, y0), (x1, y0)), "top": ((x0, y1), (x1, y1))}
        for side, spine in self.spines.items():
            if spine.visible:
                a, b = ends[side]
                out.path(f"M {self._flip(*a)} L {self._flip(*b)}",
                         "fill: none" + stroke(colour(spine.color), spine.linewidth, "solid", join="miter",
                                                cap="square"))


def _bar(xy, w, h, kw) -> Rectangle:
    kw = dict(kw)
    face_c = kw.pop("color", None)
    face_c = kw.pop("facecolor", face_c)
    unknown = set(kw) - {"edgecolor", "linewidth", "linestyle", "hatch", "hatchcolor"}
    if unknown:
        raise NotImplementedError(f"bar({', '.join(sorted(unknown))}=...)")
    return Rectangle(xy, w, h, facecolor=face_c, edgecolor=kw.get("edgecolor", DEFAULT_PATCH_EDGE),
                     hatch=kw.get("hatch"), linewidth=kw.get("linewidth", 1.0),
                     linestyle=kw.get("linestyle", "solid"), hatchcolor=kw.get("hatchcolor"))
