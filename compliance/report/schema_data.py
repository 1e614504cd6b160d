"""The JSON Schemas of the documents not written from a pydantic record, as data: the error object
(report/error_json.py), the batch summary (batch/run.py, Batch.write_summary) and the recheck
outcome (batch/recheck.py, as_json). Versions and the rule they follow: versioning.py."""

from __future__ import annotations

from .json_schema import document_schema

VERDICTS = ["compliant", "non_compliant", "incomplete"]
STR_OR_NULL = {"type": ["string", "null"]}


def _record(properties: dict, strict: bool, description: str = "") -> dict:
    record: dict = {"type": "object", "required": list(properties), "properties": properties}
    if description:
        record["description"] = description
    if strict:
        record["additionalProperties"] = False
    return record


def error_schema(strict: bool = False) -> dict:
    error = _record({
        "kind": {"type": "string", "minLength": 1,
                 "description": "What went wrong, in words: input error (a submission that cannot be read), "
                                "rule file error, limit exceeded, engine error, registry error, usage error (the "
                                "command line asks for something that cannot be done), interrupted, internal "
                                "error (a bug: send it to the maintainers), error (anything else). New kinds may "
                                "be added in a MINOR version."},
        "message": {"type": "string", "minLength": 1, "description": "English; names no file (see `file`)"},
        "message_zh": {**STR_OR_NULL, "description": "The same in Chinese, where the checker has it"},
        "file": {**STR_OR_NULL, "description": "The file at fault, as given on the command line"},
        "line": {"type": ["integer", "null"], "minimum": 1, "description": "Its line, where known"},
        "hint": {**STR_OR_NULL, "description": "What to do about it"},
        "hint_zh": {**STR_OR_NULL, "description": "The hint in Chinese, where the checker has it"},
    }, strict)
    props = {
        "command": {"type": "string", "description": "The command that failed, e.g. `check`, `district`"},
        "exit_code": {"const": 2, "description": "The command's exit status: 2, could not do what was asked"},
        "error": error,
    }
    return document_schema(
        "error", "Why a command could not do what was asked",
        "Written where the command's JSON would have gone (standard output, or the JSON file named with -o / "
        "--json when its folder exists) when it cannot do what was asked: a submission or a rule file that "
        "cannot be read, a model over a limit, a registry that cannot be opened, an output that cannot be "
        "written. The same message goes to standard error; the exit status is 2. No verdict is issued.",
        props, list(props), strict=strict)


def batch_summary_schema(strict: bool = False) -> dict:
    row = _record({
        "folder": {"type": "string", "description": "The submission folder, as found under the folders given"},
        "status": {"enum": ["checked", "skipped", "error"],
                   "description": "checked; skipped: already in the registry with the same inputs, rules, as-of "
                                  "date and build (the stored outcome is shown); error: could not be checked"},
        "submission_id": STR_OR_NULL,
        "name": STR_OR_NULL,
        "verdict": {"enum": [*VERDICTS, None], "description": "null: no verdict (an error)"},
        "exit_code": {"enum": [0, 1, 2, 3], "description": "What `compliance check` would exit with"},
        "check_id": {"type": ["integer", "null"], "description": "The registry's id of the check"},
        "reports": {"type": "array", "items": {"type": "string"}, "description": "The report files written"},
        "message": {**STR_OR_NULL, "description": "The failure, as the user sees it"},
        "stored": {"type": "boolean", "description": "False: not even an error row could be stored"},
        "models_from_facts": {"type": "integer", "minimum": 0,
                              "description": "Models not read again: their facts were in the registry (--recheck)"},
    }, strict, "One submission folder")
    skipped = _record({"folder": {"type": "string"}, "reason": {"type": "string"}}, strict,
                      "A folder not checked, and why")
    props = {
        "tool_version": {"type": "string", "description": "The checker's build (version + code hash)"},
        "rules_version": {**STR_OR_NULL, "description": "sha256 of the rule set"},
        "registry": {**STR_OR_NULL, "description": "The registry's URL, without a password"},
        "as_of": {"type": ["string", "null"], "format": "date", "description": "--as-of; null: each filing date"},
        "rows": {"type": "array", "items": {"$ref": "#/$defs/Row"}},
        "skipped": {"type": "array", "items": {"$ref": "#/$defs/Skipped"}},
    }
    schema = document_schema(
        "batch-summary", "A batch's outcome, one row per submission",
        "`compliance batch`: batch-summary.json in the output folder, a row per submission folder (sorted by "
        "folder) and every folder not checked with why.",
        props, list(props), strict=strict)
    schema["$defs"] = {"Row": row, "Skipped": skipped}
    return schema


def recheck_schema(strict: bool = False) -> dict:
    verdict = {"type": "string", "description": "compliant, non_compliant or incomplete ('' for a stored error)"}
    filing = _record({
        "submission": {"type": "string"},
        "check_id": {"type": "integer", "description": "The stored check re-checked"},
        "old_verdict": verdict,
        "new_verdict": {**verdict, "type": ["string", "null"], "description": "null: could not be re-checked"},
        "error": {**STR_OR_NULL, "description": "Why it could not be re-checked (file:line: message)"},
        "changed_rules": {"type": "array", "description": "(rule, stored status, new status); null: not in that check",
                          "items": {"type": "array", "minItems": 3, "maxItems": 3,
                                    "prefixItems": [{"type": "string"}, STR_OR_NULL, STR_OR_NULL]}},
        "flipped": {"type": "boolean", "description": "The new verdict differs from the stored one"},
    }, strict, "One filing's latest check, evaluated again")
    counts = {name: {"type": "integer", "minimum": 0, "description": text} for name, text in (
        ("rechecked", "Filings re-checked"), ("flipped", "Filings whose verdict flips"),
        ("from_facts", "Re-checked from stored facts"), ("from_files", "Re-checked from their folder's files"),
        ("stored", "New checks stored (--store)"))}
    props = {"rules_version": {"type": "string", "description": "The rule set re-checked with"}, **counts,
             "filings": {"type": "array", "items": {"$ref": "#/$defs/Filing"}}}
    schema = document_schema(
        "recheck", "Every filing re-checked with other rules: which verdicts flip",
        "`compliance recheck --json FILE`: the latest filed check of every submission (narrowed by --where) "
        "evaluated again from the facts the registry stores.", props, list(props), strict=strict)
    schema["$defs"] = {"Filing": filing}
    return schema
