"""The first-run setup wizard: each step checked, Esc goes back, an
interrupted setup resumes where it stopped."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList

from config import Settings
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.screens.login import LoginScreen
from pos.screens.setup import SetupScreen
from pos.widgets.text import Tr
from tests.app.conftest import (
    SIZE,
    has_focus,
    message,
    on,
    screen_text,
    submit,
    text_of,
    until,
)
from tests.conftest import FakeClock

# -- first start: the setup wizard -------------------------------------------


def step_title(app: PosApp) -> str:
    return text_of(app.screen.query_one("#setup-title", Tr))


def is_step(app: PosApp, n: int) -> bool:
    title = step_title(app)
    return f"step {n} of 4" in title or f"ขั้นที่ {n} จาก 4" in title


async def test_setup_wizard_validates_each_step_and_finishes(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, SetupScreen))
        assert is_step(app, 1)
        await has_focus(pilot, lambda: app.screen.query_one("#store"))

        # step 1: an empty store id is refused, the wizard stays on step 1
        await submit(pilot, "#store", "")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: message(app, "#setup-message"), what="error")
        assert "store id" in message(app, "#setup-message")
        assert app.screen.query_one("#setup-message").has_class("-error")
        assert is_step(app, 1)
        assert not empty_ledger.is_initialized()

        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2), what="step 2")
        assert empty_ledger.terminal() == ("S1", "T1")
        assert message(app, "#setup-message") == ""

        # step 2: language (English, the second option)
        languages = app.screen.query_one("#language", OptionList)
        await has_focus(pilot, lambda: languages)
        languages.highlighted = 1
        await pilot.press("enter")
        await until(pilot, lambda: is_step(app, 3), what="step 3")
        assert app.language == "en"
        assert empty_ledger.pref("language") == "en"
        assert "step 3 of 4" in step_title(app)

        # step 3: printer: only 'preview' is accepted for now
        assert "TEST PRINT" in text_of(app.screen.query_one("#test-print"))
        await submit(pilot, "#printer", "tcp://10.0.0.9:9100")
        assert "preview" in message(app, "#setup-message")
        assert is_step(app, 3)
        assert empty_ledger.pref("printer_url") is None
        await submit(pilot, "#printer", "preview")
        await until(pilot, lambda: is_step(app, 4), what="step 4")
        assert empty_ledger.pref("printer_url") == "preview"

        # step 4: the PINs must match ...
        app.screen.query_one("#sup-id", Input).value = "boss"
        app.screen.query_one("#sup-pin", Input).value = "2468"
        await submit(pilot, "#sup-pin2", "2469")
        assert "differ" in message(app, "#setup-message")
        assert not empty_ledger.setup_complete()
        # ... and not be trivial
        app.screen.query_one("#sup-pin", Input).value = "1234"
        await submit(pilot, "#sup-pin2", "1234")
        await until(pilot, lambda: "1234" in message(app, "#setup-message"), what="weak PIN")
        assert is_step(app, 4)
        assert not empty_ledger.setup_complete()

        app.screen.query_one("#sup-pin", Input).value = "2468"
        await submit(pilot, "#sup-pin2", "2468")
        await until(pilot, lambda: on(app, LoginScreen), what="login after setup")
        assert empty_ledger.setup_complete()
        assert empty_ledger.staff("boss").role == "supervisor"
        assert empty_ledger.authenticate("boss", "2468").staff_id == "boss"
        assert empty_ledger.pref("setup_step") == "done"
        assert "Staff login" in screen_text(app)


async def test_setup_escape_goes_back_a_step(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2))
        await pilot.press("escape")
        await until(pilot, lambda: is_step(app, 1))
        assert app.screen.query_one("#store", Input).value == "S1"


async def test_interrupted_setup_resumes_where_it_stopped(
    settings: Settings, db_path: Path, clock: FakeClock
) -> None:
    first = Ledger.open(db_path, settings, clock=clock)
    app = make_app(settings, first, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2))
        app.screen.query_one("#language", OptionList).highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: is_step(app, 3))
        await pilot.press("ctrl+q")
    first.close()

    again = Ledger.open(db_path, settings, clock=clock)
    try:
        assert not again.setup_complete()
        app = make_app(settings, again, clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: on(app, SetupScreen))
            screen = app.screen
            assert isinstance(screen, SetupScreen)
            assert screen.step >= 2
            assert not is_step(app, 1)
            assert screen.query_one("#store", Input).value == "S1"
            assert app.language == "th"  # chosen at step 2, remembered
    finally:
        again.close()
