"""This terminal: its store and terminal ids, whether it is set up, its preferences."""

from __future__ import annotations

from ledger.chain import GENESIS
from ledger.clock import iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import AlreadyInitialized, NotInitialized, NotPermitted
from ledger.meta import K_URL
from ledger.text import clean_code


def init(core: Core, store_id: str, terminal_id: str) -> dict[str, str]:
    store_id, terminal_id = (store_id or "").strip(), (terminal_id or "").strip()
    with transaction(core.conn) as conn:
        current = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if "terminal_id" in current:
            # The ids it already has are accepted as they are, even from before
            # ids were codes: running ``pos init`` again stays harmless.
            if (current["store_id"], current["terminal_id"]) == (store_id, terminal_id):
                return {"store_id": store_id, "terminal_id": terminal_id}
            raise AlreadyInitialized(
                key="already_initialized.ids",
                store=current["store_id"],
                terminal=current["terminal_id"],
            )
        store_id = clean_code(store_id, "store")
        terminal_id = clean_code(terminal_id, "terminal")
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


def change_ids(core: Core, store_id: str, terminal_id: str) -> dict[str, str]:
    """Fix a typo in the store or terminal id. Only while nothing carries
    them: no journal entry (each one is chained under the terminal id) and no
    head office (which knows the till by them). Meta, the terminal's row and
    the members enrolled here change together."""
    store_id = clean_code(store_id, "store")
    terminal_id = clean_code(terminal_id, "terminal")
    with transaction(core.conn) as conn:
        current = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        old = current.get("terminal_id")
        if old is None:
            raise NotInitialized(key="not_initialized")
        if K_URL in current:
            raise NotPermitted(
                key="not_permitted.ids_joined", store=current["store_id"], terminal=old,
                reason="joined",
            )  # fmt: skip
        if conn.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None:
            raise NotPermitted(
                key="not_permitted.ids_used", store=current["store_id"], terminal=old,
                reason="entries",
            )  # fmt: skip
        conn.executemany(
            "UPDATE meta SET value = ? WHERE key = ?",
            [(store_id, "store_id"), (terminal_id, "terminal_id")],
        )
        conn.execute(
            "UPDATE terminals SET terminal_id = ?, store_id = ? WHERE terminal_id = ?",
            (terminal_id, store_id, old),
        )
        conn.execute("UPDATE members SET terminal_id = ? WHERE terminal_id = ?", (terminal_id, old))
    core.forget_cached()  # the ids are cached
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
