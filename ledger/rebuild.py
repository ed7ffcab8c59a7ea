"""Rebuilding a till's journal from head office's copy (``pos ledger restore``).

Everything happens in a new SQLite file; the live ledger is only read (a
snapshot through the backup API) until ``ledger.swap`` puts the result in
place in one transaction. Inputs, both SQLite files:

* the snapshot of the live ledger (the stale copy, or the clone);
* head office's copy of this terminal's own entries (up to its acknowledged
  number), the members it enrolled and the coupons of its redemptions
  (``ledger.hqcopy``, filled page by page by ``sync.restore``).

The rebuilt ledger holds every other terminal's entries and head office's
copy of this terminal's, replayed in time order (balances and points lots
follow), the members, staff, coupons and settings of the snapshot, and then
the sales made on the stale copy that head office does not have, carried
over as NEW entries of the terminal (new ids, numbers after head office's
last, same member, points, amount and bill number; the original id, number
and time are kept in the entry's rules as ``carried_over``). Nothing is sold
twice: a sale whose bill number head office already holds for the same
member and amount is not carried again. Expiries and merge transfers are not
carried: the ledger works them out again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ledger import lots, timeguard
from ledger.apply import apply_coupon, apply_entry, apply_member, phone_holder
from ledger.chain import GENESIS
from ledger.clock import iso, parse_iso
from ledger.db import connect, transaction
from ledger.errors import ApprovalRequired, LedgerError
from ledger.journal import Writer
from ledger.meta import K_ACKED, K_CURSOR, K_EVENTS, K_LAST_ERROR, K_MEMBERS
from ledger.meta import get as _meta
from ledger.meta import put as _set_meta
from ledger.models import ENTRY_COLUMNS, Entry
from ledger.stale import K_BACKUP, K_DIVERGED
from ledger.verify import run_checks

_COLS = ", ".join(ENTRY_COLUMNS)
# Rebuilt from the journal (or mapped to the carried entries), never copied as they are.
# member_grams: made by its triggers as the members are copied.
_DERIVED = ("entries", "lots", "wallets", "terminals", "coupons", "print_jobs", "spend_days",
            "member_grams")  # fmt: skip
_NOT_CARRIED = ("expire", "transfer")
_COUPON_COLS = ("code, entry_id, reward_id, member_id, payload, issued_at, expires_at, status, "
                "used_at, used_terminal, used_by")  # fmt: skip


class RestoreFailed(LedgerError):
    code = "restore_failed"


class NothingToRestore(LedgerError):
    code = "nothing_to_restore"


@dataclass(frozen=True)
class Plan:
    old: tuple[str, str]
    """(store, terminal) the live ledger is."""
    new: tuple[str, str]
    """(store, terminal) the rebuilt ledger is: ``old`` for a restore, a new
    terminal for a second till (``--as-new-terminal``)."""
    now: datetime
    currency: str
    expiry_days: int
    validity: Mapping[str, int]
    """Coupon validity per reward id."""
    approver_id: str | None = None
    """A supervisor who approved carrying over debits that go below zero."""
    meta: Mapping[str, str] = field(default_factory=dict)
    """Meta rows to set (a new terminal's head office, settings and identity)."""


def build(snapshot: Path, hq_copy: Path, target: Path, plan: Plan) -> dict[str, Any]:
    """Write the rebuilt ledger to ``target`` (a new file); RestoreFailed or
    ApprovalRequired leave nothing behind but that file."""
    conn = connect(target)
    try:
        conn.execute("ATTACH DATABASE ? AS old", (str(snapshot),))
        conn.execute("ATTACH DATABASE ? AS hq", (str(hq_copy),))
        try:
            with transaction(conn):
                summary = _Build(conn, plan).run()
        finally:
            conn.execute("DETACH DATABASE old")
            conn.execute("DETACH DATABASE hq")
        problems = run_checks(conn)
    finally:
        conn.close()
    if problems:
        raise RestoreFailed(
            "The rebuilt ledger does not verify ("
            + "; ".join(f"{p.check}: {p.message}" for p in problems[:3])
            + "): nothing was changed. Keep this till off sale and call support."
        )
    return summary


class _Build:
    def __init__(self, conn: sqlite3.Connection, plan: Plan) -> None:
        self.conn, self.plan = conn, plan
        self.store, self.terminal = plan.new
        self.old_terminal = plan.old[1]
        self.expiry = timedelta(days=plan.expiry_days)
        (acked,) = conn.execute(
            "SELECT coalesce((SELECT value FROM hq.info WHERE key = 'acked_seq'), '0')"
        ).fetchone()
        self.acked = int(acked)
        self.member_map: dict[str, tuple[str, str]] = {}
        self.id_map: dict[str, str] = {}
        self.summary: dict[str, Any] = {
            "store_id": self.store, "terminal_id": self.terminal,
            "head_office_entries": self.acked, "carried_over": 0,
            "already_at_head_office": 0, "recomputed": 0, "carried": [],
        }  # fmt: skip

    def run(self) -> dict[str, Any]:
        marked = _exists(self.conn, "SELECT 1 FROM old.meta WHERE key = ?", K_DIVERGED)
        if self.plan.new == self.plan.old and not marked and not self.split():
            raise NothingToRestore(
                f"This till's journal holds all of head office's copy of terminal "
                f"{self.terminal} ({self.acked} entries): nothing to restore, nothing was "
                "changed. Run 'pos sync' to send what is new."
            )
        # Rows are copied before the entries they name exist: check at COMMIT.
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        self.copy_tables()
        self.replay()
        self.own_members()
        self.coupons()
        self.carry_over()
        self.print_jobs()
        self.settle_meta()
        return self.summary

    def split(self) -> bool:
        """Head office holds an entry of this terminal that the ledger lacks or holds
        differently (a copy that fell behind, or sold under numbers taken there)."""
        row = self.conn.execute(
            "SELECT 1 FROM hq.entries h WHERE h.seq <= ? AND NOT EXISTS (SELECT 1 FROM "
            "old.entries o WHERE o.terminal_id = ? AND o.seq = h.seq AND o.hash = h.hash) "
            "LIMIT 1",
            (self.acked, self.old_terminal),
        ).fetchone()
        return row is not None

    # -- the snapshot's tables ---------------------------------------------

    def copy_tables(self) -> None:
        conn = self.conn
        names = [r[0] for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )]  # fmt: skip
        for name in names:
            if name in _DERIVED:
                continue
            cols = _common_columns(conn, name)
            rowid = "rowid, " if name == "members" else ""  # sync.members_upto counts rowids
            conn.execute(
                f'INSERT INTO main."{name}" ({rowid}{cols}) SELECT {rowid}{cols} FROM old."{name}"'
            )
        conn.execute(
            "INSERT INTO main.wallets (wallet_id, kind, balance, created_at) "
            "SELECT wallet_id, kind, 0, created_at FROM old.wallets"
        )
        conn.execute(
            "INSERT INTO main.terminals (terminal_id, store_id, last_seq, last_hash) "
            "VALUES (?, ?, 0, ?)",
            (self.terminal, self.store, GENESIS),
        )

    def replay(self) -> None:
        """Every other terminal's entries and head office's copy of ours, oldest first:
        balances and lots follow as if they had arrived in that order."""
        rows = self.conn.execute(
            f"SELECT {_COLS} FROM old.entries WHERE terminal_id != ? UNION ALL "
            f"SELECT {_COLS} FROM hq.entries WHERE seq <= ? ORDER BY created_at, terminal_id, seq",
            (self.old_terminal, self.acked),
        )
        for row in rows:
            apply_entry(self.conn, dict(zip(ENTRY_COLUMNS, row, strict=True)), "", self.expiry)

    def own_members(self) -> None:
        """Head office's copy of the members this terminal enrolled wins; a phone the
        stale copy enrolled again (a new member head office never saw) is the same
        person: its sales go to head office's member."""
        conn = self.conn
        wires = [json.loads(b) for (b,) in conn.execute("SELECT body FROM hq.members")]
        known = {w["member_id"] for w in wires}
        for wire in wires:
            phone = wire.get("phone")
            holder = phone_holder(conn, phone) if phone else None
            if holder is not None and holder != wire["member_id"] and holder not in known:
                row = conn.execute(
                    "SELECT wallet_id, terminal_id FROM members WHERE member_id = ?", (holder,)
                ).fetchone()
                if row[1] == self.old_terminal:
                    self.member_map[holder] = (wire["member_id"], wire["wallet_id"])
                    conn.execute("DELETE FROM members WHERE member_id = ?", (holder,))
            apply_member(conn, wire, wire.get("merged_into"))
        if self.plan.new != self.plan.old:
            # Members enrolled on this copy and never seen by head office are the new
            # terminal's now (it may push only members it enrolled).
            conn.execute(
                "UPDATE members SET terminal_id = ? WHERE terminal_id = ? "
                "AND member_id NOT IN (SELECT member_id FROM hq.members)",
                (self.terminal, self.old_terminal),
            )

    def coupons(self) -> None:
        self.conn.execute(
            f"INSERT INTO main.coupons ({_COUPON_COLS}) SELECT {_COUPON_COLS} FROM old.coupons "
            "WHERE entry_id IN (SELECT entry_id FROM main.entries)"
        )
        for (body,) in self.conn.execute("SELECT body FROM hq.coupons ORDER BY code").fetchall():
            apply_coupon(self.conn, json.loads(body), self.plan.validity)

    # -- carrying the stranded sales over ------------------------------------

    def carry_over(self) -> None:
        conn = self.conn
        stranded = conn.execute(
            f"SELECT {_COLS} FROM old.entries o WHERE o.terminal_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM hq.entries h WHERE h.seq = o.seq AND h.hash = o.hash "
            "AND h.seq <= ?) ORDER BY o.seq",
            (self.old_terminal, self.acked),
        ).fetchall()
        # Time never goes backwards in the journal (as for every other entry).
        now = timeguard.journal_time(conn, self.terminal, self.plan.now)
        writer = Writer(conn, self.store, self.terminal, now, self.plan.currency)
        below_zero: list[Entry] = []
        for row in stranded:
            entry = Entry.from_row(row)
            if entry.kind in _NOT_CARRIED:
                self.summary["recomputed"] += 1
                continue
            carried = self.carry(writer, entry)
            if carried is None:
                continue
            if carried == "approval":
                below_zero.append(entry)
        if below_zero:
            first = below_zero[0]
            raise ApprovalRequired(
                f"Carrying over {len(below_zero)} entry(ies) made on this copy takes a member "
                f"below zero (the first: number {first.seq}, {first.points} points): a "
                "supervisor must approve: run 'pos ledger restore --approver STAFF_ID' "
                "(nothing was changed)."
            )

    def carry(self, writer: Writer, entry: Entry) -> str | None:
        conn = self.conn
        member_id, wallet_id = entry.member_id, entry.wallet_id
        if member_id in self.member_map:
            member_id, wallet_id = self.member_map[member_id]
        reverses = self.id_map.get(entry.reverses or "", entry.reverses)
        taken = "SELECT 1 FROM entries WHERE terminal_id = ? AND reverses = ?"
        if reverses is not None and (
            not _exists(conn, "SELECT 1 FROM entries WHERE entry_id = ?", reverses)
            or _exists(conn, taken, self.terminal, reverses)
        ):
            self.summary["already_at_head_office"] += 1  # reversed there already (or gone)
            return None
        ref = entry.ref
        if ref is not None and entry.kind in ("earn", "redeem"):
            first = conn.execute(
                "SELECT member_id, amount_minor, points FROM entries WHERE terminal_id = ? "
                "AND kind = ? AND ref = ?",
                (self.terminal, entry.kind, ref),
            ).fetchone()
            if first is not None:
                if tuple(first) == (member_id, entry.amount_minor, entry.points):
                    self.summary["already_at_head_office"] += 1  # the same sale, entered again
                    return None
                ref = _free_ref(conn, self.terminal, entry.kind, ref)
        (balance,) = conn.execute(
            "SELECT balance FROM wallets WHERE wallet_id = ?", (wallet_id,)
        ).fetchone()
        approver = entry.approver_id
        if entry.points < 0 and balance + entry.points < 0 and approver is None:
            if self.plan.approver_id is None:
                return "approval"
            approver = self.plan.approver_id
        rules = json.loads(entry.rules) if entry.rules else {}
        rules["carried_over"] = {"entry_id": entry.entry_id, "seq": entry.seq,
                                 "created_at": entry.created_at}  # fmt: skip
        new = writer.append(
            wallet_id=wallet_id, member_id=member_id, kind=entry.kind, points=entry.points,
            amount_minor=entry.amount_minor, ref=ref, cashier_id=entry.cashier_id,
            approver_id=approver, reason=entry.reason, reverses=reverses, rules=rules,
        )  # fmt: skip
        if new.points > 0:
            lots.credit(conn, new, iso(parse_iso(entry.created_at) + self.expiry))
        elif new.points < 0:
            lots.debit(conn, wallet_id, -new.points, reverses)
        self.coupon_of(entry, new, member_id)
        self.id_map[entry.entry_id] = new.entry_id
        self.summary["carried_over"] += 1
        self.summary["carried"].append(
            {"old_seq": entry.seq, "seq": new.seq, "kind": new.kind, "points": new.points,
             "ref": new.ref, "entry_id": new.entry_id}
        )  # fmt: skip
        return "carried"

    def coupon_of(self, old: Entry, new: Entry, member_id: str | None) -> None:
        """A coupon issued on the copy stays the same coupon (code and payload), now
        for the carried redemption."""
        row = self.conn.execute(
            f"SELECT {_COUPON_COLS} FROM old.coupons WHERE entry_id = ?", (old.entry_id,)
        ).fetchone()
        if row is None:
            return
        values = list(row)
        values[1], values[3] = new.entry_id, member_id or values[3]
        self.conn.execute(
            f"INSERT OR IGNORE INTO main.coupons ({_COUPON_COLS}) VALUES "
            f"({', '.join('?' * len(values))})",
            values,
        )

    # -- the rest --------------------------------------------------------------

    def print_jobs(self) -> None:
        cols = _common_columns(self.conn, "print_jobs")
        names = [c.strip() for c in cols.split(",")]
        at = names.index("entry_id")
        for row in self.conn.execute(f"SELECT {cols} FROM old.print_jobs").fetchall():
            values = list(row)
            values[at] = self.id_map.get(values[at], values[at])
            if _exists(self.conn, "SELECT 1 FROM entries WHERE entry_id = ?", values[at]):
                self.conn.execute(
                    f"INSERT INTO main.print_jobs ({cols}) VALUES ({', '.join('?' * len(values))})",
                    values,
                )

    def settle_meta(self) -> None:
        conn = self.conn
        for key in (K_DIVERGED, K_BACKUP, K_LAST_ERROR):
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        if self.plan.new == self.plan.old:
            _set_meta(conn, K_ACKED, str(self.acked))
            return
        # A new terminal: nothing of it at head office yet; the change feed from the
        # start brings the old terminal's entries, now another terminal's.
        events = int(_meta(conn, K_EVENTS) or "0")
        conn.execute(
            "UPDATE coupon_events SET terminal_id = ? WHERE terminal_id = ? AND event_id > ?",
            (self.terminal, self.old_terminal, events),
        )
        for key, value in (*self.plan.meta.items(), (K_ACKED, "0"), (K_MEMBERS, "0"),
                           (K_EVENTS, "0"), (K_CURSOR, "0")):  # fmt: skip
            _set_meta(conn, key, value)


def _common_columns(conn: sqlite3.Connection, table: str) -> str:
    new = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')]
    old = {r[1] for r in conn.execute(f'PRAGMA old.table_info("{table}")')}
    return ", ".join(c for c in new if c in old)


def _exists(conn: sqlite3.Connection, sql: str, *args: Any) -> bool:
    return conn.execute(sql, args).fetchone() is not None


def _free_ref(conn: sqlite3.Connection, terminal: str, kind: str, ref: str) -> str:
    """Another sale already has this bill number here: keep it recognisable."""
    for n in range(1, 1000):
        candidate = f"{ref[:56]}~copy{n}"
        if not _exists(
            conn, "SELECT 1 FROM entries WHERE terminal_id = ? AND kind = ? AND ref = ?",
            terminal, kind, candidate,
        ):  # fmt: skip
            return candidate
    raise RestoreFailed(f"Too many sales with bill number {ref}: nothing was changed.")
