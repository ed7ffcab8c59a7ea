"""Dates as the cashier reads them (issue 11 items 7 and 15): one format per
language, in the shop's zone (locale.timezone) whatever zone the till's
process runs in (these tests run it in UTC), on the card, the supervisor's
table, the coupon dialog, the status bar and a printed slip.

The shop is in Bangkok (UTC+7): a sale at 23:30Z on 14 January happened at
06:30 on the 15th there, and every place says the 15th, 06:30."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import DataTable

import ledger.coupons
from config import Settings, load_settings
from ledger.service import Ledger
from pos.app import make_app
from pos.dialogs.coupon import CouponDialog
from pos.i18n import Translator
from pos.printing import SlipPrinter
from pos.screens.supervisor import SupervisorScreen
from pos.times import Dates, clock_time, local_date, local_time
from pos.widgets.status import StatusBar
from printers import SaleSlip
from printers.labels import day_text, time_text
from printers.layout import blocks_for
from tests.app.conftest import SIZE, login, on, open_card, screen_text, submit, text_of, until
from tests.app.test_supervisor import open_supervisor
from tests.cli.test_cli import Shop
from tests.conftest import FakeClock

PHONE = "0898765432"
LATE_SALE = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)  # 06:30 on the 15th in Bangkok
BANGKOK = ZoneInfo("Asia/Bangkok")


@pytest.fixture
def bangkok() -> Settings:
    return load_settings(env={"POS_LOCALE__TIMEZONE": "Asia/Bangkok"})


@pytest.fixture
def shop(db_path: Path, bangkok: Settings, clock: FakeClock) -> Iterator[Ledger]:
    """A Bangkok shop whose one member bought at 23:30Z on 14 January; now is
    03:00Z on the 15th (10:00 in Bangkok)."""
    book = Ledger.open(db_path, bangkok, clock=clock)
    book.init("S1", "T1")
    book.add_staff("sup", "supervisor", "2468", "Supervisor")
    book.add_staff("cash1", "cashier", "1357", "Cashier One")
    book.enroll(PHONE, name="สมชาย", consent=True)
    now = clock.now
    clock.now = LATE_SALE
    book.earn(PHONE, "2500", "BILL-001", "cash1")
    clock.now = now
    yield book
    book.close()


def style(language: str, *, era: bool = True) -> Translator:
    return Translator(language, zone=BANGKOK, buddhist_era=era)


# -- the one format ----------------------------------------------------------------


def test_one_format_per_language_in_the_shops_zone() -> None:
    moment = "2026-01-14T23:30:00.000000Z"
    assert local_time(moment, style("en")) == "15 Jan 2026 06:30"
    assert local_time(moment, style("th")) == "15 ม.ค. 2569 06:30"
    assert local_time(moment, style("th", era=False)) == "15 ม.ค. 2026 06:30"
    assert local_time(moment, style("th"), year=False) == "15 ม.ค. 06:30"
    assert local_date(moment, style("en")) == "15 Jan 2026"
    assert clock_time(moment, style("th")) == "06:30"
    # A zone behind UTC: the same moment is still the 14th.
    new_york = Translator("en", zone=ZoneInfo("America/New_York"))
    assert local_time(moment, new_york) == "14 Jan 2026 18:30"


@pytest.mark.parametrize("era", [True, False])
@pytest.mark.parametrize("language", ["th", "en"])
def test_slips_and_screens_write_a_date_alike(language: str, era: bool) -> None:
    """The printers package formats its own (it never imports the app): the
    same text as pos.times for every month, so paper and screen agree."""
    shown = style(language, era=era)
    for month in range(1, 13):
        moment = datetime(2026, month, 9, 2, 5, tzinfo=BANGKOK)
        assert time_text(moment, "th" if language == "th" else "en", era) == local_time(
            moment, shown
        )
        assert day_text(moment.date(), "th" if language == "th" else "en", era) == local_date(
            moment.date(), shown
        )


def test_the_buddhist_era_is_a_setting_and_on_by_default() -> None:
    assert load_settings(env={}).locale.buddhist_era is True
    off = load_settings(env={"POS_LOCALE__BUDDHIST_ERA": "false"})
    assert Translator.of(off, "th").buddhist_era is False
    assert local_date("2026-12-31T12:00:00Z", Translator.of(off, "th")).endswith(" 2026")


# -- screens -------------------------------------------------------------------------


async def test_the_card_and_the_status_bar_say_the_shops_time(
    bangkok: Settings, shop: Ledger, clock: FakeClock
) -> None:
    app = make_app(bangkok, shop, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot, PHONE)
        visits = text_of(app.screen.query_one("#card-visit-list"))
        assert "15 ม.ค. 06:30 สะสม" in visits
        # Earned points expire 365 days on: 23:30Z on 14 Jan 2027, the 15th in Bangkok.
        assert "15 ม.ค. 2570" in screen_text(app)
        assert text_of(app.screen.query_one(StatusBar)).endswith("10:00")
        await pilot.press("f5")
        await until(
            pilot, lambda: "15 Jan 06:30 earn" in text_of(app.screen.query_one("#card-visit-list"))
        )
        assert "15 Jan 2027" in screen_text(app)


async def test_the_supervisor_table_says_the_shops_time(
    bangkok: Settings, shop: Ledger, clock: FakeClock
) -> None:
    app = make_app(bangkok, shop, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen), what="supervisor screen")
        table = app.screen.query_one("#entries", DataTable)
        await until(pilot, lambda: table.row_count > 0, what="entries")
        when, kind = (str(cell) for cell in table.get_row_at(0)[:2])
        assert (when, kind) == ("15 ม.ค. 06:30", "สะสม")


async def test_the_coupon_dialog_says_its_last_day_in_the_shops_zone(
    bangkok: Settings, shop: Ledger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger.coupons, "new_code", lambda: "K7QM2XPA")
    clock.now = LATE_SALE  # issued 23:30Z on the 14th: 30 days on is the 14th of February, UTC
    coupon = shop.redeem(PHONE, ref="R-1", reward_id="COFFEE", cashier_id="cash1").coupon
    assert coupon is not None and coupon.expires_at.startswith("2026-02-13T23:30")
    app = make_app(bangkok, shop, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", coupon.payload)
        await until(pilot, lambda: on(app, CouponDialog), what="coupon dialog")
        assert "ใช้ได้ถึง 14 ก.พ. 2569" in screen_text(app)
        app.language = "en"  # what F5 does
        await until(pilot, lambda: "Valid until 14 Feb 2026" in screen_text(app), what="English")


async def test_f5_rewords_the_status_bar_printer_state(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        app.printer_state = "status.printer_ok"  # what a printed slip leaves
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "พิมพ์: พร้อม" in text_of(bar), what="Thai")
        await pilot.press("f5")
        await until(pilot, lambda: "printer: ok" in text_of(bar), what="English")
        assert "พร้อม" not in text_of(bar)


# -- slips -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "15 Jan 2026 06:30"), ("th", "15 ม.ค. 2569 06:30")]
)
def test_a_printed_slip_says_the_shops_time(
    bangkok: Settings, shop: Ledger, language: str, shown: str
) -> None:
    entry = shop.history(PHONE)[0]
    slip = SlipPrinter(bangkok, shop, language).sale_slip(entry.entry_id)
    assert isinstance(slip, SaleSlip)
    assert slip.created_at.utcoffset() == BANGKOK.utcoffset(LATE_SALE)
    assert (slip.created_at.day, slip.created_at.hour, slip.created_at.minute) == (15, 6, 30)
    assert slip.next_expiry_date is not None and slip.next_expiry_date.isoformat() == "2027-01-15"
    printed = "\n".join(getattr(block, "text", "") for block in blocks_for(slip, 42))
    assert shown in printed


# -- the pos CLI -------------------------------------------------------------------------


def test_the_cli_says_the_shops_time_in_english(tmp_path: Path) -> None:
    """``pos member history`` (text) on a till whose process runs in UTC, for a
    shop in Bangkok: the entry's time and the points' expiry in Bangkok."""
    shop = Shop(tmp_path)
    bangkok_env = {"POS_LOCALE__TIMEZONE": "Asia/Bangkok", "TZ": "UTC"}
    shop.env.update(bangkok_env)
    shop.setup()
    shop.ok("member", "enroll", PHONE)
    entry = shop.ok("earn", PHONE, "250", "--ref", "BILL-9", "--cashier", "cash1")
    dates = Dates("en", BANGKOK)
    text = shop.pos("member", "history", PHONE, json_out=False).stdout
    assert dates.time(entry["created_at"]) in text  # e.g. 15 Jan 2026 10:00, not 03:00
    card = shop.pos("member", "show", PHONE, json_out=False).stdout
    expires = shop.ok("member", "show", PHONE)["next_expiry"]["expires_at"]
    assert f"expire on {dates.date(expires)}" in card
