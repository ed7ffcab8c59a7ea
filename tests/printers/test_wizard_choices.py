"""What the setup wizard saves (the shop's name, the printer, the paper width)
is what the till prints with: the settings file only gives the wizard its
starting values."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from config import Settings
from ledger.service import Ledger
from pos.printing import SlipPrinter

PHONE = "0812345678"


def test_slips_carry_the_shop_name_the_wizard_saved(ledger: Ledger, settings: Settings) -> None:
    ledger.enroll(PHONE, "Malee")
    entry = ledger.earn(PHONE, "100", "B1")
    ledger.set_pref("store_name", "ร้านกาแฟมาลี")
    slip = SlipPrinter(settings, ledger, "th").sale_slip(entry.entry_id)
    assert slip.store_name == "ร้านกาแฟมาลี"
    assert settings.store.name != "ร้านกาแฟมาลี"


def test_the_printer_the_wizard_chose_is_the_one_that_prints(
    ledger: Ledger, settings: Settings, tmp_path: Path
) -> None:
    # A printer on a real TCP socket: the settings file still says preview.
    received = bytearray()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(2)
            try:
                while chunk := conn.recv(65536):
                    received.extend(chunk)
            except OSError:
                pass

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    ledger.enroll(PHONE, "Malee")
    ledger.earn(PHONE, "100", "B1", print_slip=True)
    ledger.set_pref("printer_url", f"tcp://127.0.0.1:{server.getsockname()[1]}")
    ledger.set_pref("paper_mm", "58")
    printer = SlipPrinter(settings, ledger, "en")
    assert settings.printer.url == "preview"
    assert (printer.printer_settings().url, printer.printer_settings().paper_mm) == (
        f"tcp://127.0.0.1:{server.getsockname()[1]}",
        58,
    )
    (outcome,) = printer.print_pending()
    worker.join(timeout=5)
    server.close()
    assert outcome.printed and received  # the slip went to the socket, not to a preview
    assert b"B1" in received
