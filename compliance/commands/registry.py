"""`compliance history ID`, `compliance diff ID`, `compliance district`: reading the registry;
`compliance signoff CHECK_ID` (a reviewer's decision) and `compliance report CHECK_ID` (a stored
check's report again, with its sign-offs)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from click.core import ParameterSource

from .batch import db_option, open_registry
from .common import (
    as_of_option,
    bcf_options,
    debug_option,
    emit,
    errors_as_json,
    fail,
    guarded,
    lang_option,
    piped,
    rules_option,
    shown_url,
)
from .common import console as wide_console
from .sign import load_office_signer, signing_option

STATUS_STYLE = {"compliant": "green", "non_compliant": "red", "incomplete": "yellow", None: "bold red"}


def _safe(text) -> str:
    from compliance.report.labels import visible_controls

    return visible_controls(str(text)) if text is not None else ""


def _history_or_fail(registry, submission_id: str) -> list:
    rows = registry.history(submission_id)
    if not rows:
        known = sorted({r.submission_id for r in registry.latest()})
        from difflib import get_close_matches

        near = get_close_matches(submission_id, known, n=3)
        fail(f"no checks of submission '{_safe(submission_id)}' in the registry ({shown_url(registry.url)})",
             f"did you mean {', '.join(near)}?" if near else
             "check it first with `compliance batch`, or pass --db with the registry that holds it")
    return rows


@click.command()
@click.argument("submission_id", metavar="ID")
@db_option
@debug_option
def history(submission_id: str, db, debug: bool) -> None:
    """A submission's checks over time: verdict, rule set, inputs and what was open at each."""

    def run():
        from rich import box
        from rich.table import Table
        from rich.text import Text

        registry = open_registry(db, create=False)
        rows = _history_or_fail(registry, submission_id)
        console = wide_console()
        console.print(Text(f"{_safe(submission_id)} — {_safe(rows[-1].name)}: {len(rows)} check(s) in "
                           f"{shown_url(registry.url)}"))
        from compliance.registry.signoff import decisions_by_check

        signed = decisions_by_check(registry.signoffs(submission_id=submission_id))     # one query
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for name in ("check", "checked (UTC)", "outcome", "filed", "as of", "rules", "inputs", "sign-off",
                     "open findings"):
            table.add_column(name, overflow="fold", no_wrap=name not in ("open findings", "sign-off"))
        for row in rows:
            results = registry.results(row.id)
            open_rules = [f"{r['rule']} {r['status']}" for r in results if r["status"] in ("fail", "missing_data",
                                                                                           "manual_review")]
            outcome = row.verdict or f"error: {row.error_message or ''}"
            table.add_row(str(row.id), row.checked_at.strftime("%Y-%m-%d %H:%M"),
                          Text(_safe(outcome), style=STATUS_STYLE.get(row.verdict, "bold red")),
                          str(row.filed_on or ""), str(row.as_of or ""), row.rules_version.removeprefix("sha256:")[:8],
                          row.inputs_sha256[:8], _signoff_cell(signed.get(row.id)),
                          Text(_safe(", ".join(open_rules) or ("—" if row.verdict else ""))))
        console.print(table)
        console.print(Text(f"`compliance diff {_safe(submission_id)}` shows what changed between the last two checks"))
        return 0

    sys.exit(guarded(debug, piped(run)))


DECISION_STYLE = {"approved": "green", "rejected": "red", "revise": "yellow"}


def _signoff_cell(signoff):
    """A check's latest sign-off in a table cell: 'revise · 张三' (— when none)."""
    from rich.text import Text

    if signoff is None:
        return Text("—")
    return Text.assemble((signoff.decision, DECISION_STYLE.get(signoff.decision, "")), f" · {_safe(signoff.reviewer)}")


@click.command()
@click.argument("check_id", type=int, metavar="CHECK_ID")
@click.option("--as", "username", required=True, metavar="USER",
              help="The reviewer's account (`compliance users add ... --role reviewer`); its password is asked for "
                   "(or read with --password-stdin). The name and title printed are the account's.")
@click.option("--password-stdin", is_flag=True, help="Read the reviewer's password from standard input.")
@click.option("--decision", required=True, type=click.Choice(["approved", "rejected", "revise"], case_sensitive=False),
              help="approved: accept the verdict; rejected: refuse the submission; revise: send it back to the "
                   "designer for changes.")
