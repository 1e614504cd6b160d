"""Per-run context: the caches and shared resources of one CLI invocation (or one worker).

Nothing is cached in module globals; a run creates one RunContext and passes it down.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_cache_dir() -> Path | None:
    """Where results worth keeping between runs go (geometry by model SHA-256):
    `$COMPLIANCE_CACHE` (`off` disables it), else `$XDG_CACHE_HOME/yangpu-compliance`, else
    `~/.cache/yangpu-compliance`."""
    value = os.environ.get("COMPLIANCE_CACHE")
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "no", "false") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "yangpu-compliance"


@dataclass
class RunContext:
    rules_dir: Path
    models: dict[tuple, Any] = field(default_factory=dict)    # (file name, sha256) -> ModelFacts
    rulesets: dict[Path, Any] = field(default_factory=dict)   # rules dir -> (RuleSet, CompiledRules)
    conventions: dict[Path, Any] = field(default_factory=dict)  # rules dir -> read.conventions.Conventions
    cores: int | None = None                                   # geometry processes (None: all cores)
    hashes: dict[tuple, str] = field(default_factory=dict)     # (path, size, mtime) -> sha256
    cache_dir: Path | None = field(default_factory=default_cache_dir)  # geometry results on disk
    limits: Any = None                                         # limits.Limits (None: the defaults)
    progress: Any = None                                       # callable(step, done, total) or None
    facts: Any = None                                          # registry.facts: StoredFacts / CollectedFacts (None: none)

    def step(self, text: str, done: int = 0, total: int = 0) -> None:
        """Tell whoever watches this run (the web app's progress bar) what it is doing now."""
        if self.progress is not None:
            self.progress(text, done, total)

    def sha256(self, path: Path) -> str:
        """A file's SHA-256, computed once per run (a batch hashes the inputs for the check's key,
        then reads the same models)."""
        st = os.stat(path)
        key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
        if key not in self.hashes:
            self.hashes[key] = file_sha256(Path(path))
        return self.hashes[key]
