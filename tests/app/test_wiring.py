"""What the caller hands ``make_app``: a printer it owns and a head office.

A printer stand-in keeps every slip it is sent; a head office double answers
sync and member lookups. Each test checks the app used what it was handed
(and nothing of its own): the slip reached the printer, the sync and the
lookup reached the head office."""

from __future__ import annotations

from typing import Any

from config import Settings
from ledger.service import Ledger
from pos.app import make_app
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from printers import PrintResult, SaleSlip, Slip
from printers.status import MESSAGES, PrinterStatus
from sync.errors import HeadOfficeUnreachable
from tests.app.conftest import E164, PHONE, SIZE, login, on, open_card, submit, text_of, until
from tests.conftest import FakeClock


class SlipCatcher:
    """A printer (``pos.printing.Device``) that keeps the slips instead of printing them."""

    def __init__(self) -> None:
        self.slips: list[Slip] = []
        self.is_open = False
        self.opened = 0

    def open(self) -> None:
        self.is_open = True
        self.opened += 1

    def print_slip(self, slip: Slip, *, name: str | None = None) -> PrintResult:
        self.slips.append(slip)
        return PrintResult(bytes_sent=0)


async def test_the_slip_goes_to_the_printer_the_caller_handed_in(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, name="Malee")
    printer = SlipCatcher()
    app = make_app(settings, ledger, clock=clock, printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: printer.slips, what="the slip")
        (slip,) = printer.slips
        assert isinstance(slip, SaleSlip)
        assert (slip.points, slip.balance, slip.member_name) == (40, 40, "Malee")
        assert slip.masked_phone == "08x-xxx-5678" and not slip.copy
        await until(pilot, lambda: "ok" in app.status_text() or "พร้อม" in app.status_text())
        assert ledger.spool.jobs(("queued",)) == []

        await pilot.press("f6")  # a copy of the last slip, on the same printer
        await until(pilot, lambda: len(printer.slips) == 2, what="the copy")
        copy = printer.slips[1]
        assert isinstance(copy, SaleSlip) and copy.copy and copy.sale_ref == slip.sale_ref
    assert printer.opened == 1  # opened once and kept open: the caller owns it


class FakeHeadOffice:
    """Head office as ``pos.services.HeadOffice``: knows one member, records the calls."""

    def __init__(self, ledger: Ledger, *, offline: bool = False) -> None:
        self.ledger = ledger
        self.offline = offline
        self.syncs = 0
        self.asked: list[str] = []

    def joined(self) -> bool:
        return True

    def state(self) -> dict[str, Any]:
        return {"pending_entries": 3, "last_sync_at": "2026-01-15T02:58:00Z"}

    def sync(self) -> dict[str, Any]:
        self.syncs += 1
        if self.offline:
            raise HeadOfficeUnreachable("Head office cannot be reached: working offline.")
        return {"conflict_notices": [], "warnings": ["Head office: rules version 7 loaded."]}

    def find_member(self, phone: str) -> bool:
        self.asked.append(phone)
        # What a pull does for a member of another branch: the member is known here now.
        self.ledger.enroll(phone, name="Somsri from Branch 2")
        return True


async def test_the_app_syncs_with_and_asks_the_head_office_handed_in(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    head_office = FakeHeadOffice(ledger)
    app = make_app(settings, ledger, clock=clock, hq_client=head_office)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)  # a joined till syncs as the shift starts
        await until(pilot, lambda: head_office.syncs == 1, what="the sync")
        await until(
            pilot,
            lambda: (
                "Head office: rules version 7 loaded." in [n.message for n in app._notifications]
            ),
            what="the sync's warning",
        )
        status = app.status_text()
        assert app.tr("status.synced", time="02:58") in status and not app.offline
        assert app.tr("status.pending", n=3) in status

        await submit(pilot, "#phone", PHONE)  # not a member here: head office is asked
        await until(pilot, lambda: on(app, MemberScreen), what="the card from head office")
        assert [ledger.normalize(phone) for phone in head_office.asked] == [E164]
        assert text_of(app.screen.query_one("#card-name")) == "Somsri from Branch 2"


async def test_an_unreachable_head_office_means_offline_and_no_lookup(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    head_office = FakeHeadOffice(ledger, offline=True)
    app = make_app(settings, ledger, clock=clock, hq_client=head_office)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await until(pilot, lambda: app.offline, what="offline")
        assert app.tr("status.offline") in app.status_text()
        await submit(pilot, "#phone", PHONE)
        await until(pilot, lambda: app.screen.query_one("#enroll").display, what="enroll offer")
        assert on(app, LookupScreen)
        assert head_office.asked == []  # offline: the cashier enrolls, nobody waits on the network


class PaperOutPrinter(SlipCatcher):
    """A printer that answers its status (as ``printers.Printer.status``): out of
    paper until a roll is loaded."""

    def __init__(self) -> None:
        super().__init__()
        self.paper = False

    def status(self) -> PrinterStatus:
        if self.paper:
            return PrinterStatus("ready", MESSAGES["ready"], online=True, paper="ok")
        return PrinterStatus("paper_out", MESSAGES["paper_out"], online=True, paper="out")


async def test_out_of_paper_the_bar_says_so_and_the_slip_prints_by_itself_once_loaded(
    settings: Settings, ledger: Ledger, clock: FakeClock, monkeypatch: Any
) -> None:
    monkeypatch.setattr("pos.slip_desk.PRINT_RETRY_S", 0.2)
    ledger.enroll(PHONE, name="Malee")
    printer = PaperOutPrinter()
    app = make_app(settings, ledger, clock=clock, printer=printer)
    app.language = "en"
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: "NO PAPER" in app.status_text(), what="the paper fault")
        assert printer.slips == [] and len(ledger.spool.jobs(("queued",))) == 1
        printer.paper = True  # a new roll: nobody presses anything
        await until(pilot, lambda: len(printer.slips) == 1, timeout=5, what="the slip")
        await until(pilot, lambda: ledger.spool.jobs(("queued",)) == [], what="the queue")
        await until(pilot, lambda: "ok" in app.status_text(), what="the printer ok")
        await pilot.pause(0.5)
        assert len(printer.slips) == 1  # printed once
