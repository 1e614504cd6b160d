"""The baseline: every table of the registry as of issue 22 (schema 1).

Revision ID: 0001
Revises:
Create Date: 2026-12-06

A new registry gets every table. A registry made before migrations (its tables made by
`metadata.create_all`, registry_info's schema "1", no alembic_version) is upgraded in place: the
tables it lacks (those added after it was made, e.g. model_facts and input_texts) are created,
those it has are kept with their rows. A kept table must have every column below (a column it has
beyond them, such as the users.sso_subject of a development version, is left alone).

This file is the schema of revision 0001 written out, not an import of tables.py: tables.py moves
on, a revision does not. tests/test_registry_migrations.py checks that the head matches tables.py.
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> list[tuple[str, list]]:
    """(table, its columns and constraints), parents before the tables that refer to them."""
    from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text

    utc = DateTime(timezone=True)
    return [
        ("registry_info", [
            Column("name", String(32), primary_key=True),
            Column("value", String(200), nullable=False),
        ]),
        ("checks", [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("key", String(64), nullable=False, unique=True),
            Column("outcome", String(8), nullable=False),
            Column("submission_id", String(64), index=True),
            Column("folder", Text, nullable=False),
            Column("name", Text),
            Column("use", String(64)),
            Column("kind", String(16)),
            Column("zone", String(64)),
            Column("filed_on", Date),
            Column("as_of", Date),
            Column("verdict", String(16)),
            Column("exit_code", Integer, nullable=False),
            Column("rules_version", String(40), nullable=False),
            Column("tool_version", String(32), nullable=False),
            Column("inputs_sha256", String(64), nullable=False),
            Column("checked_at", utc, nullable=False),
            Column("duration_s", Float),
            Column("error_kind", String(32)),
            Column("error_message", Text),
            Column("error_file", Text),
            Column("error_line", Integer),
            Column("error_hint", Text),
            Column("verdict_json", Text),
            Column("district_json", Text),
            sa.Index("ix_checks_submission_time", "submission_id", "checked_at"),
        ]),
        ("inputs", [
            Column("check_id", Integer, ForeignKey("checks.id", ondelete="CASCADE"), nullable=False, index=True),
            Column("role", String(16), nullable=False),
            Column("file", Text, nullable=False),
            Column("sha256", String(64), nullable=False),
            Column("size_bytes", Integer, nullable=False),
        ]),
        ("results", [
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
        ]),
        ("signoffs", [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("check_id", Integer, ForeignKey("checks.id", ondelete="CASCADE"), nullable=False, index=True),
            Column("submission_id", String(64), nullable=False, index=True),
            Column("reviewer", String(100), nullable=False),
            Column("decision", String(16), nullable=False),
            Column("comment", Text, nullable=False),
            Column("signed_at", utc, nullable=False),
        ]),
        ("organisations", [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("name", String(200), nullable=False, unique=True),
            Column("kind", String(16), nullable=False),
            Column("created_at", utc, nullable=False),
        ]),
        ("users", [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("username", String(64), nullable=False, unique=True),
            Column("display_name", String(100), nullable=False),
            Column("title", String(100), nullable=False),
            Column("role", String(16), nullable=False),
            Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=True),
            Column("password_hash", Text, nullable=False),
            Column("active", Boolean, nullable=False),
            Column("created_at", utc, nullable=False),
            Column("session_epoch", Integer, nullable=False),
        ]),
        ("check_owners", [
            Column("check_id", Integer, ForeignKey("checks.id", ondelete="CASCADE"), primary_key=True),
            Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False, index=True),
            Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
            Column("uploaded_at", utc, nullable=False),
            Column("upload_bytes", Integer, nullable=False),
            Column("filed_at", utc, nullable=True),
            Column("filed_by", Integer, ForeignKey("users.id"), nullable=True),
        ]),
        ("submission_owners", [
            Column("submission_id", String(64), primary_key=True),
            Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
            Column("first_check_id", Integer, nullable=False),
            Column("filed_at", utc, nullable=False),
        ]),
        ("signoff_signers", [
            Column("signoff_id", Integer, ForeignKey("signoffs.id", ondelete="CASCADE"), primary_key=True),
            Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
            Column("username", String(64), nullable=False),
            Column("title", String(100), nullable=False),
        ]),
        ("audit_log", [
            Column("id", Integer, primary_key=True, autoincrement=False),
            Column("at", utc, nullable=False),
            Column("actor", String(100), nullable=False),
            Column("action", String(32), nullable=False, index=True),
            Column("subject", String(200), nullable=False),
            Column("detail", Text, nullable=False),
            Column("address", String(64), nullable=False),
            Column("prev_hash", String(64), nullable=False),
            Column("hash", String(64), nullable=False),
        ]),
        ("rule_publications", [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("version", String(40), nullable=False, unique=True),
            Column("effective_from", Date, nullable=False),
            Column("rules_sha256", String(64), nullable=False),
            Column("folder", Text, nullable=False),
            Column("published_by", String(100), nullable=False),
            Column("published_at", utc, nullable=False),
            Column("note", Text, nullable=False),
        ]),
        ("web_jobs", [
            Column("id", String(32), primary_key=True),
            Column("owner", String(200), nullable=False),
            Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
            Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=True),
            Column("created_at", utc, nullable=False),
            Column("heartbeat_at", utc, nullable=False),
            Column("finished", Boolean, nullable=False),
        ]),
        ("model_facts", [
            Column("sha256", String(64), primary_key=True),
            Column("reader", String(64), primary_key=True),
            Column("file", String(255), primary_key=True),
            Column("size_bytes", Integer, nullable=False),
            Column("facts", LargeBinary, nullable=False),
            Column("stored_at", utc, nullable=False),
        ]),
        ("input_texts", [
            Column("sha256", String(64), primary_key=True),
            Column("content", LargeBinary, nullable=False),
        ]),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    present = set(inspector.get_table_names())
    for name, items in _tables():
        if name not in present:
            op.create_table(name, *items)       # with its indexes (index=True, sa.Index)
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        lacking = [c.name for c in items if isinstance(c, sa.Column) and c.name not in have]
        if lacking:
            from compliance.registry.store import RegistryError

            raise RegistryError(f"this registry's table {name} lacks the column(s) {', '.join(lacking)}, so it "
                                "cannot be upgraded to schema revision 0001; nothing was changed",
                                hint="open it with the checker that made it, or start a new registry")


def downgrade() -> None:
    for name, _items in reversed(_tables()):
        op.drop_table(name)
