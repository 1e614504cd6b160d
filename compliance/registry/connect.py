"""How the registry connects to its database and creates its tables (store.Registry calls these)."""

from __future__ import annotations


def engine_options(url: str) -> dict:
    """PostgreSQL sessions in UTC: times read back are the instants stored, shown as SQLite shows
    them, whatever the server's zone (a URL's own `options` are kept)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and "options" not in parsed.query:
        return {"connect_args": {"options": "-c timezone=UTC"}}
    return {}


SCHEMA_LOCK = 0x636F6D706C79     # the PostgreSQL advisory lock taken while creating the tables


def create_schema(engine, url: str) -> None:
    """The missing tables and the schema row. Several processes may open the same new registry at
    once (two app processes starting, a batch beside the app): on PostgreSQL they take turns under
    an advisory lock; on SQLite a process that finds a table made between its look and its CREATE
    looks again."""
    import time

    from sqlalchemy import select, text
    from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

    from .store import RegistryError, shown_url
    from .tables import metadata, registry_info, SCHEMA_VERSION

    for attempt in range(20):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                metadata.create_all(conn)
                found = conn.execute(select(registry_info.c.value).where(registry_info.c.name == "schema")).first()
                if found is None:
                    conn.execute(registry_info.insert().values(name="schema", value=str(SCHEMA_VERSION)))
                elif found.value != str(SCHEMA_VERSION):
                    raise RegistryError(f"registry schema {found.value}, this tool writes schema {SCHEMA_VERSION}",
                                        file=shown_url(url), hint="use a registry made by this version")
            return
        except (IntegrityError, OperationalError, ProgrammingError) as exc:
            raced = isinstance(exc, IntegrityError) or any(
                words in str(exc.orig).lower() for words in ("already exists", "duplicate", "locked"))
            if not raced or attempt == 19:
                raise
            time.sleep(0.05 * (attempt + 1))

