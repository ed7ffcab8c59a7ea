"""The ``pos`` command's exit status for each refusal.

The statuses and what they mean are listed in ``config.cli``; the ledger,
sync and printing only refuse, with a ``code`` and a message.
"""

from __future__ import annotations

from config.cli import DAMAGED, NOT_FOUND, REFUSED, TRY_LATER, UNAVAILABLE, USAGE, status_for
from config.refusal import Refusal
from ledger.backup import BackupError
from ledger.errors import (
    CorruptDatabase,
    DatabaseUnavailable,
    NotALedgerFile,
    NotFound,
    SecretsError,
    SecretsUnavailable,
)
from sync.errors import HeadOfficeUnreachable, NotJoined, SyncBusy

# Each refusal's exit status: its most specific class here wins (a DiskFull is a
# DatabaseUnavailable: 5). Any other refusal (the ledger's, sync's, the app's
# NoTerminal and PrintFailed) is 1.
EXIT_STATUS: dict[type[BaseException], int] = {
    Refusal: REFUSED,
    NotFound: NOT_FOUND,
    NotALedgerFile: USAGE,  # --db names a folder
    BackupError: USAGE,  # the backup's FILE exists, or is the ledger itself
    CorruptDatabase: DAMAGED,
    SecretsError: DAMAGED,
    DatabaseUnavailable: UNAVAILABLE,
    SecretsUnavailable: UNAVAILABLE,
    HeadOfficeUnreachable: TRY_LATER,
    SyncBusy: TRY_LATER,  # another process is syncing: try again in a moment
    NotJoined: USAGE,  # run 'pos join' first
}


def exit_status(exc: BaseException) -> int | None:
    """The exit status for a refusal (None: not a refusal, a bug)."""
    return status_for(exc, EXIT_STATUS)
