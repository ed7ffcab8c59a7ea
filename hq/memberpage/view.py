"""What a member's page shows, read from head office's copy of the journal.

Head office has entries, not the tills' lots, so the points expiring next are
worked out here the way a till keeps its lots (ledger/lots.py): every entry
that adds points opens a lot expiring ``earn.expiry_days`` after it was
written (only the part above zero when the wallet was below zero); entries
that take points take them from the reversed earn's own lot first, then the
oldest. Transfers between the wallets of one member (a merge) are left out:
they move points inside the group. The result can differ from a till's for
entries that arrived there in another order or under an older expiry
setting; the slip a till prints stays its own account.

Tiers, expiry days, rewards and the time zone are the rules head office
publishes, read as a till reads them (``sync.protocol.rules_in_effect``: the
shipped defaults where the rules say nothing).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from hq.db import Conn
from hq.members import service as members
from hq.rules import service as rules
from sync.protocol import rules_in_effect

_UTC = ZoneInfo("UTC")
YEAR = timedelta(days=365)  # the tills' rolling 12 months (ledger/members.py)
VISITS = 5
_VISIT_KINDS = ("earn", "redeem")


@dataclass(frozen=True)
class Tier:
    name_th: str
    name_en: str
    min_spend_minor: int


@dataclass(frozen=True)
class Coupon:
    code: str
    reward_th: str
    reward_en: str
    valid_until: datetime | None


@dataclass(frozen=True)
class Visit:
    at: datetime
    store: str
    kind: str
    points: int


@dataclass
class Page:
    masked_phone: str
    name: str | None
    balance: int
    tier: Tier
    next_tier: Tier | None
    spend_12m_minor: int
    currency: str
    expiring_points: int = 0
    expiring_on: datetime | None = None
    coupons: list[Coupon] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    updated_at: datetime | None = None
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @property
    def to_next_minor(self) -> int:
        return (
            0
            if self.next_tier is None
            else max(0, self.next_tier.min_spend_minor - self.spend_12m_minor)
        )

    @property
    def progress_percent(self) -> int:
        if self.next_tier is None:
            return 100
        low, high = self.tier.min_spend_minor, self.next_tier.min_spend_minor
        if high <= low:
            return 100
        return max(0, min(100, (self.spend_12m_minor - low) * 100 // (high - low)))


# The rules in effect, read once per published version (building them runs the
# tills' settings schema).
_rules_lock = threading.Lock()
_rules_cache: dict[int, Any] = {}


def rules_now(conn: Conn) -> Any:
    version, body = rules.current(conn)
    with _rules_lock:
        found = _rules_cache.get(version)
    if found is None:
        found = rules_in_effect(body)
        with _rules_lock:
            _rules_cache.clear()
            _rules_cache[version] = found
    return found


def mask(phone: str | None, region: str) -> str:
    """08x-xxx-5678: the national form, all but the first two and last four digits hidden."""
    if not phone:
        return "-"
    try:
        shown = phonenumbers.format_number(
            phonenumbers.parse(phone, region), phonenumbers.PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        shown = phone
    shown = shown.replace(" ", "-")  # as the slips write it: 08x-xxx-5678
    digits = [i for i, c in enumerate(shown) if c.isdigit()]
    hidden = set(digits[2:-4])
    return "".join("x" if i in hidden else c for i, c in enumerate(shown))


def _zone(settings: Any) -> ZoneInfo:
    name = settings.locale.timezone or (
        "Asia/Bangkok" if settings.locale.region == "TH" else "UTC"
    )  # "" means the till's own zone; head office takes the region's
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _minor(amount: Decimal) -> int:
    return int(amount * 100)  # the chain's currency in minor units (baht: satang)


def _tiers(settings: Any) -> list[Tier]:
    found = [Tier(t.name_th, t.name_en, _minor(t.min_spend)) for t in settings.tiers]
    return sorted(found, key=lambda t: t.min_spend_minor)


def next_expiry(
    entries: list[tuple[Any, ...]], expiry: timedelta, now: datetime, zone: ZoneInfo = _UTC
) -> tuple[int, datetime | None]:
    """(points, moment) of what expires next after ``now``: the points of every lot
    ending on the shop's day (in ``zone``) of the earliest, as a till shows it; FIFO
    as ledger/lots.py. ``entries``: (entry_id, kind, points, created_at, reverses),
    oldest first."""
    lots: list[list[Any]] = []  # [expires_at, entry_id, remaining]
    balance = 0
    for entry_id, kind, points, created_at, reverses in entries:
        if kind == "transfer" or points == 0:
            continue
        before, balance = balance, balance + points
        if points > 0:
            remaining = max(balance, 0) - max(before, 0)
            lots.append([_when(created_at) + expiry, entry_id, remaining])
            continue
        left = -points
        for lot in sorted(lots, key=lambda x: (x[1] != reverses, x[0], x[1])):
            if left == 0:
                break
            take = min(left, lot[2])
            lot[2] -= take
            left -= take
    upcoming = [lot for lot in lots if lot[2] > 0 and lot[0] > now]
    if not upcoming:
        return 0, None
    first = min(lot[0] for lot in upcoming)
    day = first.astimezone(zone).date()
    return sum(lot[2] for lot in upcoming if lot[0].astimezone(zone).date() == day), first


def page(conn: Conn, member_id: str, now: datetime | None = None) -> Page | None:
    """The page of the member a token names; None if it has none (forgotten)."""
    now = now or datetime.now(UTC)
    row = conn.execute(
        "SELECT coalesce(c.member_id, m.member_id), coalesce(c.phone, m.phone), "
        "       coalesce(c.name, m.name), coalesce(c.wallet_id, m.wallet_id), "
        "       m.erased_at IS NOT NULL OR c.erased_at IS NOT NULL, m.updated_at "
        "FROM members m LEFT JOIN members c ON c.member_id = m.merged_into "
        "WHERE m.member_id = %s",
        (member_id,),
    ).fetchone()
    if row is None or row[4] or row[1] is None:
        return None
    canonical, phone, name, wallet, _, member_updated = row
    settings = rules_now(conn)
    wallets = [wallet] + [
        r[0]
        for r in conn.execute(
            "SELECT merged_wallet_id FROM member_merges WHERE wallet_id = %s", (wallet,)
        ).fetchall()
    ]
    entries = conn.execute(
        "SELECT entry_id, kind, points, created_at, reverses, amount_minor, store_id, "
        "       terminal_id FROM entries WHERE wallet_id = ANY(%s) ORDER BY created_at, entry_id",
        (wallets,),
    ).fetchall()
    tiers = _tiers(settings)
    since = now - YEAR
    spend = sum(
        int(e[5]) for e in entries
        if e[1] in ("earn", "reverse") and e[5] is not None and _when(e[3]) >= since
    )  # fmt: skip
    tier = tiers[0]
    for candidate in tiers:
        if spend >= candidate.min_spend_minor:
            tier = candidate
    higher = [t for t in tiers if t.min_spend_minor > tier.min_spend_minor]
    shown = Page(
        masked_phone=mask(phone, settings.locale.region),
        name=name,
        balance=members.balance(conn, wallet),
        tier=tier,
        next_tier=higher[0] if higher else None,
        spend_12m_minor=spend,
        currency=settings.locale.currency,
        zone=_zone(settings),
    )
    shown.expiring_points, shown.expiring_on = next_expiry(
        [(e[0], e[1], int(e[2]), e[3], e[4]) for e in entries],
        timedelta(days=settings.earn.expiry_days),
        now,
        shown.zone,
    )
    shown.coupons = _coupons(conn, canonical, settings, now)
    stores: dict[str, str] = dict(conn.execute("SELECT store_id, name FROM stores").fetchall())
    visits = [e for e in reversed(entries) if e[1] in _VISIT_KINDS][:VISITS]
    shown.visits = [
        Visit(_when(e[3]), str(stores.get(e[6], e[6])), e[1], int(e[2])) for e in visits
    ]
    terminals = sorted({e[7] for e in entries})
    pushed = conn.execute(
        "SELECT max(last_push_at) FROM terminals WHERE terminal_id = ANY(%s)", (terminals,)
    ).fetchone()
    shown.updated_at = pushed[0] if pushed and pushed[0] else member_updated
    return shown


def _coupons(conn: Conn, canonical: str, settings: Any, now: datetime) -> list[Coupon]:
    rewards = {r.id: r for r in settings.rewards}
    rows = conn.execute(
        "SELECT code, reward_id, issued_at FROM coupons WHERE status = 'issued' AND member_id IN "
        " (SELECT %(m)s UNION SELECT merged_member_id FROM member_merges WHERE member_id = %(m)s) "
        "ORDER BY issued_at, code",
        {"m": canonical},
    ).fetchall()
    found = []
    for code, reward_id, issued_at in rows:
        reward = rewards.get(reward_id)
        until = None
        if reward is not None and issued_at:
            until = _when(issued_at) + timedelta(days=reward.validity_days)
            if until <= now:
                continue  # expired: no use showing it
        name_th = reward.name_th if reward else str(reward_id)
        name_en = reward.name_en if reward else str(reward_id)
        found.append(Coupon(f"{code[:4]}-{code[4:]}", name_th, name_en, until))
    return found
