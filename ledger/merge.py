"""``pos member merge KEEP OTHER``: two members who are one customer become one,
a supervisor approving (issue 15).

In one transaction on this till: OTHER's whole balance moves to KEEP as one
``transfer`` pair (the approver named on both entries, ``rules["merge"] =
"member"``), its points lots move with their own expiry (ledger.merge_lots),
its coupons become KEEP's, and a ``wallet_merges`` row makes OTHER count as
KEEP: OTHER's phone finds KEEP from then on (ledger.members.row_by_phone), in
the card, a sale, a redemption. History stays where it was written (OTHER's
entries on OTHER's wallet; the export of either phone holds both). Company
links do not exist in this version: there are none to move.

Who may merge: head office takes points out of a wallet only from the terminal
that enrolled its member (hq/push/service.py), so OTHER must have been
enrolled here; KEEP may be any member this till knows. The pair reaches head
office with the next push, which records the merge (hq/members/merge.py) and
publishes it: the other tills then count OTHER as KEEP and move the lots the
same way when they pull the pair (ledger.apply).

Idempotent: merging OTHER into KEEP again changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import apply, lots, members, merge_lots, staff
from ledger.clock import iso, parse_iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import InvalidInput, MemberNotFound, NotPermitted
from ledger.models import Credentials, Member

REASON = "merged: two members are one customer"


@dataclass(frozen=True, slots=True)
class MemberMerge:
    """What a merge did (``merged`` False: OTHER already counted as KEEP; nothing changed)."""

    keep: Member
    other_member_id: str
    points: int
    lots: int
    """Lots that moved with their expiry."""
    coupons: int
    approver_id: str
    merged: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "merged": self.merged,
            "member": self.keep.to_dict(),
            "other_member_id": self.other_member_id,
            "points_moved": self.points,
            "lots_moved": self.lots,
            "coupons_moved": self.coupons,
            "approver_id": self.approver_id,
        }


def merge(core: Core, keep_phone: str, other_phone: str, approval: Credentials) -> MemberMerge:
    """Merge the member with ``other_phone`` into the one with ``keep_phone``; a
    supervisor (or admin) approves with their PIN first."""
    keep_e164 = members.normalize(core, keep_phone)
    other_e164 = members.normalize(core, other_phone)
    if keep_e164 == other_e164:
        raise InvalidInput(key="invalid_input.merge_same")
    _, own = core.terminal()
    approver = staff.approver(core, approval).staff_id
    with transaction(core.conn) as conn:
        keep = _find(core, keep_e164)
        other = _find(core, other_e164)
        keep_id, keep_wallet, _, keep_into = keep
        other_id, other_wallet, enrolled_at, other_into = other
        if other_into == keep_id:
            done = MemberMerge(members.by_id(core, keep_id), other_id, 0, 0, 0, approver, False)
            return done  # a retry: OTHER already counts as KEEP
        if keep_into is not None:
            raise InvalidInput(
                key="invalid_input.merge_into_merged", phone=members.mask(core, keep_e164)
            )
        if other_into is not None:
            raise InvalidInput(
                key="invalid_input.merge_merged", phone=members.mask(core, other_e164)
            )
        if enrolled_at is not None and enrolled_at != own:
            raise NotPermitted(
                key="not_permitted.merge_elsewhere",
                phone=members.mask(core, other_e164),
                terminal_id=enrolled_at,
            )
        writer = core.writer(conn)
        balance, _ = writer.wallet(other_wallet)
        if balance < 0:
            # The pair would take points out of KEEP's wallet, which head office
            # accepts only from the terminal that enrolled KEEP.
            raise InvalidInput(
                key="invalid_input.merge_negative",
                phone=members.mask(core, other_e164),
                points=-balance,
            )
        carried = merge_lots.open_lots(conn, other_wallet) if balance else []
        writer.append(
            wallet_id=other_wallet,
            member_id=other_id,
            kind="transfer",
            points=-balance,
            approver_id=approver,
            reason=REASON,
            rules={"merge": merge_lots.MERGE, "to_wallet": keep_wallet, "to_member": keep_id},
        )
        lots.debit(conn, other_wallet, balance)
        credit = writer.append(
            wallet_id=keep_wallet,
            member_id=keep_id,
            kind="transfer",
            points=balance,
            approver_id=approver,
            reason=REASON,
            rules={"merge": merge_lots.MERGE, "from_wallet": other_wallet, "from_member": other_id}
            | (merge_lots.credit_rules(carried) if carried else {}),
        )
        moved = 0
        if balance:
            fresh = iso(parse_iso(credit.created_at) + core.expiry)
            moved = merge_lots.place_credit(conn, credit, fresh)
        coupons = conn.execute(
            "UPDATE coupons SET member_id = ? WHERE member_id = ?", (keep_id, other_id)
        ).rowcount
        apply.apply_merge(
            conn,
            {
                "merged_member_id": other_id,
                "merged_wallet_id": other_wallet,
                "member_id": keep_id,
                "wallet_id": keep_wallet,
            },
        )
    return MemberMerge(members.by_id(core, keep_id), other_id, balance, moved, coupons, approver)


def _find(core: Core, e164: str) -> tuple[str, str, str | None, str | None]:
    """(member id, wallet id, enrolling terminal, member it was merged into) of
    the member holding the phone itself (not the one it leads to)."""
    row = core.conn.execute(
        "SELECT m.member_id, m.wallet_id, m.terminal_id, wm.member_id FROM members m "
        "LEFT JOIN wallet_merges wm ON wm.merged_wallet_id = m.wallet_id "
        "AND wm.member_id != m.member_id WHERE m.phone = ?",
        (e164,),
    ).fetchone()
    if row is None:
        raise MemberNotFound(key="member_not_found.merge", phone=members.mask(core, e164))
    return str(row[0]), str(row[1]), row[2], row[3]
