"""JSON verdict: the machine-readable contract (stable keys; new keys may be added)."""

from __future__ import annotations

import json

SCHEMA_VERSION = "1"


def to_dict(verdict) -> dict:
    data = verdict.model_dump(mode="json")
    return {
        "schema_version": SCHEMA_VERSION,
        "submission": data["submission"],
        "as_of": data["as_of"],
        "rules_version": data["rules_version"],
        "verdict": data["verdict"],
        "exit_code": verdict.exit_code,
        "counts": verdict.counts(),
        "results": data["results"],
        "models": data["models"],
        "notes": data["notes"],
        "tool_version": data["tool_version"],
        "generated_at": data["generated_at"],
    }


def render(verdict, lang: str = "both") -> bytes:
    return (json.dumps(to_dict(verdict), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
