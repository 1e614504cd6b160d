"""Alembic's environment for the registry. Run only through compliance/registry/connect.py
(`create_schema`, `compliance registry upgrade | revision`): the connection is handed over in
`config.attributes["connection"]`, already inside the transaction that holds the schema lock,
so every revision runs in it and commits with it. There is no alembic.ini."""

from alembic import context

from compliance.registry.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("the registry's migrations run through `compliance registry upgrade` "
                       "(compliance/registry/connect.py), not the alembic command")

context.configure(
    connection=connection,
    target_metadata=metadata,      # what `compliance registry revision --autogenerate` compares with
    render_as_batch=True,          # SQLite changes a column by copying its table: revisions use batch_alter_table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
