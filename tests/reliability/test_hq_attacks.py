"""Head office attacked as a hostile terminal or client would (issue 9).

Each test is an attack that got through before it was fixed (see the report
of issue 9): a terminal of store S2 (``X``) with its own valid token, acting on
store S1's member, coupon or journal; or a client sending numbers and JSON a
till never sends. The world is the authority matrix's (tests/reliability/
test_authority.py): T1 enrolled the victim (100 earned, 40 redeemed for a
coupon), T2 and X have a member each.
"""

from __future__ import annotations

from typing import Any

import httpx

from hq.conflicts import service as conflicts
from hq.db import Conn
from hq.members import service as hq_members
from hq.settings import DEFAULT_LOOKUP_MISSES
from hq.terminals import service as terminals
from ledger.chain import entry_hash
from sync.protocol import ENTRY_COLUMNS, INT64_MAX, MemberInfo, PullResponse
from tests.reliability.test_authority import (
    COUPON,
    VICTIM_PHONE,
    World,
    accepted,
    coupon_event,
    push,
    snapshot,
    world,
)

__all__ = ["world"]  # the fixture, imported for pytest


def _refused(reply: httpx.Response) -> str:
    assert reply.status_code == 403, reply.text
    error = reply.json()["error"]
    assert error["code"] == "forbidden" and "Nothing from this push was stored" in error["message"]
    return str(error["message"])


async def _forbidden_unchanged(
    client: httpx.AsyncClient, db: Conn, t: Any, body: dict[str, Any]
) -> str:
    before, recorded = snapshot(db), conflicts.count(db)
    message = _refused(await push(client, t, **body))
    assert snapshot(db) == before
    found = conflicts.list_conflicts(db)
    assert len(found) == recorded + 1 and found[-1]["kind"] == "forbidden_push"
    return message


