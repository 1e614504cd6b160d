"""Command-line interface: `compliance check FOLDER [--format ...] [-o FILE]`.

The installed command `compliance` (pyproject.toml [project.scripts]), `python -m compliance`
(__main__.py) and the repository's launcher `python cli.py` all run `main` here.

Exit status: 0 compliant, 1 non-compliant, 3 incomplete, 2 could not check (bad input or usage).
Errors are one message naming the file (and line) and what to do; never a traceback
(unless --debug is given).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from compliance.commands.batch import batch
from compliance.commands.common import (
    DEFAULT_RULES,
    FormatList,
    as_of_option,
    bcf_options,
    debug_option,
    emit,
    fail,
    guarded,
    lang_option,
    limits_option,
    rules_option,
)
from compliance.commands.dbadmin import registry_group
from compliance.commands.gc import gc
from compliance.commands.office import audit, users
from compliance.commands.recheck import recheck
from compliance.commands.registry import diff, district, history, report_command, signoff
from compliance.commands.rules import rules
from compliance.commands.schema import schema
from compliance.commands.serve import serve
from compliance.commands.sign import certs, verify
from compliance.report import EXTRACT_FORMATS, FORMATS


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--version: the package version and the build (version + hash of the code that decides a
    verdict, compliance/build.py), the same from a checkout and from the wheel built from it."""
    if not value or ctx.resilient_parsing:
        return
    from compliance.build import build_identity, package_version

    click.echo(f"compliance {package_version()} (build {build_identity()})")
    ctx.exit(0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and the build (version+hash of the verdict code), then exit.")
def main() -> None:
    """Carbon-peak compliance checker for building submissions (杨府发〔2022〕13号)."""


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--format", "fmts", type=FormatList(), default=None,
              help=f"Report format(s), comma-separated: {', '.join(FORMATS)} "
                   "(default: from -o's extension; pdf,json into a folder; else text).")
@click.option("-o", "--output", type=click.Path(), default=None,        # a str: Path() would drop a trailing /
              help="Write the report to this file (the format follows its extension), into this folder (ending "
                   "in /) as SUBMISSION-ID.EXT, or to standard output (-).")
@lang_option
@bcf_options
@as_of_option("Judge by the rules in force on this date (default: the filing date).")
@rules_option
@limits_option
@debug_option
def check(folder: Path, fmts: list[str] | None, output: Path | None, lang: str, bcf, as_of, rules_dir: Path,
          limits, debug: bool) -> None:
    """Check the submission in FOLDER (submission.yaml + its IFC models) and issue a verdict.

    \b
    Examples:
      compliance check ifc_samples/pass-school -o out/verdict.pdf
      compliance check ifc_samples/fail-office --format pdf,json,xlsx,bcf -o out/
      compliance check ifc_samples/fail-office --format html --lang en -o fail-office.html
      compliance check ifc_samples/fail-office --bcf-version 3.0 --previous old/YP-2024-0457.bcf -o new.bcf
    """
    from compliance.commands.common import errors_as_json
    from compliance.report import OutputError, plan_outputs

    try:
        fmts, output, into_folder = plan_outputs(fmts, output, sys.stdout.isatty())
    except OutputError as exc:
        fail(str(exc), exc.hint, kind="usage error")
    if fmts == ["json"] and not into_folder:    # a failure says so in JSON where the verdict would have gone
        errors_as_json(output)
    bcf.refuse_without(fmts)

    def run():
        from compliance.context import RunContext
        from compliance.limits import time_limit
        from compliance.pipeline import check_submission
        from compliance.report import render, report_stem

        options = bcf.render_options()          # --previous read before any work: a bad file stops here
        with time_limit(limits.time_limit_s, folder):
            verdict = check_submission(folder, RunContext(rules_dir=rules_dir, limits=limits),
                                       as_of.date() if as_of else None)
            # every report is rendered before any is written: a failing format leaves no partial set
            reports = [(fmt, render(fmt, verdict, lang, options)) for fmt in fmts]
        for fmt, data in reports:
            target = output / f"{report_stem(verdict.submission.id)}{FORMATS[fmt].extension}" if into_folder else output
            emit(data, target, f"{verdict.verdict}: {fmt} verdict")
        return verdict.exit_code

    sys.exit(guarded(debug, run))


@main.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="MODEL_OR_FOLDER...")
@click.option("--format", "fmt", type=click.Choice(sorted(EXTRACT_FORMATS)), default=None,
              help="table for a person, json for tools (default: from -o's extension, .txt or .json; else table).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file instead of standard output (-).")
@debug_option
def extract(models: tuple[Path, ...], fmt: str | None, output: Path | None, debug: bool) -> None:
    """Show exactly what the checker reads from IFC models, with provenance.

    Each argument is an .ifc file, or a submission folder (its submission.yaml's models)."""
    from compliance.commands.common import errors_as_json

    fmt = fmt or _extract_format(output)
    if fmt == "json":
        errors_as_json(output)

    def run():
        from compliance.context import RunContext
        from compliance.read.metadata import load_submission
        from compliance.read.model import read_model
        from compliance.report import render_facts

        ctx = RunContext(rules_dir=DEFAULT_RULES)
        paths = [p for arg in models for p in (load_submission(arg).model_paths if arg.is_dir() else [arg])]
        emit(render_facts(fmt, [read_model(path, ctx) for path in paths]), output, f"{fmt} extract")
        return 0

    sys.exit(guarded(debug, run))


def _extract_format(output: Path | None) -> str:
    """extract's format from -o's extension: a name no format writes is refused, never written as a table."""
    if output is None or str(output) == "-" or not output.suffix:
        return "table"
    found = [f.name for f in EXTRACT_FORMATS.values() if output.name.lower().endswith(f.extension)]
    if not found:
        known = ", ".join(f"{f.extension} ({f.name})" for f in EXTRACT_FORMATS.values())
        fail(f"{output}: no extract format is written as '{output.suffix}'",
             f"name a file ending in {known}, or pass --format", kind="usage error")
    return found[0]


@main.command("ids")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The IDS file to write, e.g. requirements.ids (its missing folders are made), or - for "
                   "standard output.")
@click.option("--all", "all_figures", is_flag=True,
              help="Every figure the checker can read, not only those the current rules use.")
@rules_option
@debug_option
def ids_command(output: Path, all_figures: bool, rules_dir: Path, debug: bool) -> None:
    """Write the rule set's information requirements as a buildingSMART IDS file."""

    def run():
        from compliance.ruleset.ids import all_figures as every_figure
        from compliance.ruleset.ids import write_ids
        from compliance.ruleset.loader import load_ruleset

        ruleset = load_ruleset(rules_dir)
        figures = every_figure() if all_figures else None
        if str(output) == "-":
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                write_ids(ruleset, Path(tmp) / "requirements.ids", figures=figures)
                emit((Path(tmp) / "requirements.ids").read_bytes(), None, "IDS")
            return 0
        write_ids(ruleset, output, figures=figures)
        click.echo(f"IDS for rule set {ruleset.version} written to {output}; validate models with it "
                   "in your authoring tool or with ifctester", err=True)
        return 0

    sys.exit(guarded(debug, run))


for command in (rules, batch, history, diff, district, serve, signoff, report_command, users, audit, gc, certs, verify,
                recheck, registry_group, schema):
    main.add_command(command)


if __name__ == "__main__":
    main()
