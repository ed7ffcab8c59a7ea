"""Redeeming: rewards, points, the approval threshold and the balance."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import OptionList

from config import Settings
from ledger.db import transaction
from ledger.meta import K_URL
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.coupon import CouponDialog
from pos.dialogs.redeem_confirm import RedeemConfirm
from pos.screens.lookup import LookupScreen
from pos.screens.redeem import RedeemScreen
from sync.errors import HeadOfficeUnreachable
from tests.app.conftest import (
    PHONE,
    SIZE,
    has_focus,
    login,
    message,
    on,
    open_card,
    screen_text,
    submit,
    text_of,
    until,
)
from tests.conftest import FakeClock

# -- redeem -------------------------------------------------------------------


async def open_redeem(pilot: Pilot[Any]) -> RedeemScreen:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await open_card(pilot)
    await pilot.press("f2")
    await until(pilot, lambda: on(app, RedeemScreen), what="redeem screen")
    return app.screen  # type: ignore[return-value]


async def confirm(pilot: Pilot[Any]) -> None:
    """Enter on the confirmation every redemption opens first (test_redeem_confirm)."""
    await until(pilot, lambda: on(pilot.app, RedeemConfirm), what="the confirmation")  # type: ignore[arg-type]
    await pilot.press("enter")


async def test_redeem_a_reward_issues_a_coupon(app: PosApp, ledger: Ledger, member: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await open_redeem(pilot)
        rewards = screen.query_one("#rewards", OptionList)
        await has_focus(pilot, lambda: rewards)
        shown = [str(rewards.get_option_at_index(i).id) for i in range(rewards.option_count)]
        # The whole catalog: VOUCHER500 (1800) is listed too, dimmed (test_redeem_confirm).
        assert shown == ["COFFEE", "DISC50", "DISC100", "PCT10", "VOUCHER500"]
        assert rewards.highlighted == 0
        await pilot.press("enter")
        await confirm(pilot)
        await until(pilot, lambda: on(app, CouponDialog), what="coupon dialog")
        dialog = app.screen
        assert isinstance(dialog, CouponDialog)
        code = text_of(dialog.query_one("#coupon-code"))
        assert len(code) == 9 and code[4] == "-"
        assert "กาแฟ" in screen_text(app)  # the reward's name, in the app's language

        # the ledger has it before the dialog closes
        redeem = ledger.history(PHONE)[0]
        assert (redeem.kind, redeem.points, redeem.cashier_id) == ("redeem", -100, "cash1")
        assert redeem.approver_id is None
        coupon = ledger.check_coupon(code)
        assert (coupon.status, coupon.reward_id, coupon.entry_id) == (
            "issued",
            "COFFEE",
            redeem.entry_id,
        )

        await pilot.press("enter")
        await until(pilot, lambda: on(app, LookupScreen), what="back to lookup")
        assert "900" in message(app, "#lookup-message")
    assert ledger.member(PHONE).balance == 900
    assert ledger.check_coupon(code).status == "issued"  # closing the dialog does not use it


async def test_redeem_above_the_threshold_asks_for_approval_and_esc_cancels(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await submit(pilot, "#points", "600")
        await confirm(pilot)
        await until(pilot, lambda: on(app, ApprovalDialog), what="approval dialog")
        await has_focus(pilot, lambda: app.screen.query_one("#approver"))
        await pilot.press("escape")
        await until(pilot, lambda: on(app, RedeemScreen))
        assert message(app, "#redeem-message") == app.tr("approval.cancelled")
    assert ledger.member(PHONE).balance == 1000
    assert [e.kind for e in ledger.history(PHONE)] == ["earn"]


async def test_redeem_above_the_threshold_with_a_supervisor(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await submit(pilot, "#points", "600")
        await confirm(pilot)
        await until(pilot, lambda: on(app, ApprovalDialog))
        await submit(pilot, "#approver", "sup")
        await has_focus(pilot, lambda: app.screen.query_one("#approver-pin"))
        await submit(pilot, "#approver-pin", "2468")
        await until(pilot, lambda: on(app, LookupScreen), what="back to lookup")
        assert "600" in message(app, "#lookup-message")
        assert "400" in message(app, "#lookup-message")
    entry = ledger.history(PHONE)[0]
    assert (entry.kind, entry.points, entry.approver_id, entry.cashier_id) == (
        "redeem",
        -600,
        "sup",
        "cash1",
    )
    assert ledger.member(PHONE).balance == 400


async def test_a_cashier_cannot_approve_a_redemption(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await submit(pilot, "#points", "600")
        await confirm(pilot)
        await until(pilot, lambda: on(app, ApprovalDialog))
        await submit(pilot, "#approver", "cash1")
        await submit(pilot, "#approver-pin", "1357")
        await until(pilot, lambda: on(app, RedeemScreen))
        await until(pilot, lambda: message(app, "#redeem-message"), what="refusal")
        assert "อนุมัติไม่ได้" in message(app, "#redeem-message")  # Thai: the default
    assert ledger.member(PHONE).balance == 1000
    assert [e.kind for e in ledger.history(PHONE)] == ["earn"]


async def test_redeem_more_than_the_balance_is_refused_and_the_app_keeps_running(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "1000", "SEED-1")  # 40 points
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await open_redeem(pilot)
        # Nothing affordable: the hint says so; the list stays, in place and
        # focused, as for every member (the same keys do the same thing).
        assert screen.query_one("#no-rewards").display
        assert screen.query_one("#rewards").display
        await has_focus(pilot, lambda: screen.query_one("#rewards"))
        await submit(pilot, "#points", "300")
        await until(pilot, lambda: message(app, "#redeem-message"))
        # Refused before any supervisor is called over, saying what the member has.
        assert message(app, "#redeem-message") == app.tr("redeem.short", balance="40", cost=300)
        assert on(app, RedeemScreen)
        await submit(pilot, "#points", "40")
        await confirm(pilot)
        await until(pilot, lambda: on(app, LookupScreen))
        assert app.return_code is None
    assert ledger.member(PHONE).balance == 0


class _UnreachableHeadOffice:
    """A joined till whose head office cannot be reached (``pos.services.HeadOffice``)."""

    def joined(self) -> bool:
        return True

    def state(self) -> dict[str, Any]:
        return {"pending_entries": 0, "last_sync_at": None}

    def sync(self) -> dict[str, Any]:
        raise HeadOfficeUnreachable("Head office cannot be reached: working offline.")

    def find_member(self, phone: str) -> bool:
        return False


async def test_past_the_offline_limit_a_supervisor_is_asked_before_anything_is_refused(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "50000", "SEED-1")
    with transaction(ledger.conn) as conn:  # joined, never synced: the offline limit applies
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (K_URL, "https://hq.example"))
    ledger.redeem(PHONE, ref="R1", points=400)
    ledger.redeem(PHONE, ref="R2", points=400)  # 800 of today's 1000
    before = ledger.member(PHONE).balance
    app = make_app(settings, ledger, clock=clock, hq_client=_UnreachableHeadOffice())
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await submit(pilot, "#points", "300")  # below the threshold, past the limit
        await confirm(pilot)
        await until(pilot, lambda: on(app, ApprovalDialog), what="approval dialog")
        assert app.tr("redeem.offline_limit") in screen_text(app)
        await submit(pilot, "#approver", "sup")
        await submit(pilot, "#approver-pin", "2468")
        await until(pilot, lambda: on(app, LookupScreen), what="back to lookup")
    entry = ledger.history(PHONE)[0]
    assert (entry.kind, entry.points, entry.approver_id) == ("redeem", -300, "sup")
    assert ledger.member(PHONE).balance == before - 300
