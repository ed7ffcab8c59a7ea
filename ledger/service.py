"""The ledger's front door: every screen and command goes through ``Ledger``.

``Ledger`` holds the connection and the lock and hands each call to the room
that owns the rule (one module per concern):

- ``terminal``: setup, store and terminal ids, preferences
- ``staff``: staff, PINs, approvals
- ``members``: enrolling, finding, the member card
- ``consent``, ``export``: a member's consent after enrolment, their own copy
  (the calls in ``ledger.member_desk``)
- ``points``: earn, redeem (and ``redeem_policy``), adjust
- ``reversal``: reverse, and what a reversal would do (``reversal_preview``)
- ``expiry``: lots due, the nightly expiry, the clock guard's questions
- ``coupon_book``: coupons issued, checked, used
- ``reports``: read-only totals and lists
- ``journal``: the one writer and the named reads of the journal

Each public write is one ``BEGIN IMMEDIATE`` transaction: the journal entry,
the wallet balance, the points lots, the terminal's sequence and hash-chain
head, and any coupon change land together or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.refusal import Refusal
from ledger import coupon_book, expiry, journal, members, reports, reversal, staff, terminal
from ledger import coupons as couponlib
from ledger import points as _points  # as _points: the methods' ``points`` argument shadows it
from ledger.checkpoints import SAFETY_PAGES, Checkpointer
from ledger.clock import Clock, utc_now
from ledger.core import Core
from ledger.db import connect
from ledger.desk import serialized as _serialized
from ledger.member_desk import MemberDesk
from ledger.models import (
    Coupon,
    Credentials,
    Earned,
    Entry,
    Member,
    MemberCard,
    MemberTag,
    Problem,
    Receipt,
    Redemption,
    Reversal,
    ReversalPreview,
)
from ledger.report_desk import ReportDesk
from ledger.spool import PrintSpool
from ledger.staff_desk import StaffDesk

if TYPE_CHECKING:
    from config.settings import Reward, Settings

ROLES = staff.ROLES
APPROVER_ROLES = staff.APPROVER_ROLES


class Ledger(StaffDesk, MemberDesk, ReportDesk):
    """Members, points, coupons and staff on one SQLite file."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        settings: Settings,
        secrets_path: Path,
        clock: Clock = utc_now,
    ) -> None:
        self.core = Core(conn, path, settings, secrets_path, clock)
        self.clock = clock
        self.path = path
        self.settings = settings
        self.secrets_path = secrets_path
        self.spool = PrintSpool(conn, self.core.lock, clock)
        self._checkpointer: Checkpointer | None = None

    @classmethod
    def open(
        cls,
        path: str | Path,
        settings: Settings,
        *,
        secrets_path: str | Path | None = None,
        clock: Clock = utc_now,
    ) -> Ledger:
        path = Path(path)
        conn = connect(path)
        chosen = secrets_path or settings.secrets_file or couponlib.default_secrets_path(path)
        return cls(conn, path, settings, Path(chosen), clock)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.core.conn.close()

    def checkpoint_in_background(self, interval_s: float = 1.0) -> Checkpointer:
        """For a long-running process (the counter app): WAL checkpoints run
        in a thread of their own instead of inside a sale's commit (see
        ledger.checkpoints). Stopped by :meth:`close`."""
        if self._checkpointer is None:
            with self.core.locked() as conn:
                conn.execute(f"PRAGMA wal_autocheckpoint = {SAFETY_PAGES}")
            self._checkpointer = Checkpointer(self.path, interval_s).start()
        return self._checkpointer

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        """Read access for tests and checks; writes go through the methods."""
        return self.core.conn

    # -- this terminal -----------------------------------------------------

    @_serialized
    def is_initialized(self) -> bool:
        return self.core.meta("terminal_id") is not None

    @_serialized
    def init(self, store_id: str, terminal_id: str) -> dict[str, str]:
        return terminal.init(self.core, store_id, terminal_id)

    @_serialized
    def change_ids(self, store_id: str, terminal_id: str) -> dict[str, str]:
        """Fix the store or terminal id: refused once an entry is recorded or
        the till has joined head office (ledger.terminal)."""
        return terminal.change_ids(self.core, store_id, terminal_id)

    @property
    def zone(self) -> tzinfo:
        """The shop's time zone (``locale.timezone``): where its days begin."""
        return self.core.zone

    @_serialized
    def terminal(self) -> tuple[str, str]:
        """(store_id, terminal_id) of this ledger."""
        return self.core.terminal()

    @_serialized
    def setup_complete(self) -> bool:
        """Set up = store and terminal ids known and someone who can approve."""
        return self.is_initialized() and any(
            staff.any_with(self.core, role) for role in APPROVER_ROLES
        )

    @_serialized
    def pref(self, name: str, default: str | None = None) -> str | None:
        return terminal.pref(self.core, name, default)

    @_serialized
    def set_pref(self, name: str, value: str) -> None:
        terminal.set_pref(self.core, name, value)

    @_serialized
    def clock_warning(self) -> Refusal | None:
        """What to tell the cashier when this till's clock is clearly wrong
        (behind its journal, or years ahead), else None. See ledger.timeguard."""
        return expiry.clock_warning(self.core)

    @_serialized
    def confirm_clock(self, approval: Credentials) -> None:
        """A supervisor confirms a clock far past the journal is right (a till
        that was not used for years): entries and expiry go ahead again."""
        expiry.confirm_clock(self.core, approval)

    # -- members -----------------------------------------------------------

    def normalize(self, phone: str) -> str:
        return members.normalize(self.core, phone)

    def mask(self, e164: str) -> str:
        return members.mask(self.core, e164)

    @_serialized
    def enroll(
        self, phone: str, name: str | None = None, consent: bool = False
    ) -> tuple[Member, bool]:
        """Enroll a phone; returns (member, created). Enrolling twice is harmless."""
        return members.enroll(self.core, phone, name, consent)

    @_serialized
    def member(self, phone: str) -> Member:
        self.core.terminal()
        return members.by_phone(self.core, self.normalize(phone))

    @_serialized
    def member_by_id(self, member_id: str) -> Member:
        return members.by_id(self.core, member_id)

    @_serialized
    def card(self, phone: str, recent: int = 5) -> MemberCard:
        """Everything the member card needs, in a handful of indexed reads."""
        return members.card(self.core, phone, recent)

    @_serialized
    def history(self, phone: str, limit: int = 20) -> list[Entry]:
        self.core.terminal()
        return members.history(self.core, phone, limit)

    @_serialized
    def history_page(
        self, wallet_id: str, before: tuple[str, str] | None = None, limit: int = 20
    ) -> members.HistoryPage:
        """A page of a wallet's entries, newest first; ``before``: the ``older``
        of the page shown before it (keyset paging: any page is one index seek)."""
        return members.history_page(self.core, wallet_id, before, limit)

    @_serialized
    def find_by_name(self, text: str, limit: int = 10) -> list[members.NameMatch]:
        """Members whose name holds ``text`` (any case), at most ``limit``."""
        return members.search_by_name(self.core, text, limit)

    @_serialized
    def rename_member(self, member_id: str, name: str | None) -> Member:
        """A new name (None or empty: none) for a member enrolled here; pushed
        to head office at the next sync (ledger.members.rename)."""
        return members.rename(self.core, member_id, name)

    @_serialized
    def receipt(self, entry_id: str) -> Receipt:
        """What a sale slip shows: the entry, its member now, next expiry, cashier."""
        return members.receipt(self.core, _points.find_entry(self.core, entry_id))

    # -- points ------------------------------------------------------------

    @_serialized
    def entry(self, entry_id: str) -> Entry:
        return _points.find_entry(self.core, entry_id)

    @_serialized
    def earn(
        self,
        who: str | Member,
        amount: str | Any,
        ref: str,
        cashier_id: str | None = None,
        *,
        print_slip: bool = False,
    ) -> Earned:
        """Add points for a sale (``who``: a phone, or the member on screen).
        The same ``ref`` again returns the first entry (``duplicate=True``)."""
        return _points.earn(self.core, who, amount, ref, cashier_id, print_slip)

    @_serialized
    def redeem(
        self,
        phone: str,
        *,
        ref: str,
        points: int | str | None = None,
        reward_id: str | None = None,
        cashier_id: str | None = None,
        approval: Credentials | None = None,
        print_slip: bool = False,
    ) -> Redemption:
        """Spend points, by number or for a reward (which issues a coupon)."""
        return _points.redeem(
            self.core, phone, ref=ref, points=points, reward_id=reward_id,
            cashier_id=cashier_id, approval=approval, print_slip=print_slip,
        )  # fmt: skip

    @_serialized
    def redeem_policy(self, member: Member, cost: int) -> _points.RedeemPolicy:
        """Whether ``member`` can redeem ``cost`` points now, and whether a
        supervisor must approve (the threshold, or the offline limit)."""
        return _points.redeem_policy(self.core, member, cost)

    def rewards(self) -> list[Reward]:
        return list(self.settings.rewards)

    @_serialized
    def reversal_preview(self, entry_id: str) -> ReversalPreview:
        """What reversing an entry would do (member, balance before and after,
        unused coupons paid with its points); changes nothing."""
        return reversal.preview(self.core, entry_id)

    @_serialized
    def reverse(
        self,
        entry_id: str,
        reason: str,
        approval: Credentials,
        *,
        coupons: reversal.CouponChoice | None = None,
    ) -> Reversal:
        """Undo an entry with a new, opposite one. Needs a supervisor; when the
        balance would go below zero and coupons were paid with the points,
        ``coupons`` says whether they are voided or kept (ledger.reversal)."""
        return reversal.reverse(self.core, entry_id, reason, approval, coupons)

    @_serialized
    def adjust(self, phone: str, points: int | str, reason: str, approval: Credentials) -> Entry:
        """Add or remove points by hand, with a reason. Needs a supervisor."""
        return _points.adjust(self.core, phone, points, reason, approval)

    @_serialized
    def expire(
        self, as_of: datetime | None = None, approval: Credentials | None = None
    ) -> list[Entry]:
        """Expire every lot due by ``as_of`` (default now); see ledger.expiry."""
        return expiry.expire(self.core, as_of, approval)

    # -- coupons -----------------------------------------------------------

    @_serialized
    def coupon_of(self, entry_id: str) -> Coupon | None:
        return coupon_book.of_entry(self.core, entry_id)

    @_serialized
    def check_coupon(self, text: str) -> Coupon:
        return coupon_book.check(self.core, text)

    @_serialized
    def use_coupon(self, text: str, cashier_id: str | None = None) -> Coupon:
        return coupon_book.use(self.core, text, cashier_id)

    # -- reports and checks --------------------------------------------------

    @_serialized
    def day_summary(self, day: date | datetime | None = None) -> dict[str, Any]:
        return reports.day_summary(self.core, day)

    @_serialized
    def recent_entries(self, limit: int = 50) -> list[Entry]:
        return reports.recent_entries(self.core, limit)

    @_serialized
    def member_tags(self, entries: list[Entry]) -> dict[str, MemberTag]:
        """Masked phone and name of the members of ``entries``, by member id."""
        return reversal.member_tags(self.core, {e.member_id for e in entries if e.member_id})

    @_serialized
    def verify(self, quick: bool = False) -> list[Problem]:
        """All checks; ``quick`` uses SQLite's quick_check instead of integrity_check."""
        from ledger.verify import run_checks

        return run_checks(self.core.conn, quick)

    def copy_into(self, target: sqlite3.Connection) -> int:
        """Copy the whole ledger into ``target`` at one consistent moment
        (SQLite's backup API; the app's other threads wait meanwhile). Returns
        the ``data_version`` from before the copy, to tell later whether the
        ledger changed since."""
        with self.core.locked() as conn:
            (version,) = conn.execute("PRAGMA data_version").fetchone()
            conn.backup(target)
            return int(version)

    def all_entries(self) -> Iterator[Entry]:
        return journal.everything(self.core.conn)
