"""``pos member phone OLD NEW``: a member's new number. The member keeps
everything (wallet, points, lots, coupons, history: all are by member id);
the old number is free at once and can enrol a new member.

A supervisor approves: whoever holds a member's number holds their points, so
a number change is a takeover unless someone checks who asks. The approver is
recorded in ``member_events`` (without either number: the old one may be
erased later). Head office takes the new number from the enrolling terminal
only (ledger.forget.check_own) and passes it to every till (ledger.apply).
"""

from __future__ import annotations

from ledger import members, staff
from ledger.clock import iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import InvalidInput, MemberNotFound
from ledger.forget import check_own
from ledger.models import Credentials, Member


def change_phone(core: Core, old: str, new: str, approval: Credentials) -> Member:
    """Give the member with ``old`` the number ``new``, in one transaction."""
    old_e164 = members.normalize(core, old)
    new_e164 = members.normalize(core, new)
    if new_e164 == old_e164:
        raise InvalidInput(key="invalid_input.same_phone", phone=members.mask(core, new_e164))
    _, own = core.terminal()
    approver = staff.approver(core, approval)
    with transaction(core.conn) as conn:
        member_id = members.row_by_phone(core, old_e164)[0]
        check_own(conn, member_id, own, "phone")
        try:
            holder = members.row_by_phone(core, new_e164)[0]
        except MemberNotFound:
            holder = None
        if holder is not None:
            raise InvalidInput(key="invalid_input.phone_taken", phone=members.mask(core, new_e164))
        # members.rowid is the push order (ledger.outbox): the member moves to
        # the end, so the next sync sends it again, with the new number.
        conn.execute(
            "UPDATE members SET phone = ?, rowid = (SELECT max(rowid) + 1 FROM members) "
            "WHERE member_id = ?",
            (new_e164, member_id),
        )
        conn.execute(
            "INSERT INTO member_events (member_id, event, at, terminal_id, approver_id) "
            "VALUES (?, 'phone_changed', ?, ?, ?)",
            (member_id, iso(core.clock()), own, approver.staff_id),
        )
    return members.by_id(core, member_id)
