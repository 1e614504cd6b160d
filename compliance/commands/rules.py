"""`compliance rules …`: the policy staff's workflow — list, show, lint, test and diff the rule set."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import (
    DEFAULT_SAMPLES,
    as_of_option,
    debug_option,
    fail,
    feature_index,
    features_option,
    guarded,
    known_rule_ids,
    load_rules,
    need_folder,
    piped,
    rules_option,
)


@click.group()
def rules() -> None:
    """The policy staff's workflow: list, show, lint, test and diff the rule set."""


@rules.command("list")
@rules_option
@features_option
@debug_option
def rules_list(rules_dir: Path, features_dir: Path, debug: bool) -> None:
    """List every rule: version, kind, titles, clause, dates in force, requirement, scenarios."""

    def run():
        from rich.console import Console
        from rich.text import Text

        from compliance.ruleset.describe import list_table

        ruleset = load_rules(rules_dir)
        console = Console()
        table = list_table(ruleset, feature_index(features_dir), features_dir.name, console.width)
        console.print(table)
        console.print(Text("* does not block approval (a finding only); `compliance rules show ID` for the details"))
        return 0

    sys.exit(guarded(debug, piped(run)))


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@rules_option
@features_option
@debug_option
def rules_show(rule_id: str, rules_dir: Path, features_dir: Path, debug: bool) -> None:
    """Everything about one rule: clause, applicability, requirements, file, scenarios."""

    def run():
        from compliance.ruleset.describe import show_text

        ruleset = load_rules(rules_dir)
        [found] = known_rule_ids(ruleset, [rule_id])
        click.echo(show_text(ruleset.rule(found), ruleset, feature_index(features_dir)), nl=False)
        return 0

    sys.exit(guarded(debug, piped(run)))


@rules.command("conventions")
@rules_option
@click.option("--write-docs", is_flag=True, help="Rewrite the generated tables of docs/ifc-conventions.md.")
@debug_option
def rules_conventions(rules_dir: Path, write_docs: bool, debug: bool) -> None:
    """How models are read: the recognition conventions (rules/_conventions.yaml), as tables."""

    def run():
        from compliance.read.conventions import load_conventions
        from compliance.read.conventions_doc import DOC, render
        from compliance.read.conventions_doc import write_docs as rewrite

        conventions = load_conventions(rules_dir)
        if write_docs and not DOC.is_file():
            fail(f"{DOC}: not found: --write-docs rewrites the checker's own documentation",
                 "run it from a checkout of the checker's repository (an installed checker has no docs/)")
        if write_docs:
            changed = rewrite(conventions)
            click.echo(f"{DOC}: {'updated' if changed else 'already up to date'}")
        else:
            click.echo(render(conventions))
        return 0

    sys.exit(guarded(debug, piped(run)))


@rules.command("lint")
@rules_option
@features_option
@debug_option
def rules_lint(rules_dir: Path, features_dir: Path, debug: bool) -> None:
    """Check the rule files and their scenarios; exit 1 if any error is found.

    Reports every problem as FILE:LINE: schema and vocabulary errors, unknown metrics and
    parameters, bad dates, duplicated ids, overlapping rules (same kind and metric, no
    `refines`), contradicting requirements, rules without a scenario, unknown @rule tags,
    and mistakes in the district targets file (district/targets.yaml), where there is one."""

    def run():
        from compliance.ruleset.describe import rel
        from compliance.ruleset.lint import lint

        need_folder(rules_dir, "rules folder", "--rules")
        need_folder(features_dir, "features folder", "--features")
        report = lint(rules_dir, features_dir)
        report.problems += _district_problems(rules_dir, report.ruleset)
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

    sys.exit(guarded(debug, piped(run)))


@rules.command("test")
@click.argument("rule_ids", nargs=-1, metavar="[ID]...")
@rules_option
@features_option
@debug_option
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

        ruleset = load_rules(rules_dir)
        need_folder(features_dir, "features folder", "--features")
        wanted = known_rule_ids(ruleset, rule_ids) if rule_ids else [r.id for r in ruleset.rules]
        outcomes = run_scenarios(features_dir, rules_dir, only=set(wanted) if rule_ids else None)
        index = feature_index(features_dir)
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

    sys.exit(guarded(debug, piped(run)))


@rules.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--samples", "samples", type=click.Path(path_type=Path), multiple=True,
              help="A submission folder, or a folder of them (repeatable). Default: every sample in ifc_samples/.")
@as_of_option("Judge the samples as of this date (default: each one's filing date).")
@debug_option
def rules_diff(old: Path, new: Path, samples: tuple[Path, ...], as_of, debug: bool) -> None:
    """What changing the rule folder OLD into NEW does: rules, parameters and settings changed,
    versions not bumped, and the verdicts and rule statuses that change on sample submissions."""

    def run():
        from compliance.ruleset.diff import diff_lines, diff_rulesets
        from compliance.ruleset.impact import find_samples, impact_lines, recheck

        need_folder(old, "rules folder", "OLD")
        need_folder(new, "rules folder", "NEW")
        for folder in samples:
            if not folder.exists():
                fail(f"{folder}: samples folder not found", "pass --samples with a submission folder or a folder of them")
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

    sys.exit(guarded(debug, piped(run)))


def _district_problems(rules_dir: Path, ruleset) -> list:
    """The district targets file, checked against the rule set's vocabulary (when both exist)."""
    from compliance.ruleset.publication import district_problems

    return district_problems(rules_dir, ruleset)


from .publishing import rules_publish, rules_published  # noqa: E402  (the publication commands, in the group)

rules.add_command(rules_publish)
rules.add_command(rules_published)
