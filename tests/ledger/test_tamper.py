"""Someone edits the database file behind the program's back (dropping the
append-only triggers first): ``verify`` must notice and point at the entry."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from config import Settings
from ledger.chain import entry_hash
from ledger.models import ENTRY_COLUMNS, Entry, Problem
from ledger.service import Ledger
from tests.conftest import SUPERVISOR, FakeClock

PHONE = "0812345678"
OTHER = "0898765432"


@pytest.fixture
def journal(ledger: Ledger, clock: FakeClock) -> list[Entry]:
    """A closed ledger with a dozen entries of several kinds, in sequence order."""
    ledger.enroll(PHONE)
    ledger.enroll(OTHER)
    for number in range(1, 6):
        ledger.earn(PHONE, f"{number}000.00", f"B{number}")
        clock.advance(hours=1)
    ledger.earn(OTHER, "2500.00", "B6")
    ledger.redeem(PHONE, ref="R1", reward_id="COFFEE")
    ledger.redeem(OTHER, ref="R2", points=30)
    ledger.adjust(PHONE, 15, "goodwill", SUPERVISOR)
    entry = ledger.earn(OTHER, "750.00", "B7")
    ledger.reverse(entry.entry_id, "wrong member", SUPERVISOR)
    ledger.earn(PHONE, "100.00", "B8")
    entries = list(ledger.all_entries())
    assert [e.seq for e in entries] == list(range(1, 13))
    assert ledger.verify() == []
    ledger.close()
    return entries


def tamper(db_path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Edit the file with plain sqlite3, as a person with a DB browser would."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("DROP TRIGGER entries_no_update")
        conn.execute("DROP TRIGGER entries_no_delete")
        for sql, args in statements:
            conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


def problems(db_path: Path, settings: Settings, clock: FakeClock) -> list[Problem]:
    with Ledger.open(db_path, settings, clock=clock) as book:
        return book.verify()


def found(found_problems: list[Problem], check: str) -> list[Problem]:
    return [p for p in found_problems if p.check == check]


Check = Callable[[], list[Problem]]


@pytest.fixture
def check(db_path: Path, settings: Settings, clock: FakeClock) -> Check:
    return lambda: problems(db_path, settings, clock)


def test_an_untouched_ledger_verifies_clean(
    journal: list[Entry], db_path: Path, check: Check
) -> None:
    assert check() == []
    tamper(db_path)  # dropping the triggers alone changes no entry
    assert check() == []


def test_changed_points_break_the_chain_at_that_entry(
    journal: list[Entry], db_path: Path, check: Check
) -> None:
    victim = journal[3]
    tamper(
        db_path,
        ("UPDATE entries SET points = points + 1000 WHERE entry_id = ?", (victim.entry_id,)),
    )
    result = check()
    chain = found(result, "chain")
    assert len(chain) == 1
    assert chain[0].entry_id == victim.entry_id
    assert f"entry {victim.seq} was altered" in chain[0].message
    assert found(result, "balances"), result
    assert not found(result, "sequence")


def test_changed_points_with_a_fresh_hash_break_the_chain_at_the_next_entry(
    journal: list[Entry], db_path: Path, check: Check
) -> None:
    victim = journal[3]
    fields = [getattr(victim, column) for column in ENTRY_COLUMNS]
    fields[ENTRY_COLUMNS.index("points")] = victim.points + 1000
    fields[ENTRY_COLUMNS.index("balance_after")] = victim.balance_after + 1000
    new_hash = entry_hash(fields)
    tamper(
        db_path,
        (
            "UPDATE entries SET points = ?, balance_after = ?, hash = ? WHERE entry_id = ?",
            (victim.points + 1000, victim.balance_after + 1000, new_hash, victim.entry_id),
        ),
        (
            "UPDATE wallets SET balance = balance + 1000 WHERE wallet_id = ?",
            (victim.wallet_id,),
        ),
    )
    chain = found(check(), "chain")
    assert [p.entry_id for p in chain] == [journal[4].entry_id]
    assert "links to the wrong previous entry" in chain[0].message


def test_a_deleted_middle_entry_leaves_a_gap_and_a_broken_link(
    journal: list[Entry], db_path: Path, check: Check
) -> None:
    victim, after = journal[5], journal[6]
    tamper(db_path, ("DELETE FROM entries WHERE entry_id = ?", (victim.entry_id,)))
    result = check()
    sequence = found(result, "sequence")
    assert sequence, result
    assert sequence[0].entry_id == after.entry_id
    assert f"expected sequence {victim.seq}, found {after.seq}" in sequence[0].message
    chain = found(result, "chain")
    assert chain, result
    assert chain[0].entry_id == after.entry_id


def test_a_forged_copy_of_an_entry_is_named(
    journal: list[Entry], db_path: Path, check: Check
) -> None:
    model = journal[8]  # the goodwill adjustment: no bill number, so no unique index in the way
    assert model.kind == "adjust"
    forged_id = "01900000-0000-7000-8000-000000000000"
    row = [getattr(model, column) for column in ENTRY_COLUMNS]
    row[ENTRY_COLUMNS.index("entry_id")] = forged_id
    row[ENTRY_COLUMNS.index("seq")] = journal[-1].seq + 1
    marks = ", ".join("?" * len(ENTRY_COLUMNS))
    tamper(
        db_path, (f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) VALUES ({marks})", tuple(row))
    )
    result = check()
    chain = found(result, "chain")
    assert [p.entry_id for p in chain] == [forged_id]
    # The terminal's recorded head does not know the forged entry either,
    # and the wallet's stored balance does not include its points.
    assert found(result, "sequence"), result
    assert found(result, "balances"), result


def test_a_deleted_last_entry_shows_against_the_terminal_head(
    journal: list[Entry], db_path: Path, check: Check
) -> None:
    last = journal[-1]
    tamper(db_path, ("DELETE FROM entries WHERE entry_id = ?", (last.entry_id,)))
    result = check()
    sequence = found(result, "sequence")
    assert len(sequence) == 1, result
    assert f"ends at sequence {last.seq - 1}" in sequence[0].message
    assert f"recorded {last.seq}" in sequence[0].message
    assert not found(result, "chain")


def test_a_changed_timestamp_alone_breaks_the_chain_at_that_entry(
    journal: list[Entry], db_path: Path, check: Check
) -> None:
    victim = journal[7]
    earlier = victim.created_at.replace(victim.created_at[:4], str(int(victim.created_at[:4]) - 1))
    tamper(
        db_path,
        ("UPDATE entries SET created_at = ? WHERE entry_id = ?", (earlier, victim.entry_id)),
    )
    result = check()
    # A year earlier also puts it before the entry it follows.
    assert [(p.check, p.entry_id) for p in result] == [
        ("chain", victim.entry_id),
        ("time", victim.entry_id),
    ]


def test_a_changed_stored_balance_is_reported(
    journal: list[Entry], db_path: Path, check: Check
) -> None:
    tamper(
        db_path,
        ("UPDATE wallets SET balance = balance + 500 WHERE wallet_id = ?", (journal[0].wallet_id,)),
    )
    result = check()
    assert {p.check for p in result} >= {"balances"}
    assert not found(result, "chain")
    assert not found(result, "sequence")
