"""Staff: adding cashiers and supervisors, checking PINs, approvals, and
an admin's care of the list (deactivate, reactivate, reset a PIN, unlock).

PIN attempts and lockout live in ledger.staffauth; hashing in ledger.pins.

Who may do what to whom (each checked here, whatever screen or command asks):

- deactivate / reactivate, lift a lock: an admin, never on their own id; the
  last active admin stays active (else nobody could ever manage the staff);
- reset a PIN: an admin, anyone's; a supervisor, a cashier's (the cashier who
  forgot it at the counter) or their own. A supervisor's reset leaves a lock
  in place: lifting locks stays an admin's (see ``unlock``).

Staff are never deleted: the journal names them. Each change is one
transaction with its row in the audit trail (``pin_events``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger import pins, staffauth
from ledger.clock import iso, parse_iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import InvalidInput, NotPermitted, StaffExists, StaffNotFound
from ledger.models import Credentials, Staff
from ledger.pins import check_pin_strength
from ledger.staffauth import StaffDeactivated
from ledger.text import clean_id, clean_text

ROLES = ("cashier", "supervisor", "admin")
APPROVER_ROLES = ("supervisor", "admin")
__all__ = ["StaffDeactivated", "StaffMember"]


@dataclass(frozen=True, slots=True)
class StaffMember:
    """One row of the staff list, with what the id can do now."""

    staff_id: str
    name: str | None
    role: str
    state: str  # active, locked, deactivated
    locked_until: str | None = None  # UTC ISO, while locked
    deactivated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id,
            "name": self.name,
            "role": self.role,
            "state": self.state,
            "locked_until": self.locked_until,
            "deactivated_at": self.deactivated_at,
        }


_MEMBER_SQL = "SELECT staff_id, name, role, locked_until, deactivated_at FROM staff"


def _member(row: tuple[Any, ...], now: datetime) -> StaffMember:
    sid, name, role, locked_until, deactivated_at = row
    if deactivated_at:
        return StaffMember(sid, name, role, "deactivated", None, deactivated_at)
    if locked_until and parse_iso(locked_until) > now:
        return StaffMember(sid, name, role, "locked", locked_until)
    return StaffMember(sid, name, role, "active")


def listing(core: Core) -> list[StaffMember]:
    """Every staff member, by id, with their state now."""
    now = core.clock()
    return [_member(row, now) for row in core.conn.execute(_MEMBER_SQL + " ORDER BY staff_id")]


def member(core: Core, staff_id: str) -> StaffMember:
    row = core.conn.execute(_MEMBER_SQL + " WHERE staff_id = ?", (staff_id,)).fetchone()
    if row is None:
        raise StaffNotFound(key="staff_not_found", staff=staff_id)
    return _member(row, core.clock())


def add(
    core: Core,
    staff_id: str,
    role: str,
    pin: str,
    name: str | None,
    approval: Credentials | None = None,
) -> Staff:
    """Add a staff member. ``approval``: who adds them at the counter (a
    supervisor adds cashiers; supervisors and admins need an admin); without
    it, the owner at the command line (or the setup wizard) adds anyone."""
    staff_id = clean_id(staff_id, "staff_id")
    if role not in ROLES:
        raise InvalidInput(key="invalid_input.role", role=role, roles=", ".join(ROLES))
    check_pin_strength(pin)
    if approval is not None:
        boss = approver(core, approval)
        if role != "cashier" and boss.role != "admin":
            raise NotPermitted(key=f"not_permitted.add_{role}", staff=boss.staff_id)
    name = clean_text(name, "name", required=False, limit=80)
    pepper = core.pin_pepper(True)
    assert pepper is not None  # made above, or SecretsError
    digest = pins.hash_pin(pin, pepper)
    with transaction(core.conn) as conn:
        if conn.execute("SELECT 1 FROM staff WHERE staff_id = ?", (staff_id,)).fetchone():
            raise StaffExists(key="staff_exists", staff=staff_id)
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
        raise StaffNotFound(key="staff_not_found", staff=staff_id)
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


def _admin(core: Core, approval: Credentials, what: str) -> Staff:
    """The admin approving; anyone else is refused, saying who can."""
    admin = authenticate(core, approval.staff_id, approval.pin)
    if admin.role != "admin":
        names = ", ".join(staffauth.admin_name(a) for a in staffauth.active_admins(core.conn))
        raise NotPermitted(key=f"not_permitted.admin_{what}", staff=admin.staff_id, admins=names)
    return admin


def unlock(core: Core, staff_id: str, approval: Credentials) -> Staff:
    """An admin lifts a PIN lock (a supervisor could otherwise guess a
    colleague's PIN, be locked, and lift it again)."""
    admin = _admin(core, approval, "unlock")
    return find(core, staffauth.unlock(core.conn, staff_id, core.clock(), admin.staff_id))


def _target(conn: Any, staff_id: str) -> tuple[str, str, str | None]:
    """(id as stored, role, deactivated_at) of the staff member acted on."""
    row = conn.execute(
        "SELECT staff_id, role, deactivated_at FROM staff WHERE staff_id = ?",
        ((staff_id or "").strip(),),
    ).fetchone()
    if row is None:
        raise StaffNotFound(key="staff_not_found", staff=staff_id)
    return str(row[0]), str(row[1]), row[2]


def _still_active(conn: Any, approver: Staff) -> None:
    # The approver was checked before this transaction; another admin may have
    # deactivated them since (two admins deactivating each other at once must
    # not leave no admin at all).
    row = conn.execute(
        "SELECT deactivated_at FROM staff WHERE staff_id = ?", (approver.staff_id,)
    ).fetchone()
    if row is None or row[0]:
        raise staffauth.deactivated(conn, approver.staff_id)


def deactivate(core: Core, staff_id: str, approval: Credentials) -> StaffMember:
    """An admin deactivates a staff member: no more log-ins or approvals.
    Deactivating one already deactivated changes nothing."""
    admin = _admin(core, approval, "deactivate")
    now = core.clock()
    with transaction(core.conn) as conn:
        _still_active(conn, admin)
        sid, role, deactivated_at = _target(conn, staff_id)
        if sid == admin.staff_id:
            raise NotPermitted(key="not_permitted.deactivate_self", staff=sid)
        if deactivated_at:
            return member(core, sid)
        if role == "admin" and not [
            a for a in staffauth.active_admins(conn) if a["staff_id"] != sid
        ]:
            raise NotPermitted(key="not_permitted.last_admin", staff=sid)
        conn.execute("UPDATE staff SET deactivated_at = ? WHERE staff_id = ?", (iso(now), sid))
        staffauth.record(conn, now, sid, "deactivated", by=admin.staff_id)
    return member(core, sid)


def reactivate(core: Core, staff_id: str, approval: Credentials) -> StaffMember:
    """An admin lets a deactivated staff member log in and approve again
    (with the PIN they had; their failed-PIN count starts afresh)."""
    admin = _admin(core, approval, "reactivate")
    now = core.clock()
    with transaction(core.conn) as conn:
        _still_active(conn, admin)
        sid, _, deactivated_at = _target(conn, staff_id)
        if not deactivated_at:
            return member(core, sid)
        conn.execute(
            "UPDATE staff SET deactivated_at = NULL, failed_attempts = 0, locks = 0, "
            "locked_until = NULL WHERE staff_id = ?",
            (sid,),
        )
        staffauth.record(conn, now, sid, "reactivated", by=admin.staff_id)
    return member(core, sid)


def reset_pin(core: Core, staff_id: str, pin: str, approval: Credentials) -> StaffMember:
    """Give a staff member a new PIN (see the module for who may). An admin's
    reset also lifts a lock; a supervisor's leaves it for an admin."""
    check_pin_strength(pin)
    boss = approver(core, approval)
    pepper = core.pin_pepper(True)
    assert pepper is not None  # made above, or SecretsError
    digest = pins.hash_pin(pin, pepper)  # slow: outside the write lock
    now = core.clock()
    with transaction(core.conn) as conn:
        _still_active(conn, boss)
        sid, role, deactivated_at = _target(conn, staff_id)
        own = sid == boss.staff_id
        if boss.role != "admin" and not own and (role != "cashier" or deactivated_at):
            whose = "deactivated" if deactivated_at else role
            raise NotPermitted(key=f"not_permitted.reset_{whose}", staff=boss.staff_id)
        lift = ", locks = 0, locked_until = NULL" if boss.role == "admin" else ""
        conn.execute(
            f"UPDATE staff SET pin_hash = ?, failed_attempts = 0{lift} WHERE staff_id = ?",
            (digest, sid),
        )
        staffauth.record(conn, now, sid, "pin_reset", by=boss.staff_id)
    return member(core, sid)


def pin_events(
    core: Core, staff_id: str | None = None, since: str | None = None
) -> list[staffauth.PinEvent]:
    """The PIN audit trail (wrong PINs, locks, unlocks), oldest first."""
    return staffauth.pin_events(core.conn, staff_id, since)


def approver(core: Core, approval: Credentials) -> Staff:
    """The supervisor (or admin) whose id and PIN approve an operation."""
    staff = authenticate(core, approval.staff_id, approval.pin)
    if staff.role not in APPROVER_ROLES:
        raise NotPermitted(key="not_permitted.not_approver", staff=staff.staff_id)
    return staff


def cashier(core: Core, cashier_id: str | None) -> str | None:
    """A sale's cashier id, checked (None: no cashier named): a deactivated
    one sells no more, even if still logged in somewhere."""
    if cashier_id is None:
        return None
    sid, _, deactivated_at = _target(core.conn, cashier_id)
    if deactivated_at:
        raise staffauth.deactivated(core.conn, sid)
    return sid
