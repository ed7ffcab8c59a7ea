"""Ledger benchmark: ``python -m bench.ledger``.

Prints exactly one JSON object on stdout; progress goes to stderr. This is a
benchmark, never a test: it asserts nothing about the numbers, it reports them
next to the targets.

Phases:

1. build (or reuse) ``bench/data/ledger-{members}-{entries}.db``: a valid ledger
   created through the real schema (``Ledger.open`` + ``init``), then filled in
   bulk by replaying two years of shop life (earns, some redemptions, the nightly
   ``expire`` job) with plain sqlite3 and the real hash chain;
2. lookups: ``Ledger.card(phone)`` with phones typed the national way
   (``08xxxxxxxx``), cold (file evicted from the OS page cache) and warm;
3. earns: durable ``Ledger.earn`` calls against the big ledger, interleaved in
   blocks with bare SQLite one-row transactions on the same disk;
4. verify: ``Ledger.verify()`` on a separate cached ledger of ``--verify-entries``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import platform
import queue
import random
import resource
import sqlite3
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from config import DEFAULT_TOML, Settings, load_settings
from ledger.chain import GENESIS, entry_hash
from ledger.clock import iso as ledger_iso
from ledger.models import ENTRY_COLUMNS
from ledger.rules import earn_points
from ledger.service import Ledger
from ledger.verify import CHECKS

DATA = Path(__file__).resolve().parent / "data"
STORE_ID, TERMINAL_ID = "S1", "T1"
TARGETS = {"lookup_p99_ms": 1.0, "earn_ratio": 0.6, "verify_1m_s": 10.0}

SECOND = 1_000_000  # timestamps are integer microseconds since the Unix epoch
DAY = 86_400 * SECOND
SPAN = 730 * DAY  # two years of history
NIGHTLY_UTC_HOUR = 20  # the expire job runs at 03:00 Bangkok time
CHUNK = 100_000  # entries per bulk transaction
REGULARS = 0.05  # this share of members ...
REGULAR_VISITS = 0.20  # ... makes this share of visits
REDEEM_CHANCE = 0.30  # a visit with >= 100 points redeems with this chance
REDEEM_COSTS = (380, 200, 100)  # below the approval threshold: no supervisor needed

_INSERT_ENTRY = (
    f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
)
_INSERT_LOT = (
    "INSERT INTO lots (entry_id, wallet_id, points, remaining, expired, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_NUL = "\x00"  # how entry_hash writes None
HASH_CHECK_EVERY = 997  # rows whose fast hash is compared with ledger.chain.entry_hash


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bench_settings() -> Settings:
    """The shipped defaults only: no user file, no environment."""
    return load_settings(DEFAULT_TOML, env={})


# -- data shapes ------------------------------------------------------------


def e164_of(index: int) -> str:
    """Member ``index`` -> a distinct Thai mobile, +66 8 and 8 digits.

    Multiplying by a number coprime to 10 permutes 0..10**8-1, so phones are
    distinct and spread over all 08x prefixes instead of counting up.
    """
    return f"+668{(index * 7_919_113 + 12_345_678) % 100_000_000:08d}"


def national(e164: str) -> str:
    """'+66812345678' -> '0812345678', the way a cashier types it."""
    return "0" + e164[3:]


class _Iso:
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


def _uuid7_factory(rng: random.Random) -> Callable[[int], str]:
    """UUIDv7 from a millisecond timestamp: the RFC 9562 layout of ``ledger.clock.uuid7``
    with seeded random bits, so a rebuild is reproducible."""
    bits = rng.getrandbits

    def make(ms: int) -> str:
        value = (ms << 80) | (7 << 76) | (bits(12) << 64) | (2 << 62) | bits(62)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    return make


def _now_us() -> int:
    return time.time_ns() // 1000


# -- the simulated shop -------------------------------------------------------


class ShopSim:
    """Two years of one terminal's life, entry by entry, in sequence order.

    It does what ``Ledger`` would have done: each visit first expires the
    member's due lots (``_expire_due``), then earns (tier from the rolling
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
        self.uuid7 = _uuid7_factory(random.Random(seed + 1))
        self.iso = _Iso()
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
        """``Ledger._expire_due``: one expire entry for the wallet's due lots."""
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
        """``Ledger.expire(as_of)``: every wallet with due lots, one transaction each."""
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


