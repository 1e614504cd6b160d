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
    models: dict[str, Any] = field(default_factory=dict)      # sha256 -> ModelFacts
    rulesets: dict[Path, Any] = field(default_factory=dict)   # rules dir -> RuleSet

    def model_cache_get(self, sha256: str):
        return self.models.get(sha256)

    def model_cache_put(self, sha256: str, facts) -> None:
        self.models[sha256] = facts
