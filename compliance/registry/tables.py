"""The registry's tables. One row per check in `checks`; its files in `inputs`; its rule outcomes
in `results` (so history and diff need not parse the stored verdict); reviewers' sign-offs of a
check in `signoffs` (every one kept, the latest counts).

A table added here appears in an existing registry when it is next opened (`metadata.create_all`
creates the missing tables), so adding a table keeps SCHEMA_VERSION; changing a column does not."""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text)

SCHEMA_VERSION = 1
metadata = MetaData()

registry_info = Table(
    "registry_info", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(200), nullable=False),
)

checks = Table(
    "checks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),          # inputs + rules + as-of + tool
    Column("outcome", String(8), nullable=False),                     # "verdict" or "error"
    Column("submission_id", String(64), index=True),                  # None: metadata unreadable
    Column("folder", Text, nullable=False),
    Column("name", Text),
    Column("use", String(64)),
    Column("kind", String(16)),
    Column("zone", String(64)),
    Column("filed_on", Date),
    Column("as_of", Date),
    Column("verdict", String(16)),                                   # compliant / non_compliant / incomplete
    Column("exit_code", Integer, nullable=False),                     # 0 1 3, 2 = could not check
    Column("rules_version", String(40), nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("inputs_sha256", String(64), nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("duration_s", Float),
    Column("error_kind", String(32)),
    Column("error_message", Text),
    Column("error_file", Text),
    Column("error_line", Integer),
    Column("error_hint", Text),
    Column("verdict_json", Text),                                     # the JSON verdict, as `--format json` writes it
    Column("district_json", Text),                                    # the verdict's district figures
)
Index("ix_checks_submission_time", checks.c.submission_id, checks.c.checked_at)

inputs = Table(
    "inputs", metadata,
    Column("check_id", Integer, ForeignKey("checks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
)

results = Table(
    "results", metadata,
    Column("check_id", Integer, ForeignKey("checks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("rule", String(32), nullable=False),
    Column("rule_version", String(48), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("blocks", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("measured", Float),
    Column("threshold", Float),
    Column("unit", String(16)),
    Column("message", Text),
    Column("message_zh", Text),
)

signoffs = Table(
    "signoffs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),        # the order they were stored in
    Column("check_id", Integer, ForeignKey("checks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("submission_id", String(64), nullable=False, index=True),   # the check's, for look-ups by submission
    Column("reviewer", String(100), nullable=False),
    Column("decision", String(16), nullable=False),                      # approved / rejected / revise
    Column("comment", Text, nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),        # UTC
)
