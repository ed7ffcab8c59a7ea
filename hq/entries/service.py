"""Terminal journals at head office: idempotent bulk insert and the acknowledged seq.

An entry id is stored once. The same id with the same body again is a
duplicate ("exists"); the same id, or the same (terminal, seq), with a
different body is refused and recorded as an ``entry_body_mismatch``
conflict; nothing stored is ever overwritten (triggers refuse UPDATE/DELETE).

Two bulk paths, never row by row:

* fast: when every seq in the batch is above anything stored for the terminal
  (the usual case: new entries in order), one ``COPY`` straight into
  ``entries`` inside a savepoint. A unique violation (an id stored before)
  rolls the savepoint back and falls through to
* safe: ``COPY`` into a temp table, then ``INSERT ... SELECT ... ON CONFLICT
  DO NOTHING RETURNING``, then one query to tell duplicates from conflicts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from psycopg import errors as pg_errors

from hq.backoffice import totals as daily_totals
from hq.conflicts import service as conflicts
from hq.db import Conn
from hq.entries import chain
from sync.protocol import ENTRY_COLUMNS, Refusal

Row = tuple[Any, ...]
_COLS = ", ".join(ENTRY_COLUMNS)
_ID, _WALLET, _POINTS, _BALANCE, _SEQ = (
    ENTRY_COLUMNS.index(c) for c in ("entry_id", "wallet_id", "points", "balance_after", "seq")
)
_TEMP_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS push_entries ("
    ' entry_id text COLLATE "C", wallet_id text COLLATE "C", member_id text, kind text,'
    " points bigint, balance_after bigint, amount_minor bigint, currency text, ref text,"
    ' terminal_id text COLLATE "C", store_id text, cashier_id text, approver_id text,'
    " reason text, reverses text, rules text, created_at text, seq bigint, prev_hash text,"
    " hash text) ON COMMIT DELETE ROWS"
)


# Binary COPY: psycopg's C dumpers build it fastest, and PostgreSQL parses it
# fastest. The protocol's patterns keep NUL out of every text value.
_TYPES = [
    "int8" if c in ("points", "balance_after", "amount_minor", "seq") else "text"
    for c in ENTRY_COLUMNS
]
_COPY_ENTRIES = f"COPY entries ({_COLS}) FROM STDIN (FORMAT BINARY)"
_COPY_TEMP = f"COPY push_entries ({_COLS}) FROM STDIN (FORMAT BINARY)"


def _copy(conn: Conn, statement: str, rows: Sequence[Row]) -> None:
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.set_types(_TYPES)
        for row in rows:
            copy.write_row(row)


@dataclass
class EntryResult:
    inserted: int = 0
    duplicates: int = 0
    refused: list[Refusal] = field(default_factory=list)
    acked_seq: int = 0
    spent: dict[str, list[str]] = field(default_factory=dict)
    """Wallet -> ids of the negative entries stored now (to check for negative balances)."""
    views: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Spent wallet -> (seq, balance_after) of its latest entry stored now: the
    wallet's balance as the pushing terminal saw it (left empty when the terminal
    has later entries stored already: a gap filled late)."""


