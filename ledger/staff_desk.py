"""The ``Ledger`` facade's staff calls: staff, PINs, approvals, locks and the
audit trail (the rules live in ``ledger.staff`` and ``ledger.staffauth``)."""

from __future__ import annotations

from ledger import staff
from ledger.desk import Desk, serialized
from ledger.models import Credentials, Staff
from ledger.staff import StaffMember
from ledger.staffauth import PinEvent


class StaffDesk(Desk):
    @serialized
    def add_staff(
        self,
        staff_id: str,
        role: str,
        pin: str,
        name: str | None = None,
        approval: Credentials | None = None,
    ) -> Staff:
        """``approval``: who adds them at the counter (a supervisor adds only cashiers)."""
        return staff.add(self.core, staff_id, role, pin, name, approval)

    @serialized
    def staff(self, staff_id: str) -> Staff:
        return staff.find(self.core, staff_id)

    @serialized
    def has_staff(self, role: str | None = None) -> bool:
        return staff.any_with(self.core, role)

    @serialized
    def authenticate(self, staff_id: str, pin: str) -> Staff:
        return staff.authenticate(self.core, staff_id, pin)

    @serialized
    def pin_events(self, staff_id: str | None = None) -> list[PinEvent]:
        """The PIN audit trail (wrong PINs, locks, unlocks), oldest first."""
        return staff.pin_events(self.core, staff_id)

    @serialized
    def approve(self, approval: Credentials) -> Staff:
        """The supervisor (or admin) whose id and PIN approve an operation."""
        return staff.approver(self.core, approval)

    @serialized
    def unlock_staff(self, staff_id: str, approval: Credentials) -> Staff:
        return staff.unlock(self.core, staff_id, approval)

    @serialized
    def staff_list(self) -> list[StaffMember]:
        """Every staff member with their state now: active, locked, deactivated."""
        return staff.listing(self.core)

    @serialized
    def deactivate_staff(self, staff_id: str, approval: Credentials) -> StaffMember:
        """An admin stops an id logging in or approving (never their own, nor the last admin)."""
        return staff.deactivate(self.core, staff_id, approval)

    @serialized
    def reactivate_staff(self, staff_id: str, approval: Credentials) -> StaffMember:
        return staff.reactivate(self.core, staff_id, approval)

    @serialized
    def reset_pin(self, staff_id: str, pin: str, approval: Credentials) -> StaffMember:
        """A new PIN: an admin for anyone, a supervisor for a cashier or themselves."""
        return staff.reset_pin(self.core, staff_id, pin, approval)
