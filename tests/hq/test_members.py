"""Members at head office: phone merges keep every point; lookup; balances; coupons."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hq.conflicts import service as conflicts
from hq.db import Conn
from hq.members import service as members
from sync.protocol import MemberInfo, PushResponse, entry_row

PHONE = "+66812345678"
EARLY, LATE = "2026-01-10T00:00:00.000000Z", "2026-01-11T00:00:00.000000Z"


async def push(client: httpx.AsyncClient, t: Any, **body: Any) -> PushResponse:
    if "entries" in body:
        body["entries"] = [entry_row(e) for e in body["entries"]]
    reply = await client.post("/v1/push", json=body, headers=t.auth)
    assert reply.status_code == 200, reply.text
    return PushResponse.model_validate(reply.json())


@pytest.mark.parametrize("earliest_first", [True, False], ids=["earliest-first", "earliest-last"])
async def test_same_phone_at_two_terminals_is_one_member_with_all_points(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn, earliest_first: bool
) -> None:
    t1, t2, t3 = make_terminal("S1", "T1"), make_terminal("S2", "T2"), make_terminal("S1", "T3")
    m1 = t1.member(PHONE, enrolled_at=EARLY, name="Somchai")
    m2 = t2.member(PHONE, enrolled_at=LATE, name="Somchai J.")
    pushes = [
        (
            t1,
            {
                "members": [m1],
                "entries": [t1.entry(m1["wallet_id"], 40, member_id=m1["member_id"])],
            },
        ),
        (
            t2,
            {
                "members": [m2],
                "entries": [
                    t2.entry(m2["wallet_id"], 25, member_id=m2["member_id"]),
                    t2.entry(m2["wallet_id"], -5, kind="redeem"),
                ],
            },
        ),
    ]
    if not earliest_first:
        pushes.reverse()
    replies = [await push(client, t, **body) for t, body in pushes]
    assert replies[0].members_merged == 0 and replies[1].members_merged == 1
    # The member head office stored first stays canonical (not the earliest claimed
    # enrolment time: a terminal could claim any).
    if not earliest_first:
        m1, m2 = m2, m1

    reply = await lookup(client, PHONE, headers=t3.auth)
    assert reply.status_code == 200
    info = MemberInfo.model_validate(reply.json())
    assert info.member.member_id == m1["member_id"]  # the first stored stays canonical
    assert info.member.wallet_id == m1["wallet_id"]
    assert info.balance == 60  # 40 + 25 - 5: no point lost
    assert [(m.member_id, m.wallet_id) for m in info.merged] == [(m2["member_id"], m2["wallet_id"])]
    merge = db.execute(
        "SELECT merged_member_id, member_id, wallet_id FROM member_merges"
    ).fetchall()
    assert merge == [(m2["member_id"], m1["member_id"], m1["wallet_id"])]
    found = conflicts.list_conflicts(db, "phone_merge")
    assert len(found) == 1 and found[0]["details"]["merged_member_id"] == m2["member_id"]
    report = members.balances(db)
    assert report == [
        {"member_id": m1["member_id"], "phone": PHONE, "wallet_id": m1["wallet_id"], "balance": 60}
    ]
    # Pushing the same members again changes nothing.
    again = await push(client, t2 if earliest_first else t1, members=[m2])
    assert (again.members_stored, again.members_merged) == (0, 0)
    assert len(conflicts.list_conflicts(db, "phone_merge")) == 1


async def test_three_enrolments_end_on_the_first_stored(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    ts = [make_terminal("S1", f"T{i}") for i in range(3)]
    times = [
        "2026-01-12T00:00:00.000000Z",
        "2026-01-11T00:00:00.000000Z",
        "2026-01-10T00:00:00.000000Z",
    ]
    ms = [t.member(PHONE, enrolled_at=at) for t, at in zip(ts, times, strict=True)]
    for t, m in zip(ts, ms, strict=True):
        await push(client, t, members=[m], entries=[t.entry(m["wallet_id"], 10)])
    info = MemberInfo.model_validate((await lookup(client, PHONE, headers=ts[0].auth)).json())
    # Stored first, canonical, though the others claim earlier enrolments.
    assert info.member.member_id == ms[0]["member_id"]
    assert info.balance == 30
    assert {m.member_id for m in info.merged} == {ms[1]["member_id"], ms[2]["member_id"]}
    canon = db.execute("SELECT DISTINCT member_id, wallet_id FROM member_merges").fetchall()
    assert canon == [(ms[0]["member_id"], ms[0]["wallet_id"])]
    report = members.balances(db)
    assert [(r["wallet_id"], r["balance"]) for r in report] == [(ms[0]["wallet_id"], 30)]


async def test_entries_before_member_still_count(
    client: httpx.AsyncClient, make_terminal: Any
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    m1, m2 = t1.member(PHONE, enrolled_at=EARLY), t2.member(PHONE, enrolled_at=LATE)
    await push(client, t2, entries=[t2.entry(m2["wallet_id"], 7)])  # the member comes later
    await push(client, t1, members=[m1], entries=[t1.entry(m1["wallet_id"], 3)])
    await push(client, t2, members=[m2])
    info = MemberInfo.model_validate((await lookup(client, PHONE, headers=t1.auth)).json())
    assert info.balance == 10


async def test_member_update_and_forget(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    m = t.member(PHONE, name="Somchai")
    first = await push(client, t, members=[m])
    assert first.members_stored == 1
    renamed = await push(client, t, members=[{**m, "name": "Somchai Jaidee"}])
    assert renamed.members_stored == 1
    await push(client, t, members=[{**m, "phone": None, "name": "member-7f3a"}])
    assert db.execute("SELECT phone, name FROM members").fetchall() == [(None, "member-7f3a")]
    assert (await lookup(client, PHONE, headers=t.auth)).status_code == 404


async def test_member_lookup(client: httpx.AsyncClient, make_terminal: Any) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    m = t1.member(PHONE, name="Somchai")
    await push(
        client, t1, members=[m], entries=[t1.entry(m["wallet_id"], 12), t1.entry(m["wallet_id"], 8)]
    )
    reply = await lookup(client, "+66812345678", headers=t2.auth)
    assert reply.status_code == 200
    info = MemberInfo.model_validate(reply.json())
    assert (info.member.name, info.balance, info.merged) == ("Somchai", 20, [])
    missing = await lookup(client, "+66899999999", headers=t2.auth)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "member_not_found"
    assert (await lookup(client, "0812345678", headers=t2.auth)).status_code == 422
    assert (await lookup(client, PHONE)).status_code == 401
    # The phone never travels in a URL (URLs are logged): the old route is gone.
    old = await client.get("/v1/members/%2B66812345678", headers=t2.auth)
    assert old.status_code == 410 and "POST /v1/members/lookup" in old.json()["error"]["message"]


async def lookup(
    client: httpx.AsyncClient, phone: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post("/v1/members/lookup", json={"phone": phone}, headers=headers or {})


async def test_coupon_used_at_two_terminals_is_a_conflict_and_first_use_wins(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")

    def event(t: Any, status: str, at: str) -> dict[str, Any]:
        return {
            "code": "K7QM2XPA",
            "entry_id": "E1",
            "reward_id": "COFFEE",
            "member_id": "M1",
            "status": status,
            "at": at,
            "terminal_id": t.terminal_id,
        }

    issued = await push(client, t1, coupon_events=[event(t1, "issued", EARLY)])
    assert issued.coupon_events_applied == 1
    used1 = await push(client, t1, coupon_events=[event(t1, "used", "2026-01-12T00:00:00.000000Z")])
    assert (used1.coupon_events_applied, used1.coupon_conflicts) == (1, 0)
    used2 = await push(client, t2, coupon_events=[event(t2, "used", "2026-01-11T12:00:00.000000Z")])
    assert (used2.coupon_events_applied, used2.coupon_conflicts) == (0, 1)
    status = db.execute("SELECT status, used_terminal_id FROM coupons").fetchone()
    assert status == ("used", "T1")  # first recorded use wins
    found = conflicts.list_conflicts(db, "coupon_double_use")
    assert len(found) == 1
    assert found[0]["details"]["first_use"]["terminal_id"] == "T1"
    assert found[0]["details"]["refused_use"]["terminal_id"] == "T2"
    # The same events again: no new conflict row, the first use still stands.
    await push(client, t1, coupon_events=[event(t1, "used", "2026-01-12T00:00:00.000000Z")])
    await push(client, t2, coupon_events=[event(t2, "used", "2026-01-11T12:00:00.000000Z")])
    assert len(conflicts.list_conflicts(db, "coupon_double_use")) == 1
    # A use that arrives before the issue is kept; a void before the issue (its
    # redemption not at head office) is refused and changes nothing.
    other = {**event(t2, "used", LATE), "code": "ZZZZ0000"}
    await push(client, t2, coupon_events=[other])
    void = {**other, "status": "void"}
    refused = await client.post("/v1/push", json={"coupon_events": [void]}, headers=t2.auth)
    assert refused.status_code == 403
    row = db.execute("SELECT status FROM coupons WHERE code = 'ZZZZ0000'").fetchone()
    assert row == ("used",)


async def test_wallet_below_zero_after_offline_redemptions_is_recorded(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    m = t1.member(PHONE)
    await push(client, t1, members=[m], entries=[t1.entry(m["wallet_id"], 100)])
    # Both terminals saw 100 points offline and each redeemed 80.
    r1 = await push(client, t1, entries=[t1.entry(m["wallet_id"], -80, kind="redeem")])
    assert r1.negative_balances == []
    t2.balances[m["wallet_id"]] = 100
    r2 = await push(client, t2, entries=[t2.entry(m["wallet_id"], -80, kind="redeem")])
    assert [(n.wallet_id, n.member_id, n.balance) for n in r2.negative_balances] == [
        (m["wallet_id"], m["member_id"], -60)
    ]
    found = conflicts.list_conflicts(db, "negative_balance")
    assert len(found) == 1
    assert found[0]["details"]["balance"] == -60 and found[0]["terminal_id"] == "T2"


async def test_a_terminal_that_overdraws_its_own_view_is_recorded(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    """No other terminal spent from the wallet, so head office trusts the terminal's
    balance_after; one below zero is summed and recorded all the same."""
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    m = t1.member(PHONE)
    await push(client, t1, members=[m])  # (a new member's wallet holds no one else's entries)
    await push(client, t2, entries=[t2.entry(m["wallet_id"], 500)])  # earned elsewhere
    await push(client, t1, members=[m], entries=[t1.entry(m["wallet_id"], 30)])
    fine = await push(client, t1, entries=[t1.entry(m["wallet_id"], -30, kind="redeem")])
    assert fine.negative_balances == []
    t1.balances[m["wallet_id"]] = 10  # T1's view: 10 points, then 40 taken
    over = await push(client, t1, entries=[t1.entry(m["wallet_id"], -540, kind="redeem")])
    assert [(n.wallet_id, n.balance) for n in over.negative_balances] == [(m["wallet_id"], -40)]
    assert len(conflicts.list_conflicts(db, "negative_balance")) == 1


async def test_offline_redemptions_found_whichever_terminal_pushes_last(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t1, t2, t3 = make_terminal("S1", "T1"), make_terminal("S1", "T2"), make_terminal("S1", "T3")
    wallet = "W-shared"
    await push(client, t3, entries=[t3.entry(wallet, 100)])
    for t in (t1, t2):
        t.balances[wallet] = 100  # both pulled T3's earn, then went offline
    r2 = await push(client, t2, entries=[t2.entry(wallet, -70, kind="redeem")])
    r1 = await push(client, t1, entries=[t1.entry(wallet, -70, kind="redeem")])
    assert r2.negative_balances == []
    assert [(n.wallet_id, n.balance) for n in r1.negative_balances] == [(wallet, -40)]


async def test_a_late_entry_that_leaves_a_wallet_below_zero_is_found(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    """T1's second entry arrives after its third: its balance_after is no longer
    T1's latest view, so head office sums the wallet instead of trusting it."""
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    wallet = "W-late"
    e1 = t1.entry(wallet, 100)
    e2 = t1.entry(wallet, -60, kind="redeem")  # T1's view: 40
    e3 = t1.entry(wallet, -40, kind="redeem")  # T1's view: 0
    assert (await push(client, t1, entries=[e1, e3])).negative_balances == []
    t2.balances[wallet] = 100  # T2 pulled e1 only
    assert (await push(client, t2, entries=[t2.entry(wallet, -30, kind="redeem")])).acked_seq == 1
    late = await push(client, t1, entries=[e2])
    assert late.acked_seq == 3
    assert [(n.wallet_id, n.balance) for n in late.negative_balances] == [(wallet, -30)]
