"""What every command shares: one clear message and exit status 2 on failure, never a traceback
(unless --debug), output written atomically, the common options."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from compliance.bundled import bundled, default_rules

# the checker's own folders, from a checkout or from an installed wheel (compliance/bundled.py)
DEFAULT_RULES = default_rules()
DEFAULT_FEATURES = bundled("features")
DEFAULT_SAMPLES = bundled("ifc_samples")
EXIT_CANNOT_CHECK = 2


def fail(message: str, hint: str | None = None, *, kind: str = "error", error: dict | None = None) -> NoReturn:
    """One message (and a hint) on stderr, then exit 2. Both may quote submitted text (a file name,
    a YAML value): its control characters are shown as [U+001B] and the like, never obeyed; a NUL
    and a name that is not UTF-8 as compliance/safe_text.py shows them. A command writing JSON
    (errors_as_json) also gets the JSON error object where its JSON would have gone: `kind`, and
    `error` (file, line, message without them, message_zh, hint_zh) when the failure has them."""
    from compliance.report.labels import visible_controls
    from compliance.safe_text import safe_text

    click.echo(f"error: {visible_controls(safe_text(str(message)))}", err=True)
    if hint:
        click.echo(f"  hint: {visible_controls(safe_text(str(hint)))}", err=True)
    _json_error({"kind": kind, "message": str(message), "hint": hint, **(error or {})})
    sys.exit(EXIT_CANNOT_CHECK)


JSON_ERRORS = "compliance.json_errors"      # click context meta: where this command's JSON error object goes


def errors_as_json(target: Path | str | None) -> None:
    """From now on, a failure of this command also writes the JSON error object (report/error_json.py)
    where its JSON would have gone: None or "-" standard output; else the file `target`, replacing an
    earlier run's document (never mistaken for this run's) when its folder exists (no folder is made
    for an error)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[JSON_ERRORS] = None if target is None or str(target) == "-" else Path(target)


def _json_error(fields: dict) -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is None or JSON_ERRORS not in ctx.meta:
        return
    target = ctx.meta.pop(JSON_ERRORS)                  # once, whatever happens below
    try:
        from compliance.report.error_json import render_error

        names, at = [], ctx
        while at.parent is not None:                    # `rules lint`, without the program's own name
            names.append(at.info_name or "")
            at = at.parent
        data = render_error(command=" ".join(reversed(names)), **fields)
        if target is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        elif target.parent.is_dir():
            from compliance.report import write_atomic

            write_atomic(target, data)
    except Exception:  # noqa: BLE001 — the message on stderr and the exit status say it already
        pass


def emit(data: bytes, output: Path | None, done: str) -> None:
    """Bytes to standard output (`output` None or "-"), or atomically to `output` with a one-line note
    on stderr (its missing folders made)."""
    from compliance.report import write_atomic

    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(output, data)
        click.echo(f"{done} written to {output}", err=True)


def guarded(debug: bool, action):
    """Run `action`; turn every failure into one clear message and exit status 2."""
    from compliance.errors import ComplianceError

    try:
        return action()
    except ComplianceError as exc:
        if debug and exc.__cause__ is not None:      # e.g. the reader's error behind "does not follow its schema"
            import traceback

            traceback.print_exception(exc.__cause__)
        where = exc.location()
        fail(f"{where}: {exc.message}" if where else exc.message, exc.hint, kind=exc.kind,
             error={"message": exc.message, "file": exc.file, "line": exc.line, "message_zh": exc.message_zh,
                    "hint_zh": exc.hint_zh})
    except KeyboardInterrupt:
        fail("interrupted; no verdict was written", kind="interrupted")
    except Exception as exc:  # the last line of defence: no traceback as user interface
        if debug:
            raise
        fail(f"internal error ({type(exc).__name__}: {exc}); no verdict was issued",
              "run again with --debug and send the output to the checker's maintainers", kind="internal error")


class FormatList(click.ParamType):
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


def lang_option(f):
    return click.option("--lang", type=click.Choice(["both", "zh", "en"]), default="both", show_default=True,
                        help="Report language: both (Chinese first, English beside), zh or en.")(f)


def rules_option(f=None, *, help: str = "Folder of rule files."):
    """--rules FOLDER; as @rules_option, or @rules_option(help=...)."""
    option = click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=DEFAULT_RULES,
                          show_default=True, help=help)
    return option(f) if f is not None else option


def as_of_option(help: str):
    """--as-of YYYY-MM-DD (a datetime; commands take .date())."""
    return click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help=help)


def features_option(f):
    return click.option("--features", "features_dir", type=click.Path(path_type=Path), default=DEFAULT_FEATURES,
                        show_default=True, help="Folder of Gherkin .feature files (scenarios tagged @rule:ID).")(f)