def _calibrate(settings: Settings, members: int, entries: int, start_us: int, seed: int) -> float:
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


# -- building a cached ledger ----------------------------------------------


BUILDER_VERSION = 2  # bump when the generated data changes: cached files are rebuilt


def _files(path: Path) -> list[Path]:
    """The database and everything that goes with it."""
    return [
        path,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        path.with_name(path.name + ".secrets"),
        path.with_name(path.name + ".build.json"),
    ]


def _write_rows(path: str, jobs: Any, errors: Any) -> None:
    """The writer process: bulk inserts, one transaction per job, so the
    simulation and hashing in the parent overlap SQLite's work on another CPU."""
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -2000000")  # ~2 GB
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        while (job := jobs.get()) is not None:
            conn.execute("BEGIN")
            for sql, rows in job:
                conn.executemany(sql, rows)
            conn.execute("COMMIT")
        # Back to what the ledger runs with (synchronous is per connection;
        # journal_mode is stored in the file).
        conn.execute("PRAGMA locking_mode = NORMAL")
        conn.execute("PRAGMA synchronous = FULL")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise RuntimeError(f"could not restore WAL (journal_mode is {mode})")
        conn.close()
        errors.put(None)
    except BaseException as exc:
        errors.put(repr(exc))
        raise


class _Writer:
    def __init__(self, path: Path) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.jobs = ctx.Queue(maxsize=2)
        self.errors = ctx.Queue()
        self.proc = ctx.Process(target=_write_rows, args=(str(path), self.jobs, self.errors))
        self.proc.start()

    def put(self, job: list[tuple[str, Any]]) -> None:
        while True:
            if not self.proc.is_alive():
                self.close()
            try:
                self.jobs.put(job, timeout=1)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        if self.proc.is_alive():
            self.jobs.put(None)
        self.proc.join()
        error = self.errors.get() if not self.errors.empty() else "writer died"
        if error is not None or self.proc.exitcode != 0:
            raise RuntimeError(f"bulk writer failed: {error} (exit code {self.proc.exitcode})")


