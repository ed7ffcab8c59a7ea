"""The points lots of a member merge (``pos member merge``): the merged
member's points keep their expiry in the kept member's wallet.

A merge is one ``transfer`` pair: the debit empties the merged member's wallet
and takes its lots as any debit does (ledger.lots.debit, oldest first); the
credit names those lots (original entry id -> points) in its rules, and they
move to the kept wallet with their own ``expires_at`` instead of one new lot
expiring a year from now. Every till applies the credit the same way (this
till when it merges, the others when they pull it: ledger.apply), so a lot
has the same wallet and expiry everywhere and the nightly expiry (which
names lots) finds it.

Invariant kept (ledger.verify): a wallet's lots hold max(balance, 0). The
credit re-opens at most what it adds to the spendable balance; a lot named
but not emptied here by the debit (this till saw the wallet differently) is
left where it is, and whatever is not covered by named lots becomes the
credit's own lot.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ledger.models import Entry

MERGE = "member"
"""``rules["merge"]`` of both entries of a member merge's transfer pair."""
NAMED_LOTS = 60
"""Lots named in the credit: head office keeps rules up to 4,000 characters
(about 46 a lot). A merged wallet with more gives the rest one lot expiring
with the latest of them (no point expires earlier than it would have)."""


def is_merge_credit(entry: Entry) -> bool:
    """The credit of a member merge (rules read only for a transfer in: rare)."""
    return (
        entry.kind == "transfer" and entry.points > 0 and entry.rules_applied.get("merge") == MERGE
    )


def open_lots(conn: sqlite3.Connection, wallet_id: str) -> list[tuple[str, int, str]]:
    """(entry id, remaining, expires_at) of the wallet's open lots, soonest first."""
    return [
        (str(r[0]), int(r[1]), str(r[2]))
        for r in conn.execute(
            "SELECT entry_id, remaining, expires_at FROM lots WHERE wallet_id = ? "
            "AND remaining > 0 ORDER BY expires_at, entry_id",
            (wallet_id,),
        )
    ]


def credit_rules(lots: list[tuple[str, int, str]]) -> dict[str, Any]:
    """What the credit says about the lots it carries."""
    named = lots[:NAMED_LOTS]
    rules: dict[str, Any] = {"lots": {entry_id: left for entry_id, left, _ in named}}
    rest = lots[NAMED_LOTS:]
    if rest:
        rules["rest_expires_at"] = max(expires for _, _, expires in rest)
    return rules


def place_credit(conn: sqlite3.Connection, entry: Entry, default_expiry: str) -> int:
    """Lots for a merge credit stored with ``entry.balance_after`` this ledger's
    balance: the named lots move from the merged wallet, the rest is a new lot.
    Returns how many lots moved."""
    rules = entry.rules_applied
    source = rules.get("from_wallet")
    named = rules.get("lots")
    before = entry.balance_after - entry.points
    left = max(entry.balance_after, 0) - max(before, 0)  # what becomes spendable
    moved = 0
    if isinstance(source, str) and isinstance(named, dict):
        rows = conn.execute(
            "SELECT entry_id, points FROM lots WHERE wallet_id = ? AND remaining = 0 "
            "AND entry_id IN (SELECT value FROM json_each(?)) ORDER BY expires_at, entry_id",
            (source, json.dumps(sorted(str(k) for k in named))),
        ).fetchall()
        for lot_id, lot_points in rows:
            take = min(int(named[lot_id]), int(lot_points), left)
            if take <= 0:
                break
            conn.execute(
                "UPDATE lots SET wallet_id = ?, remaining = ? WHERE entry_id = ?",
                (entry.wallet_id, take, lot_id),
            )
            left -= take
            moved += 1
    if left > 0:
        expires = rules.get("rest_expires_at")
        conn.execute(
            "INSERT INTO lots (entry_id, wallet_id, points, remaining, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (entry.entry_id, entry.wallet_id, left, left,
             expires if isinstance(expires, str) else default_expiry),
        )  # fmt: skip
    return moved
