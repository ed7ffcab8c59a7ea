"""Staff: adding cashiers and supervisors, checking PINs, approvals.

PIN attempts and lockout live in ledger.staffauth; hashing in ledger.pins.
"""

from __future__ import annotations

from ledger import pins, staffauth
from ledger.clock import iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import InvalidInput, NotPermitted, StaffExists, StaffNotFound
from ledger.models import Credentials, Staff
from ledger.pins import check_pin_strength
from ledger.text import clean_id, clean_text

ROLES = ("cashier", "supervisor", "admin")
APPROVER_ROLES = ("supervisor", "admin")


def add(core: Core, staff_id: str, role: str, pin: str, name: str | None) -> Staff:
    staff_id = clean_id(staff_id, "The staff id")
    if role not in ROLES:
        raise InvalidInput(f"Role '{role}' is unknown: use one of {', '.join(ROLES)}.")
    check_pin_strength(pin)
    name = clean_text(name, "name", required=False, limit=80)
    pepper = core.pin_pepper(True)
    assert pepper is not None  # made above, or SecretsError
    digest = pins.hash_pin(pin, pepper)
    with transaction(core.conn) as conn:
        if conn.execute("SELECT 1 FROM staff WHERE staff_id = ?", (staff_id,)).fetchone():
            raise StaffExists(f"Staff id {staff_id} is taken: choose another id.")
        conn.execute(
            "INSERT INTO staff (staff_id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            (staff_id, name, role, digest, iso(core.clock())),
        )
    return Staff(staff_id, name, role)


def find(core: Core, staff_id: str) -> Staff:
    row = core.conn.execute(
        "SELECT staff_id, name, role FROM staff WHERE staff_id = ?", (staff_id,)
    ).fetchone()
    if row is None:
        raise StaffNotFound(f"No staff member with id '{staff_id}': check the id.")
    return Staff(*row)


def any_with(core: Core, role: str | None) -> bool:
    sql, args = "SELECT 1 FROM staff", ()  # type: tuple[str, tuple[str, ...]]
    if role:
        sql, args = "SELECT 1 FROM staff WHERE role = ?", (role,)
    return core.conn.execute(sql + " LIMIT 1", args).fetchone() is not None


def authenticate(core: Core, staff_id: str, pin: str) -> Staff:
    """Check a PIN. Each attempt is counted before the answer, across
    processes; too many lock the id (see ledger.staffauth)."""
    return staffauth.authenticate(
        core.conn, staff_id, pin, core.clock(), core.settings.staff, core.pin_pepper
    )


def unlock(core: Core, staff_id: str, approval: Credentials) -> Staff:
    """An admin lifts a PIN lock (a supervisor could otherwise guess a
    colleague's PIN, be locked, and lift it again)."""
    admin = authenticate(core, approval.staff_id, approval.pin)
    if admin.role != "admin":
        raise NotPermitted(
            f"{admin.staff_id} is a {admin.role}: only an admin can lift a PIN lock."
        )
    return find(core, staffauth.unlock(core.conn, staff_id, core.clock(), admin.staff_id))


def pin_events(
    core: Core, staff_id: str | None = None, since: str | None = None
) -> list[staffauth.PinEvent]:
    """The PIN audit trail (wrong PINs, locks, unlocks), oldest first."""
    return staffauth.pin_events(core.conn, staff_id, since)


def approver(core: Core, approval: Credentials) -> Staff:
    """The supervisor (or admin) whose id and PIN approve an operation."""
    staff = authenticate(core, approval.staff_id, approval.pin)
    if staff.role not in APPROVER_ROLES:
        raise NotPermitted(
            f"{staff.staff_id} is a {staff.role} and cannot approve: ask a supervisor."
        )
    return staff


def cashier(core: Core, cashier_id: str | None) -> str | None:
    """A sale's cashier id, checked (None: no cashier named)."""
    if cashier_id is None:
        return None
    return find(core, cashier_id.strip()).staff_id
