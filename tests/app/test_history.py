"""The member's whole history from the card (F4): newest first, a screenful
at a time, PgDn older and PgUp newer, stopping cleanly at either end."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import DataTable

from config import Settings, load_settings
from ledger.service import Ledger
from pos.app import PosApp
from pos.screens.history import HistoryScreen
from pos.screens.member import MemberScreen
from tests.app.conftest import PHONE, SIZE, login, message, on, open_card, screen_text, until
from tests.conftest import FakeClock


@pytest.fixture
def settings() -> Settings:
    """A shop in Bangkok (UTC+7); the tests' process runs in UTC."""
    return load_settings(env={"POS_LOCALE__TIMEZONE": "Asia/Bangkok"})


def _rows(app: PosApp) -> list[list[str]]:
    table = app.screen.query_one("#history", DataTable)
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


def _top_is_not(app: PosApp, ref: str) -> Callable[[], bool]:
    return lambda: _rows(app)[0][5] != ref


def _sales(ledger: Ledger, clock: FakeClock, n: int) -> None:
    for i in range(n):
        ledger.earn(PHONE, f"{25 * (i + 1)}.50", f"BILL-{i:03d}", "cash1")
        clock.advance(minutes=5)


async def test_f4_shows_the_history_newest_first_with_what_a_shop_asks(
    app: PosApp, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, name="Somchai", consent=True)
    _sales(ledger, clock, 3)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: on(app, HistoryScreen) and _rows(app), what="the history")
        rows = _rows(app)
        assert [r[5] for r in rows] == ["BILL-002", "BILL-001", "BILL-000"]
        # 15 Jan 2026 03:00 UTC is 10:00 in Bangkok (the shop's zone, not the process's).
        assert rows[2][0] == "15 Jan 2026 10:00"
        assert rows[2][1:] == ["earn", "+1", "THB25.50", "cash1", "BILL-000"]
        assert rows[0][3] == "THB75.50"
        text = screen_text(app)
        assert "History: Somchai" in text and "Page 1: entries 1 to 3" in text

        await pilot.press("f5")  # Thai: the kind, the date and the headings follow
        await until(pilot, lambda: "ประวัติ" in screen_text(app), what="Thai")
        assert _rows(app)[2][1] == "สะสม" and "2569" in _rows(app)[2][0]

        await pilot.press("escape")
        await until(pilot, lambda: on(app, MemberScreen), what="back on the card")
        assert app.focused is app.screen.query_one("#amount")


async def test_pgdn_and_pgup_page_through_and_stop_at_the_ends(
    app: PosApp, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, consent=True)
    _sales(ledger, clock, 40)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: on(app, HistoryScreen) and _rows(app), what="the history")
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        size = screen.rows
        assert 5 <= size < 24  # fits an 80x24 screen: every row shows
        shown = [r[5] for r in _rows(app)]
        await until(  # every row of the page is on screen, none cut off
            pilot, lambda: all(ref in screen_text(app) for ref in shown), what="the rows"
        )

        await pilot.press("pageup")  # already the newest page: says so, stays
        await until(pilot, lambda: "newest page" in message(app, "#history-page"))
        assert [r[5] for r in _rows(app)] == shown

        seen = list(shown)
        while "first entry" not in message(app, "#history-page"):
            before = _rows(app)[0][5]
            await pilot.press("pagedown")
            await until(pilot, _top_is_not(app, before), what="an older page")
            seen += [r[5] for r in _rows(app)]
        assert seen == [f"BILL-{i:03d}" for i in reversed(range(40))]
        last = _rows(app)
        await pilot.press("pagedown")  # past the first entry: stops cleanly
        await until(pilot, lambda: "Nothing older" in message(app, "#history-page"))
        assert _rows(app) == last

        await pilot.press("pageup")
        await until(pilot, lambda: _rows(app) != last, what="the newer page")
        assert _rows(app)[0][5] == seen[-len(last) - size]


async def test_a_member_without_entries_has_an_empty_history(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="[@click=app.quit]x[/]", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: "No entries yet" in screen_text(app), what="empty")
        assert "History: [@click=app.quit]x[/]" in screen_text(app)  # a name, not markup
        await pilot.press("pagedown")
        await until(pilot, lambda: "Nothing older" in message(app, "#history-page"))
        assert on(app, HistoryScreen)
