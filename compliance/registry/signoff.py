"""Reviewers' sign-offs: stored per check (every one kept, the latest counts), attached to the
stored verdict for the reports, and the reviewer's queue (the latest check of every submission
with its latest sign-off).

The Registry's methods `sign_off`, `signoffs`, `verdict` and `queue` call these functions; the web
app and the CLI call the methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Iterable, Optional

from ..evaluate.results import COMMENT_MAX, DECISIONS, REVIEWER_MAX, SignOff
from .store import CheckRow, RegistryError, shown_url

if TYPE_CHECKING:
    from ..evaluate.results import Verdict
    from ..office.accounts import User
    from .store import Registry

QUEUE_VERDICTS = ("compliant", "non_compliant", "incomplete", "error")


@dataclass(frozen=True)
class QueueRow:
    """One line of the reviewer's queue: a submission's latest check and its latest sign-off."""

    check: CheckRow
    signoff: Optional[SignOff]          # None: not signed yet

    @property
    def signed(self) -> bool:
        return self.signoff is not None


# -- writing ------------------------------------------------------------------------------------

def sign_off(registry: "Registry", check_id: int, reviewer: str, decision: str, comment: str = "",
             signer: Optional["User"] = None) -> SignOff:
    """Store a reviewer's decision on a check and return it as stored. Refused (RegistryError): an
    unknown check, a check that is an error, an invalid name, decision or comment. `signer`: the
    signed-in account it is made under (office/review.py checks who may sign; this only stores)."""
    from pydantic import ValidationError
    from sqlalchemy.exc import IntegrityError

    from .tables import signoff_signers, signoffs

    if isinstance(check_id, bool) or not isinstance(check_id, int):
        raise RegistryError(f"check id {check_id!r} is not a whole number",
                            hint="give the id `compliance history ID` lists for the check")
    row = registry.get(check_id)
    if row is None:
        raise RegistryError(f"no check {check_id} in the registry", file=shown_url(registry.url),
                            hint="`compliance history ID` lists a submission's checks with their ids; "
                                 "pass --db with the registry that holds it")
    if row.outcome != "verdict":
        what = row.submission_id or row.folder
        raise RegistryError(f"check {check_id} ({what}) could not be checked ({row.error_message or row.error_kind}): "
                            "there is no verdict to sign off",
                            hint="fix the submission, check it again, and sign off the new check")
    try:
        record = SignOff(check_id=check_id, reviewer=reviewer, decision=decision, comment=comment,
                         signed_at=datetime.now(timezone.utc).replace(microsecond=0),
                         reviewer_account=signer.username if signer else None,
                         reviewer_title=signer.title if signer else "")
    except ValidationError as exc:
        message, hint = plain_error(exc)
        raise RegistryError(f"cannot sign off check {check_id}: {message}", hint=hint,
                            message_zh=f"无法签署检查 {check_id}：审查意见须为 同意 / 不同意 / 退回修改，说明不超过 "
                                       f"{COMMENT_MAX} 字", hint_zh="请核对后重新签署") from None
    try:
        with registry.engine.begin() as conn:
            key = conn.execute(signoffs.insert().values(
                check_id=record.check_id, submission_id=row.submission_id, reviewer=record.reviewer,
                decision=record.decision, comment=record.comment, signed_at=record.signed_at)).inserted_primary_key
            assert key is not None              # a single-row insert: the row's primary key
            new_id = key[0]
            if signer is not None:
                conn.execute(signoff_signers.insert().values(signoff_id=new_id, user_id=signer.id,
                                                             username=signer.username, title=signer.title))
    except IntegrityError:          # the check was deleted in the meantime
        raise RegistryError(f"no check {check_id} in the registry any more", file=shown_url(registry.url)) from None
    return record


def plain_error(exc) -> tuple[str, str]:
    """A pydantic ValidationError on a SignOff as one plain sentence and a hint."""
    first = exc.errors()[0]
    field = first["loc"][0] if first.get("loc") else ""
    kind = first.get("type", "")
    value = first.get("input")
    if field == "reviewer":
        if kind == "value_error":           # our validator: a control character
            return first["msg"].removeprefix("Value error, "), "type the name without control characters"
        if kind == "string_too_short":
            return "the reviewer's name is empty", f"give the reviewer's name (1-{REVIEWER_MAX} characters)"
        if kind == "string_too_long":
            return (f"the reviewer's name is {len(value.strip())} characters long (at most {REVIEWER_MAX})",
                    "shorten the name")
        return "the reviewer's name is not text", f"give the reviewer's name (1-{REVIEWER_MAX} characters)"
    if field == "decision":
        return (f"decision {value!r} is not one of {', '.join(DECISIONS)}",
                "approved: accept the verdict; rejected: refuse the submission; revise: send it back for changes")
    if field == "comment":
        if kind == "value_error":
            return first["msg"].removeprefix("Value error, "), "remove the NUL character"
        if kind == "string_too_long":
            return f"the comment is {len(value.strip())} characters long (at most {COMMENT_MAX})", "shorten it"
        return "the comment is not text", f"give a comment of at most {COMMENT_MAX} characters, or none"
    return f"{field or 'sign-off'}: {first.get('msg', 'invalid')}", "see `compliance signoff --help`"


# -- reading ------------------------------------------------------------------------------------

def _signoff(row) -> SignOff:
    """A stored row as a record; one edited by hand into something invalid is still shown (the
    reports make its control characters visible), never the reason a whole queue fails."""
    from pydantic import ValidationError

    values = dict(check_id=row.check_id, reviewer=row.reviewer, decision=row.decision, comment=row.comment or "",
                  signed_at=row.signed_at, reviewer_account=row.username, reviewer_title=row.title or "")
    try:
        return SignOff.model_validate(values)
    except ValidationError:
        at = row.signed_at
        at = at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
        return SignOff.model_construct(**{**values, "signed_at": at})


def signoffs(registry: "Registry", check_id: Optional[int] = None,
             submission_id: Optional[str] = None) -> list[SignOff]:
    """Sign-offs of a check, of a submission (all its checks), or every one; oldest first."""
    from sqlalchemy import select

    from .tables import signoffs as table

    query = _with_signers(select).order_by(table.c.id)
    if check_id is not None:
        query = query.where(table.c.check_id == check_id)
    if submission_id is not None:
        query = query.where(table.c.submission_id == submission_id)
    with registry.engine.connect() as conn:
        return [_signoff(r) for r in conn.execute(query)]


def latest_signoffs(registry: "Registry") -> dict[int, SignOff]:
    """The latest sign-off of every signed check, in one query."""
    from sqlalchemy import func, select

    from .tables import signoffs as table

    last = select(func.max(table.c.id)).group_by(table.c.check_id)
    with registry.engine.connect() as conn:
        return {r.check_id: _signoff(r) for r in conn.execute(_with_signers(select).where(table.c.id.in_(last)))}


def _with_signers(select):
    """Sign-offs with the account each was made under (none for those made before accounts)."""
    from .tables import signoff_signers as s
    from .tables import signoffs as table

    return select(table, s.c.username, s.c.title).select_from(table.outerjoin(s, s.c.signoff_id == table.c.id))


def verdict(registry: "Registry", check_id: int) -> Optional["Verdict"]:
    """The stored verdict of a check with its sign-offs; None for an unknown check or an error."""
    from ..report.json_report import load_verdict

    data = registry.stored_json(check_id)
    if data is None:
        return None
    try:
        stored = load_verdict(data)
    except ValueError as exc:
        first = (str(exc).strip().splitlines() or ["invalid"])[0][:300]
        raise RegistryError(f"the stored verdict of check {check_id} cannot be read by this version ({first})",
                            file=shown_url(registry.url),
                            hint="re-check the submission with this version (`compliance batch`)") from None
    return stored.model_copy(update={"signoffs": tuple(signoffs(registry, check_id=check_id))})


def queue(registry: "Registry", verdict: Optional[str] = None, zone: Optional[str] = None,
          use: Optional[str] = None, since: Optional[date] = None, until: Optional[date] = None,
          signed: Optional[bool] = None) -> list[QueueRow]:
    """The latest check of every submission (as `Registry.latest`) with its latest sign-off, newest
    first, filtered: `verdict` compliant / non_compliant / incomplete / error; `zone`; `use`;
    checked on or after `since` and on or before `until` (dates, UTC); `signed` True (the latest
    check has a sign-off) or False (not yet)."""
    if verdict is not None and verdict not in QUEUE_VERDICTS:
        raise RegistryError(f"unknown verdict filter {verdict!r}", hint=f"use one of {', '.join(QUEUE_VERDICTS)}")
    since, until = _day(since, "since"), _day(until, "until")
    rows = [r for r in registry.latest() if _keep(r, verdict, zone, use, since, until)]
    latest = latest_signoffs(registry) if rows else {}
    out = [QueueRow(check=r, signoff=latest.get(r.id)) for r in rows]
    if signed is not None:
        out = [q for q in out if q.signed == bool(signed)]
    return sorted(out, key=lambda q: (_utc(q.check.checked_at), q.check.id), reverse=True)


def _keep(row: CheckRow, verdict, zone, use, since, until) -> bool:
    if verdict is not None and (row.verdict if row.outcome == "verdict" else "error") != verdict:
        return False
    if zone is not None and row.zone != zone:
        return False
    if use is not None and row.use != use:
        return False
    day = _utc(row.checked_at).date()
    return (since is None or day >= since) and (until is None or day <= until)


def _day(value, name: str) -> Optional[date]:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _utc(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RegistryError(f"{name} {value!r} is not a date", hint="give a date as YYYY-MM-DD")


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def decisions_by_check(items: Iterable[SignOff]) -> dict[int, SignOff]:
    """The latest of each check's sign-offs in `items` (oldest first)."""
    out: dict[int, SignOff] = {}
    for s in items:
        out[s.check_id] = s
    return out
