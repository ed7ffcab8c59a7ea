"""Checking a staff PIN, with a lockout that holds across processes.

The attempt is counted (and the lock set, on the last allowed one) in a
``BEGIN IMMEDIATE`` transaction *before* the PIN is compared: however many
processes guess at once, at most ``max_pin_attempts`` guesses are compared
per lock window. The slow scrypt runs outside the write lock, so sales on
other processes do not wait for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ledger import pins
from ledger.clock import iso, parse_iso
from ledger.db import transaction
from ledger.errors import SecretsError, StaffLocked, StaffNotFound, WrongPin
from ledger.models import Staff

if TYPE_CHECKING:
    from config.settings import StaffSettings

_LOCK_CAP = timedelta(hours=24)
# pepper(create) -> the pepper; create=False may answer None (none made yet).
Pepper = Callable[[bool], bytes | None]


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
            "SELECT staff_id, name, role, pin_hash, locked_until, failed_attempts, locks "
            "FROM staff WHERE staff_id = ?",
            (sid_typed,),
        ).fetchone()
        if row is None:
            raise StaffNotFound(f"No staff member with id '{staff_id}': check the id.")
        sid, name, role, digest, locked_until, failed, locks = row
        if locked_until and parse_iso(locked_until) > now:
            raise StaffLocked(_locked_message(sid, parse_iso(locked_until) - now))
        # Read the pepper before counting: a missing secrets file is not a guess.
        key = pepper(False) if pins.needs_pepper(digest) else None
        if pins.needs_pepper(digest) and key is None:
            raise SecretsError(
                "The PIN key is missing from the secrets file, so no PIN can be checked: "
                "restore the secrets file (<ledger>.secrets) from a backup."
            )
        failed += 1
        if failed >= policy.max_pin_attempts:
            # Locked now, before the answer; a right PIN lifts it again below.
            # Each further lock doubles, so guessing gets slower and slower.
            length = min(timedelta(seconds=policy.lock_seconds * 2**locks), _LOCK_CAP)
            conn.execute(
                "UPDATE staff SET failed_attempts = 0, locks = locks + 1, locked_until = ? "
                "WHERE staff_id = ?",
                (iso(now + length), sid),
            )
        else:
            conn.execute("UPDATE staff SET failed_attempts = ? WHERE staff_id = ?", (failed, sid))
    if pins.pin_matches(pin or "", digest, key):
        _succeeded(conn, sid, pin, digest, pepper)
        return Staff(sid, name, role)
    if length is not None:
        raise StaffLocked(_locked_message(sid, length))
    left = policy.max_pin_attempts - failed
    raise WrongPin(f"Wrong PIN for {sid}: {left} more wrong PIN(s) will lock this id.")


def _succeeded(conn: sqlite3.Connection, sid: str, pin: str, digest: str, pepper: Pepper) -> None:
    """Reset the count; an old unpeppered hash is replaced by a peppered one."""
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
        if new is not None:
            # Only if nobody changed the PIN meanwhile.
            conn.execute(
                "UPDATE staff SET pin_hash = ? WHERE staff_id = ? AND pin_hash = ?",
                (new, sid, digest),
            )


def unlock(conn: sqlite3.Connection, staff_id: str) -> str:
    """Lift a lock (an admin's approval is checked by the caller). Returns the
    id as stored; StaffNotFound for an unknown one."""
    with transaction(conn):
        row = conn.execute(
            "SELECT staff_id FROM staff WHERE staff_id = ?", ((staff_id or "").strip(),)
        ).fetchone()
        if row is None:
            raise StaffNotFound(f"No staff member with id '{staff_id}': check the id.")
        conn.execute(
            "UPDATE staff SET failed_attempts = 0, locks = 0, locked_until = NULL "
            "WHERE staff_id = ?",
            (row[0],),
        )
    return str(row[0])


def _locked_message(staff_id: str, left: timedelta) -> str:
    minutes = max(1, int(left.total_seconds() + 59) // 60)
    return (
        f"{staff_id} is locked after too many wrong PINs: try again in {minutes} min, "
        f"or an admin lifts the lock: pos staff unlock {staff_id} --approver ADMIN_ID."
    )
