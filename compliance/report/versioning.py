"""One versioning rule for every JSON document the checker writes (docs/json.md).

Every document is an object that carries
    "$schema":        the `$id` of its JSON Schema, https://yangpu-compliance.example/schemas/NAME.schema.json
                      (the file docs/schemas/NAME.schema.json, printed by `compliance schema NAME`);
    "schema_version": "MAJOR.MINOR".
MINOR goes up when a key or a value is added (a new optional key, a new record, a new enum value
of an open list): readers must ignore keys they do not know, and a document of a later minor
validates against the schema published for an earlier one (schemas never refuse unknown keys).
MAJOR goes up when a key is removed or renamed, a type narrowed or a meaning changed. Each
published schema accepts every MINOR of its MAJOR. A version of the old form "1" reads as "1.0".

CONTRACTS is the one list of documents, with their versions; the schemas are built by the
functions it names (imported when asked for), docs/schemas/ and the table in docs/json.md are
generated from it (`compliance schema --write-docs`), and a test fails when they drift apart.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

SCHEMA_BASE = "https://yangpu-compliance.example/schemas/"
_VERSION = re.compile(r"^(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$")


@dataclass(frozen=True)
class Contract:
    name: str                # docs/schemas/NAME.schema.json; `compliance schema NAME`
    version: str             # MAJOR.MINOR of what this build writes
    written_by: str          # which command writes it, for docs/json.md
    builder: str             # "module:function" returning the JSON Schema (imported when asked for)

    @property
    def uri(self) -> str:
        return f"{SCHEMA_BASE}{self.name}.schema.json"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def minor(self) -> int:
        return int(self.version.split(".")[1])

    def stamp(self, body: dict) -> dict:
        """`body` with "$schema" and "schema_version" first (keys of `body` by those names are replaced)."""
        rest = {k: v for k, v in body.items() if k not in ("$schema", "schema_version")}
        return {"$schema": self.uri, "schema_version": self.version, **rest}

    def header_schema(self) -> dict:
        """The JSON Schema of the two keys every document starts with: any MINOR of this MAJOR."""
        return {
            "$schema": {"const": self.uri, "description": "The $id of this document's JSON Schema."},
            "schema_version": {"type": "string", "pattern": rf"^{self.major}\.(0|[1-9][0-9]*)$",
                               "description": f"MAJOR.MINOR of this contract (this build writes {self.version}): "
                                              "MINOR grows when keys are added (readers ignore keys they do "
                                              "not know), MAJOR when one is removed, renamed or changes meaning."},
        }

    def schema(self) -> dict:
        module, function = self.builder.split(":")
        return getattr(importlib.import_module(module), function)()

    def check_readable(self, data: dict, *, newer_minor_ok: bool = True) -> tuple[int, int]:
        """(major, minor) of a document of this contract; ValueError when it is another contract, another
        MAJOR, or (with newer_minor_ok False: a reader that must understand every key) a later MINOR."""
        version = parse_version(data.get("schema_version"))
        if version is None:
            raise ValueError(f"a {self.name} document has schema_version MAJOR.MINOR; got "
                             f"{data.get('schema_version')!r}")
        if data.get("$schema", self.uri) != self.uri:
            raise ValueError(f"not a {self.name} document: $schema is {data.get('$schema')!r}")
        if version[0] != self.major:
            raise ValueError(f"{self.name} schema_version {data.get('schema_version')!r}: this checker reads "
                             f"{self.major}.x")
        if not newer_minor_ok and version[1] > self.minor:
            raise ValueError(f"{self.name} schema_version {data.get('schema_version')!r} was written by a newer "
                             f"checker; this one reads up to {self.version}: upgrade it")
        return version


def parse_version(value) -> tuple[int, int] | None:
    """'1.2' -> (1, 2); the old form '1' -> (1, 0); None for anything else."""
    match = _VERSION.match(value) if isinstance(value, str) else None
    return (int(match[1]), int(match[2] or 0)) if match else None


CONTRACTS: dict[str, Contract] = {c.name: c for c in (
    Contract("verdict", "1.1", "compliance check --format json; compliance report --format json; batch",
             "compliance.report.json_schema:verdict_schema"),
    Contract("error", "1.0", "any command writing JSON, when it cannot do what was asked (exit status 2)",
             "compliance.report.schema_data:error_schema"),
    Contract("facts", "1.1", "compliance extract --format json",
             "compliance.report.json_schema:facts_schema"),
    Contract("district-report", "2.1", "compliance district --format json",
             "compliance.report.json_schema:district_schema"),
    Contract("batch-summary", "1.0", "compliance batch (batch-summary.json in the output folder)",
             "compliance.report.schema_data:batch_summary_schema"),
    Contract("recheck", "1.0", "compliance recheck --json FILE",
             "compliance.report.schema_data:recheck_schema"),
)}
