"""`compliance gc`: delete what the web app no longer needs to keep (office/retention.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .batch import db_option, open_registry
from .common import debug_option, fail, guarded


@click.command("gc")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The web app's data folder (`compliance serve --data-dir`).")
@db_option
@click.option("--keep-days", type=click.IntRange(min=1), default=90, show_default=True,
              help="Keep private self-checks' uploads, failed uploads and cached PDFs this many days.")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@debug_option
def gc(data_dir: Path, db, keep_days: int, dry_run: bool, debug: bool) -> None:
    """Delete the uploads of designers' self-checks never filed and older than --keep-days, the
    folders of failed uploads, old cached PDFs, and the 3D views no check on disk refers to.

    A filed check's files are never deleted, nor any registry row: the verdicts stay. Each run
    is one `gc` row in the audit log.

    \b
    Examples:
      compliance gc --data-dir compliance-web --db verdicts.sqlite --dry-run
      compliance gc --data-dir compliance-web --db verdicts.sqlite --keep-days 30
    """
    def run():
        from compliance.office.retention import MB, collect, looks_like_data_dir

        from .office import cli_actor

        if not data_dir.is_dir():
            fail(f"{data_dir}: no such folder", "pass the folder `compliance serve --data-dir` uses")
        if not looks_like_data_dir(data_dir):
            fail(f"{data_dir} is not the web app's data folder (it has no jobs/, views/ or reports/)",
                 "pass the folder `compliance serve --data-dir` uses")
        registry = open_registry(db, create=False)
        found = collect(registry, data_dir.resolve(), keep_days, cli_actor(), dry_run=dry_run)
        failed = {path for path, _why in found.failed}
        verb = "would remove" if dry_run else "removed"
        for r in found.removals:
            if r.path not in failed:
                click.echo(f"{verb} {r.kind:17} {r.bytes / MB:9.2f} MB  {r.subject or '-':18} {r.path}")
        for path, why in found.failed:
            click.echo(f"could not remove {path}: {why}", err=True)
        done = [r for r in found.removals if r.path not in failed]
        kinds = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in found.by_kind().items())
        click.echo(f"{verb} {len(done)} item{'s' if len(done) != 1 else ''} "
                   f"({sum(r.bytes for r in done) / MB:.2f} MB){': ' + kinds if kinds else ''}; "
                   f"kept {found.kept_filed} filed check folder{'s' if found.kept_filed != 1 else ''}; "
                   f"registry rows untouched{' (dry run: nothing removed)' if dry_run else ''}", err=True)
        registry.close()
        return 1 if found.failed else 0

    sys.exit(guarded(debug, run))
