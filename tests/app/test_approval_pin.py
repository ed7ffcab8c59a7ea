"""The supervisor PIN dialog stays open after a wrong PIN (id kept, PIN field
cleared and focused), a lock says who can lift it, and both are in the
ledger's audit trail."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from ledger import staff
from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.redeem_confirm import RedeemConfirm
from pos.screens.lookup import LookupScreen
from pos.screens.redeem import RedeemScreen
from tests.app.conftest import (
    PHONE,
    SIZE,
    has_focus,
    login,
    message,
    on,
    open_card,
    submit,
    until,
)


async def ask_approval_for_600(pilot: Pilot[Any]) -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await login(pilot)
    await open_card(pilot)
    await pilot.press("f2")
    await until(pilot, lambda: on(app, RedeemScreen), what="redeem screen")
    await submit(pilot, "#points", "600")  # above the approval threshold
    await until(pilot, lambda: on(app, RedeemConfirm), what="the confirmation")
    await pilot.press("enter")
    await until(pilot, lambda: on(app, ApprovalDialog), what="approval dialog")


async def wrong_pin(pilot: Pilot[Any], staff_id: str = "sup") -> str:
    app: PosApp = pilot.app  # type: ignore[assignment]
    before = message(app, "#approval-message")
    await submit(pilot, "#approver", staff_id)
    await submit(pilot, "#approver-pin", "0000")
    await until(pilot, lambda: message(app, "#approval-message") != before, what="refusal")
    return message(app, "#approval-message")


async def test_a_wrong_pin_keeps_the_dialog_open_and_the_retry_approves(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await ask_approval_for_600(pilot)
        said = await wrong_pin(pilot)
        assert "Wrong PIN for sup: 4 more" in said
        assert on(app, ApprovalDialog)
        assert app.screen.query_one("#approver", Input).value == "sup"  # kept
        pin = app.screen.query_one("#approver-pin", Input)
        assert pin.value == ""
        await has_focus(pilot, lambda: pin)
        await submit(pilot, "#approver-pin", "2468")
        await until(pilot, lambda: on(app, LookupScreen), what="redeemed")
        assert "600" in message(app, "#lookup-message")
    (redeem, _) = ledger.history(PHONE)
    assert (redeem.kind, redeem.points, redeem.approver_id) == ("redeem", -600, "sup")
    assert [(e.staff_id, e.event) for e in staff.pin_events(ledger.core)] == [("sup", "wrong_pin")]


async def test_the_wrong_pin_message_is_in_thai_too(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await ask_approval_for_600(pilot)
        said = await wrong_pin(pilot)
        assert said == app.tr("approval.wrong_pin", staff="sup", left=4)
        assert "ไม่ถูกต้อง" in said
        assert on(app, ApprovalDialog)


async def test_a_lock_says_which_admin_can_lift_it_and_another_supervisor_approves(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    ledger.add_staff("owner", "admin", "8642", "Owner Malee")
    ledger.add_staff("sup2", "supervisor", "9753")
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await ask_approval_for_600(pilot)
        for _ in range(4):
            await wrong_pin(pilot)
        said = await wrong_pin(pilot)
        assert "sup is locked" in said
        assert "Owner Malee (owner)" in said
        assert "pos staff unlock sup --approver owner" in said
        assert on(app, ApprovalDialog)
        await has_focus(pilot, lambda: app.screen.query_one("#approver"))
        await submit(pilot, "#approver", "sup2")
        await submit(pilot, "#approver-pin", "9753")
        await until(pilot, lambda: on(app, LookupScreen), what="redeemed")
    assert ledger.history(PHONE)[0].approver_id == "sup2"
    events = [e.event for e in staff.pin_events(ledger.core, "sup")]
    assert events == ["wrong_pin"] * 5 + ["locked"]


async def test_with_no_admin_the_lock_says_nobody_can_lift_it_sooner(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await ask_approval_for_600(pilot)
        for _ in range(5):
            said = await wrong_pin(pilot)
        assert app.tr("approval.unlock_nobody") in said
        assert said.startswith(app.tr("approval.locked", staff="sup", minutes=1))
