"""JSON verdict: the machine-readable contract, documented in docs/verdict.schema.json.

Keys are stable; new keys may be added without a version change (see json_schema.py).
`lang` does not apply: every text is given in both languages (`zh`, `en`) or as its English
`message` beside `message_zh`.
"""

from __future__ import annotations

import json

SCHEMA_VERSION = "1"


def to_dict(verdict) -> dict:
    data = verdict.model_dump(mode="json")
    head = {"schema_version": SCHEMA_VERSION, "submission": data.pop("submission"), "as_of": data.pop("as_of"),
            "rules_version": data.pop("rules_version"), "verdict": data.pop("verdict"),
            "exit_code": verdict.exit_code, "counts": verdict.counts()}
    return {**head, **data}


def render(verdict, lang: str = "both") -> bytes:
    return (json.dumps(to_dict(verdict), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
