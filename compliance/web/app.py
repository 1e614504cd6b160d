"""The Flask application: one factory, the per-app state, security checks and error pages.

Everything a request needs hangs off `state()` (this app's AppState): its settings, one registry
connection pool, the background job runner and the rule set, loaded once. No module globals.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from flask import Flask, current_app, g, render_template, request

from .settings import WebSettings

log = logging.getLogger("compliance.web")
CSRF_COOKIE = "compliance_csrf"
TOKEN_COOKIE = "compliance_token"
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
    _ruleset: Optional[tuple] = None
    _stamp: Any = field(default=None)

    def ruleset(self):
        """(RuleSet, ScenarioIndex or None), loaded again when a rule or feature file changed: policy
        staff edit them while the app runs, and each check's process reads them afresh."""
        stamp = self._files_stamp()
        if self._ruleset is None or stamp != self._stamp:
            from ..ruleset.loader import load_ruleset
            from ..ruleset.scenarios import index_features

            ruleset = load_ruleset(self.settings.rules_dir)
            index = index_features(self.features_dir) if self.features_dir.is_dir() else None
            self._ruleset, self._stamp = (ruleset, index), stamp
        return self._ruleset

    def _files_stamp(self) -> tuple:
        found = []
        for folder in (self.settings.rules_dir, self.features_dir):
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.suffix in (".yaml", ".yml", ".feature"):
                        st = path.stat()
                        found.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(found)


def state() -> AppState:
    return current_app.extensions["compliance"]


def create_app(settings: WebSettings, features_dir: Path | None = None) -> Flask:
    from ..registry.store import Registry
    from .jobs import JobRunner

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_upload_bytes, SECRET_KEY=secrets.token_bytes(32),
                      TEMPLATES_AUTO_RELOAD=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    registry = Registry(settings.db)
    settings = replace(settings, db=registry.url)     # the check processes open the very same registry
    app.extensions["compliance"] = AppState(
        settings=settings, registry=registry, jobs=JobRunner(settings),
        features_dir=features_dir or settings.rules_dir.parent / "features")
    _install_filters(app)
    _install_guards(app)
    _install_error_pages(app)
    from .designer import designer
    from .policy import policy
    from .reviewer import reviewer

    for blueprint in (designer, reviewer, policy):
        app.register_blueprint(blueprint)
    return app


def _install_filters(app: Flask) -> None:
    from ..report.labels import visible_controls

    app.jinja_env.filters["visible"] = lambda text: visible_controls(str(text)) if text is not None else ""
    app.jinja_env.globals["csrf_token"] = csrf_token


def csrf_token() -> str:
    """The double-submit token: a cookie the page's forms repeat in a hidden field."""
    token = request.cookies.get(CSRF_COOKIE) or g.get("new_csrf")
    if not token:
        token = g.new_csrf = secrets.token_urlsafe(24)
    return token


def _install_guards(app: Flask) -> None:
    settings: WebSettings = app.extensions["compliance"].settings

    @app.before_request
    def guard():
        if settings.allowed_hosts and request.host.split(":")[0].strip("[]") not in settings.allowed_hosts:
            return error_page("This address is not served here", f"the app answers only to "
                              f"{', '.join(settings.allowed_hosts)}", 421)
        if settings.token:
            given = (request.args.get("token") or request.cookies.get(TOKEN_COOKIE)
                     or request.headers.get("Authorization", "").removeprefix("Bearer ").strip())
            if not given or not hmac.compare_digest(given.encode(), settings.token.encode()):
                return error_page("A token is needed", "open the address `compliance serve` printed, "
                                  "with its ?token=…", 401)
            g.token_ok = given
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            cookie = request.cookies.get(CSRF_COOKIE, "")
            if not cookie or not hmac.compare_digest(sent.encode(), cookie.encode()):
                return error_page("This form has expired", "reload the page and send it again", 400)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if g.get("new_csrf"):
            response.set_cookie(CSRF_COOKIE, g.new_csrf, httponly=True, samesite="Strict")
        if g.get("token_ok") and request.cookies.get(TOKEN_COOKIE) != g.token_ok:
            response.set_cookie(TOKEN_COOKIE, g.token_ok, httponly=True, samesite="Strict")
        return response


def error_page(title: str, hint: str, status: int, *, detail: str | None = None, where: str | None = None):
    return render_template("error.html", title=title, hint=hint, detail=detail, where=where), status


def _install_error_pages(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    from ..errors import ComplianceError

    settings: WebSettings = app.extensions["compliance"].settings

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc):
        return error_page(f"The upload is larger than {settings.max_upload_mb:g} MB",
                          "check a larger submission with `compliance check`, or start the app with a larger "
                          "--max-upload-mb", 413)

    @app.errorhandler(ComplianceError)
    def input_error(exc: ComplianceError):
        return error_page(exc.message, exc.hint or "", 400, where=exc.location())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_page(exc.name, exc.description or "", exc.code or 500)

    @app.errorhandler(Exception)
    def internal(exc: Exception):
        log.exception("internal error on %s", request.path)
        return error_page("Something went wrong on our side",
                          "the server's log has the details; the app goes on serving", 500,
                          detail=f"{type(exc).__name__}")
