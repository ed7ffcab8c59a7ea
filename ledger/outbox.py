"""What a push carries: this terminal's entries, members and coupon events not
yet acknowledged by head office (read by ledger.replica)."""

from __future__ import annotations

from typing import Any, NamedTuple

# Members to push: enrolled here, above the rowid cursor; a member merged away
# whose phone moved to the canonical member is not sent again (its phone is
# gone here, and head office would read a missing phone as "forgotten").
# members.rowid is the push order, not the enrolment order: a member changed
# here (a new name: ledger.members.rename) gets the next rowid, so the next
# push sends it again whole, and head office takes the change from the
# terminal that enrolled it. A rename between a push and its acknowledgement
# lands above the acknowledged cursor, so it is never lost.
MEMBERS_TO_PUSH = (
    "m.rowid > ? AND m.terminal_id = ? AND NOT (m.phone IS NULL AND EXISTS "
    "(SELECT 1 FROM wallet_merges wm WHERE wm.merged_member_id = m.member_id))"
)
EVENT_COLS = ("code", "entry_id", "reward_id", "member_id", "status", "at", "terminal_id")


class Outbox(NamedTuple):
    """One push worth of local changes not yet acknowledged by head office."""

    entries: list[dict[str, Any]]
    """This terminal's entries above ``acked_seq``, in seq order (every ENTRY_COLUMNS key)."""
    members: list[dict[str, Any]]
    """Members enrolled here, not pushed yet (WireMember fields)."""
    coupon_events: list[dict[str, Any]]
    """Coupon status changes made here, not pushed yet (CouponEvent fields)."""
    members_upto: int
    """Pass to :meth:`Replica.acknowledge` once head office stored the push."""
    events_upto: int

    @property
    def empty(self) -> bool:
        return not (self.entries or self.members or self.coupon_events)
