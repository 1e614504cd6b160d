"""The facts store: what the reader extracted from each model, kept so that a rule change (or a fix
outside the reader) re-evaluates a filing without opening its IFC again.

Extracting facts is ~95 % of a check (open, classify, geometry); evaluating them is the rest. The
reader's output for one model file, `read.records.ModelFacts`, is stored as zlib-compressed JSON
in the registry's `model_facts` table, keyed by

    (the file's SHA-256, build.reader_identity(conventions), the file's name)

— its content, the reader's own code and conventions, and the name every figure's provenance
cites. A changed reader or conventions file is another key: stale facts are never served. A
submission's metadata file is kept in `input_texts` by its SHA-256, so a filing can be re-checked
when its folder is gone (an upload removed by `compliance gc`).

Two implementations of one small interface (`get(key)`, `put(key, facts)`), chosen per run and
held in `RunContext.facts`:
- `StoredFacts`: the registry itself (the web app, `compliance recheck`, `batch --recheck`);
- `CollectedFacts`: facts read in a worker process, sent back with its result for the main
  process to store (a batch worker never writes to the registry).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Optional

from ..read.records import FactsKey

if TYPE_CHECKING:
    from ..read.records import ModelFacts
    from .store import Registry


@dataclass(frozen=True)
class PackedFacts:
    """One model's facts as stored: the key, the file's size and the compressed JSON."""

    key: FactsKey
    size_bytes: int
    data: bytes


def pack(key: FactsKey, facts: "ModelFacts") -> PackedFacts:
    return PackedFacts(key, facts.info.size_bytes, zlib.compress(facts.model_dump_json().encode("utf-8"), 6))


def unpack(data: bytes) -> "ModelFacts":
    from ..read.records import ModelFacts

    return ModelFacts.model_validate_json(zlib.decompress(data))


@dataclass
class CollectedFacts:
    """Facts read by one worker for one submission, to send back (`taken()`); `known`: facts sent
    along with the task (a re-check), and `fallback`: the registry's, both served without reading."""

    known: dict = field(default_factory=dict)          # FactsKey -> PackedFacts
    new: list = field(default_factory=list)            # PackedFacts
    fallback: Optional["StoredFacts"] = None           # asked for what is not known (batch --recheck)
    served: int = 0                                    # models answered from facts, not read

    def get(self, key: FactsKey) -> Optional["ModelFacts"]:
        packed = self.known.get(key)
        found = unpack(packed.data) if packed is not None else (
            self.fallback.get(key) if self.fallback is not None else None)
        self.served += found is not None
        return found

    def put(self, key: FactsKey, facts: "ModelFacts") -> None:
        self.new.append(pack(key, facts))

    def taken(self) -> list:
        new, self.new = self.new, []
        return new


class StoredFacts:
    """The registry's facts store. A row that cannot be decoded (written by a newer pydantic
    schema, damaged) is a miss: the model is read again. Facts are an optimisation, never an input."""

    def __init__(self, registry: "Registry", write: bool = True) -> None:
        self.registry, self.write = registry, write

    def get(self, key: FactsKey) -> Optional["ModelFacts"]:
        packed = self.packed(key)
        if packed is None:
            return None
        try:
            return unpack(packed.data)
        except (ValueError, zlib.error):
            return None

    def packed(self, key: FactsKey) -> Optional[PackedFacts]:
        from sqlalchemy import select

        from .tables import model_facts as t

        with self.registry.engine.connect() as conn:
            row = conn.execute(select(t.c.size_bytes, t.c.facts).where(
                t.c.sha256 == key.sha256, t.c.reader == key.reader, t.c.file == key.file)).first()
        return PackedFacts(key, row.size_bytes, bytes(row.facts)) if row is not None else None

    def under(self, reader: str) -> set[FactsKey]:
        """The keys of every model's facts stored under `reader` (the blobs are not loaded)."""
        from sqlalchemy import select

        from .tables import model_facts as t

        with self.registry.engine.connect() as conn:
            return {FactsKey(*row) for row in conn.execute(select(t.c.sha256, t.c.reader, t.c.file)
                                                           .where(t.c.reader == reader))}

    def texts(self) -> set[str]:
        """The SHA-256 of every metadata file kept."""
        from sqlalchemy import select

        from .tables import input_texts as t

        with self.registry.engine.connect() as conn:
            return set(conn.execute(select(t.c.sha256)).scalars())

    def put(self, key: FactsKey, facts: "ModelFacts") -> None:
        if self.write:
            self.keep([pack(key, facts)])

    def keep(self, packed: list) -> None:
        """Store facts (a row already there is kept: the same key is the same facts)."""
        from sqlalchemy import select

        from .tables import model_facts as t

        for p in packed:
            def write(p=p) -> None:
                with self.registry.engine.begin() as conn:
                    if conn.execute(select(t.c.sha256).where(t.c.sha256 == p.key.sha256, t.c.reader == p.key.reader,
                                                             t.c.file == p.key.file)).first() is None:
                        conn.execute(t.insert().values(sha256=p.key.sha256, reader=p.key.reader, file=p.key.file,
                                                       size_bytes=p.size_bytes, facts=p.data,
                                                       stored_at=datetime.now(timezone.utc)))
            self._write(write)

    def keep_text(self, sha256: str, content: bytes) -> None:
        """A metadata file by its content hash (kept once)."""
        from sqlalchemy import select

        from .tables import input_texts as t

        def write() -> None:
            with self.registry.engine.begin() as conn:
                if conn.execute(select(t.c.sha256).where(t.c.sha256 == sha256)).first() is None:
                    conn.execute(t.insert().values(sha256=sha256, content=content))
        self._write(write)

    def _write(self, action) -> None:
        """One write, tried again while the server restarts; given up quietly when it cannot be made
        (another writer stored the same row, the server stays down): facts only save time later."""
        from sqlalchemy.exc import SQLAlchemyError

        from .store import RegistryError

        try:
            self.registry.reconnecting(action, "store a model's facts")
        except (RegistryError, SQLAlchemyError):
            pass

    def text(self, sha256: str) -> Optional[bytes]:
        from sqlalchemy import select

        from .tables import input_texts as t

        with self.registry.engine.connect() as conn:
            value = conn.execute(select(t.c.content).where(t.c.sha256 == sha256)).scalar()
        return bytes(value) if value is not None else None


def metadata_of(verdict, folder) -> Optional[tuple[str, bytes]]:
    """(SHA-256, bytes) of the metadata file a verdict was checked from, read again from `folder`
    (None: no longer there, or changed since: a text that is not what was checked is never kept)."""
    import hashlib
    from pathlib import Path

    for f in verdict.inputs:
        if f.role == "metadata":
            try:
                data = (Path(folder) / f.file).read_bytes()
            except OSError:
                return None
            return (f.sha256, data) if hashlib.sha256(data).hexdigest() == f.sha256 else None
    return None
