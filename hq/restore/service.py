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
    with conn.transaction():  # one snapshot for the page, the acked seq and the extras
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
                OwnMember(
                    member_id=r[0],
                    phone=r[1],
                    name=r[2],
                    wallet_id=r[3],
                    consent_at=r[4],
                    enrolled_at=r[5],
                    terminal_id=r[6],
                    merged_into=r[7],
                )  # fmt: skip
                for r in conn.execute(
                    "SELECT member_id, phone, name, wallet_id, consent_at, enrolled_at, "
                    "terminal_id, merged_into FROM members WHERE terminal_id = %s "
                    "ORDER BY member_id",
                    (terminal_id,),
                ).fetchall()
            ]
            coupons = [
                CouponState(
                    code=r[0],
                    entry_id=r[1],
                    reward_id=r[2],
                    member_id=r[3],
                    status=r[4],
                    issued_at=r[5],
                    used_at=r[6],
                    used_terminal_id=r[7],
                    voided_at=r[8],
                )  # fmt: skip
                for r in conn.execute(
                    "SELECT c.code, c.entry_id, c.reward_id, c.member_id, c.status, "
                    "c.issued_at, c.used_at, c.used_terminal_id, c.voided_at FROM coupons c "
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
