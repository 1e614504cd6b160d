"""The session cookie's path: the app's own sub-path behind a proxy (X-Forwarded-Prefix /carbon
gives `Path=/carbon`), so another application on the same host name never receives it; `/` when
the app is served at the root. SESSION_COOKIE_PATH, when set, is used as it is."""

from __future__ import annotations

from flask import request
from flask.sessions import SecureCookieSessionInterface


class PrefixedSessions(SecureCookieSessionInterface):
    def get_cookie_path(self, app) -> str:
        return app.config.get("SESSION_COOKIE_PATH") or request.script_root or "/"
