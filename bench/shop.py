"""The simulated shop: two years of one terminal's life, entry by entry, the
way ``Ledger`` would have written them, for ``bench.build`` to store in bulk."""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections import deque
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench.common import STORE_ID, TERMINAL_ID
from config import Settings
from ledger.chain import GENESIS, entry_hash
from ledger.rules import earn_points

SECOND = 1_000_000  # timestamps are integer microseconds since the Unix epoch
DAY = 86_400 * SECOND
SPAN = 730 * DAY  # two years of history
NIGHTLY_UTC_HOUR = 20  # the expire job runs at 03:00 Bangkok time
CHUNK = 100_000  # entries per bulk transaction
REGULARS = 0.05  # this share of members ...
REGULAR_VISITS = 0.20  # ... makes this share of visits
REDEEM_CHANCE = 0.30  # a visit with >= 100 points redeems with this chance
REDEEM_COSTS = (380, 200, 100)  # below the approval threshold: no supervisor needed
_NUL = "\x00"  # how entry_hash writes None
HASH_CHECK_EVERY = 997  # rows whose fast hash is compared with ledger.chain.entry_hash


class Iso:
    """Fast ``ledger.clock.iso`` for integer microseconds (checked against it)."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._epoch = date(1970, 1, 1)

    def __call__(self, us: int) -> str:
        secs, frac = divmod(us, SECOND)
        day, sod = divmod(secs, 86_400)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = (self._epoch + timedelta(days=day)).isoformat()
        hours, rest = divmod(sod, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{text}T{hours:02d}:{minutes:02d}:{seconds:02d}.{frac:06d}Z"


def uuid7_factory(rng: random.Random) -> Callable[[int], str]:
    """UUIDv7 from a millisecond timestamp: the RFC 9562 layout of ``ledger.clock.uuid7``
    with seeded random bits, so a rebuild is reproducible."""
    bits = rng.getrandbits

    def make(ms: int) -> str:
        value = (ms << 80) | (7 << 76) | (bits(12) << 64) | (2 << 62) | bits(62)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    return make


def now_us() -> int:
    return time.time_ns() // 1000


class ShopSim:
    """Two years of one terminal's life, entry by entry, in sequence order.

    It does what ``Ledger`` would have done: each visit first expires the
    member's due lots (``ledger.expiry.expire_due``), then earns (tier from the rolling
    12-month spend, ``earn_points``, one lot) or redeems (FIFO from the oldest
    lots); every night at 20:00 UTC the ``expire`` job writes one entry per
    wallet with due points. Balances never go below zero, so the lots' remaining
    points always add up to the balance.

    Rows go to ``sink(entries, lots)`` in chunks; with ``sink=None`` nothing is
    hashed or kept (a dry run to learn how many entries the expire job adds).
    """

    def __init__(
        self,
        settings: Settings,
        members: int,
        entries: int,
        start_us: int,
        end_us: int,
        gap_us: float,
        seed: int,
        sink: Callable[[list[list[Any]], list[tuple[Any, ...]]], None] | None,
    ) -> None:
        self.rng = random.Random(seed)
        self.uuid7 = uuid7_factory(random.Random(seed + 1))
        self.iso = Iso()
        self.members = members
        self.target = entries
        self.start_us, self.end_us, self.gap_us = start_us, end_us, gap_us
        self.sink = sink
        self.expiry_us = settings.earn.expiry_days * DAY
        self.threshold = settings.redeem.approval_threshold
        self.tiers = list(settings.tiers)
        self.tier_floor = [int(t.min_spend * 100) for t in self.tiers]
        self.spend_per_point = int(settings.earn.spend_per_point * 100)
        self.currency = settings.locale.currency
        self.redeem_rules = json.dumps(
            {"approval_threshold": self.threshold}, sort_keys=True, separators=(",", ":")
        )
        self._earn_cache: dict[tuple[int, int], tuple[int, str]] = {}
        # member state
        self.wallet_ids: list[str] = []
        self.member_ids: list[str] = []
        self.balance = [0] * members
        self.spend = [0] * members
        # per wallet, oldest first:
        # [expires_us, entry_id, points, remaining, amount_minor, expired]
        self.lots: list[list[list[Any]] | None] = [None] * members
        self.due: deque[tuple[int, int]] = deque()  # (expires_us, wallet), in expiry order
        # output
        self.seq = 0
        self.prev = GENESIS
        self.out_entries: list[list[Any]] = []
        self.out_lots: list[tuple[Any, ...]] = []
        self.kinds = {"earn": 0, "redeem": 0, "expire": 0}
        self.last_us = start_us

    # ids and enrolment ------------------------------------------------------

    def enrol(self) -> list[tuple[str, str, str | None, str]]:
        """Members enrolled during the year before the window; returns
        (wallet_id, member_id, consent_at, enrolled_at) in enrolment order."""
        rng, iso = self.rng, self.iso
        first = self.start_us - 365 * DAY
        moments = sorted(first + int(rng.random() * 365 * DAY) for _ in range(self.members))
        rows = []
        for us in moments:
            wallet_id, member_id = self.uuid7(us // 1000), self.uuid7(us // 1000)
            at = iso(us)
            rows.append((wallet_id, member_id, at if rng.random() < 0.7 else None, at))
            self.wallet_ids.append(wallet_id)
            self.member_ids.append(member_id)
        return rows

    # entries ------------------------------------------------------------------

    def _append(
        self,
        w: int,
        kind: str,
        points: int,
        amount: int | None,
        ref: str | None,
        rules: str | None,
        created: str,
        us: int,
    ) -> str:
        self.seq += 1
        self.balance[w] += points
        self.kinds[kind] += 1
        entry_id = self.uuid7(us // 1000)
        if self.sink is not None:
            wallet_id, member_id, balance = self.wallet_ids[w], self.member_ids[w], self.balance[w]
            currency = self.currency if amount is not None else None
            fields: list[Any] = [
                entry_id,
                wallet_id,
                member_id,
                kind,
                points,
                balance,
                amount,
                currency,
                ref,
                TERMINAL_ID,
                STORE_ID,
                None,
                None,
                None,
                None,
                rules,
                created,
                self.seq,
                self.prev,
            ]
            # entry_hash, spelled out for these columns (3x faster); checked below.
            text = (
                f"{entry_id}\x1f{wallet_id}\x1f{member_id}\x1f{kind}\x1f{points}\x1f{balance}"
                f"\x1f{_NUL if amount is None else amount}"
                f"\x1f{_NUL if currency is None else currency}"
                f"\x1f{_NUL if ref is None else ref}\x1f{TERMINAL_ID}\x1f{STORE_ID}"
                f"\x1f{_NUL}\x1f{_NUL}\x1f{_NUL}\x1f{_NUL}\x1f{_NUL if rules is None else rules}"
                f"\x1f{created}\x1f{self.seq}\x1f{self.prev}"
            )
            digest = hashlib.sha256(text.encode()).hexdigest()
            if self.seq % HASH_CHECK_EVERY == 1 and digest != entry_hash(fields):
                raise AssertionError("the bench's hash differs from ledger.chain.entry_hash")
            self.prev = digest
            fields.append(digest)
            self.out_entries.append(fields)
            if len(self.out_entries) >= CHUNK:
                self.flush()
        return entry_id

    def flush(self) -> None:
        if self.sink is not None and (self.out_entries or self.out_lots):
            self.sink(self.out_entries, self.out_lots)
        self.out_entries, self.out_lots = [], []

    def _retire(self, w: int, lot: list[Any]) -> None:
        """A lot leaves the live list with its final remaining points."""
        self.spend[w] -= lot[4]
        if lot[2] > 0 and self.sink is not None:
            self.out_lots.append(
                (lot[1], self.wallet_ids[w], lot[2], lot[3], lot[5], self.iso(lot[0]))
            )

    def expire_due(self, w: int, cutoff_us: int, at_us: int) -> None:
        """``ledger.expiry.expire_due``: one expire entry for the wallet's due lots.

        Its rules name every lot and no ``lots_count`` (the ledger's since
        e4c8efc): nothing timed reads them, and changing them would rebuild the
        cached ledgers."""
        lots = self.lots[w]
        if not lots or lots[0][0] > cutoff_us or self.seq >= self.target:
            return
        taken: dict[str, int] = {}
        while lots and lots[0][0] <= cutoff_us:
            lot = lots.pop(0)
            if lot[3] > 0:
                taken[lot[1]] = lot[3]
                lot[5] += lot[3]  # UPDATE lots SET expired = expired + remaining, remaining = 0
                lot[3] = 0
            self._retire(w, lot)
        if taken:
            rules = json.dumps(
                {"as_of": self.iso(cutoff_us), "lots": taken},
                sort_keys=True,
                separators=(",", ":"),
            )
            self._append(
                w, "expire", -sum(taken.values()), None, None, rules, self.iso(at_us), at_us
            )

    def nightly(self, cutoff_us: int) -> None:
        """``ledger.expiry.expire`` (``Ledger.expire(as_of)``): every wallet with
        due lots, one transaction each."""
        wallets: dict[int, None] = {}
        due = self.due
        while due and due[0][0] <= cutoff_us:
            wallets[due.popleft()[1]] = None
        at = cutoff_us
        for w in wallets:
            at += 10
            self.expire_due(w, cutoff_us, at)
        self.last_us = max(self.last_us, at)

    def _earn_result(self, amount: int, tier: int) -> tuple[int, str]:
        base = amount // self.spend_per_point
        key = (base, tier)
        hit = self._earn_cache.get(key)
        if hit is None:
            result = earn_points(
                base * self.spend_per_point, self.spend_per_point, self.tiers[tier]
            )
            rules = json.dumps(result.rules, sort_keys=True, separators=(",", ":"))
            hit = self._earn_cache[key] = (result.points, rules)
        return hit

    def visit(self, w: int, us: int) -> None:
        rng = self.rng
        created = self.iso(us)
        self.expire_due(w, us, us)  # same transaction and clock as the sale
        if self.seq >= self.target:
            return
        balance = self.balance[w]
        if balance >= REDEEM_COSTS[-1] and rng.random() < REDEEM_CHANCE:
            cost = next(c for c in REDEEM_COSTS if c <= balance)
            self._append(
                w, "redeem", -cost, None, f"R{self.seq + 1:09d}", self.redeem_rules, created, us
            )
            left = cost
            for lot in self.lots[w] or ():
                if left == 0:
                    break
                take = min(left, lot[3])
                lot[3] -= take
                left -= take
            return
        # A sale: log-normal around 350 THB, 20 THB to 50,000 THB, whole satang.
        amount = int(min(max(rng.lognormvariate(math.log(350), 0.8), 20), 50_000) * 100)
        spend = self.spend[w]
        tier = 0
        for i, floor in enumerate(self.tier_floor):
            if spend >= floor:
                tier = i
        points, rules = self._earn_result(amount, tier)
        entry_id = self._append(
            w, "earn", points, amount, f"B{self.seq + 1:09d}", rules, created, us
        )
        # Zero-point sales get no lot in the ledger but still count towards the tier,
        # so they are tracked here too (and never written as lots).
        lot = [us + self.expiry_us, entry_id, points, points, amount, 0]
        if self.lots[w] is None:
            self.lots[w] = []
        self.lots[w].append(lot)  # type: ignore[union-attr]
        self.spend[w] += amount
        self.due.append((lot[0], w))

    def run(self) -> None:
        rng, members = self.rng, self.members
        regulars = max(1, int(members * REGULARS))
        us = self.start_us
        night = (self.start_us // DAY) * DAY + NIGHTLY_UTC_HOUR * 3600 * SECOND
        if night <= self.start_us:
            night += DAY
        while self.seq < self.target:
            us = max(us + max(1, int(rng.expovariate(1.0) * self.gap_us)), self.last_us + 1)
            us = min(us, max(self.end_us, self.last_us + 1))  # never past "now"
            while night < us and self.seq < self.target:
                self.nightly(night)
                night += DAY
                us = max(us, self.last_us + 1)
            if self.seq >= self.target:
                break
            if rng.random() < REGULAR_VISITS:
                w = int(rng.random() * regulars)
            else:
                w = int(rng.random() * members)
            self.visit(w, us)
            self.last_us = us

    def live_lots(self) -> list[tuple[Any, ...]]:
        rows = []
        for w, lots in enumerate(self.lots):
            for lot in lots or ():
                if lot[2] > 0:
                    rows.append((lot[0], lot[1], self.wallet_ids[w], lot[2], lot[3], lot[5]))
        rows.sort()
        return [(e, wid, pts, rem, gone, self.iso(exp)) for exp, e, wid, pts, rem, gone in rows]


def calibrate(settings: Settings, members: int, entries: int, start_us: int, seed: int) -> float:
    """How many entries per sale, counting the expire job's entries.

    A dry run at a smaller scale with the same visits per member: the expire
    entries depend on how often a member comes back, not on the ledger's size.
    """
    scale = max(1, entries // 200_000)
    dry_members, dry_entries = max(100, members // scale), max(1000, entries // scale)
    per_sale = 1.6  # first guess, refined twice
    for _ in range(2):
        gap = SPAN * per_sale / dry_entries
        end = start_us + 10 * SPAN  # no clamping in the dry run
        sim = ShopSim(settings, dry_members, dry_entries, start_us, end, gap, seed, None)
        sim.enrol()
        sim.run()
        sales = sim.kinds["earn"] + sim.kinds["redeem"]
        per_sale = sim.seq / max(1, sales)
    return per_sale