@click.option("--comment", default="", metavar="TEXT", help="The reviewer's comment (at most 2000 characters).")
@db_option
@debug_option
def signoff(check_id: int, username: str, password_stdin: bool, decision: str, comment: str, db, debug: bool) -> None:
    """Sign off a stored check: a reviewer's decision, kept in the registry and printed on its PDF.

    Every sign-off is kept; the latest one counts. `compliance history ID` lists the check ids.

    \b
    Example:
      compliance signoff 12 --as wang --decision revise --comment "请补充屋顶光伏"
      compliance report 12 -o YP-2024-0457.pdf
    """

    def run():
        from compliance.office.accounts import authenticate
        from compliance.office.audit import record
        from compliance.office.review import sign
        from compliance.report import report_stem
        from compliance.report.labels import utc

        from .office import cli_actor, read_password

        registry = open_registry(db, create=False)
        password = read_password(password_stdin, f"{username}'s password")
        user = authenticate(registry, username, password)
        if user is None:
            record(registry, username.strip().lower()[:100] or "?", "login_failed", f"check:{check_id}",
                   {"via": cli_actor()})
            fail(f"user name or password not right for {_safe(username)}",
                 "sign off with your own reviewer account (`compliance users list` shows them)")
        stored = sign(registry, user, check_id, decision.lower(), comment)
        record(registry, user.username, "signoff", f"check:{check_id}",
               {"decision": stored.decision, "comment": stored.comment[:200], "via": cli_actor()})
        row = registry.get(check_id)
        click.echo(f"check {check_id} ({_safe(row.submission_id)}, {row.verdict}) signed off: {stored.decision} "
                   f"by {_safe(stored.reviewer)} at {utc(stored.signed_at)}")
        if stored.comment:
            click.echo("  comment: " + "\n           ".join(_safe(stored.comment).split("\n")))
        history_rows = registry.history(row.submission_id)
        if history_rows and history_rows[-1].id != check_id:
            click.echo(f"  note: check {check_id} is not the latest check of {_safe(row.submission_id)} "
                       f"(the latest is {history_rows[-1].id})")
        earlier = len(registry.signoffs(check_id=check_id)) - 1
        if earlier:
            click.echo(f"  this sign-off replaces {earlier} earlier one(s) of this check (all are kept)")
        click.echo(f"print it: compliance report {check_id} -o {report_stem(row.submission_id)}.pdf")
        return 0

    sys.exit(guarded(debug, piped(run)))


REPORT_FORMATS = ("pdf", "html", "json", "xlsx", "bcf", "junit", "sarif")


@click.command("report")
@click.argument("check_id", type=int, metavar="CHECK_ID")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="Write the report to this file, into this folder (ending in /) as SUBMISSION-ID.EXT, or to "
                   "standard output (-).")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="Report format (default: from -o's extension, else pdf).")
