"""The ledger's side of head-office sync: what to push, what was acknowledged,
and applying what head office sends back. No HTTP here (that is ``sync``).

State lives in the ``meta`` table (keys ``sync.*`` and ``hq.*``), written in
the same transaction as the data it describes, so a sync killed at any moment
resumes where the database says it stopped:

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

The head-office token lives in the secrets file beside the coupon key (JSON,
0600), never in the database.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from config import ConfigError, check_chain
from ledger import lots
from ledger.clock import iso, parse_iso, utc_now
from ledger.coupons import MAX_SECRETS_BYTES, too_large_message
from ledger.db import transaction
from ledger.errors import InvalidInput, NotInitialized, SecretsError
from ledger.models import ENTRY_COLUMNS, Entry

if TYPE_CHECKING:
    from ledger.service import Ledger

_COLS = ", ".join(ENTRY_COLUMNS)
_INSERT_ENTRY = f"INSERT INTO entries ({_COLS}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
_MEMBER_COLS = ("member_id", "phone", "name", "wallet_id", "consent_at", "enrolled_at",
                "terminal_id")  # fmt: skip
_START_CURSOR = "0"
_DEFAULT_COUPON_DAYS = 30
MERGE_REASON = "merged: same phone enrolled twice"

K_ACKED = "sync.acked_seq"
K_MEMBERS = "sync.members_upto"
K_EVENTS = "sync.events_upto"
K_CURSOR = "sync.pull_cursor"
K_LAST_SYNC = "sync.last_sync_at"
K_LAST_ATTEMPT = "sync.last_attempt_at"
K_LAST_ERROR = "sync.last_error"
K_CONFLICTS = "sync.recent_conflicts"
RECENT_CONFLICTS = 20
K_URL = "sync.hq_url"
K_PENDING_COUPONS = "sync.pending_coupons"
K_UNRESOLVED_PHONES = "sync.unresolved_phones"
K_SETTINGS = "hq.settings"
K_SETTINGS_VERSION = "hq.settings_version"
K_SETTINGS_REFUSED = "hq.settings_refused"
K_STORE_NAME = "hq.store_name"
K_CLOCK_SKEW = "sync.clock_skew_s"
CLOCK_SKEW_WARN_S = 300  # as sync.protocol.CLOCK_SKEW_WARN_S (the ledger imports no sync)

TOKEN = "hq_token"
PREVIOUS_KEYS = "previous_keys"
SHARED_KEYS = "shared_keys"  # the earlier keys head office already shares with the chain


class Outbox(NamedTuple):
    """One push worth of local changes not yet acknowledged by head office."""

    entries: list[dict[str, Any]]
    """This terminal's entries above ``acked_seq``, in seq order (every ENTRY_COLUMNS key)."""
    members: list[dict[str, Any]]
    """Members enrolled here, not pushed yet (WireMember fields)."""
    coupon_events: list[dict[str, Any]]
    """Coupon status changes made here, not pushed yet (CouponEvent fields)."""
    members_upto: int
    """Pass to :meth:`Replica.acknowledge` once head office stored the push."""
    events_upto: int

    @property
    def empty(self) -> bool:
        return not (self.entries or self.members or self.coupon_events)


