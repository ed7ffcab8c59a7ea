"""Typing ahead: keys typed while a screen changes reach the screen they were
meant for, in order (a barcode scanner or a fast cashier types "phone Enter
amount Enter" faster than the card comes up).

The keys are posted to the app in one go, as a terminal delivers a burst:
``pilot.press`` waits for the app to go idle after every key, so it cannot."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.coupon import CouponDialog
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from tests.app.conftest import (
    PHONE,
    SIZE,
    entries,
    login,
    members,
    message,
    on,
    settle,
    until,
)

OTHER = "0898765432"


def burst(app: PosApp, keys: list[str]) -> None:
    """Post keys to the app at once, as they come from a scanner: single
    characters are typed, anything longer is a key name ("enter", "escape")."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(key, key))
        else:
            app.post_message(events.Key(key, "\r" if key == "enter" else None))


def sale(phone: str, amount: str) -> list[str]:
    return [*phone, "enter", *amount, "enter"]


def earns(ledger: Ledger) -> list[tuple[str, int, int]]:
    rows = ledger.conn.execute(
        "SELECT m.phone, e.amount_minor, e.points FROM entries e JOIN members m"
        " ON m.member_id = e.member_id WHERE e.kind = 'earn' ORDER BY e.seq"
    ).fetchall()
    return [(str(phone), int(amount), int(points)) for phone, amount, points in rows]


async def back_on_lookup(pilot: Pilot[Any], sales: int, ledger: Ledger) -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await until(
        pilot,
        lambda: (
            len(earns(ledger)) == sales
            and on(app, LookupScreen)
            and message(app, "#lookup-message")
        ),
        what=f"{sales} sales and the lookup screen",
    )


async def test_phone_enter_amount_enter_in_one_burst_is_one_sale(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        burst(app, sale(PHONE, "350"))
        await back_on_lookup(pilot, 1, ledger)
        assert "+14" in message(app, "#lookup-message")
        assert app.screen.query_one("#phone", Input).value == ""
    assert earns(ledger) == [("+66812345678", 35000, 14)]


async def test_sales_typed_back_to_back_each_reach_their_member(
    app: PosApp, ledger: Ledger
) -> None:
    """The next phone typed right after a sale's Enter goes to the lookup
    screen that comes back, not into the card's amount field."""
    ledger.enroll(PHONE)
    ledger.enroll(OTHER)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        burst(app, sale(PHONE, "350") + sale(OTHER, "1000") + sale(PHONE, "25"))
        await back_on_lookup(pilot, 3, ledger)
        assert "+1" in message(app, "#lookup-message")  # the last sale: 25 THB, 1 point
    assert earns(ledger) == [
        ("+66812345678", 35000, 14),
        ("+66898765432", 100000, 40),
        ("+66812345678", 2500, 1),
    ]


async def test_an_unknown_phone_drops_the_amount_typed_after_it(
    app: PosApp, ledger: Ledger
) -> None:
    """The amount and its Enter were for a card: they must not enroll anyone
    nor tick the consent box; Esc after a pause still closes the offer."""
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        burst(app, [*sale(PHONE, "350"), "c", "enter"])
        enroll = app.screen.query_one("#enroll")
        await until(pilot, lambda: enroll.display, what="enroll offer")
        await pilot.pause(0.3)
        await settle(pilot)
        assert enroll.display
        assert app.screen.query_one("#consent", Checkbox).value is False
        assert app.focused is app.screen.query_one("#consent")
        await pilot.press("escape")  # after a pause: acts as usual
        await until(pilot, lambda: not enroll.display, what="offer closed")
        assert on(app, LookupScreen)
    assert members(ledger) == 0
    assert entries(ledger) == 0


async def test_an_invalid_phone_keeps_what_was_typed_and_drops_the_amount(
    app: PosApp, ledger: Ledger
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"  # the refusal reads in the cashier's language
        await login(pilot)
        burst(app, sale("12345", "350"))
        await until(pilot, lambda: message(app, "#lookup-message"), what="message")
        await pilot.pause(0.3)
        await settle(pilot)
        assert "not a valid phone number" in message(app, "#lookup-message")
        assert app.screen.query_one("#phone", Input).value.replace(" ", "") == "12345"
        assert on(app, LookupScreen)
    assert entries(ledger) == 0


async def test_escape_typed_ahead_closes_the_card_it_was_meant_for(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        burst(app, [*PHONE, "enter", *"35", "escape"])
        await until(pilot, lambda: app.screen.is_current and on(app, LookupScreen))
        await pilot.pause(0.2)
        await settle(pilot)
        assert on(app, LookupScreen)
        assert app.screen.query_one("#phone", Input).value == ""
        assert app.focused is app.screen.query_one("#phone")
    assert entries(ledger) == 0


async def test_staff_pin_and_a_phone_typed_in_one_go_log_in_and_look_up(
    app: PosApp, ledger: Ledger
) -> None:
    """The PIN goes to the PIN field, not the staff id; the phone typed while
    the PIN is checked goes to the lookup screen."""
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.query("#staff"), what="login screen")
        await settle(pilot)
        burst(app, [*"cash1", "enter", *"1357", "enter", *PHONE, "enter"])
        await until(pilot, lambda: on(app, MemberScreen), what="member card")
        assert app.focused is app.screen.query_one("#amount")
    assert app.staff is not None and app.staff.staff_id == "cash1"


async def test_keys_typed_after_a_coupon_never_reach_its_dialog(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    """Enter in the coupon dialog marks the coupon used: an Enter typed ahead
    (meant for a card) must not."""
    coupon = ledger.redeem(PHONE, ref="R-SEED", reward_id="COFFEE").coupon
    assert coupon is not None
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        burst(app, [*coupon.code, "enter", *"350", "enter"])
        await until(pilot, lambda: on(app, CouponDialog), what="coupon dialog")
        await pilot.pause(0.3)
        await settle(pilot)
        assert on(app, CouponDialog)
        assert ledger.check_coupon(coupon.code).status == "issued"
        await pilot.press("enter")  # after a pause: the cashier's own Enter
        await until(pilot, lambda: on(app, LookupScreen))
    assert ledger.check_coupon(coupon.code).status == "used"


async def test_keys_typed_after_a_refused_amount_never_land_in_the_amount(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        burst(app, [*sale(PHONE, "-5"), *OTHER, "enter"])
        await until(pilot, lambda: on(app, MemberScreen) and message(app, "#card-message"),
                    what="the card's refusal")  # fmt: skip
        await settle(pilot)
        # The refusal stops the burst: the next phone is not typed into the amount,
        # and its Enter records nothing.
        assert app.screen.query_one("#amount", Input).value == "-5"
        assert earns(ledger) == []
