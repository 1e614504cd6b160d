"""`compliance users ...` (accounts and organisations) and `compliance audit` (the audit log)."""

from __future__ import annotations

import getpass
import os
import sys

import click

from .batch import db_option, open_registry
from .common import debug_option, fail, guarded


def cli_actor() -> str:
    """Who a command acts as in the audit log: the operating-system account running it."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return f"cli:uid{os.getuid()}"


def read_password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        fail("no terminal to ask for the password on", "pipe it in with --password-stdin")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


@click.group()
def users() -> None:
    """Accounts and organisations of the office service (designers, reviewers, policy editors,
    administrators)."""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name printed on a sign-off, e.g. 王审查.")
@click.option("--role", type=click.Choice(["designer", "reviewer", "policy_editor", "admin"]), required=True)
@click.option("--org", "organisation", default=None, help="The organisation (required for designers).")
@click.option("--title", default="", help="Printed beside a reviewer's name, e.g. 审查员.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else it is asked for).")
@db_option
@debug_option
def add(username, display_name, role, organisation, title, password_stdin, db, debug) -> None:
    """Add an account.

    \b
    Examples:
      compliance users add-org "上海某建筑设计研究院"
      compliance users add li --role designer --org "上海某建筑设计研究院" --name 李设计
      echo "$PW" | compliance users add wang --role reviewer --name 王审查 --title 审查员 --password-stdin
    """
    def run():
        from compliance.office.accounts import add_user
        from compliance.office.audit import record

        registry = open_registry(db)
        user = add_user(registry, username, display_name, role, read_password(password_stdin), organisation, title)
        record(registry, cli_actor(), "user_add", f"user:{user.username}",
               {"role": user.role, "organisation": user.organisation})
        click.echo(f"added {user.username} ({user.role}{', ' + user.organisation if user.organisation else ''})",
                   err=True)
        return 0

    sys.exit(guarded(debug, run))


@users.command("add-org")
@click.argument("name")
@click.option("--kind", type=click.Choice(["design_institute", "applicant", "office"]), default="design_institute",
              show_default=True)
@db_option
@debug_option
def add_org(name, kind, db, debug) -> None:
    """Add an organisation (a design institute or an applicant) designers belong to."""
    def run():
        from compliance.office.accounts import add_organisation
        from compliance.office.audit import record

        registry = open_registry(db)
        org = add_organisation(registry, name, kind)
        record(registry, cli_actor(), "org_add", f"org:{org.id}", {"name": org.name, "kind": org.kind})
        click.echo(f"added organisation {org.name} ({org.kind})", err=True)
        return 0

    sys.exit(guarded(debug, run))


@users.command("list")
@db_option
@debug_option
def list_command(db, debug) -> None:
    """Every account, with its role, organisation and state."""
    def run():
        from compliance.office.accounts import list_users

        for u in list_users(open_registry(db, create=False)):
            click.echo(f"{u.username:20} {u.role:14} {'active' if u.active else 'disabled':9} "
                       f"{u.display_name}{' · ' + u.title if u.title else ''}"
                       f"{' · ' + u.organisation if u.organisation else ''}")
        return 0

    sys.exit(guarded(debug, run))


@users.command("orgs")
@db_option
@debug_option
def orgs(db, debug) -> None:
    """Every organisation."""
    def run():
        from compliance.office.accounts import organisations

        for o in organisations(open_registry(db, create=False)):
            click.echo(f"{o.id:4} {o.kind:17} {o.name}")
        return 0

    sys.exit(guarded(debug, run))


@users.command("set")
@click.argument("username")
@click.option("--password", "new_password", is_flag=True, help="Set a new password (asked for, or --password-stdin).")
@click.option("--password-stdin", is_flag=True)
@click.option("--disable", "active", flag_value=False, default=None, help="Disable the account (ends its sessions).")
@click.option("--enable", "active", flag_value=True, help="Enable it again.")
@click.option("--role", type=click.Choice(["designer", "reviewer", "policy_editor", "admin"]), default=None)
@click.option("--title", default=None)
@click.option("--name", "display_name", default=None)
@db_option
@debug_option
def set_command(username, new_password, password_stdin, active, role, title, display_name, db, debug) -> None:
    """Change an account: a new password, a role, its title; disable or enable it. A new password,
    a new role or disabling ends the account's sessions."""
    def run():
        from compliance.office.accounts import update_user
        from compliance.office.audit import record

        registry = open_registry(db, create=False)
        password = read_password(password_stdin) if (new_password or password_stdin) else None
        user = update_user(registry, username, password=password, active=active, role=role, title=title,
                           display_name=display_name)
        changed = [k for k, v in (("password", password), ("active", active), ("role", role), ("title", title),
                                  ("name", display_name)) if v is not None]
        record(registry, cli_actor(), "user_change", f"user:{user.username}",
               {"changed": changed, "role": user.role, "active": user.active})
        click.echo(f"{user.username}: {', '.join(changed) or 'nothing'} changed", err=True)
        return 0

    sys.exit(guarded(debug, run))


@click.command("audit")
@click.option("--verify", "verify_only", is_flag=True, help="Only check the chain (exit 0 intact, 1 broken).")
@click.option("--action", default=None, help="Only rows of this action (login, upload, check, file, signoff, ...).")
@click.option("--subject", default=None, help="Only rows about this (check:12, submission:YP-2025-0012, ...).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="The newest N rows.")
@db_option
@debug_option
def audit(verify_only, action, subject, limit, db, debug) -> None:
    """The audit log: who did what, when (UTC and Asia/Shanghai), and whether the chain is intact.

    Every row is hash-chained to the one before it: an edited, removed or inserted row breaks the
    chain at that row, and this command names it (exit status 1)."""
    def run():
        from zoneinfo import ZoneInfo

        from compliance.office.audit import rows, verify

        registry = open_registry(db, create=False)
        count, broken = verify(registry)
        if not verify_only:
            zone = ZoneInfo("Asia/Shanghai")
            found = rows(registry, action=action, subject=subject, limit=limit, newest_first=bool(limit))
            for r in sorted(found, key=lambda r: r.id):
                detail = " ".join(f"{k}={v}" for k, v in sorted(r.detail.items()))
                click.echo(f"{r.id:6} {r.at.astimezone(zone):%Y-%m-%d %H:%M:%S} {r.actor:22} {r.action:12} "
                           f"{r.subject:32} {detail}")
        if broken is not None:
            click.echo(f"audit log BROKEN at row {broken.id}: {broken.reason} ({count} rows read)", err=True)
            return 1
        click.echo(f"audit log intact: {count} rows, each following the one before", err=True)
        return 0

    sys.exit(guarded(debug, run))
