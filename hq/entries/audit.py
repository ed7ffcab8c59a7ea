"""``pos-hq verify``: every terminal's journal at head office, checked in SQL.

Pushes check each new entry's hash and its links to its neighbours
(hq/entries/chain.py); this recomputes every entry's hash the way the ledger does (ledger/chain.py:
sha256 over the first 19 columns joined by U+001F, a missing value written as
NUL) and checks every link and every gap below the acknowledged number. It reads
the whole journal once: a job for the night, not for each push.

Entries stored above a gap (above the terminal's acknowledged number) cannot be
checked against the chain until the gap fills; they are held back from other
terminals meanwhile (hq/entries/service.py) and reported here as "unverified".
"""

from __future__ import annotations

from typing import Any

from hq.db import Conn
from hq.entries.chain import GENESIS
from sync.protocol import ENTRY_COLUMNS

_HASHED = ENTRY_COLUMNS[:-1]  # every column but the hash itself
# Ints print as Python prints them, text as it is; NUL (not valid in PostgreSQL
# text) only ever appears inside the bytea.
_COMPUTED = (
    "encode(sha256("
    + " || '\\x1f'::bytea || ".join(
        f"coalesce(convert_to(e.{c}::text, 'UTF8'), '\\x00'::bytea)" for c in _HASHED
    )
    + "), 'hex')"
)

_PROBLEMS = f"""
WITH checked AS (
    SELECT e.terminal_id, e.seq, e.entry_id, e.hash, e.prev_hash,
           {_COMPUTED} AS computed,
           lag(e.seq) OVER w AS before_seq,
           lag(e.hash) OVER w AS before_hash
    FROM entries e
    WHERE %(terminal)s::text IS NULL OR e.terminal_id = %(terminal)s
    WINDOW w AS (PARTITION BY e.terminal_id ORDER BY e.seq)
)
SELECT DISTINCT ON (c.terminal_id) c.terminal_id, c.seq, c.entry_id,
       CASE WHEN c.computed <> c.hash THEN 'hash'
            WHEN c.seq = 1 AND c.prev_hash <> %(genesis)s THEN 'link'
            WHEN c.before_seq = c.seq - 1 AND c.prev_hash <> c.before_hash THEN 'link'
            ELSE 'gap' END AS problem
FROM checked c JOIN terminals t USING (terminal_id)
WHERE c.computed <> c.hash
   OR (c.seq = 1 AND c.prev_hash <> %(genesis)s)
   OR (c.before_seq = c.seq - 1 AND c.prev_hash <> c.before_hash)
   OR (c.seq > 1 AND c.seq <= t.acked_seq AND c.before_seq IS DISTINCT FROM c.seq - 1)
ORDER BY c.terminal_id, c.seq
"""

_HELD = """
SELECT DISTINCT ON (e.terminal_id) e.terminal_id, e.seq, e.entry_id, t.acked_seq,
       count(*) OVER (PARTITION BY e.terminal_id), max(e.seq) OVER (PARTITION BY e.terminal_id)
FROM entries e JOIN terminals t USING (terminal_id)
WHERE e.seq > t.acked_seq AND (%(terminal)s::text IS NULL OR e.terminal_id = %(terminal)s)
ORDER BY e.terminal_id, e.seq
"""

_WHAT = {
    "hash": "its hash is not the hash of its contents: the entry was changed",
    "link": "it does not follow the entry before it in the chain",
    "gap": "entries before it are missing, below the number head office acknowledged",
}


def verify(conn: Conn, terminal_id: str | None = None) -> dict[str, Any]:
    """The first problem in each terminal's journal; ``problems`` empty when all is well."""
    params = {"terminal": terminal_id, "genesis": GENESIS}
    with conn.transaction():  # one snapshot for the counts and the checks
        row = conn.execute(
            "SELECT count(*), count(DISTINCT terminal_id) FROM entries "
            "WHERE %(terminal)s::text IS NULL OR terminal_id = %(terminal)s",
            params,
        ).fetchone()
        found = conn.execute(_PROBLEMS, params).fetchall()
        held = conn.execute(_HELD, params).fetchall()
    entries, terminals = (int(row[0]), int(row[1])) if row else (0, 0)
    problems = [
        {
            "terminal_id": t,
            "seq": seq,
            "entry_id": entry_id,
            "problem": problem,
            "message": f"Terminal {t}, entry {seq} ({entry_id}): {_WHAT[problem]}.",
        }
        for t, seq, entry_id, problem in found
    ]
    problems += [
        {
            "terminal_id": t,
            "seq": seq,
            "entry_id": entry_id,
            "problem": "unverified",
            "message": (
                f"Terminal {t}, entries {seq} to {last} ({count} entries): unverified, above "
                f"a gap (entry {acked + 1} is missing); held back from other terminals until "
                "the gap fills and they link to the chain."
            ),
        }
        for t, seq, entry_id, acked, count, last in held
    ]
    problems.sort(key=lambda p: (p["terminal_id"], p["seq"]))
    return {"entries": entries, "terminals": terminals, "problems": problems}
