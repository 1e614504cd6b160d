"""`compliance rules lint`: every problem of a rule folder and its Gherkin scenarios, located.

Pure functions: they read the files and return `LintProblem`s (file, line, message, hint);
the CLI prints them. Besides everything the loader reports (schema, unknown metric or
parameter, bad date, duplicated id, ...):

- overlap: two rules of the same kind on the same metric that can apply to one submission,
  neither naming the other in `refines` (the submission would be judged twice) -> error;
- contradiction: two rules (any kind, `refines` or not) on the same metric that can apply to
  one submission and whose requirements no value meets together -> error;
- a rule no scenario is tagged `@rule:ID` for -> error; a tag naming no rule -> warning;
- a `refines` between rules that never overlap -> warning;
- an interpretation that does not name the rule's window dates (zh 2022年12月31日, en 2022-12-31)
  -> warning (`window`: rules/_settings.yaml `dates` holds the reading of the plan's time words).

Applicability is read as a union of boxes (one per `either` alternative): kinds x use classes
(groups expanded) x public-institution flag x zones (no list: every zone and none) x the date
window x an interval per `where` figure. Two rules overlap when two of their boxes meet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal, Optional

from .describe import INTEGER_UNITS, OP_SIGN, comparison_text, metric_name, number

NO_ZONE = None
FAR_FUTURE = date.max


@dataclass(frozen=True)
class LintProblem:
    severity: Literal["error", "warning"]
    code: str                        # schema, overlap, contradiction, no-scenario, unknown-tag, refines, gherkin
    file: str
    line: Optional[int]
    message: str
    hint: Optional[str] = None

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class LintReport:
    problems: list[LintProblem] = field(default_factory=list)
    ruleset: object = None           # the RuleSet (what could be loaded), or None
    index: object = None             # the ScenarioIndex

    @property
    def errors(self) -> list[LintProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[LintProblem]:
        return [p for p in self.problems if p.severity == "warning"]


# -- intervals and applicability boxes -------------------------------------------------------

@dataclass(frozen=True)
class Interval:
    lo: float = -math.inf
    lo_open: bool = False
    hi: float = math.inf
    hi_open: bool = False
    integer: bool = False

    @classmethod
    def of(cls, op: str, value: float, integer: bool = False) -> "Interval":
        v = float(value)
        return {">=": cls(lo=v), ">": cls(lo=v, lo_open=True), "<=": cls(hi=v), "<": cls(hi=v, hi_open=True),
                "==": cls(lo=v, hi=v)}[op].with_integer(integer)

    def with_integer(self, integer: bool) -> "Interval":
        return replace(self, integer=integer)

    def meet(self, other: "Interval") -> "Interval":
        lo, lo_open = max((self.lo, self.lo_open), (other.lo, other.lo_open))
        hi, closed = min((self.hi, not self.hi_open), (other.hi, not other.hi_open))
        return Interval(lo, lo_open, hi, not closed, self.integer or other.integer)

    @property
    def empty(self) -> bool:
        if self.integer:
            lo = -math.inf if self.lo == -math.inf else (math.floor(self.lo) + 1 if self.lo_open else math.ceil(self.lo))
            hi = math.inf if self.hi == math.inf else (math.ceil(self.hi) - 1 if self.hi_open else math.floor(self.hi))
            return lo > hi
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))


def metric_key(comp, specs: dict) -> tuple:
    """What a comparison measures: the metric, its area basis (default filled in) and `of` selector."""
    spec = specs.get(comp.metric)
    basis = getattr(comp, "basis", None)
    if basis is None and spec is not None and "basis" in spec.params:
        basis = spec.params["basis"][0]
    return comp.metric, basis, frozenset(comp.of) if comp.of else None


@dataclass(frozen=True)
class Box:
    kinds: frozenset
    uses: frozenset
    institution: frozenset           # of True / False
    zones: frozenset                 # zone names, NO_ZONE for a submission without a zone
    start: date
    end: date
    where: tuple                     # ((metric key, Interval), ...)

    def meet(self, other: "Box") -> Optional["Box"]:
        kinds, uses = self.kinds & other.kinds, self.uses & other.uses
        inst, zones = self.institution & other.institution, self.zones & other.zones
        start, end = max(self.start, other.start), min(self.end, other.end)
        if not (kinds and uses and inst and zones) or start > end:
            return None
        where = dict(self.where)
        for key, iv in other.where:
            where[key] = where[key].meet(iv) if key in where else iv
        if any(iv.empty for iv in where.values()):
            return None
        return Box(kinds, uses, inst, zones, start, end, tuple(where.items()))

    def example(self) -> str:
        """A submission both rules would judge, in words."""
        kind = sorted(self.kinds)[0]
        use = sorted(self.uses)[0]
        more = f" (or {len(self.uses) - 1} other use{'s' if len(self.uses) > 2 else ''})" if len(self.uses) > 1 else ""
        inst = "" if len(self.institution) == 2 else (" public-institution" if True in self.institution else " non-institution")
        zones = sorted(z for z in self.zones if z is not NO_ZONE)
        zone = "" if NO_ZONE in self.zones else f" in zone {zones[0]}"
        wheres = [f"{metric_name_of(k)} {_iv_text(iv)}" for k, iv in self.where]
        text = f"a {kind}{inst} {use}{more} submission{zone} judged on {self.start.isoformat()}"
        return text + (" with " + " and ".join(wheres) if wheres else "")


def metric_name_of(key: tuple) -> str:
    name, basis, of = key
    return name + (f"[{', '.join(sorted(of))}]" if of else "") + (f" ({basis})" if basis and basis != "projected" else "")


def _iv_text(iv: Interval) -> str:
    parts = []
    if iv.lo != -math.inf:
        parts.append(f"{'>' if iv.lo_open else '≥'} {number(iv.lo)}")
    if iv.hi != math.inf:
        parts.append(f"{'<' if iv.hi_open else '≤'} {number(iv.hi)}")
    return " and ".join(parts) or "any value"


def boxes(rule, ruleset, specs: dict) -> list[Box]:
    """The rule's applicability as boxes: a submission is in scope if it is in one of them."""
    a, s = rule.applies, ruleset.settings
    kinds = frozenset(a.kind or ("new", "retrofit"))
    uses = frozenset(ruleset.uses_of(rule))
    inst = frozenset([a.public_institution] if a.public_institution is not None else [True, False])
    zones = frozenset(list(s.zones) + [NO_ZONE]) if a.zones is None else frozenset(a.zones)
    where: dict = {}
    for w in a.where:
        key = metric_key(w, specs)
        iv = Interval.of(w.op, w.number, w.unit in INTEGER_UNITS)
        where[key] = where[key].meet(iv) if key in where else iv
    base = Box(kinds, uses, inst, zones, a.effective_from, a.effective_until or FAR_FUTURE, tuple(where.items()))
    if any(iv.empty for iv in where.values()):
        return []
    if not a.either:
        return [base] if kinds and uses and zones else []
    out = []
    for alt in a.either:
        alt_uses = frozenset(ruleset.uses_of(alt))
        alt_inst = frozenset([alt.public_institution] if alt.public_institution is not None else [True, False])
        box = base.meet(replace(base, uses=alt_uses, institution=alt_inst))
        if box is not None:
            out.append(box)
    return out


