"""The JSON documents' contracts as JSON Schemas (draft 2020-12), derived from the records: the
verdict, the reader's facts (`extract`) and the district report. The hand-written ones (error,
batch summary, recheck) are in schema_data.py; versioning.py lists them all with their versions.

`docs/schemas/NAME.schema.json` is each one's output, committed so integrators can read it
without running the tool; a test fails when the two drift apart. Regenerate with
`compliance schema --write-docs` (or `python -m compliance.report.json_schema`). How versions
change: versioning.py and docs/json.md.

Published schemas accept keys they do not list (a later MINOR adds keys; readers ignore them);
`strict=True` gives the same schema refusing them, which the tests use to keep the writer to
its documented keys.
"""

from __future__ import annotations

import json

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
STATUSES = ["pass", "fail", "not_applicable", "missing_data", "manual_review"]


def document_schema(name: str, title: str, description: str, properties: dict, required: list[str],
                    defs: dict | None = None, strict: bool = False) -> dict:
    """A document of contract `name`: its "$schema" and "schema_version" first, then `properties`."""
    from .versioning import CONTRACTS

    contract = CONTRACTS[name]
    schema: dict = {
        "$schema": SCHEMA_DIALECT,
        "$id": contract.uri,
        "title": title,
        "description": description,
        "type": "object",
        "required": ["$schema", "schema_version", *required],
        "properties": {**contract.header_schema(), **properties},
    }
    if strict:
        schema["additionalProperties"] = False
    if defs:
        schema["$defs"] = complete(defs, strict)
    return schema


def complete(defs: dict, strict: bool = False) -> dict:
    """Every record always carries all its keys (absent values are null, empty lists []); with
    `strict`, refuses keys it does not list, as the pydantic records do (extra='forbid')."""
    for d in defs.values():
        if d.get("type") == "object" and "properties" in d:
            d["required"] = list(d["properties"])
            if strict:
                d.setdefault("additionalProperties", False)
            else:
                d.pop("additionalProperties", None)
    return defs


def _model(model) -> tuple[dict, dict]:
    """(body, $defs) of a pydantic record, as it is written (serialization mode)."""
    body = model.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    return body, body.pop("$defs", {})


def verdict_schema(strict: bool = False) -> dict:
    from ..evaluate.results import EXIT_CODES, Verdict

    body, defs = _model(Verdict)
    props = body["properties"]
    wrapper = {
        "exit_code": {"enum": sorted(set(EXIT_CODES.values())),
                      "description": "The CLI's exit status for this verdict: 0 compliant, 1 non-compliant, "
                                     "3 incomplete."},
        "counts": {"type": "object", "propertyNames": {"enum": STATUSES},
                   "additionalProperties": {"type": "integer", "minimum": 1},
                   "description": "Number of rules per status (statuses with none are absent)."},
    }
    return document_schema(
        "verdict", "Carbon-peak compliance verdict (杨府发〔2022〕13号)",
        "The machine-readable verdict of `compliance check --format json`: one submission checked against "
        "one rule set as of one date. Every rule has a result with its status, measured figures against the "
        "threshold, the clause, the evidence (model elements by GlobalId, metadata fields by line) and the "
        "remedy. `signoffs` holds the reviewers' sign-offs when the verdict is re-issued from the registry "
        "(`compliance report CHECK_ID`); a fresh check has none.",
        {**wrapper, **props}, [*wrapper, *props], defs, strict)


def facts_schema(strict: bool = False) -> dict:
    from ..read.records import ModelFacts

    body, defs = _model(ModelFacts)
    defs["ModelFacts"] = body
    return document_schema(
        "facts", "What the checker reads from IFC models, with provenance",
        "`compliance extract --format json`: for each model, the reader's records as they are — roofs, PV "
        "panels, renewable systems, charging points, parking spaces and buildings, each with its GlobalId, "
        "class, name, storey, why it was counted and where each figure came from; the elements it named but "
        "did not count, and its notes.",
        {"models": {"type": "array", "items": {"$ref": "#/$defs/ModelFacts"}}}, ["models"], defs, strict)


def district_schema(strict: bool = False) -> dict:
    from ..district.records import DistrictReport
    from ..district.render.json_out import LEGACY_SCHEMA

    body, defs = _model(DistrictReport)
    props = body["properties"]
    if "Text" in defs:              # --lang zh or en: every text in that one language
        defs["Text"]["minProperties"] = 1
    extra = {"schema": {"const": LEGACY_SCHEMA,
                        "description": "Deprecated: the version's old form, kept for readers of 2.0; removed "
                                       "in 3.0. Read `schema_version`."},
             "lang": {"enum": ["both", "zh", "en"],
                      "description": "both: every text carries zh and en; zh or en: that language only."}}
    schema = document_schema(
        "district-report", "Yangpu carbon-peak targets: progress from building submissions",
        "`compliance district --format json`: the district's progress toward the plan's targets, added up "
        "from the latest filed checks a reviewer approved, with every submission counted or not and why.",
        {**props, **extra}, [*props, *extra], defs, strict)
    if "Text" in defs:
        schema["$defs"]["Text"]["required"] = []
    return schema


def main() -> None:
    """Every schema, or the one named: `python -m compliance.report.json_schema [NAME]`."""
    import sys

    from .versioning import CONTRACTS

    names = sys.argv[1:] or list(CONTRACTS)
    for name in names:
        print(json.dumps(CONTRACTS[name].schema(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