def insert_entries(
    conn: Conn,
    terminal_id: str,
    rows: Sequence[Row],
    acked_seq: int,
    *,
    direct_copy: bool = True,
) -> EntryResult:
    """Store a batch (already checked to be this terminal's) inside the push transaction."""
    result = EntryResult(acked_seq=acked_seq)
    if not rows:
        return result
    # Not max(seq): a plan cached while the table was small can turn that into a
    # scan of the terminal's whole journal (15 ms a push at 100k entries); this
    # form can only be read from the end of the (terminal_id, seq) index.
    top = conn.execute(
        "SELECT seq FROM entries WHERE terminal_id = %s ORDER BY seq DESC LIMIT 1",
        (terminal_id,),
    ).fetchone()
    stored_top = int(top[0]) if top else 0
    broken = chain.first_break(conn, terminal_id, rows, stored_top)
    if broken is not None:
        _refuse_break(conn, terminal_id, broken, result)
        rows = [r for r in rows if r[_SEQ] < broken.seq]  # nothing after a break
        if not rows:
            result.acked_seq = _acked(conn, terminal_id, acked_seq, stored_top, [])
            _publish(conn, terminal_id, acked_seq, result.acked_seq)
            return result
    stored: Sequence[Row] | None = None
    above_all = min(r[_SEQ] for r in rows) > stored_top
    # (An id or seq twice in the batch makes the COPY fail; the safe path sorts it out.)
    if direct_copy and above_all:
        stored = _copy_direct(conn, rows)
    if stored is None:
        stored = _insert_safe(conn, terminal_id, rows, result)
    result.inserted = len(stored)
    daily_totals.record(conn, stored)  # the back office's dashboard reads these
    spent, views = result.spent, result.views
    for row in stored:
        if row[_POINTS] < 0:
            spent.setdefault(row[_WALLET], []).append(row[_ID])
    if spent and above_all:
        # Only then is an entry stored now this terminal's latest for its wallet.
        for row in stored:
            wallet = row[_WALLET]
            if wallet in spent:
                seen = views.get(wallet)
                if seen is None or row[_SEQ] > seen[0]:
                    views[wallet] = (row[_SEQ], row[_BALANCE])
    new_seqs = [row[_SEQ] for row in stored]
    result.acked_seq = _acked(conn, terminal_id, acked_seq, stored_top, new_seqs)
    _publish(conn, terminal_id, acked_seq, result.acked_seq)
    return result


def _copy_direct(conn: Conn, rows: Sequence[Row]) -> Sequence[Row] | None:
    try:
        with conn.transaction():
            _copy(conn, _COPY_ENTRIES, rows)
    except pg_errors.UniqueViolation:
        return None  # some id was stored before: take the safe path
    return rows


def _insert_safe(
    conn: Conn, terminal_id: str, rows: Sequence[Row], result: EntryResult
) -> list[Row]:
    conn.execute(_TEMP_TABLE)
    _copy(conn, _COPY_TEMP, rows)
    with conn.cursor() as cur:
        stored: list[Row] = cur.execute(
            f"INSERT INTO entries ({_COLS}) SELECT {_COLS} FROM push_entries ORDER BY seq "
            f"ON CONFLICT DO NOTHING RETURNING {_COLS}"
        ).fetchall()
    if len(stored) < len(rows):
        _classify(conn, terminal_id, len(stored), result)
    conn.execute("TRUNCATE push_entries")
    return stored


def _refuse_break(conn: Conn, terminal_id: str, broken: chain.Break, result: EntryResult) -> None:
    if broken.side == "self":
        message = (
            f"Entry {broken.entry_id} (number {broken.seq}) does not match its own hash: it "
            "was changed after it was written, or made up. Refused, with everything after it."
        )
    elif broken.side == "before":
        message = (
            f"Entry {broken.entry_id} (number {broken.seq}) does not follow the entry before "
            "it in this terminal's hash chain: its journal was changed or forked. Refused, "
            "with everything after it."
        )
    else:
        message = (
            f"Entry {broken.entry_id} (number {broken.seq}) is not the one the next entry, "
            "stored here, follows in this terminal's hash chain: its journal was changed "
            "or forked. Refused, with everything after it."
        )
    conflicts.record(
        conn,
        "chain_break",
        f"{terminal_id}:{broken.seq}:{broken.pushed}",
        {
            "entry_id": broken.entry_id,
            "seq": broken.seq,
            "side": broken.side,
            "expected": broken.expected,
            "pushed": broken.pushed,
        },
        terminal_id,
        message=f"Terminal {terminal_id}: {message}",
    )
    result.refused.append(
        Refusal(entry_id=broken.entry_id, seq=broken.seq, reason="chain_break", message=message)
    )


