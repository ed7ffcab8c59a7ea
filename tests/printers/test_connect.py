"""Connections: a real TCP 'printer' on 127.0.0.1, files, preview, and failures.

Each failure must become PrinterUnavailable with a message a cashier can act
on, quickly (short timeouts are passed in), and a later print to a working
printer must deliver the slip exactly once.
"""

from __future__ import annotations

import shutil
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers import PrinterUnavailable, build_bytes, open_printer, parse_url
from printers.target import Target
from tests.printers.conftest import coupon_slip, sale_slip

RT_ONLINE, RT_PAPER = b"\x10\x04\x01", b"\x10\x04\x04"


class FakePrinter:
    """A TCP printer in a thread: 'record' keeps every byte per connection and
    answers DLE EOT status requests; 'stall' accepts and never reads; 'drop'
    reads a little, then resets the connection."""

    def __init__(self, mode: str = "record", online: int = 0x12, paper: int = 0x12) -> None:
        self.mode = mode
        self.status = {RT_ONLINE: bytes([online]), RT_PAPER: bytes([paper])}
        self.answer_status = True
        self.jobs: list[bytes] = []
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if mode != "record":  # a tiny window, inherited by accepted sockets
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.url = f"tcp://127.0.0.1:{self.port}"
        self._held: list[socket.socket] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.server.settimeout(0.1)
        while not self._done.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        if self.mode == "stall":
            self._held.append(conn)  # keep it open, never read
            return
        if self.mode == "drop":
            conn.recv(1024)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()  # RST: the peer vanished mid-job
            return
        received = bytearray()
        with conn:
            while chunk := conn.recv(65536):
                received += chunk
                for request, reply in self.status.items():
                    if received.endswith(request) and self.answer_status:
                        conn.sendall(reply)
                        del received[-len(request) :]
        self.jobs.append(bytes(received))

    def wait_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.jobs

    def close(self) -> None:
        self._done.set()
        self.server.close()
        for conn in self._held:
            conn.close()
        self._thread.join(2)


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    yield printer
    printer.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


FAST = {"connect_timeout": 1.0, "write_timeout": 1.0}


def test_sale_slip_arrives_whole(fake_printer: FakePrinter) -> None:
    slip = sale_slip("th")
    with open_printer(fake_printer.url, "TM-T88V", 42, **FAST) as printer:
        result = printer.print_slip(slip)
    expected = build_bytes(slip, "TM-T88V", 42)
    assert fake_printer.wait_jobs(1) == [expected]
    assert result.bytes_sent == len(expected)
    assert not printer.is_open


def test_refused_connection(tmp_path: Path) -> None:
    port = closed_port()
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable) as caught:
        open_printer(f"tcp://127.0.0.1:{port}", "TM-T88V", **FAST)
    assert time.monotonic() - started < 1.0
    assert caught.value.message == (
        f"Printer at 127.0.0.1:{port} refused the connection: check it is on and the "
        "address in the settings; the slip is kept and will print on retry"
    )
    assert isinstance(caught.value.__cause__, Exception)


def test_dead_host_gives_up_within_the_connect_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable, match=r"192\.0\.2\.1:9100") as caught:
        open_printer("tcp://192.0.2.1:9100", "TM-T88V", connect_timeout=0.5, write_timeout=1)
    assert time.monotonic() - started < 1.5
    assert caught.value.message.endswith("the slip is kept and will print on retry")


def test_peer_that_stops_reading_times_out() -> None:
    stalled = FakePrinter("stall")
    try:
        printer = open_printer(stalled.url, "TM-T88V", 42, send_buffer=4096, **FAST)
        started = time.monotonic()
        with pytest.raises(PrinterUnavailable) as caught:
            for _ in range(20):  # the first slip may still fit in the buffers
                printer.print_slip(coupon_slip("th", terms="ใช้ได้ครั้งเดียว " * 40))
        elapsed = time.monotonic() - started
    finally:
        stalled.close()
    assert elapsed < 3.0
    assert caught.value.message == (
        f"Printer at 127.0.0.1:{stalled.port} stopped taking data: check paper, cover and "
        "cable; the slip is kept and will print on retry"
    )
    assert isinstance(caught.value.__cause__, TimeoutError)
    assert not printer.is_open  # dropped: the next attempt opens again


def test_peer_that_closes_mid_job() -> None:
    dropping = FakePrinter("drop")
    try:
        printer = open_printer(dropping.url, "TM-T88V", 42, send_buffer=4096, **FAST)
        with pytest.raises(PrinterUnavailable) as caught:
            for _ in range(20):
                printer.print_slip(coupon_slip("th", terms="ใช้ได้ครั้งเดียว " * 40))
    finally:
        dropping.close()
    assert "dropped the connection mid-slip" in caught.value.message
    assert isinstance(caught.value.__cause__, BrokenPipeError | ConnectionResetError)


