"""`compliance rules publish` and `compliance rules published`: publish a draft rule folder (with
its features) as a version in force from a date, and list the publications. Both are the
registry's: a publication is a `rule_publications` row and an audit-log entry (actor cli:<user>)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .batch import db_option, open_registry
from .common import DEFAULT_FEATURES, debug_option, guarded, need_folder, piped


@click.command("publish")
@click.argument("draft_rules_dir", type=click.Path(path_type=Path), metavar="DRAFT_RULES_DIR")
@click.option("--features", "features_dir", type=click.Path(path_type=Path), default=DEFAULT_FEATURES,
              show_default=True, help="The draft's Gherkin .feature files (published with the rules).")
@click.option("--version", "version", required=True, help="The version to publish as, e.g. 2026.1 (new, unique).")
@click.option("--effective", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, metavar="YYYY-MM-DD",
              help="The day from which checks use it (not before the latest publication's).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), required=True,
              help="Where published rule sets are kept (the web app's --data-dir): STORE/published/VERSION/.")
@click.option("--note", default="", help="What changed, in a sentence.")
@db_option
@debug_option
def rules_publish(draft_rules_dir: Path, features_dir: Path, version: str, effective, store_dir: Path, note: str,
                  db, debug: bool) -> None:
    """Publish DRAFT_RULES_DIR and its features as VERSION, in force from --effective.

    Refused: lint errors (the first named FILE:LINE; `compliance rules lint` lists them all), a
    version published already, an effective date before the latest publication's, content the
    very same as the latest publication's. The copy under --store is read-only and never edited."""

    def run():
        from compliance.office.audit import record
        from compliance.ruleset.publish import publish

        from .office import cli_actor

        need_folder(draft_rules_dir, "rules folder", "DRAFT_RULES_DIR")
        need_folder(features_dir, "features folder", "--features")
        registry = open_registry(db)
        actor = cli_actor()
        done = publish(registry, store_dir.resolve(), draft_rules_dir, features_dir, version, effective.date(), actor,
                       note)
        record(registry, actor, "publish", f"rules:{done.version}",
               {"effective_from": done.effective_from.isoformat(), "sha256": done.rules_sha256, "note": done.note,
                "folder": str(done.folder)})
        click.echo(f"published {done.version}, in force from {done.effective_from.isoformat()}: {done.folder}")
        return 0

    sys.exit(guarded(debug, run))


@click.command("published")
@db_option
@debug_option
def rules_published(db, debug: bool) -> None:
    """List the published rule sets, in the order they take effect; the one in force today is marked."""

    def run():
        from compliance.report.labels import visible_controls
        from compliance.ruleset.publish import current, publications

        registry = open_registry(db, create=False)
        found, now = publications(registry), current(registry)
        if not found:
            click.echo("no rule set has been published (`compliance rules publish`, or start the web app)")
        for p in found:
            mark = "*" if now is not None and p.id == now.id else " "
            click.echo(f"{mark} {p.version:<20} effective {p.effective_from.isoformat()}  "
                       f"by {p.published_by} at {p.published_at:%Y-%m-%d %H:%M} UTC  sha256:{p.rules_sha256[:16]}"
                       + (f"  {visible_controls(p.note)}" if p.note else ""))
            click.echo(f"    {p.folder}")
        if found:
            click.echo("* in force today")
        return 0

    sys.exit(guarded(debug, piped(run)))
