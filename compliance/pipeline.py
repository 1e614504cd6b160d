"""One submission through the whole pipeline: read -> derive -> evaluate -> Verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from .build import build_identity
from .context import RunContext
from .derive.buildings import building_units
from .derive.crosscheck import crosscheck
from .derive.district import district_figures
from .derive.green import claim_findings
from .derive.identity import counted_figures, identity_findings
from .derive.metrics import Derivation
from .derive.pv import COUNTED, PLACEMENT, PanelPlacement, panel_placement, placement_findings
from .derive.submitted import check_dates, duplicate_model_notes, metadata_notes
from .derive.suspects import suspect_findings
from .evaluate.buildings import judge_buildings
from .evaluate.compile import CompiledRules, compile_ruleset
from .evaluate.results import (
    BuildingRef,
    InputFile,
    RuleResult,
    SubmissionRef,
    Verdict,
    cited_elements,
    overall_verdict,
)
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


@dataclass(frozen=True)
class Judged:
    """A submission judged building by building."""

    results: tuple[RuleResult, ...]
    units: list                              # derive.buildings.BuildingUnit
    findings: list                           # about the buildings (public institution, assignment)
    derivation: Derivation                   # the submission as a whole (district figures)


def judge_submission(ruleset: RuleSet, meta: Submission, models: list[ModelFacts], as_of: date,
                     compiled: CompiledRules | None = None, findings=(), lines: dict | None = None,
                     metadata_file: str = "submission.yaml", shared: dict | None = None,
                     conventions=None, wrap=None) -> Judged:
    """Split the submission into its buildings (derive/buildings.py), derive each building's figures
    and judge every rule per building (evaluate/buildings.py). `shared`: figures already computed
    for the submission's models as a whole (Inputs.memo keys); `wrap`: applied to each building's
    Derivation (a Gherkin scenario's stated doubts)."""
    compiled = compiled or compile_ruleset(ruleset)
    units, about = building_units(meta, models, ruleset.settings, metadata_file, lines)
    findings = list(findings) + about
    whole_meta = meta.model_copy(update={"public_institution": any(u.public_institution for u in units)})
    whole = derivation_for(ruleset, whole_meta, models, findings, lines, metadata_file, shared=shared,
                           conventions=conventions)
    derivations = []
    for u in units:
        if u.implicit:
            derivations.append(whole)
            continue
        own: list = []
        if u.models is not models:           # one building of several: its own declared figures
            own = _building_crosscheck(ruleset, u, metadata_file)
            about += own
        seen = findings if u.models is models else [n for n in findings if not (n.field or "").startswith("declared.")]
        assert u.meta is not None            # building_units gives every building its meta
        derivations.append(derivation_for(ruleset, u.meta, u.models, seen + own, u.lines, metadata_file,
                                          shared=shared if u.models is models else None, conventions=conventions))
    if wrap is not None:
        derivations = [wrap(d) for d in derivations]
    results = judge_buildings(ruleset, compiled, units, derivations, as_of)
    return Judged(results, units, about, whole)


def _building_crosscheck(ruleset: RuleSet, unit, metadata_file: str) -> list:
    """One building of several: its own declared figures against its own elements, each finding naming
    the building. (The submission's declared figures against all the models are not its findings: a
    building reads only its own `declared`.)"""
    from .read.metadata import LoadedSubmission

    view = LoadedSubmission(folder=Path("."), metadata_file=Path(metadata_file), meta=unit.meta, model_paths=[],
                            lines=unit.lines)
    return [n.model_copy(update={"message": f"building '{unit.id}': {n.message}",
                                 "message_zh": f"楼栋 {unit.name}：{n.message_zh}"})
            for n in crosscheck(view, unit.models, ruleset.values())]


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


@dataclass(frozen=True)
class StoredInputs:
    """A filing checked again from the facts store (registry/facts.py): its submission.yaml is in the
    folder, its models are not; their facts are here, in the order the metadata lists them, with
    the input files the stored check recorded."""

    models: tuple[ModelFacts, ...]
    inputs: tuple[InputFile, ...]


def check_submission(folder: Path, ctx: RunContext, as_of: date | None = None,
                     stored: StoredInputs | None = None) -> Verdict:
    ctx.step("reading the rule set and submission.yaml")
    ruleset, compiled = ruleset_for(ctx)
    settings = ruleset.settings
    loaded = load_submission(Path(folder), uses=set(settings.uses), zones=set(settings.zones),
                             models_present=stored is None)
    meta = loaded.meta
    _check_exemptions(loaded, ruleset)
    when, today = as_of or meta.filed_on, date.today()
    first = min((r.applies.effective_from for r in ruleset.rules), default=None)
    check_dates(loaded, when, first, as_of is not None, today)
    models = _stored_models(loaded, stored) if stored is not None else []
    for n, path in enumerate(loaded.model_paths if stored is None else ()):
        ctx.step(f"reading model {path.name} and computing its geometry", n, len(loaded.model_paths))
        models.append(read_model(path, ctx))
    ctx.step("deriving figures and evaluating the rules")
    counted = counted_figures(models)            # the findings and the PV metrics both weigh these
    placement = panel_placement(models, list(counted.panels))
    findings = (metadata_notes(loaded, when, today, first, as_of is not None)
                + submission_findings(loaded, models, ruleset, placement, counted, conventions_for(ctx)))
    judged = judge_submission(ruleset, meta, models, when, compiled, findings, loaded.lines,
                              loaded.metadata_file.name, shared={PLACEMENT: placement, COUNTED: counted},
                              conventions=conventions_for(ctx))
    results = judged.results
    notes = tuple(n for m in models for n in m.notes) + tuple(findings) + tuple(judged.findings)
    assert meta.use is not None
    whole = judged.derivation.inputs.meta     # the submission as a whole, as its rules read it
    assert isinstance(whole, Submission)      # judge_submission derives it from one (Inputs.meta is an object)
    return Verdict(
        submission=SubmissionRef(id=meta.id, name=meta.name, name_en=meta.name_en, kind=meta.kind,
                                 use=meta.use, use_label=settings.uses[meta.use].label,
                                 public_institution=whole.public_institution,
                                 zone=meta.zone, zone_label=settings.zones[meta.zone] if meta.zone else None,
                                 applicant=meta.applicant, gross_floor_area_m2=_total_area(meta, judged.units),
                                 filed_on=meta.filed_on, buildings=building_refs(judged.units, settings)),
        as_of=when, rules_version=ruleset.version, ruleset_name=settings.name,
        rules_publication=ruleset.publication.version if ruleset.publication else None,
        rules_effective_from=ruleset.publication.effective_from if ruleset.publication else None,
        verdict=overall_verdict(results), results=results,
        models=tuple(m.info for m in models), notes=notes, elements=cited_elements(results, notes, models),
        inputs=_stored_inputs(stored, models) if stored is not None else _inputs(loaded, models, ctx), district=district_figures(judged.derivation),
        tool_version=build_identity(), generated_at=datetime.now(timezone.utc).replace(microsecond=0),
    )


def _total_area(meta: Submission, units: list) -> float | None:
    """The submission's gross floor area: as filed, else the sum of its buildings' (when all are known)."""
    if meta.gross_floor_area_m2 is not None or not meta.buildings:
        return meta.gross_floor_area_m2
    areas = [u.gross_floor_area_m2 for u in units]
    return None if None in areas else round(sum(areas), 2)


def building_refs(units: list, settings) -> tuple[BuildingRef, ...]:
    labels = {u: spec.label for u, spec in settings.uses.items()}
    return tuple(BuildingRef(id=u.id, name=u.name, label=u.label(labels), uses=tuple(p.use for p in u.parts),
                             gross_floor_area_m2=u.gross_floor_area_m2, public_institution=u.public_institution,
                             public_institution_doubt=u.pi_doubt) for u in units)


def _stored_models(loaded, stored: StoredInputs) -> list[ModelFacts]:
    """The stored facts in the order submission.yaml lists the models (matched by file name)."""
    from .errors import InputError

    names = [p.name for p in loaded.model_paths]
    by_name: dict[str, list[ModelFacts]] = {}
    for m in stored.models:
        by_name.setdefault(m.info.file, []).append(m)
    if sorted(m.info.file for m in stored.models) != sorted(names):
        raise InputError("the stored facts do not match the models submission.yaml lists "
                         f"({', '.join(names) or 'none'})", file=loaded.metadata_file,
                         hint="check the submission again from its files")
    return [by_name[name].pop(0) for name in names]


def _stored_inputs(stored: StoredInputs, models: list[ModelFacts]) -> tuple[InputFile, ...]:
    """The stored check's input files as a check lists them: the metadata file, then each model's."""
    order = {(m.info.file, m.info.sha256): n for n, m in enumerate(models)}
    return tuple(sorted(stored.inputs, key=lambda i: -1 if i.role == "metadata" else order.get((i.file, i.sha256),
                                                                                                 len(order))))


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
