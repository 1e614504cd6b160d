"""`compliance schema [NAME]`: the JSON documents the checker writes, their versions and their
JSON Schemas (compliance/report/versioning.py; docs/json.md)."""

from __future__ import annotations

import sys

import click

from .common import debug_option, fail, guarded, piped


@click.command("schema")
@click.argument("name", required=False, metavar="[NAME]")
@click.option("--write-docs", is_flag=True,
              help="Rewrite docs/schemas/*.schema.json and the table of documents in docs/json.md.")
@debug_option
def schema(name: str | None, write_docs: bool, debug: bool) -> None:
    """The JSON Schema of a document the checker writes (NAME), or the list of them with their versions.

    \b
    Examples:
      compliance schema                      # every document: name, schema_version, who writes it
      compliance schema verdict > verdict.schema.json
    """
    from compliance.report.versioning import CONTRACTS

    if name is not None and name not in CONTRACTS:
        fail(f"no JSON document named '{name}'", f"choose from {', '.join(CONTRACTS)}", kind="usage error")

    def run():
        from compliance.report import schema_docs

        if write_docs:
            if not schema_docs.JSON_DOC.is_file():
                fail(f"{schema_docs.JSON_DOC}: not found: --write-docs rewrites the checker's own documentation",
                     "run it from a checkout of the checker's repository (an installed checker has no docs/)")
            changed = schema_docs.write_docs()
            for path in changed:
                click.echo(f"{path}: updated")
            click.echo(f"{len(changed)} file(s) updated" if changed else "docs/schemas and docs/json.md: up to date")
        elif name is not None:
            click.echo(schema_docs.schema_text(name), nl=False)
        else:
            for c in CONTRACTS.values():
                click.echo(f"{c.name:<16} {c.version:<6} {c.uri}\n{'':<24}{c.written_by}")
        return 0

    sys.exit(guarded(debug, piped(run)))
