"""Per-run context: the caches and shared resources of one CLI invocation (or one worker).

Nothing is cached in module globals; a run creates one RunContext and passes it down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunContext:
    rules_dir: Path
    models: dict[tuple, Any] = field(default_factory=dict)    # (file name, sha256) -> ModelFacts
    rulesets: dict[Path, Any] = field(default_factory=dict)   # rules dir -> (RuleSet, CompiledRules)
    cores: int | None = None                                   # geometry processes (None: all cores)
