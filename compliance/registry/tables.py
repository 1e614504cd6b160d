"""The registry's tables. One row per check in `checks`; its files in `inputs`; its rule outcomes
in `results` (so history and diff need not parse the stored verdict); reviewers' sign-offs of a
check in `signoffs` (every one kept, the latest counts).

This is the schema the code reads and writes; the schema a registry *has* is made by the
migrations in compliance/registry/migrations/versions/ (Alembic), which every registry runs up to
the newest when it is opened (connect.create_schema). So a change here — a table, a column, an
index — comes with a new revision in the same commit: `compliance registry revision -m "what"
--autogenerate` writes it from the difference (docs/registry.md, *Schema revisions*), and
tests/test_registry_migrations.py fails while the head and this file differ. A revision's number
is the registry's schema version (registry_info's `schema` row, written by the upgrade)."""

from __future__ import annotations

from sqlalchemy import (
                        Boolean,
                        Column,
                        Date,
                        DateTime,
                        Float,
                        ForeignKey,
                        Index,
                        Integer,
                        LargeBinary,
                        MetaData,
                        String,
                        Table,
                        Text,
)

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

# -- the office service (issue 21): people, filings, the audit trail, published rule sets, web jobs --

organisations = Table(
    "organisations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),          # a design institute, an applicant, the office
    Column("kind", String(16), nullable=False),                         # design_institute / applicant / office
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),        # what one signs in with (lower case)
    Column("display_name", String(100), nullable=False),                # as printed on a sign-off
    Column("title", String(100), nullable=False, default=""),           # e.g. 审查员 / 高级工程师, printed beside it
    Column("role", String(16), nullable=False),                         # designer / reviewer / policy_editor / admin
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=True),   # designers: required
    Column("password_hash", Text, nullable=False),                      # argon2id
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("session_epoch", Integer, nullable=False, default=0),        # bumped to end every session of the user
)

check_owners = Table(
    "check_owners", metadata,
    # a check made through the web app by a designer: private to the organisation until filed.
    # A check with no row here was made by the office itself (`compliance batch` of filed submissions).
    Column("check_id", Integer, ForeignKey("checks.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("upload_bytes", Integer, nullable=False, default=0),
    Column("filed_at", DateTime(timezone=True), nullable=True),          # None: a private self-check
    Column("filed_by", Integer, ForeignKey("users.id"), nullable=True),
)

submission_owners = Table(
    "submission_owners", metadata,
    # a submission id belongs to the organisation that first filed it
    Column("submission_id", String(64), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("first_check_id", Integer, nullable=False),
    Column("filed_at", DateTime(timezone=True), nullable=False),
)

signoff_signers = Table(
    "signoff_signers", metadata,
    # the account a sign-off was made under (sign-offs made before accounts existed have none)
    Column("signoff_id", Integer, ForeignKey("signoffs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("username", String(64), nullable=False),
    Column("title", String(100), nullable=False, default=""),
)

audit_log = Table(
    "audit_log", metadata,
    # append-only, hash-chained: hash = sha256(prev_hash + the row's canonical JSON); see office/audit.py
    Column("id", Integer, primary_key=True, autoincrement=False),       # 1, 2, 3 ... with no gap
    Column("at", DateTime(timezone=True), nullable=False),               # UTC
    Column("actor", String(100), nullable=False),                       # username, or cli:<os user>, or system
    Column("action", String(32), nullable=False, index=True),
    Column("subject", String(200), nullable=False, default=""),         # check:12, submission:YP-..., rules:2026.1
    Column("detail", Text, nullable=False, default="{}"),               # canonical JSON
    Column("address", String(64), nullable=False, default=""),          # the client's address, for web actions
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

rule_publications = Table(
    "rule_publications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(40), nullable=False, unique=True),          # e.g. 2026.3
    Column("effective_from", Date, nullable=False),
    Column("rules_sha256", String(64), nullable=False),                  # the published folder's content hash
    Column("folder", Text, nullable=False),                              # where the published copy is kept
    Column("published_by", String(100), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

web_jobs = Table(
    "web_jobs", metadata,
    # a check the web app runs; several app processes share this table, so a job is "interrupted"
    # only when the process running it stopped beating, never because another process does not know it
    Column("id", String(32), primary_key=True),
    Column("owner", String(200), nullable=False),                        # host:pid of the app process running it
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
    Column("finished", Boolean, nullable=False, default=False),
)

# -- city scale (issue 22): what the reader extracted, kept so a rule change re-evaluates without re-reading --

model_facts = Table(
    "model_facts", metadata,
    # read.model.facts_of's output for one model file: JSON (ModelFacts), zlib-compressed. The reader's
    # identity (`reader`: read.model.reader_identity, the code and conventions that shape the facts) is
    # part of the key, so a changed reader never serves facts an older one extracted.
    Column("sha256", String(64), primary_key=True),                     # the model file's content
    Column("reader", String(64), primary_key=True),
    Column("file", String(255), primary_key=True),                      # the name every figure's provenance cites
    Column("size_bytes", Integer, nullable=False),
    Column("facts", LargeBinary, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

input_texts = Table(
    "input_texts", metadata,
    # a submission's metadata file (submission.yaml) by content hash: with model_facts, what a
    # re-check needs when the submission folder is gone or moved
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)
