"""The fonts the charts draw with: a CJK font for Chinese labels (found once per process), else
English in the DejaVu Sans that ships with matplotlib. See the package docstring.

Neither needs matplotlib imported: DejaVu Sans is found in matplotlib's data folder through the
import system's spec, a CJK font's glyphs are checked with fontTools (`glyphs.face`), and the
candidates are tried in order, so fontconfig is asked about one family, not all five, when the
first one answers."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

CJK_FAMILIES = ("WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
                "Source Han Sans CN")
CJK_FILES = ("wqy-zenhei.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
             "SourceHanSansSC-Regular.otf")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
PROBE = "屋面光伏面积充电桩绿色建筑星级实测要求缺"   # glyphs a Chinese chart needs


@lru_cache(maxsize=None)
def cjk_font_file() -> Optional[str]:
    """A font file with the Chinese glyphs the charts draw, or None (then charts use English):
    the first of fontconfig's answers for CJK_FAMILIES, matplotlib's font list, the usual folders."""
    seen: set = set()
    for path in _candidates():
        if path not in seen:
            seen.add(path)
            if _has_glyphs(path):
                return path
    return None


def _candidates():
    import glob
    import os

    yield from _fc_match()
    try:
        from matplotlib import font_manager  # only when fontconfig found no CJK font

        yield from [f.fname for f in font_manager.fontManager.ttflist if f.name in CJK_FAMILIES]
    except Exception:                                     # a broken font cache is no reason to fail
        pass
    for folder in FONT_DIRS:
        for name in CJK_FILES:
            yield from sorted(glob.glob(os.path.join(os.path.expanduser(folder), "**", name), recursive=True))


def _fc_match():
    """The files fontconfig names for the CJK families, one family at a time (none without fontconfig)."""
    import shutil
    import subprocess

    if shutil.which("fc-match"):
        for family in CJK_FAMILIES:
            try:
                out = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True,
                                     timeout=10, check=False).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                return
            if out:
                yield out


def _has_glyphs(path: str) -> bool:
    import os

    if not os.path.isfile(path):
        return False
    try:
        from .glyphs import face

        cmap = face(path).cmap
        return all(ord(ch) in cmap for ch in PROBE)
    except Exception:
        return False


def dejavu_sans() -> str:
    """matplotlib's DejaVuSans.ttf, found without importing matplotlib."""
    import os
    from importlib.util import find_spec

    spec = find_spec("matplotlib")
    folder = spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else ""
    path = os.path.join(folder, "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")
    if not os.path.isfile(path):                          # an unusual install: ask matplotlib
        import matplotlib

        path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
    return path


@lru_cache(maxsize=None)
def font_for(lang: str) -> tuple[str, str]:
    """(the language actually drawn, the font file): Chinese needs the CJK font, else English."""
    from . import cjk_font_file as find_cjk  # through the package, so that replacing it there counts

    dejavu = dejavu_sans()
    if lang == "en":
        return "en", dejavu
    cjk = find_cjk()
    return (lang, cjk) if cjk else ("en", dejavu)
