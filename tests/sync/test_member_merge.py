"""``pos member merge`` through two tills and head office: OTHER (enrolled at A)
merged into KEEP (enrolled at B) is seen at B with its balance, the expiry of
its points and its coupon; OTHER's phone finds KEEP at both tills; head office
counts every point once; nothing happens twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hq.db import Conn
from hq.entries import audit
from hq.members import service as hq_members
from ledger.errors import NotPermitted
from ledger.models import Credentials
from ledger.replica import Replica
from ledger.service import Ledger
from sync.commands import client_for
from tests.sync.conftest import Sync, hq_balances, local_balances

KEEP, OTHER = "081-300-0001", "081-300-0002"
PIN = "2468"
SUP = Credentials("sup", PIN)


def _lots(book: Ledger, wallet_id: str) -> list[tuple[str, int, str]]:
    """(original entry, points left, expiry) of a wallet's open lots."""
    return [
        (str(r[0]), int(r[1]), str(r[2]))
        for r in book.conn.execute(
            "SELECT entry_id, remaining, expires_at FROM lots WHERE wallet_id = ? "
            "AND remaining > 0 ORDER BY expires_at",
            (wallet_id,),
        )
    ]


def _two_tills(joined: Callable[..., Ledger], sync: Sync) -> tuple[Ledger, Ledger, str]:
    """A (OTHER enrolled there: 30 points in two lots and a coupon) and B (KEEP:
    10 points), each knowing the other's member. Returns OTHER's coupon payload."""
    a, b = joined("A", store="S1"), joined("B", store="S2")
    a.add_staff("sup", "supervisor", PIN, "Supervisor")
    a.add_staff("cash1", "cashier", "1357", None)
    b.enroll(KEEP, name="Keep")
    b.earn(KEEP, "250.00", "B-1")  # 10
    a.enroll(OTHER, name="Other")
    a.earn(OTHER, "2500.00", "A-1")  # 100
    a.earn(OTHER, "250.00", "A-2")  # 10
    a.earn(OTHER, "500.00", "A-3")  # 20
    coupon = a.redeem(OTHER, ref="A-4", reward_id="COFFEE").coupon  # the 100 of A-1
    assert coupon is not None
    for book in (b, a, b):
        sync(book)
    return a, b, coupon.payload


def test_a_merge_is_seen_at_the_other_till_with_balances_and_expiry_intact(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b, coupon = _two_tills(joined, sync)
    keep, other = a.member(KEEP), a.member(OTHER)
    other_lots = _lots(a, other.wallet_id)
    assert [p for _, p, _ in other_lots] == [10, 20]
    before_b = _lots(b, other.wallet_id)
    assert before_b == other_lots  # B holds the same lots, pulled

    done = a.merge_members(KEEP, OTHER, SUP)
    assert done.merged and (done.points, done.lots, done.coupons) == (30, 2, 1)
    assert done.keep.member_id == keep.member_id and done.keep.balance == 40
    assert done.to_dict()["other_member_id"] == other.member_id

    # At A: OTHER's phone finds KEEP (the card, a sale), the lots kept their expiry.
    assert a.member(OTHER).member_id == keep.member_id
    assert a.card(OTHER).member.balance == 40
    kept_lots = _lots(a, keep.wallet_id)
    assert set(other_lots) <= set(kept_lots) and len(kept_lots) == 3
    assert a.verify() == []
    pair = a.conn.execute(
        "SELECT wallet_id, points, approver_id FROM entries WHERE kind = 'transfer' ORDER BY seq"
    ).fetchall()
    assert pair == [(other.wallet_id, -30, "sup"), (keep.wallet_id, 30, "sup")]

    sync(a)
    sync(b)
    # At B: the same member, balance and lots (same expiry), and the coupon is KEEP's.
    at_b = b.member(OTHER)
    assert at_b.member_id == keep.member_id and at_b.phone == b.normalize(KEEP)
    assert b.member(KEEP).balance == 40
    assert _lots(b, keep.wallet_id) == kept_lots
    assert b.verify() == []
    used = b.use_coupon(coupon)
    assert used.status == "used"
    assert b.conn.execute(
        "SELECT member_id FROM coupons WHERE code = ?", (used.code,)
    ).fetchone() == (keep.member_id,)
    earned = b.earn(OTHER, "250.00", "B-2")  # a sale by OTHER's phone earns for KEEP
    assert earned.wallet_id == keep.wallet_id and earned.balance_after == 50

    # Head office: OTHER counts as KEEP, every point once, journals verify.
    row = hq_db.execute(
        "SELECT merged_into FROM members WHERE member_id = %s", (other.member_id,)
    ).fetchone()
    assert row == (keep.member_id,)
    sync(b)
    sync(a)
    assert hq_balances(hq_db) == local_balances(a) == local_balances(b)
    assert hq_balances(hq_db)[keep.wallet_id] == 50
    assert other.wallet_id not in hq_balances(hq_db)
    info = hq_members.lookup(hq_db, b.normalize(KEEP))
    assert info is not None and info.balance == 50
    assert audit.verify(hq_db)["problems"] == []
    assert a.verify() == [] and b.verify() == []
    assert a.member(OTHER).balance == 50


def test_a_second_merge_and_a_replayed_push_change_nothing(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b, _ = _two_tills(joined, sync)
    keep = a.member(KEEP)
    outbox_before = Replica(a).outbox()
    assert outbox_before.empty
    a.merge_members(KEEP, OTHER, SUP)
    pushed = Replica(a).outbox()
    assert len(pushed.entries) == 2
    sync(a)
    again = a.merge_members(KEEP, OTHER, SUP)
    assert not again.merged and again.points == 0
    assert again.keep.balance == 40
    assert Replica(a).outbox().empty  # nothing new to send

    # The same push again (a lost answer): stored once, merged once.
    changes = hq_db.execute("SELECT count(*) FROM changes WHERE kind = 'merge'").fetchone()
    with client_for(a) as client:
        reply = client.push(pushed.entries, pushed.members, pushed.coupon_events)
    assert reply.inserted == 0 and reply.duplicates == 2
    assert hq_db.execute("SELECT count(*) FROM changes WHERE kind = 'merge'").fetchone() == changes
    assert hq_db.execute("SELECT count(*) FROM member_merges").fetchone() == (1,)
    sync(b)
    sync(a)
    assert b.member(OTHER).balance == 40 == a.member(OTHER).balance
    assert hq_balances(hq_db)[keep.wallet_id] == 40
    assert a.verify() == [] and b.verify() == []


def test_a_till_merges_only_members_it_enrolled_and_only_with_a_supervisor(
    joined: Callable[..., Ledger], sync: Sync
) -> None:
    a, b, _ = _two_tills(joined, sync)
    b.add_staff("supb", "supervisor", PIN, None)
    with pytest.raises(NotPermitted, match="terminal A") as refused:
        b.merge_members(KEEP, OTHER, Credentials("supb", PIN))  # OTHER is A's
    assert "head office" in str(refused.value)
    assert "เครื่อง A" in refused.value.text("th")
    with pytest.raises(NotPermitted):
        a.merge_members(KEEP, OTHER, Credentials("cash1", "1357"))  # a cashier
    assert a.member(OTHER).member_id != a.member(KEEP).member_id
    assert a.conn.execute("SELECT count(*) FROM entries WHERE kind = 'transfer'").fetchone() == (0,)
    # B's sync goes on: nothing was written there.
    assert sync(b)["conflicts"] == 0
