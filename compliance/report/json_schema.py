"""The JSON verdict's contract as a JSON Schema (draft 2020-12), derived from the result records.

`docs/verdict.schema.json` is this function's output, committed so integrators can read it
without running the tool; a test fails when the two drift apart. Regenerate with
`python -m compliance.report.json_schema > docs/verdict.schema.json` and bump
`json_report.SCHEMA_VERSION` when a change is not backwards compatible (a removed or renamed
key, a narrowed type). New optional keys keep the version.
"""

from __future__ import annotations

import json

SCHEMA_ID = "https://yangpu-compliance.example/schemas/verdict.schema.json"


def verdict_schema() -> dict:
    from ..evaluate.results import EXIT_CODES, Verdict
    from .json_report import SCHEMA_VERSION

    body = Verdict.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    defs = body.pop("$defs", {})
    props = body["properties"]
    statuses = ["pass", "fail", "not_applicable", "missing_data", "manual_review"]
    wrapper = {
        "schema_version": {"const": SCHEMA_VERSION,
                           "description": "Version of this contract; bumped on any incompatible change."},
        "exit_code": {"enum": sorted(set(EXIT_CODES.values())),
                      "description": "The CLI's exit status for this verdict: 0 compliant, 1 non-compliant, "
                                     "3 incomplete."},
        "counts": {"type": "object", "propertyNames": {"enum": statuses},
                   "additionalProperties": {"type": "integer", "minimum": 1},
                   "description": "Number of rules per status (statuses with none are absent)."},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Carbon-peak compliance verdict (杨府发〔2022〕13号)",
        "description": ("The machine-readable verdict of `compliance check --format json`: one submission "
                        "checked against one rule set as of one date. Every rule has a result with its "
                        "status, measured figures against the threshold, the clause, the evidence (model "
                        "elements by GlobalId, metadata fields by line) and the remedy. `signoffs` holds the "
                        "reviewers' sign-offs when the verdict is re-issued from the registry "
                        "(`compliance report CHECK_ID`); a fresh check has none."),
        "type": "object",
        "required": list(wrapper) + list(props),
        "additionalProperties": False,
        "properties": {**wrapper, **props},
        "$defs": _strict(defs),
    }


def _strict(defs: dict) -> dict:
    """Every record refuses unknown keys, as the pydantic records do (extra='forbid'), and always
    carries all its keys (absent values are null, empty lists [])."""
    for d in defs.values():
        if d.get("type") == "object" and "properties" in d:
            d.setdefault("additionalProperties", False)
            d["required"] = list(d["properties"])
    return defs


def main() -> None:
    print(json.dumps(verdict_schema(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
