"""Everything sync refuses, a family of its own beside the ledger's.

A :class:`SyncError` is a :class:`~config.refusal.Refusal` (a ``code`` and a
message a cashier can act on), not a ``LedgerError``: ledger code that catches
its own refusals must not swallow a failed sync. The ``pos`` command gives
each its exit status (``pos.cli``).

* :class:`HeadOfficeUnreachable`: no network, timeouts, a cut connection, a
  5xx answer, or an answer that is not head office's (a Wi-Fi login page);
  worth retrying later, sales keep working offline;
* :class:`Unauthorized`: 401/403, the token (or setup code) is refused;
* :class:`SyncRefused`: any other 4xx, with head office's own message;
* :class:`WrongTerminal`: the setup code was made for another terminal;
* :class:`NotJoined`: this till has not joined head office yet;
* :class:`SyncBusy`: another process is syncing this ledger right now.
"""

from __future__ import annotations

from config.refusal import Refusal


class SyncError(Refusal):
    code = "sync_error"


class HeadOfficeUnreachable(SyncError):
    code = "hq_unreachable"


class Unauthorized(SyncError):
    code = "hq_unauthorized"


class SyncRefused(SyncError):
    code = "hq_refused"


class WrongTerminal(SyncError):
    """The setup code was made for another terminal than this ledger is."""

    code = "wrong_terminal"


class NotJoined(SyncError):
    """A sync, restore or verify against head office before ``pos join``."""

    code = "not_joined"


class SyncBusy(SyncError):
    """Another process (the app, cron's ``pos sync``) is syncing this ledger."""

    code = "sync_busy"
