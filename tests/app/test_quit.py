"""Ctrl+Q asks before quitting: Y or Enter quits, N or Esc stays, in the
cashier's language; a stray Ctrl+Q never ends the app in a queue."""

from __future__ import annotations

import pytest

from config import Settings
from ledger.service import Ledger
from pos.app import make_app
from pos.dialogs.quit import QuitDialog
from pos.i18n import Translator
from pos.screens.lookup import LookupScreen
from tests.app.conftest import SIZE, login, on, screen_text, until
from tests.conftest import FakeClock


@pytest.mark.parametrize("language", ["th", "en"])
async def test_ctrl_q_asks_and_n_or_esc_stay(
    settings: Settings, ledger: Ledger, clock: FakeClock, language: str
) -> None:
    app = make_app(settings, ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.language = language
        await login(pilot)
        for stay in ("n", "escape"):
            await pilot.press("ctrl+q")
            await until(pilot, lambda: on(app, QuitDialog), what="the question")
            tr = Translator(language)
            text = screen_text(app)
            assert tr("quit.title") in text and tr("quit.hint") in text
            await pilot.press(stay)
            await until(pilot, lambda: on(app, LookupScreen), what="still serving")
            assert app.return_code is None  # still running
        assert app.is_running


@pytest.mark.parametrize("key", ["y", "enter", "ctrl+q"])
async def test_y_enter_or_ctrl_q_again_quits(
    settings: Settings, ledger: Ledger, clock: FakeClock, key: str
) -> None:
    app = make_app(settings, ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: on(app, QuitDialog), what="the question")
        assert app.return_code is None
        await pilot.press(key)
        await until(pilot, lambda: app.return_code == 0, what="the app quitting")
