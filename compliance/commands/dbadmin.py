"""`compliance registry upgrade | revision`: the registry's database schema (Alembic migrations,
compliance/registry/migrations; docs/registry.md, *Schema revisions*)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .batch import db_option
from .common import debug_option, fail, guarded, shown_url


@click.group("registry")
def registry_group() -> None:
    """The registry's schema: bring a registry to this checker's revision, or write a new migration."""


@registry_group.command("upgrade")
@db_option
@debug_option
def upgrade(db, debug: bool) -> None:
    """Bring the registry to the newest schema revision this checker knows, and say what was done.

    Every command does this when it opens a registry; run it to choose the moment (before
    starting the web app on a new release, say). A registry made before migrations is upgraded in
    place, its rows kept; an empty PostgreSQL database gets every table.

    \b
    Examples:
      compliance registry upgrade --db compliance-registry.sqlite
      compliance registry upgrade --db postgresql+psycopg://office@dbhost/registry
    """
    def run():
        from compliance.registry.connect import known_revisions, schema_number
        from compliance.registry.store import Registry

        registry = Registry(db, create=False)
        state, where = registry.schema, shown_url(registry.url)
        registry.close()
        after = f"revision {state.after} (schema {schema_number(state.after)})"
        if not state.changed:
            click.echo(f"{where}: at {after}, the newest this checker knows; nothing to do")
            return 0
        revisions = known_revisions()
        order = list(revisions)
        done = order[order.index(state.before) + 1 if state.before in order else 0:order.index(state.after) + 1]
        if state.made_before_migrations:
            click.echo(f"{where}: made before migrations (schema 1); upgraded in place to {after}, every row kept")
        elif state.before is None:
            click.echo(f"{where}: a new registry; created at {after}")
        else:
            click.echo(f"{where}: upgraded from revision {state.before} to {after}")
        for revision in done:
            click.echo(f"  {revision}  {revisions[revision]}")
        return 0

    sys.exit(guarded(debug, run))


@registry_group.command("revision")
@click.option("-m", "--message", required=True, help="What the revision changes, e.g. 'checks: a priority column'.")
@click.option("--autogenerate", is_flag=True,
              help="Write the operations from the difference between tables.py and a registry at the newest "
                   "revision (a temporary SQLite one); read and correct them before committing.")
@click.option("--migrations", "folder", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The migrations folder (default: the checker's own, compliance/registry/migrations).")
@debug_option
def revision(message: str, autogenerate: bool, folder: Path | None, debug: bool) -> None:
    """Write the next schema revision (for the checker's developers), numbered after the newest.

    \b
    Examples:
      compliance registry revision -m "checks: a priority column" --autogenerate
    """
    def run():
        from compliance.registry.connect import MIGRATIONS, head_revision

        migrations = (folder or MIGRATIONS).resolve()
        if not (migrations / "env.py").is_file() or not (migrations / "versions").is_dir():
            fail(f"{migrations} is not a migrations folder (no env.py and versions/)",
                 "pass --migrations with a copy of compliance/registry/migrations, or leave it out")
        rev_id = f"{int(head_revision(migrations)) + 1:04d}"
        script = _write_revision(migrations, message, rev_id, autogenerate)
        path = Path(script.path)
        click.echo(f"wrote {path}: revision {rev_id} after {script.down_revision}")
        if autogenerate and "pass" == _body(path):
            click.echo("  tables.py and the migrations agree: its upgrade() is empty", err=True)
        click.echo("  next: read it (rename, data moves and server defaults are not guessed well), make tables.py "
                   "match, and run tests/test_registry_migrations.py", err=True)
        return 0

    sys.exit(guarded(debug, run))


def _write_revision(migrations: Path, message: str, rev_id: str, autogenerate: bool):
    """alembic revision; with `autogenerate`, against a temporary SQLite registry at the head."""
    import tempfile

    from alembic import command

    from compliance.registry.connect import alembic_config, schema_transaction, upgrade

    if not autogenerate:
        return command.revision(alembic_config(migrations=migrations), message, rev_id=rev_id)
    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory(prefix="compliance-revision-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'head.sqlite'}"
        engine = create_engine(url)
        try:
            with schema_transaction(engine) as conn:
                upgrade(conn, url, migrations=migrations)
            with engine.connect() as conn:
                return command.revision(alembic_config(conn, migrations), message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()


def _body(path: Path) -> str:
    """The statements of a revision file's upgrade(), as text."""
    text = path.read_text(encoding="utf-8")
    body = text.split("def upgrade() -> None:", 1)[1].split("def downgrade", 1)[0]
    return "\n".join(line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith("#"))
