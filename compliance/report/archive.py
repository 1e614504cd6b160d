"""Zip archives (xlsx, BCF) with fixed entry times: the same verdict gives the same bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone


def restamp_zip(data: bytes, when: datetime) -> bytes:
    """Re-pack `data` with every entry stamped `when` (UTC; zipfile and the libraries stamp the
    wall clock). Zip times have 2-second resolution and a 1980–2107 range."""
    when = when.astimezone(timezone.utc) if when.tzinfo else when
    stamp = (min(max(when.year, 1980), 2107), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.create_system = 0                 # no Unix mode bits
            is_dir = info.filename.endswith("/")
            entry.external_attr = 0x10 if is_dir else 0
            entry.compress_type = zipfile.ZIP_STORED if is_dir else zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info))
    return out.getvalue()
