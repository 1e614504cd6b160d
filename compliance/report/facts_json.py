"""`compliance extract --format json`: the reader's records, as they are, for tools."""

from __future__ import annotations

from .json_report import dumps

SCHEMA_VERSION = "1"


def render_facts(all_facts) -> bytes:
    doc = {"schema_version": SCHEMA_VERSION,
           "models": [facts.model_dump(mode="json") for facts in all_facts]}
    return dumps(doc)
