"""Logging in and out: wrong PINs, the lockout, and where focus lands."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from ledger.service import Ledger
from pos.app import PosApp
from pos.screens.login import LoginScreen
from tests.app.conftest import (
    SIZE,
    has_focus,
    login,
    message,
    on,
    screen_text,
    submit,
    until,
)

# -- login ------------------------------------------------------------------


async def test_set_up_ledger_goes_straight_to_login(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, LoginScreen))
        await has_focus(pilot, lambda: app.screen.query_one("#staff"))


async def test_wrong_pin_shows_the_message_and_stays(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "#staff", "cash1")
        await submit(pilot, "#pin", "9999")
        await until(pilot, lambda: message(app, "#login-message"), what="refusal")
        assert "PIN ของ cash1 ไม่ถูกต้อง" in message(app, "#login-message")  # Thai: the default
        assert on(app, LoginScreen)
        assert app.staff is None
        assert app.screen.query_one("#pin", Input).value == ""
        await has_focus(pilot, lambda: app.screen.query_one("#pin"))


async def five_wrong_pins(pilot: Pilot[Any]) -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await submit(pilot, "#staff", "cash1")
    for n in range(5):
        await submit(pilot, "#pin", "9999")
        if n < 4:
            await until(pilot, lambda n=n: f"ผิดอีก {4 - n} ครั้ง" in message(app, "#login-message"))
    await until(pilot, lambda: "ลองใหม่ในอีก" in message(app, "#login-message"), what="locked")


async def test_five_wrong_pins_say_the_id_is_locked(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await five_wrong_pins(pilot)
        assert "cash1 ถูกล็อก" in message(app, "#login-message")
        assert on(app, LoginScreen)
        assert app.staff is None


async def test_a_locked_id_cannot_log_in_with_the_right_pin(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await five_wrong_pins(pilot)
        await submit(pilot, "#pin", "1357")
        await pilot.pause(0.3)
        assert on(app, LoginScreen)
        assert "ลองใหม่ในอีก" in message(app, "#login-message")
    locked = ledger.conn.execute("SELECT locked_until FROM staff WHERE staff_id = 'cash1'")
    assert locked.fetchone()[0] is not None


async def test_correct_pin_opens_lookup_with_phone_focused(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        assert app.staff is not None and app.staff.staff_id == "cash1"
        await has_focus(pilot, lambda: app.screen.query_one("#phone"))
        assert "cash1" in screen_text(app)  # the status bar


async def test_log_out_returns_to_login(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: on(app, LoginScreen))
        assert app.staff is None
