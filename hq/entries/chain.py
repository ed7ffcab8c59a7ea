"""Each terminal's journal is a hash chain (an entry's ``prev_hash`` is the hash of
the entry before it, ``GENESIS`` for the first). Head office checks each new
entry's own hash (cheap: sha256 of one short line) and the links a push adds: a
push whose entry does not match its hash or does not link to its neighbours comes
from a journal that was edited, forked or made up, and is stopped there rather
than passed on to every other terminal (whose verify would then fail)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from hq.db import Conn
from sync.protocol import ENTRY_COLUMNS

GENESIS = "0" * 64
Row = tuple[Any, ...]
_ID, _SEQ, _PREV, _HASH = (ENTRY_COLUMNS.index(c) for c in ("entry_id", "seq", "prev_hash", "hash"))


@dataclass(frozen=True)
class Break:
    entry_id: str
    seq: int
    expected: str
    pushed: str
    side: str
    """"before": its prev_hash is not the hash of the entry before it; "after": the
    entry after it, stored here, does not name its hash; "self": its hash is not the
    hash of its own fields."""


def entry_hash(row: Row) -> str:
    """The ledger's hash of an entry (ledger/chain.py; hq/entries/audit.py computes
    the same in SQL): sha256 over the first 19 columns joined by U+001F, None as NUL."""
    text = "\x1f".join(
        ["\x00" if v is None else v if v.__class__ is str else str(v) for v in row[:_HASH]]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def first_break(conn: Conn, terminal_id: str, rows: Sequence[Row], stored_top: int) -> Break | None:
    """The lowest-seq entry of ``rows`` that does not match its own hash or does not
    link to its neighbours."""
    # About 2 microseconds an entry: an entry whose hash is not its own would pass
    # every link check and be fed to every till, whose verify would then fail.
    # Entries stored already are duplicates or conflicts: the body check handles them.
    stored_here: set[int] = set()
    if min(r[_SEQ] for r in rows) <= stored_top:
        stored_here = _stored_seqs(
            conn, terminal_id, [r[_SEQ] for r in rows if r[_SEQ] <= stored_top]
        )
    forged = min(
        (r for r in rows if r[_SEQ] not in stored_here and entry_hash(r) != r[_HASH]),
        key=lambda r: r[_SEQ],
        default=None,
    )
    linked = _first_link_break(conn, terminal_id, rows, stored_top, stored_here)
    if forged is not None and (linked is None or forged[_SEQ] <= linked.seq):
        return Break(forged[_ID], forged[_SEQ], entry_hash(forged), forged[_HASH], "self")
    return linked


def _first_link_break(
    conn: Conn, terminal_id: str, rows: Sequence[Row], stored_top: int, stored_here: set[int]
) -> Break | None:
    """The lowest-seq new entry of ``rows`` that does not link to its neighbours."""
    if rows[0][_SEQ] > stored_top:
        run = _first_break_in_run(conn, terminal_id, rows)
        if run is not False:
            return run
    batch = {r[_SEQ]: r for r in rows}
    new = sorted(s for s in batch if s not in stored_here)
    wanted = {s - 1 for s in new if s > 1 and (s - 1 not in batch or s - 1 in stored_here)}
    wanted |= {s + 1 for s in new if s + 1 not in batch and s + 1 <= stored_top}
    stored = _hashes(conn, terminal_id, sorted(wanted)) if wanted else {}
    for seq in new:
        row = batch[seq]
        before: str | None = GENESIS if seq == 1 else None
        if seq - 1 in stored:
            before = stored[seq - 1][0]
        elif seq - 1 in batch:
            before = batch[seq - 1][_HASH]
        if before is not None and row[_PREV] != before:
            return Break(row[_ID], seq, before, row[_PREV], "before")
        if seq + 1 in stored and stored[seq + 1][1] != row[_HASH]:
            return Break(row[_ID], seq, stored[seq + 1][1], row[_HASH], "after")
    return None


def _first_break_in_run(
    conn: Conn, terminal_id: str, rows: Sequence[Row]
) -> Break | Literal[False] | None:
    """The usual push: new entries that follow each other, above everything stored
    (False if they do not)."""
    inside: Break | None = None
    for prev, row in pairwise(rows):
        if row[_SEQ] != prev[_SEQ] + 1:
            return False
        if inside is None and row[_PREV] != prev[_HASH]:
            inside = Break(row[_ID], row[_SEQ], prev[_HASH], row[_PREV], "before")
    first = rows[0]
    if first[_SEQ] == 1:
        before = GENESIS
    else:
        found = _hashes(conn, terminal_id, [first[_SEQ] - 1]).get(first[_SEQ] - 1)
        before = found[0] if found else first[_PREV]  # not here yet: checked when it comes
    if first[_PREV] != before:
        return Break(first[_ID], first[_SEQ], before, first[_PREV], "before")
    return inside


def _stored_seqs(conn: Conn, terminal_id: str, seqs: list[int]) -> set[int]:
    return {
        int(r[0])
        for r in conn.execute(
            "SELECT seq FROM entries WHERE terminal_id = %s AND seq = ANY(%s)",
            (terminal_id, seqs),
        ).fetchall()
    }


def _hashes(conn: Conn, terminal_id: str, seqs: list[int]) -> dict[int, tuple[str, str]]:
    """seq -> (hash, prev_hash) of stored entries."""
    return {
        int(r[0]): (r[1], r[2])
        for r in conn.execute(
            "SELECT seq, hash, prev_hash FROM entries WHERE terminal_id = %s AND seq = ANY(%s)",
            (terminal_id, seqs),
        ).fetchall()
    }