async def test_an_earlier_claimed_enrolment_does_not_make_the_attackers_record_canonical(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """X enrols the victim's phone under a name of its choosing, claiming it enrolled
    it before T1 did. The record head office stored first stays the one every till
    shows for that phone; X's record counts as it (a merge), never the other way."""
    w = world
    claim = w.x.member(VICTIM_PHONE, name="Thief", enrolled_at="2000-01-01T00:00:00.000000Z")
    assert (await accepted(client, w.x, members=[claim])).members_merged == 1

    reply = await client.post("/v1/members/lookup", json={"phone": VICTIM_PHONE}, headers=w.t2.auth)
    info = MemberInfo.model_validate(reply.json())
    assert (info.member.member_id, info.member.name) == (w.victim["member_id"], "Somchai")
    assert [m.member_id for m in info.merged] == [claim["member_id"]]
    # Other tills are told the same: X's member is merged into the victim's.
    page = PullResponse.model_validate(
        (await client.get("/v1/pull", params={"after": "0"}, headers=w.t2.auth)).json()
    )
    merges = [(c.merged_member_id, c.member_id) for c in page.changes if c.kind == "merge"]
    assert merges == [(claim["member_id"], w.victim["member_id"])]
    # X's record travels without the phone: a till that does not hold the victim's
    # record (it joined after it was pruned from the feed) would show "Thief" for it.
    sent = [
        c for c in page.changes if c.kind == "member" and c.member.member_id == claim["member_id"]
    ]
    assert [(c.member.phone, c.merged_into) for c in sent] == [(None, w.victim["member_id"])]


async def test_reversing_another_terminals_redemption_is_refused(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """A reversal gives a redemption's points back and voids its coupon: only the
    terminal that made the redemption may reverse it (as the till itself says)."""
    w = world
    refund = w.x.entry(w.victim["wallet_id"], 40, kind="reverse", member_id=w.victim["member_id"])
    refund["reverses"] = w.redeem["entry_id"]
    message = await _forbidden_unchanged(client, db, w.x, {"entries": [refund]})
    assert w.redeem["entry_id"] in message and "T1" in message


async def test_one_terminal_reverses_an_entry_once(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """X reverses T1's earn of 100 twice (the victim would lose 200): a till reverses
    an entry once, so the second reversal is refused, in the same push or later."""
    w = world
    earn = db.execute(
        "SELECT entry_id FROM entries WHERE terminal_id = 'T1' AND seq = 1"
    ).fetchone()
    assert earn is not None
    w.x.balances[w.victim["wallet_id"]] = 60

    def reversal() -> dict[str, Any]:
        entry = {**w.x.entry(w.victim["wallet_id"], -100, kind="reverse"), "reverses": earn[0]}
        entry["prev_hash"] = w.x.last_hash = prev[0]
        entry["hash"] = prev[0] = entry_hash([entry[c] for c in ENTRY_COLUMNS])
        return entry

    prev = [w.x.last_hash]

    first, second = reversal(), reversal()
    await _forbidden_unchanged(client, db, w.x, {"entries": [first, second]})
    w.x.seq, prev[0] = 1, first["prev_hash"]
    assert (await accepted(client, w.x, entries=[reversal()])).inserted == 1
    await _forbidden_unchanged(client, db, w.x, {"entries": [reversal()]})


async def test_a_reversal_must_undo_its_own_entry_and_no_more(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """X reverses its own earn of 10 into its own member's wallet by taking 50 out of
    the victim's: a reversal acts on the wallet of the entry it reverses, for at
    most that entry's points, the other way."""
    w = world
    own = db.execute(
        "SELECT entry_id, wallet_id FROM entries WHERE terminal_id = 'X' AND seq = 1"
    ).fetchone()
    assert own is not None
    w.x.balances[w.victim["wallet_id"]] = 60
    moved = w.x.entry(w.victim["wallet_id"], -50, kind="reverse")
    moved["reverses"] = own[0]
    await _forbidden_unchanged(client, db, w.x, {"entries": [moved]})
    w.x.seq -= 1
    w.x.last_hash = db.execute(
        "SELECT hash FROM entries WHERE terminal_id = 'X' AND seq = 1"
    ).fetchone()[0]
    w.x.balances[own[1]] = 10
    too_much = w.x.entry(own[1], -500, kind="reverse")
    too_much["reverses"] = own[0]
    await _forbidden_unchanged(client, db, w.x, {"entries": [too_much]})


async def test_a_use_cannot_plant_a_coupon_on_another_redemption(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """A "use" is the first news head office has of coupon PHANTOM1, naming T1's
    redemption: it would plant a second coupon on that redemption at every till
    (where the real coupon would then be refused as a second one)."""
    w = world
    phantom = coupon_event(
        w.x, "used", code="PHANTOM1", entry_id=w.redeem["entry_id"], member_id=w.victim["member_id"]
    )
    message = await _forbidden_unchanged(client, db, w.x, {"coupon_events": [phantom]})
    assert "PHANTOM1" in message and "CPN-T1-0001" in message
    # Nor on an entry that is no reward redemption (T2's earn).
    earn = db.execute("SELECT entry_id FROM entries WHERE terminal_id = 'T2'").fetchone()
    assert earn is not None
    ghost = coupon_event(w.x, "used", code="PHANTOM2", entry_id=earn[0])
    await _forbidden_unchanged(client, db, w.x, {"coupon_events": [ghost]})


async def test_a_lying_balance_after_does_not_hide_a_negative_balance(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """X redeems 1,000 points from the victim's wallet (60 points) and claims the
    wallet still holds 5,000 afterwards: head office records the negative balance
    all the same."""
    w = world
    w.x.balances[w.victim["wallet_id"]] = 6000
    spend = w.x.entry(w.victim["wallet_id"], -1000, kind="redeem", member_id=w.victim["member_id"])
    assert spend["balance_after"] == 5000
    reply = await accepted(client, w.x, entries=[spend])
    assert [(n.wallet_id, n.balance) for n in reply.negative_balances] == [
        (w.victim["wallet_id"], -940)
    ]
    found = conflicts.list_conflicts(db, "negative_balance")
    assert [c["details"]["wallet_id"] for c in found] == [w.victim["wallet_id"]]


async def test_points_past_int64_in_total_do_not_break_head_office(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """Each entry within int64, their sum past it: a lookup of the member, a
    redemption from the wallet and the balances report still answer."""
    w = world
    big = []
    for _ in range(2):
        w.x.balances[w.victim["wallet_id"]] = 0  # each balance_after within int64 too
        big.append(w.x.entry(w.victim["wallet_id"], INT64_MAX - 100, kind="adjust"))
    await accepted(client, w.x, entries=big)
    w.t2.balances[w.victim["wallet_id"]] = 1
    spend = w.t2.entry(w.victim["wallet_id"], -1, kind="redeem")
    await accepted(client, w.t2, entries=[spend])
    reply = await client.post("/v1/members/lookup", json={"phone": VICTIM_PHONE}, headers=w.t2.auth)
    assert reply.status_code == 200, reply.text
    assert reply.json()["balance"] == 60 + 2 * (INT64_MAX - 100) - 1
    assert any(r["balance"] == 60 + 2 * (INT64_MAX - 100) - 1 for r in hq_members.balances(db))


async def test_a_sequence_number_at_the_int64_limit_is_no_server_error(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    w = world
    top = w.x.entry(w.x.balances and next(iter(w.x.balances)), 1, seq=INT64_MAX)
    assert (await push(client, w.x, entries=[top])).status_code == 200
    w.x.seq, w.x.last_hash = (
        1,
        db.execute("SELECT hash FROM entries WHERE terminal_id = 'X' AND seq = 1").fetchone()[0],
    )
    nxt = w.x.entry(next(iter(w.x.balances)), 1)
    reply = await push(client, w.x, entries=[nxt])
    assert reply.status_code == 200, reply.text
    assert reply.json()["acked_seq"] == 2


async def test_the_same_entry_twice_in_one_push_is_stored_once(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    w = world
    wallet = next(iter(w.x.balances))
    entry = w.x.entry(wallet, 3)
    reply = await push(client, w.x, entries=[entry, entry])
    assert reply.status_code == 200, reply.text
    assert reply.json()["inserted"] == 1 and reply.json()["acked_seq"] == 2
    twin = {**w.x.entry(wallet, 4), "seq": 2}
    reply = await push(client, w.x, entries=[twin])
    assert reply.status_code == 200 and reply.json()["conflicts"] == 1


async def test_deeply_nested_or_huge_json_is_refused_with_a_message(
    client: httpx.AsyncClient, world: World
) -> None:
    deep, deeper = (b"[" * n + b"]" * n for n in (20_000, 1_000_000))
    for path, body in [
        ("/v1/members/lookup", deep),
        ("/v1/members/lookup", b'{"phone": ' + deep + b"}"),
        ("/v1/join", deep),
        ("/v1/push", deeper),
        ("/v1/push", b'{"entries": ' + deeper + b"}"),
    ]:
        reply = await client.post(
            path, content=body, headers={**world.x.auth, "content-type": "application/json"}
        )
        assert reply.status_code == 422, (path, reply.status_code, reply.text[:200])
        assert reply.json()["error"]["message"]
    # A join needs no token: a body of any size was read into memory, then refused.
    huge = b'{"setup_code": "' + b"A" * (1024 * 1024) + b'"}'
    for path in ("/v1/join", "/v1/members/lookup"):
        reply = await client.post(path, content=huge, headers={"content-type": "application/json"})
        assert reply.status_code == 413, (path, reply.status_code)
        assert "over 65536 bytes" in reply.json()["error"]["message"]

        async def stream() -> Any:  # no Content-Length: counted as it arrives
            for _ in range(64):
                yield b" " * 4096

        reply = await client.post(path, content=stream(), headers=world.x.auth)
        assert reply.status_code == 413, (path, reply.status_code)


async def test_revoked_and_replaced_tokens_and_other_terminals_journals(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """Held before this work too (kept so it stays so): a revoked terminal's token and
    a token replaced by a re-join get 401 everywhere; /v1/restore answers only the
    token's own terminal whatever the query or headers claim."""
    w = world
    spoof = {**w.x.auth, "X-Terminal-Id": "T1", "X-Store-Id": "S1"}
    reply = await client.get("/v1/restore", headers=spoof)
    assert reply.status_code == 200 and reply.json()["terminal_id"] == "X"
    assert {e["terminal_id"] for e in reply.json()["entries"]} == {"X"}
    assert all(m["terminal_id"] == "X" for m in reply.json()["members"])
    for query in ({"terminal_id": "T1"}, {"store_id": "S1"}):
        assert (await client.get("/v1/restore", params=query, headers=w.x.auth)).status_code == 422

    code = terminals.new_code(db, "S1", "T2")["setup_code"]
    assert (await client.post("/v1/join", json={"setup_code": code})).status_code == 200
    terminals.revoke_terminal(db, "S2", "X")
    for t in (w.x, w.t2):  # revoked; replaced by the join
        for method, path, body in [
            ("POST", "/v1/push", {}),
            ("GET", "/v1/pull", None),
            ("GET", "/v1/restore", None),
            ("POST", "/v1/members/lookup", {"phone": VICTIM_PHONE}),
        ]:
            reply = await client.request(method, path, json=body, headers=t.auth)
            assert reply.status_code == 401, (t.terminal_id, path, reply.status_code)


async def test_member_lookup_is_no_phone_book_for_a_hostile_terminal(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """Asked phone after phone, a lookup would tell a hostile terminal who is a member
    and their name (numbers are dense: a store's neighbourhood is a few thousand
    tries). A till asks only for the customer at its counter: past LOOKUP_MISSES
    phones head office does not know within the window, a terminal is refused (429,
    Retry-After) until the window passes; other terminals are not affected."""
    w = world
    for n in range(DEFAULT_LOOKUP_MISSES):
        phone = f"+6690{n:07d}"
        reply = await client.post("/v1/members/lookup", json={"phone": phone}, headers=w.x.auth)
        assert reply.status_code == 404, (n, reply.status_code)
    for phone in ("+66900009999", VICTIM_PHONE):
        reply = await client.post("/v1/members/lookup", json={"phone": phone}, headers=w.x.auth)
        assert reply.status_code == 429, reply.text
        assert int(reply.headers["Retry-After"]) > 0
        assert "phones head office does not know" in reply.json()["error"]["message"]
    reply = await client.post("/v1/members/lookup", json={"phone": VICTIM_PHONE}, headers=w.t2.auth)
    assert reply.status_code == 200 and reply.json()["member"]["name"] == "Somchai"


async def test_a_use_reported_first_does_not_decide_what_the_coupon_is(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """X saw a coupon's code on a slip before its till (T1) synced, and reports a use
    of it first, naming a redemption head office does not hold. When T1's issue
    arrives, the coupon is T1's redemption's, for T1's member and reward, at head
    office and in the feed (else every other till would wait for that made-up
    redemption for ever, and never know the real coupon)."""
    w = world
    bogus = coupon_event(
        w.x, "used", code="K7QM2XPA", entry_id="made-up", member_id="someone", reward_id="CAKE"
    )
    await accepted(client, w.x, coupon_events=[bogus])
    w.t1.balances[w.victim["wallet_id"]] = 60
    redeem = w.t1.entry(w.victim["wallet_id"], -20, kind="redeem", member_id=w.victim["member_id"])
    await accepted(client, w.t1, entries=[redeem])
    issued = coupon_event(
        w.t1,
        "issued",
        code="K7QM2XPA",
        entry_id=redeem["entry_id"],
        member_id=w.victim["member_id"],
    )
    await accepted(client, w.t1, coupon_events=[issued])
    row = db.execute(
        "SELECT entry_id, member_id, reward_id, status, issued_terminal_id FROM coupons "
        "WHERE code = 'K7QM2XPA'"
    ).fetchone()
    assert row == (redeem["entry_id"], w.victim["member_id"], "COFFEE", "used", "T1")
    page = PullResponse.model_validate(
        (await client.get("/v1/pull", params={"after": "0"}, headers=w.t2.auth)).json()
    )
    last = [c.coupon for c in page.changes if c.kind == "coupon" and c.coupon.code == "K7QM2XPA"]
    assert last and last[-1].entry_id == redeem["entry_id"]


async def test_a_terminal_that_saw_a_code_first_cannot_make_itself_its_issuer(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """X reports T1's not yet synced coupon as issued by itself (naming a redemption
    head office does not hold), then voids it. The void is refused, and T1's own
    issue and reversal still go through: X had made itself the issuer, and every
    later push of T1 was refused for good."""
    w = world
    claim = coupon_event(w.x, "issued", code="K7QM2XPA", entry_id="made-up")
    await accepted(client, w.x, coupon_events=[claim])
    void = coupon_event(w.x, "void", code="K7QM2XPA", entry_id="made-up")
    await _forbidden_unchanged(client, db, w.x, {"coupon_events": [void]})
    w.t1.balances[w.victim["wallet_id"]] = 60
    redeem = w.t1.entry(w.victim["wallet_id"], -20, kind="redeem", member_id=w.victim["member_id"])
    await accepted(client, w.t1, entries=[redeem])
    own = {"code": "K7QM2XPA", "entry_id": redeem["entry_id"], "member_id": w.victim["member_id"]}
    await accepted(client, w.t1, coupon_events=[coupon_event(w.t1, "issued", **own)])
    await accepted(client, w.t1, coupon_events=[coupon_event(w.t1, "void", **own)])
    row = db.execute(
        "SELECT entry_id, status, issued_terminal_id FROM coupons WHERE code = 'K7QM2XPA'"
    ).fetchone()
    assert row == (redeem["entry_id"], "void", "T1")


async def test_an_issue_naming_a_made_up_redemption_does_not_rewrite_a_coupon(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """T1's coupon names its redemption, stored here: X's "issue" of the same code,
    naming a redemption head office does not hold, is refused and changes nothing."""
    w = world
    claim = coupon_event(w.x, "issued", entry_id="made-up")
    await _forbidden_unchanged(client, db, w.x, {"coupon_events": [claim]})
    row = db.execute("SELECT entry_id FROM coupons WHERE code = %s", (COUPON,)).fetchone()
    assert row == (w.redeem["entry_id"],)


async def test_an_entry_that_does_not_match_its_own_hash_is_not_passed_on(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """X's entry links to its chain (prev_hash right) but its hash is not the hash of
    its fields (a journal edited after the fact, or made up): stored and fed to
    every till, it made each till's `pos ledger verify` report damage. Refused
    with everything after it, and recorded, like a broken link."""
    w = world
    wallet = next(iter(w.x.balances))
    forged = {**w.x.entry(wallet, 5), "hash": "f" * 64}
    w.x.last_hash = forged["hash"]
    after = w.x.entry(wallet, 5)  # links to the forged hash
    reply = await accepted(client, w.x, entries=[forged, after])
    assert (reply.inserted, reply.acked_seq) == (0, 1)
    assert [(r.seq, r.reason) for r in reply.refused] == [(2, "chain_break")]
    assert "hash" in reply.refused[0].message
    stored = db.execute("SELECT count(*) FROM entries WHERE terminal_id = 'X'").fetchone()
    assert stored == (1,)
    found = conflicts.list_conflicts(db, "chain_break")
    assert len(found) == 1 and found[0]["terminal_id"] == "X"
