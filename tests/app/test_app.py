"""App-wide: the language key (F5) and what head office's sync says."""

from __future__ import annotations

from textual.widgets import Input

from config import Settings
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.screens.login import LoginScreen
from pos.widgets.text import Tr
from tests.app.conftest import (
    SIZE,
    login,
    on,
    screen_text,
    text_of,
    until,
)
from tests.conftest import FakeClock

# -- language -----------------------------------------------------------------


async def test_f5_switches_language_for_the_session_only(
    settings: Settings, app: PosApp, ledger: Ledger, clock: FakeClock
) -> None:
    """F5 is for the cashier at the till now; the terminal's language (the
    setup wizard's, else locale.language) is what the next start shows."""
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, LoginScreen))
        title = app.screen.query_one("#login-box Tr.title", Tr)
        assert app.language == "th"
        assert text_of(title) == "เข้าสู่ระบบพนักงาน"
        await pilot.press("f5")
        await until(pilot, lambda: text_of(title) == "Staff login")
        assert app.screen.query_one("#staff", Input).placeholder == "Staff id"
        await login(pilot)
        await pilot.press("f5")
        await until(pilot, lambda: text_of(app.screen.query_one("Tr.title")) == "ค้นหาสมาชิก")
        await pilot.press("f5")
        await until(pilot, lambda: text_of(app.screen.query_one("Tr.title")) == "Member lookup")
    assert ledger.pref("language") is None  # nothing saved
    # a new app (a restart) starts in the terminal's language again
    again = make_app(settings, ledger, clock=clock)
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(again, LoginScreen))
        assert again.language == "th"
        assert "เข้าสู่ระบบพนักงาน" in screen_text(again)


async def test_the_language_the_wizard_saved_is_the_terminals_default(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    """The setup wizard's choice outlives an F5: it is the terminal's setting."""
    ledger.set_pref("language", "en")  # what the wizard saves
    app = make_app(settings, ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, LoginScreen))
        assert app.language == "en"
        await pilot.press("f5")
        await until(pilot, lambda: app.language == "th")
    again = make_app(settings, ledger, clock=clock)
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(again, LoginScreen))
        assert again.language == "en"
        assert "Staff login" in screen_text(again)


async def test_conflicts_head_office_reports_are_shown_as_a_toast(app: PosApp) -> None:
    notices = [
        "Head office: member 08x-xxx-5678 is at -60 points after redemptions at more than "
        "one terminal (recorded as a conflict).",
        "Head office: 1 coupon(s) used here were already used at another terminal "
        "(recorded as a conflict).",
    ]
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        app._synced(False, None, notices)
        await pilot.pause(0.05)
        shown = [(n.title, n.message) for n in app._notifications]
        assert (app.tr("sync.conflicts"), notices[0] + " (+1)") in shown
        app._synced(False, None, [])
        await pilot.pause(0.05)
        assert len(app._notifications) == len(shown)  # nothing new, nothing shown


async def test_sync_warnings_are_shown_once_while_they_last(app: PosApp) -> None:
    """A till clock 2 hours off or rules it cannot load: the cashier hears it
    after the sync that found it, not every few minutes while it lasts."""
    skew = "This terminal's clock is 2 h 0 min behind head office's: set the clock."
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        before = len(app._notifications)
        app._synced(False, None, [], [skew])
        await pilot.pause(0.05)
        assert [n.message for n in app._notifications][before:] == [skew]
        app._synced(False, None, [], [skew])
        await pilot.pause(0.05)
        assert len(app._notifications) == before + 1
        app._synced(False, None, [], [])  # set right
        app._synced(False, None, [], [skew])  # and wrong again
        await pilot.pause(0.05)
        assert len(app._notifications) == before + 2