def common_scope(a_boxes: list[Box], b_boxes: list[Box]) -> Optional[Box]:
    for x in a_boxes:
        for y in b_boxes:
            met = x.meet(y)
            if met is not None:
                return met
    return None


def requirement_intervals(rule, specs: dict) -> dict[tuple, list[tuple[int, Interval]]]:
    out: dict[tuple, list] = {}
    for i, req in enumerate(rule.requirements):
        out.setdefault(metric_key(req, specs), []).append((i, Interval.of(req.op, req.number, req.unit in INTEGER_UNITS)))
    return out


# -- the checks ---------------------------------------------------------------------------------

def _rel(path) -> str:
    from .describe import rel
    return rel(path)


def _req_path(rule, i: int) -> tuple:
    return ("requires", i, "metric") if isinstance(rule.requires, list) else ("requires", "metric")


def _at(ruleset, rule, path: tuple) -> tuple[str, Optional[int]]:
    return _rel(ruleset.files[rule.id]), ruleset.line_of(rule.id, path)


def pair_problems(ruleset, specs: dict) -> list[LintProblem]:
    """Overlaps, contradictions and refines that overlap nothing, for every pair of rules."""
    problems: list[LintProblem] = []
    rules = list(ruleset.rules)
    scopes = {r.id: boxes(r, ruleset, specs) for r in rules}
    reqs = {r.id: requirement_intervals(r, specs) for r in rules}
    for r in rules:                                         # a rule no value can pass
        for key, items in reqs[r.id].items():
            total = items[0][1]
            for _, iv in items[1:]:
                total = total.meet(iv)
            if len(items) > 1 and total.empty:
                file, line = _at(ruleset, r, _req_path(r, items[-1][0]))
                problems.append(LintProblem("error", "contradiction", file, line,
                                            f"contradiction: rule {r.id}'s own requirements on {metric_name_of(key)} "
                                            "cannot all be met: it can never pass",
                                            "correct the thresholds"))
        if not scopes[r.id]:
            file, line = _at(ruleset, r, ("applies",))
            problems.append(LintProblem("warning", "never-applies", file, line,
                                        f"rule {r.id} can never apply: its applicability conditions exclude each other",
                                        "check use / use_except / either / where"))
    for j, b in enumerate(rules):
        for a in rules[:j]:
            shared = set(reqs[a.id]) & set(reqs[b.id])
            scope = common_scope(scopes[a.id], scopes[b.id]) if shared else None
            refines = b.id in a.refines or a.id in b.refines
            if scope is not None and a.kind == b.kind and not refines:
                key = sorted(shared, key=str)[0]
                a_file, a_line = _at(ruleset, a, ("applies",))
                b_file, b_line = _at(ruleset, b, ("applies",))
                problems.append(LintProblem(
                    "error", "overlap", b_file, b_line,
                    f"overlap: {b.id} and {a.id} ({a_file}:{a_line}) are both {b.kind} rules on {metric_name_of(key)} "
                    f"and can apply to the same submission, e.g. {scope.example()}; neither lists the other in 'refines'",
                    f"make their applicability disjoint (use / use_except / zones / dates / where), or, if {b.id} "
                    f"deliberately tightens {a.id} for a subset, add 'refines: [{a.id}]' to {b.id}"))
            if scope is not None:
                for key in sorted(shared, key=str):
                    both: Interval | None = None
                    for _, iv in reqs[a.id][key] + reqs[b.id][key]:
                        both = iv if both is None else both.meet(iv)
                    if both is not None and both.empty:
                        ia, ib = reqs[a.id][key][0][0], reqs[b.id][key][0][0]
                        a_file, a_line = _at(ruleset, a, _req_path(a, ia))
                        b_file, b_line = _at(ruleset, b, _req_path(b, ib))
                        text_a = comparison_text(a.requirements[ia], specs)
                        text_b = comparison_text(b.requirements[ib], specs)
                        problems.append(LintProblem(
                            "error", "contradiction", b_file, b_line,
                            f"contradiction: {b.id} requires {text_b} and {a.id} ({a_file}:{a_line}) requires {text_a}; "
                            f"no value meets both, and both apply to e.g. {scope.example()}",
                            "correct one threshold, or make the two rules' applicability disjoint"))
            for x, y in ((a, b), (b, a)):
                if y.id in x.refines:
                    why = None
                    if x.kind != y.kind:
                        why = f"{x.id} is {x.kind} and {y.id} {y.kind}: only rules of the same kind can overlap"
                    elif not shared:
                        why = f"they measure different figures ({', '.join(sorted(metric_name(q) for q in x.requirements))} " \
                              f"vs {', '.join(sorted(metric_name(q) for q in y.requirements))})"
                    elif scope is None:
                        why = "no submission falls under both"
                    if why:
                        file, line = _at(ruleset, x, ("refines", x.refines.index(y.id)))
                        problems.append(LintProblem("warning", "refines", file, line,
                                                    f"{x.id} refines {y.id}, but they do not overlap: {why}",
                                                    f"remove {y.id} from {x.id}'s 'refines'"))
    return problems


