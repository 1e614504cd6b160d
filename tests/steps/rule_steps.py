"""The rule-scenario steps live in `compliance.spec.steps` (so `compliance rules test` runs the
scenarios without the tests folder). tests/conftest.py loads this module as a plugin; loading
the package's step library from here makes its steps and fixtures visible to
tests/test_features.py."""

pytest_plugins = ["compliance.spec.steps", "compliance.spec.building_steps"]
