"""An admin's care of the staff list, enforced by the ledger whoever asks:
deactivate, reactivate, reset a PIN, lift a lock. Each is one transaction
with its row on the audit trail; a cashier's or a supervisor's credentials
cannot do what only an admin may."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from config import Settings
from ledger.errors import NotPermitted, StaffLocked, WeakPin, WrongPin
from ledger.models import Credentials
from ledger.service import Ledger
from ledger.staff import StaffDeactivated
from tests.conftest import FakeClock

PHONE = "0812345678"
ADMIN = Credentials("boss", "7193")
SUP = Credentials("sup", "2468")
CASHIER = Credentials("cash1", "1357")


@pytest.fixture
def book(ledger: Ledger) -> Ledger:
    ledger.add_staff("boss", "admin", "7193", "Owner Malee")
    ledger.enroll(PHONE)
    return ledger


def trail(book: Ledger, staff_id: str) -> list[tuple[str, str | None]]:
    return [(e.event, e.by) for e in book.pin_events(staff_id)]


def states(book: Ledger) -> dict[str, str]:
    return {s.staff_id: s.state for s in book.staff_list()}


def test_the_list_shows_every_id_with_its_state(book: Ledger, clock: FakeClock) -> None:
    for _ in range(5):
        with pytest.raises((WrongPin, StaffLocked)):
            book.authenticate("cash1", "9999")
    listed = {s.staff_id: s for s in book.staff_list()}
    assert [s for s in listed] == ["boss", "cash1", "sup"]
    assert (listed["boss"].role, listed["boss"].name) == ("admin", "Owner Malee")
    assert listed["cash1"].state == "locked" and listed["cash1"].locked_until
    assert listed["sup"].state == "active"
    clock.advance(hours=2)  # the lock ran out by itself
    assert states(book)["cash1"] == "active"


def test_a_deactivated_cashier_cannot_log_in_or_sell_and_the_message_names_the_admin(
    book: Ledger,
) -> None:
    done = book.deactivate_staff("cash1", ADMIN)
    assert done.state == "deactivated" and done.deactivated_at
    with pytest.raises(StaffDeactivated) as refused:
        book.authenticate("cash1", "1357")
    assert "Owner Malee (boss)" in refused.value.message
    assert "pos staff reactivate cash1 --approver boss" in refused.value.message
    with pytest.raises(StaffDeactivated):
        book.earn(PHONE, "100", "B1", "cash1")
    assert book.card(PHONE).member.balance == 0
    # no PIN was compared: no guess on the trail, only the deactivation
    assert trail(book, "cash1") == [("deactivated", "boss")]


def test_a_deactivated_supervisor_cannot_approve_a_redemption(book: Ledger) -> None:
    book.earn(PHONE, "5000", "B1", "cash1")
    book.deactivate_staff("sup", ADMIN)
    before = book.card(PHONE).member.balance
    with pytest.raises(StaffDeactivated):
        book.redeem(PHONE, ref="R1", points=100, cashier_id="cash1", approval=SUP)
    with pytest.raises(StaffDeactivated):
        book.approve(SUP)
    assert book.card(PHONE).member.balance == before
    assert (
        book.conn.execute("SELECT count(*) FROM entries WHERE kind = 'redeem'").fetchone()[0] == 0
    )


def test_reactivation_lets_them_back_in_with_their_own_pin(book: Ledger) -> None:
    book.deactivate_staff("cash1", ADMIN)
    assert book.reactivate_staff("cash1", ADMIN).state == "active"
    assert book.authenticate("cash1", "1357").staff_id == "cash1"
    assert trail(book, "cash1") == [("deactivated", "boss"), ("reactivated", "boss")]


@pytest.mark.parametrize("who", [CASHIER, SUP])
def test_only_an_admin_deactivates_reactivates_or_unlocks(book: Ledger, who: Credentials) -> None:
    with pytest.raises(NotPermitted) as refused:
        book.deactivate_staff("cash1" if who is SUP else "sup", who)
    assert "only an admin" in refused.value.message and "boss" in refused.value.message
    book.deactivate_staff("cash1" if who is SUP else "sup", ADMIN)
    with pytest.raises((NotPermitted, StaffDeactivated)):
        book.reactivate_staff("cash1" if who is SUP else "sup", who)
    with pytest.raises(NotPermitted):
        book.unlock_staff("boss", who)
    assert states(book)["cash1" if who is SUP else "sup"] == "deactivated"


def test_a_cashier_cannot_reset_anyones_pin_not_even_a_cashiers(book: Ledger) -> None:
    book.add_staff("cash2", "cashier", "4826", None)
    for target in ("cash2", "sup", "boss"):
        with pytest.raises(NotPermitted):
            book.reset_pin(target, "5831", CASHIER)
    assert book.authenticate("cash2", "4826").staff_id == "cash2"
    assert trail(book, "cash2") == []


def test_a_supervisor_resets_a_cashiers_pin_but_not_an_admins(book: Ledger) -> None:
    book.reset_pin("cash1", "5831", SUP)
    with pytest.raises(WrongPin):
        book.authenticate("cash1", "1357")
    assert book.authenticate("cash1", "5831").staff_id == "cash1"
    with pytest.raises(NotPermitted) as refused:
        book.reset_pin("boss", "5831", SUP)
    assert "an admin resets an admin's PIN" in refused.value.message
    assert book.authenticate("boss", "7193").staff_id == "boss"
    assert ("pin_reset", "sup") in trail(book, "cash1")


def test_a_supervisors_reset_does_not_lift_a_lock_an_admins_does(book: Ledger) -> None:
    for _ in range(5):
        with pytest.raises((WrongPin, StaffLocked)):
            book.authenticate("cash1", "9999")
    assert book.reset_pin("cash1", "5831", SUP).state == "locked"
    with pytest.raises(StaffLocked):
        book.authenticate("cash1", "5831")
    assert book.reset_pin("cash1", "6392", ADMIN).state == "active"
    assert book.authenticate("cash1", "6392").staff_id == "cash1"


def test_a_weak_new_pin_is_refused_before_anything_changes(book: Ledger) -> None:
    with pytest.raises(WeakPin):
        book.reset_pin("cash1", "1234", ADMIN)
    assert book.authenticate("cash1", "1357").staff_id == "cash1"
    assert trail(book, "cash1") == []


def test_nobody_deactivates_themselves_and_the_last_admin_stays(book: Ledger) -> None:
    with pytest.raises(NotPermitted) as refused:
        book.deactivate_staff("boss", ADMIN)
    assert "own id" in refused.value.message
    with pytest.raises(NotPermitted):
        book.deactivate_staff("boss", SUP)
    assert states(book)["boss"] == "active"
    assert book.authenticate("boss", "7193").role == "admin"


def test_two_admins_cannot_deactivate_each_other_into_no_admin(book: Ledger) -> None:
    book.add_staff("boss2", "admin", "4826", None)
    book.deactivate_staff("boss2", ADMIN)
    with pytest.raises(StaffDeactivated):
        book.deactivate_staff("boss", Credentials("boss2", "4826"))
    assert states(book)["boss"] == "active"


def test_the_last_active_admin_is_kept_even_with_a_deactivated_one_around(
    book: Ledger,
) -> None:
    """The check counts active admins, not admins: boss2 deactivated does not
    make boss deactivatable by a third admin who then goes too."""
    book.add_staff("boss2", "admin", "4826", None)
    book.deactivate_staff("boss2", ADMIN)
    book.reactivate_staff("boss2", ADMIN)
    book.deactivate_staff("boss", Credentials("boss2", "4826"))
    with pytest.raises(NotPermitted):
        book.deactivate_staff("boss2", Credentials("boss2", "4826"))
    assert states(book) == {"boss": "deactivated", "boss2": "active", "cash1": "active",
                            "sup": "active"}  # fmt: skip


def test_a_lock_names_only_active_admins(book: Ledger) -> None:
    book.add_staff("boss2", "admin", "4826", "Gone Admin")
    book.deactivate_staff("boss2", ADMIN)
    for _ in range(4):
        with pytest.raises(WrongPin):
            book.authenticate("cash1", "9999")
    with pytest.raises(StaffLocked) as locked:
        book.authenticate("cash1", "9999")
    assert "boss2" not in locked.value.message and "boss" in locked.value.message


def test_a_schema_8_ledger_keeps_its_audit_trail_through_migration_9(
    tmp_path: Path, settings: Settings, clock: FakeClock
) -> None:
    path = tmp_path / "old.db"
    with Ledger.open(path, settings, clock=clock) as old:
        old.init("S1", "T1")
        old.add_staff("sup", "supervisor", "2468")
        with pytest.raises(WrongPin):
            old.authenticate("sup", "9999")
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE pin_events; CREATE TABLE pin_events (event_id INTEGER PRIMARY KEY, "
        "at TEXT NOT NULL, staff_id TEXT NOT NULL, event TEXT NOT NULL CHECK (event IN "
        "('wrong_pin', 'locked', 'unlocked')), until TEXT, by TEXT) STRICT; "
        "INSERT INTO pin_events (at, staff_id, event) VALUES ('2026-01-15T03:00:00Z', 'sup', "
        "'wrong_pin'); ALTER TABLE staff DROP COLUMN deactivated_at; "
        "PRAGMA user_version = 8;"  # before migration 9 (staff deactivation)
    )
    conn.close()
    with Ledger.open(path, settings, clock=clock) as book:
        assert [e.event for e in book.pin_events("sup")] == ["wrong_pin"]
        book.add_staff("boss", "admin", "7193")
        book.deactivate_staff("sup", ADMIN)
        assert [e.event for e in book.pin_events("sup")] == ["wrong_pin", "deactivated"]
        assert book.verify() == []
