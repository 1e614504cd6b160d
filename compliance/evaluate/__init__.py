"""Evaluate stage: rules + facts -> frozen results, through the durable-rules engine."""
