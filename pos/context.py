"""What a ``pos`` command runs with: its parsed arguments, the settings and
the ledger (opened on first use, with the chain's rules once joined), and the
PINs it asks for."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from pathlib import Path

from config import Settings, load_settings
from config.cli import UsageError
from ledger import coupons as couponlib
from ledger.errors import LedgerError, SecretsMissing
from ledger.models import Credentials
from ledger.service import Ledger


@dataclass
class Context:
    args: argparse.Namespace
    settings: Settings
    db_path: Path
    config: str | None = None
    check_secrets: bool = True
    _ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self.settings, self._ledger = open_ledger(
                self.db_path, self.settings, self.config, check_secrets=self.check_secrets
            )
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()


def open_ledger(
    path: Path, settings: Settings, config: str | None, *, check_secrets: bool = True
) -> tuple[Settings, Ledger]:
    """Open the ledger; a terminal that joined head office uses the chain's
    rules and catalog (under the user's own file and environment). A secrets
    file that is odd or gone is said first (``check_secrets``)."""
    from ledger.replica import Replica

    ledger = Ledger.open(path, settings)
    try:
        if check_secrets:
            _check_secrets(ledger, Replica(ledger).hq_url() if ledger.is_initialized() else None)
    except LedgerError:
        ledger.close()
        raise
    shared = Replica(ledger).hq_settings() if ledger.is_initialized() else None
    if not shared or not shared[1]:
        return settings, ledger
    ledger.close()
    chained = load_settings(config, chain=shared[1])
    return chained, Ledger.open(path, chained)


def secrets_path(db_path: Path, settings: Settings) -> Path:
    """Where the ledger's secrets file is (as ``Ledger.open`` chooses it)."""
    return Path(settings.secrets_file or couponlib.default_secrets_path(db_path))


def _check_secrets(ledger: Ledger, hq_url: str | None) -> None:
    """A secrets file that is a folder, or gone on a terminal that joined head
    office, is said as such (never "has not joined head office yet")."""
    path = ledger.secrets_path
    couponlib.check_secrets_file(path)
    if hq_url and not path.exists():
        raise SecretsMissing(
            f"The secrets file {path} is missing: this terminal joined head office "
            f"({hq_url}) and the file held its token and coupon key, so it can neither sync "
            "nor check coupons. Restore the file from a backup (beside the ledger), or get a "
            "new setup code from head office ('pos-hq terminal code STORE TERMINAL') and run "
            f"'pos join {hq_url} CODE' again."
        )


def read_pin(prompt: str, *, confirm: bool = False) -> str:
    """A PIN from the keyboard (not echoed) or, for scripts, stdin's first line."""
    if sys.stdin is not None and sys.stdin.isatty():
        pin = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat the PIN: ") != pin:
            raise UsageError("The two PINs differ: nothing was changed.")
        return pin
    try:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        line.encode("utf-8")  # stdin keeps bytes that are not UTF-8 as surrogates
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise UsageError("The PIN on stdin is not valid UTF-8 text: nothing was changed.") from None
    if not line:
        raise UsageError("No PIN given: type it at the prompt or pipe it on stdin.")
    return line.rstrip("\r\n")


def approval(staff_id: str | None) -> Credentials | None:
    """The approver's credentials (PIN from the prompt or stdin), if one is named."""
    if staff_id is None:
        return None
    return Credentials(staff_id, read_pin(f"PIN for {staff_id}: "))


def required_approval(staff_id: str) -> Credentials:
    given = approval(staff_id)
    assert given is not None  # argparse makes --approver required here
    return given
