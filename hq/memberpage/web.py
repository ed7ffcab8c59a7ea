"""GET /m/{token}: a member's own page, phone-sized, Thai and English, no login.

The token is the only key (hq/memberpage/tokens.py), so:

* every request counts against the client address (the address as
  hq.terminals.limits.client_address reads it: X-Forwarded-For only from the
  configured proxies; an IPv6 /64 as one client): ``VIEWS`` pages a minute,
  and ``MISSES`` unknown tokens a minute, past which the address gets 429
  for a while, whatever token it brings;
* an unknown, rotated or forgotten member's token is the same plain 404,
  which says nothing about members;
* the page shows one member, the phone masked; it is never cached, never
  framed, and sends no Referer (the token is in the address).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import qrcode
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from hq.db import Pool
from hq.errors import TooManyAttempts
from hq.memberpage import texts, tokens, view
from hq.terminals.limits import FailureLimiter, client_address, limit_key

HERE = Path(__file__).resolve().parent.parent
MISSES, VIEWS, WINDOW_S = 10, 60, 60

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

router = APIRouter(include_in_schema=False)


def qr_svg(text: str) -> Markup:
    """The QR of ``text`` as inline SVG, one path of dark modules (no style
    attributes, so the page's Content-Security-Policy holds)."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    label = texts.escape_attr(text)
    return Markup(
        f'<svg class="qr" viewBox="0 0 {size} {size}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def _address(request: Request) -> str:
    return limit_key(
        client_address(
            request.client.host if request.client else None,
            request.headers.getlist("x-forwarded-for"),
            request.app.state.trusted_proxies,
        )
    )


def _secured(response: Response) -> Response:
    h = response.headers
    h["Cache-Control"] = "no-store"
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"  # the token is in the address
    h["X-Robots-Tag"] = "noindex, nofollow"
    h["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
    )
    return response


def _render(name: str, lang: str, status: int, **context: Any) -> Response:
    def t(key: str, **values: object) -> str:
        return texts.text(lang, key, **values)

    html = _env.get_template(f"member/{name}").render(t=t, lang=lang, **context)
    return _secured(HTMLResponse(html, status_code=status))


def _refused(lang: str, exc: TooManyAttempts) -> Response:
    response = _render("refused.html", lang, 429, minutes=max(1, -(-exc.retry_after_s // 60)))
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


@router.get("/m/static/member.css")
def stylesheet() -> Response:
    response = FileResponse(HERE / "static" / "member.css", media_type="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@router.get("/m/{token}")
async def member_page(request: Request, token: str, lang: str = "") -> Response:
    language = texts.choose(lang, request.headers.get("accept-language", ""))
    address = _address(request)
    views: FailureLimiter = request.app.state.member_page_views
    misses: FailureLimiter = request.app.state.member_page_misses
    try:
        misses.check(address)
        views.check(address)
    except TooManyAttempts as exc:
        return _refused(language, exc)
    views.failed(address)  # every view counts towards the address's pages a minute
    pool: Pool = request.app.state.pool
    now: datetime = request.app.state.clock()
    shown = await run_in_threadpool(_read, pool, token, now)
    if shown is None:
        misses.failed(address)
        return _render("not_found.html", language, 404)
    return _render(
        "page.html", language, 200, page=shown, number=texts.number, money=texts.money,
        day=lambda moment: texts.day(language, moment.astimezone(shown.zone)),
        time=lambda moment: texts.moment(language, moment.astimezone(shown.zone)),
        qr=qr_svg, other="en" if language == "th" else "th",
    )  # fmt: skip


def _read(pool: Pool, token: str, now: datetime) -> view.Page | None:
    if not tokens.well_formed(token):
        return None
    with pool.connection() as conn:
        member_id = tokens.member_for(conn, token)
        return None if member_id is None else view.page(conn, member_id, now)


def install(app: FastAPI) -> None:
    """The member page and its stylesheet on head office's app (hq/app.py)."""
    app.state.member_page_misses = FailureLimiter(
        MISSES, WINDOW_S, refusal="Too many unknown member pages from this address"
    )
    app.state.member_page_views = FailureLimiter(
        VIEWS, WINDOW_S, refusal="Too many member pages from this address"
    )
    app.include_router(router)
