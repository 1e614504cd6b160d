"""`compliance recheck`: every filing's latest check evaluated again (with other rules, or by a new
build of the checker) from the facts the registry stores, and which verdicts flip."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .batch import db_option, open_registry, scheduler_option
from .common import console as wide_console
from .common import debug_option, errors_as_json, fail, guarded, limits_option, rules_option, shown_url


@click.command()
@rules_option(help="Folder of rule files to re-check with (default: the bundled rules; pass the draft or the "
                   "newly published folder).")
@click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
              help="Only the filings whose latest check matches: submission=GLOB (e.g. YP-2024-*), zone=, use=, "
                   "kind=, verdict=. Repeat to narrow.")
@click.option("--store", is_flag=True,
              help="Record each new verdict in the registry as a check (the office's), so the queue and the "
                   "district show it. Default: only report.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Also write the outcome as JSON to FILE (- for standard output: the table then goes to "
                   "standard error).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per CPU core).")
@scheduler_option
@db_option
@limits_option
@debug_option
def recheck(rules_dir: Path, where: tuple[str, ...], store: bool, json_out, jobs, scheduler, db, limits,
            debug: bool) -> None:
    """Re-check the latest filed check of every submission in the registry and list the verdicts that flip.

    Each filing is evaluated from the facts the registry kept when it was checked (its
    submission.yaml and what the reader extracted from each model): no IFC file is opened. A
    filing whose facts were extracted by another version of the reader is checked from its
    folder when its files are still there unchanged, else reported as not re-checkable.

    \b
    Exit status: 0 no verdict flips, 1 some verdicts flip, 2 some filings could not be re-checked.
    Examples:
      compliance recheck --rules drafts/2027.1 --where zone=binjiang_south
      compliance recheck --rules rules/ --store --json recheck.json
    """
    from compliance.batch.recheck import parse_where

    if json_out is not None:            # a failure says so in JSON where the outcome would have gone
        errors_as_json(json_out)
    try:
        chosen = parse_where(where)
    except ValueError as exc:
        fail(f"--where {exc}", kind="usage error")

    def run():
        from compliance.batch.recheck import RecheckRun, as_json

        registry = open_registry(db, create=False)
        job = RecheckRun(registry, rules_dir, chosen, jobs or os.cpu_count() or 1, limits, store, scheduler)
        rows = _with_progress(job)
        _print(rows, job, registry, stderr=str(json_out) == "-")     # --json -: standard output is the JSON's
        if json_out is not None:
            text = as_json(rows, job.stats, job.ruleset.version)
            if str(json_out) == "-":
                click.echo(text, nl=False)
            else:
                from compliance.report import write_atomic

                write_atomic(json_out, text.encode("utf-8"))
                click.echo(f"wrote {json_out}", err=True)
        if any(r.new_verdict is None for r in rows):
            return 2
        return 1 if any(r.flipped for r in rows) else 0

    sys.exit(guarded(debug, run))


def _with_progress(job):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("re-checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=None)

        def step(_what: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return job.run(step)


def _print(rows: list, job, registry, stderr: bool = False) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from compliance.report.labels import visible_controls

    console = wide_console(stderr=stderr)
    flipped = [r for r in rows if r.flipped]
    failed = [r for r in rows if r.new_verdict is None]
    if flipped:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="verdicts that flip", title_justify="left")
        for name in ("submission", "check", "stored", "now", "rules that change"):
            table.add_column(name, overflow="fold")
        for r in flipped:
            changes = ", ".join(f"{rule} {old or '—'}→{new or '—'}" for rule, old, new in r.changed_rules)
            table.add_row(Text(visible_controls(r.submission)), str(r.check_id), r.old_verdict, r.new_verdict,
                          Text(visible_controls(changes)))
        console.print(table)
    for r in failed:
        console.print(Text(visible_controls(f"not re-checked: {r.submission} (check {r.check_id}): {r.error}")))
    stats = job.stats
    console.print(Text(
        f"{len(rows)} filing(s) in {shown_url(registry.url)}: {len(rows) - len(failed)} re-checked "
        f"({stats['from_facts']} from stored facts, {stats['from_files']} from their files), {len(flipped)} flip, "
        f"{len(failed)} could not be re-checked" + (f"; {stats['stored']} new check(s) stored" if job.store else "")
        + f"; rules {job.ruleset.version}"))
