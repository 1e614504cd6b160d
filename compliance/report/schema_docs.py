"""The published JSON Schemas (docs/schemas/NAME.schema.json) and the table of documents in
docs/json.md, both generated from versioning.CONTRACTS; `compliance schema --write-docs` rewrites
them and a test fails when they differ from what the code generates."""

from __future__ import annotations

import json
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMAS = DOCS / "schemas"
JSON_DOC = DOCS / "json.md"
BEGIN = "<!-- documents: generated from compliance/report/versioning.py by `compliance schema --write-docs` -->"
END = "<!-- end of documents -->"


def schema_text(name: str) -> str:
    from .versioning import CONTRACTS

    return json.dumps(CONTRACTS[name].schema(), ensure_ascii=False, indent=2) + "\n"


def table() -> str:
    from .versioning import CONTRACTS

    rows = ["| document | schema_version | written by | schema (`$schema`) |", "|---|---|---|---|"]
    rows += [f"| `{c.name}` | {c.version} | {c.written_by} | [`schemas/{c.name}.schema.json`]"
             f"(schemas/{c.name}.schema.json) `{c.uri}` |" for c in CONTRACTS.values()]
    return "\n".join(rows)


def expected() -> dict[Path, str]:
    """Every generated file and its text (docs/json.md with its table replaced)."""
    from .versioning import CONTRACTS

    out = {SCHEMAS / f"{name}.schema.json": schema_text(name) for name in CONTRACTS}
    doc = JSON_DOC.read_text(encoding="utf-8")
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    if not rest or END not in rest:
        raise ValueError(f"{JSON_DOC}: the markers of the generated table are missing ({BEGIN} … {END})")
    out[JSON_DOC] = f"{head}{BEGIN}\n{table()}\n{END}{tail}"
    return out


def stale() -> list[Path]:
    """The generated files that differ from what the code generates (or are missing)."""
    return [path for path, text in expected().items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def write_docs() -> list[Path]:
    """Rewrite the generated files that changed; the ones rewritten."""
    changed = stale()
    texts = expected()
    SCHEMAS.mkdir(exist_ok=True)
    for path in changed:
        path.write_text(texts[path], encoding="utf-8")
    return changed
