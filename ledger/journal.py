"""The journal: the one place an entry is written, and the named reads of it.

Every entry, this terminal's own (:class:`Writer`) or another's pulled from
head office (:func:`store`), goes in through :data:`INSERT_ENTRY` here, and
with it the wallet's balance. A trigger (migration 6) keeps each wallet's
daily spend beside it, so the tiers' rolling 12-month spend is a handful of
rows, not a sum over the journal.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from config.kinds import EntryKind
from ledger.chain import GENESIS, entry_hash
from ledger.clock import iso, parse_iso, uuid7
from ledger.models import ENTRY_COLUMNS, Entry

COLUMNS = ", ".join(ENTRY_COLUMNS)
INSERT_ENTRY = f"INSERT INTO entries ({COLUMNS}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"


@dataclass
class Writer:
    """Appends this terminal's entries inside one open transaction: the next
    seq, the hash chain, the balance after. It keeps the chain's head and the
    balances it has read (nothing else writes inside the transaction)."""

    conn: sqlite3.Connection
    store_id: str
    terminal_id: str
    now: datetime
    currency: str
    last_seq: int | None = None  # None: read on the first append
    last_hash: str = ""
    balances: dict[str, int] = field(default_factory=dict)

    def wallet(self, wallet_id: str) -> tuple[int, str | None]:
        """(balance, earliest expiry of the wallet's open lots) in one read:
        expiry runs for a sale only when something is due."""
        balance, next_expiry = self.conn.execute(
            "SELECT balance, (SELECT min(expires_at) FROM lots "
            "WHERE wallet_id = ?1 AND remaining > 0) FROM wallets WHERE wallet_id = ?1",
            (wallet_id,),
        ).fetchone()
        self.balances[wallet_id] = int(balance)
        return int(balance), next_expiry

    def append(
        self,
        *,
        wallet_id: str,
        member_id: str | None,
        kind: EntryKind,
        points: int,
        amount_minor: int | None = None,
        ref: str | None = None,
        cashier_id: str | None = None,
        approver_id: str | None = None,
        reason: str | None = None,
        reverses: str | None = None,
        rules: dict[str, Any] | None = None,
    ) -> Entry:
        conn = self.conn
        balance = self.balances.get(wallet_id)
        if balance is None:
            (balance,) = conn.execute(
                "SELECT balance FROM wallets WHERE wallet_id = ?", (wallet_id,)
            ).fetchone()
        if self.last_seq is None:
            self.last_seq, self.last_hash = conn.execute(
                "SELECT last_seq, last_hash FROM terminals WHERE terminal_id = ?",
                (self.terminal_id,),
            ).fetchone()
        seq, last_hash = self.last_seq + 1, self.last_hash
        fields: list[Any] = [
            uuid7(self.now),
            wallet_id,
            member_id,
            kind,
            points,
            balance + points,
            amount_minor,
            self.currency if amount_minor is not None else None,
            ref,
            self.terminal_id,
            self.store_id,
            cashier_id,
            approver_id,
            reason,
            reverses,
            json.dumps(rules, sort_keys=True, separators=(",", ":")) if rules else None,
            iso(self.now),
            seq,
            last_hash,
        ]
        fields.append(entry_hash(fields))
        conn.execute(INSERT_ENTRY, fields)
        conn.execute(
            "UPDATE wallets SET balance = ? WHERE wallet_id = ?", (balance + points, wallet_id)
        )
        conn.execute(
            "UPDATE terminals SET last_seq = ?, last_hash = ? WHERE terminal_id = ?",
            (seq, fields[-1], self.terminal_id),
        )
        self.balances[wallet_id] = balance + points
        self.last_seq, self.last_hash = seq, fields[-1]
        return Entry.from_row(tuple(fields))


def head(conn: sqlite3.Connection, terminal_id: str) -> tuple[int, str, datetime | None]:
    """(last seq, last hash, last entry's time) of a terminal's chain, in one read."""
    row = conn.execute(
        "SELECT t.last_seq, t.last_hash, e.created_at FROM terminals t LEFT JOIN entries e "
        "ON e.terminal_id = t.terminal_id AND e.seq = t.last_seq WHERE t.terminal_id = ?",
        (terminal_id,),
    ).fetchone()
    if row is None:
        return 0, GENESIS, None
    return int(row[0]), str(row[1]), parse_iso(row[2]) if row[2] else None


def store(conn: sqlite3.Connection, entry: Entry) -> int:
    """Another terminal's entry, exactly as written there (its hash chain
    intact); returns this ledger's balance after it. Raises
    ``sqlite3.IntegrityError`` for an entry this journal cannot hold."""
    (balance,) = conn.execute(
        "SELECT balance FROM wallets WHERE wallet_id = ?", (entry.wallet_id,)
    ).fetchone()
    conn.execute(INSERT_ENTRY, [getattr(entry, c) for c in ENTRY_COLUMNS])
    after = int(balance) + entry.points
    conn.execute("UPDATE wallets SET balance = ? WHERE wallet_id = ?", (after, entry.wallet_id))
    conn.execute(
        "INSERT INTO terminals (terminal_id, store_id, last_seq, last_hash) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (terminal_id) DO UPDATE SET last_seq = excluded.last_seq, "
        "last_hash = excluded.last_hash WHERE excluded.last_seq > terminals.last_seq",
        (entry.terminal_id, entry.store_id, entry.seq, entry.hash),
    )
    return after


def store_rows(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Bulk rows in :data:`ENTRY_COLUMNS` order, balances kept by the caller
    (a rebuild or a benchmark filling a ledger in one go)."""
    conn.executemany(INSERT_ENTRY, rows)


# -- reads -----------------------------------------------------------------------


def by_id(conn: sqlite3.Connection, entry_id: str) -> Entry | None:
    row = conn.execute(f"SELECT {COLUMNS} FROM entries WHERE entry_id = ?", (entry_id,)).fetchone()
    return None if row is None else Entry.from_row(row)


def by_ref(
    conn: sqlite3.Connection, terminal_id: str, kind: str, ref: str
) -> tuple[Any, ...] | None:
    """The row of this terminal's earn or redeem under a sale reference."""
    # The repeated IN term lets SQLite use the partial index entries_ref;
    # without it this scans the terminal's whole journal.
    row = conn.execute(
        f"SELECT {COLUMNS} FROM entries WHERE terminal_id = ? AND kind = ? AND ref = ? "
        "AND kind IN ('earn', 'redeem')",
        (terminal_id, kind, ref),
    ).fetchone()
    return None if row is None else tuple(row)


def of_wallet(conn: sqlite3.Connection, wallet_id: str, limit: int) -> list[Entry]:
    """A wallet's latest entries, newest first."""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM entries WHERE wallet_id = ? "
        "ORDER BY created_at DESC, seq DESC LIMIT ?",
        (wallet_id, limit),
    ).fetchall()
    return [Entry.from_row(r) for r in rows]