def build_ledger(path: Path, members: int, entries: int, seed: int = 20_240_601) -> dict[str, Any]:
    """Build a valid ledger at ``path`` (through a temporary name, so an
    interrupted build is never reused). Returns the build facts, also kept
    beside it as ``<name>.build.json``."""
    started = time.perf_counter()
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    for stale in _files(tmp) + _files(path):
        stale.unlink(missing_ok=True)
    settings = bench_settings()
    iso = _Iso()
    for probe in (0, 1_700_000_000_123_456, 1_767_225_599_999_999):
        moment = datetime.fromtimestamp(probe // SECOND, UTC) + timedelta(
            microseconds=probe % SECOND
        )
        assert iso(probe) == ledger_iso(moment), "fast iso() differs from ledger.clock.iso"

    # 1. The real schema, meta and terminal row, exactly as `pos init` makes them.
    with Ledger.open(tmp, settings) as led:
        led.init(STORE_ID, TERMINAL_ID)

    end_us = _now_us() - 60 * SECOND
    start_us = end_us - SPAN
    log(f"build {path.name}: calibrating the expire job's share of entries")
    per_sale = _calibrate(settings, members, entries, start_us, seed)
    # Aim to end about half a percent before now; `run` never goes past end_us.
    gap = SPAN * 0.995 * per_sale / entries
    log(f"build {path.name}: {per_sale:.3f} entries per sale, one sale every {gap / SECOND:.1f} s")

    # 2. Bulk fill in another process: no journal, no fsync, big cache; triggers stay.
    writer = _Writer(tmp)
    done = {"entries": 0, "t": time.perf_counter()}

    def sink(rows: list[list[Any]], lots: list[tuple[Any, ...]]) -> None:
        writer.put([(_INSERT_ENTRY, rows), (_INSERT_LOT, lots)])
        done["entries"] += len(rows)
        elapsed = time.perf_counter() - started
        rate = done["entries"] / max(1e-9, time.perf_counter() - done["t"])
        left = (entries - done["entries"]) / max(rate, 1)
        log(
            f"build {path.name}: {done['entries']:,}/{entries:,} entries, "
            f"{rate:,.0f}/s, {elapsed:.0f}s so far, ~{left:.0f}s left"
        )

    sim = ShopSim(settings, members, entries, start_us, end_us, gap, seed, sink)
    enrolled = sim.enrol()
    for i in range(0, members, CHUNK):
        rows = [
            (member_id, e164_of(i + j), wallet_id, consent, at, TERMINAL_ID)
            for j, (wallet_id, member_id, consent, at) in enumerate(enrolled[i : i + CHUNK])
        ]
        writer.put(
            [
                (
                    "INSERT INTO members (member_id, phone, name, wallet_id, consent_at, "
                    "enrolled_at, terminal_id) VALUES (?, ?, NULL, ?, ?, ?, ?)",
                    rows,
                )
            ]
        )
    log(f"build {path.name}: {members:,} members enrolled, replaying {entries:,} entries")
    done["t"] = time.perf_counter()
    sim.run()
    sim.flush()
    writer.put([(_INSERT_LOT, sim.live_lots())])
    for i in range(0, members, CHUNK):
        rows = [
            (row[0], sim.balance[w], row[3]) for w, row in enumerate(enrolled[i : i + CHUNK], i)
        ]
        writer.put(
            [
                (
                    "INSERT INTO wallets (wallet_id, kind, balance, created_at) "
                    "VALUES (?, 'member', ?, ?)",
                    rows,
                )
            ]
        )
    writer.put(
        [
            (
                "UPDATE terminals SET last_seq = ?, last_hash = ? WHERE terminal_id = ?",
                [(sim.seq, sim.prev, TERMINAL_ID)],
            )
        ]
    )
    writer.close()

    for src, dst in zip(_files(tmp), _files(path), strict=True):
        if src.exists():
            src.rename(dst)
    facts = {
        "builder_version": BUILDER_VERSION,
        "members": members,
        "entries": sim.seq,
        "kinds": dict(sim.kinds),
        "entries_per_sale": round(per_sale, 3),
        "first_day": sim.iso(start_us)[:10],
        "last_entry_at": sim.iso(sim.last_us),
        "built_at": ledger_iso(datetime.now(UTC)),
        "build_s": round(time.perf_counter() - started, 1),
        "size_mb": round(path.stat().st_size / 2**20, 1),
        "schema": schema_fingerprint(path),
    }
    log(f"build {path.name}: done in {facts['build_s']} s, {facts['size_mb']} MB, {sim.kinds}")
    return facts


