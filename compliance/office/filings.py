"""Self-checks and filings (提交), and who may see what.

A check a designer runs through the web app is private to their organisation (a `check_owners`
row with no `filed_at`). Filing it puts it in the reviewers' queue and, once a reviewer approves
it, in the district roll-up. A submission id belongs to the organisation that first filed it; a
filing of the same id by another organisation is refused. Checks the office makes itself
(`compliance batch` over filed submissions) have no owner row and count as filed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Optional

from .accounts import AccountError, User

if TYPE_CHECKING:
    from ..registry.store import CheckRow, Registry


class FilingError(AccountError):
    kind = "filing refused"


@dataclass(frozen=True)
class Ownership:
    check_id: int
    organisation_id: int
    user_id: int
    uploaded_at: datetime
    upload_bytes: int
    filed_at: Optional[datetime]

    @property
    def filed(self) -> bool:
        return self.filed_at is not None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def own_check(registry: "Registry", check_id: int, user: User, upload_bytes: int = 0) -> None:
    """Record that `user` (a designer) made this check: private to their organisation."""
    from sqlalchemy.exc import IntegrityError

    from ..registry.tables import check_owners

    if user.organisation_id is None:
        return                      # an office account's check is the office's own
    try:
        with registry.engine.begin() as conn:
            conn.execute(check_owners.insert().values(check_id=check_id, organisation_id=user.organisation_id,
                                                      user_id=user.id, uploaded_at=_now(),
                                                      upload_bytes=upload_bytes))
    except IntegrityError:          # the same inputs checked again: the check is shared, the first owner keeps it
        pass


def ownership(registry: "Registry", check_id: int) -> Optional[Ownership]:
    from sqlalchemy import select

    from ..registry.tables import check_owners as t

    with registry.engine.connect() as conn:
        r = conn.execute(select(t).where(t.c.check_id == check_id)).first()
    return _ownership(r._mapping) if r is not None else None


def _ownership(r) -> Ownership:
    """A check_owners row (a mapping) as an Ownership."""
    return Ownership(r["check_id"], r["organisation_id"], r["user_id"], _utc(r["uploaded_at"]), r["upload_bytes"] or 0,
                     _utc(r["filed_at"]) if r["filed_at"] else None)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def filed():
    """The checks the office sees, as a condition on `checks.id`: every check but designers'
    self-checks not filed (a check with no owner row is the office's own and counts as filed)."""
    from sqlalchemy import select

    from ..registry.tables import check_owners as t
    from ..registry.tables import checks

    return checks.c.id.not_in(select(t.c.check_id).where(t.c.filed_at.is_(None)))


def submission_owner(registry: "Registry", submission_id: str) -> Optional[int]:
    from sqlalchemy import select

    from ..registry.tables import submission_owners as t

    with registry.engine.connect() as conn:
        return conn.execute(select(t.c.organisation_id).where(t.c.submission_id == submission_id)).scalar()


def file_check(registry: "Registry", check_id: int, user: User) -> "CheckRow":
    """File a designer's self-check (提交). Refused: not their organisation's check, an error, a
    check already superseded by a later one of theirs, or a submission id another organisation
    filed first."""
    from sqlalchemy import select, update
    from sqlalchemy.exc import IntegrityError

    from ..registry.tables import check_owners, submission_owners

    if user.role != "designer" or user.organisation_id is None:
        raise FilingError("only a designer files a submission", hint="sign in with the designer's account",
                          message_zh="只有设计人员可以提交申报", hint_zh="请用设计人员账号登录")
    row = registry.get(check_id)
    owner = ownership(registry, check_id)
    if row is None or owner is None or owner.organisation_id != user.organisation_id:
        raise FilingError(f"no check {check_id} of your organisation", hint="file a check you made",
                          message_zh=f"本单位没有编号为 {check_id} 的检查", hint_zh="请提交本单位所做的检查")
    if row.outcome != "verdict" or not row.submission_id:
        raise FilingError("this upload could not be checked: there is nothing to file",
                          hint="fix what the check reported, upload again, and file the new check",
                          message_zh="本次上传未能完成检查，没有可提交的结论", hint_zh="按检查提示修改后重新上传，再提交新的检查")
    if owner.filed:
        return row
    now = _now()
    try:
        with registry.engine.begin() as conn:
            claimed = conn.execute(select(submission_owners.c.organisation_id)
                                   .where(submission_owners.c.submission_id == row.submission_id)).scalar()
            if claimed is None:
                conn.execute(submission_owners.insert().values(submission_id=row.submission_id,
                                                               organisation_id=user.organisation_id,
                                                               first_check_id=check_id, filed_at=now))
            elif claimed != user.organisation_id:
                raise FilingError(f"submission {row.submission_id} was filed by another organisation",
                                  hint="check the submission id in submission.yaml (项目编号): each filing "
                                       "keeps the id the district gave it",
                                  message_zh=f"项目编号 {row.submission_id} 已由其他单位提交",
                                  hint_zh="请核对 submission.yaml 中的项目编号：每个申报沿用区里给定的编号")
            conn.execute(update(check_owners).where(check_owners.c.check_id == check_id)
                         .values(filed_at=now, filed_by=user.id))
    except IntegrityError:          # another organisation claimed it in the same instant
        raise FilingError(f"submission {row.submission_id} was filed by another organisation",
                          message_zh=f"项目编号 {row.submission_id} 已由其他单位提交") from None
    return row


def visible(user: User):
    """The checks `user` may see, as a condition on `checks.id`: a designer, their organisation's;
    the office, every check but designers' unfiled self-checks. The one rule for every page,
    report, 3D view and history, evaluated by the database."""
    from sqlalchemy import select

    from ..registry.tables import check_owners as t
    from ..registry.tables import checks

    if user.role == "designer":
        return checks.c.id.in_(select(t.c.check_id).where(t.c.organisation_id == user.organisation_id))
    return filed()


def can_see(registry: "Registry", user: User, row: "CheckRow") -> bool:
    """Whether `user` may see this check (its page, reports, 3D view, history)."""
    return registry.get(row.id, where=visible(user)) is not None


def visible_history(registry: "Registry", user: User, submission_id: str) -> list["CheckRow"]:
    """A submission's checks `user` may see, oldest first."""
    return registry.history(submission_id, where=visible(user))


def sees_model(registry: "Registry", user: User, sha256: str) -> bool:
    """Whether `user` may see a check made from the model with this content."""
    from sqlalchemy import exists, select

    from ..registry.tables import checks, inputs

    query = select(exists().where(inputs.c.sha256 == sha256, inputs.c.check_id == checks.c.id, visible(user)))
    with registry.engine.connect() as conn:
        return bool(conn.execute(query).scalar())


def organisation_checks(registry: "Registry", organisation_id: int) -> list[tuple["CheckRow", Ownership]]:
    """Every check of an organisation with its ownership, newest upload first (the designer's home
    page), in one query."""
    from ..registry.tables import check_owners as t

    found = registry.rows_with(t, t.c.check_id, t.c.organisation_id == organisation_id)
    out = [(row, _ownership(o)) for row, o in found]
    return sorted(out, key=lambda p: (p[1].uploaded_at, p[0].id), reverse=True)


def uploaded_bytes(registry: "Registry", organisation_id: int, since: datetime) -> int:
    from sqlalchemy import func, select

    from ..registry.tables import check_owners as t

    with registry.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(t.c.upload_bytes), 0))
                                .where(t.c.organisation_id == organisation_id, t.c.uploaded_at >= since)).scalar_one())
