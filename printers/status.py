"""What an ESC/POS printer says about itself: real-time status (``DLE EOT n``).

A printer answers ``DLE EOT n`` with one byte even while it is offline, so
the till can tell "paper out" or "cover open" before it sends a slip into a
printer that would not print it. The bytes (Epson's ESC/POS reference):

- n=1, printer: bit 3 set = offline.
- n=2, why offline: bit 2 cover open, bit 5 stopped at paper end, bit 6 error.
- n=4, roll paper: bits 2-3 near the end, bits 5-6 out.

Every reply has bit 1 set and bits 0, 4 and 7 clear: anything else is not a
status byte (a printer that ignores the request, or line noise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ASK_PRINTER = b"\x10\x04\x01"
ASK_CAUSE = b"\x10\x04\x02"
ASK_PAPER = b"\x10\x04\x04"

State = Literal["ready", "paper_low", "paper_out", "cover_open", "offline", "unknown"]

MESSAGES: dict[State, str] = {
    "ready": "Printer ready",
    "paper_low": "Paper is running low: have a roll ready",
    "paper_out": "Printer is out of paper: load a new roll",
    "cover_open": "Printer cover is open: close it",
    "offline": "Printer is offline: close the cover and check the paper",
}


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    state: State
    message: str
    online: bool | None = None
    paper: Literal["ok", "low", "out"] | None = None

    @property
    def can_print(self) -> bool:
        """Worth sending a slip: ready, low paper, or a printer that does not say."""
        return self.state in ("ready", "paper_low", "unknown")

    @property
    def known(self) -> bool:
        """The printer answered: asking again after the slip will be answered too."""
        return self.state != "unknown"


def is_status(byte: int | None) -> bool:
    return byte is not None and byte & 0x93 == 0x12


def decode(printer: int, paper: int | None, cause: int | None) -> PrinterStatus:
    """The status from the replies to n=1, n=4 and (when offline) n=2."""
    online = not printer & 0x08
    paper_state: Literal["ok", "low", "out"] = "ok"
    if is_status(paper) and paper is not None:
        if paper & 0x60 == 0x60:
            paper_state = "out"
        elif paper & 0x0C == 0x0C:
            paper_state = "low"
    why = cause if is_status(cause) and not online else 0
    if why is not None and why & 0x20:
        paper_state = "out"
    state: State
    if paper_state == "out":
        state = "paper_out"
    elif why and why & 0x04:
        state = "cover_open"
    elif not online:
        state = "offline"
    elif paper_state == "low":
        state = "paper_low"
    else:
        state = "ready"
    return PrinterStatus(state, MESSAGES[state], online, paper_state)
