"""The member's own page, GET /m/{token}: what it shows, and what it never does."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from hq.db import Conn
from hq.memberpage import tokens, view
from hq.members import privacy
from hq.terminals.limits import FailureLimiter
from sync.protocol import PAGE_TOKEN_PATTERN, entry_row

PHONE = "+66812345678"
NOW = datetime(2026, 2, 1, 5, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(app: FastAPI) -> None:
    app.state.clock = lambda: NOW


async def push(client: httpx.AsyncClient, t: Any, **body: Any) -> None:
    if "entries" in body:
        body["entries"] = [entry_row(e) for e in body["entries"]]
    reply = await client.post("/v1/push", json=body, headers=t.auth)
    assert reply.status_code == 200, reply.text


def token_of(db: Conn, member_id: str) -> str:
    token = tokens.current(db, member_id)
    assert token is not None and re.fullmatch(PAGE_TOKEN_PATTERN, token)
    return token


async def enrolled(client: httpx.AsyncClient, t: Any, phone: str = PHONE, **kw: Any) -> Any:
    m = t.member(phone, name=kw.pop("name", "Somchai"), enrolled_at="2026-01-10T03:00:00.000000Z")
    await push(client, t, members=[m], **kw)
    return m


async def test_the_page_shows_one_member_masked_in_thai_and_english(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal("S1", "T1")
    m = t.member(PHONE, name="สมชาย ใจดี", enrolled_at="2026-01-10T03:00:00.000000Z")
    other = t.member("+66898765432", name="Other Person")
    earn = t.entry(
        m["wallet_id"], 400, member_id=m["member_id"], created_at="2026-01-15T03:00:00.000000Z"
    )
    spent = t.entry(m["wallet_id"], -150, kind="redeem", member_id=m["member_id"],
                    created_at="2026-01-20T03:00:00.000000Z")  # fmt: skip
    coupon = {"code": "K7QM2XPA", "entry_id": spent["entry_id"], "reward_id": "COFFEE",
              "member_id": m["member_id"], "status": "issued",
              "at": "2026-01-20T03:00:00.000000Z", "terminal_id": "T1"}  # fmt: skip
    await push(client, t, members=[m, other], entries=[earn, spent], coupon_events=[coupon])
    token = token_of(db, m["member_id"])

    reply = await client.get(f"/m/{token}", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.8"})
    assert reply.status_code == 200
    html = reply.text
    assert '<html lang="th">' in html and 'name="viewport"' in html
    assert "แต้มคงเหลือ" in html and ">250<" in html  # 400 - 150
    assert "สมชาย ใจดี" in html and "สมาชิก" in html  # the tier, in Thai
    assert "08x-xxx-5678" in html and "0812345678" not in html and "812345678" not in html
    assert "Other Person" not in html and "98765432" not in html  # no other member
    assert "K7QM-2XPA" in html and "<svg" in html  # the coupon with its QR
    # 250 points left of the 15 January lot, which expires 365 days later (FIFO).
    assert "250 แต้มจะหมดอายุวันที่ 15 ม.ค. 2570" in html
    assert "ข้อมูลจากสาขาล่าสุดเมื่อ" in html
    assert reply.headers["referrer-policy"] == "no-referrer"
    assert reply.headers["cache-control"] == "no-store"
    svg_ns = 'xmlns="http://www.w3.org/2000/svg"'
    assert "http://" not in html.replace(svg_ns, "")  # nothing loaded from elsewhere

    english = await client.get(f"/m/{token}?lang=en")
    assert english.status_code == 200
    assert "Points balance" in english.text and "250 points expire on 15 Jan 2027" in english.text
    assert 'href="?lang=th"' in english.text  # the switch back
    css = await client.get("/m/static/member.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


async def test_unknown_tokens_are_a_plain_404_and_guessing_is_throttled(
    client: httpx.AsyncClient, app: FastAPI, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal("S1", "T1")
    m = await enrolled(client, t)
    real = token_of(db, m["member_id"])
    guesses = ["A" * 43, "short", m["member_id"], PHONE.lstrip("+"), real[:-1] + "x"]
    bodies = set()
    for guess in guesses:
        reply = await client.get(f"/m/{guess}")
        assert reply.status_code == 404
        bodies.add(reply.text)
    # One and the same page for every miss (a near miss and a member id alike),
    # naming nobody.
    assert len(bodies) == 1
    (body,) = bodies
    assert "Somchai" not in body and "5678" not in body and "ลิงก์นี้ใช้ไม่ได้" in body
    for _ in range(10 - len(guesses)):
        assert (await client.get("/m/" + "B" * 43)).status_code == 404
    # Ten misses in a minute: the address is refused, even with the right token.
    refused = await client.get(f"/m/{real}")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    # Another address is not.
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 1234)), base_url="http://hq"
    )
    async with other:
        assert (await other.get(f"/m/{real}")).status_code == 200


async def test_a_forwarded_address_counts_only_from_a_trusted_proxy(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    app.state.member_page_misses = FailureLimiter(2, 60)
    for n in range(2):  # rotating X-Forwarded-For gains a stranger nothing
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert (await client.get("/m/" + "C" * 43, headers=forged)).status_code == 404
    assert (
        await client.get("/m/" + "C" * 43, headers={"X-Forwarded-For": "1.2.3.4"})
    ).status_code == 429


async def test_views_per_address_are_limited(
    client: httpx.AsyncClient, app: FastAPI, make_terminal: Any, db: Conn
) -> None:
    app.state.member_page_views = FailureLimiter(3, 60)
    m = await enrolled(client, make_terminal("S1", "T1"))
    token = token_of(db, m["member_id"])
    assert [(await client.get(f"/m/{token}")).status_code for _ in range(4)] == [200, 200, 200, 429]


async def test_rotation_retires_the_old_token(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    m = await enrolled(client, make_terminal("S1", "T1"))
    old = token_of(db, m["member_id"])
    new = tokens.rotate(db, m["member_id"])
    assert new != old and token_of(db, m["member_id"]) == new
    assert (await client.get(f"/m/{old}")).status_code == 404
    assert (await client.get(f"/m/{new}")).status_code == 200
    # The old token is nowhere at head office any more; the lookup table has no token at all.
    dump = str(db.execute("SELECT array_agg(body::text) FROM changes").fetchone())
    dump += str(db.execute("SELECT array_agg(token_hash) FROM member_pages").fetchone())
    assert old not in dump and new not in str(db.execute("SELECT * FROM member_pages").fetchall())


async def test_a_forgotten_member_has_no_page(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    m = await enrolled(client, make_terminal("S1", "T1"))
    token = token_of(db, m["member_id"])
    privacy.forget(db, PHONE)
    assert (await client.get(f"/m/{token}")).status_code == 404
    assert tokens.current(db, m["member_id"]) is None
    assert db.execute("SELECT count(*) FROM member_pages").fetchone() == (0,)
    assert token not in str(db.execute("SELECT array_agg(body::text) FROM changes").fetchone())


async def test_a_merged_members_old_link_shows_the_member_it_counts_as(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S2", "T2")
    m1 = await enrolled(client, t1, entries=[])
    m2 = t2.member(PHONE, name="Somchai J.")
    await push(
        client, t2, members=[m2], entries=[t2.entry(m2["wallet_id"], 30, member_id=m2["member_id"])]
    )
    reply = await client.get(f"/m/{token_of(db, m2['member_id'])}?lang=en")
    assert reply.status_code == 200 and ">30<" in reply.text and "Somchai" in reply.text
    assert token_of(db, m1["member_id"]) != token_of(db, m2["member_id"])


def test_fifo_expiry_takes_a_reversal_from_its_own_lot_first() -> None:
    rows = [
        ("e1", "earn", 100, "2026-01-01T00:00:00Z", None),
        ("e2", "earn", 50, "2026-02-01T00:00:00Z", None),
        ("e3", "reverse", -50, "2026-02-02T00:00:00Z", "e2"),  # e2's own lot, not the oldest
        ("e4", "redeem", -30, "2026-02-03T00:00:00Z", None),  # then the oldest
    ]
    points, when = view.next_expiry(rows, timedelta(days=365), NOW)
    assert (points, when) == (70, datetime(2027, 1, 1, tzinfo=UTC))
    assert view.next_expiry(rows[:1], timedelta(days=10), NOW) == (0, None)  # all expired
    # Lots ending on the same day of the shop are shown together, as the till does.
    same_day = [
        ("a", "earn", 5, "2026-01-01T01:00:00Z", None),
        ("b", "earn", 7, "2026-01-01T17:30:00Z", None),
    ]
    assert view.next_expiry(same_day, timedelta(days=365), NOW, ZoneInfo("Asia/Bangkok"))[0] == 5
    assert view.next_expiry(same_day, timedelta(days=365), NOW)[0] == 12


def test_masking_keeps_two_first_and_four_last_digits() -> None:
    assert view.mask("+66812345678", "TH") == "08x-xxx-5678"
    assert view.mask("+4915123456789", "TH").endswith("6789")
    assert "2345" not in view.mask("+66812345678", "TH")


async def test_the_page_answers_fast(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal("S1", "T1")
    m = t.member(PHONE, name="Somchai")
    days = [f"2026-01-{1 + n % 28:02d}T03:00:00.000000Z" for n in range(300)]
    entries = [t.entry(m["wallet_id"], 10, member_id=m["member_id"], created_at=d) for d in days]
    await push(client, t, members=[m], entries=entries)
    token = token_of(db, m["member_id"])
    await client.get(f"/m/{token}")
    took = []
    for _ in range(20):
        start = time.perf_counter()
        assert (await client.get(f"/m/{token}")).status_code == 200
        took.append(time.perf_counter() - start)
    took.sort()
    median, p95 = took[10] * 1000, took[18] * 1000
    print(f"member page, 300 entries: median {median:.1f} ms, p95 {p95:.1f} ms")
    assert took[10] < 0.25


async def test_pos_hq_member_token_shows_and_rotates(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn, hq_dsn: str
) -> None:
    from tests.hq.test_cli import hq

    m = await enrolled(client, make_terminal("S1", "T1"))
    old = token_of(db, m["member_id"])
    status, shown = hq(hq_dsn, "member", "token", "081-234-5678")
    assert status == 0 and shown == {
        "member_id": m["member_id"], "token": old, "path": f"/m/{old}", "rotated": False
    }  # fmt: skip
    status, rotated = hq(hq_dsn, "member", "token", "081-234-5678", "--rotate")
    assert status == 0 and rotated["rotated"] and rotated["token"] not in (None, old)
    assert (await client.get(f"/m/{old}")).status_code == 404
    assert (await client.get(rotated["path"])).status_code == 200
    status, missing = hq(hq_dsn, "member", "token", "081-999-0000")
    assert status != 0 and "No member" in str(missing)


def test_members_stored_before_the_migration_get_a_page(admin_dsn: str) -> None:
    """Migration 0006 issues tokens to the members head office already holds."""
    import uuid

    import psycopg
    from psycopg import sql

    from hq.db import migrate

    name = f"hq_test_pages_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=name)
        with psycopg.connect(dsn, autocommit=True) as conn:
            migrate(conn, upto=5)
            conn.execute(
                "INSERT INTO members (member_id, phone, wallet_id, enrolled_at) VALUES "
                "('m1', '+66812345678', 'w1', '2026-01-01T00:00:00Z'), "
                "('m2', NULL, 'w2', '2026-01-01T00:00:00Z')"
            )
            conn.execute("UPDATE members SET erased_at = now() WHERE member_id = 'm2'")
            migrate(conn)
            assert tokens.member_for(conn, token_of(conn, "m1")) == "m1"
            assert tokens.current(conn, "m2") is None  # a forgotten member gets none
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
