"""Building the cached ledgers ``bench.ledger`` measures, and deciding when a
cached one can be reused.

A ledger is made by the real schema (``Ledger.open`` + ``init``), then filled
in bulk from ``bench.shop``'s simulation by a second process, so SQLite works
while Python simulates and hashes the next chunk. Entries go in through the
journal's own bulk writer (``ledger.journal.store_rows``, the ledger's one
entry ``INSERT``), so its triggers keep what they keep (the daily spend).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import resource
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import DATA, STORE_ID, TERMINAL_ID, bench_settings, e164_of, files_of, log
from bench.shop import CHUNK, SECOND, SPAN, Iso, ShopSim, calibrate, now_us
from ledger import journal
from ledger.clock import iso as ledger_iso
from ledger.service import Ledger

BUILDER_VERSION = 2  # bump when the generated data changes: cached files are rebuilt

# The ledger has no bulk writer for these (members and wallets are enrolled
# one by one, each in its own transaction; a lot is opened by its entry; the
# chain head moves with each append), so the build writes them itself.
_BULK_SQL = {
    "members": "INSERT INTO members (member_id, phone, name, wallet_id, consent_at, "
    "enrolled_at, terminal_id) VALUES (?, ?, NULL, ?, ?, ?, ?)",
    "wallets": "INSERT INTO wallets (wallet_id, kind, balance, created_at) "
    "VALUES (?, 'member', ?, ?)",
    "lots": "INSERT INTO lots (entry_id, wallet_id, points, remaining, expired, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?)",
    "head": "UPDATE terminals SET last_seq = ?, last_hash = ? WHERE terminal_id = ?",
}
Job = list[tuple[str, Sequence[Sequence[Any]]]]  # (what, rows), one transaction


def _write_rows(path: str, jobs: Any, errors: Any) -> None:
    """The writer process: bulk inserts, one transaction per job."""
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -2000000")  # ~2 GB
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        while (job := jobs.get()) is not None:
            conn.execute("BEGIN")
            for what, rows in job:
                if what == "entries":
                    journal.store_rows(conn, rows)
                else:
                    conn.executemany(_BULK_SQL[what], rows)
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

    def put(self, job: Job) -> None:
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
    for stale in files_of(tmp) + files_of(path):
        stale.unlink(missing_ok=True)
    settings = bench_settings()
    iso = Iso()
    for probe in (0, 1_700_000_000_123_456, 1_767_225_599_999_999):
        moment = datetime.fromtimestamp(probe // SECOND, UTC) + timedelta(
            microseconds=probe % SECOND
        )
        assert iso(probe) == ledger_iso(moment), "fast iso() differs from ledger.clock.iso"

    # 1. The real schema, meta and terminal row, exactly as `pos init` makes them.
    with Ledger.open(tmp, settings) as led:
        led.init(STORE_ID, TERMINAL_ID)

    end_us = now_us() - 60 * SECOND
    start_us = end_us - SPAN
    log(f"build {path.name}: calibrating the expire job's share of entries")
    per_sale = calibrate(settings, members, entries, start_us, seed)
    # Aim to end about half a percent before now; `run` never goes past end_us.
    gap = SPAN * 0.995 * per_sale / entries
    log(f"build {path.name}: {per_sale:.3f} entries per sale, one sale every {gap / SECOND:.1f} s")

    # 2. Bulk fill in another process: no journal, no fsync, big cache; triggers stay.
    writer = _Writer(tmp)
    done = {"entries": 0, "t": time.perf_counter()}

    def sink(rows: list[list[Any]], lots: list[tuple[Any, ...]]) -> None:
        writer.put([("entries", rows), ("lots", lots)])
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
        people = [
            (member_id, e164_of(i + j), wallet_id, consent, at, TERMINAL_ID)
            for j, (wallet_id, member_id, consent, at) in enumerate(enrolled[i : i + CHUNK])
        ]
        writer.put([("members", people)])
    log(f"build {path.name}: {members:,} members enrolled, replaying {entries:,} entries")
    done["t"] = time.perf_counter()
    sim.run()
    sim.flush()
    writer.put([("lots", sim.live_lots())])
    for i in range(0, members, CHUNK):
        wallets = [
            (row[0], sim.balance[w], row[3]) for w, row in enumerate(enrolled[i : i + CHUNK], i)
        ]
        writer.put([("wallets", wallets)])
    writer.put([("head", [(sim.seq, sim.prev, TERMINAL_ID)])])
    writer.close()

    for src, dst in zip(files_of(tmp), files_of(path), strict=True):
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


# -- reusing a cached ledger -----------------------------------------------------


def _schema_of(path: Path) -> tuple[int, str]:
    """(user_version, sha256 over user_version and every CREATE statement)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        rows = conn.execute(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()
    return int(version), hashlib.sha256(repr((version, rows)).encode()).hexdigest()[:16]


def schema_fingerprint(path: Path) -> str:
    return _schema_of(path)[1]


def current_schema() -> str:
    """The fingerprint of a fresh ledger made by the ledger code as it is now."""
    probe = DATA / f".schema-probe-{os.getpid()}.db"
    try:
        Ledger.open(probe, bench_settings()).close()
        return schema_fingerprint(probe)
    finally:
        for part in files_of(probe):
            part.unlink(missing_ok=True)


def _build_child(path: str, members: int, entries: int, out: Any) -> None:
    facts = build_ledger(Path(path), members, entries)
    facts["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    Path(path + ".build.json").write_text(json.dumps(facts, indent=1) + "\n")
    out.put(facts)


def stale(path: Path) -> str | None:
    """Why the cached ledger at ``path`` cannot be reused, or None.

    A ledger built before a migration was appended is still good: opening it
    applies the migration as a till's would (migration 6 back-fills the daily
    spend from the journal), and then its schema is a fresh ledger's.
    """
    if not path.exists():
        return "not built yet"
    sidecar = path.with_name(path.name + ".build.json")
    try:
        facts = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return "no build record"
    if facts.get("builder_version") != BUILDER_VERSION:
        return "made by an older version of this benchmark"
    try:
        before, _ = _schema_of(path)
        started = time.perf_counter()
        Ledger.open(path, bench_settings()).close()
        after, fingerprint = _schema_of(path)
    except Exception as exc:
        return f"the ledger cannot open it ({exc})"
    if after != before:
        took = time.perf_counter() - started
        log(f"{path.name}: the ledger migrated it from version {before} to {after} in {took:.1f} s")
    if fingerprint != current_schema():
        return "its schema differs from a fresh ledger's (a migration was edited)"
    return None


def ensure_ledger(path: Path, members: int, entries: int, rebuild: bool) -> dict[str, Any]:
    """Build ``path`` in a child process unless a usable one is cached; returns
    the build facts with ``reused``. The child keeps the build's memory out of
    this process's peak RSS."""
    reason = "--rebuild" if rebuild else stale(path)
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
