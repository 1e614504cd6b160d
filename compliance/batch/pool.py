"""Replaced by batch/cluster.py (Dask distributed; issue 22). This name stays only until
compliance/batch/recheck.py imports `run_tasks` from `.cluster`; then delete this file."""

from .cluster import overdue_reason, run_tasks  # noqa: F401
