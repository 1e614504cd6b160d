"""The Flask application: one factory, the per-app state, security checks and error pages.

Everything a request needs hangs off `state()` (this app's AppState): its settings, one registry
connection pool, the background job runner and the rule set, loaded once. No module globals.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from flask import Flask, current_app, g, render_template, request

from .settings import WebSettings

log = logging.getLogger("compliance.web")
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
# the self-contained HTML reports (verdict, district): their own styles and data: images, no script
SELF_CONTAINED_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


@dataclass
class AppState:
    settings: WebSettings
    registry: Any
    jobs: Any
    features_dir: Path
    reports: Any = None                   # pdfcache.ReportCache: the PDFs, rendered outside the request threads
    _ruleset: Optional[tuple] = None
    _stamp: Any = field(default=None)

    def __post_init__(self):
        if self.reports is None:
            from .pdfcache import ReportCache

            self.reports = ReportCache(self.settings)

    def ruleset(self):
        """(RuleSet, ScenarioIndex or None) of the publication in force today, loaded once per
        publication: editing the --rules folder or the draft changes nothing live."""
        found = self.publication()
        if self._ruleset is None or self._stamp != found.folder:
            from .rulesets import load_published

            self._ruleset, self._stamp = load_published(found), found.folder
        return self._ruleset

    def publication(self):
        """The published rule set in force today (ruleset/publish.Publication)."""
        from .rulesets import in_force

        return in_force(self)

    def current_rules(self) -> Path:
        """The rule folder checks are made with now: the publication in force today's."""
        return self.publication().rules_dir


def state() -> AppState:
    return current_app.extensions["compliance"]


def create_app(settings: WebSettings, features_dir: Path | None = None) -> Flask:
    from ..registry.store import Registry
    from .jobs import JobRunner

    app = Flask(__name__)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_upload_bytes, SECRET_KEY=_secret_key(settings), TEMPLATES_AUTO_RELOAD=False,
        SESSION_COOKIE_NAME="compliance_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies, PERMANENT_SESSION_LIFETIME=settings.session_hours * 3600,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies, REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_FIELD_NAME="csrf", WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=True)
    from .cookies import PrefixedSessions

    app.session_interface = PrefixedSessions()      # the session cookie's Path is the app's sub-path
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)  # type: ignore[method-assign]
    registry = Registry(settings.db)
    settings = replace(settings, db=registry.url)     # the check processes open the very same registry
    app.extensions["compliance"] = AppState(
        settings=settings, registry=registry, jobs=JobRunner(settings, registry),
        features_dir=features_dir or settings.rules_dir.parent / "features")
    from .rulesets import publish_first

    publish_first(app.extensions["compliance"])       # the first start: --rules becomes the initial publication
    _install_filters(app)
    _install_guards(app)
    _install_error_pages(app)
    from . import auth
    from .designer import designer
    from .drafting import drafting
    from .policy import policy
    from .reviewer import reviewer

    auth.install(app)
    for blueprint in (designer, reviewer, policy, drafting):
        app.register_blueprint(blueprint)
    return app


def _secret_key(settings: WebSettings) -> bytes:
    """The key that signs session cookies: shared by every app process on this data folder (made
    once, readable by the owner only), or given by the deployment ($COMPLIANCE_SECRET_KEY)."""
    import os
    import time

    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.data_dir / "secret_key"
    if not path.is_file():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:          # another process made it in the meantime
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
    for _ in range(50):                  # the other process may not have written it yet
        key = path.read_bytes()
        if len(key) == 32:
            return key
        time.sleep(0.05)
    raise RuntimeError(f"{path} is not a 32-byte key: delete it and start the app again")


def _install_filters(app: Flask) -> None:
    from ..report.labels import visible_controls

    app.jinja_env.filters["visible"] = lambda text: visible_controls(str(text)) if text is not None else ""
    app.jinja_env.filters["local"] = local_time
    app.jinja_env.globals["signed_in"] = lambda: g.get("account")


def local_time(at, with_zone: bool = True) -> str:
    """A stored UTC time as the office reads it: in its zone (Asia/Shanghai), with the zone named."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    if at is None:
        return ""
    if not isinstance(at, datetime):
        return str(at)
    zone_name = state().settings.time_zone
    shown = (at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at).astimezone(ZoneInfo(zone_name))
    return shown.strftime("%Y-%m-%d %H:%M") + (f" ({zone_name})" if with_zone else "")


def _install_guards(app: Flask) -> None:
    settings: WebSettings = app.extensions["compliance"].settings

    @app.before_request
    def guard():
        if settings.allowed_hosts and request.host.split(":")[0].strip("[]") not in settings.allowed_hosts:
            return error_page("This address is not served here", f"the app answers only to "
                              f"{', '.join(settings.allowed_hosts)}", 421)
        return None

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if settings.secure_cookies:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def error_page(title: str, hint: str, status: int, *, detail: str | None = None, where: str | None = None,
               title_zh: str | None = None, hint_zh: str | None = None):
    return render_template("error.html", title=title, hint=hint, detail=detail, where=where, title_zh=title_zh,
                           hint_zh=hint_zh), status


def _install_error_pages(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    from ..errors import ComplianceError

    settings: WebSettings = app.extensions["compliance"].settings

    @app.errorhandler(CSRFError)
    def csrf_failed(_exc):
        return error_page("This form has expired", "reload the page and send it again", 400,
                          title_zh="表单已失效", hint_zh="请刷新页面后重新提交")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc):
        return error_page(f"The upload is larger than {settings.max_upload_mb:g} MB",
                          "check a larger submission with `compliance check`, or start the app with a larger "
                          "--max-upload-mb", 413)

    @app.errorhandler(ComplianceError)
    def input_error(exc: ComplianceError):
        return error_page(exc.message, exc.hint or "", 400, where=exc.location(), title_zh=exc.message_zh,
                          hint_zh=exc.hint_zh)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_page(exc.name, exc.description or "", exc.code or 500)

    @app.errorhandler(Exception)
    def internal(exc: Exception):
        log.exception("internal error on %s", request.path)
        return error_page("Something went wrong on our side",
                          "the server's log has the details; the app goes on serving", 500,
                          detail=f"{type(exc).__name__}")
