"""The enroll offer: without consent nothing about the customer is stored, the
box reads ticked or not at a glance (in words, in both languages), and a yes
is stored with its time and what it covers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox

from ledger.members import CONSENT_SCOPE
from ledger.service import Ledger
from pos.app import PosApp
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from tests.app.conftest import (
    PHONE,
    SIZE,
    has_focus,
    login,
    members,
    message,
    on,
    screen_text,
    settle,
    submit,
    text_of,
    until,
)
from tests.app.test_layout import layout_problems
from tests.app.test_snapshots import _as_cashier, _shop
from tests.conftest import FakeClock


async def _offer(pilot: object, app: PosApp) -> Checkbox:
    await submit(pilot, "#phone", PHONE)  # type: ignore[arg-type]
    await until(pilot, lambda: app.screen.query_one("#enroll").display, what="offer")  # type: ignore[arg-type]
    return app.screen.query_one("#consent", Checkbox)


async def test_enter_without_consent_stores_nothing_and_says_consent_is_needed(
    app: PosApp, ledger: Ledger
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        box = await _offer(pilot, app)
        await pilot.press("enter")
        await settle(pilot)
        assert on(app, LookupScreen)
        assert app.screen.query_one("#enroll").display  # the offer stays: C, or Esc
        assert "ยังไม่ยินยอม ไม่ได้บันทึกข้อมูล" in message(app, "#enroll-message")
        assert app.focused is box
        assert box.value is False
    assert members(ledger) == 0


async def test_the_unticked_box_reads_unticked_and_the_ticked_one_ticked(
    app: PosApp, ledger: Ledger
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        box = await _offer(pilot, app)
        await settle(pilot)
        shown = text_of(box)
        assert "ยังไม่ยินยอม" in shown  # "not agreed yet"
        assert "X" not in shown and "✓" not in shown
        assert "ครอบคลุม: สะสมแต้มและรับใบเสร็จทางโทรศัพท์" in screen_text(app)  # what it covers
        await pilot.press("c")
        await settle(pilot)
        shown = text_of(box)
        assert "ยินยอมแล้ว" in shown and "ยังไม่" not in shown
        assert "✓" in shown
        await pilot.press("c")  # undone: reads unticked again
        await settle(pilot)
        assert "ยังไม่ยินยอม" in text_of(box) and "✓" not in text_of(box)
    assert members(ledger) == 0


async def test_c_then_enter_enrolls_with_the_consent_date_and_scope(
    app: PosApp, ledger: Ledger
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await _offer(pilot, app)
        await pilot.press("enter")  # refused first: no consent yet
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert message(app, "#enroll-message") == ""  # the refusal goes once ticked
        await pilot.press("enter")
        await until(pilot, lambda: on(app, MemberScreen), what="card")
        await has_focus(pilot, lambda: app.screen.query_one("#amount"))
    member = ledger.member(PHONE)
    assert member.consent_given is True
    assert member.consent_scope == CONSENT_SCOPE
    assert member.consent_at == member.enrolled_at
    assert members(ledger) == 1


async def test_escape_is_a_sale_without_membership_and_says_so(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await _offer(pilot, app)
        await pilot.press("c")  # ticked, then the customer changes their mind
        await pilot.press("escape")
        await until(pilot, lambda: not app.screen.query_one("#enroll").display)
        assert "ขายแบบไม่เป็นสมาชิก" in message(app, "#lookup-message")
        await has_focus(pilot, lambda: app.screen.query_one("#phone"))
    assert members(ledger) == 0


@pytest.mark.parametrize("language", ["th", "en"])
async def test_the_offer_fits_80x24_ticked_or_not_with_its_refusal(
    language: str, db_path: Path, clock: FakeClock
) -> None:
    app = _shop(db_path, language, clock, setup_done=True)
    found: list[str] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _as_cashier(pilot)
            await submit(pilot, "#phone", "0811111111")
            await until(pilot, lambda: app.screen.query_one("#enroll").display)
            box = app.screen.query_one("#consent", Checkbox)
            await settle(pilot)
            found += layout_problems(app, f"{language} offer", known=set())
            assert ("ยังไม่ยินยอม" if language == "th" else "NOT agreed") in text_of(box)
            await pilot.press("enter")
            await settle(pilot)
            found += layout_problems(app, f"{language} offer, no consent", known=set())
            await pilot.press("c")
            await settle(pilot)
            assert ("ยินยอมแล้ว" if language == "th" else "AGREED") in text_of(box)
            assert "✓" in text_of(box)
            found += layout_problems(app, f"{language} offer, ticked", known=set())
    finally:
        app.ledger.close()
    assert found == []
