"""Read stage: submission.yaml and IFC models -> records with provenance."""
