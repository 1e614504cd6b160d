"""Runs every Gherkin scenario of features/*.feature against the real rule files and engine.

The steps come from compliance.spec.steps (loaded through tests/steps/rule_steps.py). Only the
theme files at the top of features/ are bound here; features/examples/ is not part of the rule
specification.
"""

from pathlib import Path

from pytest_bdd import scenarios

FEATURES = Path(__file__).resolve().parents[1] / "features"

scenarios(*sorted(str(p) for p in FEATURES.glob("*.feature")))
