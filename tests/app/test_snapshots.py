"""Snapshots (pytest-textual-snapshot) of every counter screen, in Thai and
English, at 80x24 and 120x40.

Deterministic by construction: a fixed FakeClock and TZ=UTC (conftest), fixed
member data with fixed sale refs, a fixed coupon code, and screens reached by
code rather than by timing. The generated sale ref is never on screen.
Update with ``pytest tests/app/test_snapshots.py --snapshot-update``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

import ledger.coupons
from config import load_settings
from ledger.models import Credentials, Staff
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.coupon import CouponDialog
from pos.dialogs.quit import QuitDialog
from pos.dialogs.redeem_confirm import RedeemConfirm
from pos.dialogs.reverse import ReverseDialog
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.screens.redeem import RedeemScreen
from pos.screens.setup import SetupScreen
from pos.screens.supervisor import SupervisorScreen
from tests.app.conftest import RICH_PHONE, settle, submit, until
from tests.conftest import FakeClock

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
SCREENS = [
    "setup", "login", "lookup", "enroll", "card", "redeem", "redeem_confirm", "approval",
    "coupon", "supervisor", "reverse", "quit",
]  # fmt: skip
NEW_PHONE = "0812345678"  # not a member: the lookup offers to enroll
COUPON_CODE = "K7QM2XPA"

Navigate = Callable[[Pilot[Any]], Awaitable[None]]


async def _as_cashier(pilot: Pilot[Any]) -> PosApp:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await settle(pilot)
    app.logged_in(Staff("cash1", "Cashier One", "cashier"))  # what a good PIN leads to
    await until(pilot, lambda: isinstance(app.screen, LookupScreen), what="lookup")
    await settle(pilot)
    return app


async def _card(pilot: Pilot[Any]) -> PosApp:
    app = await _as_cashier(pilot)
    await submit(pilot, "#phone", RICH_PHONE)
    await until(pilot, lambda: isinstance(app.screen, MemberScreen), what="card")
    await settle(pilot)
    return app


async def nav_setup(pilot: Pilot[Any]) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, SetupScreen), what="setup")


async def nav_login(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def nav_lookup(pilot: Pilot[Any]) -> None:
    await _as_cashier(pilot)


async def nav_card(pilot: Pilot[Any]) -> None:
    await _card(pilot)


async def nav_redeem(pilot: Pilot[Any]) -> None:
    app = await _card(pilot)
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(app.screen, RedeemScreen), what="redeem")


async def nav_redeem_confirm(pilot: Pilot[Any]) -> None:
    await nav_redeem(pilot)
    app = pilot.app
    rewards = app.screen.query_one("#rewards")
    await until(pilot, lambda: app.focused is rewards, what="the reward list")
    await pilot.press("enter")  # the first reward, COFFEE (100 points of 260)
    await until(pilot, lambda: isinstance(app.screen, RedeemConfirm), what="redeem confirmation")


async def nav_enroll(pilot: Pilot[Any]) -> None:
    app = await _as_cashier(pilot)
    await submit(pilot, "#phone", NEW_PHONE)
    await until(pilot, lambda: app.screen.query_one("#enroll").display, what="enroll offer")


async def nav_quit(pilot: Pilot[Any]) -> None:
    app = await _as_cashier(pilot)
    await pilot.press("ctrl+q")
    await until(pilot, lambda: isinstance(app.screen, QuitDialog), what="quit question")


async def nav_approval(pilot: Pilot[Any]) -> None:
    app = await _as_cashier(pilot)
    await pilot.press("f9")  # the supervisor's PIN before the supervisor screen
    await until(pilot, lambda: isinstance(app.screen, ApprovalDialog), what="approval")


async def nav_coupon(pilot: Pilot[Any]) -> None:
    app = await _as_cashier(pilot)
    payload = app.ledger.check_coupon(COUPON_CODE).payload
    await submit(pilot, "#phone", payload)
    await until(pilot, lambda: isinstance(app.screen, CouponDialog), what="coupon")


async def nav_supervisor(pilot: Pilot[Any]) -> None:
    app = await _as_cashier(pilot)
    app.push_screen(SupervisorScreen(Credentials("sup", "2468")))  # what F9 + PIN leads to
    await until(pilot, lambda: isinstance(app.screen, SupervisorScreen), what="supervisor")
    await until(pilot, lambda: app.screen.query_one("#entries", DataTable).row_count > 0)
    await settle(pilot)


async def nav_reverse(pilot: Pilot[Any]) -> None:
    await nav_supervisor(pilot)
    app = pilot.app
    app.screen.query_one("#entries", DataTable).move_cursor(row=1)  # the sale BILL-003
    await submit(pilot, "#reverse-reason", "ลูกค้าผิดคน")  # typed by a Thai supervisor
    await until(pilot, lambda: isinstance(app.screen, ReverseDialog), what="reversal dialog")


NAVIGATE: dict[str, Navigate] = {
    "setup": nav_setup,
    "login": nav_login,
    "lookup": nav_lookup,
    "card": nav_card,
    "redeem": nav_redeem,
    "approval": nav_approval,
    "coupon": nav_coupon,
    "supervisor": nav_supervisor,
    "enroll": nav_enroll,
    "redeem_confirm": nav_redeem_confirm,
    "reverse": nav_reverse,
    "quit": nav_quit,
}


def _shop(db_path: Path, language: str, clock: FakeClock, *, setup_done: bool) -> PosApp:
    settings = load_settings(env={"POS_LOCALE__LANGUAGE": language})
    book = Ledger.open(db_path, settings, clock=clock)
    if setup_done:
        book.init("S1", "T1")
        book.add_staff("sup", "supervisor", "2468", "Supervisor")
        book.add_staff("cash1", "cashier", "1357", "Cashier One")
        # A Thai shop's member, named in Thai (English screens show it as typed too).
        book.enroll(RICH_PHONE, name="สมชาย ใจดี", consent=True)
        start = clock.now
        clock.advance(days=-3)
        for n, amount in enumerate(("2500", "5000", "1500"), start=1):
            book.earn(RICH_PHONE, amount, f"BILL-{n:03d}", "cash1")
            clock.advance(days=1)
        clock.now = start
        book.redeem(RICH_PHONE, ref="R-001", reward_id="COFFEE", cashier_id="cash1")
    return make_app(settings, book, clock=clock)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(
    snap_compare: Any,
    screen: str,
    language: str,
    size: str,
    db_path: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ledger.coupons, "new_code", lambda: COUPON_CODE)
    app = _shop(db_path, language, clock, setup_done=screen != "setup")
    try:
        assert snap_compare(app, run_before=NAVIGATE[screen], terminal_size=SIZES[size])
    finally:
        app.ledger.close()
