"""A ledger that must not sell until it is checked or rebuilt.

Two marks in ``meta``, each written in one transaction:

* ``sync.diverged``: head office holds other entries under this terminal's
  numbers (the till was restored from an older copy, or a second till runs
  from a copy of this one). Written by sync when head office's answer shows
  it; removed only by ``pos ledger restore``.
* ``restore.backup``: this file is a copy made by ``pos ledger backup`` of a
  terminal that had joined head office. A copy put back may be older than
  what head office holds; it sells once a sync has found that it is not
  (or ``pos ledger restore`` rebuilt it).

A journal that ends below the number head office acknowledged (entries lost
from the file) is refused the same way.

Every journal write checks the marks (``refuse_if_stale``) inside its own
transaction, so another process cannot slip a sale in after a mark is set.
It also checks that the ledger is still the terminal the caller thinks it is
(``pos ledger restore --as-new-terminal`` gives the file a new terminal id
while the app may hold the old one in memory).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ledger.errors import LedgerError

K_DIVERGED = "sync.diverged"
K_BACKUP = "restore.backup"
K_ACKED = "sync.acked_seq"  # as ledger.replica: head office holds this terminal's entries up to it


class StaleLedger(LedgerError):
    code = "stale_ledger"


def refuse_if_stale(conn: sqlite3.Connection, terminal_id: str, top: int | None = None) -> None:
    """``top``: the terminal's last seq, when the caller has read it already."""
    rows = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('terminal_id', 'store_id', ?, ?, ?)",
            (K_DIVERGED, K_BACKUP, K_ACKED),
        ).fetchall()
    )
    current = rows.get("terminal_id")
    if current is not None and current != terminal_id:
        raise StaleLedger(
            f"This ledger is now terminal {current} (changed by 'pos ledger restore' while "
            f"this program had it open as terminal {terminal_id}): close it and start it again."
        )
    if K_DIVERGED in rows:
        raise StaleLedger(diverged_message(json.loads(rows[K_DIVERGED])))
    acked = int(rows.get(K_ACKED, "0"))
    if acked:
        # Head office acknowledged entries this journal no longer has.
        if top is None:
            row = conn.execute(
                "SELECT last_seq FROM terminals WHERE terminal_id = ?", (terminal_id,)
            ).fetchone()
            top = int(row[0]) if row else 0
        if top < acked:
            info = {"kind": "behind", "hq_seq": acked, "local_seq": top}
            info.update(terminal_id=terminal_id, store_id=rows.get("store_id", "STORE"))
            raise StaleLedger(diverged_message(info))
    if K_BACKUP in rows:
        made = json.loads(rows[K_BACKUP]).get("made_at", "?")
        raise StaleLedger(
            f"This ledger is a backup copy (made {made}): head office may hold newer entries "
            "of this terminal. Run 'pos sync' before selling on it; if head office holds "
            "more, it says so and 'pos ledger restore' brings them back."
        )


def diverged_message(info: dict[str, Any]) -> str:
    """What the cashier and head office are told, for both ways it happens."""
    terminal, store = info.get("terminal_id", "?"), info.get("store_id", "STORE")
    if info.get("kind") == "behind":
        what = (
            f"head office already holds entries of this terminal up to number "
            f"{info.get('hq_seq')}, this ledger ends at {info.get('local_seq')}"
        )
    else:
        what = f"head office holds another entry number {info.get('at_seq')}"
    return (
        f"This till's journal has split from head office's copy of terminal {terminal} "
        f"({what}): another till uses the same terminal id (a copied disk), or this till "
        "was restored from an older copy. It sells nothing until that is sorted out; the "
        "sales made here are kept and carried over. A second till made from a copy: ask "
        f"head office for a new terminal ('pos-hq terminal add {store} NEW_ID') and run "
        "'pos ledger restore --as-new-terminal SETUP_CODE'. A till restored from an older "
        "copy: run 'pos ledger restore'."
    )


def mark_diverged(conn: sqlite3.Connection, info: dict[str, Any]) -> None:
    """Inside the caller's transaction."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (K_DIVERGED, json.dumps(info, sort_keys=True)),
    )


def clear_backup_mark(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM meta WHERE key = ?", (K_BACKUP,))


def marks(conn: sqlite3.Connection) -> dict[str, Any]:
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key IN (?, ?)", (K_DIVERGED, K_BACKUP)
    ).fetchall()
    return {str(k): json.loads(v) for k, v in rows}
