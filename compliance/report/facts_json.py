"""`compliance extract --format json`: the reader's records, as they are, for tools
(docs/schemas/facts.schema.json)."""

from __future__ import annotations

from .json_report import dumps


def render_facts(all_facts) -> bytes:
    from .versioning import CONTRACTS

    return dumps(CONTRACTS["facts"].stamp({"models": [facts.model_dump(mode="json") for facts in all_facts]}))
