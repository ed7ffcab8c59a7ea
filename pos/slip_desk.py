"""The app's printing: slips go out off the UI thread, one at a time, each
said (F6), and a printer fault is named in the status bar and retried until
the printer is ready again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from config.refusal import Refusal
from pos.printed import what_printed
from pos.printing import Outcome, SlipPrinter, print_day_close

if TYPE_CHECKING:
    from pos.app import PosApp

log = logging.getLogger("pos.app")

# A printer fault the printer itself reported, and how the status bar names it.
FAULT_STATUS = {
    "paper_out": "status.printer_paper_out",
    "cover_open": "status.printer_cover_open",
    "offline": "status.printer_offline",
}
PRINT_RETRY_S = 10.0


class SlipDesk:
    def __init__(self, app: PosApp) -> None:
        self.app = app
        # One slip at a time: a printer handed in is shared by every print
        # worker, and two slips' bytes must not interleave on it.
        self.lock = threading.Lock()
        self._retrying = False

    def _printer(self) -> SlipPrinter:
        app = self.app
        return SlipPrinter(app.settings, app.ledger, app.language, device=app.printer)

    def print_pending(self, *, waiting: bool = False) -> None:
        """Print what the ledger queued, off the UI thread; a sale never waits.
        ``waiting``: the cashier asked (F6), so every slip printed is said."""
        app, printer = self.app, self._printer()

        def work() -> None:
            with self.lock:
                outcomes = printer.print_pending()
            said = what_printed(outcomes, app.ledger, app.tr, waiting=waiting)
            app.call_from_thread(self._printed, outcomes, said)

        app.run_worker(work, thread=True, group="print", exit_on_error=False)

    def _printed(self, outcomes: list[Outcome], said: list[str] | None = None) -> None:
        app = self.app
        if said:
            app.notify("\n".join(said), timeout=6)
        failed = [o for o in outcomes if not o.printed]
        if failed:
            fault = failed[-1].reason or ""
            app.printer_state = FAULT_STATUS.get(fault, "status.printer_down")
            app.notify(
                failed[-1].message, title=app.tr("print.failed"), severity="warning", timeout=10
            )
            if fault in FAULT_STATUS and not self._retrying:
                # Paper out, cover open, offline: the slips wait in the queue and
                # print by themselves once the printer is ready again.
                self._retrying = True
                app.set_timer(PRINT_RETRY_S, self._retry)
        elif outcomes:
            app.printer_state = "status.printer_ok"

    def _retry(self) -> None:
        self._retrying = False
        if self.app.ledger.spool.jobs(("queued",)):
            self.print_pending()

    def reprint(self) -> None:
        """F6: print what is waiting, else a copy of the last slip; either says
        what came out."""
        if self.app.ledger.spool.jobs(("queued",)):
            self.print_pending(waiting=True)
        else:
            self.reprint_last()

    def reprint_last(self) -> None:
        app = self.app
        last = app.ledger.spool.last()
        if last is None:
            app.notify(app.tr("print.nothing"))
            return
        app.ledger.spool.reprint(last.entry_id)
        self.print_pending()

    def print_day_close(
        self,
        day: date | None,
        done: Callable[[dict[str, Any]], None],
        failed: Callable[[Refusal], None],
    ) -> None:
        """The day close (Z report), straight to the printer: it is no journal
        entry, so it has no place in the spool."""
        app, printer = self.app, self._printer()

        def work() -> None:
            try:
                with self.lock:  # never between another slip's bytes
                    result = print_day_close(printer, day)
            except Refusal as refusal:
                app.call_from_thread(failed, app.tr.refusal(refusal))
                return
            except Exception:
                log.exception("printing the day close failed")
                app.call_from_thread(failed, Refusal(app.tr("error.unexpected")))
                return
            app.call_from_thread(done, result)

        app.run_worker(work, thread=True, group="print", exit_on_error=False)
