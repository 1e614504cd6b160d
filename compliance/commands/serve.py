"""`compliance serve`: the local web app over the same pipeline and registry as the CLI."""

from __future__ import annotations

import ipaddress
import os
import secrets
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
              help="Address to listen on. Anything but loopback needs a token (--token or $COMPLIANCE_TOKEN; "
                   "one is made up and printed if neither is given).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@db_option
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("compliance-web"), show_default=True,
              help="Where uploads, check folders and 3D views are kept.")
@click.option("--token", default=lambda: os.environ.get("COMPLIANCE_TOKEN"), help="Access token (see --host).")
@click.option("--max-upload-mb", type=click.FloatRange(min=1), default=512, show_default=True,
              help="Largest upload (a zip, or submission.yaml and its IFC files together).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Checks running at once (each in its own process).")
@click.option("--lang", type=click.Choice(["both", "zh", "en"]), default="both", show_default=True,
              help="Language of the downloaded reports.")
@rules_option
@limits_option
@debug_option
def serve(host, port, db, data_dir, token, max_upload_mb, workers, lang, rules_dir, limits, debug) -> None:
    """Start the web app: designers upload and self-check, reviewers work through the queue and
    sign off, policy staff browse the rules and the district dashboard.

    \b
    Example:
      compliance serve                 # then open http://127.0.0.1:8000/
      compliance serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
    """
    def run():
        from compliance.web.settings import WebSettings

        chosen = token
        if not is_loopback(host) and not chosen:
            chosen = secrets.token_urlsafe(18)
        if not rules_dir.is_dir():
            fail(f"{rules_dir}: no such rules folder", "pass --rules with the folder of rule files")
        settings = WebSettings(data_dir=data_dir.resolve(), rules_dir=rules_dir.resolve(), db=db, token=chosen,
                               max_upload_mb=max_upload_mb, limits=limits, workers=workers, lang=lang,
                               allowed_hosts=LOOPBACK_NAMES if is_loopback(host) else ())
        return start(settings, host, port)

    sys.exit(guarded(debug, run))


def start(settings, host: str, port: int) -> int:
    import socket

    from waitress import create_server

    from compliance.web.app import create_app

    app = create_app(settings)
    try:
        server = create_server(app, host=host, port=port, threads=8, clear_untrusted_proxy_headers=True,
                               max_request_body_size=2 * settings.max_upload_bytes + (10 << 20), ident="compliance")
    except (OSError, socket.gaierror) as exc:
        fail(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
             "pick another --port, or stop the program that holds it")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.effective_port}/"
    click.echo(f"serving on {url}" + (f"?token={settings.token}" if settings.token else ""), err=True)
    click.echo(f"data in {settings.data_dir}; registry {app.extensions['compliance'].registry.url}; "
               "Ctrl-C stops", err=True)
    sys.stderr.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["compliance"].jobs.close()
    return 0
