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
    max_upload_mb: float = 512          # one request: the zip, or submission.yaml + IFC files
    max_files: int = 200                # entries in a zip / files in one upload
    limits: Limits = field(default_factory=Limits)   # per model size and per check time, as the CLI's
    workers: int = 2                    # checks running at once (each in its own process)
    scheduler: Optional[str] = None     # a Dask scheduler's address: checks run on its cluster (web/jobs.py)
    lang: str = "both"                  # the reports' language
    allowed_hosts: tuple[str, ...] = () # Host headers accepted (DNS rebinding); empty: any
    proxies: int = 0                    # reverse proxies in front (X-Forwarded-For/Proto/Host/Port/Prefix trusted)
    secure_cookies: bool = False        # cookies only over HTTPS (behind an HTTPS proxy)
    secret_key: Optional[str] = None    # signs sessions; None: data_dir/secret_key, shared by the app's processes
    session_hours: float = 12           # a session ends after this long
    time_zone: str = "Asia/Shanghai"    # times are shown in the office's zone
    signing_p12: Optional[Path] = None  # the office's certificate and key (PKCS#12) that signs signed-off PDFs
    signing_passphrase: Optional[str] = None
    quota_mb_per_day: float = 2048      # uploads per organisation per day
    keep_days: int = 90                 # private self-checks' uploads are deleted after this (`compliance gc`)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * MB)