class Replica:
    """Sync bookkeeping over an open :class:`~ledger.service.Ledger` (same
    connection, same lock: safe beside the app's own calls)."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._ledger.conn

    # -- state -------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """What the status bar and ``pos sync --json`` show."""
        with self._ledger._lock:
            meta = self._meta_all()
            acked = int(meta.get(K_ACKED, "0"))
            last_seq = pending = members = events = 0
            terminal = self._terminal_or_none()
            if terminal is not None:
                last_seq = self.last_seq()
                pending = max(0, last_seq - acked)
                (members,) = self._conn.execute(
                    f"SELECT count(*) FROM members m WHERE {_MEMBERS_TO_PUSH}",
                    (int(meta.get(K_MEMBERS, "0")), terminal),
                ).fetchone()
                (events,) = self._conn.execute(
                    "SELECT count(*) FROM coupon_events WHERE event_id > ? AND terminal_id = ?",
                    (int(meta.get(K_EVENTS, "0")), terminal),
                ).fetchone()
            version = meta.get(K_SETTINGS_VERSION)
            skew = int(meta[K_CLOCK_SKEW]) if K_CLOCK_SKEW in meta else None
            return {
                "acked_seq": acked,
                "last_seq": last_seq,
                "pending_entries": pending,
                "pending_members": members,
                "pending_coupon_events": events,
                "pull_cursor": meta.get(K_CURSOR, _START_CURSOR),
                "last_sync_at": meta.get(K_LAST_SYNC),
                "last_attempt_at": meta.get(K_LAST_ATTEMPT),
                "last_error": meta.get(K_LAST_ERROR),
                "recent_conflicts": json.loads(meta.get(K_CONFLICTS, "[]")),
                "hq_url": meta.get(K_URL),
                "store_name": meta.get(K_STORE_NAME),
                "settings_version": None if version is None else int(version),
                "settings_refused": json.loads(meta.get(K_SETTINGS_REFUSED, "null")),
                "clock_skew_s": skew,
                "clock_skew_warning": skew_warning(skew),
                "joined": K_URL in meta and self.token() is not None,
            }

    def last_seq(self) -> int:
        """The sequence number of this terminal's newest entry (0: none yet)."""
        with self._ledger._lock:
            _, terminal = self._ledger.terminal()
            row = self._conn.execute(
                "SELECT last_seq FROM terminals WHERE terminal_id = ?", (terminal,)
            ).fetchone()
            return int(row[0]) if row else 0

    def hq_settings(self) -> tuple[int, dict[str, Any]] | None:
        """The last rules and catalog from head office this terminal can load
        (version, JSON object); None for none.

        Rules stored before they were checked on arrival, and that no longer
        load, are set aside here (see ``settings_refused`` in :meth:`state`), so
        the terminal keeps working and can still sync a corrected version."""
        with self._ledger._lock:
            meta = self._meta_all()
            if K_SETTINGS not in meta:
                return None
            version = int(meta.get(K_SETTINGS_VERSION, "0"))
            body = dict(json.loads(meta[K_SETTINGS]))
            problem = _settings_problem(body)
            if problem is None:
                return version, body
            try:
                with transaction(self._conn) as conn:
                    _refuse_settings(conn, version, problem)
                    conn.execute(
                        "DELETE FROM meta WHERE key IN (?, ?)", (K_SETTINGS, K_SETTINGS_VERSION)
                    )
            except sqlite3.Error:
                pass  # a read-only ledger: set them aside in memory only, this time
            return None

    def signing_keys(self) -> list[str]:
        """Keys this ledger signed coupons with that head office may not know yet
        (64 hex digits each): before joining, its own key if it issued coupons; and
        the keys it kept from before, less those head office already shares."""
        with self._ledger._lock:
            path = self._ledger.secrets_path
            secrets = _read_secrets(path) if path.exists() else {}
            keys = [str(k) for k in secrets.get(PREVIOUS_KEYS, [])]
            current = secrets.get("coupon_key")
            terminal = self._terminal_or_none()
            if current and terminal is not None and not secrets.get(TOKEN):
                (issued,) = self._conn.execute(
                    "SELECT count(*) FROM coupons c JOIN entries e USING (entry_id) "
                    "WHERE e.terminal_id = ?",
                    (terminal,),
                ).fetchone()
                if issued:
                    keys.insert(0, str(current))
            shared = set(secrets.get(SHARED_KEYS, []))
            return list(dict.fromkeys(k for k in keys if _is_key(k) and k not in shared))

    def add_coupon_keys(self, keys: Iterable[str]) -> int:
        """The keys head office shares (terminals' keys from before they joined):
        coupons signed with them check as genuine here too. Returns how many were
        new here."""
        shared = sorted(dict.fromkeys(k for k in keys if _is_key(k)))
        with self._ledger._lock:
            path = self._ledger.secrets_path
            secrets = _read_secrets(path)
            known = [str(k) for k in secrets.get(PREVIOUS_KEYS, [])]
            new = [k for k in shared if k not in known and k != secrets.get("coupon_key")]
            if new or (shared and secrets.get(SHARED_KEYS) != shared):
                if new:
                    secrets[PREVIOUS_KEYS] = known + new
                secrets[SHARED_KEYS] = shared  # not sent back to head office
                _write_secrets(path, secrets)
            return len(new)

    def record_clock(self, skew_s: int | None) -> None:
        """Head office's clock minus this till's, as last measured."""
        if skew_s is None:
            return
        with self._ledger._lock, transaction(self._conn) as conn:
            _set_meta(conn, K_CLOCK_SKEW, str(int(skew_s)))

    # -- push --------------------------------------------------------------

    def outbox(self, limit: int = 5000) -> Outbox:
        """The next batch to push: at most ``limit`` of each kind."""
        if limit < 1:
            raise InvalidInput("The batch size must be at least 1.")
        with self._ledger._lock:
            _, terminal = self._ledger.terminal()
            meta = self._meta_all()
            rows = self._conn.execute(
                f"SELECT {_COLS} FROM entries WHERE terminal_id = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (terminal, int(meta.get(K_ACKED, "0")), limit),
            ).fetchall()
            entries = [dict(zip(ENTRY_COLUMNS, r, strict=True)) for r in rows]
            members_from = int(meta.get(K_MEMBERS, "0"))
            member_rows = self._conn.execute(
                f"SELECT m.rowid, {', '.join('m.' + c for c in _MEMBER_COLS)} FROM members m "
                f"WHERE {_MEMBERS_TO_PUSH} ORDER BY m.rowid LIMIT ?",
                (members_from, terminal, limit),
            ).fetchall()
            members = [dict(zip(_MEMBER_COLS, r[1:], strict=True)) for r in member_rows]
            events_from = int(meta.get(K_EVENTS, "0"))
            # A coupon goes to head office only after its redemption entry is stored
            # there: sent with an entry head office then refuses (a till that split
            # from head office's copy), it would name an entry head office never holds.
            event_rows = self._conn.execute(
                "SELECT ce.event_id, ce.code, c.entry_id, c.reward_id, c.member_id, ce.status, "
                "ce.at, ce.terminal_id, coalesce(e.terminal_id = ? AND e.seq > ?, 0) "
                "FROM coupon_events ce JOIN coupons c USING (code) "
                "LEFT JOIN entries e ON e.entry_id = c.entry_id "
                "WHERE ce.event_id > ? AND ce.terminal_id = ? ORDER BY ce.event_id LIMIT ?",
                (terminal, int(meta.get(K_ACKED, "0")), events_from, terminal, limit),
            ).fetchall()
            waiting = next((n for n, r in enumerate(event_rows) if r[-1]), None)
            if waiting is not None:
                event_rows = event_rows[:waiting]  # the rest goes once the entry is acked
            events = [
                dict(zip(_EVENT_COLS, r[1:-1], strict=True))
                for r in event_rows
                if r[4]  # a coupon always has a member; never send one head office refuses
            ]
            return Outbox(
                entries,
                members,
                events,
                member_rows[-1][0] if member_rows else members_from,
                event_rows[-1][0] if event_rows else events_from,
            )

    def acknowledge(self, acked_seq: int, members_upto: int, events_upto: int) -> None:
        """Record head office's answer to a push.

        ``acked_seq`` is taken as head office says it, even when lower than ours
        (a head office restored from an older backup, or a new one): then the
        members and coupon events are sent again too. Sending twice is harmless.
        """
        with self._ledger._lock, transaction(self._conn) as conn:
            before = int(_meta(conn, K_ACKED) or "0")
            _set_meta(conn, K_ACKED, str(int(acked_seq)))
            if acked_seq < before:
                _set_meta(conn, K_MEMBERS, "0")
                _set_meta(conn, K_EVENTS, "0")
                return
            for key, value in ((K_MEMBERS, members_upto), (K_EVENTS, events_upto)):
                if value > int(_meta(conn, key) or "0"):
                    _set_meta(conn, key, str(int(value)))

    # -- pull --------------------------------------------------------------

    def apply(
        self, changes: Iterable[Mapping[str, Any]], next_cursor: str | None = None
    ) -> dict[str, int]:
        """Apply pulled changes (plain dicts shaped like ``sync.protocol`` changes)
        in ONE transaction, together with ``next_cursor`` when given.

        Idempotent: an entry id already present is skipped, members and coupons
        are upserts, merges are recorded once. Returns counts per kind.
        """
        counts = dict.fromkeys(
            ("entries", "members", "merges", "coupons", "settings", "skipped", "conflicts",
             "transfers"),
            0,
        )  # fmt: skip
        with self._ledger._lock:
            _, own = self._ledger.terminal()
            expiry = timedelta(days=self._ledger.settings.earn.expiry_days)
            with transaction(self._conn) as conn:
                coupons: list[Mapping[str, Any]] = []
                for change in changes:
                    kind = change.get("kind")
                    if kind == "entry":
                        result = _apply_entry(conn, change["entry"], own, expiry)
                        counts[result] += 1
                    elif kind == "member":
                        _apply_member(conn, change["member"], change.get("merged_into"))
                        counts["members"] += 1
                    elif kind == "merge":
                        _apply_merge(conn, change)
                        counts["merges"] += 1
                    elif kind == "coupon":
                        coupons.append(change["coupon"])  # after the entries they refer to
                    elif kind == "settings":
                        counts["settings"] += _apply_settings(conn, change)
                    else:
                        counts["skipped"] += 1  # a newer head office: a kind we do not know
                placed, conflicts = self._apply_coupons(conn, coupons)
                counts["coupons"] += placed
                counts["conflicts"] += conflicts
                counts["transfers"] += self._sweep_merged(conn, own, expiry)
                if next_cursor is not None:
                    _set_meta(conn, K_CURSOR, next_cursor)
        return counts

    def set_cursor(self, cursor: str) -> None:
        with self._ledger._lock, transaction(self._conn) as conn:
            _set_meta(conn, K_CURSOR, cursor)

    def _apply_coupons(
        self, conn: sqlite3.Connection, incoming: list[Mapping[str, Any]]
    ) -> tuple[int, int]:
        pending: dict[str, dict[str, Any]] = json.loads(_meta(conn, K_PENDING_COUPONS) or "{}")
        if not incoming and not pending:
            return 0, 0
        queue = list(pending.values()) + [dict(c) for c in incoming]
        pending = {}
        placed = conflicts = 0
        validity = {r.id: r.validity_days for r in self._ledger.settings.rewards}
        for state in queue:
            outcome = _apply_coupon(conn, state, validity)
            if outcome == "pending":
                pending[state["code"]] = state  # the latest state of a code wins
            elif outcome == "conflict":
                conflicts += 1
            else:
                placed += 1
        if pending:
            _set_meta(conn, K_PENDING_COUPONS, json.dumps(pending, sort_keys=True))
        else:
            conn.execute("DELETE FROM meta WHERE key = ?", (K_PENDING_COUPONS,))
        return placed, conflicts

    def _sweep_merged(self, conn: sqlite3.Connection, own: str, expiry: timedelta) -> int:
        """Move the points of wallets merged away, for members enrolled here, into
        their canonical wallet: a 'transfer' pair through the normal append path,
        so head office and every other terminal see them."""
        rows = conn.execute(
            "SELECT wm.merged_wallet_id, wm.merged_member_id, wm.wallet_id, wm.member_id, "
            "w.balance FROM wallet_merges wm "
            "JOIN members m ON m.member_id = wm.merged_member_id "
            "JOIN wallets w ON w.wallet_id = wm.merged_wallet_id "
            "WHERE m.terminal_id = ? AND w.balance > 0 AND wm.wallet_id != wm.merged_wallet_id "
            "ORDER BY wm.merged_wallet_id",
            (own,),
        ).fetchall()
        if not rows:
            return 0
        writer = self._ledger._writer(conn)
        for merged_wallet, merged_member, wallet, member, balance in rows:
            _ensure_wallet(conn, wallet, iso(writer.now))
            writer.append(
                wallet_id=merged_wallet,
                member_id=merged_member,
                kind="transfer",
                points=-balance,
                reason=MERGE_REASON,
                rules={"to_wallet": wallet, "to_member": member},
            )
            lots.debit(conn, merged_wallet, balance)
            credit = writer.append(
                wallet_id=wallet,
                member_id=member,
                kind="transfer",
                points=balance,
                reason=MERGE_REASON,
                rules={"from_wallet": merged_wallet, "from_member": merged_member},
            )
            lots.credit(conn, credit, iso(parse_iso(credit.created_at) + expiry))
        return len(rows)

    # -- head office -------------------------------------------------------

    def set_hq(
        self, url: str, token: str, coupon_key: str, *, store_name: str | None = None
    ) -> dict[str, Any]:
        """Remember head office: the URL in the database, the token in the secrets
        file. The chain's coupon key becomes this terminal's; a key that already
        signed coupons here is kept under ``previous_keys`` (so those coupons can
        still be checked once ``ledger.coupons`` reads that list)."""
        try:
            chain_key = bytes.fromhex(coupon_key)
        except ValueError:
            chain_key = b""
        if len(chain_key) != 32:
            raise InvalidInput("Head office sent a coupon key that is not 64 hex digits.")
        if not token or not token.isprintable():
            raise InvalidInput("Head office sent an empty or unprintable token.")
        with self._ledger._lock:
            terminal = self._terminal_or_none()
            issued = 0
            if terminal is not None:
                (issued,) = self._conn.execute(
                    "SELECT count(*) FROM coupons c JOIN entries e USING (entry_id) "
                    "WHERE e.terminal_id = ?",
                    (terminal,),
                ).fetchone()
            secrets = _read_secrets(self._ledger.secrets_path)
            old = secrets.get("coupon_key")
            kept_previous = False
            if old and old != coupon_key and issued:
                previous = [k for k in secrets.get(PREVIOUS_KEYS, []) if k != old]
                secrets[PREVIOUS_KEYS] = [old, *previous]
                kept_previous = True
            secrets["coupon_key"] = coupon_key
            secrets[TOKEN] = token
            _write_secrets(self._ledger.secrets_path, secrets)
            self._ledger._key = None  # the ledger caches the key: read the new one
            with transaction(self._conn) as conn:
                _set_meta(conn, K_URL, url)
                if store_name is not None:
                    _set_meta(conn, K_STORE_NAME, store_name)
        return {"hq_url": url, "coupon_key_replaced": old != coupon_key,
                "previous_key_kept": kept_previous}  # fmt: skip

    def token(self) -> str | None:
        """The head-office token from the secrets file (None before ``pos join``)."""
        path = self._ledger.secrets_path
        if not path.exists():
            return None
        value = _read_secrets(path).get(TOKEN)
        return str(value) if value else None

    def hq_url(self) -> str | None:
        with self._ledger._lock:
            return _meta(self._conn, K_URL)

    def record_attempt(self, error: str | None, *, completed: bool = False) -> None:
        """After a sync: when it ran, whether it went through, what went wrong."""
        now = iso(utc_now())
        with self._ledger._lock, transaction(self._conn) as conn:
            _set_meta(conn, K_LAST_ATTEMPT, now)
            if completed:
                _set_meta(conn, K_LAST_SYNC, now)
            if error is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (K_LAST_ERROR,))
            else:
                _set_meta(conn, K_LAST_ERROR, error[:500])

    def record_conflicts(self, messages: list[str]) -> None:
        """Keep what head office reported about this terminal's pushes (double
        spends, refused entries, merges) for the supervisor, newest first."""
        if not messages:
            return
        now = iso(utc_now())
        with self._ledger._lock, transaction(self._conn) as conn:
            kept = json.loads(_meta(conn, K_CONFLICTS) or "[]")
            known = {k["message"] for k in kept}  # a refusal repeats on every sync
            fresh = [{"at": now, "message": m} for m in reversed(messages) if m not in known]
            _set_meta(conn, K_CONFLICTS, json.dumps((fresh + kept)[:RECENT_CONFLICTS]))

    def unresolved_phones(self) -> list[str]:
        """Phones held here by one member while head office sent another for them."""
        with self._ledger._lock:
            return list(json.loads(_meta(self._conn, K_UNRESOLVED_PHONES) or "[]"))

    def settle_phone(self, phone: str, canonical_member_id: str | None) -> bool:
        """Forget ``phone`` as unresolved once the member holding it here is head
        office's canonical one (or head office knows no member for it)."""
        with self._ledger._lock, transaction(self._conn) as conn:
            holder = _phone_holder(conn, phone)
            if canonical_member_id is not None and holder not in (None, canonical_member_id):
                return False
            phones = set(json.loads(_meta(conn, K_UNRESOLVED_PHONES) or "[]")) - {phone}
            if phones:
                _set_meta(conn, K_UNRESOLVED_PHONES, json.dumps(sorted(phones)))
            else:
                conn.execute("DELETE FROM meta WHERE key = ?", (K_UNRESOLVED_PHONES,))
            return True

    # -- helpers -----------------------------------------------------------

    def _meta_all(self) -> dict[str, str]:
        rows = self._conn.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'sync.%' OR key LIKE 'hq.%'"
        ).fetchall()
        return {str(k): str(v) for k, v in rows}

    def _terminal_or_none(self) -> str | None:
        try:
            return self._ledger.terminal()[1]
        except NotInitialized:
            return None


