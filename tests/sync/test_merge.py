"""The same phone enrolled at two offline terminals ends as one member with all points."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hq.db import Conn
from hq.members import service as hq_members
from ledger.service import Ledger
from tests.sync.conftest import Sync, hq_balances, local_balances

PHONE = "081-234-5678"
E164 = "+66812345678"


@pytest.mark.parametrize("first", ["A", "B"])
def test_same_phone_enrolled_offline_at_two_terminals(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync, first: str
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S2")
    a.enroll(PHONE, name="Early")
    b.enroll(PHONE, name="Late")
    a.earn(PHONE, "250.00", "A-1")  # 10 points
    b.earn(PHONE, "500.00", "B-1")  # 20 points
    b.redeem(PHONE, ref="B-2", points=5)  # 15 left at B
    # The member head office stores first is canonical (not the earlier enrolment).
    canonical, late = a.member(PHONE), b.member(PHONE)
    if first == "B":
        canonical, late = late, canonical

    order = [a, b] if first == "A" else [b, a]
    for _ in range(2):
        for book in order:
            sync(book)

    for book in (a, b):
        member = book.member(PHONE)
        assert member.member_id == canonical.member_id
        assert member.balance == 25, book.terminal()
        assert book.verify() == [], book.terminal()
        (phones,) = book.conn.execute(
            "SELECT count(*) FROM members WHERE phone = ?", (E164,)
        ).fetchone()
        assert phones == 1
        merges = book.conn.execute(
            "SELECT merged_member_id, merged_wallet_id, member_id, wallet_id FROM wallet_merges"
        ).fetchall()
        assert merges == [
            (late.member_id, late.wallet_id, canonical.member_id, canonical.wallet_id)
        ]
        assert book.conn.execute(
            "SELECT balance FROM wallets WHERE wallet_id = ?", (late.wallet_id,)
        ).fetchone() == (0,)
    # One member everywhere, all points; head office's report agrees.
    assert hq_balances(hq_db) == local_balances(a) == local_balances(b)
    assert hq_balances(hq_db) == {canonical.wallet_id: 25}
    info = hq_members.lookup(hq_db, E164)
    assert info is not None and info.member.member_id == canonical.member_id
    assert info.balance == 25
    # The transfer was made once, by the terminal that enrolled the merged member.
    transfers = hq_db.execute(
        "SELECT terminal_id, points FROM entries WHERE kind = 'transfer' ORDER BY points"
    ).fetchall()
    moved = 15 if first == "A" else 10  # the merged member's points, moved by its terminal
    assert transfers == [
        ("B" if first == "A" else "A", -moved),
        ("B" if first == "A" else "A", moved),
    ]

    # Both keep working on the one member, and sync on.
    b.earn(PHONE, "250.00", "B-3")
    a.redeem(PHONE, ref="A-2", points=25)
    for _ in range(2):
        for book in (a, b):
            sync(book)
    for book in (a, b):
        assert book.member(PHONE).balance == 10
        assert book.verify() == []
    assert hq_balances(hq_db) == {canonical.wallet_id: 10}
