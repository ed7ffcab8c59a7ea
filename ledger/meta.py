"""The ``meta`` table: this ledger's small named facts (sync state, head
office's settings, preferences), and the names of its sync keys.

State is written in the same transaction as the data it describes, so a sync
killed at any moment resumes where the database says it stopped:

* ``sync.acked_seq``: this terminal's entries up to this seq are stored at head
  office (only head office's answer moves it);
* ``sync.members_upto`` / ``sync.events_upto``: ``members.rowid`` and
  ``coupon_events.event_id`` already pushed;
* ``sync.pull_cursor``: head office's change-feed cursor, stored with the
  changes it covers;
* ``sync.pending_coupons``: coupon states that arrived before their redemption
  entry (applied as soon as the entry is there);
* ``sync.unresolved_phones``: phones that arrived for a second member (enrolled
  at two offline terminals) and that head office has not merged here yet.
"""

from __future__ import annotations

import sqlite3

K_ACKED = "sync.acked_seq"
K_MEMBERS = "sync.members_upto"
K_EVENTS = "sync.events_upto"
K_CURSOR = "sync.pull_cursor"
K_LAST_SYNC = "sync.last_sync_at"
K_LAST_ATTEMPT = "sync.last_attempt_at"
K_LAST_ERROR = "sync.last_error"
K_CONFLICTS = "sync.recent_conflicts"
K_URL = "sync.hq_url"
K_PENDING_COUPONS = "sync.pending_coupons"
K_UNRESOLVED_PHONES = "sync.unresolved_phones"
K_CLOCK_SKEW = "sync.clock_skew_s"
K_SETTINGS = "hq.settings"
K_SETTINGS_VERSION = "hq.settings_version"
K_SETTINGS_REFUSED = "hq.settings_refused"
K_STORE_NAME = "hq.store_name"
# Erased members (ledger.forget): ids whose slip files are still to remove, and
# a WAL still to truncate (it holds the pages as they were before).
K_ERASED = "privacy.erased_members"
K_WAL_SCRUB = "privacy.wal_scrub"


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def drop(conn: sqlite3.Connection, *keys: str) -> None:
    conn.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in keys])


def sync_state(conn: sqlite3.Connection) -> dict[str, str]:
    """Every ``sync.*`` and ``hq.*`` fact."""
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key LIKE 'sync.%' OR key LIKE 'hq.%'"
    ).fetchall()
    return {str(k): str(v) for k, v in rows}