def of_wallet_page(
    conn: sqlite3.Connection,
    wallet_id: str,
    before: tuple[str, str] | None,
    limit: int,
) -> list[Entry]:
    """A page of a wallet's entries, newest first, older than ``before`` (the
    (created_at, entry_id) of the last entry of the page shown before it).

    Keyset, not OFFSET: the page at the end of a member's 100,000th entry is a
    seek on entries_wallet_time, as quick as the first (OFFSET would read every
    row it skips). The entry id breaks ties between entries of the same
    instant (two tills), so no entry is shown twice or skipped."""
    if before is None:
        rows = conn.execute(
            f"SELECT {COLUMNS} FROM entries WHERE wallet_id = ? "
            "ORDER BY created_at DESC, entry_id DESC LIMIT ?",
            (wallet_id, limit),
        ).fetchall()
    else:
        # The created_at <= term lets SQLite seek the index; the row value
        # comparison then drops the entries already shown at that instant.
        rows = conn.execute(
            f"SELECT {COLUMNS} FROM entries WHERE wallet_id = ? AND created_at <= ? "
            "AND (created_at, entry_id) < (?, ?) "
            "ORDER BY created_at DESC, entry_id DESC LIMIT ?",
            (wallet_id, before[0], before[0], before[1], limit),
        ).fetchall()
    return [Entry.from_row(r) for r in rows]


def of_terminal(
    conn: sqlite3.Connection, terminal_id: str, *, after_seq: int = 0, limit: int | None = None
) -> list[Entry]:
    """A terminal's entries above ``after_seq``, in seq order."""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM entries WHERE terminal_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        (terminal_id, after_seq, -1 if limit is None else limit),
    ).fetchall()
    return [Entry.from_row(r) for r in rows]


def latest(conn: sqlite3.Connection, terminal_id: str, limit: int) -> list[Entry]:
    """A terminal's latest entries, newest first."""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM entries WHERE terminal_id = ? ORDER BY seq DESC LIMIT ?",
        (terminal_id, limit),
    ).fetchall()
    return [Entry.from_row(r) for r in rows]


def chain_of(conn: sqlite3.Connection, terminal_id: str) -> dict[int, tuple[str, str]]:
    """seq -> (entry id, hash) of a terminal's whole chain."""
    return {
        seq: (entry_id, digest)
        for seq, entry_id, digest in conn.execute(
            "SELECT seq, entry_id, hash FROM entries WHERE terminal_id = ?", (terminal_id,)
        )
    }


def everything(conn: sqlite3.Connection) -> Iterator[Entry]:
    for row in conn.execute(f"SELECT {COLUMNS} FROM entries ORDER BY terminal_id, seq"):
        yield Entry.from_row(row)


def spend_since(conn: sqlite3.Connection, wallet_id: str, since: datetime) -> int:
    """A wallet's sales (less reversed sales) from ``since`` on, exactly: whole
    days from the daily totals, the first day's from its own entries, and the
    sales imported from the shop's old system by their own time (ledger.imports)."""
    start = iso(since)
    next_day = (date.fromisoformat(start[:10]) + timedelta(days=1)).isoformat()
    (spend,) = conn.execute(
        "SELECT (SELECT coalesce(sum(amount_minor), 0) FROM spend_days "
        "        WHERE wallet_id = ?1 AND day >= ?3) "
        "     + (SELECT coalesce(sum(amount_minor), 0) FROM entries "
        "        WHERE wallet_id = ?1 AND created_at >= ?2 AND created_at < ?3 "
        "        AND kind IN ('earn', 'reverse') AND amount_minor IS NOT NULL) "
        "     + (SELECT coalesce(sum(amount_minor), 0) FROM imported_sales "
        "        WHERE wallet_id = ?1 AND created_at >= ?2)",
        (wallet_id, start, next_day),
    ).fetchone()
    return int(spend)
