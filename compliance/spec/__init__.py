"""Executable rule specifications: Gherkin scenarios (features/*.feature) run against the real
rule files and engine.

`steps.py` is the step library (generic steps only; no Python per rule) and is a pytest plugin;
`runner.py` runs feature files in-process (`run_scenarios`), for `compliance rules test` and
the test suite. pytest and pytest-bdd are needed only when scenarios are run.
"""

from __future__ import annotations

__all__ = ["ScenarioOutcome", "run_scenarios"]


def __getattr__(name: str):
    if name in __all__:
        from . import runner

        return getattr(runner, name)
    raise AttributeError(name)
