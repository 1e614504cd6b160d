"""Command-line interface: `compliance check FOLDER [--format ...] [-o FILE]`.

Exit status: 0 compliant, 1 non-compliant, 3 incomplete, 2 could not check (bad input or usage).
Errors are one message naming the file (and line) and what to do; never a traceback
(unless --debug is given).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from compliance.report import EXTRACT_FORMATS, FORMATS

DEFAULT_RULES = Path(os.environ.get("COMPLIANCE_RULES", Path(__file__).resolve().parent / "rules"))
EXIT_CANNOT_CHECK = 2


def _fail(message: str, hint: str | None = None) -> None:
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"  hint: {hint}", err=True)
    sys.exit(EXIT_CANNOT_CHECK)


def _emit(data: bytes, output: Path | None, done: str) -> None:
    """Bytes to standard output, or atomically to `output` with a one-line note on stderr."""
    from compliance.report import write_atomic

    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(output, data)
        click.echo(f"{done} written to {output}", err=True)


def _guarded(debug: bool, action):
    """Run `action`; turn every failure into one clear message and exit status 2."""
    from compliance.errors import ComplianceError

    try:
        return action()
    except ComplianceError as exc:
        where = exc.location()
        _fail(f"{where}: {exc.message}" if where else exc.message, exc.hint)
    except KeyboardInterrupt:
        _fail("interrupted; no verdict was written")
    except Exception as exc:  # the last line of defence: no traceback as user interface
        if debug:
            raise
        _fail(f"internal error ({type(exc).__name__}: {exc}); no verdict was issued",
              "run again with --debug and send the output to the checker's maintainers")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="yangpu-compliance")
def main() -> None:
    """Carbon-peak compliance checker for building submissions (杨府发〔2022〕13号)."""


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              help="Output format (default: from -o's extension, else text).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the verdict to this file instead of standard output.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Judge by the rules in force on this date (default: the filing date).")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=DEFAULT_RULES,
              show_default=True, help="Folder of rule files.")
@click.option("--debug", is_flag=True, help="Show internal tracebacks.")
def check(folder: Path, fmt: str | None, output: Path | None, as_of, rules_dir: Path, debug: bool) -> None:
    """Check the submission in FOLDER (submission.yaml + its IFC models) and issue a verdict."""
    from compliance.report import format_for_path

    fmt = fmt or (format_for_path(str(output)) if output else None) or "text"
    if FORMATS[fmt].binary and output is None and sys.stdout.isatty():
        _fail(f"{fmt} output is binary", f"write it to a file: -o verdict.{fmt}")

    def run():
        from compliance.context import RunContext
        from compliance.pipeline import check_submission
        from compliance.report import render

        verdict = check_submission(folder, RunContext(rules_dir=rules_dir),
                                   as_of.date() if as_of else None)
        _emit(render(fmt, verdict), output, f"{verdict.verdict}: {fmt} verdict")
        return verdict.exit_code

    sys.exit(_guarded(debug, run))


@main.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="MODEL_OR_FOLDER...")
@click.option("--format", "fmt", type=click.Choice(sorted(EXTRACT_FORMATS)), default="table", show_default=True,
              help="table for a person, json for tools.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--debug", is_flag=True, help="Show internal tracebacks.")
def extract(models: tuple[Path, ...], fmt: str, output: Path | None, debug: bool) -> None:
    """Show exactly what the checker reads from IFC models, with provenance.

    Each argument is an .ifc file, or a submission folder (its submission.yaml's models)."""

    def run():
        from compliance.context import RunContext
        from compliance.read.metadata import load_submission
        from compliance.read.model import read_model
        from compliance.report import render_facts

        ctx = RunContext(rules_dir=DEFAULT_RULES)
        paths = [p for arg in models for p in (load_submission(arg).model_paths if arg.is_dir() else [arg])]
        _emit(render_facts(fmt, [read_model(path, ctx) for path in paths]), output, f"{fmt} extract")
        return 0

    sys.exit(_guarded(debug, run))


@main.command("ids")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The IDS file to write, e.g. requirements.ids.")
@click.option("--all", "all_figures", is_flag=True,
              help="Every figure the checker can read, not only those the current rules use.")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=DEFAULT_RULES,
              show_default=True, help="Folder of rule files.")
@click.option("--debug", is_flag=True, help="Show internal tracebacks.")
def ids_command(output: Path, all_figures: bool, rules_dir: Path, debug: bool) -> None:
    """Write the rule set's information requirements as a buildingSMART IDS file."""

    def run():
        from compliance.ruleset.ids import all_figures as every_figure, write_ids
        from compliance.ruleset.loader import load_ruleset

        ruleset = load_ruleset(rules_dir)
        write_ids(ruleset, output, figures=every_figure() if all_figures else None)
        click.echo(f"IDS for rule set {ruleset.version} written to {output}; validate models with it "
                   "in your authoring tool or with ifctester", err=True)
        return 0

    sys.exit(_guarded(debug, run))


@main.group()
def rules() -> None:
    """Inspect the rule set."""


@rules.command("list")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=DEFAULT_RULES,
              show_default=True, help="Folder of rule files.")
def rules_list(rules_dir: Path) -> None:
    """List every rule with its version, kind and requirement."""

    def run():
        from compliance.ruleset.loader import load_ruleset

        ruleset = load_ruleset(rules_dir)
        click.echo(f"rule set {ruleset.version}: {len(ruleset.rules)} rules")
        for r in ruleset.rules:
            q = r.requires
            click.echo(f"{r.ref:<9} {r.kind:<10} {q.metric} {q.op} {q.value:g} {q.unit}   {r.title.zh}")
        return 0

    sys.exit(_guarded(False, run))


if __name__ == "__main__":
    main()
