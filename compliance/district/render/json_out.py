"""JSON district report: the DistrictReport record as is, plus `"schema": "district-report/1"`.

Deterministic: keys sorted, two-space indent, UTF-8 (no \\u escapes for Chinese), a final newline;
the same report gives the same bytes. `lang` does not apply: every text carries `zh` and `en`.
"""

from __future__ import annotations

import json

SCHEMA = "district-report/1"


def to_dict(report) -> dict:
    return {**report.model_dump(mode="json"), "schema": SCHEMA}


def render(report, lang: str = "both") -> bytes:
    return (json.dumps(to_dict(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
