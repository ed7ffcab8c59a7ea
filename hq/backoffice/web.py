"""The back office's pages under /admin: server-rendered (Jinja2), plain forms.

Security, in one place:

* the session cookie (``bo_session``) is HttpOnly, SameSite=Lax, Path=/admin,
  and Secure when ``POS_HQ_BACKOFFICE_TLS`` says head office is behind TLS;
* every POST carries a CSRF token (form field ``csrf`` or header
  ``X-CSRF-Token``): the session's own, or before login the one in the
  ``bo_login`` cookie (double submit). Without it: 403, nothing done;
* an auditor's POST is refused (403) except logging out and their own language;
* wrong passwords are counted per account and per client address (the address
  as hq.terminals.limits.client_address reads it: X-Forwarded-For only from
  the configured proxies) and refused for a while past the limit (429);
* a page a user may not see answers 404, the same as one that does not exist.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from hq.backoffice import accounts, chart, i18n, totals
from hq.backoffice import members as member_pages
from hq.db import Pool
from hq.errors import HQError
from hq.settings import HQSettings
from hq.terminals.limits import client_address, limit_key

HERE = Path(__file__).resolve().parent.parent
SESSION_COOKIE, LOGIN_COOKIE, LANG_COOKIE = "bo_session", "bo_login", "bo_lang"
PREFIX = "/admin"

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(number=i18n.number)

router = APIRouter(prefix=PREFIX, include_in_schema=False)


class Refused(Exception):
    """A page answered with an error page (403, 404, 429) in the user's language."""

    def __init__(self, status: int, key: str, lang: str = i18n.DEFAULT) -> None:
        super().__init__(key)
        self.status, self.key, self.lang = status, key, lang


# -- plumbing ------------------------------------------------------------------------


def _settings(request: Request) -> HQSettings:
    settings: HQSettings = request.app.state.settings
    return settings


def _pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _idle(request: Request) -> timedelta:
    return timedelta(hours=_settings(request).backoffice_idle_hours)


def _address(request: Request) -> str:
    address = client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        request.app.state.trusted_proxies,
    )
    return limit_key(address)  # a whole IPv6 /64 is one guesser


def _session(request: Request) -> accounts.Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with _pool(request).connection() as conn:
        return accounts.session_for(conn, token, _now(request), _idle(request))


def _lang(request: Request, session: accounts.Session | None) -> str:
    if session is not None:
        return session.user.language
    return i18n.language(request.cookies.get(LANG_COOKIE))


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (first value each); anything else reads as empty."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _same(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(
        str(given).encode(), str(expected).encode()
    )


def _csrf(request: Request, form: dict[str, str]) -> str | None:
    return form.get("csrf") or request.headers.get("x-csrf-token")


async def _post(
    request: Request, *, auditor_may: bool = False
) -> tuple[accounts.Session, dict[str, str]]:
    """The session and form of a state-changing request: 403 without a live
    session, without its CSRF token, or from an auditor."""
    form = await _form(request)
    session = _session(request)
    lang = _lang(request, session)
    if session is None or not _same(_csrf(request, form), session.csrf_token):
        raise Refused(403, "forbidden", lang)
    if session.user.reads_only and not auditor_may:
        raise Refused(403, "forbidden", lang)
    return session, form


def _page(
    request: Request, name: str, lang: str, session: accounts.Session | None, *,
    status: int = 200, **context: Any,
) -> Response:  # fmt: skip
    def t(key: str, **values: object) -> str:
        return i18n.text(lang, key, **values)

    html = _env.get_template(name).render(
        t=t, lang=lang, session=session, user=session.user if session else None,
        path=request.url.path, **context,
    )  # fmt: skip
    return _secured(HTMLResponse(html, status_code=status))


def _secured(response: Response) -> Response:
    h = response.headers
    h["Cache-Control"] = "no-store"
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    return response


def _redirect(to: str) -> Response:
    return _secured(RedirectResponse(to, status_code=303))


def _cookie(request: Request, response: Response, name: str, value: str, **extra: Any) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="lax", path=PREFIX,
        secure=_settings(request).backoffice_tls, **extra,
    )  # fmt: skip


class _LoginFirstError(Exception):
    """No live session: the page sends the browser to the login form."""


def _need(request: Request) -> accounts.Session:
    session = _session(request)
    if session is None:
        raise _LoginFirstError
    return session


# -- login, logout, language --------------------------------------------------------


@router.get("")
@router.get("/")
def home(request: Request) -> Response:
    return _redirect(f"{PREFIX}/dashboard" if _session(request) else f"{PREFIX}/login")


def _login_page(request: Request, *, status: int = 200, message: str | None = None,
                email: str = "") -> Response:  # fmt: skip
    lang = _lang(request, None)
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = _page(request, "login.html", lang, None, status=status, csrf=token,
                     message=message, email=email)  # fmt: skip
    _cookie(request, response, LOGIN_COOKIE, token)
    return response


