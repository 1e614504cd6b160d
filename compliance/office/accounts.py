"""Accounts, organisations and roles.

Roles: a designer belongs to an organisation (a design institute or an applicant) and sees only
its submissions; a reviewer works through the filings and signs; a policy editor drafts and
publishes rule sets; an administrator manages accounts (and may do what the others do, except
sign: a verdict is signed by a reviewer). Passwords are hashed with argon2id (argon2-cffi)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Optional

from ..errors import ComplianceError

if TYPE_CHECKING:
    from ..registry.store import Registry

ROLES = ("designer", "reviewer", "policy_editor", "admin")
ORG_KINDS = ("design_institute", "applicant", "office")
ROLE_LABELS = {"designer": ("设计人员", "designer"), "reviewer": ("审查人员", "reviewer"),
               "policy_editor": ("政策编辑", "policy editor"), "admin": ("管理员", "administrator")}
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
MIN_PASSWORD = 10


class AccountError(ComplianceError):
    kind = "account error"


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    kind: str


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    title: str
    role: str
    organisation_id: Optional[int]
    organisation: Optional[str]
    active: bool
    session_epoch: int

    @property
    def can_sign(self) -> bool:
        return self.role == "reviewer"

    @property
    def sees_filings(self) -> bool:
        return self.role in ("reviewer", "policy_editor", "admin")


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _clean(text: str, what: str, most: int) -> str:
    text = (text or "").strip()
    if not text:
        raise AccountError(f"the {what} is empty", hint=f"give a {what} of 1-{most} characters")
    if len(text) > most:
        raise AccountError(f"the {what} is {len(text)} characters long (at most {most})", hint="shorten it")
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf")), None)
    if bad is not None:
        raise AccountError(f"the {what} contains a control character (U+{ord(bad):04X})", hint="type it again")
    return text


# -- organisations --------------------------------------------------------------------------------

def add_organisation(registry: "Registry", name: str, kind: str = "design_institute") -> Organisation:
    from sqlalchemy.exc import IntegrityError

    from ..registry.tables import organisations

    name = _clean(name, "organisation's name", 200)
    if kind not in ORG_KINDS:
        raise AccountError(f"organisation kind {kind!r} is not one of {', '.join(ORG_KINDS)}")
    try:
        with registry.engine.begin() as conn:
            key = conn.execute(organisations.insert().values(name=name, kind=kind, created_at=_now())
                               ).inserted_primary_key
            assert key is not None              # a single-row insert: the row's primary key
            new_id = key[0]
    except IntegrityError:
        raise AccountError(f"an organisation named {name!r} exists already",
                           hint="`compliance users orgs` lists them") from None
    return Organisation(new_id, name, kind)


def organisations(registry: "Registry") -> list[Organisation]:
    from sqlalchemy import select

    from ..registry.tables import organisations as t

    with registry.engine.connect() as conn:
        return [Organisation(r.id, r.name, r.kind) for r in conn.execute(select(t).order_by(t.c.name))]


def organisation_named(registry: "Registry", name: str) -> Organisation:
    found = next((o for o in organisations(registry) if o.name == name.strip()), None)
    if found is None:
        raise AccountError(f"no organisation named {name!r}",
                           hint="add it with `compliance users add-org NAME`, or see `compliance users orgs`")
    return found


# -- users ----------------------------------------------------------------------------------------

def _select():
    from sqlalchemy import select

    from ..registry.tables import organisations, users

    return select(users, organisations.c.name.label("org_name")).select_from(
        users.outerjoin(organisations, users.c.organisation_id == organisations.c.id))


def _user(r) -> User:
    return User(r.id, r.username, r.display_name, r.title or "", r.role, r.organisation_id, r.org_name,
                bool(r.active), r.session_epoch or 0)


def add_user(registry: "Registry", username: str, display_name: str, role: str, password: str,
             organisation: Optional[str] = None, title: str = "") -> User:
    from sqlalchemy.exc import IntegrityError

    from ..registry.tables import users

    username = (username or "").strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountError(f"user name {username!r} is not allowed",
                           hint="2-64 characters: lower-case letters, digits, . _ @ -")
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    display_name = _clean(display_name, "name", 100)
    title = _clean(title, "title", 100) if title and title.strip() else ""
    org = organisation_named(registry, organisation) if organisation else None
    if role == "designer" and org is None:
        raise AccountError("a designer belongs to an organisation",
                           hint="pass --org with the design institute or applicant they work for")
    digest = _hasher().hash(check_password(password))
    try:
        with registry.engine.begin() as conn:
            key = conn.execute(users.insert().values(
                username=username, display_name=display_name, title=title, role=role,
                organisation_id=org.id if org else None, password_hash=digest,
                active=True, created_at=_now(), session_epoch=0)).inserted_primary_key
            assert key is not None              # a single-row insert: the row's primary key
            new_id = key[0]
    except IntegrityError:
        raise AccountError(f"user {username!r} exists already", hint="pick another user name") from None
    user = get_user(registry, new_id)
    assert user is not None                     # the row just inserted
    return user


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"the password is shorter than {MIN_PASSWORD} characters", hint="choose a longer one")
    return password


def get_user(registry: "Registry", user_id: int) -> Optional[User]:
    from ..registry.tables import users

    with registry.engine.connect() as conn:
        r = conn.execute(_select().where(users.c.id == user_id)).first()
    return _user(r) if r else None


def user_named(registry: "Registry", username: str) -> Optional[User]:
    from ..registry.tables import users

    with registry.engine.connect() as conn:
        r = conn.execute(_select().where(users.c.username == (username or "").strip().lower())).first()
    return _user(r) if r else None


def list_users(registry: "Registry") -> list[User]:
    from ..registry.tables import users

    with registry.engine.connect() as conn:
        return [_user(r) for r in conn.execute(_select().order_by(users.c.username))]


def authenticate(registry: "Registry", username: str, password: str) -> Optional[User]:
    """The active user with this name and password, or None (the same None for an unknown name,
    a wrong password and a disabled account; the hash is computed either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError
    from sqlalchemy import select

    from ..registry.tables import users

    hasher = _hasher()
    with registry.engine.connect() as conn:
        r = conn.execute(select(users.c.id, users.c.password_hash, users.c.active)
                         .where(users.c.username == (username or "").strip().lower())).first()
    if r is None:
        try:
            hasher.verify(_DUMMY_HASH, password or "x")
        except VerificationError:
            pass
        return None
    try:
        hasher.verify(r.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if not r.active:
        return None
    if hasher.check_needs_rehash(r.password_hash):
        with registry.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == r.id).values(password_hash=hasher.hash(password)))
    return get_user(registry, r.id)