def _classify(conn: Conn, terminal_id: str, inserted: int, result: EntryResult) -> None:
    """Tell the entries not inserted apart: same body (duplicate) or a conflict."""
    same = " AND ".join(f"p.{c} IS NOT DISTINCT FROM e.{c}" for c in ENTRY_COLUMNS)
    pushed_cols = ", ".join(f"p.{c}" for c in ENTRY_COLUMNS)
    found = conn.execute(
        f"SELECT e.entry_id IS NOT NULL, coalesce({same}, false), "
        "(SELECT s.entry_id FROM entries s WHERE s.terminal_id = p.terminal_id AND s.seq = p.seq), "
        f"{pushed_cols} FROM push_entries p LEFT JOIN entries e ON e.entry_id = p.entry_id"
    ).fetchall()
    matching = 0
    for id_stored, body_same, seq_owner, *pushed in found:
        if body_same:
            matching += 1
            continue
        row = tuple(pushed)
        entry_id, seq = row[_ID], row[_SEQ]
        if id_stored:
            stored = conn.execute(
                f"SELECT {_COLS} FROM entries WHERE entry_id = %s", (entry_id,)
            ).fetchone()
            assert stored is not None
            differs = {
                c: {"stored": stored[i], "pushed": row[i]}
                for i, c in enumerate(ENTRY_COLUMNS)
                if stored[i] != row[i]
            }
            reason: Literal["body_mismatch", "seq_taken"] = "body_mismatch"
            message = (
                f"Entry {entry_id} is stored at head office with a different body "
                f"({', '.join(differs)}): not overwritten."
            )
        else:
            differs = {"entry_id": {"stored": seq_owner, "pushed": entry_id}}
            reason = "seq_taken"
            message = (
                f"Sequence number {seq} of terminal {terminal_id} is already stored as entry "
                f"{seq_owner}: entry {entry_id} refused."
            )
        body_hash = hashlib.sha256(repr(row).encode()).hexdigest()[:16]
        conflicts.record(
            conn,
            "entry_body_mismatch",
            f"{entry_id}:{body_hash}",
            {"entry_id": entry_id, "seq": seq, "reason": reason, "differs": differs},
            terminal_id,
            message=f"Terminal {terminal_id}: {message}",
        )
        result.refused.append(Refusal(entry_id=entry_id, seq=seq, reason=reason, message=message))
    result.duplicates = matching - inserted


def _publish(conn: Conn, terminal_id: str, acked_before: int, acked_now: int) -> None:
    """Put the entries the acknowledged number now covers on the change feed, as one
    run (one row for a whole push, as a rule).

    Entries stored above a gap are held back until the gap fills: only then do
    they link to the rest of the terminal's chain (the entry that fills the gap is
    checked against them: hq/entries/chain.py), so other terminals never receive
    an entry head office could not check. ``pos-hq verify`` reports them as
    unverified meanwhile."""
    if acked_now > acked_before:
        conn.execute(
            "INSERT INTO entry_runs (terminal_id, first_seq, last_seq) VALUES (%s, %s, %s)",
            (terminal_id, acked_before + 1, acked_now),
        )


def _acked(conn: Conn, terminal_id: str, acked: int, stored_top: int, new_seqs: list[int]) -> int:
    """The highest seq such that this terminal's entries 1..seq are all stored."""
    if stored_top <= acked:
        # Nothing was stored above the old mark: the new entries either follow it
        # without a gap (the usual case, no query needed) or the run ends early.
        new_seqs = sorted(new_seqs)
        run = 0
        for expected, seq in enumerate(new_seqs, start=acked + 1):
            if seq != expected:
                break
            run += 1
        return acked + run
    row = conn.execute(
        "SELECT 1 FROM entries WHERE terminal_id = %s AND seq = %s", (terminal_id, acked + 1)
    ).fetchone()
    if row is None:
        return acked
    row = conn.execute(
        "SELECT e.seq FROM entries e WHERE e.terminal_id = %(t)s AND e.seq > %(a)s "
        "AND NOT EXISTS (SELECT 1 FROM entries n "
        "                WHERE n.terminal_id = %(t)s AND n.seq = e.seq + 1) "
        "ORDER BY e.seq LIMIT 1",
        {"t": terminal_id, "a": acked},
    ).fetchone()
    assert row is not None
    return int(row[0])