# Members to push: enrolled here, above the rowid cursor; a member merged away
# whose phone moved to the canonical member is not sent again (its phone is
# gone here, and head office would read a missing phone as "forgotten").
_MEMBERS_TO_PUSH = (
    "m.rowid > ? AND m.terminal_id = ? AND NOT (m.phone IS NULL AND EXISTS "
    "(SELECT 1 FROM wallet_merges wm WHERE wm.merged_member_id = m.member_id))"
)
_EVENT_COLS = ("code", "entry_id", "reward_id", "member_id", "status", "at", "terminal_id")


# -- meta ------------------------------------------------------------------------


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# -- applying changes ------------------------------------------------------------


def _ensure_wallet(conn: sqlite3.Connection, wallet_id: str, created_at: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO wallets (wallet_id, kind, balance, created_at) "
        "VALUES (?, 'member', 0, ?)",
        (wallet_id, created_at),
    )


def _apply_entry(
    conn: sqlite3.Connection, wire: Mapping[str, Any], own: str, expiry: timedelta
) -> str:
    """Another terminal's entry, exactly as written there (its hash chain intact)."""
    fields = [wire[c] for c in ENTRY_COLUMNS]
    entry = Entry.from_row(tuple(fields))
    if entry.terminal_id == own:
        return "skipped"  # our own journal is written here, never from the feed
    if conn.execute("SELECT 1 FROM entries WHERE entry_id = ?", (entry.entry_id,)).fetchone():
        return "skipped"
    if conn.execute(
        "SELECT 1 FROM entries WHERE terminal_id = ? AND seq = ?", (entry.terminal_id, entry.seq)
    ).fetchone():
        return "conflicts"  # a different entry under the same seq: head office flags it
    _ensure_wallet(conn, entry.wallet_id, entry.created_at)
    (balance,) = conn.execute(
        "SELECT balance FROM wallets WHERE wallet_id = ?", (entry.wallet_id,)
    ).fetchone()
    try:
        conn.execute(_INSERT_ENTRY, fields)
    except sqlite3.IntegrityError:
        # e.g. the same entry reversed at two offline terminals: the local
        # one-reversal-per-entry index refuses the second. Head office has both.
        return "conflicts"
    after = balance + entry.points
    conn.execute("UPDATE wallets SET balance = ? WHERE wallet_id = ?", (after, entry.wallet_id))
    if entry.points > 0:
        local = replace(entry, balance_after=after)  # lots follow this ledger's balance
        lots.credit(conn, local, iso(parse_iso(entry.created_at) + expiry))
    elif entry.points < 0:
        left = -entry.points
        if entry.kind == "expire":
            left = _expire_named_lots(conn, entry, left)
        if left:
            lots.debit(conn, entry.wallet_id, left, entry.reverses)
    conn.execute(
        "INSERT INTO terminals (terminal_id, store_id, last_seq, last_hash) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (terminal_id) DO UPDATE SET last_seq = excluded.last_seq, "
        "last_hash = excluded.last_hash WHERE excluded.last_seq > terminals.last_seq",
        (entry.terminal_id, entry.store_id, entry.seq, entry.hash),
    )
    return "entries"


