"""The global change feed that terminals pull, and its cursor.

How the cursor never skips a change
-----------------------------------
A naive feed numbers changes with a sequence and hands out "everything above
N". Sequence numbers are taken when a row is written, not when its transaction
commits: if transaction A takes 10 and B takes 11, and B commits first, a
reader sees 11, moves its cursor to 11, and never sees 10 once A commits.

Two fixes were weighed:

1. Serialise writers on one counter row (or an advisory lock) held until
   commit, so numbers are handed out in commit order. Simple integer cursor,
   but every push in the chain then waits for the one before it to commit: 200
   terminals pushing at once would queue behind a single lock, fsync by fsync.
2. Record the writing transaction's id with each change and expose only
   changes whose transaction is older than every transaction still running
   (``pg_snapshot_xmin(pg_current_snapshot())``, "the horizon"). Transaction
   ids are handed out in order and a transaction below the horizon has ended,
   so the set of rows below the horizon can only grow by rows whose
   transaction id is at or above it. Ordering by (transaction id, number) and
   paging with that pair as the cursor therefore never skips a row: anything
   that commits later sorts after every cursor already handed out.

This module uses (2): writers never wait for each other. The cost is a short
delay: a change becomes visible once every transaction that started writing
before it has ended (pushes are short, so this is milliseconds; a transaction
left open for hours in the same PostgreSQL cluster would hold the feed back,
never lose it). Rows are written by ``entries`` (``entry_runs``: one row per
run of a terminal's consecutive entries stored together, usually a whole push)
and ``changes`` (members, merges, coupons, settings); both take their number
from ``change_seq`` and their transaction id from ``pg_current_xact_id()`` as
column defaults, so writers need do nothing else.

Member snapshots (phones and names) are not kept for ever: each pull records
the cursor the terminal sent (it stores a cursor only after applying the page
it came with), and member changes at or before the oldest cursor of every
terminal still in service (not revoked) are deleted. A terminal that has not
pulled yet holds them back; a phone asked for later is answered by a lookup
(GET /v1/members), not the feed.

A run can be longer than a page, so a cursor can also point inside one:
``"<xid>.<number>.<seq>"`` means "the run's entries up to ``seq`` are
delivered"; ``"<xid>.<number>"`` means the whole change is. ``"0"`` is the
beginning. Cursors are opaque to terminals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import TypeAdapter

from hq.db import Conn
from hq.errors import InvalidInput
from sync.protocol import (
    ENTRY_COLUMNS,
    INT64_MAX,
    Change,
    EntryChange,
    PullResponse,
)

Key = tuple[int, int, int]
"""(transaction id, change number, last seq delivered of a run, or DONE)."""
DONE = INT64_MAX
_START: Key = (0, 0, DONE)
_COLS = ", ".join(ENTRY_COLUMNS)
_E_COLS = ", ".join("e." + c for c in ENTRY_COLUMNS)
_SEQ = ENTRY_COLUMNS.index("seq")
_CHANGE: TypeAdapter[Any] = TypeAdapter(Change)


def parse_cursor(text: str) -> Key:
    if text in ("", "0"):
        return _START
    parts = text.split(".")
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        xid, number = int(parts[0]), int(parts[1])
        seq = int(parts[2]) if len(parts) == 3 else DONE
    except ValueError:
        raise InvalidInput(f"Cursor '{text[:40]}' is not one this server handed out.") from None
    if not (0 <= xid < 2**64 and 0 <= number <= INT64_MAX and 0 <= seq <= INT64_MAX):
        raise InvalidInput(f"Cursor '{text[:40]}' is out of range.")
    return xid, number, seq


def format_cursor(key: Key) -> str:
    if key == _START:
        return "0"
    xid, number, seq = key
    return f"{xid}.{number}" if seq == DONE else f"{xid}.{number}.{seq}"


def publish(conn: Conn, rows: Sequence[tuple[str, str | None, dict[str, Any]]]) -> None:
    """Add (kind, origin terminal, wire body) changes inside the caller's transaction."""
    if not rows:
        return
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO changes (kind, origin_terminal_id, body) VALUES (%s, %s, %s)",
            [(kind, origin, Jsonb(body)) for kind, origin, body in rows],
        )


