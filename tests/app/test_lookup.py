"""The lookup screen: phones in any form, and enrolling a new member."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input

from ledger.service import Ledger
from pos.app import PosApp
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.widgets.text import Tr
from tests.app.conftest import (
    E164,
    PHONE,
    SIZE,
    has_focus,
    login,
    members,
    message,
    on,
    open_card,
    screen_text,
    submit,
    text_of,
    until,
)

# -- lookup and enroll ------------------------------------------------------


async def test_invalid_phone_keeps_the_text_and_enrolls_nothing(
    app: PosApp, ledger: Ledger
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"  # the refusal reads in the cashier's language
        await login(pilot)
        await submit(pilot, "#phone", "12345")
        await until(pilot, lambda: message(app, "#lookup-message"), what="message")
        assert "not a valid phone number" in message(app, "#lookup-message")
        assert app.screen.query_one("#lookup-message").has_class("-error")
        assert app.screen.query_one("#phone", Input).value.replace(" ", "") == "12345"
        assert not app.screen.query_one("#enroll").display
        assert on(app, LookupScreen)
    assert members(ledger) == 0


async def test_unknown_phone_offers_enrollment_with_consent(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", PHONE)
        enroll = app.screen.query_one("#enroll")
        await until(pilot, lambda: enroll.display, what="enroll panel")
        assert "08x-xxx-5678" in text_of(app.screen.query_one("#enroll-question", Tr))
        consent = app.screen.query_one("#consent", Checkbox)
        assert consent.value is False
        await pilot.press("c")
        assert consent.value is True
        assert members(ledger) == 0  # nothing until Enter
        await pilot.press("enter")
        await until(pilot, lambda: on(app, MemberScreen), what="card")
        await has_focus(pilot, lambda: app.screen.query_one("#amount"))
        assert "08x-xxx-5678" in screen_text(app)
    member = ledger.member(PHONE)
    assert member.phone == E164
    assert member.consent_at is not None
    assert member.balance == 0
    assert members(ledger) == 1


async def test_enter_without_consent_enrolls_nobody(app: PosApp, ledger: Ledger) -> None:
    """Issue 11: Enter without consent used to enroll (consent_at left empty);
    now nothing about the customer is stored and the offer stays."""
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", PHONE)
        await until(pilot, lambda: app.screen.query_one("#enroll").display)
        await pilot.press("c", "c")  # on, then off again
        await pilot.press("enter")
        await until(pilot, lambda: message(app, "#enroll-message"), what="consent needed")
        assert on(app, LookupScreen)
    assert members(ledger) == 0


async def test_escape_on_the_enroll_offer_enrolls_nothing(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", PHONE)
        await until(pilot, lambda: app.screen.query_one("#enroll").display)
        await pilot.press("escape")
        await until(pilot, lambda: not app.screen.query_one("#enroll").display)
        await has_focus(pilot, lambda: app.screen.query_one("#phone"))
        assert on(app, LookupScreen)
    assert members(ledger) == 0


@pytest.mark.parametrize("typed", ["081-234-5678", "๐๘๑๒๓๔๕๖๗๘", "+66 81 234 5678"])
async def test_known_phone_in_any_form_opens_the_card(
    app: PosApp, ledger: Ledger, typed: str
) -> None:
    ledger.enroll(PHONE, name="Malee")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        card = await open_card(pilot, typed)
        assert card.card.member.phone == E164
        assert "Malee" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
        assert app.screen.query_one("#phone", Input).value == ""  # cleared for the next one
    assert members(ledger) == 1
