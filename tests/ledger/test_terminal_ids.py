"""Store and terminal ids: codes with an example, changeable until they are used."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings
from ledger.errors import AlreadyInitialized, InvalidInput, NotPermitted
from ledger.replica import Replica
from ledger.service import Ledger
from tests.conftest import CASHIER_ID, FakeClock

PHONE = "0812345678"


@pytest.fixture
def new(db_path: Path, settings: Settings, clock: FakeClock) -> Ledger:
    book = Ledger.open(db_path, settings, clock=clock)
    yield book  # type: ignore[misc]
    book.close()


@pytest.mark.parametrize("store", ["Baan Kafe", "ร้านกาแฟ", "S1!", "", "x" * 33])
def test_an_id_that_is_not_a_code_is_refused_with_an_example(new: Ledger, store: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        new.init(store, "T1")
    assert "e.g. BKK01" in refused.value.message
    assert refused.value.details.items() >= {"field": "store", "example": "BKK01"}.items()
    assert not new.is_initialized()


def test_codes_with_digits_dashes_and_underscores_are_accepted(new: Ledger) -> None:
    assert new.init(" BKK-01_a ", "T" * 32) == {"store_id": "BKK-01_a", "terminal_id": "T" * 32}
    with pytest.raises(InvalidInput) as refused:
        new.change_ids("BKK01", "till 1")
    assert refused.value.details.items() >= {"field": "terminal", "example": "T1"}.items()


def test_an_id_from_before_the_rule_stays_valid(new: Ledger) -> None:
    # A ledger set up when any printable id was accepted: init again is harmless.
    new.init("S1", "T1")
    with new.conn:
        new.conn.execute("UPDATE meta SET value = 'Old Shop' WHERE key = 'store_id'")
    new.core.forget_cached()
    assert new.init("Old Shop", "T1") == {"store_id": "Old Shop", "terminal_id": "T1"}
    with pytest.raises(AlreadyInitialized):
        new.init("S2", "T1")


def test_ids_change_while_the_journal_is_empty(new: Ledger) -> None:
    new.init("BKK1", "T1")
    new.add_staff("sup", "supervisor", "2468")
    new.enroll(PHONE, consent=True)  # a member, but no entry yet
    assert new.change_ids("BKK01", "T2") == {"store_id": "BKK01", "terminal_id": "T2"}
    assert new.terminal() == ("BKK01", "T2")
    rows = new.conn.execute("SELECT terminal_id, store_id, last_seq FROM terminals").fetchall()
    assert [tuple(r) for r in rows] == [("T2", "BKK01", 0)]
    assert new.conn.execute("SELECT terminal_id FROM members").fetchone()[0] == "T2"
    # the first sale then goes under the new ids, and the chain verifies
    new.add_staff(CASHIER_ID, "cashier", "1357")
    earned = new.earn(PHONE, "100", "BILL-1", CASHIER_ID)
    assert earned.terminal_id == "T2"
    assert new.verify() == []


def test_ids_are_fixed_after_the_first_entry(new: Ledger) -> None:
    new.init("BKK1", "T1")
    new.add_staff(CASHIER_ID, "cashier", "1357")
    new.enroll(PHONE, consent=True)
    new.earn(PHONE, "100", "BILL-1", CASHIER_ID)
    with pytest.raises(NotPermitted) as refused:
        new.change_ids("BKK01", "T1")
    assert "entries are already recorded" in refused.value.message
    assert refused.value.details.items() >= {"reason": "entries"}.items()
    assert new.terminal() == ("BKK1", "T1")


def test_ids_are_fixed_after_joining_head_office(new: Ledger) -> None:
    new.init("BKK1", "T1")
    Replica(new).set_hq("http://hq.example", "lpt_secret", "ab" * 32)
    with pytest.raises(NotPermitted) as refused:
        new.change_ids("BKK01", "T1")
    assert "joined head office" in refused.value.message
    assert refused.value.details.items() >= {"reason": "joined"}.items()
    assert new.terminal() == ("BKK1", "T1")
