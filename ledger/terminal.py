"""This terminal: its store and terminal ids, whether it is set up, its preferences."""

from __future__ import annotations

from ledger.chain import GENESIS
from ledger.clock import iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import AlreadyInitialized
from ledger.text import clean_id


def init(core: Core, store_id: str, terminal_id: str) -> dict[str, str]:
    store_id = clean_id(store_id, "The store id")
    terminal_id = clean_id(terminal_id, "The terminal id")
    with transaction(core.conn) as conn:
        current = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if "terminal_id" in current:
            if (current["store_id"], current["terminal_id"]) == (store_id, terminal_id):
                return {"store_id": store_id, "terminal_id": terminal_id}
            raise AlreadyInitialized(
                f"This ledger already belongs to store {current['store_id']}, terminal "
                f"{current['terminal_id']}: use another --db for another terminal."
            )
        now = iso(core.clock())
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("store_id", store_id), ("terminal_id", terminal_id), ("created_at", now)],
        )
        conn.execute(
            "INSERT OR IGNORE INTO terminals (terminal_id, store_id, last_seq, last_hash) "
            "VALUES (?, ?, 0, ?)",
            (terminal_id, store_id, GENESIS),
        )
    core.coupon_key()  # create the key now, 0600, beside the database
    core.pin_pepper(True)  # and the PIN pepper, before a join rewrites the file
    return {"store_id": store_id, "terminal_id": terminal_id}


def pref(core: Core, name: str, default: str | None) -> str | None:
    """A terminal-local preference (language, printer, wizard step)."""
    value = core.meta(f"pref.{name}")
    return default if value is None else value


def set_pref(core: Core, name: str, value: str) -> None:
    with transaction(core.conn) as conn:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (f"pref.{name}", value),
        )
