"""The tiers' 12-month spend is kept per wallet and day (``spend_days``, by a
trigger on the journal) instead of summed from it per sale. Whatever writes
the journal (a sale, a reversal, another till's pulled entry, a rebuild, a
script that edits the file), the spend a member is shown must be exactly the
journal's, to the microsecond at the window's edge."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from config import Settings
from ledger.clock import iso
from ledger.replica import Replica
from ledger.service import Ledger
from tests.conftest import SUPERVISOR, FakeClock

PHONE = "0812345678"


def journal_spend(ledger: Ledger, wallet_id: str, since: str) -> int:
    """The slow, obvious answer: sum the journal."""
    (spend,) = ledger.conn.execute(
        "SELECT coalesce(sum(amount_minor), 0) FROM entries WHERE wallet_id = ? "
        "AND created_at >= ? AND kind IN ('earn', 'reverse') AND amount_minor IS NOT NULL",
        (wallet_id, since),
    ).fetchone()
    return int(spend)


def test_the_window_edge_is_exact_to_the_microsecond(ledger: Ledger, clock: FakeClock) -> None:
    member, _ = ledger.enroll(PHONE)
    start = clock()
    ledger.earn(PHONE, "6000.00", "OLD")  # at start
    clock.advance(hours=5)
    ledger.earn(PHONE, "5000.00", "SAME-DAY")  # later the same UTC day (or the next)
    clock.advance(days=200)
    ledger.earn(PHONE, "100.00", "RECENT")
    # One microsecond before the first sale leaves the 365-day window: all three count.
    clock.now = start + timedelta(days=365) - timedelta(microseconds=1)
    assert ledger.member(PHONE).spend_12m_minor == 1_110_000
    assert ledger.member(PHONE).tier == "silver"
    # At the very microsecond it leaves, only it goes; the same day's later sale stays.
    clock.now = start + timedelta(days=365, microseconds=1)
    assert ledger.member(PHONE).spend_12m_minor == 510_000
    assert ledger.member(PHONE).tier == "member"
    since = iso(clock() - timedelta(days=365))
    assert ledger.member(PHONE).spend_12m_minor == journal_spend(ledger, member.wallet_id, since)


def test_a_reversed_sale_leaves_the_spend_and_the_tier(ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    sale = ledger.earn(PHONE, "12000.00", "B1")
    assert ledger.member(PHONE).tier == "silver"
    ledger.reverse(sale.entry_id, "wrong bill", SUPERVISOR)
    member = ledger.member(PHONE)
    assert (member.spend_12m_minor, member.tier) == (0, "member")
    assert ledger.verify() == []


def test_another_tills_sale_counts_here_once(ledger: Ledger, clock: FakeClock) -> None:
    member, _ = ledger.enroll(PHONE)
    other = {
        "entry_id": "0190f000-0000-7000-8000-000000000001",
        "wallet_id": member.wallet_id,
        "member_id": member.member_id,
        "kind": "earn",
        "points": 400,
        "balance_after": 400,
        "amount_minor": 1_000_000,
        "currency": "THB",
        "ref": "T2-1",
        "terminal_id": "T2",
        "store_id": "S1",
        "cashier_id": None,
        "approver_id": None,
        "reason": None,
        "reverses": None,
        "rules": None,
        "created_at": iso(clock()),
        "seq": 1,
        "prev_hash": "0" * 64,
        "hash": "1" * 64,
    }
    replica = Replica(ledger)
    replica.apply([{"kind": "entry", "entry": other}])
    replica.apply([{"kind": "entry", "entry": other}])  # pulled twice: stored once
    assert ledger.member(PHONE).spend_12m_minor == 1_000_000
    assert ledger.member(PHONE).tier == "silver"


def test_a_ledger_from_before_the_spend_table_gets_it_filled(
    db_path: Path, settings: Settings, clock: FakeClock
) -> None:
    with Ledger.open(db_path, settings, clock=clock) as book:
        book.init("S1", "T1")
        book.enroll(PHONE)
        book.earn(PHONE, "7000.00", "B1")
        book.earn(PHONE, "4000.00", "B2")
    # As an older program left it: no daily totals, no trigger, schema 5.
    conn = sqlite3.connect(db_path)
    conn.executescript(
        "DROP TRIGGER entries_spend; DROP TABLE spend_days; PRAGMA user_version = 5;"
    )
    conn.close()
    with Ledger.open(db_path, settings, clock=clock) as book:
        assert book.member(PHONE).spend_12m_minor == 1_100_000
        assert book.member(PHONE).tier == "silver"
        assert book.verify() == []


def test_verify_names_a_spend_total_edited_behind_the_ledgers_back(
    ledger: Ledger, db_path: Path, settings: Settings, clock: FakeClock
) -> None:
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "500.00", "B1")
    ledger.close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE spend_days SET amount_minor = amount_minor + 5000000")
    conn.commit()
    conn.close()
    with Ledger.open(db_path, settings, clock=clock) as book:
        problems = [p for p in book.verify() if p.check == "spend"]
    assert len(problems) == 1 and "tiers would be wrong" in problems[0].message
