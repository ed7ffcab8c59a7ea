"""Member page tokens from head office, for the sale slip's QR (issue 13).

Head office issues each member a token for its page (``GET <hq>/m/<token>``)
and sends it to every till as a ``member_page`` change; the till keeps the
latest per member (schema migration 13) so it prints the QR offline. A member
enrolled here offline has no token until head office has stored it: its slips
carry no member QR until the next sync (a generic QR would lead nowhere).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from typing import Any

from ledger import meta
from ledger.clock import iso, utc_now
from ledger.meta import K_URL

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def apply(conn: sqlite3.Connection, change: Mapping[str, Any]) -> None:
    """Keep (or, with no token, drop) a member's token; inside the pull's transaction."""
    member_id, token = str(change["member_id"]), change.get("token")
    if isinstance(token, str) and _TOKEN.fullmatch(token):
        conn.execute(
            "INSERT INTO member_pages (member_id, token, received_at) VALUES (?, ?, ?) "
            "ON CONFLICT (member_id) DO UPDATE SET token = excluded.token, "
            "received_at = excluded.received_at",
            (member_id, token, iso(utc_now())),
        )
    else:
        conn.execute("DELETE FROM member_pages WHERE member_id = ?", (member_id,))


def erase(conn: sqlite3.Connection, member_ids: list[str]) -> None:
    conn.executemany("DELETE FROM member_pages WHERE member_id = ?", [(m,) for m in member_ids])


def page_url(conn: sqlite3.Connection, member_id: str) -> str | None:
    """Head office's page for the member, or None: not joined, or no token yet."""
    base = meta.get(conn, K_URL)
    row = conn.execute(
        "SELECT token FROM member_pages WHERE member_id = ?", (member_id,)
    ).fetchone()
    if not base or row is None:
        return None
    return f"{base.rstrip('/')}/m/{row[0]}"
