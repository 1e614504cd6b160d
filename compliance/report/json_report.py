"""JSON verdict: the machine-readable contract, documented in docs/schemas/verdict.schema.json.

Keys are stable; how its `schema_version` changes is the one rule of versioning.py (docs/json.md).
`lang` does not apply: every text is given in both languages (`zh`, `en`) or as its English
`message` beside `message_zh`.
"""

from __future__ import annotations

import json

# Characters json.dumps(ensure_ascii=False) leaves raw inside strings although a terminal or an
# editor would act on them: DEL and C1 controls (U+009B is a CSI), bidi controls, line/paragraph
# separators. Written as \uXXXX escapes they read back as the very same string.
_ESCAPED = {code: f"\\u{code:04x}" for code in (*range(0x7f, 0xa0), *range(0x202a, 0x202f),
                                                  *range(0x2066, 0x206a), 0x2028, 0x2029)}


def dumps(data, **options) -> bytes:
    """`data` as UTF-8 JSON (indented, non-ASCII text as is), every control character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2, **options)
    return (text.translate(_ESCAPED) + "\n").encode("utf-8")


def to_dict(verdict) -> dict:
    from .versioning import CONTRACTS

    data = verdict.model_dump(mode="json")
    head = {"submission": data.pop("submission"), "as_of": data.pop("as_of"),
            "rules_version": data.pop("rules_version"), "verdict": data.pop("verdict"),
            "exit_code": verdict.exit_code, "counts": verdict.counts()}
    return CONTRACTS["verdict"].stamp({**head, **data})


def render(verdict, lang: str = "both") -> bytes:
    return dumps(to_dict(verdict))


DERIVED_KEYS = ("$schema", "schema_version", "exit_code", "counts")    # computed from the record by to_dict


def load_verdict(data: dict | str | bytes):
    """The Verdict a JSON verdict was rendered from (the inverse of `render`/`to_dict`): the keys
    to_dict computes are checked against the record and dropped. A verdict stored before a key
    was added (e.g. `signoffs`) gets that key's default; the old version form "1" reads as 1.0.
    ValueError (pydantic's ValidationError is one) when the document is not a verdict of this
    contract, or one of a later MINOR: the record is rebuilt whole (a PDF re-issued from it), so a
    key this build does not know is refused, not dropped."""
    from ..evaluate.results import Verdict
    from .versioning import CONTRACTS

    if isinstance(data, (str, bytes)):
        data = json.loads(data)
    if not isinstance(data, dict):
        raise ValueError("a JSON verdict is an object")
    CONTRACTS["verdict"].check_readable(data, newer_minor_ok=False)
    verdict = Verdict.model_validate({k: v for k, v in data.items() if k not in DERIVED_KEYS})
    for key, expected in (("exit_code", verdict.exit_code), ("counts", verdict.counts())):
        if key in data and data[key] != expected:
            raise ValueError(f"JSON verdict {key} {data[key]!r} does not follow from its results ({expected!r})")
    return verdict
