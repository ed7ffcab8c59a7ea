"""One exception hierarchy for everything the ledger refuses.

Each error carries a stable ``code`` (for scripts and JSON) and a ``message`` a
cashier can act on. Sync and printing keep their own families; all of them are
a :class:`~config.refusal.Refusal`. The exit status a command gives each one is
the command's business (``pos.exits``, the table in ``config.cli``).
"""

from __future__ import annotations

from config.refusal import Refusal


class LedgerError(Refusal):
    code = "ledger_error"


class InvalidPhone(LedgerError):
    code = "invalid_phone"


class InvalidAmount(LedgerError):
    code = "invalid_amount"


# The kinds of bad amount keep the code "invalid_amount" (scripts read it); the
# counter tells them apart to say what to do instead (a refund is a reversal).
class NegativeAmount(InvalidAmount):
    """A sale below zero: a refund is a reversal, not a negative sale."""


class ZeroAmount(InvalidAmount):
    pass


class TooManyDecimals(InvalidAmount):
    pass


class AmountTooLarge(InvalidAmount):
    """Above ``earn.max_sale``: details ``amount_minor`` and ``max_minor``."""


class InvalidInput(LedgerError):
    code = "invalid_input"


class NotFound(LedgerError):
    code = "not_found"


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


class CouponChoiceRequired(LedgerError):
    """A reversal would leave the member below zero while coupons bought with
    those points are still unused: void them or keep them (``details``)."""

    code = "coupon_choice_required"


class CouponUnusable(LedgerError):
    code = "coupon_unusable"


class NotInitialized(LedgerError):
    code = "not_initialized"


class AlreadyInitialized(LedgerError):
    code = "already_initialized"


class CorruptDatabase(LedgerError):
    """The ledger file is damaged or not a ledger: restore it."""

    code = "corrupt_database"


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


class DatabaseUnavailable(LedgerError):
    """The ledger cannot be used right now; nothing is damaged."""

    code = "database_unavailable"


class DiskFull(DatabaseUnavailable):
    code = "disk_full"


class ReadOnly(DatabaseUnavailable):
    """A read-only mount, an immutable file or permissions: never "restore"."""

    code = "read_only"


class SecretsError(LedgerError):
    """The secrets file (coupon key, head-office token) is damaged or odd."""

    code = "secrets_error"


class SecretsMissing(SecretsError):
    code = "secrets_missing"


class SecretsUnavailable(SecretsError):
    """The secrets file cannot be used right now (permissions, disk full)."""