@lang_option
@bcf_options
@signing_option
@db_option
@debug_option
def report_command(check_id: int, output, fmt, lang: str, bcf, signing_p12, db, debug: bool) -> None:
    """A stored check's report again, with its reviewers' sign-offs (the signed PDF).

    The verdict is the one stored when the submission was checked; nothing is checked again. The PDF
    is PDF/A-3 with the JSON verdict embedded; a signed-off check's PDF is signed (PAdES) with the
    office's key when --signing-p12 (or $COMPLIANCE_SIGNING_P12) names it; one not signed off is a draft.

    \b
    Example:
      compliance report 12 -o YP-2024-0457.pdf
      COMPLIANCE_SIGNING_PASSPHRASE=... compliance report 12 -o YP-2024-0457.pdf --signing-p12 keys/office-signing.p12
      compliance report 12 --format json
      compliance report 14 -o YP-2024-0457.bcf --previous YP-2024-0457-check12.bcf
    """
    import os

    from compliance.report import FORMATS, OutputError, format_for_path, plan_outputs

    # a folder: an existing one, or a path ending in / (kept as typed: Path('out/') loses the slash)
    into_folder = output is not None and (output.endswith(("/", os.sep)) or Path(output).is_dir())
    chosen = fmt or (format_for_path(output) if output is not None and not into_folder else None)
    if chosen is None and output is not None and not into_folder and Path(output).suffix:
        fail(f"{output}: cannot tell the report format from the extension '{Path(output).suffix}'",
             f"use {', '.join(e for f in REPORT_FORMATS for e in FORMATS[f].extensions)}, or pass --format",
             kind="usage error")
    if chosen is not None and chosen not in REPORT_FORMATS:          # e.g. -o verdict.txt
        fail(f"{output}: a stored check has no {chosen} report", f"use --format {'|'.join(REPORT_FORMATS)}")
    chosen = chosen or "pdf"
    if chosen == "json" and not into_folder:        # a failure says so in JSON where the verdict would have gone
        errors_as_json(output)
    try:
        plan_outputs([chosen], output, sys.stdout.isatty())     # refuses binary output to a terminal
    except OutputError as exc:
        fail(str(exc), exc.hint, kind="usage error")
    output = Path(output) if output is not None else None
    if signing_p12 is not None and chosen != "pdf":
        if click.get_current_context().get_parameter_source("signing_p12") is not ParameterSource.ENVIRONMENT:
            fail(f"--signing-p12 signs a PDF; a {chosen} report is not signed",
                 "drop --signing-p12, or ask for the pdf")
        signing_p12 = None               # $COMPLIANCE_SIGNING_P12 set for PDFs: nothing to sign here
    bcf.refuse_without([chosen])

    def run():
        from compliance.report import render, report_stem

        signer = load_office_signer(signing_p12) if signing_p12 is not None else None   # before any work
        options = bcf.render_options()
        registry = open_registry(db, create=False)
        verdict = registry.verdict(check_id)
        if verdict is None:
            row = registry.get(check_id)
            if row is None:
                fail(f"no check {check_id} in the registry ({shown_url(registry.url)})",
                     "`compliance history ID` lists a submission's checks with their ids; pass --db with the "
                     "registry that holds it")
            fail(f"check {check_id} ({_safe(row.submission_id or row.folder)}) could not be checked: "
                 f"{_safe(row.error_message or row.error_kind)}; there is no verdict to report",
                 "fix the submission and check it again")
        if chosen == "pdf":
            from compliance.sign.archive import signed_verdict_pdf

            data = signed_verdict_pdf(verdict, lang, signer)
        else:
            data = render(chosen, verdict, lang, options)
        target = (output / f"{report_stem(verdict.submission.id)}{FORMATS[chosen].extension}" if into_folder
                  else output)
        last = verdict.signoffs[-1] if verdict.signoffs else None
        state = f"signed off: {last.decision} by {_safe(last.reviewer)}" if last else "not signed off"
        if chosen == "pdf":
            state += ("; PDF/A-3 signed with the office key of " + _safe(signer.office) if last and signer else
                      "; PDF/A-3, not signed (no --signing-p12)" if last else
                      "; PDF/A-3 marked as a draft, not signed (no sign-off to sign)")
        emit(data, target, f"check {check_id} ({verdict.verdict}, {state}): {chosen} report")
        return 0

    sys.exit(guarded(debug, piped(run)))


@click.command()
@click.argument("submission_id", metavar="ID")
@click.option("--from", "from_id", type=int, default=None, help="Check id to compare from (default: the one before --to).")
@click.option("--to", "to_id", type=int, default=None, help="Check id to compare to (default: the latest).")
@click.option("--lang", type=click.Choice(["both", "zh", "en"]), default="en", show_default=True,
              help="Language of the finding messages.")
@db_option
@debug_option
def diff(submission_id: str, from_id, to_id, lang: str, db, debug: bool) -> None:
    """Which findings of a submission were fixed and which are new between two checks."""

    def run():
        from compliance.registry.diff import diff_checks

        registry = open_registry(db, create=False)
        rows = _history_or_fail(registry, submission_id)
        ids = [r.id for r in rows]
        for given, opt in ((from_id, "--from"), (to_id, "--to")):
            if given is not None and given not in ids:
                fail(f"check {given} is not a check of {_safe(submission_id)}", f"{opt} takes one of: "
                     + ", ".join(map(str, ids)))
        after = to_id if to_id is not None else ids[-1]
        earlier = [i for i in ids if i < after] if from_id is None else [from_id]
        if not earlier:
            fail(f"{_safe(submission_id)} has only one check (#{after}) up to there: nothing to compare",
                 "re-check the resubmission with `compliance batch`, then run diff again")
        before = earlier[-1]
        d = diff_checks(before, registry.stored_json(before) or {}, after, registry.stored_json(after) or {})
        by_id = {r.id: r for r in rows}
        for label, cid in (("from", before), ("to", after)):
            r = by_id[cid]
            click.echo(f"{label} check #{cid}  {r.checked_at:%Y-%m-%d %H:%M}  "
                       f"{r.verdict or 'error: ' + _safe(r.error_message)}  rules {r.rules_version}")
        for change, title in (("new", "new findings"), ("changed", "changed"), ("open", "still open"),
                              ("fixed", "fixed")):
            items = d.of(change)
            click.echo(f"\n{title} ({len(items)})")
            for c in items:
                move = f"{c.before or '—'} → {c.after or '—'}"
                figures = ""
                if c.measured_before is not None or c.measured_after is not None:
                    figures = f"  [{_num(c.measured_before)} → {_num(c.measured_after)} {c.unit or ''}]"
                click.echo(f"  {c.what:<18} {move:<30}{figures}")
                for text in ([c.message] if lang == "en" else [c.message_zh] if lang == "zh" else [c.message_zh, c.message]):
                    click.echo(f"      {_safe(text)}")
        n_new, n_fixed = len(d.of("new")), len(d.of("fixed"))
        click.echo(f"\n{n_fixed} fixed, {n_new} new, {len(d.of('changed'))} changed, {len(d.of('open'))} still open")
        return 0

    sys.exit(guarded(debug, piped(run)))


