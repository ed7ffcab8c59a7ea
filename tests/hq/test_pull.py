"""GET /v1/pull: other terminals' changes after a cursor that never skips one."""

from __future__ import annotations

import re
import threading
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.types.json import Jsonb

from hq.changes import service as changes
from hq.db import Conn
from hq.push import service as push_service
from hq.rules import service as rules
from hq.terminals.service import TerminalIdentity
from sync.protocol import CURSOR_PATTERN, PullResponse, PushRequest, SettingsChange, entry_row
from tests.hq.conftest import Terminal


async def pull(
    client: httpx.AsyncClient, t: Terminal, after: str = "0", limit: int = 1000
) -> PullResponse:
    reply = await client.get("/v1/pull", params={"after": after, "limit": limit}, headers=t.auth)
    assert reply.status_code == 200, reply.text
    return PullResponse.model_validate(reply.json())


async def pull_all(
    client: httpx.AsyncClient, t: Terminal, after: str = "0", limit: int = 1000
) -> tuple[list[Any], str]:
    found: list[Any] = []
    while True:
        page = await pull(client, t, after, limit)
        found += page.changes
        assert changes.parse_cursor(page.next_cursor) >= changes.parse_cursor(after)
        after = page.next_cursor
        if not page.more:
            return found, after


def rows(entries: list[dict[str, Any]]) -> list[list[Any]]:
    return [entry_row(e) for e in entries]


def entry_ids(found: list[Any]) -> list[str]:
    return [c.entry["entry_id"] for c in found if c.kind == "entry"]


