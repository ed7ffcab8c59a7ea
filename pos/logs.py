"""Logging goes to a file, never onto a cashier's screen or a script's stdout."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

import phonenumbers
import platformdirs

from ledger.db import make_private_dir
from ledger.phone import mask_phone
from pos.output import visible


def log_path() -> Path:
    override = os.environ.get("POS_LOG_FILE")
    if override:
        return Path(override)
    return platformdirs.user_log_path("loyalty-pos") / "pos.log"


def setup_logging() -> Path:
    """Configure the root logger before anything (python-escpos) calls
    ``logging.basicConfig()``, which would then do nothing."""
    path = log_path()
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        try:
            _private_log(path)
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            # A full or read-only disk must not stop the command that would
            # say so; without a log file nothing is logged.
            return path
        handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path


def _private_log(path: Path) -> None:
    """The log names members and staff: its folder 0700 when we create it, the
    file 0600 from the first byte whatever the umask (and tightened if wider)."""
    make_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class SafeFormatter(logging.Formatter):
    """Log lines with phones masked (PDPA: the log is not the member card) and
    control characters shown as escapes, so a name or an argument can neither
    forge a log line nor drive the terminal of whoever reads the log."""

    region = "TH"

    def formatMessage(self, record: logging.LogRecord) -> str:
        return visible(mask_phones(super().formatMessage(record), self.region))

    def formatException(self, ei: Any) -> str:
        # A traceback keeps its lines; the phones in it (arguments, messages) do not.
        return mask_phones(super().formatException(ei), self.region)


def mask_phones(text: str, region: str = "TH") -> str:
    """Every phone number ``phonenumbers`` finds in ``text``, masked like on a slip."""
    if not any(ch.isdigit() for ch in text):
        return text
    out, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        out += [text[last : match.start], mask_phone(e164, region)]
        last = match.end
    return "".join(out) + text[last:]
