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
DEFAULT_FEATURES = Path(__file__).resolve().parent / "features"
DEFAULT_SAMPLES = Path(__file__).resolve().parent / "ifc_samples"
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


class _FormatList(click.ParamType):
    """--format pdf,json,bcf: one or several report formats."""

    name = "FORMAT[,FORMAT...]"

    def convert(self, value, param, ctx):
        from compliance.report import parse_formats

        if isinstance(value, list):
            return value
        try:
            return parse_formats(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _lang_option(f):
    return click.option("--lang", type=click.Choice(["both", "zh", "en"]), default="both", show_default=True,
                        help="Report language: both (Chinese first, English beside), zh or en.")(f)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--format", "fmts", type=_FormatList(), default=None,
              help=f"Report format(s), comma-separated: {', '.join(FORMATS)} "
                   "(default: from -o's extension; pdf,json into a folder; else text).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the report to this file, or into this folder (ending in /) as SUBMISSION-ID.EXT.")
@_lang_option
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Judge by the rules in force on this date (default: the filing date).")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=DEFAULT_RULES,
              show_default=True, help="Folder of rule files.")
@click.option("--debug", is_flag=True, help="Show internal tracebacks.")
def check(folder: Path, fmts: list[str] | None, output: Path | None, lang: str, as_of, rules_dir: Path,
          debug: bool) -> None:
    """Check the submission in FOLDER (submission.yaml + its IFC models) and issue a verdict.

    \b
    Examples:
      compliance check ifc_samples/pass-school -o out/verdict.pdf
      compliance check ifc_samples/fail-office --format pdf,json,xlsx,bcf -o out/
      compliance check ifc_samples/fail-office --format html --lang en -o fail-office.html
    """
    from compliance.report import OutputError, plan_outputs

    try:
        fmts, output, into_folder = plan_outputs(fmts, output, sys.stdout.isatty())
    except OutputError as exc:
        _fail(str(exc), exc.hint)

    def run():
        from compliance.context import RunContext
        from compliance.pipeline import check_submission
        from compliance.report import render, report_stem

        verdict = check_submission(folder, RunContext(rules_dir=rules_dir),
                                   as_of.date() if as_of else None)
        # every report is rendered before any is written: a failing format leaves no partial set
        reports = [(fmt, render(fmt, verdict, lang)) for fmt in fmts]
        for fmt, data in reports:
            target = output / f"{report_stem(verdict.submission.id)}{FORMATS[fmt].extension}" if into_folder else output
            _emit(data, target, f"{verdict.verdict}: {fmt} verdict")
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
    """The policy staff's workflow: list, show, lint, test and diff the rule set."""


def _rules_option(f):
    return click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=DEFAULT_RULES,
                        show_default=True, help="Folder of rule files.")(f)


def _features_option(f):
    return click.option("--features", "features_dir", type=click.Path(path_type=Path), default=DEFAULT_FEATURES,
                        show_default=True, help="Folder of Gherkin .feature files (scenarios tagged @rule:ID).")(f)


def _piped(action):
    """`action`, ending quietly when the reader of standard output goes away (`| head`)."""
    def run():
        try:
            return action()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    return run


def _debug_option(f):
    return click.option("--debug", is_flag=True, help="Show internal tracebacks.")(f)


def _need_folder(path: Path, what: str, option: str) -> None:
    if not path.is_dir():
        from compliance.ruleset.describe import rel

        path = rel(path)
        _fail(f"{path}: {what} not found", f"pass {option} with an existing folder")


def _load_rules(rules_dir: Path):
    from compliance.ruleset.loader import load_ruleset

    _need_folder(rules_dir, "rules folder", "--rules")
    return load_ruleset(rules_dir)


def _index(features_dir: Path):
    from compliance.ruleset.scenarios import index_features

    return index_features(features_dir) if features_dir.is_dir() else None


def _rule_ids(ruleset, ids) -> list[str]:
    """The rule ids asked for (any case); an unknown one exits 2 naming close matches."""
    from compliance.ruleset.describe import close_matches, rel

    known = {r.id.upper(): r.id for r in ruleset.rules}
    out = []
    for rule_id in ids:
        if rule_id.upper() not in known:
            near = close_matches(rule_id, known.values())
            _fail(f"{rel(ruleset.directory)}: no rule '{rule_id}' in this rule set ({len(known)} rules)",
                  f"did you mean {', '.join(near)}?" if near else "see `compliance rules list`")
        out.append(known[rule_id.upper()])
    return out


@rules.command("list")
@_rules_option
@_features_option
@_debug_option
def rules_list(rules_dir: Path, features_dir: Path, debug: bool) -> None:
    """List every rule: version, kind, titles, clause, dates in force, requirement, scenarios."""

    def run():
        from rich.console import Console
        from rich.text import Text

        from compliance.ruleset.describe import list_table

        ruleset = _load_rules(rules_dir)
        console = Console()
        table = list_table(ruleset, _index(features_dir), features_dir.name, console.width)
        console.print(table)
        console.print(Text("* does not block approval (a finding only); `compliance rules show ID` for the details"))
        return 0

    sys.exit(_guarded(debug, _piped(run)))


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@_rules_option
@_features_option
@_debug_option
def rules_show(rule_id: str, rules_dir: Path, features_dir: Path, debug: bool) -> None:
    """Everything about one rule: clause, applicability, requirements, file, scenarios."""

    def run():
        from compliance.ruleset.describe import show_text

        ruleset = _load_rules(rules_dir)
        [found] = _rule_ids(ruleset, [rule_id])
        click.echo(show_text(ruleset.rule(found), ruleset, _index(features_dir)), nl=False)
        return 0

    sys.exit(_guarded(debug, _piped(run)))


