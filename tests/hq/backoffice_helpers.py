"""Helpers for the back-office tests: users, logging in, pushing members and sales."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx

from hq.backoffice import accounts
from hq.db import Conn
from sync.protocol import entry_row

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def now_stamp() -> str:
    """The current time as the tills write it (the dashboard's 'today')."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def add_user(db: Conn, email: str, role: str, stores: list[str] | None = None) -> None:
    accounts.add_user(db, email, PASSWORD, role, stores or [])


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, html[:500]
    return found.group(1)


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **headers: str
) -> httpx.Response:
    """The login form, filled in and sent as a browser would (its CSRF token included)."""
    form = await client.get("/admin/login", headers=headers)
    return await client.post(
        "/admin/login",
        data={"csrf": csrf_of(form.text), "email": email, "password": password},
        headers=headers,
    )


async def logged_in(client: httpx.AsyncClient, email: str) -> str:
    """Log in; the session's CSRF token (from the dashboard's forms)."""
    reply = await login(client, email)
    assert reply.status_code == 303, reply.text
    page = await client.get("/admin/dashboard")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


async def push(client: httpx.AsyncClient, t: Any, **body: Any) -> None:
    if "entries" in body:
        body["entries"] = [entry_row(e) for e in body["entries"]]
    reply = await client.post("/v1/push", json=body, headers=t.auth)
    assert reply.status_code == 200, reply.text


async def enrol(
    client: httpx.AsyncClient, t: Any, phone: str, name: str, points: int, when: str
) -> dict[str, Any]:
    """A member enrolled at terminal ``t`` with a sale earning ``points``."""
    m: dict[str, Any] = t.member(phone, name=name, enrolled_at=when)
    sale = t.entry(m["wallet_id"], points, member_id=m["member_id"], created_at=when)
    await push(client, t, members=[m], entries=[sale])
    return m