def schema_fingerprint(path: Path) -> str:
    """sha256 over user_version and every CREATE statement in the file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        rows = conn.execute(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()
    return hashlib.sha256(repr((version, rows)).encode()).hexdigest()[:16]


def current_schema() -> str:
    """The fingerprint of a fresh ledger made by the ledger code as it is now."""
    probe = DATA / f".schema-probe-{os.getpid()}.db"
    try:
        Ledger.open(probe, bench_settings()).close()
        return schema_fingerprint(probe)
    finally:
        for part in _files(probe):
            part.unlink(missing_ok=True)


def _build_child(path: str, members: int, entries: int, out: Any) -> None:
    facts = build_ledger(Path(path), members, entries)
    facts["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    Path(path + ".build.json").write_text(json.dumps(facts, indent=1) + "\n")
    out.put(facts)


def _stale(path: Path) -> str | None:
    """Why the cached ledger at ``path`` cannot be reused, or None."""
    if not path.exists():
        return "not built yet"
    sidecar = path.with_name(path.name + ".build.json")
    try:
        facts = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return "no build record"
    if facts.get("builder_version") != BUILDER_VERSION:
        return "made by an older version of this benchmark"
    try:  # let the ledger apply newer (appended) migrations first, as a till would
        Ledger.open(path, bench_settings()).close()
    except Exception as exc:
        return f"the ledger cannot open it ({exc})"
    if schema_fingerprint(path) != current_schema():
        return "its schema differs from a fresh ledger's (a migration was edited)"
    return None


def ensure_ledger(path: Path, members: int, entries: int, rebuild: bool) -> dict[str, Any]:
    """Build ``path`` in a child process unless a usable one is cached; returns
    the build facts with ``reused``. The child keeps the build's memory out of
    this process's peak RSS."""
    reason = "--rebuild" if rebuild else _stale(path)
    if reason is None:
        log(f"reusing {path} (pass --rebuild to make it again)")
        facts = json.loads(path.with_name(path.name + ".build.json").read_text())
        return {**facts, "reused": True}
    log(f"building {path}: {reason}")
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=_build_child, args=(str(path), members, entries, out))
    child.start()
    built: dict[str, Any] | None = None
    while built is None and (child.is_alive() or not out.empty()):
        try:
            built = out.get(timeout=1)
        except queue.Empty:
            continue
    child.join()
    if child.exitcode != 0 or built is None:
        raise SystemExit(f"building {path} failed (exit code {child.exitcode})")
    return {**built, "reused": False}


# -- measuring -------------------------------------------------------------


def pct(samples_ns: list[int], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(samples_ns)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] / 1e6


