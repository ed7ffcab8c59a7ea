"""Printer connections from one setting, opened and closed explicitly.

``open_printer(url, profile, columns)`` understands ``usb://VID:PID`` (hex),
``tcp://HOST:PORT``, ``serial:///dev/ttyUSB0?baudrate=19200``,
``file:///path``, ``cups://QUEUE`` and ``preview`` (slips are written to the
spool folder as raw ``.bin`` and ``.png``). The slip's bytes are built first
(``build_bytes``), then sent in one write; every failure of the device becomes
``PrinterUnavailable`` with a message a cashier can act on. Nothing relies on
lazy connects or ``__del__``: use ``with open_printer(...) as printer:``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from printers import _escpos
from printers.errors import PrinterUnavailable
from printers.layout import FontPath, build_bytes, default_columns
from printers.preview import render_png
from printers.slips import CouponSlip, DaySummary, SaleSlip, Slip, TestPage
from printers.status import ASK_CAUSE, ASK_PAPER, ASK_PRINTER, PrinterStatus, decode, is_status
from printers.target import KEPT, MissingDriver, Target, parse_url, root_cause, unavailable


@dataclass(frozen=True, slots=True)
class PrintResult:
    bytes_sent: int
    files: tuple[Path, ...] = field(default=())  # preview: the .bin and the .png


def _slip_kind(slip: Slip) -> str:
    if isinstance(slip, SaleSlip):
        return "sale"
    if isinstance(slip, CouponSlip):
        return "coupon"
    if isinstance(slip, DaySummary):
        return "summary"
    if isinstance(slip, TestPage):
        return "test"
    raise TypeError(f"not a slip: {type(slip).__name__}")


def _escpos_error() -> type[BaseException]:
    error: type[BaseException] = _escpos.exceptions().Error
    return error


class Printer:
    """One printer connection. ``open()`` before printing, ``close()`` after."""

    def __init__(
        self,
        target: Target,
        profile: str | None,
        columns: int,
        *,
        spool_dir: Path,
        connect_timeout: float,
        write_timeout: float,
        send_buffer: int | None,
        font_path: FontPath,
    ) -> None:
        self.target = target
        self.profile = profile
        self.columns = columns
        self.spool_dir = spool_dir
        self.connect_timeout = connect_timeout
        self.write_timeout = write_timeout
        self.send_buffer = send_buffer
        self.status_timeout = 1.0
        self.font_path = font_path
        self._device: Any = None
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    def __enter__(self) -> Printer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- open / close ------------------------------------------------------------

    def open(self) -> None:
        """Connect now; PrinterUnavailable if the printer cannot be reached."""
        self.close()
        kind = self.target.kind
        if kind == "preview":
            try:
                _private_dir(self.spool_dir)
            except OSError as exc:
                raise unavailable(self.target, exc, "open") from exc
            self._open = True
            return
        if kind == "cups" and not _has_pycups():
            if shutil.which("lp") is None:
                raise PrinterUnavailable(
                    f"Printer {self.target.where} needs CUPS: install the Debian package "
                    f"cups-client (or the Python package pycups); {KEPT}"
                )
            self._open = True
            return
        try:
            self._device = self._make_device()
            with _escpos.no_basic_config():
                if kind == "tcp":
                    self._device.device = self._connect()
                else:
                    self._device.open()
            self._after_open()
        except (OSError, RuntimeError, ValueError, _escpos_error()) as exc:
            self._drop()
            raise unavailable(self.target, exc, "open") from exc
        self._open = True

    def _make_device(self) -> Any:
        printer = _escpos.load()
        t, profile = self.target, self.profile
        drivers = {"usb": (printer.Usb, "pyusb"), "serial": (printer.Serial, "pyserial")}
        if t.kind in drivers and not drivers[t.kind][0].is_usable():
            raise MissingDriver(drivers[t.kind][1])  # before __init__: its __del__ would raise
        if t.kind == "tcp":
            return printer.Network(t.host, t.port, timeout=self.connect_timeout, profile=profile)
        if t.kind == "usb":
            ms = max(1, int(self.write_timeout * 1000))
            return printer.Usb(t.vendor, t.product, timeout=ms, profile=profile)
        if t.kind == "serial":
            return printer.Serial(
                t.path, baudrate=t.baudrate, timeout=self.write_timeout, profile=profile
            )
        if t.kind == "file":
            return printer.File(t.path, auto_flush=False, profile=profile)
        return printer.CupsPrinter(t.path, profile=profile)

    def _connect(self) -> socket.socket:
        """TCP by hand: python-escpos's Network.open leaks the socket when it fails."""
        sock = socket.create_connection(
            (self.target.host, self.target.port), timeout=self.connect_timeout
        )
        sock.settimeout(self.write_timeout)
        if self.send_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
        return sock

    def _after_open(self) -> None:
        if self.target.kind == "serial":
            self._device.device.write_timeout = self.write_timeout

    def _drop(self) -> None:
        device, self._device = self._device, None
        self._open = False
        if device is None:
            return
        try:
            with _escpos.no_basic_config():
                device.close()
        except (OSError, RuntimeError, _escpos_error()):
            pass  # already broken: nothing more to release
        device._device = False  # closed: __del__ has nothing left to do

    def close(self) -> None:
        """Release the connection (idempotent)."""
        self._drop()

    # -- printing ----------------------------------------------------------------

    def build(self, slip: Slip) -> bytes:
        return build_bytes(slip, self.profile, self.columns, font_path=self.font_path)

    def print_slip(self, slip: Slip, *, name: str | None = None) -> PrintResult:
        """Print (or in preview, save) one slip; PrinterUnavailable if it did not go out.

        ``name`` is the file stem in preview mode (e.g. the spool job id).
        """
        if not self._open:
            raise PrinterUnavailable(f"Printer {self.target.where} is not connected; {KEPT}")
        data = self.build(slip)
        if self.target.kind != "preview":
            return self.send(data)
        stem = name or f"{datetime.now():%Y%m%d-%H%M%S-%f}-{_slip_kind(slip)}"
        png = render_png(slip, self.columns, font_path=self.font_path)
        files = (self.spool_dir / f"{stem}.bin", self.spool_dir / f"{stem}.png")
        try:
            for path, content in zip(files, (data, png), strict=True):
                _write_atomic(path, content)
        except OSError as exc:
            raise unavailable(self.target, exc, "write") from exc
        return PrintResult(len(data), files)

    def send(self, data: bytes) -> PrintResult:
        """Send ready ESC/POS bytes in one write."""
        if not self._open:
            raise PrinterUnavailable(f"Printer {self.target.where} is not connected; {KEPT}")
        if self.target.kind == "preview":
            return self.print_bytes_preview(data)
        if self.target.kind == "cups" and self._device is None:
            return self._send_lp(data)
        try:
            with _escpos.no_basic_config():
                if self.target.kind == "cups":
                    self._device.open(job_name="loyalty-pos")  # CupsPrinter: a job per open
                self._device._raw(data)
                if self.target.kind == "file":
                    self._device.flush()
                elif self.target.kind == "cups":
                    self._device.send()
        except (OSError, RuntimeError, ValueError, _escpos_error()) as exc:
            self._drop()
            raise unavailable(self.target, exc, "write") from exc
        return PrintResult(len(data))

    def print_bytes_preview(self, data: bytes) -> PrintResult:
        path = self.spool_dir / f"{datetime.now():%Y%m%d-%H%M%S-%f}-raw.bin"
        _write_atomic(path, data)
        return PrintResult(len(data), (path,))

    def _send_lp(self, data: bytes) -> PrintResult:
        command = ["lp", "-d", self.target.path, "-o", "raw"]
        try:
            subprocess.run(
                command, input=data, capture_output=True, check=True, timeout=self.write_timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise unavailable(self.target, TimeoutError(str(exc)), "write") from exc
        except subprocess.CalledProcessError as exc:
            detail = exc.stderr.decode(errors="replace").strip() or f"exit {exc.returncode}"
            raise PrinterUnavailable(
                f"Printer {self.target.where} refused the job ({detail}): "
                f"check the queue name in the settings; {KEPT}"
            ) from exc
        except OSError as exc:
            raise unavailable(self.target, exc, "write") from exc
        return PrintResult(len(data))

    # -- status --------------------------------------------------------------------

    def status(self) -> PrinterStatus:
        """Online and paper, by the real-time status commands (tcp, usb, serial)."""
        if self.target.kind == "preview":
            return PrinterStatus("ready", "Preview: slips are saved as files", True, "ok")
        if self.target.kind not in ("tcp", "usb", "serial"):
            return PrinterStatus("unknown", f"Printer {self.target.where}: status not available")
        if not self._open:
            return PrinterStatus("offline", f"Printer {self.target.where} is not connected", False)
        try:
            printer = self._ask(ASK_PRINTER)
            if printer is None:
                return PrinterStatus("unknown", f"Printer {self.target.where}: no status reply")
            paper = self._ask(ASK_PAPER)
            cause = self._ask(ASK_CAUSE) if printer & 0x08 else None
        except (OSError, RuntimeError, ValueError, _escpos_error()) as exc:
            self._drop()
            return PrinterStatus("offline", unavailable(self.target, exc, "status").message, False)
        return decode(printer, paper, cause)

    def _ask(self, request: bytes) -> int | None:
        """One real-time status byte, or None when the printer does not answer in time."""
        sock = self._device._device if self.target.kind == "tcp" else None
        if sock is not None:
            _drain(sock)  # a late answer to an earlier question is not this one's
            sock.settimeout(min(self.status_timeout, self.write_timeout))
        try:
            with _escpos.no_basic_config():
                self._device._raw(request)
                reply = self._device._read()
        except (OSError, RuntimeError, _escpos_error()) as exc:
            cause = root_cause(exc)
            if isinstance(cause, TimeoutError) or "Timeout" in type(cause).__name__:
                return None  # pyusb's USBTimeoutError is not a TimeoutError
            raise
        finally:
            if sock is not None:
                sock.settimeout(self.write_timeout)
        if not reply:
            if sock is not None:  # the printer closed the connection
                raise ConnectionResetError("the printer closed the connection")
            return None
        byte = int(reply[-1])
        return byte if is_status(byte) else None


def _drain(sock: socket.socket) -> None:
    sock.setblocking(False)
    try:
        while sock.recv(64):
            pass
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        pass  # a broken socket: the question itself will say so
    finally:
        sock.setblocking(True)


def _has_pycups() -> bool:
    try:
        import cups  # noqa: F401
    except ImportError:
        return False
    return True


def _write_atomic(path: Path, content: bytes) -> None:
    """Spooled slips hold coupon payloads: 0600 from the first byte, whatever
    the umask; a half-written file (disk full) is removed."""
    temp = path.with_name(f".{path.name}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(temp, path)


def _private_dir(folder: Path) -> None:
    """Create the spool folder (and missing parents) 0700 whatever the umask; an
    existing folder is left alone."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for level in reversed(missing):
        try:
            os.mkdir(level, 0o700)
        except FileExistsError:
            continue
        os.chmod(level, 0o700)


def default_spool_dir() -> Path:
    return platformdirs.user_data_path(_escpos.APP_NAME) / "spool"


def open_printer(
    url: str = "preview",
    profile: str | None = "TM-T88V",
    columns: int | None = None,
    *,
    paper_mm: int = 80,
    spool_dir: str | os.PathLike[str] | None = None,
    connect_timeout: float = 3.0,
    write_timeout: float = 5.0,
    send_buffer: int | None = None,
    font_path: FontPath = None,
) -> Printer:
    """Open the printer named by ``url`` and return it, connected.

    ``columns`` defaults from ``paper_mm`` and the profile (32, 42 or 48). Raises
    ValueError for a bad url or profile and PrinterUnavailable when the printer
    cannot be reached. Close it with ``close()`` or use it in a ``with`` block.
    """
    target = parse_url(url)
    _escpos.profile(profile)  # an unknown profile is a settings error, said now
    printer = Printer(
        target,
        profile,
        columns or default_columns(paper_mm, profile),
        spool_dir=Path(spool_dir) if spool_dir else default_spool_dir(),
        connect_timeout=connect_timeout,
        write_timeout=write_timeout,
        send_buffer=send_buffer,
        font_path=font_path,
    )
    printer.open()
    return printer
