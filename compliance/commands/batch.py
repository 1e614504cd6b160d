"""`compliance batch DIR...`: check many submissions in parallel, store every outcome in the registry."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .common import (
    FormatList,
    as_of_option,
    debug_option,
    errors_as_json,
    fail,
    guarded,
    lang_option,
    limits_option,
    rules_option,
    shown_url,
)
from .common import console as wide_console

SCHEDULER_HELP = ("Check on a Dask cluster: the address of its scheduler (tcp://HOST:PORT, from `dask scheduler`; "
                  "its `dask worker`s do the checks). The workers must see the submission folders, the rules and "
                  "this folder at the same paths (a shared filesystem) and run this checker's version. Default: "
                  "$COMPLIANCE_SCHEDULER, else worker processes on this machine (--jobs).")


def scheduler_option(f):
    return click.option("--scheduler", default=lambda: os.environ.get("COMPLIANCE_SCHEDULER") or None,
                        metavar="tcp://HOST:PORT", help=SCHEDULER_HELP)(f)


DB_HELP = ("Registry: a SQLite file path or a SQLAlchemy URL (e.g. postgresql+psycopg://user@host/db). "
           "Default: $COMPLIANCE_DB, else ./compliance-registry.sqlite.")


def db_option(f):
    return click.option("--db", "db", default=lambda: os.environ.get("COMPLIANCE_DB"), metavar="URL|PATH",
                        help=DB_HELP)(f)


def open_registry(db, create: bool = True):
    from compliance.registry.store import Registry

    return Registry(db, create=create)


@click.command()
@click.argument("dirs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="DIR...")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("verdicts"), show_default=True,
              help="Folder for the per-submission reports (SUBMISSION-ID.EXT) and batch-summary.json.")
@click.option("--format", "fmts", type=FormatList(), default="json", show_default=True,
              help="Report format(s) per submission, comma-separated. Every verdict is in the registry whatever "
                   "is written here; `pdf` renders each PDF in the workers, in parallel, or print one later with "
                   "`compliance report CHECK_ID -o FILE.pdf`.")
@lang_option
@click.option("--bcf-version", type=click.Choice(["2.1", "3.0"]), default="2.1", show_default=True,
              help="BCF-XML version of the bcf reports (3.0 always has a camera).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes on this machine (default: one per CPU core; with --scheduler, the "
                   "cluster's workers decide).")
@scheduler_option
@db_option
@as_of_option("Judge every submission by the rules in force on this date (default: each one's filing date).")
@rules_option
@click.option("--retry-errors", is_flag=True,
              help="Check again the submissions whose stored outcome is an error (default: skip them too).")
@click.option("--recheck", is_flag=True,
              help="Do not read again a model whose facts the registry holds (stored when it was last checked by "
                   "this version of the reader): after a rule change or a checker fix outside the reader, a whole "
                   "archive is checked again in a fraction of the time. See also `compliance recheck`.")
@limits_option
@debug_option
def batch(dirs, output, fmts, lang, bcf_version, jobs, scheduler, db, as_of, rules_dir, retry_errors, recheck,
          limits, debug) -> None:
    """Check every submission folder under DIR... in parallel and store each verdict in the registry.

    A folder holding submission.yaml is a submission; a folder holding IFC files but no
    submission.yaml is reported as broken. A submission that cannot be checked becomes an error
    row; the others go on. Submissions already checked with the same inputs, rules, as-of date
    and tool version are skipped, so an interrupted batch is finished by running it again.

    Each submission is checked in a process of its own, on Dask workers: on this machine (--jobs),
    or on a cluster (--scheduler; the submissions on a filesystem the workers share). A submission
    whose check crashes or runs past the time limit is reported alone. Ctrl-C or SIGTERM stops the
    batch and every process it started; what finished is stored.

    \b
    Exit status: 0 all compliant, 1 some non-compliant, 3 some incomplete, 2 some could not be checked.
    Examples:
      compliance batch ifc_samples/ -o verdicts/ --jobs 2
      compliance batch /shared/intake/ --scheduler tcp://10.0.0.5:8786
    """
    from compliance.batch.run import SUMMARY_FILE

    errors_as_json(output / SUMMARY_FILE)      # a batch that cannot run replaces an earlier run's summary
    for d in dirs:
        if not d.is_dir():
            fail(f"{_shown(d)}: folder not found", "pass folders that hold submission folders (or are one)")

    def run():
        from compliance.batch.run import Batch, exit_code

        registry = open_registry(db)
        chosen = _published_rules(registry, rules_dir, as_of)
        job = Batch(roots=list(dirs), registry=registry, rules_dir=chosen, out_dir=output, formats=tuple(fmts),
                    lang=lang, as_of=as_of.date() if as_of else None, jobs=jobs or os.cpu_count() or 1,
                    retry_errors=retry_errors, limits=limits, scheduler=scheduler, recheck=recheck,
                    bcf_version=bcf_version)
        folders = job.folders()
        if not folders:
            _print_skipped(job, err=True)
            fail(f"no submission folders (with submission.yaml or IFC files) under {', '.join(_shown(d) for d in dirs)}"
                 + (f"; {len(job.skipped)} folder(s) not checked, listed above" if job.skipped else ""))
        try:
            _run_with_progress(job, folders)
        except KeyboardInterrupt:
            done = len(job.rows)
            fail(f"interrupted after {done} of {len(folders)} submissions; every one finished is in the registry "
                 f"({shown_url(registry.url)})", "run the same command again to check the rest")
        try:
            summary = job.write_summary()
        except OSError as exc:              # every outcome is stored: say so, and still print the summary
            click.echo(f"warning: {_shown(str(output))}/batch-summary.json could not be written "
                       f"({exc.strerror or exc}); every outcome is in the registry", err=True)
            summary = None
        _print_summary(job, folders, summary)
        return exit_code(job.rows)

    sys.exit(guarded(debug, run))


def _published_rules(registry, rules_dir: Path, as_of) -> Path:
    """The rule set the office has published (in force today, or on --as-of) when the registry has
    one and --rules was not given: the office's intake checks with what the web app checks with."""
    from compliance.ruleset.publish import current

    if click.get_current_context().get_parameter_source("rules_dir") is not click.core.ParameterSource.DEFAULT:
        return rules_dir
    found = current(registry, as_of.date() if as_of else None)
    if found is None:
        return rules_dir
    if not found.rules_dir.is_dir():
        fail(f"the published rule set {found.version} is not where it was published ({found.rules_dir})",
             "restore the web app's data folder, or pass --rules with the rule folder to check with")
    click.echo(f"rules: published {found.version} (effective {found.effective_from})", err=True)
    return found.rules_dir


