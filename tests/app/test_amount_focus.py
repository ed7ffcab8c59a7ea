"""The amount field keeps what was typed and refuses what is not an amount;
after an error, focus goes to the field to fix (login, setup wizard)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from config import Settings
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.screens.login import LoginScreen
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.screens.setup import SetupScreen
from tests.app.conftest import (
    PHONE,
    SIZE,
    entries,
    has_focus,
    login,
    message,
    on,
    open_card,
    submit,
    until,
)
from tests.conftest import FakeClock

# -- the amount field ----------------------------------------------------------


async def type_amount(pilot: Pilot[Any], keys: str) -> None:
    """Type key by key, as a cashier does: what the field does with each key
    is the point here (a few keys, so the ~60 ms per press is affordable)."""
    field = pilot.app.screen.query_one("#amount", Input)
    await has_focus(pilot, lambda: field)
    names = {"-": "minus", "+": "plus", ".": "full_stop", ",": "comma"}
    await pilot.press(*[names.get(k, k) for k in keys])
    assert field.value == keys, "the field shows exactly what was typed"
    await pilot.press("enter")


@pytest.mark.parametrize(
    ("keys", "says"),
    [
        ("-5", ["'-5' is negative", "refund is a reversal", "supervisor", "pos reverse"]),
        ("1e3", ["'1e3' is not an amount"]),
        ("1.2.3", ["'1.2.3' is not an amount"]),
        ("+5", ["'+5' is not an amount"]),
        ("0", ["more than zero"]),
        ("2000000", ["2,000,000.00", "largest accepted sale", "1,000,000.00"]),
    ],
)
async def test_a_typed_non_amount_is_refused_and_nothing_is_recorded(
    app: PosApp, ledger: Ledger, keys: str, says: list[str]
) -> None:
    ledger.enroll(PHONE)
    before = entries(ledger)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        await type_amount(pilot, keys)
        await until(pilot, lambda: message(app, "#card-message"), what="refusal")
        shown = message(app, "#card-message")
        for words in says:
            assert words in shown
        assert app.screen.query_one("#card-message").has_class("-error")
        assert on(app, MemberScreen)
        assert app.screen.query_one("#amount", Input).value == keys  # kept, to correct
        await has_focus(pilot, lambda: app.screen.query_one("#amount"))
    assert entries(ledger) == before
    assert ledger.member(PHONE).balance == 0


async def test_the_negative_amount_message_is_in_thai_too(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "th"
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "-5")
        await until(pilot, lambda: message(app, "#card-message"), what="refusal")
        assert message(app, "#card-message") == app.tr("error.amount_negative", value="-5")
        assert "ติดลบ" in message(app, "#card-message")
    assert ledger.history(PHONE) == []


@pytest.mark.parametrize(
    ("typed", "minor"), [("1,000.50", 100050), ("๑๒๕.๕๐", 12550), ("250", 25000)]
)
async def test_thousands_separators_and_thai_digits_are_amounts(
    app: PosApp, ledger: Ledger, typed: str, minor: int
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", typed)
        await until(pilot, lambda: on(app, LookupScreen), what="sale recorded")
    (entry,) = ledger.history(PHONE)
    assert entry.amount_minor == minor


# -- focus after errors: login -------------------------------------------------


async def test_a_wrong_staff_id_puts_focus_back_on_the_id(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, LoginScreen))
        await submit(pilot, "#staff", "cahs1")
        await submit(pilot, "#pin", "1357")
        await until(pilot, lambda: message(app, "#login-message"), what="refusal")
        assert "cahs1" in message(app, "#login-message")
        staff = app.screen.query_one("#staff", Input)
        await has_focus(pilot, lambda: staff)
        assert app.screen.query_one("#pin", Input).value == ""  # a PIN is never kept
        # what the cashier types now replaces the wrong id; it is not lost in the PIN
        await pilot.press(*"cash1")
        assert staff.value == "cash1"
        await pilot.press("enter")
        await has_focus(pilot, lambda: app.screen.query_one("#pin"))
        await submit(pilot, "#pin", "1357")
        await until(pilot, lambda: on(app, LookupScreen), what="logged in")
        assert app.staff is not None and app.staff.staff_id == "cash1"


# -- focus after errors: the setup wizard --------------------------------------


async def wizard_at_step_4(pilot: Pilot[Any], ledger: Ledger) -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await until(pilot, lambda: on(app, SetupScreen))
    await submit(pilot, "#store", "S1")
    await submit(pilot, "#terminal", "T1")
    await until(pilot, lambda: ledger.is_initialized(), what="step 2")
    app.screen.show_step(4)  # type: ignore[attr-defined]
    await has_focus(pilot, lambda: app.screen.query_one("#sup-id"))


async def test_a_too_short_pin_in_the_wizard_puts_focus_on_the_first_pin(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wizard_at_step_4(pilot, empty_ledger)
        app.screen.query_one("#sup-id", Input).value = "boss"
        app.screen.query_one("#sup-pin", Input).value = "12"
        await submit(pilot, "#sup-pin2", "12")
        await until(pilot, lambda: message(app, "#setup-message"), what="short PIN")
        await has_focus(pilot, lambda: app.screen.query_one("#sup-pin"))
        assert app.screen.query_one("#sup-id", Input).value == "boss"  # kept
        assert app.screen.query_one("#sup-pin", Input).value == ""
        assert app.screen.query_one("#sup-pin2", Input).value == ""
        await submit(pilot, "#sup-pin", "2468")
        await has_focus(pilot, lambda: app.screen.query_one("#sup-pin2"))
        await submit(pilot, "#sup-pin2", "2468")
        await until(pilot, lambda: on(app, LoginScreen), what="login after setup")
    assert empty_ledger.staff("boss").role == "supervisor"


async def test_a_bad_supervisor_id_in_the_wizard_puts_focus_on_the_id(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wizard_at_step_4(pilot, empty_ledger)
        app.screen.query_one("#sup-id", Input).value = "x" * 70
        app.screen.query_one("#sup-pin", Input).value = "2468"
        await submit(pilot, "#sup-pin2", "2468")
        await until(pilot, lambda: message(app, "#setup-message"), what="bad id")
        await has_focus(pilot, lambda: app.screen.query_one("#sup-id"))
        assert app.screen.query_one("#sup-id", Input).value == "x" * 70
