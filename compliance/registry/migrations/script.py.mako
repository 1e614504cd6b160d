"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

A registry revision (docs/registry.md, *Schema revisions*): revision ids are numbered 0001,
0002 ... in order, one line of history; a registry at this revision has schema ${int(up_revision)}
in registry_info. Change tables.py in the same commit; tests/test_registry_migrations.py checks
that a registry upgraded to the head matches it, on SQLite and PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
