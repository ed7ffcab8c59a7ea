"""Wrong PINs, locks and unlocks are kept in the ledger's audit trail
(``pin_events``), written with the attempt count itself, and a lock says who
can lift it."""

from __future__ import annotations

import pytest

from ledger import staff
from ledger.errors import StaffLocked, WrongPin
from ledger.models import Credentials
from ledger.service import Ledger
from tests.conftest import FakeClock


def events(ledger: Ledger, staff_id: str | None = None) -> list[tuple[str, str]]:
    return [(e.staff_id, e.event) for e in staff.pin_events(ledger.core, staff_id)]


def test_each_wrong_pin_is_an_audit_row_and_a_right_one_is_not(ledger: Ledger) -> None:
    for _ in range(2):
        with pytest.raises(WrongPin):
            ledger.authenticate("sup", "9999")
    assert ledger.authenticate("sup", "2468").staff_id == "sup"
    assert events(ledger) == [("sup", "wrong_pin"), ("sup", "wrong_pin")]


def test_the_wrong_pin_that_locks_is_a_wrong_pin_and_a_lock(
    ledger: Ledger, clock: FakeClock
) -> None:
    for _ in range(4):
        with pytest.raises(WrongPin):
            ledger.authenticate("cash1", "9999")
    with pytest.raises(StaffLocked):
        ledger.authenticate("cash1", "9999")
    rows = staff.pin_events(ledger.core, "cash1")
    assert [e.event for e in rows] == ["wrong_pin"] * 5 + ["locked"]
    assert rows[-1].until is not None and rows[-1].until > rows[-1].at
    assert all(e.at == rows[0].at for e in rows)  # the fake clock stands still
    # tries while locked compare no PIN: no guess to record
    with pytest.raises(StaffLocked):
        ledger.authenticate("cash1", "1357")
    assert len(staff.pin_events(ledger.core, "cash1")) == 6
    assert events(ledger, "sup") == []


def test_a_right_pin_on_the_last_try_leaves_no_lock_on_record(ledger: Ledger) -> None:
    for _ in range(4):
        with pytest.raises(WrongPin):
            ledger.authenticate("sup", "9999")
    assert ledger.authenticate("sup", "2468").staff_id == "sup"
    assert events(ledger) == [("sup", "wrong_pin")] * 4


def test_an_admin_unlocking_is_on_record_with_their_id(ledger: Ledger) -> None:
    ledger.add_staff("owner", "admin", "8642", "Owner Malee")
    for _ in range(5):
        with pytest.raises((WrongPin, StaffLocked)):
            ledger.authenticate("sup", "9999")
    ledger.unlock_staff("sup", Credentials("owner", "8642"))
    last = staff.pin_events(ledger.core, "sup")[-1]
    assert (last.event, last.by) == ("unlocked", "owner")
    assert ledger.authenticate("sup", "2468").staff_id == "sup"


def test_the_lock_names_the_admins_who_can_lift_it(ledger: Ledger) -> None:
    ledger.add_staff("owner", "admin", "8642", "Owner Malee")
    ledger.add_staff("boss2", "admin", "7531")
    for _ in range(4):
        with pytest.raises(WrongPin) as wrong:
            ledger.authenticate("sup", "9999")
    assert wrong.value.details == {"staff_id": "sup", "left": 1}
    with pytest.raises(StaffLocked) as info:
        ledger.authenticate("sup", "9999")
    error = info.value
    assert error.details["staff_id"] == "sup"
    assert error.details["admins"] == [
        {"staff_id": "boss2", "name": None},
        {"staff_id": "owner", "name": "Owner Malee"},
    ]
    assert error.details["minutes"] >= 1
    assert "Owner Malee (owner)" in error.message
    assert "pos staff unlock sup --approver boss2" in error.message


def test_with_no_admin_the_lock_says_so(ledger: Ledger) -> None:
    for _ in range(5):
        with pytest.raises((WrongPin, StaffLocked)) as info:
            ledger.authenticate("sup", "9999")
    assert isinstance(info.value, StaffLocked)
    assert info.value.details["admins"] == []
    assert "no admin" in info.value.message


def test_the_audit_is_read_from_a_given_time(ledger: Ledger) -> None:
    with pytest.raises(WrongPin):
        ledger.authenticate("sup", "9999")
    since = staff.pin_events(ledger.core)[0].at
    assert [e.event for e in staff.pin_events(ledger.core, since=since)] == ["wrong_pin"]
