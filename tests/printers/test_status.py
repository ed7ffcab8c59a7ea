"""A network printer that is on the network but cannot print: paper out, cover
open, offline. A fake ESC/POS printer on 127.0.0.1 answers the real-time status
requests (DLE EOT 1, 2 and 4) as a real one does, and records every slip it was
sent. Nothing is sent to a printer that says it cannot print; the job stays
queued with the reason, and prints once when the fault is cleared.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers import open_printer
from printers.status import ASK_CAUSE, ASK_PAPER, ASK_PRINTER
from tests.cli.test_cli import PHONE, Shop
from tests.printers.conftest import sale_slip

# The printer's answer to DLE EOT 1 (printer), 2 (why offline), 4 (roll paper).
ANSWERS = {
    "online": {ASK_PRINTER: 0x12, ASK_CAUSE: 0x12, ASK_PAPER: 0x12},
    "paper_low": {ASK_PRINTER: 0x12, ASK_CAUSE: 0x12, ASK_PAPER: 0x1E},
    "paper_out": {ASK_PRINTER: 0x1A, ASK_CAUSE: 0x32, ASK_PAPER: 0x72},
    "cover_open": {ASK_PRINTER: 0x1A, ASK_CAUSE: 0x16, ASK_PAPER: 0x12},
    "offline": {ASK_PRINTER: 0x1A, ASK_CAUSE: 0x52, ASK_PAPER: 0x12},
    "silent": {},  # a printer that does not answer status requests
}
FAULTS = ["paper_out", "cover_open", "offline"]


class StatusPrinter:
    """An ESC/POS printer on a TCP port, in a thread. ``mode`` picks its status
    answers; ``then`` is the mode it falls into once a slip has arrived (paper
    running out mid-slip). ``slips`` holds what each connection sent besides
    status requests; ``asked`` counts the status requests."""

    def __init__(self, mode: str = "online") -> None:
        self.mode = mode
        self.then: str | None = None
        self.slips: list[bytes] = []
        self.asked = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.url = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._done.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        data = bytearray()
        with conn:
            while chunk := conn.recv(65536):
                data += chunk
                for request, answer in ANSWERS[self.mode].items():
                    if data.endswith(request):
                        del data[-len(request) :]
                        self.asked += 1
                        if data and self.then:  # the slip came before this question
                            self.mode, self.then = self.then, None
                            answer = ANSWERS[self.mode][request]
                        conn.sendall(bytes([answer]))
        if data:
            self.slips.append(bytes(data))

    def wait_slips(self, count: int, timeout: float = 3.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while len(self.slips) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.slips

    def close(self) -> None:
        self._done.set()
        self.server.close()
        self._thread.join(2)


@pytest.fixture
def printer() -> Iterator[StatusPrinter]:
    fake = StatusPrinter()
    yield fake
    fake.close()


FAST = {"connect_timeout": 1.0, "write_timeout": 1.0}


@pytest.mark.parametrize("mode", ["online", "paper_low", *FAULTS])
def test_the_printer_says_what_is_wrong(printer: StatusPrinter, mode: str) -> None:
    printer.mode = mode
    with open_printer(printer.url, "TM-T88V", 42, **FAST) as device:
        status = device.status()
    assert status.state == {"online": "ready"}.get(mode, mode)
    assert status.can_print == (mode in ("online", "paper_low"))
    assert printer.asked >= 2 and printer.wait_slips(0) == []  # asking prints nothing


def test_a_printer_that_does_not_answer_is_asked_briefly(printer: StatusPrinter) -> None:
    printer.mode = "silent"
    with open_printer(printer.url, "TM-T88V", 42, **FAST) as device:
        device.status_timeout = 0.2
        started = time.monotonic()
        assert device.status().state == "unknown"
        assert time.monotonic() - started < 1.0


def test_a_garbled_answer_is_not_a_status() -> None:
    from printers.status import is_status

    assert is_status(0x12) and is_status(0x1A) and is_status(0x72)
    assert not is_status(0x00) and not is_status(ord("A")) and not is_status(None)


@pytest.fixture
def shop(tmp_path: Path, printer: StatusPrinter) -> Shop:
    shop = Shop(tmp_path)
    shop.env |= {"POS_PRINTER__URL": printer.url, "POS_LOCALE__LANGUAGE": "en"}
    shop.setup()
    shop.ok("member", "enroll", PHONE)
    return shop


WORDS = {"paper_out": "out of paper", "cover_open": "cover is open", "offline": "offline"}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_slip_waits_for_the_fault_to_clear_and_prints_once(
    shop: Shop, printer: StatusPrinter, fault: str
) -> None:
    printer.mode = fault
    body = shop.ok("earn", PHONE, "1000", "--ref", "B1", "--print")
    assert body["points"] == 40  # the sale is kept whatever the printer says
    (job,) = body["print"]
    assert not job["printed"] and job["status"] == "queued" and job["reason"] == fault
    assert WORDS[fault] in job["message"]
    text = shop.pos("earn", PHONE, "500", "--ref", "B2", "--print", json_out=False).stdout
    assert "Not printed" in text and WORDS[fault] in text and "Printed" not in text
    queue = shop.ok("print", "queue")["jobs"]
    assert [(j["status"], WORDS[fault] in j["last_error"]) for j in queue] == [("queued", True)] * 2
    assert printer.wait_slips(1, timeout=0.3) == []  # nothing went to a printer that cannot print

    shop.ok("print", "queue", "--retry")  # still faulted: still waiting
    assert [j["status"] for j in shop.ok("print", "queue")["jobs"]] == ["queued"] * 2
    assert printer.slips == []

    printer.mode = "online"  # paper loaded, cover closed, back online
    assert shop.ok("print", "queue", "--retry")["jobs"] == []
    assert shop.ok("print", "queue", "--retry")["jobs"] == []
    slips = printer.wait_slips(2)
    time.sleep(0.2)
    assert len(slips) == 2  # each slip once
    assert b"B1" in slips[0] and b"B2" in slips[1]
    assert all(b"\x1dV" in slip[-8:] for slip in slips)  # whole, down to the cut


def test_paper_running_out_during_the_slip_is_not_reported_printed(
    shop: Shop, printer: StatusPrinter
) -> None:
    printer.then = "paper_out"
    (job,) = shop.ok("earn", PHONE, "1000", "--ref", "B1", "--print")["print"]
    assert not job["printed"] and job["reason"] == "paper_out"
    assert job["status"] == "uncertain"  # it may have come out: a person looks first
    assert "check what came out" in job["message"]
    assert len(printer.wait_slips(1)) == 1
    printer.mode = "online"
    shop.ok("print", "queue", "--retry")  # no id: an uncertain slip is not printed again
    time.sleep(0.2)
    assert len(printer.slips) == 1
    (waiting,) = shop.ok("print", "queue")["jobs"]
    assert waiting["status"] == "uncertain"


@pytest.mark.parametrize("fault", FAULTS)
def test_the_test_page_is_not_printed_into_a_fault(
    shop: Shop, printer: StatusPrinter, fault: str
) -> None:
    printer.mode = fault
    message = shop.fails(1, "printer_unavailable", "print", "test")
    assert WORDS[fault] in message
    assert printer.wait_slips(1, timeout=0.3) == []
    printer.mode = "online"
    page = shop.ok("print", "test")
    assert page["printed"] and page["status"] == "ready"
    assert len(printer.wait_slips(1)) == 1


def test_a_thai_till_says_the_fault_in_thai(shop: Shop, printer: StatusPrinter) -> None:
    printer.mode = "cover_open"
    env = {"POS_LOCALE__LANGUAGE": "th"}
    (job,) = shop.ok("earn", PHONE, "1000", "--ref", "B1", "--print", env=env)["print"]
    assert not job["printed"] and "ฝาเครื่องพิมพ์เปิดอยู่" in job["message"]


def test_slips_still_print_on_a_printer_that_does_not_answer(printer: StatusPrinter) -> None:
    printer.mode = "silent"
    with open_printer(printer.url, "TM-T88V", 42, **FAST) as device:
        device.status_timeout = 0.2
        assert device.status().can_print
        device.print_slip(sale_slip("en"))
    assert len(printer.wait_slips(1)) == 1
