"""Member snapshots (phones, names) leave the change feed once every terminal in
service has pulled past them (issue 9, break 13)."""

from __future__ import annotations

from typing import Any

import httpx

from hq.db import Conn
from hq.terminals import service as terminals
from sync.protocol import PullResponse
from tests.hq.conftest import Terminal
from tests.sync.conftest import wait_feed

PHONE = "+66812345678"


async def pull_all(client: httpx.AsyncClient, t: Terminal, after: str = "0") -> tuple[Any, str]:
    """``pos sync``'s pull: pages until ``more`` is false; the changes and the cursor kept."""
    found: list[Any] = []
    while True:
        reply = await client.get("/v1/pull", params={"after": after}, headers=t.auth)
        assert reply.status_code == 200, reply.text
        page = PullResponse.model_validate(reply.json())
        found += page.changes
        after = page.next_cursor
        if not page.more:
            return found, after


def snapshots_holding_the_phone(db: Conn) -> int:
    row = db.execute(
        "SELECT count(*) FROM changes WHERE body::text LIKE %s", (f"%{PHONE}%",)
    ).fetchone()
    assert row is not None
    return int(row[0])


async def test_member_snapshots_are_pruned_once_every_terminal_pulled_past_them(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t1, t2, t3 = make_terminal("S1", "T1"), make_terminal("S1", "T2"), make_terminal("S2", "T3")
    make_terminal("S2", "T4")
    terminals.revoke_terminal(db, "S2", "T4")  # a revoked terminal holds nothing back
    member = t1.member(PHONE, name="Somchai")
    reply = await client.post(
        "/v1/push",
        json={"members": [member], "entries": []},
        headers=t1.auth,
    )
    assert reply.status_code == 200
    wait_feed(db)
    assert snapshots_holding_the_phone(db) == 1

    cursors = {}
    for t in (t1, t2):
        found, cursors[t.terminal_id] = await pull_all(client, t)
        if t is t2:
            assert [c.member.phone for c in found if c.kind == "member"] == [PHONE]
        await pull_all(client, t, cursors[t.terminal_id])  # its next sync: applied so far
    assert snapshots_holding_the_phone(db) == 1  # T3 has not pulled it yet

    found, cursor = await pull_all(client, t3)
    assert [c.member.member_id for c in found if c.kind == "member"] == [member["member_id"]]
    assert snapshots_holding_the_phone(db) == 1  # T3 may not have applied that page yet
    await pull_all(client, t3, cursor)
    assert snapshots_holding_the_phone(db) == 0
    # The member itself stays at head office.
    assert db.execute("SELECT phone, name FROM members").fetchall() == [(PHONE, "Somchai")]