@router.get("/login")
def login_form(request: Request, expired: bool = False, out: bool = False) -> Response:
    message = "expired" if expired else "logged_out" if out else None
    return _login_page(request, message=message)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    lang = _lang(request, None)
    if not _same(_csrf(request, form), request.cookies.get(LOGIN_COOKIE)):
        raise Refused(403, "forbidden", lang)
    email, password = form.get("email", "").strip()[:254], form.get("password", "")
    address, now, s = _address(request), _now(request), _settings(request)
    with _pool(request).connection() as conn:
        try:
            accounts.check_throttle(conn, email, address, now, s.backoffice_login_window_s,
                                    s.backoffice_login_attempts,
                                    s.backoffice_login_address_attempts)  # fmt: skip
        except accounts.Throttled:
            response = _login_page(request, status=429, message="login_throttled", email=email)
            response.headers["Retry-After"] = str(s.backoffice_login_window_s)
            return response
        made = accounts.login(conn, email, password, address, now, _idle(request))
    if made is None:
        return _login_page(request, status=401, message="login_wrong", email=email)
    token, _ = made
    response = _redirect(f"{PREFIX}/dashboard")
    _cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session, _ = await _post(request, auditor_may=True)
    with _pool(request).connection() as conn:
        accounts.logout(conn, request.cookies.get(SESSION_COOKIE))
    response = _redirect(f"{PREFIX}/login?out=true")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    # The login page goes on in the language the user chose.
    _cookie(request, response, LANG_COOKIE, session.user.language, max_age=365 * 24 * 3600)
    return response


@router.post("/language")
async def language(request: Request) -> Response:
    """The page language: remembered in the user's row (their own preference, so
    an auditor may switch too), or before login in a cookie."""
    form = await _form(request)
    chosen = i18n.language(form.get("lang"))
    back = form.get("next", "")
    back = back if back.startswith(f"{PREFIX}/") and "//" not in back else f"{PREFIX}/"
    if request.cookies.get(SESSION_COOKIE):
        session, form = await _post(request, auditor_may=True)
        with _pool(request).connection() as conn:
            accounts.set_language(conn, session.user, chosen, _address(request))
        return _redirect(back)
    if not _same(_csrf(request, form), request.cookies.get(LOGIN_COOKIE)):
        raise Refused(403, "forbidden", _lang(request, None))
    response = _redirect(back)
    _cookie(request, response, LANG_COOKIE, chosen, max_age=365 * 24 * 3600)
    return response


# -- pages ----------------------------------------------------------------------------


@router.get("/dashboard")
def dashboard(request: Request) -> Response:
    session = _need(request)
    lang = session.user.language
    with _pool(request).connection() as conn:
        board = totals.figures(conn, session.user.stores_scope)
    return _page(
        request, "dashboard.html", lang, session, board=board, periods=totals.PERIODS,
        chart=Markup(chart.points_flow(board.flow, lang)),  # built escaped (chart.py)
    )  # fmt: skip


@router.get("/members")
def members(request: Request, q: str = "") -> Response:
    session = _need(request)
    user = session.user
    found: list[dict[str, Any]] | None = None
    if q.strip():
        with _pool(request).connection() as conn:
            found = member_pages.search(conn, q, user.stores_scope, user.role)
    return _page(request, "members.html", user.language, session, q=q, found=found)


@router.get("/members/{member_id}")
def member(request: Request, member_id: str) -> Response:
    session = _need(request)
    user = session.user
    with _pool(request).connection() as conn:
        shown = member_pages.card(conn, member_id, user.stores_scope, user.role)
    if shown is None:
        raise Refused(404, "not_found", user.language)
    return _page(request, "member.html", user.language, session, member=shown)


@router.get("/users")
def users(request: Request, added: str = "") -> Response:
    session = _need(request)
    if session.user.role != "owner":
        raise Refused(404, "not_found", session.user.language)
    with _pool(request).connection() as conn:
        rows = accounts.list_users(conn)
        log = accounts.audit_entries(conn)
    return _page(request, "users.html", session.user.language, session, users=rows,
                 audit=log, roles=accounts.ROLES, added=added, error=None)  # fmt: skip


@router.post("/users")
async def add_user(request: Request) -> Response:
    session, form = await _post(request)
    if session.user.role != "owner":
        raise Refused(403, "forbidden", session.user.language)
    stores = [s.strip() for s in form.get("stores", "").split(",") if s.strip()]
    with _pool(request).connection() as conn:
        try:
            added = accounts.add_user(conn, form.get("email", ""), form.get("password", ""),
                                      form.get("role", ""), stores,
                                      actor=session.user.email)  # fmt: skip
        except HQError as refused:
            rows = accounts.list_users(conn)
            return _page(request, "users.html", session.user.language, session, status=422,
                         users=rows, audit=accounts.audit_entries(conn), roles=accounts.ROLES,
                         added="", error=refused.message)  # fmt: skip
    return _redirect(f"{PREFIX}/users?added={added['email']}")


# -- wiring ---------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Mount the pages and their static files on head office's app (hq/app.py)."""

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        return _page(request, "error.html", exc.lang, None, status=exc.status, key=exc.key)

    async def login_first(request: Request, exc: Exception) -> Response:
        expired = SESSION_COOKIE in request.cookies
        return _redirect(f"{PREFIX}/login" + ("?expired=true" if expired else ""))

    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(_LoginFirstError, login_first)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="backoffice-static")
    app.include_router(router)