def _expire_named_lots(conn: sqlite3.Connection, entry: Entry, points: int) -> int:
    """An expiry names the lots it expired: expire those here too (so a later
    reversal here knows they are gone); return what is left to take."""
    named = entry.rules_applied.get("lots")
    if not isinstance(named, dict):
        return points
    for entry_id in sorted(named):
        if points == 0:
            break
        row = conn.execute(
            "SELECT remaining FROM lots WHERE entry_id = ? AND wallet_id = ?",
            (entry_id, entry.wallet_id),
        ).fetchone()
        if row is None or row[0] <= 0:
            continue
        take = min(points, int(row[0]))
        conn.execute(
            "UPDATE lots SET remaining = remaining - ?, expired = expired + ? WHERE entry_id = ?",
            (take, take, entry_id),
        )
        points -= take
    return points


def _member_row(conn: sqlite3.Connection, member_id: str) -> tuple[Any, ...] | None:
    row = conn.execute(
        "SELECT member_id, phone, name, wallet_id, consent_at, enrolled_at, terminal_id "
        "FROM members WHERE member_id = ?",
        (member_id,),
    ).fetchone()
    return None if row is None else tuple(row)


def _phone_holder(conn: sqlite3.Connection, phone: str) -> str | None:
    row = conn.execute("SELECT member_id FROM members WHERE phone = ?", (phone,)).fetchone()
    return None if row is None else str(row[0])


