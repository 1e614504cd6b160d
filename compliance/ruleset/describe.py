"""Rules in words, for `compliance rules list` and `compliance rules show` (no printing here:
every function returns text or rows)."""

from __future__ import annotations

import difflib
from pathlib import Path

OP_SIGN = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}
OP_WORDS = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than", "==": "exactly"}
INTEGER_UNITS = ("count", "level", "flag")


def number(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".").replace(",", "")


def metric_name(comp) -> str:
    """`pv_roof_ratio`, `pv_roof_ratio (surface)`, `measures_adopted[bipv, bim]`."""
    name = comp.metric + (f"[{', '.join(comp.of)}]" if comp.of else "")
    basis = getattr(comp, "basis", None)
    return f"{name} ({basis})" if basis and basis != "projected" else name


def value_text(comp, spec=None) -> str:
    """The threshold as a reader says it: `50 %`, `20000 m²`, `yes`, `3 (3-star)`."""
    value = comp.value
    if isinstance(value, str):                      # an unresolved $parameter
        return value
    if comp.unit == "flag":
        return "yes" if value else "no"
    text = number(value)
    if spec is not None and float(value) in spec.levels:
        return f"{text} ({spec.levels[float(value)][1]})"
    if comp.unit in ("count", "level", "PUE"):
        return text
    return f"{text} {comp.unit}"


def comparison_text(comp, specs: dict | None = None, *, with_param: bool = True) -> str:
    spec = (specs or {}).get(comp.metric)
    text = f"{metric_name(comp)} {OP_SIGN.get(comp.op, comp.op)} {value_text(comp, spec)}"
    if with_param and comp.param:
        text += f" (${comp.param})"
    return text


def window_text(applies) -> str:
    until = applies.effective_until.isoformat() if applies.effective_until else "open"
    return f"{applies.effective_from.isoformat()} – {until}"


def close_matches(name: str, known) -> list[str]:
    known = list(known)
    upper = {k.upper(): k for k in known}
    found = difflib.get_close_matches(name.upper(), list(upper), n=4, cutoff=0.5)
    prefix = [k for k in known if k.upper().startswith(name.upper().split("-")[0] + "-")]
    return list(dict.fromkeys([upper[f] for f in found] + prefix))[:6]


def _label(ruleset, use: str) -> str:
    spec = ruleset.settings.uses.get(use)
    return f"{use} ({spec.label.zh})" if spec else use


def _uses_words(ruleset, part) -> str | None:
    """None when the part does not restrict the use."""
    if part.use is None and part.use_group is None and not part.use_except:
        return None
    uses = ruleset.uses_of(part)
    if part.use_group is not None:
        head = f"use group '{part.use_group}'"
    elif part.use is not None:
        head = "uses"
    else:
        head = "every use"
    text = f"{head}: " + ", ".join(_label(ruleset, u) for u in uses)
    if part.use_except:
        text += f"  (except {', '.join(part.use_except)})"
    return text


def applicability_lines(rule, ruleset) -> list[str]:
    """The rule's applicability, one condition a line, groups and parameters spelled out."""
    from ..derive.metrics import metric_specs

    a, s = rule.applies, ruleset.settings
    lines = [f"kind of project: {' or '.join(a.kind) if a.kind else 'new or retrofit'}"]
    uses = _uses_words(ruleset, a)
    lines.append(uses or "uses: any use class")
    if a.public_institution is not None:
        lines.append("public institutions only" if a.public_institution else "not public institutions")
    if a.either:
        lines.append("and at least one of:")
        for alt in a.either:
            bits = [b for b in [_uses_words(ruleset, alt)] if b]
            if alt.public_institution is not None:
                bits.append("a public institution" if alt.public_institution else "not a public institution")
            lines.append("  - " + "; ".join(bits))
    raw_zones = _raw(ruleset, rule.id, ("applies", "zones"))
    if a.zones is None:
        lines.append("zones: any (or none given)")
    else:
        names = ", ".join(f"{z} ({s.zones[z].zh}, {s.zones[z].en})" if z in s.zones else z for z in a.zones)
        source = f"  (from {raw_zones})" if isinstance(raw_zones, str) else ""
        lines.append(f"zones: {names}{source}")
    specs = metric_specs()
    for w in a.where:
        text = comparison_text(w, specs, with_param=False)
        if w.param:
            p = ruleset.parameters.get(w.param)
            text += f"  (parameter ${w.param} = {value_text(w)}" + (f": {p.label.en}" if p else "") + ")"
        lines.append(f"only where {text}")
    lines.append(f"in force: {window_text(a)}")
    return lines


def _raw(ruleset, rule_id: str, path: tuple):
    """The value as written in the rule file (e.g. `$green3_zones`), or None."""
    from ..errors import RuleFileError
    from ..yamlio import load_yaml

    try:
        data = load_yaml(ruleset.files[rule_id], RuleFileError, what="rule file").data
    except (RuleFileError, KeyError):
        return None
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def requirement_lines(rule, ruleset) -> list[str]:
    from ..derive.metrics import metric_specs

    specs = metric_specs()
    out = []
    for req in rule.requirements:
        spec = specs.get(req.metric)
        text = comparison_text(req, specs, with_param=False)
        if spec is not None:
            text += f"   — {spec.label_en}" + (f", {req.basis} areas" if req.basis else "")
        if req.param:
            p = ruleset.parameters.get(req.param)
            text += f"\n      threshold from parameter ${req.param}" + (f" ({p.label.en}; source: {p.source})"
                                                                          if p and p.source else "")
        out.append(text)
    return out


