"""One submission through the whole pipeline: read -> derive -> evaluate -> Verdict."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from . import __version__
from .context import RunContext
from .derive.crosscheck import crosscheck
from .derive.district import district_figures
from .derive.metrics import Derivation
from .derive.green import claim_findings
from .derive.identity import counted_figures, identity_findings
from .derive.submitted import check_dates, duplicate_model_notes, metadata_notes
from .derive.suspects import suspect_findings
from .derive.pv import COUNTED, PLACEMENT, PanelPlacement, panel_placement, placement_findings
from .evaluate.compile import CompiledRules, compile_ruleset
from .evaluate.evaluator import evaluate
from .evaluate.results import InputFile, RuleResult, SubmissionRef, Verdict, cited_elements, overall_verdict
from .read.metadata import Submission, load_submission
from .read.model import conventions_for, read_model
from .read.records import ModelFacts
from .ruleset.loader import RuleSet, load_ruleset


def ruleset_for(ctx: RunContext) -> tuple[RuleSet, CompiledRules]:
    """The run's rule set, loaded and compiled once per run."""
    if ctx.rules_dir not in ctx.rulesets:
        conventions_for(ctx)                   # a broken conventions file stops the run here, once
        ruleset = load_ruleset(ctx.rules_dir)
        ctx.rulesets[ctx.rules_dir] = (ruleset, compile_ruleset(ruleset))
    return ctx.rulesets[ctx.rules_dir]


def evaluate_models(ruleset: RuleSet, meta: Submission, models: list[ModelFacts], as_of: date,
                    compiled: CompiledRules | None = None, findings=(), lines: dict | None = None,
                    metadata_file: str = "submission.yaml",
                    derivation: Derivation | None = None) -> tuple[RuleResult, ...]:
    """Derive the metrics each rule asks for from `models` and the metadata; evaluate every rule."""
    derivation = derivation or derivation_for(ruleset, meta, models, findings, lines, metadata_file)
    return evaluate(ruleset, meta,
                    lambda c: derivation.metric(c.metric, basis=getattr(c, "basis", None), of=c.of),
                    as_of, compiled)


def derivation_for(ruleset: RuleSet, meta: Submission, models: list[ModelFacts], findings=(),
                   lines: dict | None = None, metadata_file: str = "submission.yaml",
                   shared: dict | None = None, conventions=None) -> Derivation:
    return Derivation(models, findings=findings, meta=meta, lines=lines, params=ruleset.values(),
                      metadata_file=metadata_file, shared=shared, conventions=conventions)


def submission_findings(loaded, models: list[ModelFacts], ruleset: RuleSet,
                        placement: PanelPlacement | None = None, counted=None, conventions=None) -> list:
    """Findings about the submission as a whole: the same model listed twice, model vs metadata,
    panel placement, copies and overlaps (identity.py), suspects, claims. `conventions`: the run's
    recognition conventions (None: the project's)."""
    params = ruleset.values()
    counted = counted or counted_figures(models)
    placement = placement or panel_placement(models, list(counted.panels))
    return (duplicate_model_notes(models, loaded.metadata_file.name)
            + crosscheck(loaded, models, params, counted) + placement_findings(models, placement)
            + identity_findings(models, counted, conventions) + suspect_findings(models)
            + claim_findings(loaded.meta, params, loaded.metadata_file.name, loaded.lines))


def check_submission(folder: Path, ctx: RunContext, as_of: date | None = None) -> Verdict:
    ctx.step("reading the rule set and submission.yaml")
    ruleset, compiled = ruleset_for(ctx)
    settings = ruleset.settings
    loaded = load_submission(Path(folder), uses=set(settings.uses), zones=set(settings.zones))
    meta = loaded.meta
    _check_exemptions(loaded, ruleset)
    when, today = as_of or meta.filed_on, date.today()
    first = min((r.applies.effective_from for r in ruleset.rules), default=None)
    check_dates(loaded, when, first, as_of is not None, today)
    models = []
    for n, path in enumerate(loaded.model_paths):
        ctx.step(f"reading model {path.name} and computing its geometry", n, len(loaded.model_paths))
        models.append(read_model(path, ctx))
    ctx.step("deriving figures and evaluating the rules")
    counted = counted_figures(models)            # the findings and the PV metrics both weigh these
    placement = panel_placement(models, list(counted.panels))
    findings = (metadata_notes(loaded, when, today, first, as_of is not None)
                + submission_findings(loaded, models, ruleset, placement, counted, conventions_for(ctx)))
    derivation = derivation_for(ruleset, meta, models, findings, loaded.lines, loaded.metadata_file.name,
                                shared={PLACEMENT: placement, COUNTED: counted}, conventions=conventions_for(ctx))
    results = evaluate_models(ruleset, meta, models, when, compiled, derivation=derivation)
    notes = tuple(n for m in models for n in m.notes) + tuple(findings)
    return Verdict(
        submission=SubmissionRef(id=meta.id, name=meta.name, name_en=meta.name_en, kind=meta.kind,
                                 use=meta.use, use_label=settings.uses[meta.use].label,
                                 public_institution=meta.public_institution, zone=meta.zone,
                                 zone_label=settings.zones[meta.zone] if meta.zone else None,
                                 applicant=meta.applicant, gross_floor_area_m2=meta.gross_floor_area_m2,
                                 filed_on=meta.filed_on),
        as_of=when, rules_version=ruleset.version, ruleset_name=settings.name,
        verdict=overall_verdict(results), results=results,
        models=tuple(m.info for m in models), notes=notes, elements=cited_elements(results, notes, models),
        inputs=_inputs(loaded, models, ctx), district=district_figures(derivation),
        tool_version=__version__, generated_at=datetime.now(timezone.utc).replace(microsecond=0),
    )


def _inputs(loaded, models: list[ModelFacts], ctx: RunContext) -> tuple[InputFile, ...]:
    meta_file = loaded.metadata_file
    return ((InputFile(role="metadata", file=meta_file.name, sha256=ctx.sha256(meta_file),
                       size_bytes=meta_file.stat().st_size),)
            + tuple(InputFile(role="model", file=m.info.file, sha256=m.info.sha256, size_bytes=m.info.size_bytes)
                    for m in models))


def _check_exemptions(loaded, ruleset: RuleSet) -> None:
    """An exemption from a rule the rule set does not have is a typo, not a claim to ignore."""
    from .errors import InputError

    known = {r.id for r in ruleset.rules}
    for rule_id in loaded.meta.exemptions:
        if rule_id not in known:
            raise InputError(f"submission metadata: exemption from unknown rule '{rule_id}'",
                             file=loaded.metadata_file, line=loaded.line_of(f"exemptions.{rule_id}"),
                             hint="use a rule id from `compliance rules list`")