def pull(
    conn: Conn, terminal_id: str, after: str, limit: int, *, member_pages: bool = False
) -> PullResponse:
    """Up to ``limit`` changes after the cursor that ``terminal_id`` did not make itself
    (``member_page`` changes only if ``member_pages``: the terminal reads them)."""
    start = parse_cursor(after)
    with conn.transaction():
        row = conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").fetchone()
        assert row is not None
        horizon = str(row[0])
        params = {
            "xid": str(start[0]),
            "id": start[1],
            "seq": start[2],
            "horizon": horizon,
            "me": terminal_id,
            "n": limit + 1,
            "pages": member_pages,
        }
        # (The xid is read as text; the ORDER BY names the table's column, so it
        # sorts as xid8 and walks the primary key.) The run the cursor points
        # into continues after its seq; later runs start at their beginning.
        entries = conn.execute(
            "SELECT r.change_xid::text AS xid_text, r.change_id, e.seq = r.last_seq, "
            f"{_E_COLS} FROM entry_runs r CROSS JOIN LATERAL ("
            f"  SELECT {_COLS} FROM entries e"
            "   WHERE e.terminal_id = r.terminal_id AND e.seq BETWEEN r.first_seq AND r.last_seq"
            "   AND e.seq > CASE WHEN (r.change_xid, r.change_id) = (%(xid)s::xid8, %(id)s)"
            "                    THEN %(seq)s ELSE 0 END"
            "   ORDER BY e.seq LIMIT %(n)s) e "
            "WHERE (r.change_xid, r.change_id) >= (%(xid)s::xid8, %(id)s) "
            "AND r.change_xid < %(horizon)s::xid8 AND r.terminal_id <> %(me)s "
            "ORDER BY r.change_xid, r.change_id, e.seq LIMIT %(n)s",
            params,
        ).fetchall()
        others = conn.execute(
            "SELECT c.change_xid::text AS xid_text, c.change_id, c.body FROM changes c "
            "WHERE (c.change_xid, c.change_id) > (%(xid)s::xid8, %(id)s) "
            "AND c.change_xid < %(horizon)s::xid8 "
            "AND c.origin_terminal_id IS DISTINCT FROM %(me)s "
            "AND (%(pages)s OR c.kind <> 'member_page') "
            "ORDER BY c.change_xid, c.change_id LIMIT %(n)s",
            params,
        ).fetchall()
        found: list[tuple[Key, Any]] = [
            ((int(r[0]), r[1], DONE if r[2] else r[3 + _SEQ]), r) for r in entries
        ]
        found += [((int(r[0]), r[1], DONE), r) for r in others]
        found.sort(key=lambda pair: pair[0])
        more = len(found) > limit
        page = found[:limit]
        if more:
            next_key = page[-1][0]
        else:
            # Everything below the horizon has been seen (the caller's own rows
            # were skipped, not missed): jump to the newest row below it so the
            # next pull does not walk over the caller's own rows again.
            next_key = max([start, *(key for key, _ in page), *_newest(conn, horizon)])
    _record_cursor(conn, terminal_id, start)
    changes: list[Any] = []
    for _, r in page:
        if len(r) == 3:
            changes.append(_CHANGE.validate_python(r[2]))
        else:
            entry = dict(zip(ENTRY_COLUMNS, r[3:], strict=True))
            changes.append(EntryChange.model_construct(kind="entry", entry=entry))
    return PullResponse.model_construct(
        changes=changes, next_cursor=format_cursor(next_key), more=more
    )


def _newest(conn: Conn, horizon: str) -> list[Key]:
    keys: list[Key] = []
    for table in ("entry_runs", "changes"):
        row = conn.execute(
            f"SELECT t.change_xid::text AS xid_text, t.change_id FROM {table} t "
            "WHERE t.change_xid < %s::xid8 ORDER BY t.change_xid DESC, t.change_id DESC LIMIT 1",
            (horizon,),
        ).fetchone()
        if row is not None:
            keys.append((int(row[0]), int(row[1]), DONE))
    return keys


def _record_cursor(conn: Conn, terminal_id: str, key: Key) -> None:
    """Remember how far the terminal has applied the feed, and prune if it moved."""
    with conn.transaction():
        # A cursor lost in a crash only delays pruning: no need to wait for the disk.
        conn.execute("SET LOCAL synchronous_commit = off")
        row = conn.execute(
            "INSERT INTO pull_cursors AS p (terminal_id, change_xid, change_id) "
            "VALUES (%s, %s::xid8, %s) ON CONFLICT (terminal_id) DO UPDATE "
            "SET change_xid = excluded.change_xid, change_id = excluded.change_id, "
            "    pulled_at = now() "
            "WHERE (p.change_xid, p.change_id) IS DISTINCT FROM "
            "      (excluded.change_xid, excluded.change_id) "
            "RETURNING 1",
            (terminal_id, str(key[0]), key[1]),
        ).fetchone()
        if row is not None:
            prune(conn)


def prune(conn: Conn) -> int:
    """Delete the member snapshots every terminal still in service has pulled past;
    the number deleted."""
    with conn.transaction():  # (a savepoint inside the caller's transaction)
        oldest = conn.execute(
            "SELECT p.change_xid::text AS xid_text, p.change_id FROM terminals t "
            "LEFT JOIN pull_cursors p USING (terminal_id) WHERE t.revoked_at IS NULL "
            "ORDER BY p.change_xid NULLS FIRST, p.change_id NULLS FIRST LIMIT 1"
        ).fetchone()
        if oldest is None or oldest[0] is None:
            return 0  # no terminal, or one that has not pulled yet
        done = conn.execute(
            "DELETE FROM changes WHERE kind = 'member' "
            "AND (change_xid, change_id) <= (%s::xid8, %s)",
            (oldest[0], oldest[1]),
        )
        return done.rowcount
