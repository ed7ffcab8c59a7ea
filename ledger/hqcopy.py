"""Head office's copy of one terminal's own journal, downloaded page by page
(``GET /v1/restore``) into a private SQLite file that ``ledger.rebuild``
attaches. Kept on disk, not in memory: a terminal's journal can be large."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ledger.db import transaction
from ledger.models import ENTRY_COLUMNS

_COLS = ", ".join(ENTRY_COLUMNS)
_INTS = ("points", "balance_after", "amount_minor", "seq")


class HQCopy:
    """Head office's copy of one terminal's journal, in a private SQLite file."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        cols = ", ".join(f"{c} {'INTEGER' if c in _INTS else 'TEXT'}" for c in ENTRY_COLUMNS)
        self.conn.executescript(
            f"CREATE TABLE IF NOT EXISTS entries ({cols}, PRIMARY KEY (seq));"
            "CREATE TABLE IF NOT EXISTS members (member_id TEXT PRIMARY KEY, body TEXT);"
            "CREATE TABLE IF NOT EXISTS coupons (code TEXT PRIMARY KEY, body TEXT);"
            "CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT);"
        )

    def add(self, page: Mapping[str, Any]) -> int:
        """One page of head office's answer; returns the highest seq in it (0: none)."""
        conn = self.conn
        with transaction(conn):
            conn.executemany(
                f"INSERT OR REPLACE INTO entries ({_COLS}) "
                f"VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})",
                [[e[c] for c in ENTRY_COLUMNS] for e in page["entries"]],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO members VALUES (?, ?)",
                [(m["member_id"], json.dumps(m)) for m in page.get("members", [])],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO coupons VALUES (?, ?)",
                [(c["code"], json.dumps(c)) for c in page.get("coupons", [])],
            )
            conn.execute(
                "INSERT OR REPLACE INTO info VALUES ('acked_seq', ?)", (str(page["acked_seq"]),)
            )
        return max((int(e["seq"]) for e in page["entries"]), default=0)

    def close(self) -> None:
        self.conn.close()