def test_after_failures_the_slip_prints_once(fake_printer: FakePrinter) -> None:
    slip = sale_slip("en")
    with pytest.raises(PrinterUnavailable):
        open_printer(f"tcp://127.0.0.1:{closed_port()}", "TM-T88V", **FAST)
    printer = open_printer(fake_printer.url, "TM-T88V", 42, **FAST)
    printer.close()
    with pytest.raises(PrinterUnavailable, match="not connected"):
        printer.print_slip(slip)  # closed means closed: no lazy reconnect
    printer.open()
    printer.print_slip(slip)
    printer.close()
    jobs = fake_printer.wait_jobs(2)  # two connections, in either order
    assert sorted(jobs, key=len) == [b"", build_bytes(slip, "TM-T88V", 42)]


@pytest.mark.parametrize(
    ("online", "paper", "state"),
    [
        (0x12, 0x12, "ready"),
        (0x12, 0x1E, "paper_low"),
        (0x12, 0x72, "paper_out"),
        (0x1A, 0x12, "offline"),
    ],
)
def test_status(online: int, paper: int, state: str) -> None:
    fake = FakePrinter(online=online, paper=paper)
    try:
        with open_printer(fake.url, "TM-T88V", **FAST) as printer:
            status = printer.status()
    finally:
        fake.close()
    assert status.state == state
    assert status.can_print == (state in ("ready", "paper_low"))


def test_status_without_reply_is_unknown(fake_printer: FakePrinter) -> None:
    fake_printer.answer_status = False
    with open_printer(fake_printer.url, "TM-T88V", **FAST) as printer:
        printer.status_timeout = 0.2
        started = time.monotonic()
        status = printer.status()
        assert time.monotonic() - started < 1.0
        assert status.state == "unknown" and status.can_print


def test_preview_writes_bin_and_png(tmp_path: Path) -> None:
    slip = coupon_slip("th", copy=True)
    with open_printer("preview", "TM-T88V", 42, spool_dir=tmp_path / "spool") as printer:
        result = printer.print_slip(slip, name="job-1")
        assert printer.status().state == "ready"
    binary, png = result.files
    assert binary == tmp_path / "spool" / "job-1.bin"
    assert binary.read_bytes() == build_bytes(slip, "TM-T88V", 42)
    assert png.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in binary.parent.iterdir()) == ["job-1.bin", "job-1.png"]


def test_file_printer(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    slip = sale_slip("en")
    with open_printer(f"file://{device}", "TM-T20II", paper_mm=80) as printer:
        printer.print_slip(slip)
        assert printer.status().state == "unknown"
    assert printer.columns == 48
    assert device.read_bytes() == build_bytes(slip, "TM-T20II", 48)


def test_file_printer_missing(tmp_path: Path) -> None:
    with pytest.raises(PrinterUnavailable, match="is not found: check the cable"):
        open_printer(f"file://{tmp_path}/no/such/lp0", "TM-T88V")


@pytest.mark.parametrize(
    ("url", "module", "package"),
    [
        ("usb://04b8:0202", "usb", "pyusb"),
        ("serial:///dev/ttyUSB9?baudrate=19200", "serial", "pyserial"),
    ],
)
def test_missing_driver_package(url: str, module: str, package: str) -> None:
    try:
        __import__(module)
    except ImportError:
        pass
    else:
        pytest.skip(f"{package} is installed")
    with pytest.raises(PrinterUnavailable, match=f"needs the Python package {package}"):
        open_printer(url, "TM-T88V")


def test_cups_without_cups() -> None:
    if shutil.which("lp"):
        pytest.skip("lp is installed")
    with pytest.raises(PrinterUnavailable, match="cups-client"):
        open_printer("cups://receipts", "TM-T88V")


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("preview", Target("preview", "preview")),
        ("tcp://192.168.1.50:9100", Target("tcp", "192.168.1.50:9100", "192.168.1.50", 9100)),
        ("usb://04b8:0202", Target("usb", "USB 04b8:0202", vendor=0x04B8, product=0x0202)),
        (
            "serial:///dev/ttyUSB0?baudrate=9600",
            Target("serial", "/dev/ttyUSB0", path="/dev/ttyUSB0", baudrate=9600),
        ),
        ("serial:///dev/ttyS1", Target("serial", "/dev/ttyS1", path="/dev/ttyS1")),
        ("file:///dev/usb/lp0", Target("file", "/dev/usb/lp0", path="/dev/usb/lp0")),
        ("cups://TM-T88V", Target("cups", "CUPS queue TM-T88V", path="TM-T88V")),
    ],
)
def test_parse_url(url: str, target: Target) -> None:
    assert parse_url(url) == target


@pytest.mark.parametrize("url", ["lpt1", "usb://04b8", "usb://zz:01", "tcp://:9100", "tcp://h:x"])
def test_bad_url(url: str) -> None:
    with pytest.raises(ValueError, match="printer url"):
        parse_url(url)


def test_unknown_profile_is_a_settings_error() -> None:
    with pytest.raises(ValueError, match="unknown python-escpos printer profile 'TM-NOPE'"):
        open_printer("preview", "TM-NOPE")
