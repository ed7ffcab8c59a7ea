"""The back office's pages as its users see them: the dashboard's figures (kept by
the push, not summed per view), the language switch, members' cards, pos-hq user add."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from hq.backoffice import totals
from hq.db import Conn
from tests.hq.backoffice_helpers import PASSWORD, add_user, enrol, logged_in, login, now_stamp, push

ROOT = Path(__file__).resolve().parents[2]
PHONE = "+66812345601"


async def test_the_dashboard_counts_what_the_tills_pushed_in_thai_by_default(
    client: httpx.AsyncClient, db: Conn, make_terminal: Any
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S2", "T2")
    m1 = await enrol(client, t1, PHONE, "Somchai", 40, now_stamp())
    m2 = await enrol(client, t2, "+66812345602", "Somsak", 70, "2025-01-01T03:00:00.000000Z")
    redeem = t1.entry(m1["wallet_id"], -15, kind="redeem", created_at=now_stamp())
    await push(client, t1, entries=[redeem])
    await push(client, t1, entries=[redeem])  # a retry adds nothing
    board = totals.figures(db, None)
    s1, s2 = board.stores
    assert (s1.members, s1.outstanding, s1.sales[1], s1.issued[1], s1.redeemed[1]) == (
        1, 25, 1, 40, 15
    )  # fmt: skip
    assert (s2.members, s2.outstanding, s2.sales[30], s2.new_members[30]) == (1, 70, 0, 0)
    assert board.total.active == {1: 1, 7: 1, 30: 1}  # Somsak's last visit was long ago
    assert board.total.members == 2 and board.total.outstanding == 95
    assert sum(issued for _, issued, _ in board.flow) == 40 and len(board.flow) == 30
    # A manager's dashboard holds their store only.
    assert [s.store_id for s in totals.figures(db, ["S2"]).stores] == ["S2"]

    add_user(db, "owner@example.com", "owner")
    await logged_in(client, "owner@example.com")
    page = await client.get("/admin/dashboard")
    assert "แต้มที่ให้" in page.text and "สมาชิกทั้งหมด" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text
    assert m2["member_id"] not in page.text


async def test_the_language_is_remembered_per_user_and_audited(
    client: httpx.AsyncClient, db: Conn
) -> None:
    add_user(db, "owner@example.com", "owner")
    token = await logged_in(client, "owner@example.com")
    switched = await client.post(
        "/admin/language", data={"csrf": token, "lang": "en", "next": "/admin/members"}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/admin/members"
    assert "Find a member" in (await client.get("/admin/members")).text
    assert db.execute("SELECT language FROM users").fetchone() == ("en",)
    before, after = (
        db.execute("SELECT before, after FROM audit_log WHERE action = 'user.language'").fetchone()
        or ()
    )
    assert (before, after) == ({"language": "th"}, {"language": "en"})
    # A new session, another browser: still English.
    other = httpx.AsyncClient(transport=client._transport, base_url="http://hq")
    async with other:
        await logged_in(other, "owner@example.com")
        assert "Points issued" in (await other.get("/admin/dashboard")).text
    # An outside address as "next" is not followed.
    away = await client.post(
        "/admin/language", data={"csrf": token, "lang": "th", "next": "//evil.example/"}
    )
    assert away.headers["location"] == "/admin/"


async def test_the_owner_sees_the_whole_phone_and_marketing_a_masked_one(
    client: httpx.AsyncClient, db: Conn, make_terminal: Any
) -> None:
    t1 = make_terminal("S1", "T1")
    m = await enrol(client, t1, PHONE, "Somchai", 40, now_stamp())
    add_user(db, "owner@example.com", "owner")
    add_user(db, "marketing@example.com", "marketing")
    await logged_in(client, "owner@example.com")
    found = await client.get("/admin/members", params={"q": "081 234 5601"})
    assert m["member_id"] in found.text and PHONE in found.text
    card = await client.get(f"/admin/members/{m['member_id']}")
    assert PHONE in card.text and "40" in card.text and "S1" in card.text
    other = httpx.AsyncClient(transport=client._transport, base_url="http://hq")
    async with other:
        await logged_in(other, "marketing@example.com")
        for page in (
            await other.get("/admin/members", params={"q": "somch"}),
            await other.get(f"/admin/members/{m['member_id']}"),
        ):
            assert page.status_code == 200 and "Somchai" in page.text
            assert PHONE not in page.text and "812345601" not in page.text
        # Hostile text is shown as text.
        hostile = await other.get("/admin/members", params={"q": "<script>x</script>"})
        assert "<script>x" not in hostile.text and "&lt;script&gt;" in hostile.text


def _pos_hq(dsn: str, *args: str, stdin: str) -> tuple[int, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_HQ_")}
    env["POS_HQ_DSN"] = dsn
    done = subprocess.run(
        [sys.executable, "-m", "hq.cli", *args, "--json"],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    return done.returncode, json.loads(done.stdout)


async def test_pos_hq_user_add_reads_the_password_from_stdin_and_stores_only_a_scrypt_hash(
    hq_dsn: str, client: httpx.AsyncClient, db: Conn, make_terminal: Any
) -> None:
    make_terminal("S1", "T1")
    code, body = _pos_hq(
        hq_dsn, "user", "add", "Boss@Example.com", "--role", "owner", stdin=PASSWORD + "\n"
    )
    assert code == 0, body
    assert body["email"] == "Boss@Example.com" and body["role"] == "owner"
    (stored,) = db.execute("SELECT password_hash FROM users").fetchone() or ()
    assert stored.startswith("scrypt$16384$8$1$") and PASSWORD not in stored
    assert (await login(client, "boss@example.com")).status_code == 303
    # Refusals: the same email in other letters, a manager without a store, an unknown
    # store, a short password.
    cases = [
        (["boss@example.com", "--role", "owner"], PASSWORD),
        (["m@example.com", "--role", "manager"], PASSWORD),
        (["m@example.com", "--role", "manager", "--store", "S9"], PASSWORD),
        (["m@example.com", "--role", "auditor"], "short"),
    ]
    for args, password in cases:
        code, body = _pos_hq(hq_dsn, "user", "add", *args, stdin=password + "\n")
        assert code != 0 and body["error"]["message"], (args, body)
    code, body = _pos_hq(
        hq_dsn, "user", "add", "m@example.com", "--role", "manager", "--store", "S1", stdin=PASSWORD
    )
    assert code == 0 and body["stores"] == ["S1"]
    assert db.execute("SELECT count(*) FROM users").fetchone() == (2,)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'user.add'").fetchone() == (2,)
