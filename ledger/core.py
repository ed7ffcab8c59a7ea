"""What every room of the ledger shares: one connection, one lock, the
settings as the ledger uses them, the clock, and the few things read once and
kept (the terminal's ids, the coupon key, the PIN pepper).

The rooms (``members``, ``points``, ``coupon_book``, ``staff``, ...) are plain
functions over a :class:`Core`; ``Ledger`` (ledger.service) holds the lock
around each public call, so a room never takes it itself.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ledger import coupons as couponlib
from ledger import journal, localday, pins, timeguard
from ledger.clock import Clock
from ledger.db import explain, transaction
from ledger.errors import NotInitialized, SecretsError
from ledger.journal import Writer
from ledger.money import to_minor
from ledger.stale import refuse_if_stale

if TYPE_CHECKING:
    from config.settings import Reward, Settings, Tier


class Core:
    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        settings: Settings,
        secrets_path: Path,
        clock: Clock,
    ) -> None:
        self.conn = conn
        self.lock = threading.RLock()
        self.path = path
        self.settings = settings
        self.secrets_path = secrets_path
        self.clock = clock
        self.region = settings.locale.region
        self.currency = settings.locale.currency
        # The shop's zone: its days (summary, daily limits) run from local midnight.
        self.zone = localday.shop_zone(settings.locale.timezone, settings.locale.region)
        self.tiers: list[Tier] = list(settings.tiers)
        self.spend_per_point = to_minor(settings.earn.spend_per_point)
        self.max_sale = to_minor(settings.earn.max_sale)
        self.expiry = timedelta(days=settings.earn.expiry_days)
        self.rewards: dict[str, Reward] = {r.id: r for r in settings.rewards}
        self._terminal: tuple[str, str] | None = None
        self._key: bytes | None = None
        self._pepper: bytes | None = None

    def forget_cached(self) -> None:
        """The file changed under us (a restore swapped it, a join replaced the
        secrets): read the terminal's ids and the keys again."""
        self._terminal = self._key = self._pepper = None

    @contextmanager
    def locked(self) -> Iterator[sqlite3.Connection]:
        """The connection, for one caller at a time (the app's workers, its
        background sync and a script share it); SQLite's own refusals (a full
        disk, a damaged file) come out as the ledger's errors."""
        with self.lock:
            try:
                yield self.conn
            except sqlite3.Error as exc:
                error = explain(self.path, exc)
                if error is None:
                    raise
                raise error from exc

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """:meth:`locked` and one ``BEGIN IMMEDIATE`` transaction."""
        with self.locked() as conn, transaction(conn):
            yield conn

    # -- the terminal --------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def terminal(self) -> tuple[str, str]:
        """(store_id, terminal_id) of this ledger."""
        if self._terminal is None:
            store, terminal = self.meta("store_id"), self.meta("terminal_id")
            if store is None or terminal is None:
                raise NotInitialized(key="not_initialized")
            self._terminal = (store, terminal)
        return self._terminal

    def terminal_or_none(self) -> str | None:
        try:
            return self.terminal()[1]
        except NotInitialized:
            return None

    def now(self) -> datetime:
        """The clock, as the journal trusts it (ledger.timeguard): never behind
        this till's last entry, never years past what the ledger has seen."""
        return timeguard.display_time(self.conn, self.terminal()[1], self.clock())

    def writer(self, conn: sqlite3.Connection) -> Writer:
        """The journal's writer for one open transaction."""
        store_id, terminal_id = self.terminal()
        seq, digest, last = journal.head(conn, terminal_id)
        refuse_if_stale(conn, terminal_id, seq)  # a copy head office has moved past sells nothing
        now = timeguard.journal_time_after(conn, last, self.clock())
        return Writer(conn, store_id, terminal_id, now, self.currency, seq, digest)

    # -- secrets ---------------------------------------------------------------

    def coupon_key(self) -> bytes:
        if self._key is None:
            (issued,) = self.conn.execute("SELECT count(*) FROM coupons").fetchone()
            self._key = couponlib.load_or_create_key(self.secrets_path, create=issued == 0)
        return self._key

    def pin_pepper(self, create: bool) -> bytes | None:
        """The PIN pepper from the secrets file (made once, under the write lock)."""
        if self._pepper is None:
            self._pepper = pins.read_pepper(self.secrets_path)
        if self._pepper is None and create:
            with transaction(self.conn) as conn:
                self._pepper = pins.read_pepper(self.secrets_path)  # another process?
                if self._pepper is None:
                    if conn.execute(
                        "SELECT 1 FROM staff WHERE pin_hash LIKE 'scrypt-hmac$%' LIMIT 1"
                    ).fetchone():
                        raise SecretsError(
                            f"The PIN key is missing from the secrets file {self.secrets_path}, "
                            "so no PIN can be checked: restore that file from a backup."
                        )
                    self.coupon_key()  # the file starts with the coupon key
                    self._pepper = pins.add_pepper(self.secrets_path)
        return self._pepper