async def test_pull_returns_other_terminals_entries_not_own(
    client: httpx.AsyncClient, make_terminal: Any
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S2", "T2")
    mine = [t1.entry("W1", 1) for _ in range(3)]
    theirs = [t2.entry("W2", 2) for _ in range(4)]
    await client.post("/v1/push", json={"entries": rows(mine)}, headers=t1.auth)
    await client.post("/v1/push", json={"entries": rows(theirs)}, headers=t2.auth)
    found, cursor = await pull_all(client, t1)
    assert entry_ids(found) == [e["entry_id"] for e in theirs]
    assert found[0].entry == theirs[0]  # the body exactly as pushed (hash chain intact)
    found2, _ = await pull_all(client, t2)
    assert entry_ids(found2) == [e["entry_id"] for e in mine]
    # Nothing new after the cursor; a new push shows up after it.
    again, cursor2 = await pull_all(client, t1, cursor)
    assert again == [] and cursor2 == cursor
    more = [t2.entry("W2", 5)]
    await client.post("/v1/push", json={"entries": rows(more)}, headers=t2.auth)
    newer, _ = await pull_all(client, t1, cursor)
    assert entry_ids(newer) == [more[0]["entry_id"]]


async def test_pull_pages_with_limit(client: httpx.AsyncClient, make_terminal: Any) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    theirs = [t2.entry("W2", 1) for _ in range(25)]
    await client.post("/v1/push", json={"entries": rows(theirs[:10])}, headers=t2.auth)
    await client.post("/v1/push", json={"entries": rows(theirs[10:])}, headers=t2.auth)
    first = await pull(client, t1, limit=7)
    assert len(first.changes) == 7 and first.more
    assert first.next_cursor.count(".") == 2  # inside the first push's run of 10
    found, _ = await pull_all(client, t1, limit=7)
    assert entry_ids(found) == [e["entry_id"] for e in theirs]


async def test_own_rows_are_skipped_once(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    """After a pull with nothing more, the cursor jumps past the caller's own rows."""
    t1, _ = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    await client.post(
        "/v1/push", json={"entries": rows([t1.entry("W1", 1) for _ in range(5)])}, headers=t1.auth
    )
    page = await pull(client, t1)
    assert page.changes == [] and not page.more and page.next_cursor != "0"
    _, number, seq = changes.parse_cursor(page.next_cursor)
    top = db.execute("SELECT max(change_id) FROM entry_runs").fetchone()
    assert top is not None and (number, seq) == (top[0], changes.DONE)


async def test_members_merges_coupons_and_settings_in_the_feed(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t1, t2, t3 = make_terminal("S1", "T1"), make_terminal("S1", "T2"), make_terminal("S1", "T3")
    early = t1.member("+66812345678", enrolled_at="2026-01-10T00:00:00.000000Z")
    late = t2.member("+66812345678", enrolled_at="2026-01-11T00:00:00.000000Z")
    await client.post("/v1/push", json={"members": [early]}, headers=t1.auth)
    event = {
        "code": "K7QM2XPA",
        "entry_id": "E1",
        "reward_id": "COFFEE",
        "member_id": late["member_id"],
        "status": "issued",
        "at": "2026-01-11T00:00:00.000000Z",
        "terminal_id": "T2",
    }
    await client.post(
        "/v1/push", json={"members": [late], "coupon_events": [event]}, headers=t2.auth
    )
    rules.set_settings(db, {"earn": {"expiry_days": 180}})
    found, _ = await pull_all(client, t3)
    kinds = [c.kind for c in found]
    assert kinds == ["member", "member", "merge", "coupon", "settings"]
    assert found[1].merged_into == early["member_id"]
    assert (found[2].merged_member_id, found[2].member_id) == (
        late["member_id"],
        early["member_id"],
    )
    assert (found[2].merged_wallet_id, found[2].wallet_id) == (
        late["wallet_id"],
        early["wallet_id"],
    )
    assert found[3].coupon.code == "K7QM2XPA" and found[3].coupon.status == "issued"
    assert found[4].version == 1 and found[4].settings == {"earn": {"expiry_days": 180}}
    # T2 does not get back what it pushed itself (its member, its coupon), but it
    # does get the merge its push caused: its member's points must move.
    t2_found, _ = await pull_all(client, t2)
    assert [c.kind for c in t2_found] == ["member", "merge", "settings"]


async def test_bad_cursor_and_limit_get_422(client: httpx.AsyncClient, make_terminal: Any) -> None:
    t = make_terminal()
    for params in (
        {"after": "abc"},
        {"after": "1.99999999999999999999"},
        {"after": "1.9999999999999999999"},
        {"limit": 0},
        {"limit": 100000},
    ):
        reply = await client.get("/v1/pull", params=params, headers=t.auth)
        assert reply.status_code == 422, params
        assert reply.json()["error"]["code"] == "invalid_request"


def _push(conn: Conn, t: Terminal, entries: list[dict[str, Any]]) -> None:
    who = TerminalIdentity(t.terminal_id, t.store_id)
    request = PushRequest.model_validate({"entries": rows(entries)})
    push_service.push_in_transaction(conn, who, request, push_service.entry_rows(who, request))


def test_cursor_never_skips_when_commits_come_out_of_order(hq_dsn: str, make_terminal: Any) -> None:
    """Two pushes in flight at once, committing in the opposite order to their numbers.

    A takes its change numbers first; B takes later numbers and commits first. A
    reader between the two commits must not hand out a cursor past A's rows.
    Then the reverse: B gets the older transaction id but the higher numbers.
    """
    ta, tb, reader = make_terminal("S1", "TA"), make_terminal("S1", "TB"), make_terminal("S1", "TR")
    with (
        psycopg.connect(hq_dsn, autocommit=True) as ca,
        psycopg.connect(hq_dsn, autocommit=True) as cb,
        psycopg.connect(hq_dsn, autocommit=True) as cr,
    ):
        seen: list[str] = []
        cursor = "0"

        def read() -> None:
            nonlocal cursor
            while True:
                page = changes.pull(cr, reader.terminal_id, cursor, 1000)
                seen.extend(entry_ids(page.changes))
                cursor = page.next_cursor
                if not page.more:
                    return

        a_rows = [ta.entry("WA", 1) for _ in range(3)]
        b_rows = [tb.entry("WB", 1) for _ in range(3)]
        # Round 1: A writes first (lower numbers, lower xid), B writes and commits first.
        with ca.transaction():
            _push(ca, ta, a_rows)
            with cb.transaction():
                _push(cb, tb, b_rows)
            read()  # B is committed, A is not
            assert seen == []  # B waits behind A's open transaction: nothing is skipped
        read()
        assert seen == [e["entry_id"] for e in a_rows + b_rows]

        # Round 2: B takes the older transaction id, A then writes and commits first
        # with lower numbers; B writes later (higher numbers) and commits last.
        seen.clear()
        a2 = [ta.entry("WA", 1) for _ in range(2)]
        b2 = [tb.entry("WB", 1) for _ in range(2)]
        with cb.transaction():
            cb.execute("SELECT pg_current_xact_id()")  # B's transaction id is now the older one
            with ca.transaction():
                _push(ca, ta, a2)
            read()  # A committed, but B (older) is still open
            assert seen == []
            _push(cb, tb, b2)
        read()
        assert sorted(seen) == sorted(e["entry_id"] for e in a2 + b2)
        assert seen == [e["entry_id"] for e in b2 + a2]  # ordered by transaction, then number


def test_cursor_never_skips_under_concurrent_pushes(hq_dsn: str, make_terminal: Any) -> None:
    """Threads push while a reader follows the feed; the reader ends with every entry once."""
    writers = [make_terminal("S1", f"W{i}") for i in range(4)]
    reader = make_terminal("S1", "R")
    pushed: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def write(t: Terminal) -> None:
        try:
            with psycopg.connect(hq_dsn, autocommit=True) as conn:
                for _ in range(15):
                    batch = [t.entry(f"{t.terminal_id}-w", 1) for _ in range(20)]
                    with conn.transaction():
                        _push(conn, t, batch)
                    with lock:
                        pushed.extend(e["entry_id"] for e in batch)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    seen: list[str] = []
    with psycopg.connect(hq_dsn, autocommit=True) as cr:
        cursor = "0"
        threads = [threading.Thread(target=write, args=(t,)) for t in writers]
        for th in threads:
            th.start()
        while any(th.is_alive() for th in threads):
            page = changes.pull(cr, reader.terminal_id, cursor, 37)
            seen.extend(entry_ids(page.changes))
            cursor = page.next_cursor
        for th in threads:
            th.join()
        while True:  # everything is committed now: drain the feed
            page = changes.pull(cr, reader.terminal_id, cursor, 500)
            seen.extend(entry_ids(page.changes))
            cursor = page.next_cursor
            if not page.more:
                break
    assert not errors
    assert len(seen) == len(set(seen)) == len(pushed) == 4 * 15 * 20
    assert set(seen) == set(pushed)


def test_feed_is_ordered_by_transaction_id_as_a_number(db: Conn, make_terminal: Any) -> None:
    """Transaction ids 9, 10, 11 sort as numbers (as text, "9" would come last and a
    page of one would skip it)."""
    reader = make_terminal("S1", "TR")
    for xid, version in (("11", 3), ("10", 2), ("9", 1)):
        db.execute(
            "INSERT INTO changes (change_xid, kind, body) VALUES (%s::xid8, 'settings', %s)",
            (xid, Jsonb({"kind": "settings", "version": version, "settings": {}})),
        )
    seen, cursor = [], "0"
    for _ in range(4):
        page = changes.pull(db, reader.terminal_id, cursor, 1)
        seen += [c.version for c in page.changes if isinstance(c, SettingsChange)]
        cursor = page.next_cursor
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("cursor", ["0", ""])
def test_parse_cursor_start(cursor: str) -> None:
    start = changes.parse_cursor(cursor)
    assert changes.format_cursor(start) == "0"
    assert changes.parse_cursor("12.34") == (12, 34, changes.DONE)  # protocol 1's form
    for key in ((12, 34, changes.DONE), (12, 34, 7)):
        assert changes.parse_cursor(changes.format_cursor(key)) == key


@pytest.mark.parametrize("digits", [(19, 19), (19, 18), (20, 1), (19, 19, 19), (19, 18, 18)])
def test_every_cursor_the_spec_allows_is_one_the_server_reads(digits: tuple[int, ...]) -> None:
    """Schemathesis sent '34451.9880839240491286690': it matched the spec's
    pattern, yet the server called it out of range (a 422 for a request the
    spec calls valid). The largest cursor of each shape the pattern admits
    must read."""
    cursor = ".".join("9" * n for n in digits)
    if re.fullmatch(CURSOR_PATTERN, cursor):
        changes.parse_cursor(cursor)  # raises InvalidInput when out of range


@pytest.mark.parametrize(
    ("query", "named"),
    [("limt=10", "Unknown query parameter 'limt'"), ("after=true&after=0", "more than once")],
)
async def test_a_query_the_route_cannot_read_plainly_is_refused(
    client: httpx.AsyncClient, make_terminal: Any, query: str, named: str
) -> None:
    """A typo would be ignored and a repeated parameter read as its last value:
    both are refused with a message, so the spec (one value, no extras) holds."""
    t = make_terminal("S1", "T1")
    for path in ("/v1/pull", "/v1/restore"):
        reply = await client.get(f"{path}?{query}", headers=t.auth)
        assert reply.status_code == 422, (path, reply.text)
        assert named in reply.json()["error"]["message"]
