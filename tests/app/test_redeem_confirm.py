"""Redeeming asks first, and the reward list never moves (issue 11, item 3).

Every member sees the whole catalog in catalog order (what they cannot afford
dimmed, with what is missing); a choice opens a confirmation with the member,
the reward or the points, and the balance before and after; nothing reaches
the ledger until the cashier confirms. Points redeemed by number print a slip.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList

from config import Settings
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.coupon import CouponDialog
from pos.dialogs.redeem_confirm import RedeemConfirm
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.screens.redeem import RedeemScreen
from printers import SaleSlip
from tests.app.conftest import (
    PHONE,
    SIZE,
    login,
    message,
    on,
    open_card,
    screen_text,
    submit,
    until,
)
from tests.app.test_wiring import SlipCatcher
from tests.conftest import FakeClock

CATALOG = ["COFFEE", "DISC50", "DISC100", "PCT10", "VOUCHER500"]  # config/default.toml
POOR_PHONE = "0823456789"


async def open_redeem(pilot: Pilot[Any], phone: str = PHONE) -> RedeemScreen:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await open_card(pilot, phone)
    await pilot.press("f2")
    await until(pilot, lambda: on(app, RedeemScreen), what="redeem screen")
    return app.screen  # type: ignore[return-value]


def shown(screen: RedeemScreen) -> list[tuple[str, str]]:
    rewards = screen.query_one("#rewards", OptionList)
    options = [rewards.get_option_at_index(i) for i in range(rewards.option_count)]
    return [(str(o.id), str(o.prompt)) for o in options]


async def highlight(pilot: Pilot[Any], reward_id: str) -> None:
    rewards = pilot.app.screen.query_one("#rewards", OptionList)
    await until(pilot, lambda: pilot.app.focused is rewards, what="focus on the list")
    for _ in range(CATALOG.index(reward_id)):
        await pilot.press("down")
    assert rewards.highlighted == CATALOG.index(reward_id)


def history(ledger: Ledger, phone: str = PHONE) -> list[tuple[str, int]]:
    return [(e.kind, e.points) for e in ledger.history(phone)]


async def test_the_list_is_the_same_for_a_rich_and_a_poor_member(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    ledger.enroll(POOR_PHONE)
    ledger.earn(POOR_PHONE, "1000", "SEED-2")  # 40 points
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        rich = shown(await open_redeem(pilot))
        await pilot.press("escape")
        await until(pilot, lambda: on(app, MemberScreen))
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
        poor_screen = await open_redeem(pilot, POOR_PHONE)
        poor = shown(poor_screen)
        # The rewards list has the keys for a poor member too: Down, Down, Enter
        # means DISC100 for everyone.
        assert pilot.app.focused is poor_screen.query_one("#rewards")
    assert [i for i, _ in rich] == [i for i, _ in poor] == CATALOG
    rich_text = dict(rich)
    assert "needed" not in rich_text["PCT10"]
    assert "800 more needed" in rich_text["VOUCHER500"]
    poor_text = dict(poor)
    assert "60 more needed" in poor_text["COFFEE"]
    assert "1,760 more needed" in poor_text["VOUCHER500"]


async def test_an_unaffordable_reward_says_what_is_missing_and_enter_redeems_nothing(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await open_redeem(pilot)
        assert "ขาดอีก 800 แต้ม" in dict(shown(screen))["VOUCHER500"]  # Thai by default
        await highlight(pilot, "VOUCHER500")
        await pilot.press("enter")
        await until(pilot, lambda: message(app, "#redeem-message"), what="the refusal")
        assert message(app, "#redeem-message") == app.tr(
            "redeem.cannot", reward="บัตรกำนัล 500 บาท", n="800"
        )
        assert on(app, RedeemScreen)  # no confirmation, no supervisor
    assert history(ledger) == [("earn", 1000)]


async def test_enter_asks_first_and_esc_changes_nothing(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_redeem(pilot)
        await highlight(pilot, "DISC50")
        await pilot.press("enter")
        await until(pilot, lambda: on(app, RedeemConfirm), what="the confirmation")
        text = screen_text(app)
        assert "08x-xxx-5678" in text
        assert "Reward: 50 THB off (DISC50), 200 pts" in text
        assert "Points: 1,000 -> 800" in text
        assert history(ledger) == [("earn", 1000)]  # nothing until confirmed

        await pilot.press("escape")
        await until(pilot, lambda: on(app, RedeemScreen), what="back to the list")
        assert message(app, "#redeem-message") == app.tr("redeem.cancelled")
        assert app.screen.query_one("#rewards", OptionList).highlighted == 1  # still there
    assert history(ledger) == [("earn", 1000)]
    assert ledger.member(PHONE).balance == 1000


async def test_a_double_enter_opens_one_confirmation_and_confirms_nothing(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        rewards = app.screen.query_one("#rewards", OptionList)
        await until(pilot, lambda: app.focused is rewards, what="focus on the list")
        # Two Enters in one burst (a bouncing key, a scanner's trailing Enter),
        # both read before the confirmation is up.
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("enter", "\r"))
        await until(pilot, lambda: on(app, RedeemConfirm), what="the confirmation")
        for _ in range(5):
            await pilot.pause(0.02)
        assert on(app, RedeemConfirm)
        assert sum(isinstance(s, RedeemConfirm) for s in app.screen_stack) == 1
        assert history(ledger) == [("earn", 1000)]
        # One read while the app was busy putting the confirmation up, handled after.
        late = events.Key("enter", "\r")
        late.time = app.screen.shown_at - 0.01  # type: ignore[attr-defined]
        app.post_message(late)
        for _ in range(5):
            await pilot.pause(0.02)
        assert on(app, RedeemConfirm)
        assert history(ledger) == [("earn", 1000)]
        await pilot.press("enter")  # a key pressed with the confirmation on screen
        await until(pilot, lambda: on(app, CouponDialog), what="the coupon")
    assert history(ledger) == [("redeem", -100), ("earn", 1000)]


async def test_confirm_redeems_exactly_the_reward_shown(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, name="Malee")
    ledger.earn(PHONE, "25000", "SEED-1")
    app = make_app(settings, ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await highlight(pilot, "DISC100")
        await pilot.press("enter")
        await until(pilot, lambda: on(app, RedeemConfirm), what="the confirmation")
        text = screen_text(app)
        assert "08x-xxx-5678 Malee" in text
        assert "ส่วนลด 100 บาท (DISC100)" in text
        assert "1,000 -> 620" in text
        await pilot.press("y")
        await until(pilot, lambda: on(app, CouponDialog), what="the coupon")
    (redeem, _) = ledger.history(PHONE)
    assert (redeem.kind, redeem.points) == ("redeem", -380)
    coupon = ledger.coupon_of(redeem.entry_id)
    assert coupon is not None and coupon.reward_id == "DISC100"
    assert ledger.member(PHONE).balance == 620


async def test_the_supervisor_is_asked_after_the_confirmation(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await highlight(pilot, "PCT10")  # 600 points: above the approval threshold
        await pilot.press("enter")
        await until(pilot, lambda: on(app, RedeemConfirm), what="the confirmation")
        assert app.tr("redeem.confirm_approval") in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: on(app, ApprovalDialog), what="the approval")
        await submit(pilot, "#approver", "sup")
        await submit(pilot, "#approver-pin", "2468")
        await until(pilot, lambda: on(app, CouponDialog), what="the coupon")
    (redeem, _) = ledger.history(PHONE)
    assert (redeem.points, redeem.approver_id) == (-600, "sup")
    assert ledger.coupon_of(redeem.entry_id).reward_id == "PCT10"  # type: ignore[union-attr]


async def test_points_say_what_the_customer_gets_and_print_a_slip(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, name="Malee")
    ledger.earn(PHONE, "25000", "SEED-1")
    printer = SlipCatcher()
    app = make_app(settings, ledger, clock=clock, printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_redeem(pilot)
        await submit(pilot, "#points", "300")
        await until(pilot, lambda: on(app, RedeemConfirm), what="the confirmation")
        text = screen_text(app)
        assert "Customer gets: 300 points off, no cash value; a slip prints" in text
        assert "Points: 1,000 -> 700" in text
        assert history(ledger) == [("earn", 1000)]
        await pilot.press("enter")
        await until(pilot, lambda: on(app, LookupScreen), what="back to lookup")
        await until(pilot, lambda: printer.slips, what="the slip")
    (slip,) = printer.slips
    assert isinstance(slip, SaleSlip)
    assert (slip.points, slip.balance, slip.member_name) == (-300, 700, "Malee")
    assert slip.masked_phone == "08x-xxx-5678"
    assert slip.rules == (("แลก 300 แต้ม",) if slip.language == "th" else ("Redeemed 300 points",))
    assert history(ledger) == [("redeem", -300), ("earn", 1000)]
    assert ledger.spool.jobs(("queued",)) == []
