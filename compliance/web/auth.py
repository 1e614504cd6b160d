"""Who is signed in, and what their role lets them do.

Sessions are Flask-Login's (a signed cookie holding the account id and its session epoch: a new
password, a role change or a disabled account ends every session of it). Every page but the
sign-in page needs an account; `require(...)` names the roles a view admits and answers 403
otherwise. Forms carry Flask-WTF's CSRF token (bound to the session), and a POST must come from
this very origin: a page on the same host at another port is another origin and is refused."""

from __future__ import annotations

from functools import wraps
from typing import Callable, Optional
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from .app import state

auth = Blueprint("auth", __name__)
OPEN_ENDPOINTS = frozenset({"auth.login", "static"})


class SessionUser:
    """What Flask-Login keeps for a request: our account record."""

    def __init__(self, account):
        self.account = account

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.account.id}:{self.account.session_epoch}"


def install(app) -> None:
    from flask_login import LoginManager
    from flask_wtf.csrf import CSRFProtect

    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.session_protection = "basic"
    manager.init_app(app)

    @manager.user_loader
    def load(session_id: str) -> Optional[SessionUser]:
        from ..office.accounts import get_user

        user_id, _, epoch = session_id.partition(":")
        if not user_id.isdigit():
            return None
        account = get_user(state().registry, int(user_id))
        if account is None or not account.active or str(account.session_epoch) != epoch:
            return None
        return SessionUser(account)

    @manager.unauthorized_handler
    def unauthorized():
        if request.method == "GET" and not request.path.endswith((".json", ".glb")) and "/state" not in request.path:
            return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
        return _refuse(401, "Sign in first", "your session has ended: sign in again", "请先登录", "会话已结束，请重新登录")

    CSRFProtect(app)
    app.before_request(_gate)
    app.register_blueprint(auth)


def _refuse(status: int, title: str, hint: str, title_zh: str, hint_zh: str):
    from .app import error_page

    return error_page(title, hint, status, title_zh=title_zh, hint_zh=hint_zh)


def _gate():
    """Every request: same-origin for anything that changes state, then an account for every page."""
    from flask_login import current_user

    if request.method not in ("GET", "HEAD", "OPTIONS") and not same_origin():
        _audit_refusal("cross-origin form")
        return _refuse(403, "This form did not come from this site",
                       "open the page from this site's own address and send the form again",
                       "该表单并非来自本站", "请从本站地址打开页面后重新提交")
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        from flask import current_app

        return current_app.login_manager.unauthorized()
    g.account = current_user.account
    return None


def same_origin() -> bool:
    """The browser says where a form came from (Origin; Sec-Fetch-Site; Referer as a fallback).
    Another port or scheme on the same host is another origin."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    own = f"{request.scheme}://{request.host}".lower()
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() == own
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == own
    return True        # a non-browser client (curl, the tests): the session and the CSRF token still apply


def account():
    """The signed-in account (office/accounts.User)."""
    return g.account


def require(*roles: str) -> Callable:
    """A view only these roles may use (403 for the others)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.get("account") is None or g.account.role not in roles:
                from ..office.accounts import ROLE_LABELS

                wanted = " / ".join(f"{ROLE_LABELS[r][0]} {ROLE_LABELS[r][1]}" for r in roles)
                _audit_refusal(f"role {g.account.role if g.get('account') else 'none'} on {request.endpoint}")
                return _refuse(403, "Your account cannot do this", f"this page is for: {wanted}",
                               "您的账号无此权限", f"此页面仅供：{wanted}")
            return view(*args, **kwargs)
        return wrapped
    return decorate


def audit(action: str, subject: str = "", **detail) -> None:
    from ..office.audit import record

    who = g.account.username if g.get("account") is not None else detail.pop("actor", "anonymous")
    record(state().registry, who, action, subject, detail, address=request.remote_addr or "")


def _audit_refusal(why: str) -> None:
    try:
        audit("refused", request.path, why=why, method=request.method)
    except Exception:          # the refusal stands even if the log cannot be written
        pass


def safe_next(target: Optional[str]) -> str:
    """Where to go after signing in: a path on this site only (no //host, no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("designer.index")
    return request.script_root + target if not target.startswith(request.script_root + "/") else target


@auth.route("/login", methods=["GET", "POST"])
def login():
    from flask_login import login_user

    from ..office.accounts import authenticate

    problem = None
    if request.method == "POST":
        username = request.form.get("username", "")
        user = authenticate(state().registry, username, request.form.get("password", ""))
        if user is None:
            from ..office.audit import record

            record(state().registry, username.strip().lower()[:100] or "?", "login_failed", "", {},
                   address=request.remote_addr or "")
            problem = "用户名或密码不正确 The user name or password is not right"
        else:
            login_user(SessionUser(user))
            g.account = user
            audit("login")
            return redirect(safe_next(request.args.get("next")), 303)
    return render_template("login.html", problem=problem), (401 if problem else 200)


@auth.post("/logout")
def logout():
    from flask_login import logout_user

    audit("logout")
    logout_user()
    return redirect(url_for("auth.login"), 303)


def home_for(user) -> str:
    return url_for({"designer": "designer.index", "reviewer": "reviewer.queue",
                    "policy_editor": "policy.rules", "admin": "reviewer.queue"}[user.role])


def forbid_unless(allowed: bool) -> None:
    """404 for what another organisation owns: its very existence is not told."""
    if not allowed:
        abort(404)
