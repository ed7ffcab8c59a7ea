"""The back office as an attacker sees it: CSRF, cookies, guessing passwords,
another store's member by URL, an auditor's POST, expired and closed sessions."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hq.app import create_app
from hq.db import Conn, Pool
from hq.settings import HQSettings
from tests.hq.backoffice_helpers import (
    PASSWORD,
    add_user,
    enrol,
    logged_in,
    login,
    now_stamp,
)

PHONE_1, PHONE_2 = "+66812345601", "+66812345602"


def _users(db: Conn) -> list[str]:
    return [r[0] for r in db.execute("SELECT email FROM users ORDER BY email").fetchall()]


async def test_session_cookie_is_httponly_samesite_and_not_secure_without_tls(
    client: httpx.AsyncClient, db: Conn
) -> None:
    add_user(db, "owner@example.com", "owner")
    reply = await login(client, "owner@example.com")
    assert reply.status_code == 303 and reply.headers["location"] == "/admin/dashboard"
    cookie = next(c for c in reply.headers.get_list("set-cookie") if c.startswith("bo_session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path"} <= flags
    assert "samesite=lax" in cookie.lower() and "path=/admin" in cookie.lower()
    assert "secure" not in flags


async def test_session_cookie_is_secure_when_head_office_is_behind_tls(
    hq_settings: HQSettings, pool: Pool, db: Conn
) -> None:
    add_user(db, "owner@example.com", "owner")
    app = create_app(hq_settings.model_copy(update={"backoffice_tls": True}), pool=pool)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://hq") as http:
        reply = await login(http, "owner@example.com")
    cookie = next(c for c in reply.headers.get_list("set-cookie") if c.startswith("bo_session="))
    assert "secure" in {p.strip().lower() for p in cookie.split(";")}


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, db: Conn
) -> None:
    add_user(db, "owner@example.com", "owner")
    token = await logged_in(client, "owner@example.com")
    form = {"email": "evil@example.com", "role": "owner", "password": "0123456789ab"}
    assert (await client.post("/admin/users", data=form)).status_code == 403
    wrong = {**form, "csrf": token[:-2] + "xx"}
    assert (await client.post("/admin/users", data=wrong)).status_code == 403
    # Another session's token is no good either.
    other = httpx.AsyncClient(transport=client._transport, base_url="http://hq")
    async with other:
        other_token = await logged_in(other, "owner@example.com")
    assert (
        await client.post("/admin/users", data={**form, "csrf": other_token})
    ).status_code == 403
    assert _users(db) == ["owner@example.com"]
    # Logging out without it leaves the session open; the login form needs its own.
    assert (await client.post("/admin/logout")).status_code == 403
    assert (await client.get("/admin/dashboard")).status_code == 200
    bare = await client.post(
        "/admin/login", data={"email": "owner@example.com", "password": PASSWORD}
    )
    assert bare.status_code == 403
    # With the token, the same form works (and is in the audit log).
    done = await client.post("/admin/users", data={**form, "csrf": token})
    assert done.status_code == 303
    assert "evil@example.com" in _users(db)
    actor, action = (
        db.execute("SELECT actor, action FROM audit_log ORDER BY audit_id DESC").fetchone() or ()
    )
    assert (actor, action) == ("owner@example.com", "user.add")


async def test_wrong_passwords_are_throttled_per_account_even_with_the_right_one(
    client: httpx.AsyncClient, db: Conn
) -> None:
    add_user(db, "owner@example.com", "owner")
    for _ in range(5):
        reply = await login(client, "owner@example.com", "wrong password!")
        assert reply.status_code == 401
        assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in reply.text  # Thai unless told otherwise
    refused = await login(client, "owner@example.com")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "bo_session" not in refused.headers.get("set-cookie", "")
    # Letter case is no way around it.
    assert (await login(client, "OWNER@example.com")).status_code == 429


async def test_wrong_passwords_are_throttled_per_address_and_a_forged_forwarded_for_gains_nothing(
    hq_settings: HQSettings, pool: Pool, db: Conn
) -> None:
    add_user(db, "owner@example.com", "owner")
    settings = hq_settings.model_copy(update={"backoffice_login_address_attempts": 4})
    app = create_app(settings, pool=pool)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hq"
    ) as http:
        for i in range(4):  # one guess each at four accounts, each from a "new" address
            reply = await login(
                http, f"user{i}@example.com", "guess", **{"X-Forwarded-For": f"10.9.0.{i}"}
            )
            assert reply.status_code == 401
        assert (
            await login(http, "owner@example.com", **{"X-Forwarded-For": "10.9.9.9"})
        ).status_code == 429


async def test_a_manager_reading_another_stores_member_by_url_gets_404(
    client: httpx.AsyncClient, db: Conn, make_terminal: Any
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S2", "T2")
    mine = await enrol(client, t1, PHONE_1, "Somchai", 40, now_stamp())
    theirs = await enrol(client, t2, PHONE_2, "Somsak", 70, now_stamp())
    add_user(db, "manager@example.com", "manager", ["S1"])
    await logged_in(client, "manager@example.com")
    own = await client.get(f"/admin/members/{mine['member_id']}")
    assert own.status_code == 200 and "Somchai" in own.text
    assert PHONE_1 not in own.text and PHONE_1[-4:] in own.text  # masked for a manager
    other = await client.get(f"/admin/members/{theirs['member_id']}")
    assert other.status_code == 404
    assert "Somsak" not in other.text and PHONE_2[-4:] not in other.text
    missing = await client.get("/admin/members/no-such-member")
    assert missing.status_code == 404  # the same answer as for a member that is not there
    assert missing.text.replace("no-such-member", "X") == other.text.replace(
        theirs["member_id"], "X"
    )
    for typed in (PHONE_2, "0812345602", "Soms", "S"):
        found = await client.get("/admin/members", params={"q": typed})
        assert found.status_code == 200 and theirs["member_id"] not in found.text
    # Nor through the dashboard: only their store's row.
    board = await client.get("/admin/dashboard")
    assert "S1" in board.text and "Store S2" not in board.text


async def test_an_auditor_sees_no_forms_and_every_change_is_refused(
    client: httpx.AsyncClient, db: Conn
) -> None:
    add_user(db, "auditor@example.com", "auditor")
    token = await logged_in(client, "auditor@example.com")
    page = await client.get("/admin/dashboard")
    actions = sorted(set(re.findall(r'<form method="post" action="([^"]+)"', page.text)))
    assert actions == ["/admin/language", "/admin/logout"]  # their own session and language only
    form = {"csrf": token, "email": "new@example.com", "role": "owner", "password": "0123456789ab"}
    assert (await client.post("/admin/users", data=form)).status_code == 403
    assert _users(db) == ["auditor@example.com"]
    assert (await client.get("/admin/users")).status_code == 404


async def test_a_session_unused_past_the_idle_time_is_over(
    app: FastAPI, client: httpx.AsyncClient, db: Conn
) -> None:
    add_user(db, "owner@example.com", "owner")
    await logged_in(client, "owner@example.com")
    start = app.state.clock()
    app.state.clock = lambda: start + timedelta(hours=11)
    assert (await client.get("/admin/dashboard")).status_code == 200  # used: the clock restarts
    app.state.clock = lambda: start + timedelta(hours=22)
    assert (await client.get("/admin/dashboard")).status_code == 200
    app.state.clock = lambda: start + timedelta(hours=34, minutes=1)
    reply = await client.get("/admin/dashboard")
    assert reply.status_code == 303 and reply.headers["location"] == "/admin/login?expired=true"


async def test_logout_ends_the_session_at_head_office_not_only_in_the_browser(
    client: httpx.AsyncClient, db: Conn
) -> None:
    add_user(db, "owner@example.com", "owner")
    token = await logged_in(client, "owner@example.com")
    cookie = client.cookies.get("bo_session")
    assert cookie
    reply = await client.post("/admin/logout", data={"csrf": token})
    assert reply.status_code == 303 and reply.headers["location"] == "/admin/login?out=true"
    assert db.execute("SELECT count(*) FROM user_sessions").fetchone() == (0,)
    # The old cookie, replayed, opens nothing.
    client.cookies.set("bo_session", cookie, domain="hq", path="/admin")
    assert (await client.get("/admin/dashboard")).status_code == 303
    assert (await client.post("/admin/logout", data={"csrf": token})).status_code == 403


@pytest.mark.parametrize("path", ["/admin/dashboard", "/admin/members", "/admin/users"])
async def test_pages_need_a_login(client: httpx.AsyncClient, path: str) -> None:
    reply = await client.get(path)
    assert reply.status_code == 303 and reply.headers["location"] == "/admin/login"
