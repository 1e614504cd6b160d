"""Derive stage: records -> metrics with provenance (value, unit, basis, evidence, certainty)."""
