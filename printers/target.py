"""Where the printer is, and what to tell the cashier when it fails.

``parse_url`` reads the one printer setting; ``unavailable`` turns any device
error (plain OSError subclasses from sockets, python-escpos exceptions, a
missing driver package) into ``PrinterUnavailable`` with a message naming the
printer, what went wrong, what to check, and that the slip is kept.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from printers.errors import PrinterUnavailable

KEPT = "the slip is kept and will print on retry"
Kind = Literal["preview", "usb", "tcp", "serial", "file", "cups"]


@dataclass(frozen=True, slots=True)
class Target:
    kind: Kind
    where: str  # for messages: '127.0.0.1:9100', 'USB 04b8:0202', '/dev/usb/lp0'
    host: str = ""
    port: int = 0
    vendor: int = 0
    product: int = 0
    path: str = ""
    baudrate: int = 19200


def parse_url(url: str) -> Target:
    """Read the printer setting; ValueError names what is wrong."""
    if url.strip() in ("", "preview"):
        return Target("preview", "preview")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        if not parts.hostname:
            raise ValueError(f"printer url {url!r}: tcp:// needs HOST:PORT")
        try:
            port = parts.port or 9100
        except ValueError:
            raise ValueError(f"printer url {url!r}: the port must be a number") from None
        return Target("tcp", f"{parts.hostname}:{port}", host=parts.hostname, port=port)
    if scheme == "usb":
        ids = parts.netloc.split(":")
        try:
            vendor, product = (int(x, 16) for x in ids)
        except ValueError:
            raise ValueError(f"printer url {url!r}: use usb://VID:PID in hex") from None
        return Target("usb", f"USB {vendor:04x}:{product:04x}", vendor=vendor, product=product)
    if scheme == "serial":
        query = parse_qs(parts.query)
        rate = int(query.get("baudrate", ["19200"])[0])
        path = parts.netloc + parts.path
        return Target("serial", path, path=path, baudrate=rate)
    if scheme == "file":
        path = parts.netloc + parts.path
        return Target("file", path, path=path)
    if scheme == "cups":
        queue = parts.netloc + parts.path
        return Target("cups", f"CUPS queue {queue}", path=queue)
    raise ValueError(
        f"printer url {url!r}: use preview, usb://VID:PID, tcp://HOST:PORT, "
        "serial:///dev/ttyUSB0?baudrate=19200, file:///PATH or cups://QUEUE"
    )


def root_cause(exc: BaseException) -> BaseException:
    """The OSError under python-escpos's DeviceNotFoundError (raised inside its except)."""
    seen = exc
    while not isinstance(seen, OSError) and seen.__context__ is not None:
        seen = seen.__context__
    return seen if isinstance(seen, OSError) else exc


def unavailable(target: Target, exc: BaseException, stage: str) -> PrinterUnavailable:
    """A cashier's message for what went wrong while ``stage`` ('open', 'write', 'status')."""
    cause = root_cause(exc)
    at = f"Printer at {target.where}" if target.kind == "tcp" else f"Printer {target.where}"
    if isinstance(cause, ConnectionRefusedError):
        text = f"{at} refused the connection: check it is on and the address in the settings"
    elif isinstance(cause, TimeoutError) and stage == "write":
        text = f"{at} stopped taking data: check paper, cover and cable"
    elif isinstance(cause, TimeoutError):
        text = f"{at} does not answer: check it is on and connected"
    elif isinstance(cause, BrokenPipeError | ConnectionResetError | ConnectionAbortedError):
        text = f"{at} dropped the connection mid-slip: check it is on and connected"
    elif isinstance(cause, socket.gaierror):
        text = f"{at} cannot be found on the network: check the address in the settings"
    elif isinstance(cause, PermissionError):
        text = f"{at} refused access: the POS user needs permission for the device"
    elif isinstance(cause, FileNotFoundError) or _is_not_found(exc):
        text = f"{at} is not found: check the cable and that it is switched on"
    elif isinstance(exc, MissingDriver):
        text = f"{at} needs the Python package {exc.package}, which is not installed: call support"
    else:
        text = f"{at} failed ({type(cause).__name__}: {cause}): check it is on and connected"
    error = PrinterUnavailable(f"{text}; {KEPT}")
    error.__cause__ = exc
    return error


class MissingDriver(RuntimeError):
    """python-escpos needs an optional package for this connection."""

    def __init__(self, package: str) -> None:
        super().__init__(f"python-escpos needs {package} for this printer")
        self.package = package


def _is_not_found(exc: BaseException) -> bool:
    return type(exc).__name__ in ("DeviceNotFoundError", "USBNotFoundError")
