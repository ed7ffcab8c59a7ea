"""Putting a rebuilt ledger in place of the live one, through SQLite only.

The ledger file is never replaced, renamed or deleted: another process (the
app, a cron ``pos sync``) may have it open, and a file swapped under an open
connection, or any descriptor of it closed in a process, loses writes (SQLite's
"How To Corrupt An SQLite Database File", 2.2). Instead the live connection
attaches the rebuilt file and, in ONE write transaction, replaces every
table's rows with the rebuilt ones. Other processes see the old ledger or the
new one, never a mix.

The rebuilt ledger was made from a snapshot of the live one; if anything was
committed to the live ledger since (``PRAGMA data_version`` moved), the swap
is not made and the caller builds again from a fresh snapshot.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.service import Ledger


def snapshot(ledger: Ledger, path: Path) -> int:
    """Copy the live ledger to ``path`` (one consistent moment); returns the
    live connection's ``data_version`` from before the copy."""
    copy = sqlite3.connect(path)
    try:
        return ledger.copy_into(copy)
    finally:
        copy.close()


def swap_in(ledger: Ledger, rebuilt: Path, version: int) -> bool:
    """Make the live ledger hold exactly what ``rebuilt`` holds; False (nothing
    changed) if the live ledger changed since the snapshot ``version``."""
    with ledger.core.locked() as conn:
        conn.execute("ATTACH DATABASE ? AS rebuilt", (str(rebuilt),))
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA data_version").fetchone()[0] != version:
                    conn.execute("ROLLBACK")
                    return False
                _replace_all(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.execute("DETACH DATABASE rebuilt")
        ledger.core.forget_cached()  # a new terminal id and keys, maybe: read them again
    return True


def _replace_all(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA defer_foreign_keys = ON")
    # The journal's append-only triggers would refuse the swap: dropped and made
    # again inside the same transaction, so no other connection ever sees them gone.
    triggers = conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER main."{name}"')
    tables = conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    for table, _ in tables:
        conn.execute(f'DELETE FROM main."{table}"')
    for table, sql in tables:
        cols = ", ".join(f'"{r[1]}"' for r in conn.execute(f'PRAGMA main.table_info("{table}")'))
        # Row ids carry meaning (sync.members_upto counts them); a table
        # without them (spend_days) is keyed by its columns alone.
        rowid = "" if "WITHOUT ROWID" in sql.upper() else "rowid, "
        conn.execute(
            f'INSERT INTO main."{table}" ({rowid}{cols}) '
            f'SELECT {rowid}{cols} FROM rebuilt."{table}"'
        )
    for _, sql in triggers:
        conn.execute(sql)
