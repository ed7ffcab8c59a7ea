"""The member card: a sale adds points once; refusals and bugs during a sale
are shown and never end the app."""

from __future__ import annotations

from typing import Any

import pytest
from textual.color import Color
from textual.pilot import Pilot
from textual.widgets import Input

from ledger.errors import DatabaseUnavailable
from ledger.service import Ledger
from pos.app import PosApp
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from tests.app.conftest import (
    PHONE,
    SIZE,
    has_focus,
    login,
    message,
    on,
    open_card,
    screen_text,
    settle,
    submit,
    text_of,
    until,
)

# -- sale ---------------------------------------------------------------------


async def test_sale_adds_points_and_returns_to_lookup(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: on(app, LookupScreen), what="back on lookup")
        await until(pilot, lambda: "+40" in message(app, "#lookup-message"))
        await has_focus(pilot, lambda: app.screen.query_one("#phone"))
        assert app.screen.query_one("#phone", Input).value == ""
    assert ledger.member(PHONE).balance == 40
    (entry,) = ledger.history(PHONE)
    assert (entry.kind, entry.points, entry.amount_minor) == ("earn", 40, 100000)
    assert entry.cashier_id == "cash1"
    assert entry.ref and entry.ref.startswith("T1-")


async def test_sale_with_a_typed_bill_number_uses_it(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await pilot.press("f3")
        await has_focus(pilot, lambda: app.screen.query_one("#ref"))
        await submit(pilot, "#ref", "INV-0042")
        await has_focus(pilot, lambda: app.screen.query_one("#amount"))
        await submit(pilot, "#amount", "250.50")
        await until(pilot, lambda: on(app, LookupScreen))
    (entry,) = ledger.history(PHONE)
    assert (entry.ref, entry.points, entry.amount_minor) == ("INV-0042", 10, 25050)


@pytest.mark.parametrize(("amount", "why"), [("-5", "negative"), ("2.505", "decimals")])
async def test_invalid_amount_is_refused_on_the_card(
    app: PosApp, ledger: Ledger, amount: str, why: str
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"  # the words below are English; Thai: tests/app/test_amount_focus.py
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", amount)
        await until(pilot, lambda: message(app, "#card-message"), what="error")
        assert why in message(app, "#card-message")
        assert app.screen.query_one("#card-message").has_class("-error")
        assert on(app, MemberScreen)
        await has_focus(pilot, lambda: app.screen.query_one("#amount"))
        # the card is usable again after a refusal
        await submit(pilot, "#amount", "100")
        await until(pilot, lambda: on(app, LookupScreen))
    assert [e.points for e in ledger.history(PHONE)] == [4]


async def test_empty_amount_asks_for_one(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "")
        assert message(app, "#card-message") == app.tr("error.amount_empty")
        assert on(app, MemberScreen)
    assert ledger.history(PHONE) == []


async def test_double_enter_on_the_amount_adds_points_once(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        field = app.screen.query_one("#amount", Input)
        field.value = "1000"
        await pilot.pause()
        await pilot.press("enter", "enter")
        await until(pilot, lambda: on(app, LookupScreen))
        await pilot.pause(0.1)
    assert ledger.member(PHONE).balance == 40
    assert len(ledger.history(PHONE)) == 1


async def test_a_retried_sale_reuses_the_ref_and_adds_nothing(app: PosApp, ledger: Ledger) -> None:
    """The card makes its ref once: if the first Enter reached the ledger but
    the screen never heard back, the retry is recognised as the same sale."""
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        card = await open_card(pilot)
        ledger.earn(PHONE, "1000", card.sale_ref, "cash1")  # the "lost" first attempt
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: on(app, LookupScreen))
        await until(pilot, lambda: card.sale_ref in message(app, "#lookup-message"))
        assert "+40" not in message(app, "#lookup-message")
    assert ledger.member(PHONE).balance == 40
    assert len(ledger.history(PHONE)) == 1


async def test_escape_leaves_the_card_without_a_sale(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        app.screen.query_one("#amount", Input).value = "1000"
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
        assert message(app, "#lookup-message") == ""
    assert ledger.history(PHONE) == []


async def test_f5_relabels_the_member_card(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="Malee")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        balance = app.screen.query_one("#card-balance")
        assert text_of(balance).startswith("แต้มคงเหลือ")
        await pilot.press("f5")
        await until(pilot, lambda: text_of(balance).startswith("Balance"))
        assert app.screen.query_one("#amount", Input).placeholder == "Sale amount"


async def test_the_card_shown_again_takes_a_theme_changed_meanwhile(
    app: PosApp, ledger: Ledger
) -> None:
    """The card screen is kept and shown again for each member without
    restyling it; a theme chosen while it was away still reaches it."""
    ledger.enroll(PHONE, name="Malee")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        card = await open_card(pilot)
        dark = card.styles.background
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
        app.theme = "textual-light"
        await settle(pilot)
        assert await open_card(pilot) is card
        light = Color.parse(app.get_css_variables()["background"])
        assert card.styles.background == light != dark


# -- errors never end the app ----------------------------------------------------


async def test_a_ledger_refusal_in_a_sale_shows_a_message(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.enroll(PHONE)

    def unavailable(*args: object, **kwargs: object) -> None:
        raise DatabaseUnavailable("The ledger database is locked: try again.")

    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"  # the refusal reads in the cashier's language
        await login(pilot)
        await open_card(pilot)
        monkeypatch.setattr(ledger, "earn", unavailable)
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: "locked" in message(app, "#card-message"))
        assert on(app, MemberScreen)
        assert app.return_code is None
        monkeypatch.undo()
        await submit(pilot, "#amount", "1000")  # the retry goes through
        await until(pilot, lambda: on(app, LookupScreen))
    assert ledger.member(PHONE).balance == 40


def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("disk on fire")


async def workers_done(pilot: Pilot[Any]) -> None:
    await until(pilot, lambda: all(w.is_finished for w in pilot.app.workers), what="workers")


async def test_an_unexpected_error_does_not_end_the_app(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        monkeypatch.setattr(ledger, "earn", broken)
        await submit(pilot, "#amount", "1000")
        await workers_done(pilot)
        await pilot.pause(0.05)
        assert on(app, MemberScreen)
        assert app.return_code is None
        assert "disk on fire" not in screen_text(app)
        assert "Traceback" not in screen_text(app)
    assert ledger.history(PHONE) == []


async def test_an_unexpected_error_is_shown_as_a_toast(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        monkeypatch.setattr(ledger, "earn", broken)
        await submit(pilot, "#amount", "1000")
        await workers_done(pilot)
        await pilot.pause(0.05)
        messages = [n.message for n in app._notifications]
        assert app.tr("error.unexpected") in messages


async def test_the_sale_can_be_retried_after_an_unexpected_error(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        monkeypatch.setattr(ledger, "earn", broken)
        await submit(pilot, "#amount", "1000")
        await workers_done(pilot)
        monkeypatch.undo()
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: on(app, LookupScreen), timeout=1.5)
    assert ledger.member(PHONE).balance == 40
