"""Runs every Gherkin scenario in features/ against the real rule files and engine."""

from pytest_bdd import scenarios

scenarios(".")