def evict(path: Path) -> bool:
    """Drop the file's pages from the OS page cache (only this file)."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for part in _files(path)[:2]:
        if part.exists():
            fd = os.open(part, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def prime(path: Path) -> float:
    """Read the whole file once so the OS page cache holds it; returns seconds."""
    started = time.perf_counter()
    with path.open("rb", buffering=0) as fh:
        while fh.read(8 << 20):
            pass
    return time.perf_counter() - started


def member_count(led: Ledger) -> tuple[int, int]:
    (members,) = led.conn.execute("SELECT count(*) FROM members").fetchone()
    (entries,) = led.conn.execute("SELECT coalesce(sum(last_seq), 0) FROM terminals").fetchone()
    return int(members), int(entries)


def sample_phones(rng: random.Random, members: int, count: int) -> list[str]:
    return [national(e164_of(rng.randrange(members))) for _ in range(count)]


def time_cards(led: Ledger, phones: Iterable[str], cpu: list[int] | None = None) -> list[int]:
    """Wall time of each ``card()`` call; with ``cpu``, also this thread's CPU time
    (wall minus CPU is waiting: disk, or other processes holding the CPUs)."""
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    samples = []
    for phone in phones:
        c0 = cpu_clock()
        t0 = clock()
        led.card(phone)
        samples.append(clock() - t0)
        if cpu is not None:
            cpu.append(cpu_clock() - c0)
    return samples


_NEXT_EXPIRY = (
    "SELECT expires_at FROM lots WHERE wallet_id = ? AND remaining > 0 ORDER BY expires_at LIMIT 1"
)
_EXPIRY_POINTS = (
    "SELECT sum(remaining) FROM lots WHERE wallet_id = ? AND remaining > 0 "
    "AND expires_at >= ? AND expires_at < ?"
)


def card_parts(led: Ledger, phones: list[str]) -> dict[str, dict[str, float]]:
    """Time the steps ``Ledger.card`` takes, one by one (the two lots queries are
    copies of the SQL inlined in ``card``)."""
    clock = time.perf_counter_ns
    parts: dict[str, list[int]] = {
        k: [] for k in ("normalize", "member_row", "spend_12m", "next_expiry", "recent_5")
    }
    conn = led.conn
    for phone in phones:
        t0 = clock()
        e164 = led.normalize(phone)
        t1 = clock()
        row = led._member_row(e164)
        t2 = clock()
        led._spend_12m(row[3])
        t3 = clock()
        first = conn.execute(_NEXT_EXPIRY, (row[3],)).fetchone()
        if first is not None:
            day = first[0][:10]
            conn.execute(_EXPIRY_POINTS, (row[3], day, day + "T99")).fetchone()
        t4 = clock()
        led._entries_of(row[3], 5)
        t5 = clock()
        for name, dt in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            parts[name].append(dt)
    return {
        name: {"p50_us": round(pct(v, 50) * 1000, 1), "p99_us": round(pct(v, 99) * 1000, 1)}
        for name, v in parts.items()
    }


def query_plans(led: Ledger) -> dict[str, list[str]]:
    wallet = "00000000-0000-7000-8000-000000000000"
    since = "2000-01-01T00:00:00.000000Z"
    queries = {
        "member_row": (
            "SELECT m.member_id, m.phone, m.name, m.wallet_id, m.consent_at, m.enrolled_at, "
            "w.balance FROM members m JOIN wallets w USING (wallet_id) WHERE m.phone = ?",
            ("+66800000000",),
        ),
        "spend_12m": (
            "SELECT coalesce(sum(amount_minor), 0) FROM entries WHERE wallet_id = ? "
            "AND created_at >= ? AND kind IN ('earn', 'reverse') AND amount_minor IS NOT NULL",
            (wallet, since),
        ),
        "next_expiry": (_NEXT_EXPIRY, (wallet,)),
        "recent_5": (
            f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries WHERE wallet_id = ? "
            "ORDER BY created_at DESC, seq DESC LIMIT ?",
            (wallet, 5),
        ),
    }
    return {
        name: [r[3] for r in led.conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
        for name, (sql, args) in queries.items()
    }


def bench_lookups(
    path: Path, settings: Settings, members: int, args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if args.cold_lookups > 0:
        evicted = evict(path)
        with Ledger.open(path, settings) as led:
            cold = time_cards(led, sample_phones(rng, members, args.cold_lookups))
        result.update(
            lookup_cold_n=len(cold),
            lookup_cold_p50_ms=round(pct(cold, 50), 3),
            lookup_cold_p99_ms=round(pct(cold, 99), 3),
            lookup_cold_max_ms=round(max(cold) / 1e6, 3),
            lookup_cold_evicted=evicted,
        )
        log(
            f"lookups cold (file evicted from the OS cache, fresh connection): "
            f"p50 {result['lookup_cold_p50_ms']} ms, p99 {result['lookup_cold_p99_ms']} ms"
        )
    result["prime_read_s"] = round(prime(path), 2)
    with Ledger.open(path, settings) as led:
        time_cards(led, sample_phones(rng, members, args.warmup))
        cpu: list[int] = []
        warm = time_cards(led, sample_phones(rng, members, args.lookups), cpu)
        result.update(
            lookups=len(warm),
            lookup_p50_ms=round(pct(warm, 50), 3),
            lookup_p99_ms=round(pct(warm, 99), 3),
            lookup_max_ms=round(max(warm) / 1e6, 3),
            lookup_cpu_p50_ms=round(pct(cpu, 50), 3),
            lookup_cpu_p99_ms=round(pct(cpu, 99), 3),
        )
        log(
            f"lookups warm: p50 {result['lookup_p50_ms']} ms, "
            f"p99 {result['lookup_p99_ms']} ms over {len(warm)}"
        )
        result["card_parts"] = card_parts(led, sample_phones(rng, members, min(2000, args.lookups)))
        result["query_plans"] = query_plans(led)
    return result


def _bare_db(path: Path) -> sqlite3.Connection:
    for part in _files(path):
        part.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    return conn


def bench_earns(
    path: Path, settings: Settings, members: int, args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    """Durable earns against the big ledger vs one-row transactions in bare SQLite,
    in alternating blocks (earn first in even blocks, bare first in odd ones)."""
    blocks = max(1, args.blocks)
    per_block = max(1, args.earns // blocks)
    run = uuid.uuid4().hex[:12]
    bare_path = path.with_name("bare-sqlite.db")
    bare = _bare_db(bare_path)
    earn_ns: list[int] = []
    earn_total = bare_total = 0.0
    clock = time.perf_counter_ns
    budget = args.earn_budget_s / blocks if args.earn_budget_s else math.inf
    capped = False
    with Ledger.open(path, settings) as led:
        (seq_before,) = led.conn.execute(
            "SELECT last_seq FROM terminals WHERE terminal_id = ?", (TERMINAL_ID,)
        ).fetchone()
        # a few untimed earns and bare rows: imports, caches, the first WAL frames
        for i in range(20):
            led.earn(national(e164_of(rng.randrange(members))), "100.00", f"bench-{run}-w{i}")
            bare.execute("BEGIN IMMEDIATE")
            bare.execute("INSERT INTO t (v) VALUES (?)", (f"warm-{i}",))
            bare.execute("COMMIT")
        for block in range(blocks):
            sales = [
                (
                    national(e164_of(rng.randrange(members))),
                    f"{rng.randint(20, 2000)}.{rng.randint(0, 99):02d}",
                    f"bench-{run}-{block}-{i}",
                )
                for i in range(per_block)
            ]
            for step in ("earn", "bare") if block % 2 == 0 else ("bare", "earn"):
                started = time.perf_counter()
                if step == "earn":
                    for phone, amount, ref in sales:
                        t0 = clock()
                        led.earn(phone, amount, ref)
                        earn_ns.append(clock() - t0)
                        if time.perf_counter() - started > budget:
                            capped = True
                            break
                    earn_total += time.perf_counter() - started
                else:
                    for i in range(per_block):
                        bare.execute("BEGIN IMMEDIATE")
                        bare.execute("INSERT INTO t (v) VALUES (?)", (f"{run}-{block}-{i}",))
                        bare.execute("COMMIT")
                    bare_total += time.perf_counter() - started
            log(
                f"earn block {block + 1}/{blocks}: earn {len(earn_ns) / earn_total:,.0f}/s, "
                f"bare {(block + 1) * per_block / bare_total:,.0f}/s so far"
            )
        (expires,) = led.conn.execute(
            "SELECT count(*) FROM entries WHERE terminal_id = ? AND seq > ? AND kind = 'expire'",
            (TERMINAL_ID, seq_before),
        ).fetchone()
    bare.close()
    for part in _files(bare_path):
        part.unlink(missing_ok=True)
    earn_rate = len(earn_ns) / earn_total
    bare_rate = blocks * per_block / bare_total
    return {
        "earns": len(earn_ns),
        "earn_blocks": blocks,
        "earn_per_s": round(earn_rate, 1),
        "bare_sqlite_per_s": round(bare_rate, 1),
        "earn_ratio": round(earn_rate / bare_rate, 3),
        "earn_p50_ms": round(pct(earn_ns, 50), 3),
        "earn_p99_ms": round(pct(earn_ns, 99), 3),
        "earn_expire_entries": int(expires),
        "earn_budget_hit": capped,
    }


def bench_verify(path: Path, settings: Settings) -> dict[str, Any]:
    prime(path)
    with Ledger.open(path, settings) as led:
        _, entries = member_count(led)
        started = time.perf_counter()
        problems = led.verify()
        seconds = time.perf_counter() - started
    with Ledger.open(path, settings) as led:
        started = time.perf_counter()
        led.verify(quick=True)
        quick = time.perf_counter() - started
    result: dict[str, Any] = {
        "verify_entries": entries,
        "verify_s": round(seconds, 2),
        "verify_1m_s": round(seconds * 1_000_000 / max(1, entries), 2),
        "verify_1m_quick_s": round(quick * 1_000_000 / max(1, entries), 2),
        "verify_1m_s_extrapolated": entries != 1_000_000,
    }
    parts = {}
    with Ledger.open(path, settings) as led:
        for check in CHECKS:
            started = time.perf_counter()
            check(led.conn)
            parts[check.__name__] = round(time.perf_counter() - started, 2)
    result["verify_parts_s"] = parts
    if problems:
        log(f"WARNING: verify found {len(problems)} problem(s) in {path}: {problems[:3]}")
        result["verify_problems"] = [p.to_dict() for p in problems]
    log(f"verify of {entries:,} entries: {seconds:.2f} s, {len(problems)} problem(s)")
    return result


# -- main ------------------------------------------------------------------


def _count(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__.splitlines()[0])
    p.add_argument("--members", type=_count, default=1_000_000)
    p.add_argument("--entries", type=_count, default=10_000_000)
    p.add_argument("--earns", type=_count, default=2000, help="durable earns (and bare rows)")
    p.add_argument("--blocks", type=_count, default=4, help="alternating earn/bare blocks")
    p.add_argument(
        "--earn-budget-s",
        type=float,
        default=300.0,
        help="stop each earn block after its share of this many seconds (0 = no limit)",
    )
    p.add_argument("--lookups", type=_count, default=5000)
    p.add_argument("--warmup", type=_count, default=500, help="untimed lookups first")
    p.add_argument("--cold-lookups", type=_count, default=200, help="0 = skip the cold pass")
    p.add_argument("--verify-entries", type=_count, default=1_000_000, help="0 = skip verify")
    p.add_argument("--verify-main", action="store_true", help="also time verify on the big db")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    if args.members < 1 or args.entries < 1:
        p.error("--members and --entries must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    settings = bench_settings()
    rng = random.Random(args.seed)
    out: dict[str, Any] = {"members": args.members, "entries": args.entries}
    load_start = [round(x, 2) for x in os.getloadavg()]

    main_db = DATA / f"ledger-{args.members}-{args.entries}.db"
    out["build"] = ensure_ledger(main_db, args.members, args.entries, args.rebuild)
    verify_db = DATA / f"ledger-verify-{args.verify_entries}.db"
    if args.verify_entries:
        out["verify_build"] = ensure_ledger(
            verify_db, max(100, args.verify_entries // 10), args.verify_entries, args.rebuild
        )
    build_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    with Ledger.open(main_db, settings) as led:
        out["members"], out["entries"] = member_count(led)
    out["db_mb"] = round(main_db.stat().st_size / 2**20, 1)

    out.update(bench_lookups(main_db, settings, out["members"], args, rng))
    if args.earns:
        out.update(bench_earns(main_db, settings, out["members"], args, rng))
    if args.verify_entries:
        out.update(bench_verify(verify_db, settings))
    if args.verify_main:
        with Ledger.open(main_db, settings) as led:
            started = time.perf_counter()
            problems = led.verify()
            out["verify_main_s"] = round(time.perf_counter() - started, 2)
            if problems:
                out["verify_main_problems"] = [p.to_dict() for p in problems]

    out["targets"] = TARGETS
    checks = {
        "lookup_p99_ms": out.get("lookup_p99_ms", math.inf) <= TARGETS["lookup_p99_ms"],
        "earn_ratio": out.get("earn_ratio", 0) >= TARGETS["earn_ratio"],
        "verify_1m_s": out.get("verify_1m_s", math.inf) <= TARGETS["verify_1m_s"],
    }
    out["meets_targets"] = checks
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["build_peak_rss_mb"] = round(build_rss, 1) if build_rss else None
    out["loadavg_start"] = load_start  # 1/5/15-minute load: other work on the machine
    out["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    out["sqlite_version"] = sqlite3.sqlite_version
    out["python"] = platform.python_version()
    out["cpus"] = os.cpu_count()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
