"""Consent withdrawn (or given again) at the till that enrolled the member
reaches head office at the next sync, and the other tills at theirs; another
till is told where to change it, and its own sync goes on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hq.db import Conn
from hq.members import service as hq_members
from ledger.errors import NotPermitted
from ledger.models import Credentials
from ledger.replica import Replica
from ledger.service import Ledger
from tests.sync.conftest import Sync

PHONE = "081-234-5678"


def _hq_consent(conn: Conn, member_id: str) -> object:
    row = conn.execute(
        "SELECT consent_at FROM members WHERE member_id = %s", (member_id,)
    ).fetchone()
    assert row is not None
    return row[0]


def test_a_withdrawal_reaches_head_office_and_the_other_till_and_a_yes_follows_it(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S2")
    member, _ = a.enroll(PHONE, name="Anan", consent=True)
    a.earn(PHONE, "250.00", "A-1")
    sync(a)
    sync(b)
    assert _hq_consent(hq_db, member.member_id) == member.consent_at
    assert b.member(PHONE).consent_at == member.consent_at

    a.change_consent(PHONE, give=False)
    assert Replica(a).state()["pending_members"] == 1
    result = sync(a)
    assert result["conflicts"] == 0
    assert Replica(a).state()["pending_members"] == 0
    assert _hq_consent(hq_db, member.member_id) is None
    named = [w for w in hq_members.balances(hq_db) if w["member_id"] == member.member_id]
    assert [(w["phone"], w["balance"]) for w in named] == [(None, 10)]  # counted, not named
    sync(b)
    at_b = b.member(PHONE)
    assert at_b.consent_at is None
    assert (at_b.name, at_b.balance) == ("Anan", 10)  # kept: the points can be redeemed
    assert b.consent_withdrawn_at(member.member_id) is not None  # B's card says so too
    assert b.redeem(PHONE, ref="B-R1", points=10).entry.balance_after == 0

    given = a.change_consent(PHONE, give=True)
    sync(a)
    assert _hq_consent(hq_db, member.member_id) == given.answer.at
    sync(b)
    assert b.member(PHONE).consent_at == given.answer.at
    assert b.consent_withdrawn_at(member.member_id) is None
    assert a.verify() == [] and b.verify() == []


def test_the_other_till_is_told_where_to_change_the_consent_and_its_sync_goes_on(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S1")
    member, _ = a.enroll(PHONE, consent=True)
    sync(a)
    sync(b)
    with pytest.raises(NotPermitted, match="terminal A") as refused:
        b.change_consent(PHONE, give=False)
    assert "ที่เครื่อง A" in refused.value.text("th")
    b.earn(PHONE, "100.00", "B-1")
    result = sync(b)
    assert result["pushed"] == 1 and result["conflicts"] == 0
    assert _hq_consent(hq_db, member.member_id) == member.consent_at


def test_the_copy_at_either_till_holds_both_enrolments_of_a_merged_phone(
    joined: Callable[..., Ledger], sync: Sync
) -> None:
    """The same phone enrolled at two offline tills is one member after sync:
    each till's copy holds both members, both wallets, every entry it has of
    them (the merge's transfer too), as its database does."""
    a, b = joined("A", store="S1"), joined("B", store="S2")
    for book in (a, b):
        book.add_staff("sup", "supervisor", "2468")
    early, _ = a.enroll(PHONE, name="Early", consent=True)
    late, _ = b.enroll(PHONE, name="Late", consent=True)
    a.earn(PHONE, "250.00", "A-1")
    b.earn(PHONE, "500.00", "B-1")
    for _ in range(2):
        for book in (a, b):
            sync(book)
    for book in (a, b):
        doc = book.export_member(PHONE, Credentials("sup", "2468")).document()
        assert doc["member"]["member_id"] == early.member_id
        assert [m["member_id"] for m in doc["merged_members"]] == [late.member_id]
        assert [w["wallet_id"] for w in doc["merged_wallets"]] == [late.wallet_id]
        held = {
            r[0]
            for r in book.conn.execute(
                "SELECT entry_id FROM entries WHERE wallet_id IN (?, ?)",
                (early.wallet_id, late.wallet_id),
            )
        }
        assert {e["entry_id"] for e in doc["entries"]} == held
        kinds = sorted(e["kind"] for e in doc["entries"])
        assert kinds == ["earn", "earn", "transfer", "transfer"], book.terminal()
        assert {c["member_id"] for c in doc["consents"]} <= {early.member_id, late.member_id}
        assert doc["wallet"]["balance"] == 30