# a real hash of a throw-away password: an unknown user costs the same time as a wrong password
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$yKjtjuxs5dj8ygXy/4BZ2Q$Bi1tMMfhk7Fp4kMdFD4+JJ/deskoJ5hCDvTQGoBMcHU"


def update_user(registry: "Registry", username: str, *, password: Optional[str] = None,
                active: Optional[bool] = None, role: Optional[str] = None, title: Optional[str] = None,
                display_name: Optional[str] = None) -> User:
    """Change an account. A new password, a role change or disabling ends its sessions."""
    from sqlalchemy import update

    from ..registry.tables import users

    user = user_named(registry, username)
    if user is None:
        raise AccountError(f"no user {username!r}", hint="`compliance users list` lists them")
    values: dict = {}
    if password is not None:
        values["password_hash"] = _hasher().hash(check_password(password))
    if active is not None:
        values["active"] = active
    if role is not None:
        if role not in ROLES:
            raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if role == "designer" and user.organisation_id is None:
            raise AccountError("a designer belongs to an organisation", hint="add the account again with --org")
        values["role"] = role
    if title is not None:
        values["title"] = _clean(title, "title", 100) if title.strip() else ""
    if display_name is not None:
        values["display_name"] = _clean(display_name, "name", 100)
    if {"password_hash", "active", "role"} & values.keys():
        values["session_epoch"] = user.session_epoch + 1
    if values:
        with registry.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(**values))
    return get_user(registry, user.id)  # type: ignore[return-value]