@rules.command("lint")
@_rules_option
@_features_option
@_debug_option
def rules_lint(rules_dir: Path, features_dir: Path, debug: bool) -> None:
    """Check the rule files and their scenarios; exit 1 if any error is found.

    Reports every problem as FILE:LINE: schema and vocabulary errors, unknown metrics and
    parameters, bad dates, duplicated ids, overlapping rules (same kind and metric, no
    `refines`), contradicting requirements, rules without a scenario, unknown @rule tags."""

    def run():
        from compliance.ruleset.describe import rel
        from compliance.ruleset.lint import lint

        _need_folder(rules_dir, "rules folder", "--rules")
        _need_folder(features_dir, "features folder", "--features")
        report = lint(rules_dir, features_dir)
        for p in report.problems:
            click.echo(f"{p.location()}: {p.severity}: {p.message}")
            if p.hint:
                click.echo(f"  hint: {p.hint}")
        n_err, n_warn = len(report.errors), len(report.warnings)
        where = f"{rel(rules_dir)}/ and {rel(features_dir)}/"
        if n_err or n_warn:
            click.echo(f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''} in {where}")
        if not n_err:
            rules_n = len(report.ruleset.rules) if report.ruleset else 0
            cases = sum(len(s.cases()) for s in report.index.scenarios) if report.index else 0
            click.echo(f"clean: {rules_n} rules, {cases} scenarios in {where}: no errors")
        return 1 if n_err else 0

    sys.exit(_guarded(debug, _piped(run)))


@rules.command("test")
@click.argument("rule_ids", nargs=-1, metavar="[ID]...")
@_rules_option
@_features_option
@_debug_option
def rules_test(rule_ids: tuple[str, ...], rules_dir: Path, features_dir: Path, debug: bool) -> None:
    """Run the Gherkin scenarios of every rule (or of the rules given) against RULES.

    Exit 0 when every scenario passes and every rule asked for has one, 1 otherwise."""

    def run():
        from rich import box
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from compliance.ruleset.describe import rel
        from compliance.spec.runner import run_scenarios

        ruleset = _load_rules(rules_dir)
        _need_folder(features_dir, "features folder", "--features")
        wanted = _rule_ids(ruleset, rule_ids) if rule_ids else [r.id for r in ruleset.rules]
        outcomes = run_scenarios(features_dir, rules_dir, only=set(wanted) if rule_ids else None)
        index = _index(features_dir)
        console = Console()
        console.print(Text(f"scenarios in {rel(features_dir)}/ against rule set {rel(rules_dir)}/ ({ruleset.version})"))
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for name in ("rule", "passed", "failed", ""):
            table.add_column(name, justify="left" if name in ("rule", "") else "right")
        green = True
        for rule_id in wanted:
            mine = [o for o in outcomes if rule_id in o.rule_ids]
            passed, failed = sum(o.passed for o in mine), sum(not o.passed for o in mine)
            state = "ok" if mine and not failed else ("FAILED" if failed else "NO SCENARIOS")
            green = green and state == "ok"
            table.add_row(rule_id, str(passed), str(failed), state)
        console.print(table)
        failures = [o for o in outcomes if not o.passed]
        for o in failures:
            file, line = index.locate(o.feature, o.name) if index else (None, None)
            where = f"{rel(file)}:{line}" if file else str(o.feature)
            click.echo(f"FAIL {', '.join(o.rule_ids)}  {where}  {o.name}")
            for text in (o.message or "failed").splitlines():
                click.echo(f"     {text}")
        total = len(outcomes)
        click.echo(f"{total - len(failures)} of {total} scenarios passed"
                   + ("" if green else "; not green"))
        return 0 if green and not failures else 1

    sys.exit(_guarded(debug, _piped(run)))


@rules.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--samples", "samples", type=click.Path(path_type=Path), multiple=True,
              help="A submission folder, or a folder of them (repeatable). Default: every sample in ifc_samples/.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Judge the samples as of this date (default: each one's filing date).")
@_debug_option
def rules_diff(old: Path, new: Path, samples: tuple[Path, ...], as_of, debug: bool) -> None:
    """What changing the rule folder OLD into NEW does: rules, parameters and settings changed,
    versions not bumped, and the verdicts and rule statuses that change on sample submissions."""

    def run():
        from compliance.ruleset.diff import diff_lines, diff_rulesets
        from compliance.ruleset.impact import find_samples, impact_lines, recheck

        _need_folder(old, "rules folder", "OLD")
        _need_folder(new, "rules folder", "NEW")
        for folder in samples:
            if not folder.exists():
                _fail(f"{folder}: samples folder not found", "pass --samples with a submission folder or a folder of them")
        d = diff_rulesets(old, new)
        for line in diff_lines(d):
            click.echo(line)
        folders = find_samples(list(samples) or [DEFAULT_SAMPLES])
        when = as_of.date() if as_of else None
        click.echo(f"\nsamples: {len(folders)} submission{'s' if len(folders) != 1 else ''}, judged as of "
                   + (when.isoformat() if when else "each one's filing date"))
        for line in impact_lines(recheck(folders, old, new, when)):
            click.echo(line)
        return 0

    sys.exit(_guarded(debug, _piped(run)))


if __name__ == "__main__":
    main()
