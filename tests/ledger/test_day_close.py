"""The end-of-day close (Z report) adds up to what the ledger holds for the
shop's local day at this terminal: money net of reversed sales, points per
kind, members enrolled here, and each cashier's share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from config import load_settings
from ledger.models import Credentials
from ledger.service import Ledger
from tests.conftest import FakeClock

SUP = Credentials("sup", "2468")
A, B = "0812345678", "0898765432"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def shop(db_path: Path) -> tuple[Ledger, FakeClock]:
    clock = FakeClock(utc(14, 10))
    settings = load_settings(env={"POS_LOCALE__TIMEZONE": "Asia/Bangkok"})
    book = Ledger.open(db_path, settings, clock=clock)
    book.init("S1", "T1")
    book.add_staff("sup", "supervisor", "2468", "Supervisor")
    book.add_staff("cash1", "cashier", "1357", "สมชาย ใจดี")
    book.add_staff("cash2", "cashier", "4826", None)
    return book, clock


def test_the_z_report_is_what_the_ledger_holds_for_the_local_day(
    shop: tuple[Ledger, FakeClock],
) -> None:
    book, clock = shop
    book.enroll(A)  # the 14th, 17:00 in Bangkok: yesterday
    book.earn(A, "1000.00", "OLD", "cash1")  # yesterday's sale, reversed today
    clock.now = utc(14, 23, 30)  # 06:30 on the 15th in Bangkok: today
    book.enroll(B)
    sale1 = book.earn(B, "250.00", "B1", "cash1")
    clock.now = utc(15, 5)
    sale2 = book.earn(A, "500.00", "B2", "cash2")
    book.earn(A, "75.00", "B3", "cash1")
    book.reverse(sale1.entry_id, "wrong customer", SUP)
    old = book.conn.execute("SELECT entry_id FROM entries WHERE ref = 'OLD'").fetchone()[0]
    book.reverse(old, "returned goods", SUP)
    book.redeem(A, ref="R1", points=10, cashier_id="cash2")
    book.adjust(A, 5, "goodwill", SUP)
    clock.now = utc(15, 16, 59)  # 23:59 in Bangkok: still the 15th
    book.earn(A, "40.00", "LATE", "cash2")
    clock.now = utc(15, 17, 1)  # 00:01 on the 16th: not in it
    book.earn(A, "9999.00", "TOMORROW", "cash2")

    z = book.day_summary(date(2026, 1, 15))
    assert (z["day"], z["timezone"], z["currency"]) == ("2026-01-15", "Asia/Bangkok", "THB")
    # 250 + 500 + 75 + 40 sold; 250 (today's) and 1000 (yesterday's) reversed
    assert z["sales"] == {"count": 4, "reversed": 2, "amount_minor": (865 - 1250) * 100}
    day = book.conn.execute(
        "SELECT kind, sum(points), sum(coalesce(amount_minor, 0)) FROM entries "
        "WHERE created_at >= '2026-01-14T17:00:00' AND created_at < '2026-01-15T17:00:00' "
        "GROUP BY kind"
    ).fetchall()
    held = {kind: points for kind, points, _ in day}
    assert z["points"] == {"earn": held["earn"], "redeem": -10, "reverse": held["reverse"],
                           "adjust": 5, "expire": 0}  # fmt: skip
    assert z["points"]["earn"] == 10 + 20 + 3 + 1 and z["points"]["reverse"] == -10 - 40
    assert sum(amount for _, _, amount in day) == z["sales"]["amount_minor"]
    assert z["enrolled"] == 1  # B at 06:30; A was enrolled the day before
    assert z["kinds"]["earn"] == {"count": 4, "points": 34}  # the old keys stay
    cashiers = {row["cashier_id"]: row for row in z["by_cashier"]}
    assert cashiers["cash1"] == {
        "cashier_id": "cash1", "name": "สมชาย ใจดี", "sales": 2,
        "amount_minor": (250 + 75 - 250 - 1000) * 100, "points": 10 + 3 - 10 - 40,
    }  # fmt: skip
    assert cashiers["cash2"] == {
        "cashier_id": "cash2", "name": None, "sales": 2,
        "amount_minor": (500 + 40) * 100, "points": 20 - 10 + 1,
    }  # fmt: skip
    assert cashiers["-"]["points"] == 5 and cashiers["-"]["sales"] == 0
    assert sum(r["points"] for r in z["by_cashier"]) == sum(held.values())
    assert sale2.points == 20


def test_an_empty_day_says_zero_everywhere(shop: tuple[Ledger, FakeClock]) -> None:
    book, _ = shop
    z = book.day_summary(date(2026, 2, 1))
    assert z["sales"] == {"count": 0, "reversed": 0, "amount_minor": 0}
    assert set(z["points"].values()) == {0} and z["enrolled"] == 0 and z["by_cashier"] == []


def test_another_terminals_entries_are_not_in_this_ones_close(
    shop: tuple[Ledger, FakeClock],
) -> None:
    book, clock = shop
    clock.now = utc(15, 3)
    book.enroll(A)
    book.earn(A, "100.00", "B1", "cash1")
    # An entry pulled from another till of the chain lands in the same journal.
    book.conn.execute("UPDATE members SET terminal_id = 'T2'")
    z = book.day_summary()
    assert z["enrolled"] == 0 and z["sales"]["count"] == 1
