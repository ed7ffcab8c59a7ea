"""Break 8 at the counter: a ledger that stops taking writes while the app runs.

The CLI already turns SQLite's "disk full" into a message naming the file;
the app used to show "Unexpected error" and leave the cashier guessing. The
disk fills for real as far as SQLite can tell: ``max_page_count`` at the
file's current size makes every write that needs a page fail with
SQLITE_FULL, as a full disk does (no root or mount needed).
"""

from __future__ import annotations

import sqlite3

from config import Settings
from ledger.errors import DiskFull
from ledger.service import Ledger
from pos.app import make_app
from pos.screens.member import MemberScreen
from tests.app.conftest import PHONE, SIZE, login, on, open_card, submit, text_of, until
from tests.conftest import FakeClock


def _fill_the_disk(ledger: Ledger) -> None:
    (pages,) = ledger.conn.execute("PRAGMA page_count").fetchone()
    ledger.conn.execute(f"PRAGMA max_page_count = {pages}")
    for n in range(500):  # use up the room left in the pages there are
        try:
            ledger.earn(PHONE, "100", f"FILL{n}")
        except DiskFull:
            return
    raise AssertionError("the ledger never filled up")


def test_a_full_disk_is_a_ledger_refusal_naming_the_file(ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    (pages,) = ledger.conn.execute("PRAGMA page_count").fetchone()
    ledger.conn.execute(f"PRAGMA max_page_count = {pages}")
    raised: BaseException | None = None
    for n in range(500):
        try:
            ledger.earn(PHONE, "100", f"FILL{n}")
        except (DiskFull, sqlite3.Error) as exc:
            raised = exc
            break
    assert isinstance(raised, DiskFull), f"got {raised!r}"
    assert str(ledger.path) in raised.message
    assert "Nothing was saved" in raised.message
    assert ledger.verify() == []  # the refused sale left nothing half-written


async def test_a_sale_on_a_full_disk_says_so_and_the_app_keeps_running(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, ledger, clock=clock)
    ledger.enroll(PHONE)
    _fill_the_disk(ledger)
    balance = ledger.member(PHONE).balance
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "1000")
        message = lambda: text_of(app.screen.query_one("#card-message"))  # noqa: E731
        await until(pilot, message, what="a message on the card")
        assert str(ledger.path) in message() and "ดิสก์เต็ม" in message()  # Thai: the default
        assert "Unexpected" not in message()
        assert on(app, MemberScreen)  # the cashier can try again once there is room
        ledger.conn.execute("PRAGMA max_page_count = 1073741823")
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: not on(app, MemberScreen), what="the sale, once there is room")
    assert ledger.member(PHONE).balance == balance + 40
