"""The ledger's front door: every screen and command goes through ``Ledger``.

Each public write is one ``BEGIN IMMEDIATE`` transaction: the journal entry,
the wallet balance, the points lots, the terminal's sequence and hash-chain
head, and any coupon change land together or not at all.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from ledger import coupons as couponlib
from ledger import limits, lots, pins, staffauth, timeguard
from ledger.chain import GENESIS, entry_hash
from ledger.clock import Clock, iso, utc_now, uuid7
from ledger.db import connect, explain, transaction
from ledger.errors import (
    AlreadyInitialized,
    ApprovalRequired,
    CouponNotFound,
    CouponUnusable,
    EntryNotFound,
    InsufficientPoints,
    InvalidInput,
    MemberNotFound,
    NotInitialized,
    NotPermitted,
    NotReversible,
    RefConflict,
    RewardNotFound,
    SecretsError,
    StaffExists,
    StaffNotFound,
)
from ledger.models import (
    ENTRY_COLUMNS,
    Coupon,
    Credentials,
    Earned,
    Entry,
    Member,
    MemberCard,
    Problem,
    Redemption,
    Staff,
    TierProgress,
)
from ledger.money import format_minor, parse_amount, parse_points, to_minor
from ledger.phone import mask_phone, normalize_phone
from ledger.pins import check_pin_strength
from ledger.rules import earn_points, next_tier, tier_for
from ledger.spool import PrintSpool, enqueue
from ledger.stale import refuse_if_stale

if TYPE_CHECKING:
    from config.settings import Reward, Settings

ROLES = ("cashier", "supervisor", "admin")
APPROVER_ROLES = ("supervisor", "admin")
_COLS = ", ".join(ENTRY_COLUMNS)
_INSERT_ENTRY = f"INSERT INTO entries ({_COLS}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
_NAMED_LOTS = 40

P = ParamSpec("P")
R = TypeVar("R")


def _serialized(method: Callable[Concatenate[Ledger, P], R]) -> Callable[Concatenate[Ledger, P], R]:
    """One connection, several threads (the app's workers): one call at a time,
    so two operations never share a transaction."""

    def wrapper(self: Ledger, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                # A full disk, a read-only or damaged file while the app runs:
                # the same message the CLI gives, for every caller. Anything
                # else from SQLite is a bug and surfaces as it is.
                error = explain(self.path, exc)
                if error is None:
                    raise
                raise error from exc

    functools.update_wrapper(wrapper, method)
    return wrapper


def _clean_id(value: str, what: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > 64 or not text.isprintable():
        raise InvalidInput(f"{what} must be 1 to 64 printable characters.")
    return text


def _clean_text(value: str | None, what: str, *, required: bool, limit: int = 200) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"A {what} is required: say why, in a few words.")
        return None
    if len(text) > limit or not text.isprintable():
        raise InvalidInput(f"The {what} must be at most {limit} printable characters.")
    return text


@dataclass
class _Writer:
    """Appends entries inside one open transaction."""

    conn: sqlite3.Connection
    store_id: str
    terminal_id: str
    now: datetime
    currency: str

    def append(
        self,
        *,
        wallet_id: str,
        member_id: str | None,
        kind: str,
        points: int,
        amount_minor: int | None = None,
        ref: str | None = None,
        cashier_id: str | None = None,
        approver_id: str | None = None,
        reason: str | None = None,
        reverses: str | None = None,
        rules: dict[str, Any] | None = None,
    ) -> Entry:
        conn = self.conn
        (balance,) = conn.execute(
            "SELECT balance FROM wallets WHERE wallet_id = ?", (wallet_id,)
        ).fetchone()
        last_seq, last_hash = conn.execute(
            "SELECT last_seq, last_hash FROM terminals WHERE terminal_id = ?",
            (self.terminal_id,),
        ).fetchone()
        seq = last_seq + 1
        fields: list[Any] = [
            uuid7(self.now),
            wallet_id,
            member_id,
            kind,
            points,
            balance + points,
            amount_minor,
            self.currency if amount_minor is not None else None,
            ref,
            self.terminal_id,
            self.store_id,
            cashier_id,
            approver_id,
            reason,
            reverses,
            json.dumps(rules, sort_keys=True, separators=(",", ":")) if rules else None,
            iso(self.now),
            seq,
            last_hash,
        ]
        fields.append(entry_hash(fields))
        conn.execute(_INSERT_ENTRY, fields)
        conn.execute(
            "UPDATE wallets SET balance = ? WHERE wallet_id = ?", (balance + points, wallet_id)
        )
        conn.execute(
            "UPDATE terminals SET last_seq = ?, last_hash = ? WHERE terminal_id = ?",
            (seq, fields[-1], self.terminal_id),
        )
        return Entry.from_row(tuple(fields))


class Ledger:
    """Members, points, coupons and staff on one SQLite file."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        settings: Settings,
        secrets_path: Path,
        clock: Clock = utc_now,
    ) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.settings = settings
        self.secrets_path = secrets_path
        self._clock = clock
        self._key: bytes | None = None
        self._pepper: bytes | None = None
        self._terminal: tuple[str, str] | None = None
        self._region = settings.locale.region
        self._currency = settings.locale.currency
        self._tiers = list(settings.tiers)
        self._spend_per_point = to_minor(settings.earn.spend_per_point)
        self._max_sale = to_minor(settings.earn.max_sale)
        self._expiry = timedelta(days=settings.earn.expiry_days)
        self._rewards = {r.id: r for r in settings.rewards}
        self.spool = PrintSpool(conn, self._lock, clock)

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
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- setup -----------------------------------------------------------

    @_serialized
    def is_initialized(self) -> bool:
        return self._meta("terminal_id") is not None

    @_serialized
    def init(self, store_id: str, terminal_id: str) -> dict[str, str]:
        store_id = _clean_id(store_id, "The store id")
        terminal_id = _clean_id(terminal_id, "The terminal id")
        with transaction(self._conn) as conn:
            current = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if "terminal_id" in current:
                if (current["store_id"], current["terminal_id"]) == (store_id, terminal_id):
                    return {"store_id": store_id, "terminal_id": terminal_id}
                raise AlreadyInitialized(
                    f"This ledger already belongs to store {current['store_id']}, terminal "
                    f"{current['terminal_id']}: use another --db for another terminal."
                )
            now = iso(self._clock())
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("store_id", store_id), ("terminal_id", terminal_id), ("created_at", now)],
            )
            conn.execute(
                "INSERT OR IGNORE INTO terminals (terminal_id, store_id, last_seq, last_hash) "
                "VALUES (?, ?, 0, ?)",
                (terminal_id, store_id, GENESIS),
            )
        self._coupon_key()  # create the key now, 0600, beside the database
        self._pin_pepper(True)  # and the PIN pepper, before a join rewrites the file
        return {"store_id": store_id, "terminal_id": terminal_id}

    @_serialized
    def terminal(self) -> tuple[str, str]:
        """(store_id, terminal_id) of this ledger."""
        if self._terminal is None:
            store, terminal = self._meta("store_id"), self._meta("terminal_id")
            if store is None or terminal is None:
                raise NotInitialized(
                    "This terminal is not set up yet: run 'pos init --store STORE_ID "
                    "--terminal TERMINAL_ID' (or the setup wizard in 'pos run')."
                )
            self._terminal = (store, terminal)
        return self._terminal

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @_serialized
    def setup_complete(self) -> bool:
        """Set up = store and terminal ids known and someone who can approve."""
        return self.is_initialized() and (self.has_staff("supervisor") or self.has_staff("admin"))

    @_serialized
    def pref(self, name: str, default: str | None = None) -> str | None:
        """A terminal-local preference (language, printer, wizard step)."""
        value = self._meta(f"pref.{name}")
        return default if value is None else value

    @_serialized
    def set_pref(self, name: str, value: str) -> None:
        with transaction(self._conn) as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (f"pref.{name}", value),
            )

    @_serialized
    def day_summary(self, day: datetime | None = None) -> dict[str, Any]:
        """This terminal's totals for one UTC day: per kind and per cashier."""
        moment = day or self._clock()
        start = moment.strftime("%Y-%m-%dT00:00:00.000000Z")
        end = (moment + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00.000000Z")
        _, terminal_id = self.terminal()
        where = "terminal_id = ? AND created_at >= ? AND created_at < ?"
        args = (terminal_id, start, end)
        kinds = {
            kind: {"count": count, "points": points}
            for kind, count, points in self._conn.execute(
                f"SELECT kind, count(*), sum(points) FROM entries WHERE {where} "
                "GROUP BY kind ORDER BY kind",
                args,
            )
        }
        cashiers = [
            {"cashier_id": cashier, "kind": kind, "count": count, "points": points}
            for cashier, kind, count, points in self._conn.execute(
                f"SELECT coalesce(cashier_id, '-'), kind, count(*), sum(points) FROM entries "
                f"WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2",
                args,
            )
        ]
        return {"day": start[:10], "terminal_id": terminal_id, "kinds": kinds,
                "cashiers": cashiers}  # fmt: skip

    @_serialized
    def recent_entries(self, limit: int = 50) -> list[Entry]:
        """This terminal's latest entries, newest first."""
        _, terminal_id = self.terminal()
        rows = self._conn.execute(
            f"SELECT {_COLS} FROM entries WHERE terminal_id = ? ORDER BY seq DESC LIMIT ?",
            (terminal_id, limit),
        ).fetchall()
        return [Entry.from_row(r) for r in rows]

    @property
    def conn(self) -> sqlite3.Connection:
        """Read access for reports and verify; writes go through the methods."""
        return self._conn

    # -- staff -----------------------------------------------------------

    @_serialized
    def add_staff(self, staff_id: str, role: str, pin: str, name: str | None = None) -> Staff:
        staff_id = _clean_id(staff_id, "The staff id")
        if role not in ROLES:
            raise InvalidInput(f"Role '{role}' is unknown: use one of {', '.join(ROLES)}.")
        check_pin_strength(pin)
        name = _clean_text(name, "name", required=False, limit=80)
        pepper = self._pin_pepper(True)
        assert pepper is not None  # made above, or SecretsError
        digest = pins.hash_pin(pin, pepper)
        with transaction(self._conn) as conn:
            if conn.execute("SELECT 1 FROM staff WHERE staff_id = ?", (staff_id,)).fetchone():
                raise StaffExists(f"Staff id {staff_id} is taken: choose another id.")
            conn.execute(
                "INSERT INTO staff (staff_id, name, role, pin_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (staff_id, name, role, digest, iso(self._clock())),
            )
        return Staff(staff_id, name, role)

    @_serialized
    def staff(self, staff_id: str) -> Staff:
        row = self._conn.execute(
            "SELECT staff_id, name, role FROM staff WHERE staff_id = ?", (staff_id,)
        ).fetchone()
        if row is None:
            raise StaffNotFound(f"No staff member with id '{staff_id}': check the id.")
        return Staff(*row)

    @_serialized
    def has_staff(self, role: str | None = None) -> bool:
        sql, args = "SELECT 1 FROM staff", ()  # type: tuple[str, tuple[str, ...]]
        if role:
            sql, args = "SELECT 1 FROM staff WHERE role = ?", (role,)
        return self._conn.execute(sql + " LIMIT 1", args).fetchone() is not None

    @_serialized
    def authenticate(self, staff_id: str, pin: str) -> Staff:
        """Check a PIN. Each attempt is counted before the answer, across
        processes; too many lock the id (see ledger.staffauth)."""
        return staffauth.authenticate(
            self._conn, staff_id, pin, self._clock(), self.settings.staff, self._pin_pepper
        )

    @_serialized
    def unlock_staff(self, staff_id: str, approval: Credentials) -> Staff:
        """An admin lifts a PIN lock (a supervisor could otherwise guess a
        colleague's PIN, be locked, and lift it again)."""
        admin = self.authenticate(approval.staff_id, approval.pin)
        if admin.role != "admin":
            raise NotPermitted(
                f"{admin.staff_id} is a {admin.role}: only an admin can lift a PIN lock."
            )
        return self.staff(staffauth.unlock(self._conn, staff_id))

    def _pin_pepper(self, create: bool) -> bytes | None:
        """The PIN pepper from the secrets file (made once, under the write lock)."""
        if self._pepper is None:
            self._pepper = pins.read_pepper(self.secrets_path)
        if self._pepper is None and create:
            with transaction(self._conn) as conn:
                self._pepper = pins.read_pepper(self.secrets_path)  # another process?
                if self._pepper is None:
                    if conn.execute(
                        "SELECT 1 FROM staff WHERE pin_hash LIKE 'scrypt-hmac$%' LIMIT 1"
                    ).fetchone():
                        raise SecretsError(
                            f"The PIN key is missing from the secrets file {self.secrets_path}, "
                            "so no PIN can be checked: restore that file from a backup."
                        )
                    self._coupon_key()  # the file starts with the coupon key
                    self._pepper = pins.add_pepper(self.secrets_path)
        return self._pepper

    def _approve(self, approval: Credentials) -> Staff:
        staff = self.authenticate(approval.staff_id, approval.pin)
        if staff.role not in APPROVER_ROLES:
            raise NotPermitted(
                f"{staff.staff_id} is a {staff.role} and cannot approve: ask a supervisor."
            )
        return staff

    def _check_cashier(self, cashier_id: str | None) -> str | None:
        if cashier_id is None:
            return None
        return self.staff(cashier_id.strip()).staff_id

    # -- members ---------------------------------------------------------

    def normalize(self, phone: str) -> str:
        return normalize_phone(phone, self._region)

    def mask(self, e164: str) -> str:
        return mask_phone(e164, self._region)

    @_serialized
    def enroll(
        self, phone: str, name: str | None = None, consent: bool = False
    ) -> tuple[Member, bool]:
        """Enroll a phone; returns (member, created). Enrolling twice is harmless."""
        e164 = self.normalize(phone)
        name = _clean_text(name, "name", required=False, limit=80)
        _, terminal_id = self.terminal()
        with transaction(self._conn) as conn:
            if conn.execute("SELECT 1 FROM members WHERE phone = ?", (e164,)).fetchone():
                created = False
            else:
                now = iso(self._clock())
                wallet_id, member_id = uuid7(), uuid7()
                conn.execute(
                    "INSERT INTO wallets (wallet_id, kind, balance, created_at) "
                    "VALUES (?, 'member', 0, ?)",
                    (wallet_id, now),
                )
                conn.execute(
                    "INSERT INTO members (member_id, phone, name, wallet_id, consent_at, "
                    "enrolled_at, terminal_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (member_id, e164, name, wallet_id, now if consent else None, now, terminal_id),
                )
                created = True
        return self._member_by_phone(e164), created

    @_serialized
    def member(self, phone: str) -> Member:
        self.terminal()
        return self._member_by_phone(self.normalize(phone))

    @_serialized
    def member_by_id(self, member_id: str) -> Member:
        row = self._conn.execute("SELECT phone FROM members WHERE member_id = ?", (member_id,))
        found = row.fetchone()
        if found is None or found[0] is None:
            raise MemberNotFound(f"No member with id {member_id}.")
        return self._member_by_phone(found[0])

    @_serialized
    def coupon_of(self, entry_id: str) -> Coupon | None:
        return self._coupon_of(entry_id)

    def _member_row(self, e164: str) -> tuple[Any, ...]:
        row = self._conn.execute(
            "SELECT m.member_id, m.phone, m.name, m.wallet_id, m.consent_at, m.enrolled_at, "
            "w.balance FROM members m JOIN wallets w USING (wallet_id) WHERE m.phone = ?",
            (e164,),
        ).fetchone()
        if row is None:
            raise MemberNotFound(
                f"No member with phone {self.mask(e164)}: enroll them first.", phone=e164
            )
        return tuple(row)

    def _member_by_phone(self, e164: str) -> Member:
        member_id, phone, name, wallet_id, consent_at, enrolled_at, balance = self._member_row(e164)
        spend = self._spend_12m(wallet_id)
        return Member(
            member_id, phone, name, wallet_id, consent_at, enrolled_at, balance,
            tier=tier_for(spend, self._tiers).id, spend_12m_minor=spend,
        )  # fmt: skip

    def _now(self) -> datetime:
        """The clock, as the journal trusts it (ledger.timeguard): never behind
        this till's last entry, never years past what the ledger has seen."""
        return timeguard.display_time(self._conn, self.terminal()[1], self._clock())

    def _spend_12m(self, wallet_id: str, now: datetime | None = None) -> int:
        """``now``: a sale passes its entry's time (already checked by the clock
        guard), so the guard is not asked twice per sale."""
        since = iso((now or self._now()) - timedelta(days=365))
        (spend,) = self._conn.execute(
            "SELECT coalesce(sum(amount_minor), 0) FROM entries WHERE wallet_id = ? "
            "AND created_at >= ? AND kind IN ('earn', 'reverse') AND amount_minor IS NOT NULL",
            (wallet_id, since),
        ).fetchone()
        return int(spend)

    @_serialized
    def card(self, phone: str, recent: int = 5) -> MemberCard:
        """Everything the member card needs, in a handful of indexed reads."""
        member = self.member(phone)
        tier = tier_for(member.spend_12m_minor, self._tiers)
        upper = next_tier(tier, self._tiers)
        progress = TierProgress(
            tier.id,
            upper.id if upper else None,
            member.spend_12m_minor,
            None if upper is None else to_minor(upper.min_spend) - member.spend_12m_minor,
        )
        # As of now, whether or not 'pos expire' ran: due points are not shown.
        due, expiry = lots.due_and_next(self._conn, member.wallet_id, iso(self._now()))
        if due:
            member = replace(member, balance=member.balance - due)
        return MemberCard(
            member,
            progress,
            expiry,
            tuple(self._entries_of(member.wallet_id, recent)),
            tuple(r.id for r in self.settings.rewards if r.points <= member.balance),
        )

    @_serialized
    def history(self, phone: str, limit: int = 20) -> list[Entry]:
        if not 1 <= limit <= 10_000:
            raise InvalidInput("The limit must be between 1 and 10000.")
        return self._entries_of(self.member(phone).wallet_id, limit)

    def _entries_of(self, wallet_id: str, limit: int) -> list[Entry]:
        rows = self._conn.execute(
            f"SELECT {_COLS} FROM entries WHERE wallet_id = ? "
            "ORDER BY created_at DESC, seq DESC LIMIT ?",
            (wallet_id, limit),
        ).fetchall()
        return [Entry.from_row(r) for r in rows]

    @_serialized
    def entry(self, entry_id: str) -> Entry:
        row = self._conn.execute(
            f"SELECT {_COLS} FROM entries WHERE entry_id = ?", ((entry_id or "").strip(),)
        ).fetchone()
        if row is None:
            raise EntryNotFound(f"No entry with id '{entry_id}': check the id.")
        return Entry.from_row(row)

    # -- points ----------------------------------------------------------

    def _writer(self, conn: sqlite3.Connection) -> _Writer:
        store_id, terminal_id = self.terminal()
        refuse_if_stale(conn, terminal_id)  # a copy head office has moved past sells nothing
        now = timeguard.journal_time(conn, terminal_id, self._clock())
        return _Writer(conn, store_id, terminal_id, now, self._currency)

    def _find_ref(self, kind: str, ref: str) -> tuple[Any, ...] | None:
        _, terminal_id = self.terminal()
        # The repeated IN term lets SQLite use the partial index entries_ref;
        # without it this scans the terminal's whole journal.
        row = self._conn.execute(
            f"SELECT {_COLS} FROM entries WHERE terminal_id = ? AND kind = ? AND ref = ? "
            "AND kind IN ('earn', 'redeem')",
            (terminal_id, kind, ref),
        ).fetchone()
        return None if row is None else tuple(row)

    @_serialized
    def earn(
        self,
        phone: str,
        amount: str | Any,
        ref: str,
        cashier_id: str | None = None,
        *,
        print_slip: bool = False,
    ) -> Earned:
        """Add points for a sale. The same ``ref`` again returns the first entry
        (``duplicate=True``) and changes nothing."""
        e164 = self.normalize(phone)
        amount_minor = parse_amount(amount, self._max_sale)
        ref = _clean_id(ref, "The sale reference")
        cashier_id = self._check_cashier(cashier_id)
        with transaction(self._conn) as conn:
            member_id, _, _, wallet_id, *_ = self._member_row(e164)
            found = self._find_ref("earn", ref)
            if found is not None:
                first = replace(Earned.from_row(found), duplicate=True)
                if first.member_id != member_id or first.amount_minor != amount_minor:
                    raise RefConflict(
                        f"Sale {ref} was already recorded for another member or amount "
                        f"({format_minor(first.amount_minor or 0)}): check the bill number."
                    )
                return first
            writer = self._writer(conn)
            self._expire_due(writer, wallet_id, member_id, writer.now)
            tier = tier_for(self._spend_12m(wallet_id, writer.now), self._tiers)
            result = earn_points(amount_minor, self._spend_per_point, tier)
            entry = writer.append(
                wallet_id=wallet_id,
                member_id=member_id,
                kind="earn",
                points=result.points,
                amount_minor=amount_minor,
                ref=ref,
                cashier_id=cashier_id,
                rules=result.rules,
            )
            self._credit(writer, entry)
            if print_slip:
                enqueue(conn, entry.entry_id, "sale", entry.created_at, copy=False)
        return Earned(*astuple(entry))

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
        """Spend points, by number or for a reward (which issues a coupon).
        Above the approval threshold, or the offline limit while head office
        cannot be counted on (ledger.limits), a supervisor approves."""
        e164 = self.normalize(phone)
        if (points is None) == (reward_id is None):
            raise InvalidInput("Redeem either a number of points or a reward, not both.")
        reward = self._reward(reward_id) if reward_id is not None else None
        cost = reward.points if reward else parse_points(points)  # type: ignore[arg-type]
        ref = _clean_id(ref, "The reference")
        cashier_id = self._check_cashier(cashier_id)
        first = self._find_ref("redeem", ref)
        if first is not None:
            return self._repeat_redemption(Entry(*first), e164, cost, reward.id if reward else None)
        member = self._member_by_phone(e164)
        self._check_balance(member, cost)
        threshold = self.settings.redeem.approval_threshold
        now = self._now()
        # The clock as it reads (not clamped to the journal): one set back is offline.
        offline_limit = limits.offline_limit(self._conn, self.settings, self._clock())
        approver = None
        if approval is not None:
            approver = self._approve(approval)
        elif cost > threshold:
            raise ApprovalRequired(
                f"Redeeming {cost} points is above {threshold}: a supervisor must approve "
                "with their id and PIN."
            )
        else:
            limits.check_offline_limit(self._conn, member.wallet_id, cost, offline_limit, now)
        with transaction(self._conn) as conn:
            first = self._find_ref("redeem", ref)
            if first is not None:
                return self._repeat_redemption(
                    Entry(*first), e164, cost, reward.id if reward else None
                )
            writer = self._writer(conn)
            self._expire_due(writer, member.wallet_id, member.member_id, writer.now)
            member = self._member_by_phone(e164)
            self._check_balance(member, cost)
            if approver is None:  # again under the write lock: another process may have redeemed
                limits.check_offline_limit(conn, member.wallet_id, cost, offline_limit, writer.now)
            rules: dict[str, Any] = {"approval_threshold": threshold}
            if offline_limit is not None:
                rules["offline_limit"] = offline_limit
            if reward:
                rules["reward_id"] = reward.id
            entry = writer.append(
                wallet_id=member.wallet_id,
                member_id=member.member_id,
                kind="redeem",
                points=-cost,
                ref=ref,
                cashier_id=cashier_id,
                approver_id=approver.staff_id if approver else None,
                rules=rules,
            )
            self._debit(writer, entry.wallet_id, cost)
            coupon = self._issue_coupon(writer, entry, reward) if reward else None
            if print_slip and coupon is not None:
                enqueue(conn, entry.entry_id, "coupon", entry.created_at, copy=False)
        return Redemption(entry, coupon)

    def _repeat_redemption(
        self, first: Entry, e164: str, cost: int, reward_id: str | None
    ) -> Redemption:
        member_id = self._member_row(e164)[0]
        if (
            first.member_id != member_id
            or -first.points != cost
            or first.rules_applied.get("reward_id") != reward_id
        ):
            raise RefConflict(
                f"Reference {first.ref} was already used for another redemption: "
                "use a new reference."
            )
        return Redemption(first, self._coupon_of(first.entry_id), duplicate=True)

    def _check_balance(self, member: Member, cost: int) -> None:
        if member.balance < cost:
            who = member.name or (self.mask(member.phone) if member.phone else "This member")
            raise InsufficientPoints(
                f"Not enough points: {who} has {member.balance} points, {cost} needed.",
                balance=member.balance,
                needed=cost,
            )

    def _reward(self, reward_id: str) -> Reward:
        reward = self._rewards.get((reward_id or "").strip().upper())
        if reward is None:
            raise RewardNotFound(f"No reward '{reward_id}' in the catalog: see 'pos rewards list'.")
        return reward

    def rewards(self) -> list[Reward]:
        return list(self.settings.rewards)

    @_serialized
    def reverse(self, entry_id: str, reason: str, approval: Credentials) -> Entry:
        """Undo an entry with a new, opposite one. Needs a supervisor."""
        reason_text = _clean_text(reason, "reason", required=True)
        original = self.entry(entry_id)
        if original.kind in ("reverse", "expire"):
            raise NotReversible(
                f"A {original.kind} entry cannot be reversed: make an adjustment instead."
            )
        approver = self._approve(approval)
        with transaction(self._conn) as conn:
            done = conn.execute(
                "SELECT entry_id FROM entries WHERE reverses = ?", (original.entry_id,)
            ).fetchone()
            if done:
                raise NotReversible(f"Entry {original.entry_id} was already reversed by {done[0]}.")
            coupon = conn.execute(
                "SELECT code, status FROM coupons WHERE entry_id = ?", (original.entry_id,)
            ).fetchone()
            if coupon and coupon[1] == "used":
                raise NotReversible(
                    f"Coupon {couponlib.display_code(coupon[0])} was already used: "
                    "this redemption cannot be reversed."
                )
            if original.kind == "redeem" and original.terminal_id != self.terminal()[1]:
                # Head office lets only the issuing terminal void a coupon (403 otherwise).
                raise NotReversible(
                    f"This redemption was made at terminal {original.terminal_id}: reverse it "
                    "there (only the terminal that issued its coupon can void it)."
                )
            # Points of an earn that already expired are gone: take back only the rest.
            (expired,) = conn.execute(
                "SELECT coalesce(sum(expired), 0) FROM lots WHERE entry_id = ?",
                (original.entry_id,),
            ).fetchone()
            writer = self._writer(conn)
            rules: dict[str, Any] = {"reversed_kind": original.kind}
            if expired:
                rules["already_expired"] = expired
            entry = writer.append(
                wallet_id=original.wallet_id,
                member_id=original.member_id,
                kind="reverse",
                points=-(original.points - expired),
                amount_minor=None if original.amount_minor is None else -original.amount_minor,
                ref=original.ref,
                approver_id=approver.staff_id,
                reason=reason_text,
                reverses=original.entry_id,
                rules=rules,
            )
            if entry.points < 0:
                self._debit(writer, original.wallet_id, -entry.points, first=original.entry_id)
            elif entry.points > 0:
                self._credit(writer, entry)
            if coupon:
                conn.execute("UPDATE coupons SET status = 'void' WHERE code = ?", (coupon[0],))
                _coupon_event(conn, coupon[0], "void", entry.created_at, writer.terminal_id)
        return entry

    @_serialized
    def adjust(self, phone: str, points: int | str, reason: str, approval: Credentials) -> Entry:
        """Add or remove points by hand, with a reason. Needs a supervisor."""
        e164 = self.normalize(phone)
        change = parse_points(points, allow_negative=True)
        reason_text = _clean_text(reason, "reason", required=True)
        member = self._member_by_phone(e164)
        if change < 0:
            self._check_balance(member, -change)
        approver = self._approve(approval)
        with transaction(self._conn) as conn:
            writer = self._writer(conn)
            self._expire_due(writer, member.wallet_id, member.member_id, writer.now)
            if change < 0:
                self._check_balance(self._member_by_phone(e164), -change)
            entry = writer.append(
                wallet_id=member.wallet_id,
                member_id=member.member_id,
                kind="adjust",
                points=change,
                approver_id=approver.staff_id,
                reason=reason_text,
            )
            if change > 0:
                self._credit(writer, entry)
            else:
                self._debit(writer, member.wallet_id, -change)
        return entry

    @_serialized
    def expire(
        self, as_of: datetime | None = None, approval: Credentials | None = None
    ) -> list[Entry]:
        """Expire every lot due by ``as_of`` (default now): one entry and one
        transaction per wallet, so an interrupted run simply continues. An
        ``as_of`` after today takes points before their date: a supervisor
        approves it (and is named on the entries)."""
        _, terminal_id = self.terminal()
        # Never on a clock behind the journal, nor one years ahead of it.
        now = timeguard.journal_time(self._conn, terminal_id, self._clock())
        cutoff, early = timeguard.expiry_cutoff(now, as_of)
        approver = self._approve(approval).staff_id if approval is not None else None
        if early and approver is None:
            raise ApprovalRequired(timeguard.early_expiry_message(cutoff, now))
        due = self._conn.execute(
            "SELECT DISTINCT l.wallet_id, m.member_id FROM lots l "
            "JOIN entries e USING (entry_id) LEFT JOIN members m ON m.wallet_id = l.wallet_id "
            "WHERE l.remaining > 0 AND l.expires_at <= ? AND e.terminal_id = ?",
            (iso(cutoff), terminal_id),
        ).fetchall()
        made: list[Entry] = []
        for wallet_id, member_id in due:
            with transaction(self._conn) as conn:
                writer = self._writer(conn)
                entry = self._expire_due(writer, wallet_id, member_id, cutoff, approver)
            if entry is not None:
                made.append(entry)
        if as_of is None:
            with transaction(self._conn) as conn:
                timeguard.seen(conn, cutoff)
        return made

    @_serialized
    def clock_warning(self) -> str | None:
        """A sentence for the cashier when this till's clock is clearly wrong
        (behind its journal, or years ahead), else None. See ledger.timeguard."""
        _, terminal_id = self.terminal()
        return timeguard.warning(self._conn, terminal_id, self._clock())

    @_serialized
    def confirm_clock(self, approval: Credentials) -> None:
        """A supervisor confirms a clock far past the journal is right (a till
        that was not used for years): entries and expiry go ahead again."""
        self.terminal()
        self._approve(approval)
        with transaction(self._conn) as conn:
            timeguard.confirm(conn, self._clock())

    # -- lots (FIFO) -----------------------------------------------------
    # Invariant: the lots' remaining points add up to max(balance, 0).

    def _expire_due(
        self,
        writer: _Writer,
        wallet_id: str,
        member_id: str | None,
        cutoff: datetime,
        approver_id: str | None = None,
    ) -> Entry | None:
        # Only lots this terminal created: another terminal's lots are expired
        # there, and a second expiry here would take the points twice.
        due = writer.conn.execute(
            "SELECT l.entry_id, l.remaining FROM lots l JOIN entries e USING (entry_id) "
            "WHERE l.wallet_id = ? AND l.remaining > 0 AND l.expires_at <= ? "
            "AND e.terminal_id = ? ORDER BY l.expires_at, l.entry_id",
            (wallet_id, iso(cutoff), writer.terminal_id),
        ).fetchall()
        if not due:
            return None
        total = sum(r for _, r in due)
        entry = writer.append(
            wallet_id=wallet_id,
            member_id=member_id,
            kind="expire",
            points=-total,
            approver_id=approver_id,
            # The lots are named (so other terminals expire the same ones) while
            # the entry stays small enough for head office's 4,000-character rules.
            rules={"as_of": iso(cutoff), "lots_count": len(due)}
            | ({"lots": dict(due)} if len(due) <= _NAMED_LOTS else {}),
        )
        writer.conn.executemany(
            "UPDATE lots SET expired = expired + remaining, remaining = 0 WHERE entry_id = ?",
            [(e,) for e, _ in due],
        )
        return entry

    def _credit(self, writer: _Writer, entry: Entry) -> None:
        lots.credit(writer.conn, entry, iso(writer.now + self._expiry))

    def _debit(
        self, writer: _Writer, wallet_id: str, points: int, first: str | None = None
    ) -> None:
        lots.debit(writer.conn, wallet_id, points, first)

    # -- coupons ---------------------------------------------------------

    def _coupon_key(self) -> bytes:
        if self._key is None:
            (issued,) = self._conn.execute("SELECT count(*) FROM coupons").fetchone()
            self._key = couponlib.load_or_create_key(self.secrets_path, create=issued == 0)
        return self._key

    def _issue_coupon(self, writer: _Writer, entry: Entry, reward: Reward) -> Coupon:
        expires = writer.now + timedelta(days=reward.validity_days)
        code = couponlib.new_code()
        while writer.conn.execute("SELECT 1 FROM coupons WHERE code = ?", (code,)).fetchone():
            code = couponlib.new_code()
        payload = couponlib.sign(self._coupon_key(), code, reward.id, expires.strftime("%Y%m%d"))
        coupon = Coupon(
            code, entry.entry_id, reward.id, entry.member_id or "", payload,
            iso(writer.now), iso(expires), "issued",
        )  # fmt: skip
        writer.conn.execute(
            "INSERT INTO coupons (code, entry_id, reward_id, member_id, payload, issued_at, "
            "expires_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (code, entry.entry_id, reward.id, coupon.member_id, payload,
             coupon.issued_at, coupon.expires_at, "issued"),
        )  # fmt: skip
        _coupon_event(writer.conn, code, "issued", coupon.issued_at, writer.terminal_id)
        return coupon

    def _coupon_of(self, entry_id: str) -> Coupon | None:
        row = self._conn.execute(
            "SELECT code, entry_id, reward_id, member_id, payload, issued_at, expires_at, "
            "status FROM coupons WHERE entry_id = ?",
            (entry_id,),
        ).fetchone()
        return None if row is None else self._with_expiry(Coupon(*row))

    def _with_expiry(self, coupon: Coupon) -> Coupon:
        if coupon.status == "issued" and coupon.expires_at <= iso(self._now()):
            return replace(coupon, status="expired")
        return coupon

    @_serialized
    def check_coupon(self, text: str) -> Coupon:
        """Status of a coupon from its code or scanned payload: issued, used,
        void, expired, or forged (a payload whose signature does not match)."""
        self.terminal()
        code = self._coupon_code(text)
        if isinstance(code, Coupon):
            return code
        row = self._conn.execute(
            "SELECT code, entry_id, reward_id, member_id, payload, issued_at, expires_at, "
            "status FROM coupons WHERE code = ?",
            (code,),
        ).fetchone()
        if row is None:
            raise CouponNotFound(
                f"No coupon {couponlib.display_code(code)} in this terminal's ledger: "
                "check the code (or sync with head office)."
            )
        coupon = Coupon(*row)
        # A coupon pulled from head office has no payload here: the signature
        # (checked above) is what proves it.
        if couponlib.looks_like_payload(text) and coupon.payload and text.strip() != coupon.payload:
            return _forged(text, code)
        return self._with_expiry(coupon)

    def _coupon_code(self, text: str) -> str | Coupon:
        if couponlib.looks_like_payload(text):
            keys = [self._coupon_key(), *couponlib.previous_keys(self.secrets_path)]
            payload = couponlib.read_payload(keys, text)
            if payload is None or not payload.genuine:
                return _forged(text, payload.code if payload else "")
            return payload.code
        code = couponlib.normalize_code(text or "")
        if len(code) != 8 or not code.isalnum():
            raise InvalidInput(
                f"'{text}' is not a coupon code: a code looks like K7QM-2XPA; or scan the QR."
            )
        return code

    @_serialized
    def use_coupon(self, text: str, cashier_id: str | None = None) -> Coupon:
        """Mark a coupon used (single use); refuses used, void, expired or forged."""
        coupon = self.check_coupon(text)
        if coupon.status != "issued":
            raise CouponUnusable(_unusable_message(coupon), status=coupon.status)
        _, terminal_id = self.terminal()
        now = iso(self._clock())
        with transaction(self._conn) as conn:
            # A copy that sells nothing (head office may hold this coupon used) hands
            # out no reward either.
            refuse_if_stale(conn, terminal_id)
            changed = conn.execute(
                "UPDATE coupons SET status = 'used', used_at = ?, used_terminal = ?, used_by = ? "
                "WHERE code = ? AND status = 'issued'",
                (now, terminal_id, cashier_id, coupon.code),
            ).rowcount
            if changed:
                _coupon_event(conn, coupon.code, "used", now, terminal_id)
        if changed != 1:
            return self.use_coupon(text, cashier_id)  # lost a race: report the new status
        return self.check_coupon(coupon.code)

    # -- checks ----------------------------------------------------------

    @_serialized
    def verify(self, quick: bool = False) -> list[Problem]:
        """All checks; ``quick`` uses SQLite's quick_check instead of integrity_check."""
        from ledger.verify import run_checks

        return run_checks(self._conn, quick)

    def all_entries(self) -> Iterator[Entry]:
        for row in self._conn.execute(f"SELECT {_COLS} FROM entries ORDER BY terminal_id, seq"):
            yield Entry.from_row(row)


def _coupon_event(conn: sqlite3.Connection, code: str, status: str, at: str, terminal: str) -> None:
    conn.execute(
        "INSERT INTO coupon_events (code, status, at, terminal_id) VALUES (?, ?, ?, ?)",
        (code, status, at, terminal),
    )


def _forged(text: str, code: str) -> Coupon:
    return Coupon(code, "", "", "", text.strip(), "", "", "forged")


def _unusable_message(coupon: Coupon) -> str:
    shown = couponlib.display_code(coupon.code) if coupon.code else "This coupon"
    return {
        "used": f"Coupon {shown} was already used.",
        "void": f"Coupon {shown} was cancelled (its redemption was reversed).",
        "expired": f"Coupon {shown} expired on {coupon.expires_at[:10]}.",
        "forged": "This coupon is not genuine (its signature does not match): do not accept it.",
    }.get(coupon.status, f"Coupon {shown} cannot be used ({coupon.status}).")