def scenario_problems(ruleset, index, rule_files: list[Path]) -> list[LintProblem]:
    problems = [LintProblem("error", "gherkin", _rel(p.file), p.line, p.message,
                            p.hint or ("fix the feature file" if p.line
                                       else "pass --features with the folder of .feature files"))
                for p in index.problems]
    if ruleset is not None and index.folder.is_dir():
        tagged = index.by_rule()
        where = _rel(index.folder)
        for r in ruleset.rules:
            if r.id not in tagged and r.id not in index.unparsed:      # a file that did not parse: its own errors
                file, line = _at(ruleset, r, ("id",))
                problems.append(LintProblem("error", "no-scenario", file, line,
                                            f"rule {r.id} has no scenario: nothing in {where}/ is tagged @rule:{r.id}",
                                            f"add a scenario tagged @rule:{r.id} to the theme's .feature file "
                                            "(the existing scenarios show the reusable steps)"))
    known = ({r.id for r in ruleset.rules} if ruleset is not None else set()) | {p.stem for p in rule_files}
    for rule_id, feature, line in index.rule_tags():
        if rule_id not in known:
            from .describe import close_matches
            near = close_matches(rule_id, known)
            problems.append(LintProblem("warning", "unknown-tag", _rel(feature), line,
                                        f"tag @rule:{rule_id} names no rule in the rule folder",
                                        f"did you mean {', '.join('@rule:' + n for n in near)}?" if near
                                        else "fix the tag or add the rule"))
    return problems


