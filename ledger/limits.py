"""The offline redeem limit: a ledger rule, so the app, ``pos redeem`` and
any script get the same answer.

While a joined till cannot count on head office, a member could spend the
same points at several tills; so per member and day (the shop's day, from
local midnight: ledger.localday), redemptions above
``sync.offline_redeem_limit`` need a supervisor. "Offline" is read from what
the sync itself records in ``meta``: the till joined a head office and its
last sync did not go through, or it has never synced, or the last sync that
did is older than three sync intervals (a till whose sync stopped, or that
syncs only at night, knows no more than one whose network is down), or the
clock is behind the last sync (set back: no telling how long ago it was).
A till that never joined has no chain to protect: no limit.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from ledger import localday
from ledger.clock import parse_iso
from ledger.errors import ApprovalRequired
from ledger.meta import K_LAST_ATTEMPT, K_LAST_SYNC, K_URL

if TYPE_CHECKING:
    from config.settings import Settings

_STALE_INTERVALS = 3
_CLOCK_SLACK = timedelta(minutes=5)  # processes and a sync's own duration


def is_offline(conn: sqlite3.Connection, settings: Settings, now: datetime) -> bool:
    meta = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN (?, ?, ?)",
            (K_URL, K_LAST_SYNC, K_LAST_ATTEMPT),
        ).fetchall()
    )
    if K_URL not in meta:
        return False
    last_sync = meta.get(K_LAST_SYNC)
    if last_sync is None:
        return True
    attempt = meta.get(K_LAST_ATTEMPT)
    if attempt is not None and attempt > last_sync:
        return True  # the last try did not get through
    since = now - parse_iso(last_sync)
    if since < -_CLOCK_SLACK:
        # The clock is behind the last sync: it was set back, and nothing says
        # how long ago head office was reached (taken as online, a clock set
        # back a day lifted the limit while head office was down).
        return True
    return since > timedelta(seconds=_STALE_INTERVALS * settings.sync.interval_seconds)


def offline_limit(conn: sqlite3.Connection, settings: Settings, now: datetime) -> int | None:
    """The limit in force now, or None when the till is online (or never joined)."""
    return settings.sync.offline_redeem_limit if is_offline(conn, settings, now) else None


def _zone(zone: tzinfo | None) -> tzinfo:
    # A caller without the shop's zone (Core.zone) gets this computer's, which is
    # also the setting's default.
    return zone or localday.system_zone() or UTC


def redeemed_today(
    conn: sqlite3.Connection, wallet_id: str, now: datetime, zone: tzinfo | None = None
) -> int:
    """Points redeemed from a wallet since the shop's midnight (net of reversals)."""
    shop = _zone(zone)
    since, _ = localday.day_range(localday.day_of(now, shop), shop)
    (spent,) = conn.execute(
        "SELECT coalesce(-sum(points), 0) FROM entries WHERE wallet_id = ? "
        "AND kind = 'redeem' AND created_at >= ?",
        (wallet_id, since),
    ).fetchone()
    return int(spent)


def check_offline_limit(
    conn: sqlite3.Connection,
    wallet_id: str,
    cost: int,
    limit: int | None,
    now: datetime,
    zone: tzinfo | None = None,
) -> None:
    """Refuse (ApprovalRequired) a redemption without approval that passes the limit."""
    if limit is None:
        return
    spent = redeemed_today(conn, wallet_id, now, zone)
    if spent + cost > limit:
        raise ApprovalRequired(
            key="approval_required.offline",
            limit=limit,
            redeemed_today=spent,
            zone=localday.zone_name(_zone(zone)),
        )
