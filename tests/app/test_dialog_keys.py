"""F1 and F5 work in every dialog, as on the screens (issue 11, item 12):
F5 relabels the dialog in place, F1 opens the help at the dialog's keys and
closing it returns to the dialog as it was left (a half-typed supervisor id
included). Each dialog's footer lists its own keys in the cashier's language,
not the keys of the screen under it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input

from ledger.models import Staff
from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.coupon import CouponDialog
from pos.dialogs.quit import QuitDialog
from pos.dialogs.redeem_confirm import RedeemConfirm
from pos.i18n import Translator
from pos.screens.help import HelpScreen
from pos.screens.lookup import LookupScreen
from pos.screens.redeem import RedeemScreen
from pos.screens.supervisor import SupervisorScreen
from tests.app.conftest import (
    RICH_PHONE,
    SIZE,
    login,
    message,
    on,
    screen_text,
    submit,
    text_of,
    until,
)
from tests.app.test_redeem_confirm import highlight, open_redeem
from tests.app.test_reverse import ask_to_reverse
from tests.app.test_supervisor import open_supervisor

TH, EN = Translator("th"), Translator("en")


def footer(app: PosApp) -> str:
    """The key bar: the last line on screen."""
    return screen_text(app).splitlines()[-1]


async def f5_f1_and_back(
    pilot: Pilot[Any], dialog: Screen[Any], place: str, title: str, keys: list[str]
) -> None:
    """On ``dialog`` (in Thai): the footer has ``keys`` (text keys) in Thai; F5
    relabels the title and the footer in English; F1 opens the help at
    ``place``; Esc comes back to the same dialog, still in English."""
    app: PosApp = pilot.app  # type: ignore[assignment]
    assert app.language == "th" and app.screen is dialog
    await until(pilot, lambda: all(TH(key) in footer(app) for key in keys), what=footer(app))
    assert "English" in footer(app)  # F5 says what it switches to
    assert TH(title) in screen_text(app)

    await pilot.press("f5")
    await until(pilot, lambda: app.language == "en", what="F5 in the dialog")
    await until(pilot, lambda: EN(title) in screen_text(app), what="the dialog relabeled")
    assert app.screen is dialog
    bar = footer(app)
    assert all(EN(key) in bar for key in keys), bar
    assert "ไทย" in bar and TH(keys[0]) not in bar

    await pilot.press("f1")
    await until(pilot, lambda: on(app, HelpScreen), what="the help")
    help_screen = app.screen
    assert isinstance(help_screen, HelpScreen) and help_screen.start == place
    await until(pilot, lambda: EN(f"help.where.{place}") in screen_text(app), what="its keys")
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is dialog, what="back to the dialog")
    assert EN(title) in screen_text(app)


@pytest.fixture(autouse=True)
def _thai(app: PosApp) -> None:
    app.language = "th"  # the settings' default, said for the reader


async def test_quit_dialog(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        under = footer(app)
        assert TH("key.logout") in under  # the lookup's keys, under the dialog
        await pilot.press("ctrl+q")
        await until(pilot, lambda: on(app, QuitDialog), what="the question")
        assert TH("key.logout") not in footer(app)  # the dialog's own keys instead
        await f5_f1_and_back(pilot, app.screen, "quit", "quit.title", ["key.quit", "key.stay"])
        await pilot.press("n")
        await until(pilot, lambda: on(app, LookupScreen), what="still serving")
        assert app.is_running and app.return_code is None


async def test_approval_dialog_keeps_a_half_typed_id(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("f9")
        await until(pilot, lambda: on(app, ApprovalDialog), what="the PIN dialog")
        dialog = app.screen
        approver = dialog.query_one("#approver", Input)
        approver.value = "su"  # a supervisor starts typing, then looks up a key
        assert TH("sup.title") in screen_text(app)
        await f5_f1_and_back(pilot, dialog, "approval", "approval.title", ["key.cancel"])
        assert approver.value == "su"
        await until(pilot, lambda: app.focused is approver, what="focus back in the id")

        await submit(pilot, "#approver", "sup")
        await submit(pilot, "#approver-pin", "2468")
        await until(pilot, lambda: on(app, SupervisorScreen), what="approved")


async def test_a_refusal_in_the_approval_dialog_is_said_again_after_f5(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("f9")
        await until(pilot, lambda: on(app, ApprovalDialog), what="the PIN dialog")
        await submit(pilot, "#approver", "sup")
        await submit(pilot, "#approver-pin", "1111")
        said = TH("approval.wrong_pin", staff="sup", left=4)
        await until(pilot, lambda: message(app, "#approval-message") == said, what="wrong PIN")
        await pilot.press("f5")
        said = EN("approval.wrong_pin", staff="sup", left=4)
        await until(pilot, lambda: message(app, "#approval-message") == said, what="in English")


async def test_what_is_approved_is_relabeled_when_said_by_a_function(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        app.push_screen(ApprovalDialog(lambda tr: f"{tr('redeem.title')} {tr.number(1200)}"))
        await until(pilot, lambda: on(app, ApprovalDialog), what="the PIN dialog")
        why = app.screen.query_one("#approval-why")
        assert text_of(why) == TH("approval.why", what=f"{TH('redeem.title')} 1,200")
        await pilot.press("f5")
        await until(pilot, lambda: text_of(why) == EN("approval.why",
                    what=f"{EN('redeem.title')} 1,200"), what="relabeled")  # fmt: skip


async def test_an_approval_checked_while_the_help_is_open_waits_for_it(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PIN is checked in a worker: F1 pressed meanwhile shows the help, and
    the approval lands once the help is closed, not by closing the help."""
    answer = threading.Event()
    authenticate = ledger.authenticate

    def slow(staff_id: str, pin: str) -> Staff:
        answer.wait(5)
        return authenticate(staff_id, pin)

    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        monkeypatch.setattr(ledger, "authenticate", slow)
        await open_supervisor(pilot)  # id and PIN typed: the check waits
        await pilot.press("f1")
        await until(pilot, lambda: on(app, HelpScreen), what="the help")
        answer.set()
        await pilot.pause(0.3)
        assert on(app, HelpScreen)  # still reading the help
        await pilot.press("escape")
        await until(pilot, lambda: on(app, SupervisorScreen), what="approved after the help")


