"""One push = one transaction: members, coupon events, entries, balances, acked seq."""

from __future__ import annotations

from typing import Any

from hq.conflicts import service as conflicts
from hq.coupons import service as coupons
from hq.db import Conn, in_transaction
from hq.entries import service as entries
from hq.errors import Forbidden, Unauthorized
from hq.members import service as members
from hq.terminals.service import TerminalIdentity
from sync.protocol import ENTRY_COLUMNS, NegativeBalance, PushRequest, PushResponse

_STORE, _TERMINAL = ENTRY_COLUMNS.index("store_id"), ENTRY_COLUMNS.index("terminal_id")
_SEQ = ENTRY_COLUMNS.index("seq")


def entry_rows(who: TerminalIdentity, request: PushRequest) -> list[tuple[Any, ...]]:
    """The entries as journal rows (ENTRY_COLUMNS order); Forbidden unless all are the
    caller's own, as are the coupon events."""
    rows: list[tuple[Any, ...]] = request.entries
    for row in rows:
        if row[_TERMINAL] != who.terminal_id or row[_STORE] != who.store_id:
            raise Forbidden(
                f"Terminal {who.terminal_id} of store {who.store_id} may only push its own "
                f"entries; entry {row[0]} is stamped store {row[_STORE]}, terminal "
                f"{row[_TERMINAL]}."
            )
    for event in request.coupon_events:
        if event.terminal_id != who.terminal_id:
            raise Forbidden(
                f"Terminal {who.terminal_id} may only push its own coupon events; "
                f"coupon {event.code} names terminal {event.terminal_id}."
            )
    return rows


def push(
    conn: Conn,
    who: TerminalIdentity,
    request: PushRequest,
    *,
    direct_copy: bool = True,
) -> PushResponse:
    """Store a push in one transaction (retried if PostgreSQL breaks a deadlock)."""
    rows = entry_rows(who, request)
    return in_transaction(
        conn, lambda: push_in_transaction(conn, who, request, rows, direct_copy=direct_copy)
    )


def push_in_transaction(
    conn: Conn,
    who: TerminalIdentity,
    request: PushRequest,
    rows: list[tuple[Any, ...]],
    *,
    direct_copy: bool = True,
) -> PushResponse:
    """The push itself; the caller owns the transaction (tests interleave two of them)."""
    # Locking the terminal's row serialises this terminal's own pushes (the
    # acked seq is read and written here) and sees a revocation that raced us.
    row = conn.execute(
        "SELECT acked_seq, revoked_at IS NOT NULL FROM terminals WHERE terminal_id = %s FOR UPDATE",
        (who.terminal_id,),
    ).fetchone()
    if row is None or row[1]:
        raise Unauthorized(f"Terminal {who.terminal_id} was revoked by head office.")
    acked = int(row[0])
    stored_members = members.store_members(conn, list(request.members), who.terminal_id)
    coupon_result = coupons.apply_events(conn, list(request.coupon_events), who.terminal_id)
    result = entries.insert_entries(conn, who.terminal_id, rows, acked, direct_copy=direct_copy)
    views = {w: seen[1] for w, seen in result.views.items()}
    negatives = _negative_balances(conn, who, result.spent, views, rows)
    conn.execute(
        "UPDATE terminals SET acked_seq = %s, last_push_at = now() WHERE terminal_id = %s",
        (result.acked_seq, who.terminal_id),
    )
    return PushResponse(
        acked_seq=result.acked_seq,
        inserted=result.inserted,
        duplicates=result.duplicates,
        conflicts=len(result.refused),
        refused=result.refused,
        members_stored=stored_members.stored,
        members_merged=stored_members.merged,
        coupon_events_applied=coupon_result.applied,
        coupon_conflicts=coupon_result.conflicts,
        negative_balances=negatives,
    )


def _negative_balances(
    conn: Conn,
    who: TerminalIdentity,
    spent: dict[str, list[str]],
    views: dict[str, int],
    rows: list[tuple[Any, ...]],
) -> list[NegativeBalance]:
    """Wallets this push's redemptions left below zero: recorded as conflicts."""
    if not spent:
        return []
    canonical = members.canonical_wallets(conn, sorted(spent))
    suspects = members.could_be_negative(conn, canonical, who.terminal_id, views)
    found = members.negative_balances(conn, suspects)
    if not found:
        return found
    last_seq = max(int(r[_SEQ]) for r in rows)
    for negative in found:
        entry_ids = sorted(
            entry_id
            for wallet, ids in spent.items()
            if canonical.get(wallet) == negative.wallet_id
            for entry_id in ids
        )
        conflicts.record(
            conn,
            "negative_balance",
            f"{negative.wallet_id}:{who.terminal_id}:{last_seq}",
            {
                "wallet_id": negative.wallet_id,
                "member_id": negative.member_id,
                "balance": negative.balance,
                "terminal_id": who.terminal_id,
                "store_id": who.store_id,
                "entry_ids": entry_ids[:50],
            },
            who.terminal_id,
        )
    return found
