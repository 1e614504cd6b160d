"""The fonts the charts draw with: a CJK font for Chinese labels (found once per process), else
English in the DejaVu Sans that ships with matplotlib. See the package docstring."""

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
    """A font file with the Chinese glyphs the charts draw, or None (then charts use English)."""
    import glob
    import os

    seen = _fc_match()
    try:
        from matplotlib import font_manager

        seen += [f.fname for f in font_manager.fontManager.ttflist if f.name in CJK_FAMILIES]
    except Exception:                                     # a broken font cache is no reason to fail
        pass
    for folder in FONT_DIRS:
        for name in CJK_FILES:
            seen += sorted(glob.glob(os.path.join(os.path.expanduser(folder), "**", name), recursive=True))
    for path in dict.fromkeys(seen):
        if _has_glyphs(path):
            return path
    return None


def _fc_match() -> list[str]:
    """The files fontconfig names for the CJK families (none without fontconfig)."""
    import shutil
    import subprocess

    seen: list[str] = []
    if shutil.which("fc-match"):
        for family in CJK_FAMILIES:
            try:
                out = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True,
                                     timeout=10, check=False).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                break
            if out:
                seen.append(out)
    return seen


def _has_glyphs(path: str) -> bool:
    import os

    if not os.path.isfile(path):
        return False
    try:
        from matplotlib.font_manager import get_font

        font = get_font(path)
        return all(font.get_char_index(ord(ch)) for ch in PROBE)
    except Exception:
        return False


@lru_cache(maxsize=None)
def font_for(lang: str) -> tuple[str, str]:
    """(the language actually drawn, the font file): Chinese needs the CJK font, else English."""
    import os

    import matplotlib

    from . import cjk_font_file as find_cjk    # through the package, so that replacing it there counts

    dejavu = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
    if lang == "en":
        return "en", dejavu
    cjk = find_cjk()
    return (lang, cjk) if cjk else ("en", dejavu)
