"""Text from outside — folder and file names, submitted values, error messages quoting them — made
safe to store (SQLite and PostgreSQL alike), to write as UTF-8 (JSON reports, batch-summary.json)
and to print, the same way everywhere:

- a NUL character (PostgreSQL's text refuses it; a C library cuts the string there) is written
  "[U+0000]";
- a name that is not UTF-8 arrives from the file system as surrogate escapes (os.fsdecode: byte
  0xd1 becomes U+DCD1), which cannot be encoded at all. Each run of such bytes is decoded as
  GB18030 (GBK's superset: what unzip leaves of a name made on Chinese Windows) when the whole run
  decodes cleanly and gives Chinese characters, so b"\\xd1\\xee\\xc6\\xd6-school" is shown
  "杨浦-school"; any other run is written byte by byte as "\\xd1" (Python's backslashreplace);
- any other lone surrogate (from JSON "\\ud800" or the like) is written "[U+D800]".

Other text is left as it is (control characters are the terminal's and the documents' concern:
report/labels.visible_controls). The shown form is for people: a folder whose name was decoded is
found on disk under its original bytes (`os.fsencode` of the path the batch was given).
"""

from __future__ import annotations

import math
import re

NUL_SHOWN = "[U+0000]"
_ESCAPED = re.compile("[\udc80-\udcff]+")          # os.fsdecode's escapes of undecodable bytes
_SURROGATE = re.compile("[\ud800-\udfff]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _unescaped(match: re.Match) -> str:
    raw = bytes(ord(c) - 0xDC00 for c in match.group())
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _CJK.search(text) and not _SURROGATE.search(text):
        return text
    return "".join(f"\\x{b:02x}" for b in raw)


def safe_text(text: str) -> str:
    """`text` as it is stored and shown (see the module's docstring); unchanged when it is plain."""
    if "\x00" in text:
        text = text.replace("\x00", NUL_SHOWN)
    if _SURROGATE.search(text):
        text = _ESCAPED.sub(_unescaped, text)
        text = _SURROGATE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
    return text


def safe_value(value):
    """`value` with every string in it made safe (dicts, lists and tuples walked), and a float that
    is not finite made None (SQLite stores NaN as NULL, PostgreSQL as 'NaN'; JSON has neither)."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {safe_value(k) if isinstance(k, str) else k: safe_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(safe_value(v) for v in value)
    return value