def list_rows(ruleset, index) -> list[dict]:
    """One row per rule for `rules list`."""
    from ..derive.metrics import metric_specs

    specs = metric_specs()
    rows = []
    for r in ruleset.rules:
        rows.append(dict(
            ref=r.ref, kind=r.kind, blocks=ruleset.settings.kinds[r.kind].blocks if r.kind in ruleset.settings.kinds else None,
            title_zh=r.title.zh, title_en=r.title.en, clause=r.clause.ref,
            window=window_text(r.applies),
            requirement="\n".join(comparison_text(q, specs) for q in r.requirements),
            scenarios=index.case_count(r.id) if index is not None else None))
    return rows


def list_table(ruleset, index, features_name: str, width: int):
    """`rules list` as a rich Table fitted to `width` columns (narrow: rule + kind and clause +
    dates share a column)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    wide = width >= 120
    table = Table(title=f"rule set {ruleset.version}: {len(ruleset.rules)} rules "
                        f"(scen. = scenarios tagged @rule:ID in {features_name}/)",
                  title_justify="left", box=box.SIMPLE_HEAD if wide else box.MINIMAL, pad_edge=False,
                  show_lines=not wide)
    table.add_column("rule", no_wrap=True, style="bold" if wide else None)
    if wide:
        table.add_column("kind", no_wrap=True)
    table.add_column("title", ratio=1, overflow="fold")
    table.add_column("clause", no_wrap=True)
    if wide:
        table.add_column("in force", no_wrap=True)
    table.add_column("requirement", min_width=20 if wide else 14, max_width=44, overflow="fold")
    table.add_column("scen.", justify="right", no_wrap=True)
    for row in list_rows(ruleset, index):
        start, _, until = row["window"].partition(" – ")
        window = f"{start} →" + ("" if until == "open" else f"\n{until}")
        kind = row["kind"] + ("" if row["blocks"] else "*")
        cells = ([row["ref"], kind] if wide else [f"{row['ref']}\n{kind}"]) \
            + [f"{row['title_zh']}\n{row['title_en']}"] \
            + ([row["clause"], window] if wide else [f"{row['clause']}\n{window}"]) \
            + [row["requirement"], "—" if row["scenarios"] is None else str(row["scenarios"])]
        table.add_row(*(Text(c) for c in cells))
    return table


def rel(path, root: Path | None = None) -> str:
    """A path as the user typed it, relative to the working directory where possible."""
    root = Path.cwd() if root is None else root
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except (ValueError, OSError):
        return str(path)


def show_text(rule, ruleset, index) -> str:
    """Everything about one rule, for `rules show ID`."""
    from .scenarios import fill

    kinds = ruleset.settings.kinds
    blocks = kinds[rule.kind].blocks if rule.kind in kinds else False
    file = ruleset.files[rule.id]
    out = [f"{rule.ref}  {rule.title.zh}", f"{' ' * len(rule.ref)}  {rule.title.en}", ""]
    out += [f"clause:       {rule.clause.ref}  {rule.clause.document}", f"              “{rule.clause.quote}”"]
    label = kinds[rule.kind].label if rule.kind in kinds else None
    out.append(f"kind:         {rule.kind}" + (f" ({label.zh})" if label else "")
               + ("  — blocks approval: a fail makes the verdict non-compliant" if blocks
                  else "  — does not block approval: reported as a finding"))
    if rule.interpretation:
        out += ["", "interpretation:", f"  {rule.interpretation.zh}", f"  {rule.interpretation.en}"]
    out += ["", "applies to:"] + [f"  {line}" for line in applicability_lines(rule, ruleset)]
    reqs = requirement_lines(rule, ruleset)
    out += ["", "requires:" if len(reqs) == 1 else "requires (every one):"] + [f"  {line}" for line in reqs]
    if rule.refines:
        out += ["", f"refines:      {', '.join(rule.refines)}  (deliberately overlaps them: a stricter subset)"]
    refined_by = [r.id for r in ruleset.rules if rule.id in r.refines]
    if refined_by:
        out.append(f"refined by:   {', '.join(refined_by)}")
    out += ["", "remedy:", f"  {rule.remedy.zh}", f"  {rule.remedy.en}"]
    if rule.tags:
        out.append(f"tags:         {', '.join(rule.tags)}")
    out += ["", f"file:         {rel(file)}:{ruleset.line_of(rule.id, ('id',)) or 1}  (version {rule.version}; "
                f"rule set {ruleset.version})"]
    scenarios = index.for_rule(rule.id) if index is not None else []
    cases = index.case_count(rule.id) if index is not None else 0
    out += ["", f"scenarios: {cases} case{'s' if cases != 1 else ''} in {len(scenarios)} "
                f"scenario{'s' if len(scenarios) != 1 else ''}"
            + ("  — none tagged @rule:" + rule.id + "; `compliance rules lint` reports this" if not scenarios else "")]
    for sc in scenarios:
        out.append(f"  {sc.keyword}: {sc.name}   [{rel(sc.feature)}:{sc.line}]")
        for step in sc.background:
            out.append(f"      (background) {step.keyword} {step.text}")
        for step in sc.steps:
            out.append(f"      {step.keyword} {step.text}")
        if sc.is_outline:
            own = rule.id in {r for r, _ in sc.rule_tags}
            rows = [e for e in sc.examples if own or rule.id in {r for r, _ in e.rule_tags}]
            out.append(f"      examples ({len(rows)}):")
            out += [f"        - {fill(sc.name, e.values)}   [{rel(sc.feature)}:{e.line}]" for e in rows]
    return "\n".join(out) + "\n"
