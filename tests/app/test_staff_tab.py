"""The supervisor screen's Staff tab: the list with roles and states in the
app's language, and what an admin does from it (deactivate, reactivate, a
new PIN typed twice, unlock). A supervisor's credentials get the ledger's
refusal; a deactivated id cannot log in or approve in the app."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from ledger.errors import StaffLocked, WrongPin
from ledger.models import Credentials
from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.approval import ApprovalDialog
from pos.screens.login import LoginScreen
from pos.screens.lookup import LookupScreen
from pos.screens.supervisor import SupervisorScreen
from tests.app.conftest import SIZE, login, message, on, screen_text, settle, submit, until
from tests.app.test_approval_pin import ask_approval_for_600
from tests.app.test_supervisor import open_supervisor


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    ledger.add_staff("boss", "admin", "7193", "สมศรี เจ้าของร้าน")
    return ledger


async def staff_tab(pilot: Pilot[Any], staff: str = "boss", pin: str = "7193") -> DataTable[Any]:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await login(pilot, "sup", "2468")  # cash1 may be locked
    await open_supervisor(pilot, staff, pin)
    await until(pilot, lambda: on(app, SupervisorScreen), what="supervisor screen")
    app.screen.query_one("#sup-tabs", TabbedContent).active = "tab-staff"
    await settle(pilot)
    table = app.screen.query_one("#staff-list", DataTable)
    await until(pilot, lambda: table.row_count == 3, what="the staff list")
    return table


def rows(table: DataTable[Any]) -> dict[str, list[str]]:
    found = {}
    for i in range(table.row_count):
        row = [str(c) for c in table.get_row_at(i)]
        found[row[0]] = row
    return found


async def choose(pilot: Pilot[Any], table: DataTable[Any], staff_id: str) -> None:
    table.focus()
    table.move_cursor(row=table.get_row_index(staff_id))
    await settle(pilot)


async def test_the_list_shows_everyone_with_role_and_state_in_thai(
    app: PosApp, shop: Ledger
) -> None:
    for _ in range(5):
        with pytest.raises((WrongPin, StaffLocked)):
            shop.authenticate("cash1", "9999")
    async with app.run_test(size=SIZE) as pilot:
        table = await staff_tab(pilot)
        listed = rows(table)
        assert listed["boss"] == ["boss", "สมศรี เจ้าของร้าน", "ผู้ดูแล", "ใช้งานได้"]
        assert listed["sup"][2:] == ["หัวหน้า", "ใช้งานได้"]
        assert listed["cash1"][2] == "แคชเชียร์" and listed["cash1"][3].startswith("ล็อกถึง ")
        text = screen_text(app)
        assert "F2" in text and "F3" in text and "F7" in text  # the tab's keys, in the footer
        await pilot.press("f5")
        await until(pilot, lambda: rows(table)["sup"][2:] == ["supervisor", "active"])


async def test_an_admin_deactivates_a_cashier_who_then_cannot_log_in(
    app: PosApp, shop: Ledger
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        table = await staff_tab(pilot)
        await choose(pilot, table, "cash1")
        await pilot.press("f2")
        await until(pilot, lambda: "again" in message(app, "#sup-message"))
        assert shop.staff_list()[1].state == "active"  # one press changes nothing
        await pilot.press("f2")
        await until(pilot, lambda: rows(table)["cash1"][3] == "deactivated")
        assert "no more log-ins" in message(app, "#sup-message")
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
        await pilot.press("ctrl+l")
        await until(pilot, lambda: on(app, LoginScreen))
        await submit(pilot, "#staff", "cash1")
        await submit(pilot, "#pin", "1357")
        await until(pilot, lambda: "deactivated" in message(app, "#login-message"))
        assert "boss" in message(app, "#login-message")
        assert on(app, LoginScreen)
    assert [(e.event, e.by) for e in shop.pin_events("cash1")] == [("deactivated", "boss")]


async def test_a_supervisor_cannot_deactivate_or_unlock_from_the_tab(
    app: PosApp, shop: Ledger
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        table = await staff_tab(pilot, "sup", "2468")
        await choose(pilot, table, "cash1")
        await pilot.press("f2", "f2")
        await until(pilot, lambda: "only an admin" in message(app, "#sup-message"))
        await pilot.press("f7")
        await until(pilot, lambda: "lift a PIN lock" in message(app, "#sup-message"))
    assert {m.staff_id: m.state for m in shop.staff_list()}["cash1"] == "active"
    assert shop.pin_events("cash1") == []


async def test_a_new_pin_is_typed_twice_and_checked(app: PosApp, shop: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        table = await staff_tab(pilot)
        await choose(pilot, table, "cash1")
        await pilot.press("f3")
        await until(pilot, lambda: app.focused is app.screen.query_one("#reset-pin"))
        assert "cash1" in screen_text(app)
        await submit(pilot, "#reset-pin", "5831")
        await submit(pilot, "#reset-again", "5832")
        await until(pilot, lambda: "differ" in message(app, "#sup-message"))
        await submit(pilot, "#reset-pin", "1234")
        await submit(pilot, "#reset-again", "1234")
        await until(pilot, lambda: "PIN" in message(app, "#sup-message")
                    and "differ" not in message(app, "#sup-message"))  # fmt: skip
        assert shop.authenticate("cash1", "1357").staff_id == "cash1"  # weak: nothing changed
        await submit(pilot, "#reset-pin", "5831")
        await submit(pilot, "#reset-again", "5831")
        await until(pilot, lambda: "cash1 has a new PIN" in message(app, "#sup-message"))
    with pytest.raises(WrongPin):
        shop.authenticate("cash1", "1357")
    assert shop.authenticate("cash1", "5831").staff_id == "cash1"
    first = shop.pin_events("cash1")[0]
    assert (first.event, first.by) == ("pin_reset", "boss")


async def test_an_admin_unlocks_a_locked_cashier(app: PosApp, shop: Ledger) -> None:
    for _ in range(5):
        with pytest.raises((WrongPin, StaffLocked)):
            shop.authenticate("cash1", "9999")
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        table = await staff_tab(pilot)
        await choose(pilot, table, "cash1")
        await pilot.press("f7")
        await until(pilot, lambda: rows(table)["cash1"][3] == "active")
    assert shop.authenticate("cash1", "1357").staff_id == "cash1"


async def test_a_deactivated_supervisor_cannot_open_the_supervisor_screen(
    app: PosApp, shop: Ledger
) -> None:
    shop.deactivate_staff("sup", Credentials("boss", "7193"))
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_supervisor(pilot, "sup", "2468")
        await until(pilot, lambda: "deactivated" in message(app, "#approval-message"))
        assert on(app, ApprovalDialog)


async def test_a_deactivated_supervisor_cannot_approve_a_redemption(
    app: PosApp, shop: Ledger, member: str
) -> None:
    shop.deactivate_staff("sup", Credentials("boss", "7193"))
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await ask_approval_for_600(pilot)
        await submit(pilot, "#approver", "sup")
        await submit(pilot, "#approver-pin", "2468")
        await until(pilot, lambda: "deactivated" in message(app, "#approval-message"))
        assert "boss" in message(app, "#approval-message") and on(app, ApprovalDialog)
        await submit(pilot, "#approver", "boss")  # the admin approves instead
        await submit(pilot, "#approver-pin", "7193")
        await until(pilot, lambda: on(app, LookupScreen), what="redeemed")
    assert shop.member(member).balance == 400
    assert shop.history(member)[0].approver_id == "boss"


async def test_a_role_typed_in_thai_adds_that_role_and_says_it_in_thai(
    app: PosApp, shop: Ledger
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        app.language = "th"
        await staff_tab(pilot)
        assert app.screen.query_one("#staff-role").value == "แคชเชียร์"  # type: ignore[attr-defined]
        app.screen.query_one("#staff-id").value = "sup2"  # type: ignore[attr-defined]
        app.screen.query_one("#staff-name").value = "มานี"  # type: ignore[attr-defined]
        app.screen.query_one("#staff-role").value = "หัวหน้า"  # type: ignore[attr-defined]
        await submit(pilot, "#staff-pin", "8264")
        await until(pilot, lambda: "sup2" in message(app, "#sup-message"), what="added")
        said = message(app, "#sup-message")
        assert "หัวหน้า" in said and "supervisor" not in said
    assert shop.staff("sup2").role == "supervisor"
