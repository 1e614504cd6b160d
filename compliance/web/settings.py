"""What one running web app is configured with (no module globals: the app carries its WebSettings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..limits import Limits

MB = 1024 * 1024


@dataclass(frozen=True)
class WebSettings:
    data_dir: Path                      # uploads, job folders and converted 3D views live here
    rules_dir: Path
    db: Optional[str] = None            # registry path or SQLAlchemy URL (None: the CLI's default)
    token: Optional[str] = None         # required on every request when set (listening beyond loopback)
    max_upload_mb: float = 512          # one request: the zip, or submission.yaml + IFC files
    max_files: int = 200                # entries in a zip / files in one upload
    limits: Limits = field(default_factory=Limits)   # per model size and per check time, as the CLI's
    workers: int = 2                    # checks running at once (each in its own process)
    lang: str = "both"                  # the reports' language
    allowed_hosts: tuple[str, ...] = () # Host headers accepted (DNS rebinding); empty: any

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * MB)
