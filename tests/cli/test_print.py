"""Printing from the command line: a real TCP printer on 127.0.0.1, unplugged
in the middle of the day and plugged back in."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from tests.cli.test_cli import PHONE, Shop


class RecordingPrinter:
    """A network printer: accepts connections on 127.0.0.1 and records the bytes."""

    def __init__(self, port: int = 0) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.jobs: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                if data:
                    self.jobs.append(data)

    def close(self) -> None:
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_preview_writes_the_slip_as_bytes_and_png(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    shop.setup()
    shop.ok("member", "enroll", PHONE, "--name", "สมชาย")
    body = shop.ok("earn", PHONE, "1000", "--ref", "B1", "--print")
    (job,) = body["print"]
    assert job["printed"] and job["status"] == "printed"
    files = [Path(f) for f in job["files"]]
    assert {f.suffix for f in files} == {".bin", ".png"}
    assert all(f.stat().st_size > 0 for f in files)
    assert (
        b"08x-xxx-5678" in files[0].read_bytes()
        or files[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    )
    test = shop.ok("print", "test")
    assert test["printed"] and test["thai"] in ("code page", "raster image")


def test_an_unplugged_printer_loses_no_sale_and_prints_once_when_back(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    port = free_port()  # nothing listens: the printer is off
    env = {"POS_PRINTER__URL": f"tcp://127.0.0.1:{port}", "POS_LOCALE__LANGUAGE": "en"}
    shop.setup()
    shop.ok("member", "enroll", PHONE)
    body = shop.ok("earn", PHONE, "1000", "--ref", "B1", "--print", env=env)
    assert body["points"] == 40  # the sale is committed
    (job,) = body["print"]
    assert not job["printed"] and job["status"] == "queued"
    assert f"127.0.0.1:{port}" in job["message"]
    assert shop.member(PHONE)["balance"] == 40
    queue = shop.ok("print", "queue", env=env)["jobs"]
    assert [(j["status"], j["attempts"]) for j in queue] == [("queued", 1)]
    assert queue[0]["last_error"]

    printer = RecordingPrinter(port)  # plugged back in
    try:
        after = shop.ok("print", "queue", "--retry", env=env)
        assert after["jobs"] == []
        again = shop.ok("print", "queue", "--retry", env=env)
        assert again["jobs"] == []
        for _ in range(50):
            if printer.jobs:
                break
            threading.Event().wait(0.05)
        assert len(printer.jobs) == 1  # printed once, not once per retry
        assert b"B1" in printer.jobs[0]
        assert b"\x1dV" in printer.jobs[0][-8:]  # the whole slip, down to the cut
    finally:
        printer.close()
    assert shop.member(PHONE)["balance"] == 40  # and never a second sale


def test_reprint_is_a_marked_copy(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    shop.setup()
    shop.ok("member", "enroll", PHONE)
    entry = shop.ok("earn", PHONE, "1000", "--ref", "B1")
    copy = shop.ok("print", "reprint", entry["entry_id"])
    assert copy["copy"] and copy["printed"]
    call = shop.pos("print", "reprint", "no-such-entry")
    assert call.status == 3
