"""One exception hierarchy for everything the ledger refuses.

Each error carries a stable ``code`` (for scripts and JSON), a ``message`` a
cashier can act on, and the CLI exit status it maps to.
"""

from __future__ import annotations

from typing import Any

REFUSED = 1
USAGE = 2
NOT_FOUND = 3


class LedgerError(Exception):
    code = "ledger_error"
    exit_status = REFUSED

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


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
    code = "corrupt_database"


class DatabaseUnavailable(LedgerError):
    code = "database_unavailable"


class SecretsError(LedgerError):
    code = "secrets_error"