async def test_redeem_confirmation_and_coupon(app: PosApp, member: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await highlight(pilot, "COFFEE")
        await pilot.press("enter")
        await until(pilot, lambda: on(app, RedeemConfirm), what="the confirmation")
        confirm = app.screen
        await f5_f1_and_back(
            pilot, confirm, "confirm", "redeem.confirm_title", ["key.redeem_confirm", "key.back"]
        )

        await pilot.press("enter")  # still confirms after the help
        await until(pilot, lambda: on(app, CouponDialog), what="the coupon")
        app.language = "th"
        coupon = app.screen
        # Shown after a redemption: Enter closes it (nothing to mark used here).
        await f5_f1_and_back(pilot, coupon, "coupon", "coupon.title", ["key.close", "key.back"])
        await pilot.press("escape")
        await until(pilot, lambda: not on(app, CouponDialog), what="the coupon closed")
        assert not on(app, RedeemScreen)


async def test_reversal_dialog(app: PosApp, ledger: Ledger, rich_member: str) -> None:
    sale = ledger.history(RICH_PHONE)[0]
    async with app.run_test(size=SIZE) as pilot:
        await ask_to_reverse(pilot, sale.entry_id)
        dialog = app.screen
        table_under = app.screen_stack[-2].query_one("#entries", DataTable)
        await f5_f1_and_back(pilot, dialog, "reverse", "rev.title", ["key.reverse", "key.back"])
        assert EN("kind.earn") in screen_text(app)  # the entry relabeled too
        await pilot.press("escape")
        await until(pilot, lambda: on(app, SupervisorScreen), what="back, nothing reversed")
        assert table_under.row_count == 3
    assert [e.kind for e in ledger.history(RICH_PHONE)].count("reverse") == 0