def _add_unresolved(conn: sqlite3.Connection, phone: str) -> None:
    phones = set(json.loads(_meta(conn, K_UNRESOLVED_PHONES) or "[]"))
    if phone not in phones:
        _set_meta(conn, K_UNRESOLVED_PHONES, json.dumps(sorted(phones | {phone})))


def _merged_into(conn: sqlite3.Connection, member_id: str) -> str | None:
    row = conn.execute(
        "SELECT member_id FROM wallet_merges WHERE merged_member_id = ?", (member_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def _apply_member(
    conn: sqlite3.Connection, wire: Mapping[str, Any], merged_into: str | None
) -> None:
    member_id, phone = wire["member_id"], wire.get("phone")
    _ensure_wallet(conn, wire["wallet_id"], wire["enrolled_at"])
    row = _member_row(conn, member_id)
    if row is None:
        if phone is not None:
            holder = _phone_holder(conn, phone)
            if holder is not None:
                if merged_into is None and _merged_into(conn, holder) == member_id:
                    conn.execute("UPDATE members SET phone = NULL WHERE member_id = ?", (holder,))
                else:
                    if merged_into is None:
                        _add_unresolved(conn, phone)  # ask head office who is canonical
                    phone = None  # the same phone enrolled twice: the merge will sort it out
        conn.execute(
            "INSERT INTO members (member_id, phone, name, wallet_id, consent_at, enrolled_at, "
            "terminal_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (member_id, phone, wire.get("name"), wire["wallet_id"], wire.get("consent_at"),
             wire["enrolled_at"], wire.get("terminal_id")),
        )  # fmt: skip
    else:
        local_phone = row[1]
        if phone is None:
            new_phone = None  # forgotten at head office: erase it here too
        elif phone == local_phone:
            new_phone = local_phone
        else:  # a new phone: taken only if no one here has it (else wait for a merge)
            new_phone = phone if _phone_holder(conn, phone) is None else local_phone
        conn.execute(
            "UPDATE members SET phone = ?, name = ?, consent_at = ? WHERE member_id = ?",
            (new_phone, wire.get("name"), wire.get("consent_at"), member_id),
        )
    if merged_into is not None and merged_into != member_id:
        canonical = _member_row(conn, merged_into)
        if canonical is not None:
            _apply_merge(
                conn,
                {
                    "merged_member_id": member_id,
                    "merged_wallet_id": wire["wallet_id"],
                    "member_id": merged_into,
                    "wallet_id": canonical[3],
                },
            )


def _apply_merge(conn: sqlite3.Connection, change: Mapping[str, Any]) -> None:
    """``merged_member_id`` now counts as ``member_id``: record it, give the phone
    to the canonical member (the points move in :meth:`Replica._sweep_merged`)."""
    merged, merged_wallet = change["merged_member_id"], change["merged_wallet_id"]
    canonical, wallet = change["member_id"], change["wallet_id"]
    if merged == canonical:
        return
    now = iso(utc_now())
    _ensure_wallet(conn, merged_wallet, now)
    _ensure_wallet(conn, wallet, now)
    conn.execute(
        "INSERT INTO wallet_merges (merged_wallet_id, merged_member_id, wallet_id, member_id) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (merged_wallet_id) DO UPDATE SET "
        "merged_member_id = excluded.merged_member_id, wallet_id = excluded.wallet_id, "
        "member_id = excluded.member_id",
        (merged_wallet, merged, wallet, canonical),
    )
    # Members merged into the merged one before now count as the new canonical.
    conn.execute(
        "UPDATE wallet_merges SET wallet_id = ?, member_id = ? WHERE member_id = ?",
        (wallet, canonical, merged),
    )
    old, new = _member_row(conn, merged), _member_row(conn, canonical)
    if old is None or old[1] is None or new is None:
        return  # nothing to move (or the canonical member is not here yet: keep the phone)
    if new[1] is None:
        conn.execute("UPDATE members SET phone = NULL WHERE member_id = ?", (merged,))
        conn.execute("UPDATE members SET phone = ? WHERE member_id = ?", (old[1], canonical))
    elif new[1] == old[1]:  # cannot happen (phones are unique here), kept for clarity
        conn.execute("UPDATE members SET phone = NULL WHERE member_id = ?", (merged,))


def _apply_coupon(
    conn: sqlite3.Connection, state: Mapping[str, Any], validity: Mapping[str, int]
) -> str:
    """Upsert a coupon from head office's state: 'placed', 'pending' (its entry
    is not here yet) or 'conflict'. The status never goes back to issued, and a
    use head office recorded first wins over a void."""
    code, status = state["code"], state["status"]
    row = conn.execute("SELECT status FROM coupons WHERE code = ?", (code,)).fetchone()
    if row is None:
        entry_id = state.get("entry_id")
        entry = None
        if entry_id:
            entry = conn.execute(
                "SELECT kind, member_id, created_at, rules FROM entries WHERE entry_id = ?",
                (entry_id,),
            ).fetchone()
        if entry is None:
            return "pending"
        kind, member_id, created_at, rules = entry
        if (
            kind != "redeem"
            or conn.execute("SELECT 1 FROM coupons WHERE entry_id = ?", (entry_id,)).fetchone()
        ):
            return "conflict"
        reward_id = state.get("reward_id") or json.loads(rules or "{}").get("reward_id") or ""
        issued_at = state.get("issued_at") or created_at
        days = validity.get(reward_id, _DEFAULT_COUPON_DAYS)
        expires_at = iso(parse_iso(issued_at) + timedelta(days=days))
        conn.execute(
            "INSERT INTO coupons (code, entry_id, reward_id, member_id, payload, issued_at, "
            "expires_at, status, used_at, used_terminal) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
            (code, entry_id, reward_id, state.get("member_id") or member_id or "", issued_at,
             expires_at, status, state.get("used_at"), state.get("used_terminal_id")),
        )  # fmt: skip
        return "placed"
    if status == "used":
        conn.execute(
            "UPDATE coupons SET status = 'used', used_at = coalesce(?, used_at), "
            "used_terminal = coalesce(?, used_terminal) WHERE code = ?",
            (state.get("used_at"), state.get("used_terminal_id"), code),
        )
    elif status == "void" and row[0] == "issued":
        conn.execute("UPDATE coupons SET status = 'void' WHERE code = ?", (code,))
    return "placed"


def _apply_settings(conn: sqlite3.Connection, change: Mapping[str, Any]) -> int:
    """Take a new version of head office's rules, if this terminal can load it;
    otherwise keep the last good one and remember why (shown by ``pos sync``)."""
    version = int(change["version"])
    current = _meta(conn, K_SETTINGS_VERSION)
    if current is not None and int(current) >= version:
        return 0
    settings = change.get("settings") or {}
    problem = _settings_problem(settings)
    if problem is not None:
        _refuse_settings(conn, version, problem)
        return 0
    body = json.dumps(settings, sort_keys=True, ensure_ascii=False)
    _set_meta(conn, K_SETTINGS, body)
    _set_meta(conn, K_SETTINGS_VERSION, str(version))
    conn.execute("DELETE FROM meta WHERE key = ?", (K_SETTINGS_REFUSED,))
    return 1


def _settings_problem(settings: Any) -> str | None:
    """Why these rules from head office cannot be loaded here (None: they can)."""
    try:
        check_chain(settings)
    except ConfigError as exc:
        return ": ".join(part for part in (exc.key, exc.message) if part)
    return None


def _refuse_settings(conn: sqlite3.Connection, version: int, problem: str) -> None:
    kept = _meta(conn, K_SETTINGS_VERSION)
    refused = {
        "version": version,
        "problem": problem[:300],
        "kept_version": int(kept) if kept else None,
    }
    _set_meta(conn, K_SETTINGS_REFUSED, json.dumps(refused, ensure_ascii=False))


def skew_warning(skew_s: int | None) -> str | None:
    """A sentence for the cashier when this till's clock is off by more than 5 minutes."""
    if skew_s is None or abs(skew_s) <= CLOCK_SKEW_WARN_S:
        return None
    minutes = (abs(skew_s) + 30) // 60
    way = "behind" if skew_s > 0 else "ahead of"
    return (
        f"This till's clock is {minutes} minute(s) {way} head office's: set the date and "
        "time (a flat clock battery does this), or points may be dated and expire wrongly."
    )


def _is_key(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 64 and all(c in "0123456789abcdef" for c in text)


# -- the secrets file --------------------------------------------------------------


def _read_secrets(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):  # a FIFO blocks, /dev/zero never ends
        raise SecretsError(
            f"The secrets file {path} is not a plain file: put the secrets file back from a "
            "backup. Nothing was changed."
        )
    if info.st_size > MAX_SECRETS_BYTES:  # never read whole: it could exhaust memory
        raise SecretsError(too_large_message(path, info.st_size))
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise SecretsError(
            f"The secrets file {path} can be read by other users (mode {mode:o}): "
            f"run 'chmod 600 {path}' and try again."
        )
    try:
        body = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SecretsError(
            f"The secrets file {path} cannot be read ({exc}): restore it from a backup."
        ) from None
    if not isinstance(body, dict):
        raise SecretsError(f"The secrets file {path} is damaged: restore it from a backup.")
    return body


def _write_secrets(path: Path, body: Mapping[str, Any]) -> None:
    """Replace the file atomically, 0600 from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(dict(body), sort_keys=True))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SecretsError(
            f"Cannot write the secrets file {path} ({exc.strerror}): check the folder's "
            "permissions."
        ) from None
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
