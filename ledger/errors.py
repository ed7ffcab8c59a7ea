"""One exception hierarchy for everything the ledger refuses.

Each error carries a stable ``code`` (for scripts and JSON), a ``message`` a
cashier can act on, and the CLI exit status it maps to:

====  ===========  ==============================================================
exit  name         meaning
====  ===========  ==============================================================
0                  done
1     REFUSED      refused by a rule (not enough points, approval needed, locked,
                   invalid phone or amount); ``pos ledger verify`` found problems
                   in the books (balances, chain, approvals)
2     USAGE        usage or configuration error (a bad option, ``--db`` names a
                   folder, a bad settings file)
3     NOT_FOUND    not found (member, entry, reward, staff, coupon)
4     DAMAGED      a file of the till is damaged, missing or not what it should be
                   (a damaged page or text, an empty or vanished ledger beside its
                   secrets file, a secrets file that is missing or a folder); also
                   ``pos ledger verify`` finding file damage. Nothing was changed:
                   restore the file from a backup, or call head office
5     UNAVAILABLE  a file of the till cannot be written or read right now (disk
                   full, a read-only mount, an immutable file, permissions, busy).
                   Nothing was changed and nothing is lost: fix what the message
                   names and run the command again
70                 a bug (details in the log); 130 interrupted
====  ===========  ==============================================================
"""

from __future__ import annotations

from config.refusal import Refusal

REFUSED = 1
USAGE = 2
NOT_FOUND = 3
DAMAGED = 4
UNAVAILABLE = 5


class LedgerError(Refusal):
    code = "ledger_error"
    exit_status = REFUSED


class InvalidPhone(LedgerError):
    code = "invalid_phone"


class InvalidAmount(LedgerError):
    code = "invalid_amount"


class InvalidInput(LedgerError):
    code = "invalid_input"


class NotFound(LedgerError):
    code = "not_found"
    exit_status = NOT_FOUND


class MemberNotFound(NotFound):
    code = "member_not_found"


class EntryNotFound(NotFound):
    code = "entry_not_found"


class RewardNotFound(NotFound):
    code = "reward_not_found"


class StaffNotFound(NotFound):
    code = "staff_not_found"


class CouponNotFound(NotFound):
    code = "coupon_not_found"


class InsufficientPoints(LedgerError):
    code = "insufficient_points"


class ApprovalRequired(LedgerError):
    code = "approval_required"


class NotPermitted(LedgerError):
    code = "not_permitted"


class WrongPin(LedgerError):
    code = "wrong_pin"


class StaffLocked(LedgerError):
    code = "staff_locked"


class WeakPin(LedgerError):
    code = "weak_pin"


class StaffExists(LedgerError):
    code = "staff_exists"


class RefConflict(LedgerError):
    code = "ref_conflict"


class NotReversible(LedgerError):
    code = "not_reversible"


class CouponUnusable(LedgerError):
    code = "coupon_unusable"


class NotInitialized(LedgerError):
    code = "not_initialized"


class AlreadyInitialized(LedgerError):
    code = "already_initialized"


class CorruptDatabase(LedgerError):
    """The ledger file is damaged or not a ledger: restore it."""

    code = "corrupt_database"
    exit_status = DAMAGED


class DamagedText(CorruptDatabase):
    """Text in the ledger is not valid UTF-8 (a disk or copy fault)."""

    code = "damaged_text"


class LedgerMissing(CorruptDatabase):
    """The ledger is gone or empty where a terminal's ledger was: an alarm, never
    a fresh start."""

    code = "ledger_missing"


class NotALedgerFile(LedgerError):
    """``--db`` names a folder (or something else that is not a file)."""

    code = "not_a_file"
    exit_status = USAGE


class DatabaseUnavailable(LedgerError):
    """The ledger cannot be used right now; nothing is damaged."""

    code = "database_unavailable"
    exit_status = UNAVAILABLE


class DiskFull(DatabaseUnavailable):
    code = "disk_full"


class ReadOnly(DatabaseUnavailable):
    """A read-only mount, an immutable file or permissions: never "restore"."""

    code = "read_only"


class SecretsError(LedgerError):
    """The secrets file (coupon key, head-office token) is damaged or odd."""

    code = "secrets_error"
    exit_status = DAMAGED


class SecretsMissing(SecretsError):
    code = "secrets_missing"


class SecretsUnavailable(SecretsError):
    """The secrets file cannot be used right now (permissions, disk full)."""

    exit_status = UNAVAILABLE
