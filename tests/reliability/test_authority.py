"""Head office trusts a terminal only for what it owns (issue 9, breaks 2 and 3).

The authority MATRIX below has a row for every field a push can carry: a
terminal acting for a member, coupon, terminal or store it does not own. Each
row is pushed, over HTTP to the real app on a real PostgreSQL, together with
things the terminal may push (its own next entry, a member it enrolls), and
must be answered 403 with a message, leave every head-office table as it was,
and be recorded as a ``forbidden_push`` conflict with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hq.conflicts import service as conflicts
from hq.db import Conn
from hq.members import service as hq_members
from sync.protocol import PushRequest, PushResponse, entry_row
from tests.hq.conftest import Terminal

VICTIM_PHONE, THIEF_PHONE, NEW_PHONE = "+66812345678", "+66899999999", "+66811111111"
EARLY, LATER = "2026-01-10T00:00:00.000000Z", "2026-01-15T03:00:00.000000Z"
COUPON = "CPN-T1-0001"

# Every table a push can write, ordered so two snapshots compare row by row.
TABLES = {
    "entries": "entry_id",
    "entry_runs": "change_xid, change_id",
    "members": "member_id",
    "member_merges": "merged_member_id",
    "coupons": "code",
    "changes": "change_xid, change_id",
    "terminals": "terminal_id",
    "secrets": "name",
}


def snapshot(db: Conn) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: db.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        for table, order in TABLES.items()
    }


async def push(client: httpx.AsyncClient, t: Terminal, **body: Any) -> httpx.Response:
    if "entries" in body:
        body["entries"] = [entry_row(e) for e in body["entries"]]
    return await client.post("/v1/push", json=body, headers=t.auth)


async def accepted(client: httpx.AsyncClient, t: Terminal, **body: Any) -> PushResponse:
    reply = await push(client, t, **body)
    assert reply.status_code == 200, reply.text
    return PushResponse.model_validate(reply.json())


def coupon_event(t: Terminal, status: str, *, at: str = LATER, **changes: Any) -> dict[str, Any]:
    event = {
        "code": COUPON,
        "entry_id": "redeem-entry",
        "reward_id": "COFFEE",
        "member_id": "victim",
        "status": status,
        "at": at,
        "terminal_id": t.terminal_id,
    }
    return {**event, **changes}


@dataclass
class World:
    """Store S1: terminals T1 (the victim's) and T2; store S2: terminal X."""

    t1: Terminal
    t2: Terminal
    x: Terminal
    victim: dict[str, Any]
    redeem: dict[str, Any]

    def attacker(self, name: str) -> Terminal:
        return {"T2": self.t2, "X": self.x}[name]


@pytest.fixture
async def world(client: httpx.AsyncClient, make_terminal: Any) -> World:
    t1, t2, x = make_terminal("S1", "T1"), make_terminal("S1", "T2"), make_terminal("S2", "X")
    victim = t1.member(VICTIM_PHONE, name="Somchai", enrolled_at=EARLY)
    earn = t1.entry(victim["wallet_id"], 100, member_id=victim["member_id"])
    redeem = t1.entry(victim["wallet_id"], -40, kind="redeem", member_id=victim["member_id"])
    issued = coupon_event(t1, "issued", entry_id=redeem["entry_id"], member_id=victim["member_id"])
    await accepted(client, t1, members=[victim], entries=[earn, redeem], coupon_events=[issued])
    for t in (t2, x):  # each has its own member and history
        mine = t.member({"T2": "+66820000002", "X": "+66820000003"}[t.terminal_id])
        await accepted(client, t, members=[mine], entries=[t.entry(mine["wallet_id"], 10)])
    return World(t1, t2, x, victim, redeem)


Attack = Callable[[World, Terminal], dict[str, Any]]


def _stamped(t: Terminal, w: World, **fields: Any) -> dict[str, Any]:
    entry = t.entry(w.victim["wallet_id"], 5)
    return {**entry, **fields}


# The authority matrix: (field of PushRequest, what the terminal acts for that it does
# not own, who acts, the attack). Every row: 403, nothing changes, a conflict recorded.
MATRIX: list[tuple[str, str, str, str, Attack]] = [
    ("entries", "terminal", "X", "an entry stamped with terminal T1",
     lambda w, t: {"entries": [_stamped(t, w, terminal_id="T1", store_id="S1")]}),
    ("entries", "terminal", "T2", "an entry stamped with terminal T1 of its own store",
     lambda w, t: {"entries": [_stamped(t, w, terminal_id="T1")]}),
    ("entries", "store", "X", "its own terminal id stamped with store S1",
     lambda w, t: {"entries": [_stamped(t, w, store_id="S1")]}),
    ("entries", "member", "X", "a transfer out of the victim's wallet",
     lambda w, t: {"entries": [t.entry(w.victim["wallet_id"], -60, kind="transfer")]}),
    ("entries", "coupon", "X", "reverses T1's redemption (its points back, its coupon kept)",
     lambda w, t: {"entries": [{**t.entry(w.victim["wallet_id"], 40, kind="reverse"),
                                "reverses": w.redeem["entry_id"]}]}),
    ("members", "member", "X", "renames the victim (sent as T1's member)",
     lambda w, t: {"members": [{**w.victim, "name": "Thief"}]}),
    ("members", "member", "X", "moves the victim's member to its own phone",
     lambda w, t: {"members": [{**w.victim, "phone": THIEF_PHONE, "terminal_id": t.terminal_id}]}),
    ("members", "member", "T2", "moves the victim's member (same store) to another phone",
     lambda w, t: {"members": [{**w.victim, "phone": THIEF_PHONE, "terminal_id": t.terminal_id}]}),
    ("members", "member", "X", "erases the victim (phone null)",
     lambda w, t: {"members": [{**w.victim, "phone": None, "terminal_id": t.terminal_id}]}),
    ("members", "member", "X", "renames the victim without changing its phone",
     lambda w, t: {"members": [{**w.victim, "name": "Thief", "terminal_id": t.terminal_id}]}),
    ("members", "terminal", "X", "a new member stamped as enrolled at terminal T1",
     lambda w, t: {"members": [{**t.member(THIEF_PHONE), "terminal_id": "T1"}]}),
    ("members", "member", "X", "a new member on the victim's wallet",
     lambda w, t: {"members": [{**t.member(THIEF_PHONE), "wallet_id": w.victim["wallet_id"]}]}),
    ("coupon_events", "coupon", "X", "voids a coupon issued at T1",
     lambda w, t: {"coupon_events": [coupon_event(t, "void", entry_id=w.redeem["entry_id"])]}),
    ("coupon_events", "coupon", "T2", "voids a coupon issued at T1 of its own store",
     lambda w, t: {"coupon_events": [coupon_event(t, "void", entry_id=w.redeem["entry_id"])]}),
    ("coupon_events", "coupon", "X", "reports a coupon issued at T1 as issued by itself",
     lambda w, t: {"coupon_events": [coupon_event(t, "issued", entry_id=w.redeem["entry_id"])]}),
    ("coupon_events", "terminal", "X", "a use in the name of terminal T1",
     lambda w, t: {"coupon_events": [{**coupon_event(t, "used"), "terminal_id": "T1"}]}),
]  # fmt: skip


# Fields that cannot name anything of another terminal's: what they carry is filed
# under the pushing terminal's own id. (A test below shows it.)
OWN_ONLY = {
    "coupon_keys": "keys the terminal signed with before it joined, kept under its own id",
}


def test_the_matrix_covers_every_field_a_push_can_carry() -> None:
    assert {row[0] for row in MATRIX} | set(OWN_ONLY) == set(PushRequest.model_fields)


async def test_coupon_keys_are_filed_under_the_pushing_terminal_only(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    key = "ab" * 32
    forbidden = {**w_victim_renamed(world), "coupon_keys": [key]}
    assert (await push(client, world.x, **forbidden)).status_code == 403
    assert db.execute("SELECT count(*) FROM secrets WHERE value = %s", (key,)).fetchone() == (0,)
    await accepted(client, world.x, coupon_keys=[key])
    names = [r[0] for r in db.execute("SELECT name FROM secrets WHERE value = %s", (key,))]
    assert len(names) == 1 and ".X." in names[0]


def w_victim_renamed(w: World) -> dict[str, Any]:
    return {"members": [{**w.victim, "name": "Thief", "terminal_id": w.x.terminal_id}]}


@pytest.mark.parametrize(
    ("field", "owner", "who", "attack"),
    [row[:4] for row in MATRIX],
    ids=[f"{r[0]}-{r[1]}-{r[2]}-{i}" for i, r in enumerate(MATRIX)],
)
async def test_acting_for_what_a_terminal_does_not_own_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, db: Conn, world: World, field: str, owner: str, who: str, attack: str
) -> None:
    t = world.attacker(who)
    build = next(row[4] for row in MATRIX if row[:4] == (field, owner, who, attack))
    body = build(world, t)
    # Things the terminal may push ride along: they must not be stored either.
    own = t.member(NEW_PHONE)
    body["members"] = [own, *body.get("members", [])]
    body["entries"] = [t.entry(own["wallet_id"], 7), *body.get("entries", [])]
    before = snapshot(db)
    recorded = conflicts.count(db)

    reply = await push(client, t, **body)

    assert reply.status_code == 403, reply.text
    error = reply.json()["error"]
    assert error["code"] == "forbidden" and "Nothing from this push was stored" in error["message"]
    assert snapshot(db) == before
    found = conflicts.list_conflicts(db)
    assert len(found) == recorded + 1
    assert found[-1]["kind"] == "forbidden_push" and found[-1]["terminal_id"] == t.terminal_id
    assert found[-1]["message"] == error["message"]
    # The victim keeps every point, under their own phone and name.
    info = hq_members.lookup(db, VICTIM_PHONE)
    assert info is not None and info.balance == 60 and info.member.name == "Somchai"
    assert info.member.member_id == world.victim["member_id"]
    assert hq_members.lookup(db, THIEF_PHONE) is None
    assert db.execute("SELECT status FROM coupons WHERE code = %s", (COUPON,)).fetchone() == (
        "issued",
    )
    # Sending it again is refused again, and recorded once.
    assert (await push(client, t, **body)).status_code == 403
    assert conflicts.count(db) == recorded + 1


async def test_what_a_terminal_owns_or_may_report_is_accepted(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    w = world
    # Any terminal may report a use (that is how a double use is found).
    used = await accepted(client, w.x, coupon_events=[coupon_event(w.x, "used")])
    assert used.coupon_events_applied == 1
    again = await accepted(client, w.t2, coupon_events=[coupon_event(w.t2, "used", at=EARLY)])
    assert again.coupon_conflicts == 1
    assert db.execute("SELECT status, used_terminal_id FROM coupons").fetchall() == [("used", "X")]
    # The terminal that enrolled a member may rename it.
    renamed = await accepted(client, w.t1, members=[{**w.victim, "name": "Somchai J."}])
    assert renamed.members_stored == 1
    # Every conflict says in words what happened.
    assert all(c["message"] for c in conflicts.list_conflicts(db))
    assert "already used at terminal X" in conflicts.list_conflicts(db)[-1]["message"]


async def test_only_the_issuing_terminal_voids_its_coupon(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    w = world
    void = coupon_event(w.t1, "void", entry_id=w.redeem["entry_id"])
    assert (await accepted(client, w.t1, coupon_events=[void])).coupon_events_applied == 1
    assert db.execute("SELECT status FROM coupons").fetchall() == [("void",)]


async def test_the_same_phone_enrolled_elsewhere_is_a_merge_never_a_takeover(
    client: httpx.AsyncClient, db: Conn, world: World
) -> None:
    """X enrolls the victim's phone claiming an earlier enrolment: the two count as one
    member (the one head office stored first is canonical), the victim's own record is not
    rewritten, and X can neither move that phone to another, nor erase it, nor
    rename it."""
    w = world
    claim = w.x.member(VICTIM_PHONE, name="Thief", enrolled_at="2026-01-01T00:00:00.000000Z")
    merged = await accepted(client, w.x, members=[claim])
    assert merged.members_merged == 1
    victim_row = db.execute(
        "SELECT phone, name, terminal_id FROM members WHERE member_id = %s",
        (w.victim["member_id"],),
    ).fetchone()
    assert victim_row == (VICTIM_PHONE, "Somchai", "T1")
    info = hq_members.lookup(db, VICTIM_PHONE)
    assert info is not None and info.balance == 60  # the points stay with the phone

    before = snapshot(db)
    for change in ({"phone": THIEF_PHONE}, {"phone": None, "name": None}, {"name": "X"}):
        reply = await push(client, w.x, members=[{**claim, **change}])
        assert reply.status_code == 403, reply.text
        assert "counts as" in reply.json()["error"]["message"]
        assert snapshot(db) == before
    assert hq_members.lookup(db, THIEF_PHONE) is None
    info = hq_members.lookup(db, VICTIM_PHONE)
    assert info is not None and info.balance == 60
