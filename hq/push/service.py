"""One push = one transaction: members, coupon events, entries, balances, acked seq.

A terminal acts only for what it owns (DESIGN.md, "Trust boundaries"): entries
stamped with its own store and terminal, members it enrolled
(hq/members/service.py states the rule), coupon events in its own name, voids
and issues only of coupons it issued (hq/coupons/service.py), and transfers
only out of wallets of members it enrolled (the merge of a phone it enrolled
too). A push that acts for anything else is answered 403 and changes nothing:
its transaction is rolled back, and the attempt is recorded as a
``forbidden_push`` conflict.
"""

from __future__ import annotations

from typing import Any

from hq.conflicts import service as conflicts
from hq.conflicts.service import NotOwned
from hq.coupons import service as coupons
from hq.db import Conn, in_transaction
from hq.entries import service as entries
from hq.errors import Unauthorized
from hq.members import merge as member_merges
from hq.members import service as members
from hq.terminals.service import TerminalIdentity
from sync.protocol import ENTRY_COLUMNS, NegativeBalance, PushRequest, PushResponse

_STORE, _TERMINAL = ENTRY_COLUMNS.index("store_id"), ENTRY_COLUMNS.index("terminal_id")
_ID, _SEQ, _KIND = (ENTRY_COLUMNS.index(c) for c in ("entry_id", "seq", "kind"))
_WALLET, _POINTS = ENTRY_COLUMNS.index("wallet_id"), ENTRY_COLUMNS.index("points")
_REVERSES = ENTRY_COLUMNS.index("reverses")


def entry_rows(who: TerminalIdentity, request: PushRequest) -> list[tuple[Any, ...]]:
    """The entries as journal rows (ENTRY_COLUMNS order); Forbidden unless all are the
    caller's own, as are the coupon events."""
    rows: list[tuple[Any, ...]] = request.entries
    for row in rows:
        if row[_TERMINAL] != who.terminal_id or row[_STORE] != who.store_id:
            raise NotOwned(
                f"Terminal {who.terminal_id} of store {who.store_id} may only push its own "
                f"entries; entry {row[_ID]} is stamped store {row[_STORE]}, terminal "
                f"{row[_TERMINAL]}. Nothing from this push was stored.",
                what="entry",
                target=row[_ID],
                facts={"entry_id": row[_ID], "store_id": row[_STORE], "stamped": row[_TERMINAL]},
            )
    for event in request.coupon_events:
        if event.terminal_id != who.terminal_id:
            raise NotOwned(
                f"Terminal {who.terminal_id} may only push its own coupon events; "
                f"coupon {event.code} names terminal {event.terminal_id}. Nothing from this "
                "push was stored.",
                what="coupon_event",
                target=event.code,
                facts={"code": event.code, "named_terminal_id": event.terminal_id},
            )
    return rows


def push(
    conn: Conn,
    who: TerminalIdentity,
    request: PushRequest,
    *,
    direct_copy: bool = True,
) -> PushResponse:
    """Store a push in one transaction (retried if PostgreSQL breaks a deadlock);
    403 (and a recorded conflict) if it acts for anything the terminal does not own."""
    try:
        rows = entry_rows(who, request)
        return in_transaction(
            conn, lambda: push_in_transaction(conn, who, request, rows, direct_copy=direct_copy)
        )
    except NotOwned as refused:
        conflicts.record_refusal(conn, who.terminal_id, refused)
        raise


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
    _check_transfers(conn, who, rows)
    _check_reversals(conn, who, rows)
    coupon_result = coupons.apply_events(conn, list(request.coupon_events), who.terminal_id)
    result = entries.insert_entries(conn, who.terminal_id, rows, acked, direct_copy=direct_copy)
    # Two members made one at the till ride on their transfer pair (stored just now).
    member_merges.record(conn, who.terminal_id, rows)
    # Not the pushing terminal's own view of the wallets (its balance_after): a
    # terminal that lies about it (a redemption of 1,000 from 60 points "leaving
    # 5,000") would hide the negative balance. Every wallet spent from is summed.
    negatives = _negative_balances(conn, who, result.spent, {}, rows)
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


