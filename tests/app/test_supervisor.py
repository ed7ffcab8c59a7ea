"""The supervisor screen (F9 and a supervisor PIN): reverse, adjust, staff,
the day summary."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TabbedContent

from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.reverse import ReverseDialog
from pos.screens.login import LoginScreen
from pos.screens.lookup import LookupScreen
from pos.screens.supervisor import SupervisorScreen
from pos.widgets.text import Tr
from tests.app.conftest import (
    PHONE,
    SIZE,
    entries,
    has_focus,
    login,
    message,
    on,
    screen_text,
    settle,
    submit,
    until,
)

# -- supervisor ----------------------------------------------------------------


async def open_supervisor(pilot: Pilot[Any], staff: str = "sup", pin: str = "2468") -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await pilot.press("f9")
    await until(pilot, lambda: on(app, ApprovalDialog), what="approval dialog")
    assert isinstance(app.screen, ApprovalDialog) and app.screen.check
    await submit(pilot, "#approver", staff)
    await submit(pilot, "#approver-pin", pin)


async def test_f9_needs_a_supervisor_pin(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"  # the words below are English; Thai: tests/app/test_approval_pin.py
        await login(pilot)
        await open_supervisor(pilot, "cash1", "1357")
        await until(pilot, lambda: message(app, "#approval-message"), what="refusal")
        assert "cashier" in message(app, "#approval-message")
        assert on(app, ApprovalDialog)
        await submit(pilot, "#approver-pin", "0000")
        await until(pilot, lambda: "Wrong PIN" in message(app, "#approval-message"))
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))


async def test_f9_is_not_offered_before_login(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert on(app, LoginScreen)


async def test_supervisor_reverses_the_selected_entry(
    app: PosApp, ledger: Ledger, rich_member: str
) -> None:
    newest = ledger.recent_entries(1)[0]
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen), what="supervisor screen")
        table = app.screen.query_one("#entries", DataTable)
        await until(pilot, lambda: table.row_count == 3, what="entries loaded")
        await until(pilot, lambda: app.focused is table, what="entries focused")
        assert table.cursor_row == 0
        await submit(pilot, "#reverse-reason", "wrong bill")
        # A reversal is confirmed first (pos.dialogs.reverse): Enter reverses.
        await until(pilot, lambda: on(app, ReverseDialog), what="confirmation")
        await pilot.press("enter")
        await until(pilot, lambda: table.row_count == 4, what="reloaded entries")
        assert "-60" in message(app, "#sup-message")
    reverse = ledger.history(rich_member)[0]
    assert (reverse.kind, reverse.reverses, reverse.points) == ("reverse", newest.entry_id, -60)
    assert (reverse.approver_id, reverse.reason) == ("sup", "wrong bill")
    assert ledger.member(rich_member).balance == 300


async def test_reverse_without_a_reason_is_refused(
    app: PosApp, ledger: Ledger, rich_member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        await pilot.press("f4")
        await until(pilot, lambda: message(app, "#sup-message"))
        assert "ต้องระบุเหตุผล" in message(app, "#sup-message")  # Thai: the default
        await has_focus(pilot, lambda: app.screen.query_one("#reverse-reason"))
    assert ledger.member(rich_member).balance == 360
    assert entries(ledger) == 3


async def test_supervisor_adjusts_points(app: PosApp, ledger: Ledger, rich_member: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        app.screen.query_one("#sup-tabs", TabbedContent).active = "tab-adjust"
        await pilot.pause()
        await submit(pilot, "#adjust-phone", rich_member)
        await has_focus(pilot, lambda: app.screen.query_one("#adjust-points"))
        await submit(pilot, "#adjust-points", "+50")
        await has_focus(pilot, lambda: app.screen.query_one("#adjust-reason"))
        await submit(pilot, "#adjust-reason", "goodwill")
        await until(pilot, lambda: "410" in message(app, "#sup-message"))
        assert app.screen.query_one("#adjust-phone", Input).value == ""
    adjust = ledger.history(rich_member)[0]
    assert (adjust.kind, adjust.points, adjust.approver_id, adjust.reason) == (
        "adjust",
        50,
        "sup",
        "goodwill",
    )
    assert ledger.member(rich_member).balance == 410


async def test_supervisor_adds_a_cashier(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        app.screen.query_one("#sup-tabs", TabbedContent).active = "tab-staff"
        await pilot.pause()
        await submit(pilot, "#staff-id", "cash2")
        await submit(pilot, "#staff-name", "Cashier Two")
        assert app.screen.query_one("#staff-role", Input).value == "แคชเชียร์"  # Thai: the default
        await submit(pilot, "#staff-role", "cashier")
        await has_focus(pilot, lambda: app.screen.query_one("#staff-pin"))
        await submit(pilot, "#staff-pin", "8642")
        await until(pilot, lambda: "cash2" in message(app, "#sup-message"))
        assert app.screen.query_one("#staff-pin", Input).value == ""
    staff = ledger.staff("cash2")
    assert (staff.role, staff.name) == ("cashier", "Cashier Two")
    assert ledger.authenticate("cash2", "8642").staff_id == "cash2"


async def test_day_summary_lists_todays_entries(app: PosApp, ledger: Ledger, member: str) -> None:
    ledger.redeem(PHONE, ref="R-1", points=100)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        app.screen.query_one("#sup-tabs", TabbedContent).active = "tab-summary"
        await pilot.pause()
        table = app.screen.query_one("#summary", DataTable)
        assert table.row_count > 0
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        # points per kind, in the app's language (Thai here); tests/app/test_close_tab.py has more
        assert ["สะสม", "1", "+1,000"] in rows
        assert ["แลก", "1", "-100"] in rows
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))


async def test_f5_relabels_the_supervisor_screen(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        assert "รายการ" in screen_text(app)
        await pilot.press("f5")
        await until(pilot, lambda: app.screen.query_one(Tr).render().plain.startswith("Select"))
        await settle(pilot)
        tabs = app.screen.query_one("#sup-tabs", TabbedContent)
        assert str(tabs.get_tab("tab-entries").label) == "Entries"
        assert str(tabs.get_tab("tab-adjust").label) == "Adjust"
        columns = app.screen.query_one("#entries", DataTable).ordered_columns
        assert str(columns[0].label) == "Time"
