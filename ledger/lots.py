"""Points lots for FIFO expiry, kept in the same transaction as the entry
that changes them. Invariant: a wallet's lots hold max(balance, 0) points."""

from __future__ import annotations

import sqlite3

from ledger.models import Entry, Expiry


def credit(conn: sqlite3.Connection, entry: Entry, expires_at: str) -> None:
    """A positive entry opens a lot; when the wallet was below zero only the
    part above zero is spendable."""
    if entry.points <= 0:
        return
    before = entry.balance_after - entry.points
    remaining = max(entry.balance_after, 0) - max(before, 0)
    conn.execute(
        "INSERT INTO lots (entry_id, wallet_id, points, remaining, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (entry.entry_id, entry.wallet_id, entry.points, remaining, expires_at),
    )


def debit(conn: sqlite3.Connection, wallet_id: str, points: int, first: str | None = None) -> None:
    """Take ``points`` from the wallet's lots: ``first`` (a reversed earn's own
    lot) before the others, then oldest first. Less may be there when the
    balance goes below zero (an approved reversal)."""
    lots = conn.execute(
        "SELECT entry_id, remaining FROM lots WHERE wallet_id = ? AND remaining > 0 "
        "ORDER BY entry_id = ? DESC, expires_at, entry_id",
        (wallet_id, first),
    ).fetchall()
    left = points
    for entry_id, remaining in lots:
        if left == 0:
            break
        take = min(left, remaining)
        conn.execute(
            "UPDATE lots SET remaining = remaining - ? WHERE entry_id = ?", (take, entry_id)
        )
        left -= take


def due_and_next(conn: sqlite3.Connection, wallet_id: str, as_of: str) -> tuple[int, Expiry | None]:
    """Points of the wallet's lots due by ``as_of`` (expired in effect, even
    before an expiry entry records it), and the next expiry after it: the
    points of the earliest day still to come."""
    due, first = conn.execute(
        "SELECT (SELECT coalesce(sum(remaining), 0) FROM lots WHERE wallet_id = ?1 "
        "        AND remaining > 0 AND expires_at <= ?2), "
        "       (SELECT min(expires_at) FROM lots WHERE wallet_id = ?1 "
        "        AND remaining > 0 AND expires_at > ?2)",
        (wallet_id, as_of),
    ).fetchone()
    if first is None:
        return int(due), None
    day = first[:10]
    (points,) = conn.execute(
        "SELECT sum(remaining) FROM lots WHERE wallet_id = ? AND remaining > 0 "
        "AND expires_at > ? AND expires_at >= ? AND expires_at < ?",
        (wallet_id, as_of, day, day + "T99"),
    ).fetchone()
    return int(due), Expiry(int(points), first)