def _run_with_progress(job, folders) -> None:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        title = f"checking on {job.scheduler}" if job.scheduler else f"checking ({job.jobs} jobs)"
        task = progress.add_task(title, total=len(folders))
        errors = []

        def on_row(row) -> None:
            if row.status == "error":
                errors.append(row)
            progress.update(task, advance=1, description=f"{title}, {len(errors)} error(s)" if errors else title)

        job.run(folders, on_row)


def _shown(text) -> str:
    """Text from outside as the terminal shows it: a NUL, a name that is not UTF-8
    (compliance/safe_text.py) and control characters (shown as [U+001B]) made harmless."""
    from compliance.report.labels import visible_controls
    from compliance.safe_text import safe_text

    return visible_controls(safe_text(str(text)))


def _error_line(row) -> str:
    label = "error" if row.status == "error" else "note"
    stored = "" if row.stored else " [NOT in the registry]"
    return _shown(f"{label}: {Path(row.folder).name}{stored}: {row.message}")


def _print_skipped(job, err: bool = False) -> None:
    """Every folder the batch did not check, with why (discover.py), one line each."""
    from rich.text import Text

    console = wide_console(stderr=err)
    for s in job.skipped:
        console.print(Text(_shown(f"not checked: {s.folder}: {s.reason}")))


def _print_summary(job, folders, summary_path) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = wide_console()
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="batch summary", title_justify="left")
    for name in ("folder", "submission", "outcome", "check"):
        table.add_column(name, overflow="fold")
    rows = sorted(job.rows, key=lambda r: r.folder)
    for row in rows:
        outcome = row.verdict or "error"
        style = {"compliant": "green", "non_compliant": "red", "incomplete": "yellow"}.get(outcome, "bold red")
        label = outcome + (" (stored)" if row.status == "skipped" else "")
        label += "" if row.stored else " (not stored)"
        table.add_row(Text(_shown(Path(row.folder).name)), Text(_shown(row.submission_id or "—")),
                      Text(label, style=style), Text(str(row.check_id or "")))
    console.print(table)
    for row in rows:
        if row.message:
            console.print(Text(_error_line(row)))
    _print_skipped(job)
    counts: dict[str, int] = {}
    for row in job.rows:
        key = "already in the registry" if row.status == "skipped" else (row.verdict or "error")
        counts[key] = counts.get(key, 0) + 1
    parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    unstored = sum(1 for row in job.rows if not row.stored)
    console.print(Text(_shown(
        f"{len(job.rows)} of {len(folders)} submissions: {parts}; registry {shown_url(job.registry.url)}"
        + (f"; {unstored} NOT stored in the registry (see above)" if unstored else "")
        + (f"; {len(job.skipped)} folder(s) not checked (see above)" if job.skipped else "")
        + (f"; {served} model(s) from stored facts, not read again" if (served := sum(r.models_from_facts for r in
                                                                                     job.rows)) else "")
        + (f"; reports and {summary_path.name} in {summary_path.parent}/" if summary_path else ""))))
