"""Head office's copy of one terminal's own journal, for ``pos ledger restore``.

A till restored from an old copy (or a cloned till) rebuilds its journal from
what head office holds of its own entries. A terminal gets only its own
entries, the members it enrolled and the coupons of its own redemptions:
nothing another terminal does not already get from the change feed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from hq.db import Conn
from sync.protocol import ENTRY_COLUMNS, CouponState, WireEntry, WireMember, entry_dict

MAX_RESTORE_ENTRIES = 5000
_COLS = ", ".join(ENTRY_COLUMNS)
_MEMBER_COLS = ("member_id", "phone", "name", "wallet_id", "consent_at", "enrolled_at",
                "terminal_id", "merged_into")  # fmt: skip
_COUPON_COLS = ("code", "entry_id", "reward_id", "member_id", "status", "issued_at", "used_at",
                "used_terminal_id", "voided_at")  # fmt: skip


class OwnMember(WireMember):
    """A member this terminal enrolled, as head office holds it now."""

    merged_into: str | None = None
    """Set when head office merged it into another member (the same phone twice)."""


class RestoreResponse(BaseModel):
    """One page of the caller's own entries (seq above ``after``, in seq order).

    ``members`` and ``coupons`` come with the first page (``after`` = 0) only.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    store_id: str
    terminal_id: str
    acked_seq: int
    """Every entry of this terminal with seq up to here is stored at head office."""
    entries: list[WireEntry]
    more: bool
    members: list[OwnMember] = []
    coupons: list[CouponState] = []


def own_journal(
    conn: Conn, store_id: str, terminal_id: str, after: int, limit: int
) -> RestoreResponse:
    # Stored rows are data head office validated when they were pushed: not checked again.
    # The acked seq is read first: every entry up to it is in the pages that follow.
    with conn.transaction():
        row = conn.execute(
            "SELECT acked_seq FROM terminals WHERE terminal_id = %s", (terminal_id,)
        ).fetchone()
        acked = int(row[0]) if row else 0
        rows = conn.execute(
            f"SELECT {_COLS} FROM entries WHERE terminal_id = %s AND seq > %s "
            "ORDER BY seq LIMIT %s",
            (terminal_id, after, limit + 1),
        ).fetchall()
        members: list[OwnMember] = []
        coupons: list[CouponState] = []
        if after == 0:
            members = [
                OwnMember.model_construct(**dict(zip(_MEMBER_COLS, r, strict=True)))
                for r in conn.execute(
                    f"SELECT {', '.join(_MEMBER_COLS)} FROM members WHERE terminal_id = %s "
                    "ORDER BY member_id",
                    (terminal_id,),
                ).fetchall()
            ]
            coupons = [
                CouponState.model_construct(**dict(zip(_COUPON_COLS, r, strict=True)))
                for r in conn.execute(
                    f"SELECT {', '.join('c.' + c for c in _COUPON_COLS)} FROM coupons c "
                    "JOIN entries e ON e.entry_id = c.entry_id WHERE e.terminal_id = %s "
                    "ORDER BY c.code",
                    (terminal_id,),
                ).fetchall()
            ]
    entries = [entry_dict(r) for r in rows[:limit]]
    return RestoreResponse(
        store_id=store_id,
        terminal_id=terminal_id,
        acked_seq=acked,
        entries=entries,  # type: ignore[arg-type]
        more=len(rows) > limit,
        members=members,
        coupons=coupons,
    )
