"""Rule set: rules/*.yaml (data only) -> validated Rule objects, with a content hash."""
