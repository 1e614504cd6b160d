"""Text as outlines for the charts, read from the font file with fontTools (which WeasyPrint has
already imported): the glyphs, their positions and extents as matplotlib would lay them out, so a
chart drawn by `svgfig` looks as one drawn by matplotlib, without importing matplotlib.

matplotlib lays a string out at 100 px (`TextToPath.FONT_SCALE`) in FreeType's 26.6 fixed point
and scales it to the font size; so do we, in the same units (`UNITS` per em): glyph advances and
outline points rounded to 1/64 px, positions shaped as HarfBuzz shapes them for these fonts
(standard ligatures and pair kerning from GSUB/GPOS where the font has them: DejaVu Sans; the CJK
fonts have neither), extents as FreeType's `set_text` measures them (the glyphs' control boxes,
legacy `kern` pairs). tests/test_report_charts.py checks the result
against matplotlib's own layout for every string the sample charts draw.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

UNITS = 6400               # 26.6 units per em at 100 px
PX = 64                    # 26.6 units per pixel
HINTING = 8                # matplotlib's text.hinting_factor: FreeType lays text out 8× wider in x
LIGATURE_FEATURES = ("ccmp", "liga", "clig", "rlig")


@lru_cache(maxsize=None)
def face(path: str) -> "Face":
    return Face(path)


class Face:
    """One font file (the first face of a collection): what the charts need is read when the face is
    made, then the file is closed — a process that forks (the batch's zygote) must not leave its
    children one shared file offset to seek and read concurrently."""

    def __init__(self, path: str) -> None:
        from fontTools.ttLib import TTFont

        self.path = path
        self.font = TTFont(path, fontNumber=0, lazy=True)
        self.glyf = _RawGlyf(self.font) if "glyf" in self.font else None
        if self.glyf is not None:
            # glyph ids as names, advances read where needed: decoding 'post', 'hmtx' and 'glyf' whole for
            # a CJK font's 20,000 glyphs costs 0.2 s per process
            self.font.setGlyphOrder([_RawGlyf.getGlyphName(i) for i in range(self.font["maxp"].numGlyphs)])
            self.advance = _raw_advances(self.font)
        else:                                                      # CFF outlines (Noto / Source Han .otf)
            metrics = self.font["hmtx"].metrics
            self.advance = lambda name: metrics[name][0]
        self.notdef = self.font.getGlyphOrder()[0]
        self.upem = self.font["head"].unitsPerEm
        self.cmap = self.font.getBestCmap()
        os2 = self.font["OS/2"]
        self.typo = (os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap)
        self.family = self.font["name"].getDebugName(1) or path
        self._outlines: dict = {}
        self._shaping = (_ligature_table(self.font), _pair_lookups(self.font))
        self._legacy = _legacy_kern(self.font)
        self._glyphset = self.font.getGlyphSet() if self.glyf is None else None
        self.font.close()

    def units(self, value: float) -> int:
        """Font units as 26.6 units at 100 px, rounded half away from zero as FreeType's FT_MulFix."""
        return _away(value * UNITS / self.upem)

    def glyphs(self, text: str) -> list[str]:
        names = []
        for ch in text:
            name = self.cmap.get(ord(ch))
            if name is None:
                warnings.warn(f"Glyph {ord(ch)} ({ch!r}) missing from font(s) {self.family}.", stacklevel=3)
                name = self.notdef
            names.append(name)
        return names

    # ------------------------------------------------------------------ layout

    def layout(self, text: str) -> list[tuple[str, int]]:
        """(glyph, pen x in 26.6 units) per glyph drawn, as matplotlib's raqm layout places them."""
        ligatures, pairs = self.shaping()
        names = _ligate(self.glyphs(text), ligatures) if ligatures else self.glyphs(text)
        placed, x = [], 0
        for i, name in enumerate(names):
            placed.append((name, x))
            kern = _pair(pairs, name, names[i + 1]) if pairs and i + 1 < len(names) else 0
            x += _half_up(self.advance(name) * UNITS / self.upem) + _half_up(kern * UNITS / self.upem)
        return placed

    def extents(self, text: str) -> tuple[float, float, float]:
        """(width, height, descent) in 26.6 units as FreeType's set_text measures `text`: the width is
        the advance (legacy `kern` pairs), height and descent come from the
        glyphs' control boxes (an empty glyph counts as the point (0, 0))."""
        kern = self.legacy_kern()
        names = self.glyphs(text)
        low, high, pen = 32000, -32000, 0
        for i, name in enumerate(names):
            if kern and i:
                pen += self.units(kern.get((names[i - 1], name), 0))
            box = self.control_box(name)
            low, high = (min(low, 0), max(high, 0)) if box is None else (min(low, box[1]), max(high, box[3]))
            pen += _away(_away(self.advance(name) * UNITS * HINTING / self.upem) / HINTING)
        if low > high:
            low = high = 0
        return pen, high - low, -low

    def shaping(self):
        return self._shaping

    def legacy_kern(self) -> dict:
        return self._legacy

    # ------------------------------------------------------------------ outlines

    def control_box(self, name: str):
        """The glyph's control box in 26.6 units (None for an empty glyph)."""
        points = self.outline(name)[1]
        if not points:
            return None
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    def outline(self, name: str):
        """(commands, points) of a glyph in 26.6 units: commands are ("M", p), ("L", p), ("Q", c, p)
        and ("Z",), decomposed as FreeType decomposes a TrueType outline."""
        got = self._outlines.get(name)
        if got is None:
            got = self._outlines[name] = self._decompose(name)
        return got

    def _decompose(self, name: str):
        if self.glyf is None:
            return self._decompose_cff(name)
        glyph = self.glyf[name]
        if glyph.numberOfContours == 0:
            return (), ()
        coords, ends, flags = glyph.getCoordinates(self.glyf)
        points = [(self.units(x), self.units(y)) for x, y in coords]
        commands = []
        start = 0
        for end in ends:
            contour = points[start:end + 1]
            on = [bool(f & 1) for f in flags[start:end + 1]]
            start = end + 1
            commands += _contour(contour, on)
        return tuple(commands), tuple(points)

    def _decompose_cff(self, name: str):
        """A CFF glyph: FreeType hands its cubic curves on as they are."""
        from fontTools.pens.recordingPen import RecordingPen

        pen = RecordingPen()
        assert self._glyphset is not None        # a font without a glyf table: its glyphs are CFF
        self._glyphset[name].draw(pen)
        ops = {"moveTo": "M", "lineTo": "L", "curveTo": "C", "qCurveTo": "Q"}
        commands: list[tuple] = []
        points: list[tuple[int, int]] = []
        for op, args in pen.value:
            if op in ("closePath", "endPath"):
                commands.append(("Z",))
                continue
            pts = [(self.units(x), self.units(y)) for x, y in args]
            points += pts
            commands.append((ops[op], *pts))
        return tuple(commands), tuple(points)


class _RawGlyf:
    """The glyf table read one glyph at a time through loca (fontTools decodes all of them at once);
    the little of fontTools' glyf table interface its Glyph needs for composites."""

    extended = False

    def __init__(self, font) -> None:
        import array
        import sys

        loca = array.array("H" if font["head"].indexToLocFormat == 0 else "I", font.reader["loca"])
        if sys.byteorder == "little":
            loca.byteswap()
        self.scale = 2 if loca.typecode == "H" else 1
        self.loca, self.data = loca, font.reader["glyf"]
        self.cache: dict[str, object] = {}        # name -> fontTools Glyph

    @staticmethod
    def getGlyphName(gid: int) -> str:
        return f"glyph{gid:05d}"

    def __getitem__(self, name: str):
        glyph = self.cache.get(name)
        if glyph is None:
            from fontTools.ttLib.tables._g_l_y_f import Glyph

            gid = int(name[5:])
            glyph = Glyph(self.data[self.loca[gid] * self.scale:self.loca[gid + 1] * self.scale])
            glyph.expand(self)
            self.cache[name] = glyph
        return glyph


def _raw_advances(font):
    """name -> advance width, read from the raw hmtx table."""
    import struct

    data, count = font.reader["hmtx"], font["hhea"].numberOfHMetrics

    def advance(name: str) -> int:
        return struct.unpack_from(">H", data, 4 * min(int(name[5:]), count - 1))[0]

    return advance


def _contour(pts: list, on: list) -> list:
    n = len(pts)
    if n == 0:
        return []
    if on[0]:
        first, order = pts[0], list(range(1, n))
    elif on[-1]:
        first, order = pts[-1], list(range(0, n - 1))
    else:
        first, order = _mid(pts[-1], pts[0]), list(range(0, n))
    out: list[tuple] = [("M", first)]
    control = None
    for i in order:
        p = pts[i]
        if on[i]:
            out.append(("L", p) if control is None else ("Q", control, p))
            control = None
        else:
            if control is not None:
                out.append(("Q", control, _mid(control, p)))
            control = p
    out.append(("L", first) if control is None else ("Q", control, first))
    out.append(("Z",))
    return out


def _away(v: float) -> int:
    """FreeType's rounding (FT_MulFix): half away from zero."""
    return int(v + 0.5) if v >= 0 else -int(-v + 0.5)


def _half_up(v: float) -> int:
    """HarfBuzz's rounding of scaled positions."""
    import math

    return math.floor(v + 0.5)


def _mid(a, b):
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


# --------------------------------------------------------------------------- GSUB / GPOS, the little we need

def _feature_lookups(table, tags) -> list[int]:
    """The lookup indices of `tags` for the Latin script (else the default), default language."""
    if table is None or not table.ScriptList or not table.FeatureList:
        return []
    scripts = {r.ScriptTag: r.Script for r in table.ScriptList.ScriptRecord}
    script = scripts.get("latn") or scripts.get("DFLT")
    if script is None or script.DefaultLangSys is None:
        return []
    records = table.FeatureList.FeatureRecord
    found = []
    for index in script.DefaultLangSys.FeatureIndex:
        if records[index].FeatureTag in tags:
            found += records[index].Feature.LookupListIndex
    return sorted(set(found))


def _subtables(lookup, wanted: int, extension: int):
    for sub in lookup.SubTable:
        kind = lookup.LookupType
        if kind == extension:
            kind, sub = sub.ExtensionLookupType, sub.ExtSubTable
        if kind == wanted:
            yield sub


def _legacy_kern(font) -> dict:
    """(left, right) -> kerning from the legacy 'kern' table (format 0), which FreeType's set_text uses."""
    pairs: dict = {}
    if "kern" in font:
        for table in font["kern"].kernTables:
            if getattr(table, "format", 0) == 0:
                pairs.update(table.kernTable)
    return pairs


def _ligature_table(font) -> dict:
    """first glyph -> [(components after it, ligature glyph)] from the ligature lookups."""
    if "GSUB" not in font:
        return {}
    table = font["GSUB"].table
    ligatures: dict = {}
    for index in _feature_lookups(table, LIGATURE_FEATURES):
        lookup = table.LookupList.Lookup[index]
        for sub in _subtables(lookup, 4, 7):
            for first, ligs in sub.ligatures.items():
                ligatures.setdefault(first, []).extend((tuple(lig.Component), lig.LigGlyph) for lig in ligs)
    for first in ligatures:                         # the longest match first, as OpenType lists them
        ligatures[first].sort(key=lambda item: -len(item[0]))
    return ligatures


def _ligate(names: list[str], ligatures: dict) -> list[str]:
    out, i = [], 0
    while i < len(names):
        for rest, lig in ligatures.get(names[i], ()):
            if tuple(names[i + 1:i + 1 + len(rest)]) == rest:
                out.append(lig)
                i += 1 + len(rest)
                break
        else:
            out.append(names[i])
            i += 1
    return out


def _pair_lookups(font) -> list:
    """The kern feature's pair-positioning lookups, each a list of subtables."""
    if "GPOS" not in font:
        return []
    table = font["GPOS"].table
    lookups = [list(_subtables(table.LookupList.Lookup[index], 2, 9)) for index in _feature_lookups(table, ("kern",))]
    return [subs for subs in lookups if subs]


def _pair(lookups: list, left: str, right: str) -> int:
    """The x-advance adjustment of `left` before `right`: in each lookup, the first subtable that applies."""
    total = 0
    for subtables in lookups:
        for sub in subtables:
            value = _pair_value(sub, left, right)
            if value is not None:
                total += value
                break
    return total


def _pair_value(sub, left: str, right: str):
    """The subtable's adjustment (0 when it applies without one), None when it does not apply."""
    coverage = sub.Coverage.glyphs
    if left not in coverage:
        return None
    if sub.Format == 1:
        for rec in sub.PairSet[coverage.index(left)].PairValueRecord:
            if rec.SecondGlyph == right:
                return getattr(rec.Value1, "XAdvance", 0) or 0
        return None
    if sub.Format == 2:
        record = sub.Class1Record[sub.ClassDef1.classDefs.get(left, 0)]
        value = record.Class2Record[sub.ClassDef2.classDefs.get(right, 0)].Value1
        return (getattr(value, "XAdvance", 0) or 0) if value is not None else 0
    return None
