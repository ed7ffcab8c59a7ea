"""Entries above a gap are held back from other terminals until the gap fills and
they link to the chain; ``pos-hq verify`` reports them as unverified (issue 9, break 4)."""

from __future__ import annotations

from typing import Any

import httpx

from hq.db import Conn
from sync.protocol import PullResponse, PushResponse, entry_row
from tests.hq.conftest import Terminal
from tests.hq.test_cli import hq
from tests.sync.conftest import wait_feed


async def push(client: httpx.AsyncClient, t: Terminal, entries: list[dict[str, Any]]) -> Any:
    reply = await client.post(
        "/v1/push", json={"entries": [entry_row(e) for e in entries]}, headers=t.auth
    )
    assert reply.status_code == 200, reply.text
    return PushResponse.model_validate(reply.json())


async def pulled_seqs(client: httpx.AsyncClient, t: Terminal, db: Conn) -> list[int]:
    """Every entry the feed gives ``t`` from the start, as (seq) of the other terminal."""
    wait_feed(db)
    seqs: list[int] = []
    after = "0"
    while True:
        reply = await client.get("/v1/pull", params={"after": after}, headers=t.auth)
        page = PullResponse.model_validate(reply.json())
        seqs += [c.entry["seq"] for c in page.changes if c.kind == "entry"]
        after = page.next_cursor
        if not page.more:
            return seqs


async def test_entries_pushed_above_a_gap_with_a_bogus_link_never_reach_other_terminals(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn, hq_dsn: str
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    chain = [t1.entry("W1", 10) for _ in range(9)]  # seq 1-9, a real chain
    t1.last_hash = "f" * 64  # seq 10-11 follow an entry 9 that never was
    bogus = [t1.entry("W1", 500, seq=10), t1.entry("W1", 500)]
    first = await push(client, t1, chain[:5])
    assert first.acked_seq == 5

    held = await push(client, t1, bogus)
    assert (held.inserted, held.acked_seq) == (2, 5)
    assert await pulled_seqs(client, t2, db) == [1, 2, 3, 4, 5]
    status, found = hq(hq_dsn, "verify")
    assert status == 1
    assert [(p["terminal_id"], p["seq"], p["problem"]) for p in found["problems"]] == [
        ("T1", 10, "unverified")
    ]
    assert "entry 6 is missing" in found["problems"][0]["message"]

    # The terminal's real entries 6-9 arrive: 9 does not link to the held 10, so it
    # is refused there, and 10-11 stay held.
    filled = await push(client, t1, chain[5:])
    assert filled.acked_seq == 8
    assert [(r.seq, r.reason) for r in filled.refused] == [(9, "chain_break")]
    assert await pulled_seqs(client, t2, db) == [1, 2, 3, 4, 5, 6, 7, 8]
    status, found = hq(hq_dsn, "verify", "--terminal", "T1")
    assert status == 1 and [p["seq"] for p in found["problems"]] == [10]


async def test_entries_above_a_gap_go_out_once_the_gap_fills(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn, hq_dsn: str
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    e = [t1.entry("W1", 10) for _ in range(6)]
    assert (await push(client, t1, [*e[:3], *e[4:]])).acked_seq == 3
    assert await pulled_seqs(client, t2, db) == [1, 2, 3]
    assert hq(hq_dsn, "verify")[0] == 1

    assert (await push(client, t1, [e[3]])).acked_seq == 6
    assert await pulled_seqs(client, t2, db) == [1, 2, 3, 4, 5, 6]  # each once
    assert hq(hq_dsn, "verify") == (0, {"entries": 6, "terminals": 1, "problems": []})
