"""JSON district report: the DistrictReport record as is, after `"$schema"` and `"schema_version"`
(contract district-report, compliance/report/versioning.py), plus `"lang"` and the deprecated
`"schema": "district-report/2"` (the version's old form, kept for readers of 2.0 until 3.0).

Deterministic: keys sorted, two-space indent, UTF-8 (no \\u escapes for Chinese; control, bidi and
line-separator characters from submitted names escaped, as in the verdict JSON), a final newline;
the same report gives the same bytes. With `lang` both (the default) every text carries `zh` and
`en`; with zh or en it carries that language only (`{"zh": …}`), so a Chinese report holds no
English words beyond field names, codes and units.
"""

from __future__ import annotations

LEGACY_SCHEMA = "district-report/2"
_BOTH = {"zh", "en"}


def to_dict(report, lang: str = "both") -> dict:
    from ...report.versioning import CONTRACTS

    data = report.model_dump(mode="json")
    if lang != "both":
        data = _only(data, lang)
    return CONTRACTS["district-report"].stamp({**data, "schema": LEGACY_SCHEMA, "lang": lang})


def _only(node, lang: str):
    """Every bilingual text ({zh, en}) reduced to the one language."""
    if isinstance(node, dict):
        if set(node) == _BOTH and all(isinstance(v, str) for v in node.values()):
            return {lang: node[lang]}
        return {k: _only(v, lang) for k, v in node.items()}
    if isinstance(node, list):
        return [_only(v, lang) for v in node]
    return node


def render(report, lang: str = "both") -> bytes:
    from ...report.json_report import dumps

    return dumps(to_dict(report, lang), sort_keys=True)
