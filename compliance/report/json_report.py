"""JSON verdict: the machine-readable contract, documented in docs/verdict.schema.json.

Keys are stable; new keys may be added without a version change (see json_schema.py).
`lang` does not apply: every text is given in both languages (`zh`, `en`) or as its English
`message` beside `message_zh`.
"""

from __future__ import annotations

import json

SCHEMA_VERSION = "1"
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
    data = verdict.model_dump(mode="json")
    head = {"schema_version": SCHEMA_VERSION, "submission": data.pop("submission"), "as_of": data.pop("as_of"),
            "rules_version": data.pop("rules_version"), "verdict": data.pop("verdict"),
            "exit_code": verdict.exit_code, "counts": verdict.counts()}
    return {**head, **data}


def render(verdict, lang: str = "both") -> bytes:
    return dumps(to_dict(verdict))


DERIVED_KEYS = ("schema_version", "exit_code", "counts")    # computed from the record by to_dict


def load_verdict(data: dict | str | bytes):
    """The Verdict a JSON verdict was rendered from (the inverse of `render`/`to_dict`): the keys
    to_dict computes are checked against the record and dropped. A verdict stored before a key
    was added (e.g. `signoffs`) gets that key's default. ValueError (pydantic's ValidationError
    is one) when the document is not a verdict of this contract."""
    from ..evaluate.results import Verdict

    if isinstance(data, (str, bytes)):
        data = json.loads(data)
    if not isinstance(data, dict):
        raise ValueError("a JSON verdict is an object")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"JSON verdict schema_version {version!r}; this tool reads {SCHEMA_VERSION!r}")
    verdict = Verdict.model_validate({k: v for k, v in data.items() if k not in DERIVED_KEYS})
    for key, expected in (("exit_code", verdict.exit_code), ("counts", verdict.counts())):
        if key in data and data[key] != expected:
            raise ValueError(f"JSON verdict {key} {data[key]!r} does not follow from its results ({expected!r})")
    return verdict
