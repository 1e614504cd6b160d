"""The audit log: append-only and tamper-evident.

Every row carries the hash of the row before it: hash = sha256(prev_hash + canonical JSON of the
row). Editing a row breaks its own hash, deleting one breaks its successor's `prev_hash`, and ids
run 1, 2, 3 ... with no gap, so `verify` finds the first row that does not follow. Rows get their id
from the previous one; two writers racing for the same id collide on the primary key and the
loser retries on top of the winner, so the chain never forks (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ..registry.store import Registry

GENESIS = "0" * 64
ACTIONS = ("login", "login_failed", "logout", "upload", "check", "file", "signoff", "download", "publish",
           "draft_save", "user_add", "user_change", "org_add", "gc", "refused")


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict
    address: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Broken:
    """The first row that does not follow the chain, and why."""

    id: int
    reason: str


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def row_hash(prev_hash: str, id: int, at: datetime, actor: str, action: str, subject: str, detail: str,
             address: str) -> str:
    body = json.dumps([id, _utc(at).isoformat(timespec="microseconds"), actor, action, subject, detail, address],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def record(registry: "Registry", actor: str, action: str, subject: str = "", detail: Optional[dict] = None,
           address: str = "") -> AuditRow:
    """Append one row; returns it as stored."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from ..registry.tables import audit_log

    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    # what the columns hold on every backend (PostgreSQL refuses longer text and NUL characters)
    actor, action, subject, address = _fit(actor, 100), _fit(action, 32), _fit(subject, 200), _fit(address, 64)
    for _attempt in range(50):
        at = datetime.now(timezone.utc)
        try:
            with registry.engine.begin() as conn:
                last = conn.execute(select(audit_log.c.id, audit_log.c.hash)
                                    .order_by(audit_log.c.id.desc()).limit(1)).first()
                new_id, prev = (last.id + 1, last.hash) if last else (1, GENESIS)
                digest = row_hash(prev, new_id, at, actor, action, subject, text, address)
                conn.execute(audit_log.insert().values(id=new_id, at=at, actor=actor, action=action, subject=subject,
                                                       detail=text, address=address, prev_hash=prev, hash=digest))
            return AuditRow(new_id, at, actor, action, subject, json.loads(text), address, prev, digest)
        except IntegrityError:          # another writer took this id: chain on top of theirs
            continue
    raise RuntimeError("the audit log is too busy to append to")


def _fit(text: str, most: int) -> str:
    """A value as its column holds it: NUL made visible, cut to `most` characters (… marks a cut)."""
    text = (text or "").replace("\x00", "[U+0000]")
    return text if len(text) <= most else text[:most - 1] + "…"


def rows(registry: "Registry", *, action: Optional[str] = None, subject: Optional[str] = None,
         actor: Optional[str] = None, limit: Optional[int] = None, newest_first: bool = False) -> list[AuditRow]:
    from sqlalchemy import select

    from ..registry.tables import audit_log as t

    query = select(t).order_by(t.c.id.desc() if newest_first else t.c.id)
    if action:
        query = query.where(t.c.action == action)
    if subject:
        query = query.where(t.c.subject == subject)
    if actor:
        query = query.where(t.c.actor == actor)
    if limit:
        query = query.limit(limit)
    with registry.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def _row(r) -> AuditRow:
    try:
        detail = json.loads(r.detail or "{}")
    except ValueError:
        detail = {"unreadable": r.detail}
    return AuditRow(r.id, _utc(r.at), r.actor, r.action, r.subject, detail, r.address, r.prev_hash, r.hash)


def verify(registry: "Registry") -> tuple[int, Optional[Broken]]:
    """(rows checked, the first broken row or None). Reads the raw stored text, so an edit of any
    column (even one that keeps the JSON meaning) is found."""
    from sqlalchemy import select

    from ..registry.tables import audit_log as t

    prev, expected_id, count = GENESIS, 1, 0
    with registry.engine.connect() as conn:
        for r in conn.execute(select(t).order_by(t.c.id)):
            count += 1
            if r.id != expected_id:
                return count, Broken(r.id, f"row {expected_id} is missing (the next stored row is {r.id})")
            if r.prev_hash != prev:
                return count, Broken(r.id, "it does not follow the row before it (a row was removed or replaced)")
            if row_hash(prev, r.id, r.at, r.actor, r.action, r.subject, r.detail, r.address) != r.hash:
                return count, Broken(r.id, "its content does not match its hash (the row was edited)")
            prev, expected_id = r.hash, expected_id + 1
    return count, None


def head(registry: "Registry") -> Optional[AuditRow]:
    found = rows(registry, limit=1, newest_first=True)
    return found[0] if found else None
