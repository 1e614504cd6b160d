"""`compliance serve`: the local web app over the same pipeline and registry as the CLI."""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import click

from .batch import db_option
from .common import debug_option, fail, guarded, limits_option, rules_option

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (behind a reverse proxy: loopback, with --proxy 1).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@db_option
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("compliance-web"), show_default=True,
              help="Where uploads, check folders, 3D views, PDFs and the session key are kept (shared by the "
                   "app's processes).")
@click.option("--proxy", "proxies", type=click.IntRange(0, 5), default=0, show_default=True,
              help="Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port/-Prefix headers "
                   "are trusted (docs/deploy.md).")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Send cookies over HTTPS only (default: on with --proxy, where HTTPS ends at the proxy).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Host names the app answers to (repeatable; default: loopback names when listening on "
                   "loopback without a proxy, else any).")
@click.option("--max-upload-mb", type=click.FloatRange(min=1), default=512, show_default=True,
              help="Largest upload (a zip, or submission.yaml and its IFC files together).")
@click.option("--quota-mb-per-day", type=click.FloatRange(min=1), default=2048, show_default=True,
              help="What one organisation may upload in a day.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Checks running at once (each in its own process).")
@click.option("--scheduler", default=lambda: os.environ.get("COMPLIANCE_SCHEDULER") or None, metavar="tcp://HOST:PORT",
              help="Run the checks on a Dask cluster: its scheduler's address (`dask scheduler`; its `dask worker`s "
                   "check the uploads, --workers at once). The workers must see --data-dir and the rules at the "
                   "same paths (a shared filesystem) and run this checker's version. Default: $COMPLIANCE_SCHEDULER, "
                   "else each check in a process of its own on this machine.")
@click.option("--lang", type=click.Choice(["both", "zh", "en"]), default="both", show_default=True,
              help="Language of the downloaded reports.")
@click.option("--signing-p12", type=click.Path(path_type=Path, dir_okay=False), default=lambda: os.environ.get(
              "COMPLIANCE_SIGNING_P12"), help="The office's certificate and key (PKCS#12) that sign signed-off "
              "PDFs; its passphrase in $COMPLIANCE_SIGNING_PASSPHRASE (`compliance certs self-signed` makes one "
              "for trials).")
@rules_option
@limits_option
@debug_option
def serve(host, port, db, data_dir, proxies, secure_cookies, allowed_hosts, max_upload_mb, quota_mb_per_day, workers,
          scheduler, lang, signing_p12, rules_dir, limits, debug) -> None:
    """Start the office web app: designers self-check and file, reviewers work through the filings
    and sign off, policy editors draft and publish rule sets, administrators see the audit log.
    Everyone signs in (`compliance users add` makes the accounts).

    \b
    Example:
      compliance users add wang --role reviewer --name 王审查 --password-stdin
      compliance serve                 # then open http://127.0.0.1:8000/
      compliance serve --proxy 1 --allowed-host checker.example.gov.cn   # behind nginx (docs/deploy.md)
    """
    def run():
        from compliance.web.settings import WebSettings

        if not rules_dir.is_dir():
            fail(f"{rules_dir}: no such rules folder", "pass --rules with the folder of rule files")
        if signing_p12 is not None and not signing_p12.is_file():
            fail(f"{signing_p12}: no such certificate file",
                 "make one with `compliance certs self-signed`, or pass the office's PKCS#12 file")
        hosts = tuple(allowed_hosts) or (LOOPBACK_NAMES if is_loopback(host) and not proxies else ())
        settings = WebSettings(data_dir=data_dir.resolve(), rules_dir=rules_dir.resolve(), db=db,
                               max_upload_mb=max_upload_mb, limits=limits, workers=workers, scheduler=scheduler, lang=lang,
                               allowed_hosts=hosts, proxies=proxies,
                               secure_cookies=bool(proxies) if secure_cookies is None else secure_cookies,
                               secret_key=os.environ.get("COMPLIANCE_SECRET_KEY") or None,
                               quota_mb_per_day=quota_mb_per_day, signing_p12=signing_p12,
                               signing_passphrase=os.environ.get("COMPLIANCE_SIGNING_PASSPHRASE"))
        if scheduler:
            _reach(scheduler, settings.data_dir)
        return start(settings, host, port)

    sys.exit(guarded(debug, run))


def _reach(scheduler: str, data_dir: Path) -> None:
    """Say at start-up, not at the first upload, that the cluster cannot check (ClusterError: the
    command prints its message and hint)."""
    from compliance.batch.cluster import connect_remote

    data_dir.mkdir(parents=True, exist_ok=True)
    connect_remote(scheduler, folder=str(data_dir)).close()
    click.echo(f"checks run on the Dask cluster at {scheduler}", err=True)


def start(settings, host: str, port: int) -> int:
    import socket

    from waitress import create_server

    from compliance.web.app import create_app

    app = create_app(settings)
    try:
        server = create_server(app, host=host, port=port, threads=8,
                               # behind --proxy, ProxyFix reads the X-Forwarded-* headers; else they are dropped
                               clear_untrusted_proxy_headers=not settings.proxies,
                               max_request_body_size=2 * settings.max_upload_bytes + (10 << 20), ident="compliance")
    except (OSError, socket.gaierror) as exc:
        fail(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
             "pick another --port, or stop the program that holds it")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.effective_port}/"
    click.echo(f"serving on {url}", err=True)
    registry = app.extensions["compliance"].registry
    click.echo(f"data in {settings.data_dir}; registry {registry.url}; Ctrl-C stops", err=True)
    _say_who_can_sign_in(registry)
    sys.stderr.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["compliance"].jobs.close()
        app.extensions["compliance"].reports.close()     # the PDF render process
    return 0


def _say_who_can_sign_in(registry) -> None:
    """Every page needs an account: a registry without any (a first start) is told how to make one,
    and one without a reviewer that nobody can sign verdicts."""
    from compliance.office.accounts import list_users
    from compliance.registry.store import shown_url

    roles = {u.role for u in list_users(registry) if u.active}
    db = f" --db {shown_url(registry.url)}"
    if not roles:
        click.echo("no accounts yet: nobody can sign in. Make them, e.g.\n"
                   f"  compliance users add admin --role admin --name 管理员{db}\n"
                   f"  compliance users add-org \"上海某建筑设计研究院\"{db}\n"
                   f"  compliance users add li --role designer --org \"上海某建筑设计研究院\" --name 李设计{db}\n"
                   f"  compliance users add wang --role reviewer --name 王审查 --title 审查员{db}", err=True)
    elif "reviewer" not in roles:
        click.echo(f"no active reviewer account: filings can be made but nobody can sign them "
                   f"(compliance users add NAME --role reviewer ...{db})", err=True)
