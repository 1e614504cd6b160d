"""JSON district report: the DistrictReport record as is, plus `"schema": "district-report/1"`.

Deterministic: keys sorted, two-space indent, UTF-8 (no \\u escapes for Chinese; control, bidi and
line-separator characters from submitted names escaped, as in the verdict JSON), a final newline;
the same report gives the same bytes. `lang` does not apply: every text carries `zh` and `en`.
"""

from __future__ import annotations

SCHEMA = "district-report/1"


def to_dict(report) -> dict:
    return {**report.model_dump(mode="json"), "schema": SCHEMA}


def render(report, lang: str = "both") -> bytes:
    from ...report.json_report import dumps

    return dumps(to_dict(report), sort_keys=True)
