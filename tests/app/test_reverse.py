"""Reversing at the counter (issue 11, item 4): the entries show the member,
F4 asks first (member, entry, balances, a warning below zero, the coupons
paid with the points and what to do with them), Esc changes nothing, and
the screen says what was done."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from ledger.coupons import display_code
from ledger.models import Coupon
from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.reverse import ReverseDialog
from pos.screens.supervisor import SupervisorScreen
from tests.app.conftest import (
    PHONE,
    SIZE,
    entries,
    login,
    message,
    on,
    screen_text,
    submit,
    until,
)
from tests.app.test_supervisor import open_supervisor
from tests.conftest import SUPERVISOR


@pytest.fixture
def spent(ledger: Ledger) -> tuple[str, Coupon]:
    """The -690 case: a 690-point sale; 600 of it bought PCT10 (unused), the
    other 90 were redeemed as points. Returns (the sale's id, the coupon)."""
    ledger.enroll(PHONE, name="Malee Srisuk", consent=True)
    sale = ledger.earn(PHONE, "17250.00", "BILL-690", "cash1")
    coupon = ledger.redeem(PHONE, ref="R1", reward_id="PCT10", approval=SUPERVISOR).coupon
    assert coupon is not None
    ledger.redeem(PHONE, ref="R2", points=90)
    return sale.entry_id, coupon


async def ask_to_reverse(pilot: Pilot[Any], entry_id: str, reason: str = "wrong member") -> None:
    """Open the supervisor screen, put the cursor on ``entry_id``, type a reason."""
    app: PosApp = pilot.app  # type: ignore[assignment]
    await login(pilot)
    await open_supervisor(pilot)
    await until(pilot, lambda: on(app, SupervisorScreen), what="supervisor screen")
    table = app.screen.query_one("#entries", DataTable)
    await until(pilot, lambda: table.row_count > 0, what="entries")
    table.move_cursor(row=table.get_row_index(entry_id))
    await submit(pilot, "#reverse-reason", reason)
    await until(pilot, lambda: on(app, ReverseDialog), what="confirmation")


async def test_the_entries_show_who_the_member_is(
    app: PosApp, ledger: Ledger, rich_member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        table = app.screen.query_one("#entries", DataTable)
        await until(pilot, lambda: table.row_count == 3)
        row = [str(c) for c in table.get_row_at(0)]
        member = next(c for c in row if "5432" in c)
        assert "Somchai" in member
        assert "9876" not in member  # the phone is masked


async def test_esc_on_the_confirmation_changes_nothing(
    app: PosApp, ledger: Ledger, rich_member: str
) -> None:
    newest = ledger.recent_entries(1)[0]
    app.language = "en"
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_reverse(pilot, newest.entry_id)
        shown = screen_text(app)
        assert "Somchai Jaidee" in shown and "5432" in shown and "9876" not in shown
        assert "earn +60 points" in shown and "1,500.00" in shown
        assert "Balance: 360 → 300 points" in shown
        assert "below zero" not in shown
        await pilot.press("escape")
        await until(pilot, lambda: on(app, SupervisorScreen), what="back")
        assert "nothing was changed" in message(app, "#sup-message")
    assert entries(ledger) == 3
    assert ledger.member(rich_member).balance == 360


async def test_voiding_the_coupon_paid_with_the_points(
    app: PosApp, ledger: Ledger, spent: tuple[str, Coupon]
) -> None:
    sale_id, coupon = spent
    count = entries(ledger)
    app.language = "en"
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_reverse(pilot, sale_id)
        shown = screen_text(app)
        assert "Malee Srisuk" in shown and "5678" in shown
        assert "earn +690 points" in shown
        assert "Balance: 0 → -690 points" in shown
        assert "Warning: the balance goes below zero (-690 points)." in shown
        assert display_code(coupon.code) in shown and "10% off your next bill" in shown
        assert "V: void the coupons, balance -90 points" in shown
        assert "K: keep the coupons valid, balance -690 points" in shown
        await pilot.press("enter")  # not a choice: the coupons must be decided
        await pilot.pause()
        assert on(app, ReverseDialog)
        assert entries(ledger) == count
        await pilot.press("v")
        await until(pilot, lambda: message(app, "#sup-message"), what="result")
        said = message(app, "#sup-message")
        assert "-690" in said and display_code(coupon.code) in said and "-90" in said
        assert "voided" in said
    assert ledger.check_coupon(coupon.payload).status == "void"
    assert ledger.member(PHONE).balance == -90
    assert entries(ledger) == count + 2
    assert ledger.verify() == []


async def test_keeping_the_coupon_in_thai(
    app: PosApp, ledger: Ledger, spent: tuple[str, Coupon]
) -> None:
    sale_id, coupon = spent
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_reverse(pilot, sale_id)
        shown = screen_text(app)
        assert "คำเตือน: แต้มคงเหลือจะติดลบ (-690 แต้ม)" in shown
        assert "ส่วนลด 10% บิลถัดไป" in shown
        assert "K: เก็บคูปองไว้ใช้ได้" in shown
        await pilot.press("k")
        await until(pilot, lambda: message(app, "#sup-message"), what="result")
        said = message(app, "#sup-message")
        assert "เก็บคูปอง" in said and display_code(coupon.code) in said and "-690" in said
    assert ledger.check_coupon(coupon.payload).status == "issued"
    assert ledger.member(PHONE).balance == -690
    reversal = ledger.history(PHONE)[0]
    assert reversal.rules_applied["coupons"] == "kept"
    assert ledger.verify() == []


async def test_without_coupons_enter_reverses_and_v_does_nothing(
    app: PosApp, ledger: Ledger, rich_member: str
) -> None:
    newest = ledger.recent_entries(1)[0]
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_reverse(pilot, newest.entry_id)
        await pilot.press("v")
        await pilot.pause()
        assert on(app, ReverseDialog)
        await pilot.press("enter")
        await until(pilot, lambda: message(app, "#sup-message"), what="result")
        assert "-60" in message(app, "#sup-message")
        assert "300" in message(app, "#sup-message")
    assert ledger.member(rich_member).balance == 300