def _check_transfers(conn: Conn, who: TerminalIdentity, rows: list[tuple[Any, ...]]) -> None:
    """Points are transferred out of a wallet only by the terminal that enrolled its
    member (after head office merged that member into another with the same phone)."""
    wallets = sorted({r[_WALLET] for r in rows if r[_KIND] == "transfer" and r[_POINTS] < 0})
    if not wallets:
        return
    owners: dict[str, str | None] = dict(
        conn.execute(
            "SELECT w, (SELECT m.terminal_id FROM members m WHERE m.wallet_id = w "
            "           ORDER BY m.member_id LIMIT 1) FROM unnest(%s::text[]) AS w",
            (wallets,),
        ).fetchall()
    )
    for wallet in wallets:
        if owners.get(wallet) != who.terminal_id:
            entry_id = next(r[_ID] for r in rows if r[_WALLET] == wallet and r[_KIND] == "transfer")
            raise NotOwned(
                f"Terminal {who.terminal_id} may transfer points only out of wallets of "
                f"members it enrolled; entry {entry_id} takes them out of wallet {wallet} "
                f"(enrolled at terminal {owners.get(wallet) or 'unknown'}). Nothing from this "
                "push was stored.",
                what="transfer",
                target=entry_id,
                facts={"entry_id": entry_id, "wallet_id": wallet, "owner": owners.get(wallet)},
            )


def _check_reversals(conn: Conn, who: TerminalIdentity, rows: list[tuple[Any, ...]]) -> None:
    """A reversal undoes the entry it names, as the till writes it: on that entry's
    wallet, the other way, for at most its points; and a redemption (with its
    coupon) only at the terminal that made it. Otherwise a terminal could hand a
    redemption's points back while its coupon stays good, or move points between
    wallets under the name of an undo."""
    reversals = [r for r in rows if r[_KIND] == "reverse" and r[_REVERSES] is not None]
    if not reversals:
        return
    named = sorted({r[_REVERSES] for r in reversals})
    originals: dict[str, tuple[Any, ...]] = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT entry_id, kind, wallet_id, points, terminal_id FROM entries "
            "WHERE entry_id = ANY(%s)",
            (named,),
        ).fetchall()
    }
    for r in rows:  # an entry reversed in the same push
        if r[_ID] in named and r[_ID] not in originals:
            originals[r[_ID]] = (r[_KIND], r[_WALLET], r[_POINTS], r[_TERMINAL])
    # This terminal's own reversals of the same entries (a till reverses an entry
    # once; two tills offline may each do it once, which head office keeps).
    undone: dict[str, set[str]] = {}
    for reverses, entry_id in conn.execute(
        "SELECT reverses, entry_id FROM entries WHERE reverses = ANY(%s) AND terminal_id = %s",
        (named, who.terminal_id),
    ).fetchall():
        undone.setdefault(reverses, set()).add(entry_id)
    for r in reversals:
        undone.setdefault(r[_REVERSES], set()).add(r[_ID])
    for r in reversals:
        original = originals.get(r[_REVERSES])
        if original is None:
            continue  # not here: it names nothing head office holds for anyone
        kind, wallet, points, terminal = original
        problem = None
        twice = sorted(undone[r[_REVERSES]] - {r[_ID]})
        if twice:
            problem = f"reverses entry {r[_REVERSES]} again (this terminal's {twice[0]} did)"
        elif kind == "redeem" and terminal != who.terminal_id:
            problem = (
                f"reverses redemption {r[_REVERSES]} made at terminal {terminal}: only that "
                "terminal may reverse it (and void its coupon)"
            )
        elif kind in ("reverse", "expire"):
            problem = f"reverses entry {r[_REVERSES]}, a {kind}, which cannot be reversed"
        elif wallet != r[_WALLET] or r[_POINTS] * points > 0 or abs(r[_POINTS]) > abs(points):
            problem = (
                f"does not undo entry {r[_REVERSES]} ({points} points on wallet {wallet}): "
                f"it moves {r[_POINTS]} points on wallet {r[_WALLET]}"
            )
        if problem is not None:
            raise NotOwned(
                f"Terminal {who.terminal_id} may not push entry {r[_ID]}: it {problem}. "
                "Nothing from this push was stored.",
                what="reversal",
                target=r[_ID],
                facts={"entry_id": r[_ID], "reverses": r[_REVERSES], "original_terminal": terminal},
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
            message=(
                f"Wallet {negative.wallet_id} (member {negative.member_id or 'unknown'}) is at "
                f"{negative.balance} points after redemptions at more than one terminal, the "
                f"last pushed by terminal {who.terminal_id} of store {who.store_id}."
            ),
        )
    return found
