"""POST /v1/push: idempotent bulk insert, conflicts as data, acked_seq, auth."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hq.app import create_app
from hq.db import Conn, Pool
from hq.settings import HQSettings
from hq.terminals import service as terminals
from ledger.chain import entry_hash
from sync.protocol import ENTRY_COLUMNS, MAX_PUSH_ENTRIES, PushResponse, entry_row
from tests.hq.conftest import Terminal


async def push(
    client: httpx.AsyncClient, t: Terminal, entries: list[dict[str, Any]], **extra: Any
) -> httpx.Response:
    return await client.post(
        "/v1/push", json={"entries": [entry_row(e) for e in entries], **extra}, headers=t.auth
    )


def count(db: Conn, table: str = "entries") -> int:
    row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture(params=[True, False], ids=["direct-copy", "temp-table"])
async def any_client(request: pytest.FixtureRequest, hq_settings: HQSettings, pool: Pool) -> Any:
    """A client for each bulk path: COPY straight into entries, and temp table + ON CONFLICT."""
    app: FastAPI = create_app(
        hq_settings.model_copy(update={"direct_copy": request.param}), pool=pool
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hq") as c:
        yield c


async def test_same_batch_twice_is_stored_once(
    any_client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    batch = [t.entry("W1", 10) for _ in range(50)]
    first = PushResponse.model_validate((await push(any_client, t, batch)).json())
    assert (first.inserted, first.duplicates, first.conflicts, first.acked_seq) == (50, 0, 0, 50)
    again = await push(any_client, t, batch)
    assert again.status_code == 200
    second = PushResponse.model_validate(again.json())
    assert (second.inserted, second.duplicates, second.conflicts, second.acked_seq) == (
        0,
        50,
        0,
        50,
    )
    assert count(db) == 50
    row = db.execute("SELECT sum(points) FROM entries WHERE wallet_id = 'W1'").fetchone()
    assert row == (500,)


async def test_batch_cut_halfway_is_sent_again(
    any_client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    batch = [t.entry("W1", 1) for _ in range(10)]
    await push(any_client, t, batch[:6])
    reply = PushResponse.model_validate((await push(any_client, t, batch)).json())
    assert (reply.inserted, reply.duplicates, reply.acked_seq) == (4, 6, 10)
    assert count(db) == 10


async def test_same_id_different_body_is_refused_and_recorded(
    any_client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    original = t.entry("W1", 10)
    await push(any_client, t, [original])
    forged = {**original, "points": 1000, "balance_after": 1000}
    reply = PushResponse.model_validate((await push(any_client, t, [forged])).json())
    assert (reply.inserted, reply.duplicates, reply.conflicts) == (0, 0, 1)
    assert reply.refused[0].entry_id == original["entry_id"]
    assert reply.refused[0].reason == "body_mismatch"
    stored = db.execute(
        "SELECT points FROM entries WHERE entry_id = %s", (original["entry_id"],)
    ).fetchone()
    assert stored == (10,)  # never overwritten
    kind, details = db.execute("SELECT kind, details FROM conflicts").fetchone() or (None, None)
    assert kind == "entry_body_mismatch"
    assert details["entry_id"] == original["entry_id"]
    assert details["differs"]["points"] == {"stored": 10, "pushed": 1000}
    # Pushing the same forged body again records nothing new.
    await push(any_client, t, [forged])
    assert count(db, "conflicts") == 1


async def test_seq_taken_by_another_entry_is_refused(
    any_client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    await push(any_client, t, [t.entry("W1", 5)])
    impostor = t.entry("W1", 7, seq=1)  # a different entry id at seq 1
    reply = PushResponse.model_validate((await push(any_client, t, [impostor])).json())
    assert reply.conflicts == 1 and reply.refused[0].reason == "seq_taken"
    assert count(db) == 1
    assert count(db, "conflicts") == 1


async def test_acked_seq_stops_at_a_gap(any_client: httpx.AsyncClient, make_terminal: Any) -> None:
    t = make_terminal()
    e1, e2, e3, e4, e5, e6 = (t.entry("W1", 1) for _ in range(6))
    reply = PushResponse.model_validate((await push(any_client, t, [e1, e2, e3, e5])).json())
    assert (reply.inserted, reply.acked_seq) == (4, 3)
    reply = PushResponse.model_validate((await push(any_client, t, [e6])).json())
    assert reply.acked_seq == 3  # 4 is still missing
    reply = PushResponse.model_validate((await push(any_client, t, [e4])).json())
    assert reply.acked_seq == 6
    reply = PushResponse.model_validate((await push(any_client, t, [])).json())
    assert reply.acked_seq == 6


async def test_acked_seq_without_seq_one(any_client: httpx.AsyncClient, make_terminal: Any) -> None:
    t = make_terminal()
    t.entry("W1", 1)  # seq 1 never sent
    reply = PushResponse.model_validate((await push(any_client, t, [t.entry("W1", 1)])).json())
    assert (reply.inserted, reply.acked_seq) == (1, 0)


async def test_duplicate_ids_inside_one_batch(
    any_client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    e = t.entry("W1", 3)
    reply = PushResponse.model_validate((await push(any_client, t, [e, e])).json())
    assert (reply.inserted, reply.duplicates, reply.acked_seq) == (1, 1, 1)
    assert db.execute("SELECT sum(points) FROM entries").fetchone() == (3,)


async def test_missing_forged_and_revoked_tokens_get_401(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    body = {"entries": [entry_row(t.entry("W1", 1))]}
    missing = await client.post("/v1/push", json=body)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    forged = await client.post(
        "/v1/push", json=body, headers={"Authorization": "Bearer lpt_forged"}
    )
    assert forged.status_code == 401
    wrong_scheme = await client.post(
        "/v1/push", json=body, headers={"Authorization": f"Basic {t.token}"}
    )
    assert wrong_scheme.status_code == 401
    terminals.revoke_terminal(db, t.store_id, t.terminal_id)
    revoked = await client.post("/v1/push", json=body, headers=t.auth)
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["error"]["message"]
    pulled = await client.get("/v1/pull", headers=t.auth)
    assert pulled.status_code == 401
    assert count(db) == 0


async def test_entries_of_another_store_or_terminal_get_403(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t1 = make_terminal("S1", "T1")
    t2 = make_terminal("S2", "T2")
    theirs = t2.entry("W1", 100)
    reply = await push(client, t1, [t1.entry("W1", 1), theirs])
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "forbidden"
    same_terminal_other_store = {**t1.entry("W1", 1), "store_id": "S2"}
    assert (await push(client, t1, [same_terminal_other_store])).status_code == 403
    event = {
        "code": "ABCD1234",
        "entry_id": "e",
        "reward_id": "r",
        "member_id": "m",
        "status": "used",
        "at": "2026-01-15T03:00:00.000000Z",
        "terminal_id": "T2",
    }
    assert (await push(client, t1, [], coupon_events=[event])).status_code == 403
    assert count(db) == 0  # nothing of a refused batch is stored


async def test_too_many_entries_get_422(client: httpx.AsyncClient, make_terminal: Any) -> None:
    t = make_terminal()
    entry = t.entry("W1", 1)
    reply = await push(client, t, [entry] * (MAX_PUSH_ENTRIES + 1))
    assert reply.status_code == 422  # over the documented maxItems, like any invalid field
    assert reply.json()["error"]["code"] == "too_many_items"


async def test_invalid_bodies_get_422(client: httpx.AsyncClient, make_terminal: Any) -> None:
    t = make_terminal()
    good = t.entry("W1", 1)
    bad_bodies: list[tuple[Any, str]] = [
        ({"entries": [entry_row({**good, "kind": "steal"})]}, "entries.0.kind"),
        ({"entries": [entry_row({**good, "points": "10"})]}, "entries.0.points"),
        ({"entries": [entry_row({**good, "points": 2**63})]}, "entries.0.points"),
        ({"entries": [entry_row({**good, "ref": "nul\x00byte"})]}, "entries.0.ref"),
        ({"entries": [[*entry_row(good), 1]]}, "entries.0"),
        ({"entries": [entry_row(good)[:-1]]}, "entries.0"),
        ({"entries": [good]}, "entries.0"),  # an object: protocol 1's form
        ({"entries": "nope"}, "entries"),
        ({"unknown": []}, "unknown"),
    ]
    for body, where in bad_bodies:
        reply = await client.post("/v1/push", json=body, headers=t.auth)
        assert reply.status_code == 422, body
        error = reply.json()["error"]
        assert error["code"] == "invalid_request"
        assert error["message"].startswith(f"Invalid push: {where}"), error["message"]
    broken = await client.post("/v1/push", content=b"{not json", headers=t.auth)
    assert broken.status_code == 422


async def test_large_batch_in_one_push(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    batch = [t.entry(f"W{i % 97}", 1 + i % 5) for i in range(MAX_PUSH_ENTRIES)]
    reply = PushResponse.model_validate((await push(client, t, batch)).json())
    assert (reply.inserted, reply.acked_seq) == (MAX_PUSH_ENTRIES, MAX_PUSH_ENTRIES)
    total = db.execute("SELECT sum(points) FROM entries").fetchone()
    assert total == (sum(e["points"] for e in batch),)
    assert db.execute("SELECT acked_seq FROM terminals WHERE terminal_id = 'T1'").fetchone() == (
        MAX_PUSH_ENTRIES,
    )


async def test_text_with_escapes_round_trips(
    any_client: httpx.AsyncClient, make_terminal: Any
) -> None:
    """Backslashes, tabs, newlines and non-ASCII survive COPY exactly (the hash chain needs it).
    (Text fields refuse control characters; the rules JSON is opaque text and may hold them.)"""
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    plain = t1.entry("W1", 5)
    tricky = t1.entry("W1", -5, kind="adjust")
    tricky["reason"] = "typo\\fix by supervisor \\N ราคา"
    tricky["rules"] = '{"note":"a\\"b\\\\c\tby\nme","n":1}'
    tricky["hash"] = entry_hash([tricky[c] for c in ENTRY_COLUMNS[:-1]])  # still a valid link
    reply = await push(any_client, t1, [plain, tricky])
    assert reply.status_code == 200 and reply.json()["inserted"] == 2
    pulled = (await any_client.get("/v1/pull", headers=t2.auth)).json()["changes"]
    assert [c["entry"] for c in pulled] == [plain, tricky]
    again = PushResponse.model_validate((await push(any_client, t1, [plain, tricky])).json())
    assert (again.duplicates, again.conflicts) == (2, 0)


async def test_journal_is_append_only(
    db: Conn, make_terminal: Any, client: httpx.AsyncClient
) -> None:
    import psycopg

    t = make_terminal()
    await push(client, t, [t.entry("W1", 1)])
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        db.execute("UPDATE entries SET points = 99")
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        db.execute("DELETE FROM entries")


def _relinked(t: Terminal, entry: dict[str, Any], prev_hash: str) -> dict[str, Any]:
    """``entry`` with another prev_hash and its own hash recomputed (a forged link)."""
    forged = {**entry, "prev_hash": prev_hash}
    forged["hash"] = entry_hash([forged[c] for c in ENTRY_COLUMNS])
    return forged


async def test_entries_that_do_not_link_to_the_chain_are_refused(
    any_client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    e1, e2, e3, e4 = (t.entry("W1", 10) for _ in range(4))
    await push(any_client, t, [e1, e2])
    # e3 rewritten to follow something other than e2: a forked or edited journal.
    forked = _relinked(t, e3, "f" * 64)
    reply = PushResponse.model_validate((await push(any_client, t, [forked, e4])).json())
    assert (reply.inserted, reply.acked_seq, reply.conflicts) == (0, 2, 1)
    assert reply.refused[0].reason == "chain_break" and reply.refused[0].seq == 3
    assert "hash chain" in reply.refused[0].message
    assert count(db) == 2  # nothing after the break is stored either
    found = db.execute("SELECT kind, details FROM conflicts").fetchall()
    assert [(k, d["seq"], d["side"]) for k, d in found] == [("chain_break", 3, "before")]
    # The real entries still go in.
    reply = PushResponse.model_validate((await push(any_client, t, [e3, e4])).json())
    assert (reply.inserted, reply.acked_seq, reply.conflicts) == (2, 4, 0)


async def test_a_break_inside_a_batch_keeps_what_comes_before_it(
    any_client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    batch = [t.entry("W1", 1) for _ in range(6)]
    batch[4] = _relinked(t, batch[4], batch[2]["hash"])  # 5 claims to follow 3
    reply = PushResponse.model_validate((await push(any_client, t, batch)).json())
    assert (reply.inserted, reply.acked_seq) == (4, 4)
    assert [(r.seq, r.reason) for r in reply.refused] == [(5, "chain_break")]


async def test_the_first_entry_must_start_from_genesis(
    any_client: httpx.AsyncClient, make_terminal: Any
) -> None:
    t = make_terminal()
    first = _relinked(t, t.entry("W1", 1), "a" * 64)
    reply = PushResponse.model_validate((await push(any_client, t, [first])).json())
    assert (reply.inserted, reply.acked_seq) == (0, 0)
    assert reply.refused[0].reason == "chain_break"


async def test_a_late_entry_must_be_the_one_its_successor_follows(
    any_client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    e1, e2, e3 = (t.entry("W1", 1) for _ in range(3))
    await push(any_client, t, [e1, e3])  # e2 is late: 3 waits above the gap
    other = _relinked(t, {**e2, "points": 99, "balance_after": 100}, e1["hash"])
    reply = PushResponse.model_validate((await push(any_client, t, [other])).json())
    assert reply.refused[0].reason == "chain_break" and reply.acked_seq == 1
    found = db.execute("SELECT details FROM conflicts").fetchone()
    assert found is not None and found[0]["side"] == "after"
    reply = PushResponse.model_validate((await push(any_client, t, [e2])).json())
    assert (reply.inserted, reply.acked_seq, reply.conflicts) == (1, 3, 0)