def window_problems(ruleset) -> list[LintProblem]:
    """A rule whose interpretation does not say why its window starts and ends where it does: the
    zh text names each date as 2022年12月31日, the en text as 2022-12-31 (rules/_settings.yaml `dates`)."""
    problems = []
    for r in ruleset.rules:
        a = r.applies
        days = [d for d in (a.effective_from, a.effective_until) if d is not None]
        said = r.interpretation
        missing = [d.isoformat() for d in days
                   if said is None or f"{d.year}年{d.month}月{d.day}日" not in said.zh or d.isoformat() not in said.en]
        if missing:
            file, line = _at(ruleset, r, ("interpretation",) if said is not None else ("applies", "effective_from"))
            problems.append(LintProblem("warning", "window", file, line,
                                        f"rule {r.id}: its interpretation does not say why its window runs where it "
                                        f"does ({', '.join(missing)} not named in both languages)",
                                        "add a sentence on the window, per the readings in rules/_settings.yaml `dates` "
                                        "(zh: 2022年12月31日, en: 2022-12-31)"))
    return problems


def docs_problems(conventions, rules_dir: Path) -> list[LintProblem]:
    """The project's own conventions file changed but docs/ifc-conventions.md's tables did not."""
    from ..read.conventions import default_rules_dir
    from ..read.conventions_doc import DOC, current_block, render

    if conventions is None or not DOC.is_file() or Path(rules_dir).resolve() != default_rules_dir():
        return []
    if current_block(DOC.read_text(encoding="utf-8")) == render(conventions):
        return []
    return [LintProblem("warning", "docs", _rel(DOC), None,
                        "docs/ifc-conventions.md's recognition tables do not match rules/_conventions.yaml",
                        "run `compliance rules conventions --write-docs`")]


def lint(rules_dir: Path, features_dir: Path) -> LintReport:
    """Every problem of `rules_dir` and of the scenarios in `features_dir`."""
    from ..derive.metrics import metric_specs
    from ..read.conventions import inspect_conventions
    from .loader import inspect_ruleset
    from .scenarios import index_features

    rules_dir, features_dir = Path(rules_dir), Path(features_dir)
    ruleset, load_problems = inspect_ruleset(rules_dir)
    report = LintReport(ruleset=ruleset)
    conventions, convention_problems = inspect_conventions(rules_dir) if rules_dir.is_dir() else (None, [])
    report.problems += [LintProblem("error", "schema", _rel(e.file) if e.file else str(rules_dir), e.line, e.message, e.hint)
                        for e in load_problems + convention_problems]
    report.problems += docs_problems(conventions, rules_dir)
    if ruleset is not None:
        report.problems += pair_problems(ruleset, metric_specs())
        report.problems += window_problems(ruleset)
    report.index = index_features(features_dir)
    rule_files = sorted(p for p in rules_dir.glob("*.yaml") if not p.name.startswith("_")) if rules_dir.is_dir() else []
    report.problems += scenario_problems(ruleset, report.index, rule_files)
    order = {"schema": 0}
    report.problems.sort(key=lambda p: (p.file, p.line or 0, order.get(p.code, 1)))
    return report


__all__ = ["LintProblem", "LintReport", "lint", "Interval", "Box", "boxes", "metric_key", "OP_SIGN"]
