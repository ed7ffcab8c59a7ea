"""The supervisor screen's day-close tab (Z report): the shop's local day at
this terminal as the ledger holds it, and F6 printing it, saying "printed"
only when the printer took the slip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from config import Settings, load_settings
from ledger.models import Credentials
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.screens.supervisor import SupervisorScreen
from printers import DaySummary, PrinterStatus, PrintResult, Slip
from printers.errors import PrinterUnavailable
from printers.status import MESSAGES, State
from tests.app.conftest import SIZE, login, message, on, settle, text_of, until
from tests.app.test_supervisor import open_supervisor
from tests.conftest import FakeClock

A, B = "0812345678", "0898765432"
SUP = Credentials("sup", "2468")


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def bangkok(tmp_path: Path) -> Settings:
    return load_settings(
        env={"POS_LOCALE__TIMEZONE": "Asia/Bangkok", "POS_PRINTER__SPOOL_DIR": str(tmp_path)}
    )


@pytest.fixture
def shop(db_path: Path, bangkok: Settings) -> Iterator[tuple[Ledger, FakeClock]]:
    """Sales either side of Bangkok's midnight, a reversal and a redemption."""
    clock = FakeClock(utc(14, 16, 30))  # 23:30 on the 14th in Bangkok
    book = Ledger.open(db_path, bangkok, clock=clock)
    book.init("S1", "T1")
    book.add_staff("sup", "supervisor", "2468", "Supervisor")
    book.add_staff("cash1", "cashier", "1357", "สมชาย ใจดี")
    book.enroll(A)
    book.earn(A, "2000.00", "YESTERDAY", "cash1")  # 80 points, not today's
    clock.now = utc(14, 23, 30)  # 06:30 on the 15th: today
    book.enroll(B)
    sale = book.earn(B, "1000.00", "B1", "cash1")  # 40
    book.earn(A, "500.00", "B2", "cash1")  # 20
    book.reverse(sale.entry_id, "wrong member", SUP)  # -40, -1000.00
    book.redeem(A, ref="R1", points=30, cashier_id="cash1")
    clock.now = utc(15, 12)  # 19:00 in Bangkok, closing
    yield book, clock
    book.close()


async def close_tab(pilot: Pilot[Any]) -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await login(pilot)
    await open_supervisor(pilot)
    await until(pilot, lambda: on(app, SupervisorScreen), what="supervisor screen")
    app.screen.query_one("#sup-tabs", TabbedContent).active = "tab-summary"
    await settle(pilot)


def table(app: PosApp, selector: str) -> list[list[str]]:
    grid = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in grid.get_row_at(i)] for i in range(grid.row_count)]


async def test_the_close_is_the_ledgers_local_day(
    shop: tuple[Ledger, FakeClock], bangkok: Settings
) -> None:
    book, clock = shop
    app = make_app(bangkok, book, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await close_tab(pilot)
        assert "15 Jan 2026 (Asia/Bangkok)" in text_of(app.screen.query_one("#close-heading"))
        totals = text_of(app.screen.query_one("#close-totals"))
        # 1,000 + 500 sold at 06:30 and after; the 1,000 reversed; yesterday's 2,000 not here
        assert totals == "Sales 2, reversed 1, net THB500.00; new members 1"
        held = dict(
            book.conn.execute(
                "SELECT kind, sum(points) FROM entries WHERE created_at >= ? GROUP BY kind",
                ("2026-01-14T17:00:00",),
            ).fetchall()
        )
        rows = {row[0]: row for row in table(app, "#summary")}
        assert rows["earn"] == ["earn", "2", f"+{held['earn']}"] == ["earn", "2", "+60"]
        assert rows["reverse"] == ["reverse", "1", "-40"] and rows["redeem"] == [
            "redeem",
            "1",
            "-30",
        ]
        assert rows["expire"] == ["expire", "0", "+0"]
        assert table(app, "#close-cashiers") == [["สมชาย ใจดี (cash1)", "2", "THB500.00", "-10"]]
        await pilot.press("f5")
        await until(pilot, lambda: "ขาย 2 บิล" in text_of(app.screen.query_one("#close-totals")))


async def test_f6_prints_the_close_with_a_thai_name_as_a_preview(
    shop: tuple[Ledger, FakeClock], bangkok: Settings, tmp_path: Path
) -> None:
    book, clock = shop
    app = make_app(bangkok, book, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "th"
        await close_tab(pilot)
        await pilot.press("f6")
        await until(pilot, lambda: "ตัวอย่าง" in message(app, "#sup-message"), timeout=20)
        said = message(app, "#sup-message")
    png = next(tmp_path.glob("day-close-2026-01-15*.png"))
    assert str(png) in said and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    raw = next(tmp_path.glob("day-close-2026-01-15*.bin")).read_bytes()
    assert raw.startswith(b"\x1b@") and len(raw) > 500


class Catcher:
    """A printer handed to the app: keeps slips; its status is settable."""

    def __init__(self, before: State = "ready", after: State = "ready", fail: bool = False) -> None:
        self.before, self.after, self.fail = before, after, fail
        self.slips: list[Slip] = []
        self.is_open = False

    def open(self) -> None:
        self.is_open = True

    def status(self) -> PrinterStatus:
        state: State = self.after if self.slips else self.before
        return PrinterStatus(state, MESSAGES[state], online=state != "offline",
                             paper="out" if state == "paper_out" else "ok")  # fmt: skip

    def print_slip(self, slip: Slip, *, name: str | None = None) -> PrintResult:
        if self.fail:
            self.is_open = False
            raise PrinterUnavailable("Printer at tcp://10.0.0.9:9100 is not answering.")
        self.slips.append(slip)
        return PrintResult(bytes_sent=100)


@pytest.mark.parametrize(
    ("printer", "reason"),
    [
        (Catcher(before="paper_out"), "paper"),
        (Catcher(after="cover_open"), "cover"),
        (Catcher(fail=True), "10.0.0.9"),
    ],
    ids=["paper out", "cover opened during the slip", "not answering"],
)
async def test_f6_never_says_printed_when_nothing_came_out(
    shop: tuple[Ledger, FakeClock], bangkok: Settings, printer: Catcher, reason: str
) -> None:
    book, clock = shop
    app = make_app(bangkok, book, clock=clock, printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await close_tab(pilot)
        await pilot.press("f6")
        await until(pilot, lambda: "NOT printed" in message(app, "#sup-message"), timeout=10)
        said = message(app, "#sup-message")
        assert reason in said.lower() or reason in said
        assert "Day close printed" not in said and "preview" not in said


async def test_f6_on_a_ready_printer_sends_the_days_figures(
    shop: tuple[Ledger, FakeClock], bangkok: Settings
) -> None:
    book, clock = shop
    printer = Catcher()
    app = make_app(bangkok, book, clock=clock, printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await close_tab(pilot)
        await pilot.press("f6")
        await until(pilot, lambda: message(app, "#sup-message") == "Day close printed")
    (slip,) = printer.slips
    assert isinstance(slip, DaySummary)
    assert (slip.sales, slip.sales_reversed, slip.amount_minor, slip.enrolled) == (2, 1, 50000, 1)
    assert slip.staff == (("สมชาย ใจดี (cash1)", 2, 50000, -10),)
    assert str(slip.day) == "2026-01-15" and slip.printed_at is not None
    assert slip.printed_at.utcoffset() is not None and slip.printed_at.hour == 19
