"""SARIF 2.1.0 for code-scanning tools and pipelines: one run, the rule set as tool.driver.rules
(id, versioned name, title, the clause as fullDescription, kind and whether it blocks), one result
per rule with its status. How a status maps to SARIF's kind and level: ci.py's outcome —
failure and error are kind "fail", level "error" (a blocking missing_data or manual_review too,
status in `properties`: an incomplete submission is never green); skipped is a "note" (a
non-blocking fail), "open" (missing data) or "review"; passes are "pass" / "notApplicable".
Locations: submission.yaml with the line, or the IFC file with the elements as logicalLocations
(GlobalId, class, name, storey); paths are relative to the submission folder (uriBaseId
SUBMISSION). The same verdict gives the same bytes.
"""

from __future__ import annotations

from . import ci

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
BASE = "SUBMISSION"


def _kind_level(r) -> tuple[str, str]:
    result = ci.outcome(r)
    if result in (ci.FAILURE, ci.ERROR):
        return "fail", "error"
    if result == ci.PASSED:
        return ("pass" if r.status == "pass" else "notApplicable"), "none"
    if r.status == "fail":
        return ("fail", "note") if r.falls_short is not False else ("informational", "none")
    return ("open" if r.status == "missing_data" else "review"), "none"


def _artifact(file: str) -> dict:
    from urllib.parse import quote

    return {"uri": quote(ci.clean(file)), "uriBaseId": BASE}


def _locations(r, verdict, elements: dict) -> list[dict]:
    out = []
    for ev in r.evidence:
        physical: dict = {"artifactLocation": _artifact(ev.file)}
        if ev.line:
            physical["region"] = {"startLine": ev.line}
        logical = [{"name": ci.clean(f), "fullyQualifiedName": ci.clean(f"{ev.file}:{f}"), "kind": "property"}
                   for f in ev.fields]
        for gid in ev.global_ids:
            e = elements.get(gid)
            about = {k: ci.clean(v) for k, v in (("ifcClass", e and e.ifc_class), ("name", e and e.name),
                                                  ("storey", e and e.storey)) if v}
            place: dict = {"name": ci.clean(gid), "fullyQualifiedName": ci.clean(f"{ev.file}#{gid}"), "kind": "object"}
            if about:
                place["properties"] = about
            logical.append(place)
        out.append({"physicalLocation": physical, **({"logicalLocations": logical} if logical else {})})
    if not out:                 # a result always has a place: the submission's metadata
        metadata = next((f.file for f in verdict.inputs if f.role == "metadata"), "submission.yaml")
        out.append({"physicalLocation": {"artifactLocation": _artifact(metadata)}})
    return out


def _rule(r, lang: str) -> dict:
    full = f"{r.clause.ref} {r.clause.document}: “{r.clause.quote}”"
    if r.interpretation is not None:
        full += "\n" + ci.text_of(r.interpretation, lang)
    return {"id": ci.clean(r.rule), "name": ci.clean(r.rule_version),
            "shortDescription": {"text": ci.title(r, lang)}, "fullDescription": {"text": ci.clean(full)},
            "defaultConfiguration": {"level": "error" if r.blocks else "note"},
            "properties": {"kind": r.kind, "blocks": r.blocks, "clause": ci.clean(r.clause.ref),
                           "document": ci.clean(r.clause.document), "title": {"zh": ci.clean(r.title.zh),
                                                                              "en": ci.clean(r.title.en)}}}


def _result(r, index: int, verdict, elements: dict, lang: str) -> dict:
    kind, level = _kind_level(r)
    text = ci.short_message(r, lang)
    if r.remedy is not None and kind == "fail":
        text += "\n" + ci.text_of(r.remedy, lang, " / ")
    checks = [{"metric": c.metric, "measured": c.measured, "operator": c.operator, "threshold": c.threshold,
               "unit": c.unit, "met": c.met} for c in r.checks]
    return {"ruleId": ci.clean(r.rule), "ruleIndex": index, "kind": kind, "level": level,
            "message": {"text": text}, "locations": _locations(r, verdict, elements),
            "partialFingerprints": {"submissionRule/v1": ci.clean(f"{verdict.submission.id}/{r.rule}")},
            "properties": {"status": r.status, "statusLabel": ci.status_words(r, lang), "blocks": r.blocks,
                           "ruleVersion": ci.clean(r.rule_version), "checks": checks,
                           "details": ci.details(r, lang)}}


def to_dict(verdict, lang: str = "both") -> dict:
    from ..safe_text import safe_value

    elements = verdict.element_index()
    rules: dict[str, dict] = {}
    for r in verdict.results:
        rules.setdefault(r.rule, _rule(r, lang))
    index = {rule: i for i, rule in enumerate(rules)}
    results = [_result(r, index[r.rule], verdict, elements, lang) for r in verdict.results]
    s = verdict.submission
    run = {
        "tool": {"driver": {"name": "yangpu-compliance", "version": verdict.tool_version,
                            "fullName": "Yangpu carbon-peak compliance checker (杨府发〔2022〕13号)",
                            "rules": list(rules.values())}},
        "automationDetails": {"id": ci.clean(f"compliance/{s.id}/")},
        "invocations": [{"executionSuccessful": True, "exitCode": verdict.exit_code,
                         "endTimeUtc": _utc(verdict.generated_at)}],
        "originalUriBaseIds": {BASE: {"description": {"text": "The submission folder: submission.yaml, its models"}}},
        "artifacts": [{"location": _artifact(f.file), "length": f.size_bytes, "hashes": {"sha-256": f.sha256},
                       "roles": ["analysisTarget"]} for f in verdict.inputs],
        "language": "en-US" if lang == "en" else "zh-CN",
        "results": results,
        "properties": {"verdict": verdict.verdict, "verdictText": ci.verdict_words(verdict, lang),
                       "submission": ci.clean(s.id), "name": ci.clean(s.name), "asOf": str(verdict.as_of),
                       "rulesVersion": ci.clean(verdict.rules_label()), "counts": verdict.counts()},
    }
    return safe_value({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})


def render(verdict, lang: str = "both") -> bytes:
    from .json_report import dumps

    return dumps(to_dict(verdict, lang))


def _utc(dt) -> str:
    from datetime import timezone

    dt = dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
