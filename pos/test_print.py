"""The printer's test page, for ``pos print test`` and the setup wizard's F2:
the shop's name, the printer profile and its code pages, a Thai line and a QR.

It prints on the printer its settings name: the saved ones (the command), or
what the wizard's fields say before anything is saved. The printer is asked
first where it can say (``DLE EOT``): one that cannot print (paper out, cover
open, offline) gets nothing, and one that stops during the page is not called
printed. A host that does not answer is given ``CONNECT_S`` seconds, not
python-escpos's 60. The outcome is a value; each caller words it
(``TestResult.text``) in its own language.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from config.settings import PrinterSettings
from pos.printing import PrintFailed

# A printer on the shop's network answers a connect in milliseconds: a few
# seconds tell a switched-off or mistyped host without a long wait.
CONNECT_S = 3.0
WRITE_S = 5.0
QR_PAYLOAD = "LOYALTY-POS-TEST-0123456789"

Reason = Literal[
    "printed",  # the printer took the page and says it is still fine
    "sent",  # taken, but this printer cannot say whether it came out (file, CUPS, no status)
    "saved",  # preview: the page is a picture in the spool folder
    "paper_out",
    "cover_open",
    "offline",
    "stopped",  # it stopped during the page (paper ran out...)
    "unreachable",  # nothing answers at that address
    "not_found",  # no such device (USB, serial, file): unplugged, off, or mistyped
    "no_access",  # the device is there, but this user may not open it
    "failed",  # anything else the connection said (in ``detail``)
]
# The printer's own answers that stop a page before it is sent.
FAULTS: dict[str, Reason] = {"paper_out": "paper_out", "cover_open": "cover_open",
                             "offline": "offline"}  # fmt: skip
# Connection errors that mean "no printer there": refused, no answer, no such host.
_GONE = (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ECONNREFUSED)


@dataclass(frozen=True, slots=True)
class TestResult:
    """What became of one test page."""

    __test__ = False  # not a pytest class, despite the name

    reason: Reason
    printer: str  # the url printed to
    where: str  # the printer as messages name it: '192.168.1.50:9100', 'USB 04b8:0202'
    profile: str
    thai: str = ""  # "code page" or "raster image"
    status: str = ""  # the printer's state after the page ("ready", "unknown"...)
    files: tuple[str, ...] = ()  # preview: the raw bytes and the picture
    detail: str = ""  # the connection's own words (English) for "failed" and "stopped"

    @property
    def printed(self) -> bool:
        return self.reason in ("printed", "sent", "saved")

    def text(self, tr: Callable[..., str]) -> str:
        """The outcome in ``tr``'s language (a ``pos.i18n.Translator``)."""
        values = {"printer": self.printer, "where": self.where, "detail": self.detail}
        if self.reason == "saved":
            values["path"] = self.files[-1] if self.files else ""
        if self.reason == "stopped":  # the printer's state, else what the connection said
            state = f"test_print.state.{self.status}"
            values["fault"] = tr(state) if self.status in FAULTS else self.detail
        return tr(f"test_print.{self.reason}", **values)

    def to_dict(self) -> dict[str, Any]:
        return {"printed": self.printed, "reason": self.reason, "printer": self.printer,
                "profile": self.profile, "thai": self.thai, "status": self.status,
                "files": list(self.files), "detail": self.detail}  # fmt: skip


def print_test_page(cfg: PrinterSettings, store_name: str, language: str) -> TestResult:
    """Print the test page on the printer ``cfg`` names (blocking: a worker's job).

    A printer fault is a result, not an exception; PrintFailed only for a
    printer profile python-escpos does not know (a settings error)."""
    from printers import PrinterError, TestPage, _escpos, open_printer, parse_url
    from printers.errors import PrinterUnavailable
    from printers.status import MESSAGES
    from printers.thai import thai_code_page

    try:
        profile = _escpos.profile(cfg.profile)
    except ValueError as exc:
        raise PrintFailed(f"{exc}: set printer.profile to a python-escpos profile.") from None
    thai = "code page" if thai_code_page(profile) is not None else "raster image"
    result = TestResult("failed", cfg.url, cfg.url, cfg.profile, thai=thai)
    try:
        target = parse_url(cfg.url)  # the settings' pattern lets "?baudrate=fast" through
    except ValueError as exc:
        return _with(result, "failed", detail=str(exc))
    result = _with(result, "failed", where=target.where)
    try:
        with open_printer(
            cfg.url, cfg.profile, cfg.columns, paper_mm=cfg.paper_mm, spool_dir=cfg.spool_dir,
            connect_timeout=CONNECT_S, write_timeout=WRITE_S,
        ) as printer:  # fmt: skip
            page = TestPage(
                store_name=store_name, profile=cfg.profile,
                code_pages=tuple(sorted(profile.get_code_pages())), columns=printer.columns,
                qr_payload=QR_PAYLOAD, language="th" if language == "th" else "en",
            )  # fmt: skip
            before = printer.status()
            if not before.can_print:  # nothing is sent to a printer that would not print
                fault = FAULTS.get(before.state)
                if fault is not None and before.message == MESSAGES[before.state]:
                    return _with(result, fault, status=before.state)
                return _with(result, "failed", detail=_words(before.message))
            sent = printer.print_slip(page, name="test")
            after = printer.status() if before.known else before
    except PrinterUnavailable as exc:
        return _with(result, _why(exc), detail=_words(exc.message))
    except (PrinterError, ValueError) as exc:
        return _with(result, "failed", detail=_words(getattr(exc, "message", None) or str(exc)))
    files = tuple(str(f) for f in sent.files)
    if not after.can_print:
        return _with(result, "stopped", status=after.state, files=files,
                     detail=_words(after.message))  # fmt: skip
    if target.kind == "preview":
        return _with(result, "saved", status=after.state, files=files)
    return _with(result, "printed" if after.known else "sent", status=after.state, files=files)


def _with(result: TestResult, reason: Reason, **changes: Any) -> TestResult:
    return replace(result, reason=reason, **changes)


def _words(message: str) -> str:
    """The connection's message without the spool's promise: a test page is
    not kept for a retry."""
    from printers.target import KEPT

    return message.removesuffix(f"; {KEPT}")


def _why(exc: BaseException) -> Reason:
    """Why the printer could not be opened, from the error under PrinterUnavailable."""
    from printers.target import root_cause

    cause = root_cause(exc.__cause__ or exc)
    if isinstance(cause, ConnectionRefusedError | TimeoutError | socket.gaierror):
        return "unreachable"
    if isinstance(cause, OSError) and cause.errno in _GONE:
        return "unreachable"
    if isinstance(cause, PermissionError):
        return "no_access"
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    # python-escpos's own "no such device" errors are not OSErrors.
    if isinstance(cause, FileNotFoundError) or any(
        type(e).__name__ in ("DeviceNotFoundError", "USBNotFoundError") for e in chain
    ):
        return "not_found"
    return "failed"
