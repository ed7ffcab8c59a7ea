"""Checking a staff PIN, with a lockout that holds across processes.

The attempt is counted (and the lock set, on the last allowed one) in a
``BEGIN IMMEDIATE`` transaction *before* the PIN is compared: however many
processes guess at once, at most ``max_pin_attempts`` guesses are compared
per lock window. The slow scrypt runs outside the write lock, so sales on
other processes do not wait for it.

Each counted attempt is also an audit row (``pin_events``), in the same
transaction: a wrong PIN, and a lock when it locks. Like the lock, the row is
written before the answer; a right PIN takes it back with the count.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ledger import pins
from ledger.clock import iso, parse_iso
from ledger.db import transaction
from ledger.errors import NotPermitted, SecretsError, StaffLocked, StaffNotFound, WrongPin
from ledger.models import Staff

if TYPE_CHECKING:
    from config.settings import StaffSettings

_LOCK_CAP = timedelta(hours=24)
# pepper(create) -> the pepper; create=False may answer None (none made yet).
Pepper = Callable[[bool], bytes | None]
EVENTS = ("wrong_pin", "locked", "unlocked", "deactivated", "reactivated", "pin_reset")


class StaffDeactivated(NotPermitted):
    """A deactivated id neither logs in nor approves; the message names the
    admins who can reactivate it."""

    code = "staff_deactivated"


@dataclass(frozen=True, slots=True)
class PinEvent:
    """One row of the PIN audit trail."""

    at: str
    staff_id: str
    event: str  # one of EVENTS
    until: str | None = None  # a lock's end
    by: str | None = None  # who lifted a lock, (de)activated the id or reset its PIN


def authenticate(
    conn: sqlite3.Connection,
    staff_id: str,
    pin: str,
    now: datetime,
    policy: StaffSettings,
    pepper: Pepper,
) -> Staff:
    sid_typed = (staff_id or "").strip()
    length: timedelta | None = None
    with transaction(conn):
        row = conn.execute(
            "SELECT staff_id, name, role, pin_hash, locked_until, failed_attempts, locks, "
            "deactivated_at FROM staff WHERE staff_id = ?",
            (sid_typed,),
        ).fetchone()
        if row is None:
            raise StaffNotFound(key="staff_not_found", staff=staff_id)
        sid, name, role, digest, locked_until, failed, locks, deactivated_at = row
        if deactivated_at:
            # Refused before any PIN is compared: not a guess, no audit row.
            raise deactivated(conn, sid)
        if locked_until and parse_iso(locked_until) > now:
            # No PIN is compared while locked: not a guess, no audit row.
            raise _locked(conn, sid, parse_iso(locked_until) - now)
        # Read the pepper before counting: a missing secrets file is not a guess.
        key = pepper(False) if pins.needs_pepper(digest) else None
        if pins.needs_pepper(digest) and key is None:
            raise SecretsError(
                "The PIN key is missing from the secrets file, so no PIN can be checked: "
                "restore the secrets file (<ledger>.secrets) from a backup."
            )
        failed += 1
        # On record as wrong until the compare says otherwise (a crash during
        # the compare leaves a counted guess, as the count does).
        written = [record(conn, now, sid, "wrong_pin")]
        if failed >= policy.max_pin_attempts:
            # Locked now, before the answer; a right PIN lifts it again below.
            # Each further lock doubles, so guessing gets slower and slower.
            length = min(timedelta(seconds=policy.lock_seconds * 2**locks), _LOCK_CAP)
            conn.execute(
                "UPDATE staff SET failed_attempts = 0, locks = locks + 1, locked_until = ? "
                "WHERE staff_id = ?",
                (iso(now + length), sid),
            )
            written.append(record(conn, now, sid, "locked", until=iso(now + length)))
        else:
            conn.execute("UPDATE staff SET failed_attempts = ? WHERE staff_id = ?", (failed, sid))
    if pins.pin_matches(pin or "", digest, key):
        _succeeded(conn, sid, pin, digest, pepper, written)
        return Staff(sid, name, role)
    if length is not None:
        raise _locked(conn, sid, length)
    left = policy.max_pin_attempts - failed
    raise WrongPin(key="wrong_pin", staff_id=sid, left=left)


def record(
    conn: sqlite3.Connection,
    now: datetime,
    staff_id: str,
    event: str,
    *,
    until: str | None = None,
    by: str | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO pin_events (at, staff_id, event, until, by) VALUES (?, ?, ?, ?, ?)",
        (iso(now), staff_id, event, until, by),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def pin_events(
    conn: sqlite3.Connection, staff_id: str | None = None, since: str | None = None
) -> list[PinEvent]:
    """The PIN audit trail, oldest first: one staff member's, or everyone's;
    from ``since`` (an ISO time) on."""
    sql = "SELECT at, staff_id, event, until, by FROM pin_events WHERE 1 = 1"
    args: list[str] = []
    if staff_id is not None:
        sql, args = sql + " AND staff_id = ?", [*args, staff_id]
    if since is not None:
        sql, args = sql + " AND at >= ?", [*args, since]
    return [PinEvent(*row) for row in conn.execute(sql + " ORDER BY event_id", args)]


def _succeeded(
    conn: sqlite3.Connection,
    sid: str,
    pin: str,
    digest: str,
    pepper: Pepper,
    written: list[int],
) -> None:
    """Reset the count and take back this attempt's audit rows (it was no
    guess, and a lock it set is lifted); an old unpeppered hash is replaced
    by a peppered one."""
    new = None
    if pins.needs_upgrade(digest):
        key = pepper(True)
        assert key is not None  # create=True makes one or raises
        new = pins.hash_pin(pin, key)
    with transaction(conn):
        conn.execute(
            "UPDATE staff SET failed_attempts = 0, locks = 0, locked_until = NULL "
            "WHERE staff_id = ?",
            (sid,),
        )
        conn.executemany("DELETE FROM pin_events WHERE event_id = ?", [(n,) for n in written])
        if new is not None:
            # Only if nobody changed the PIN meanwhile.
            conn.execute(
                "UPDATE staff SET pin_hash = ? WHERE staff_id = ? AND pin_hash = ?",
                (new, sid, digest),
            )


def unlock(conn: sqlite3.Connection, staff_id: str, now: datetime, by: str | None = None) -> str:
    """Lift a lock (an admin's approval is checked by the caller; ``by`` is
    that admin, for the audit trail). Returns the id as stored; StaffNotFound
    for an unknown one."""
    with transaction(conn):
        row = conn.execute(
            "SELECT staff_id FROM staff WHERE staff_id = ?", ((staff_id or "").strip(),)
        ).fetchone()
        if row is None:
            raise StaffNotFound(key="staff_not_found", staff=staff_id)
        conn.execute(
            "UPDATE staff SET failed_attempts = 0, locks = 0, locked_until = NULL "
            "WHERE staff_id = ?",
            (row[0],),
        )
        record(conn, now, str(row[0]), "unlocked", by=by)
    return str(row[0])


def active_admins(conn: sqlite3.Connection) -> list[dict[str, str | None]]:
    """The admins who can act now (not deactivated), by id."""
    return [
        {"staff_id": sid, "name": name}
        for sid, name in conn.execute(
            "SELECT staff_id, name FROM staff WHERE role = 'admin' "
            "AND deactivated_at IS NULL ORDER BY staff_id"
        )
    ]


def deactivated(conn: sqlite3.Connection, staff_id: str) -> StaffDeactivated:
    """A deactivated id, and who can reactivate it: the admins, by name."""
    admins = active_admins(conn)
    if not admins:
        return StaffDeactivated(key="staff_deactivated.no_admin", staff_id=staff_id, admins=[])
    return StaffDeactivated(
        key="staff_deactivated",
        staff_id=staff_id,
        admins=admins,
        names=", ".join(admin_name(a) for a in admins),
        admin_id=admins[0]["staff_id"],
    )


def _locked(conn: sqlite3.Connection, staff_id: str, left: timedelta) -> StaffLocked:
    """The lock, and who can lift it sooner: the admins, by name."""
    minutes = max(1, int(left.total_seconds() + 59) // 60)
    admins = active_admins(conn)
    if not admins:
        return StaffLocked(
            key="staff_locked.no_admin", staff_id=staff_id, minutes=minutes, admins=[]
        )
    return StaffLocked(
        key="staff_locked",
        staff_id=staff_id,
        minutes=minutes,
        admins=admins,
        names=", ".join(admin_name(a) for a in admins),
        admin_id=admins[0]["staff_id"],
    )


def admin_name(admin: dict[str, str | None]) -> str:
    """``"Owner Malee (owner)"``, or the id alone when there is no name."""
    sid, name = admin["staff_id"], admin["name"]
    return f"{name} ({sid})" if name else str(sid)