def _num(x) -> str:
    return "—" if x is None else f"{x:,.2f}".rstrip("0").rstrip(".")


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="district.pdf, district.json or district.html; a folder ending in / gets pdf and json; - for "
                   "standard output (json, html; pdf when piped). Default: a table on standard output.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "json", "html"]), default=None,
              help="Output format (default: from -o's extension).")
@as_of_option("Count submissions filed on or before this date (default: today).")
@lang_option
@db_option
@rules_option(help="Folder of rule files (its district/targets.yaml holds the targets).")
@debug_option
def district(output, fmt, as_of, lang, db, rules_dir, debug) -> None:
    """The district's progress toward the plan's targets, added up from approved submissions.

    A submission is approved when its latest check in the registry is compliant. Figures that
    are missing or uncertain are listed, not guessed: the totals are then lower bounds.

    \b
    Example:
      compliance district -o district.pdf
    """
    targets = _district_outputs(output, fmt)
    if [f for f, _ in targets] == ["json"]:
        errors_as_json(targets[0][1])

    def run():
        from compliance.district.collect import district_report
        from compliance.district.render import render

        report = district_report(open_registry(db, create=False), rules_dir, as_of.date() if as_of else date.today())
        if not targets:
            _print_district(report)
            return 0
        data = [(f, path, render(f, report, lang)) for f, path in targets]     # all rendered before any written
        for f, path, blob in data:
            emit(blob, path, f"district {f}")
        return 0

    sys.exit(guarded(debug, piped(run)))


def _district_outputs(output: Path | None, fmt: str | None) -> list[tuple[str, Path | None]]:
    if output is None or str(output) == "-":         # to standard output
        if fmt == "pdf" and (output is None or sys.stdout.isatty()):
            fail("a PDF needs a file, or a pipe: pass -o district.pdf", "or -o - | ... to pipe it", kind="usage error")
        if output is not None and fmt is None:
            fail("-o - writes to standard output: say in which format", "pass --format json, html or pdf",
                 kind="usage error")
        return [(fmt, None)] if fmt else []
    if str(output).endswith(("/", "\\")) or output.is_dir():
        return [(f, output / f"district.{f}") for f in ([fmt] if fmt else ["pdf", "json"])]
    chosen = fmt or {".pdf": "pdf", ".json": "json", ".html": "html", ".htm": "html"}.get(output.suffix.lower())
    if chosen is None:
        fail(f"{output}: cannot tell the format from the extension '{output.suffix}'",
             "use .pdf, .json or .html, or pass --format", kind="usage error")
    return [(chosen, output)]


def _print_district(report) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = wide_console()
    console.print(Text(f"{report.title.en} — as of {report.as_of}; {report.approved} approved of "
                       f"{report.submissions} submissions in {report.registry}"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("target", "clause", "what", "achieved", "target ", "progress", "counted", "not counted", "excluded"):
        table.add_column(name, overflow="fold", no_wrap=name != "what",
                         justify="right" if name in ("achieved", "target ", "progress") else "left")
    for t in report.targets:
        unit = "" if t.display_unit == "count" else f" {t.display_unit}"

        def shown(x: float, t=t, unit=unit) -> str:
            return f"{x / t.display_scale:,.3f}".rstrip("0").rstrip(".") + unit
        achieved = shown(t.achieved) if t.measure == "sum" or t.denominator else "— (none in scope)"
        table.add_row(t.id, t.clause, Text(t.title.en), achieved, shown(t.target),
                      Text(f"{t.progress_pct:.1f} %", style="green" if t.met else "yellow"),
                      str(len(t.contributions)), str(len(t.not_counted)), str(len(t.excluded)))
    console.print(table)
    if any(t.not_counted for t in report.targets):
        console.print(Text("Totals with submissions not counted are lower bounds; `-o district.pdf` lists them "
                           "with the reason."))
    for f in report.findings:          # implausible figures: in no total
        console.print(Text(f"implausible: {f.submission_id} {f.figure} = {f.value:g} {f.unit}: {f.text.en}",
                           style="red"))
