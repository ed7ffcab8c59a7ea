"""The ledger's side of head-office sync: what to push, what was acknowledged,
head office's address, token and settings. No HTTP here (that is ``sync``);
applying what head office sends is ledger.apply, the state's keys ledger.meta.

The head-office token lives in the secrets file beside the coupon key (JSON,
0600), never in the database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ledger import journal, meta
from ledger.apply import MERGE_REASON as MERGE_REASON
from ledger.apply import apply_changes, phone_holder, refuse_settings, settings_problem
from ledger.clock import iso, utc_now
from ledger.db import transaction
from ledger.errors import InvalidInput
from ledger.forget import scrub_wal
from ledger.meta import (
    K_ACKED,
    K_CLOCK_SKEW,
    K_CONFLICTS,
    K_CURSOR,
    K_EVENTS,
    K_LAST_ATTEMPT,
    K_LAST_ERROR,
    K_LAST_SYNC,
    K_MEMBERS,
    K_SETTINGS,
    K_SETTINGS_REFUSED,
    K_SETTINGS_VERSION,
    K_STORE_NAME,
    K_UNRESOLVED_PHONES,
    K_URL,
)
from ledger.models import ENTRY_COLUMNS
from ledger.outbox import EVENT_COLS, MEMBERS_TO_PUSH, Outbox
from ledger.secrets import read_secrets, write_secrets
from ledger.stale import K_BACKUP, K_DIVERGED, clear_backup_mark, mark_diverged, marks
from ledger.timeguard import skew_warning

if TYPE_CHECKING:
    from ledger.service import Ledger

_MEMBER_COLS = ("member_id", "phone", "name", "wallet_id", "consent_at", "enrolled_at",
                "terminal_id")  # fmt: skip
_START_CURSOR = "0"
RECENT_CONFLICTS = 20

TOKEN = "hq_token"
PREVIOUS_KEYS = "previous_keys"
SHARED_KEYS = "shared_keys"  # the earlier keys head office already shares with the chain


class Replica:
    """Sync bookkeeping over an open :class:`~ledger.service.Ledger` (same
    connection, same lock: safe beside the app's own calls)."""

    def __init__(self, ledger: Ledger) -> None:
        self._core = ledger.core

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._core.conn

    # -- state -------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """What the status bar and ``pos sync --json`` show."""
        with self._core.lock:
            facts = meta.sync_state(self._conn)
            acked = int(facts.get(K_ACKED, "0"))
            last_seq = pending = members = events = 0
            terminal = self._core.terminal_or_none()
            if terminal is not None:
                last_seq = self.last_seq()
                pending = max(0, last_seq - acked)
                (members,) = self._conn.execute(
                    f"SELECT count(*) FROM members m WHERE {MEMBERS_TO_PUSH}",
                    (int(facts.get(K_MEMBERS, "0")), terminal),
                ).fetchone()
                (events,) = self._conn.execute(
                    "SELECT count(*) FROM coupon_events WHERE event_id > ? AND terminal_id = ?",
                    (int(facts.get(K_EVENTS, "0")), terminal),
                ).fetchone()
            version = facts.get(K_SETTINGS_VERSION)
            skew = int(facts[K_CLOCK_SKEW]) if K_CLOCK_SKEW in facts else None
            return {
                "acked_seq": acked,
                "last_seq": last_seq,
                "pending_entries": pending,
                "pending_members": members,
                "pending_coupon_events": events,
                "pull_cursor": facts.get(K_CURSOR, _START_CURSOR),
                "last_sync_at": facts.get(K_LAST_SYNC),
                "last_attempt_at": facts.get(K_LAST_ATTEMPT),
                "last_error": facts.get(K_LAST_ERROR),
                "recent_conflicts": json.loads(facts.get(K_CONFLICTS, "[]")),
                "hq_url": facts.get(K_URL),
                "store_name": facts.get(K_STORE_NAME),
                "settings_version": None if version is None else int(version),
                "settings_refused": json.loads(facts.get(K_SETTINGS_REFUSED, "null")),
                "clock_skew_s": skew,
                "clock_skew_warning": skew_warning(skew),
                "joined": K_URL in facts and self.token() is not None,
            }

    def last_seq(self) -> int:
        """The sequence number of this terminal's newest entry (0: none yet)."""
        with self._core.lock:
            _, terminal = self._core.terminal()
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
        with self._core.lock:
            facts = meta.sync_state(self._conn)
            if K_SETTINGS not in facts:
                return None
            version = int(facts.get(K_SETTINGS_VERSION, "0"))
            body = dict(json.loads(facts[K_SETTINGS]))
            problem = settings_problem(body)
            if problem is None:
                return version, body
            try:
                with transaction(self._conn) as conn:
                    refuse_settings(conn, version, problem)
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
        with self._core.lock:
            path = self._core.secrets_path
            secrets = read_secrets(path) if path.exists() else {}
            keys = [str(k) for k in secrets.get(PREVIOUS_KEYS, [])]
            current = secrets.get("coupon_key")
            terminal = self._core.terminal_or_none()
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
        with self._core.lock:
            path = self._core.secrets_path
            secrets = read_secrets(path)
            known = [str(k) for k in secrets.get(PREVIOUS_KEYS, [])]
            new = [k for k in shared if k not in known and k != secrets.get("coupon_key")]
            if new or (shared and secrets.get(SHARED_KEYS) != shared):
                if new:
                    secrets[PREVIOUS_KEYS] = known + new
                secrets[SHARED_KEYS] = shared  # not sent back to head office
                write_secrets(path, secrets)
            return len(new)

    def record_clock(self, skew_s: int | None) -> None:
        """Head office's clock minus this till's, as last measured."""
        if skew_s is None:
            return
        with self._core.lock, transaction(self._conn) as conn:
            meta.put(conn, K_CLOCK_SKEW, str(int(skew_s)))

    # -- push --------------------------------------------------------------

    def outbox(self, limit: int = 5000) -> Outbox:
        """The next batch to push: at most ``limit`` of each kind."""
        if limit < 1:
            raise InvalidInput(key="invalid_input.batch")
        with self._core.lock:
            _, terminal = self._core.terminal()
            facts = meta.sync_state(self._conn)
            own = journal.of_terminal(
                self._conn, terminal, after_seq=int(facts.get(K_ACKED, "0")), limit=limit
            )
            entries = [{c: getattr(e, c) for c in ENTRY_COLUMNS} for e in own]
            members_from = int(facts.get(K_MEMBERS, "0"))
            member_rows = self._conn.execute(
                f"SELECT m.rowid, {', '.join('m.' + c for c in _MEMBER_COLS)} FROM members m "
                f"WHERE {MEMBERS_TO_PUSH} ORDER BY m.rowid LIMIT ?",
                (members_from, terminal, limit),
            ).fetchall()
            members = [dict(zip(_MEMBER_COLS, r[1:], strict=True)) for r in member_rows]
            events_from = int(facts.get(K_EVENTS, "0"))
            # A coupon goes to head office only after its redemption entry is stored
            # there: sent with an entry head office then refuses (a till that split
            # from head office's copy), it would name an entry head office never holds.
            event_rows = self._conn.execute(
                "SELECT ce.event_id, ce.code, c.entry_id, c.reward_id, c.member_id, ce.status, "
                "ce.at, ce.terminal_id, coalesce(e.terminal_id = ? AND e.seq > ?, 0) "
                "FROM coupon_events ce JOIN coupons c USING (code) "
                "LEFT JOIN entries e ON e.entry_id = c.entry_id "
                "WHERE ce.event_id > ? AND ce.terminal_id = ? ORDER BY ce.event_id LIMIT ?",
                (terminal, int(facts.get(K_ACKED, "0")), events_from, terminal, limit),
            ).fetchall()
            waiting = next((n for n, r in enumerate(event_rows) if r[-1]), None)
            if waiting is not None:
                event_rows = event_rows[:waiting]  # the rest goes once the entry is acked
            events = [
                dict(zip(EVENT_COLS, r[1:-1], strict=True))
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
        with self._core.lock, transaction(self._conn) as conn:
            before = int(meta.get(conn, K_ACKED) or "0")
            meta.put(conn, K_ACKED, str(int(acked_seq)))
            if acked_seq < before:
                meta.put(conn, K_MEMBERS, "0")
                meta.put(conn, K_EVENTS, "0")
                return
            for key, value in ((K_MEMBERS, members_upto), (K_EVENTS, events_upto)):
                if value > int(meta.get(conn, key) or "0"):
                    meta.put(conn, key, str(int(value)))

    # -- pull --------------------------------------------------------------

    def apply(
        self, changes: Iterable[Mapping[str, Any]], next_cursor: str | None = None
    ) -> dict[str, int]:
        """Apply pulled changes in ONE transaction, with ``next_cursor`` when
        given (see ledger.apply). Returns counts per kind."""
        with self._core.locked():
            counts = apply_changes(self._core, changes, next_cursor)
            if counts["erased"]:
                scrub_wal(self._conn)  # the erased rows' old pages (ledger.forget)
            return counts

    def set_cursor(self, cursor: str) -> None:
        with self._core.lock, transaction(self._conn) as conn:
            meta.put(conn, K_CURSOR, cursor)

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
            raise InvalidInput(key="invalid_input.hq_key")
        if not token or not token.isprintable():
            raise InvalidInput(key="invalid_input.hq_token")
        with self._core.lock:
            terminal = self._core.terminal_or_none()
            issued = 0
            if terminal is not None:
                (issued,) = self._conn.execute(
                    "SELECT count(*) FROM coupons c JOIN entries e USING (entry_id) "
                    "WHERE e.terminal_id = ?",
                    (terminal,),
                ).fetchone()
            secrets = read_secrets(self._core.secrets_path)
            old = secrets.get("coupon_key")
            kept_previous = False
            if old and old != coupon_key and issued:
                previous = [k for k in secrets.get(PREVIOUS_KEYS, []) if k != old]
                secrets[PREVIOUS_KEYS] = [old, *previous]
                kept_previous = True
            secrets["coupon_key"] = coupon_key
            secrets[TOKEN] = token
            write_secrets(self._core.secrets_path, secrets)
            self._core.forget_cached()  # the ledger caches the key: read the new one
            with transaction(self._conn) as conn:
                meta.put(conn, K_URL, url)
                if store_name is not None:
                    meta.put(conn, K_STORE_NAME, store_name)
        return {"hq_url": url, "coupon_key_replaced": old != coupon_key,
                "previous_key_kept": kept_previous}  # fmt: skip

    def token(self) -> str | None:
        """The head-office token from the secrets file (None before ``pos join``)."""
        path = self._core.secrets_path
        if not path.exists():
            return None
        value = read_secrets(path).get(TOKEN)
        return str(value) if value else None

    def hq_url(self) -> str | None:
        with self._core.lock:
            return meta.get(self._conn, K_URL)

    def record_attempt(self, error: str | None, *, completed: bool = False) -> None:
        """After a sync: when it ran, whether it went through, what went wrong."""
        now = iso(utc_now())
        with self._core.lock, transaction(self._conn) as conn:
            meta.put(conn, K_LAST_ATTEMPT, now)
            if completed:
                meta.put(conn, K_LAST_SYNC, now)
            if error is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (K_LAST_ERROR,))
            else:
                meta.put(conn, K_LAST_ERROR, error[:500])

    def record_conflicts(self, messages: list[str]) -> None:
        """Keep what head office reported about this terminal's pushes (double
        spends, refused entries, merges) for the supervisor, newest first."""
        if not messages:
            return
        now = iso(utc_now())
        with self._core.lock, transaction(self._conn) as conn:
            kept = json.loads(meta.get(conn, K_CONFLICTS) or "[]")
            known = {k["message"] for k in kept}  # a refusal repeats on every sync
            fresh = [{"at": now, "message": m} for m in reversed(messages) if m not in known]
            meta.put(conn, K_CONFLICTS, json.dumps((fresh + kept)[:RECENT_CONFLICTS]))

    def unresolved_phones(self) -> list[str]:
        """Phones held here by one member while head office sent another for them."""
        with self._core.lock:
            return list(json.loads(meta.get(self._conn, K_UNRESOLVED_PHONES) or "[]"))

    def settle_phone(self, phone: str, canonical_member_id: str | None) -> bool:
        """Forget ``phone`` as unresolved once the member holding it here is head
        office's canonical one (or head office knows no member for it)."""
        with self._core.lock, transaction(self._conn) as conn:
            holder = phone_holder(conn, phone)
            if canonical_member_id is not None and holder not in (None, canonical_member_id):
                return False
            phones = set(json.loads(meta.get(conn, K_UNRESOLVED_PHONES) or "[]")) - {phone}
            if phones:
                meta.put(conn, K_UNRESOLVED_PHONES, json.dumps(sorted(phones)))
            else:
                conn.execute("DELETE FROM meta WHERE key = ?", (K_UNRESOLVED_PHONES,))
            return True

    # -- checks against head office -----------------------------------------

    def own_chain(self) -> dict[int, tuple[str, str]]:
        """seq -> (entry id, hash) of this terminal's journal."""
        with self._core.locked() as conn:
            return journal.chain_of(conn, self._core.terminal()[1])

    def divergence(self) -> dict[str, Any] | None:
        """What head office's answers showed when this ledger split from its
        copy (see ledger.stale); None while they agree."""
        with self._core.locked() as conn:
            found: dict[str, Any] | None = marks(conn).get(K_DIVERGED)
            return found

    def record_divergence(self, found: dict[str, Any] | None) -> None:
        """Mark the ledger split (``found``), or, when head office agrees with
        it again (None), clear the mark a backup copy put back carries."""
        with self._core.locked() as conn:
            if found is None and K_BACKUP not in marks(conn):
                return
            with transaction(conn):
                if found is None:
                    clear_backup_mark(conn)
                else:
                    mark_diverged(conn, found)


def _is_key(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 64 and all(c in "0123456789abcdef" for c in text)
