"""F6 says what it printed: a copy of the last slip by its sale ref, or how
many slips that were waiting (the printer was down) came out now."""

from __future__ import annotations

from config import Settings
from ledger.service import Ledger
from pos.app import PosApp, make_app
from printers import PrinterError, PrintResult, Slip
from tests.app.conftest import PHONE, SIZE, login, open_card, submit, until
from tests.conftest import FakeClock


class Printer:
    """A printer stand-in that keeps the slips; ``down`` makes the next ones fail."""

    def __init__(self) -> None:
        self.slips: list[Slip] = []
        self.is_open = False
        self.down = False

    def open(self) -> None:
        self.is_open = True

    def print_slip(self, slip: Slip, *, name: str | None = None) -> PrintResult:
        if self.down:
            raise PrinterError("Printer not answering")
        self.slips.append(slip)
        return PrintResult(bytes_sent=0)


def toasts(app: PosApp) -> list[str]:
    return [n.message for n in app._notifications]


async def sale(app: PosApp, pilot: object, ref: str) -> None:
    await open_card(pilot)  # type: ignore[arg-type]
    app.screen.query_one("#ref").value = ref  # type: ignore[attr-defined]
    await submit(pilot, "#amount", "1000")  # type: ignore[arg-type]


async def test_f6_names_the_slip_it_reprinted(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, consent=True)
    printer = Printer()
    app = make_app(settings, ledger, clock=clock, printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await sale(app, pilot, "B1001")
        await until(pilot, lambda: len(printer.slips) == 1, what="the slip")
        await until(pilot, lambda: ledger.spool.jobs(("printing", "queued")) == [])
        assert not [t for t in toasts(app) if "rinted" in t]  # a sale's slip is not announced

        await pilot.press("f6")
        await until(pilot, lambda: len(printer.slips) == 2, what="the copy")
        await until(
            pilot,
            lambda: "Reprinted the slip of sale B1001 (copy)" in toasts(app),
            what="what F6 printed",
        )

        app.language = "th"
        await pilot.press("f6")
        await until(
            pilot,
            lambda: "พิมพ์สลิปบิล B1001 ซ้ำแล้ว (สำเนา)" in toasts(app),
            what="in Thai",
        )


def _tried(ledger: Ledger) -> int:
    queued = ledger.spool.jobs(("queued",))
    return len(queued) if all(j.attempts for j in queued) else 0


async def test_f6_says_how_many_waiting_slips_it_printed(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, consent=True)
    printer = Printer()
    printer.down = True
    app = make_app(settings, ledger, clock=clock, printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await sale(app, pilot, "B1001")
        await until(pilot, lambda: len(ledger.spool.jobs(("queued",))) == 1, what="kept")
        await sale(app, pilot, "B1002")
        await until(pilot, lambda: len(ledger.spool.jobs(("queued",))) == 2, what="both kept")
        # Both back in the queue after their tries, in one look: a slip claimed by
        # a print worker is out of the queue until its try is over.
        await until(pilot, lambda: _tried(ledger) == 2, what="both tried")
        assert printer.slips == []

        printer.down = False
        await pilot.press("f6")
        await until(pilot, lambda: len(printer.slips) == 2, what="the waiting slips")
        await until(pilot, lambda: "Printed 2 waiting slips" in toasts(app), what="said")
        assert not [t for t in toasts(app) if "Reprinted" in t]  # originals, not copies


async def test_reprint_says_the_waiting_slips_it_printed_even_never_tried(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    """Slips queued while no app was printing (``pos earn`` from a script):
    ``reprint`` (what F6 does) prints them and says how many."""
    ledger.enroll(PHONE, consent=True)
    ledger.earn(PHONE, "1000", "B2001", "cash1", print_slip=True)
    ledger.earn(PHONE, "500", "B2002", "cash1", print_slip=True)
    printer = Printer()
    app = make_app(settings, ledger, clock=clock, printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        app.reprint()
        await until(pilot, lambda: len(printer.slips) == 2, what="the waiting slips")
        await until(pilot, lambda: "Printed 2 waiting slips" in toasts(app), what="said")


async def test_f6_on_the_lookup_screen_says_the_waiting_slips_it_printed(
    settings: Settings, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, consent=True)
    ledger.earn(PHONE, "1000", "B3001", "cash1", print_slip=True)
    printer = Printer()
    app = make_app(settings, ledger, clock=clock, printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await pilot.press("f6")  # the key, on the screen the cashier is on
        await until(pilot, lambda: len(printer.slips) == 1, what="the waiting slip")
        await until(pilot, lambda: "Printed the waiting slip" in toasts(app), what="said")
