"""A member's name added or changed at the counter (card F7), and what the
lookup keeps saying after a sale."""

from __future__ import annotations

from textual.widgets import Input

from ledger.replica import Replica
from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.member_name import NameDialog
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from tests.app.conftest import (
    PHONE,
    SIZE,
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
from tests.conftest import FakeClock

HOSTILE = "[@click=app.quit]x[/] [b]สมชาย"


async def _open_name(pilot, app: PosApp) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f7")
    await until(pilot, lambda: on(app, NameDialog), what="the name dialog")


async def test_f7_adds_a_name_that_shows_literally_and_is_queued_for_head_office(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE, consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        card = await open_card(pilot)
        assert "(no name)" in screen_text(app)
        app.screen.query_one("#amount", Input).value = "120"  # a sale half typed
        await _open_name(pilot, app)
        assert app.screen.query_one("#name", Input).value == ""
        await submit(pilot, "#name", f"  {HOSTILE}  ")
        await until(pilot, lambda: on(app, MemberScreen), what="back on the card")
        assert HOSTILE in text_of(card.query_one("#card-name"))  # as typed, not markup
        assert f"Name saved: {HOSTILE}" in message(app, "#card-message")
        assert card.query_one("#amount", Input).value == "120"  # the sale is still there
        assert app.focused is card.query_one("#amount")
        assert app.is_running  # the [@click=app.quit] did nothing

        # The sale goes on, and its line names the member by the new name.
        await submit(pilot, "#amount", "120")
        await until(pilot, lambda: on(app, LookupScreen), what="lookup")
        await until(pilot, lambda: HOSTILE in message(app, "#lookup-message"))
    assert ledger.member(PHONE).name == HOSTILE
    assert [m["name"] for m in Replica(ledger).outbox().members] == [HOSTILE]


async def test_a_name_refused_stays_in_the_dialog_to_correct_and_esc_changes_nothing(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        await _open_name(pilot, app)
        field = app.screen.query_one("#name", Input)
        assert field.value == "Anan"
        await submit(pilot, "#name", "x" * 81)
        await until(pilot, lambda: "80" in message(app, "#name-message"), what="the refusal")
        assert on(app, NameDialog) and field.value == "x" * 81
        await pilot.press("escape")
        await until(pilot, lambda: on(app, MemberScreen), what="the card")
        assert "Anan" in screen_text(app)
    assert ledger.member(PHONE).name == "Anan"


async def test_an_empty_name_removes_it(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "th"
        await login(pilot)
        await open_card(pilot)
        await _open_name(pilot, app)
        await submit(pilot, "#name", "   ")
        await until(pilot, lambda: on(app, MemberScreen), what="the card")
        assert "ลบชื่อแล้ว" in message(app, "#card-message")
        assert "(ไม่มีชื่อ)" in screen_text(app)
    assert ledger.member(PHONE).name is None


async def test_another_terminals_member_is_not_renamed_here(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    with ledger.core.locked() as conn:  # as a pull from head office writes it
        conn.execute("UPDATE members SET terminal_id = 'T9'")
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        await _open_name(pilot, app)
        await submit(pilot, "#name", "Someone")
        await until(pilot, lambda: "T9" in message(app, "#name-message"), what="the refusal")
    assert ledger.member(PHONE).name == "Anan"


# -- after a sale -------------------------------------------------------------


async def test_the_points_line_stays_until_the_next_phone_is_entered(
    app: PosApp, ledger: Ledger, clock: FakeClock
) -> None:
    """Timers, background sync, the status bar and a slip printed do not clear
    "+N points, balance B (who)"; only the next member's Enter does."""
    ledger.enroll(PHONE, name="Somchai", consent=True)
    ledger.enroll("0899999999", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: on(app, LookupScreen), what="lookup")
        line = "+40 points, balance 40 (Somchai)"
        await until(pilot, lambda: line in message(app, "#lookup-message"), what="the line")

        clock.advance(minutes=10)
        app.print_pending()  # a slip printed after the sale
        app.background_sync()  # a sync (none configured: says so in the status bar)
        app.screen.query_one("StatusBar").refresh()
        await pilot.pause(1.2)  # past the status bar's clock tick
        await settle(pilot)
        assert line in message(app, "#lookup-message")
        assert line in screen_text(app)

        # Typing the next phone leaves it; its Enter opens the next card.
        field = app.screen.query_one("#phone", Input)
        field.value = "0899"
        await settle(pilot)
        assert line in message(app, "#lookup-message")
        await submit(pilot, "#phone", "0899999999")
        await until(pilot, lambda: on(app, MemberScreen), what="the next card")
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen), what="lookup")
        assert message(app, "#lookup-message") == ""