def piped(action):
    """`action`, ending quietly when the reader of standard output goes away (`| head`)."""
    def run():
        try:
            return action()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    return run


def debug_option(f):
    return click.option("--debug", is_flag=True, help="Show internal tracebacks.")(f)


def need_folder(path: Path, what: str, option: str) -> None:
    if not path.is_dir():
        from compliance.ruleset.describe import rel

        fail(f"{rel(path)}: {what} not found", f"pass {option} with an existing folder")


def load_rules(rules_dir: Path):
    from compliance.ruleset.loader import load_ruleset

    need_folder(rules_dir, "rules folder", "--rules")
    return load_ruleset(rules_dir)


def feature_index(features_dir: Path):
    from compliance.ruleset.scenarios import index_features

    return index_features(features_dir) if features_dir.is_dir() else None


def known_rule_ids(ruleset, ids) -> list[str]:
    """The rule ids asked for (any case); an unknown one exits 2 naming close matches."""
    from compliance.ruleset.describe import close_matches, rel

    known = {r.id.upper(): r.id for r in ruleset.rules}
    out = []
    for rule_id in ids:
        if rule_id.upper() not in known:
            near = close_matches(rule_id, known.values())
            fail(f"{rel(ruleset.directory)}: no rule '{rule_id}' in this rule set ({len(known)} rules)",
                  f"did you mean {', '.join(near)}?" if near else "see `compliance rules list`")
        out.append(known[rule_id.upper()])
    return out


UNWRAPPED_WIDTH = 100_000       # wider than any line a table or a message makes


def console(stderr: bool = False):
    """A rich console; when the output is not a terminal (a file, a pipe, a log) nothing is wrapped,
    folded or cut: a table takes the width its content needs and every line goes out whole, so a
    tool reading the output sees one row per line (and no colour codes)."""
    from rich.console import Console

    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(stderr=stderr, width=UNWRAPPED_WIDTH, soft_wrap=True,
                                                   no_color=True)


def shown_url(url: str) -> str:
    """A registry URL without its password (the registry module is imported only when used)."""
    from compliance.registry.store import shown_url as shown

    return shown(url)



def limits_option(f):
    """--max-model-mb and --time-limit, given to the command as one `limits` (limits.Limits)."""
    import functools

    from compliance.limits import MAX_MODEL_MB, TIME_LIMIT_S

    @functools.wraps(f)
    def with_limits(*args, max_model_mb: float, time_limit: float, **kwargs):
        from compliance.limits import Limits

        return f(*args, limits=Limits(max_model_mb=max_model_mb or None, time_limit_s=time_limit or None), **kwargs)

    with_limits = click.option("--time-limit", type=click.FloatRange(min=0), default=TIME_LIMIT_S, show_default=True,
                               metavar="SECONDS",
                               help="Stop checking a submission after this long, with a message (0: no limit).")(with_limits)
    return click.option("--max-model-mb", type=click.FloatRange(min=0), default=MAX_MODEL_MB, show_default=True,
                        metavar="MB", help="Refuse a model file larger than this, with a message (0: no limit).")(with_limits)


def bcf_options(f):
    """--bcf-version and --previous (the BCF reports' options), given to the command as one `bcf`
    (BcfChoice); `bcf.render_options()` reads --previous (an unreadable file: one InputError)."""
    import functools

    @functools.wraps(f)
    def with_bcf(*args, bcf_version: str, previous: Path | None, **kwargs):
        return f(*args, bcf=BcfChoice(version=bcf_version, previous=previous), **kwargs)

    with_bcf = click.option("--previous", type=click.Path(path_type=Path, dir_okay=False), default=None,
                            metavar="OLD.bcf",
                            help="The BCF issued before for this submission: its topics fixed since are closed "
                                 "(with a comment), returning ones reopened, instead of dropped.")(with_bcf)
    return click.option("--bcf-version", type=click.Choice(["2.1", "3.0"]), default="2.1", show_default=True,
                        help="BCF-XML version of a bcf report (3.0 always has a camera).")(with_bcf)


class BcfChoice:
    """What --bcf-version and --previous asked for."""

    def __init__(self, version: str, previous: Path | None) -> None:
        self.version = version
        self.previous = previous

    def refuse_without(self, formats) -> None:
        """--previous updates a BCF report: without one it is a usage error."""
        if self.previous is not None and "bcf" not in formats:
            fail(f"--previous {self.previous} updates a BCF report, and none is written",
                 "add --format bcf (or -o FILE.bcf), or leave out --previous", kind="usage error")

    def render_options(self) -> dict:
        """report.render's options: the version, and the previous BCF read (before any checking)."""
        previous = None
        if self.previous is not None:
            from compliance.report.bcf.previous import read_previous

            previous = read_previous(self.previous)
        return {"bcf": {"version": self.version, "previous": previous}}
