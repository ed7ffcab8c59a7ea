"""Ledger benchmark: ``python -m bench.ledger``.

Prints exactly one JSON object on stdout; progress goes to stderr. This is a
benchmark, never a test: it asserts nothing about the numbers, it reports them
next to the targets.

Phases:

1. build (or reuse) ``bench/data/ledger-{members}-{entries}.db``: a valid ledger
   created through the real schema (``Ledger.open`` + ``init``), then filled in
   bulk by replaying two years of shop life (earns, some redemptions, the nightly
   ``expire`` job) with the real hash chain (``bench.shop``, ``bench.build``);
2. lookups: ``Ledger.card(phone)`` with phones typed the national way
   (``08xxxxxxxx``), cold (file evicted from the OS page cache) and warm; then
   the card's steps one by one, and the SQL statements a real card and a real
   earn run, with their query plans (``bench.measure``);
3. earns: durable ``Ledger.earn`` calls against the big ledger, by phone and by
   the member a card lookup put on screen, interleaved in blocks with bare
   SQLite one-row transactions on the same disk;
4. verify: ``Ledger.verify()`` on a separate cached ledger of ``--verify-entries``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import sqlite3
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from bench.build import ensure_ledger
from bench.common import DATA, TERMINAL_ID, bench_settings, files_of, log, pct
from bench.measure import (
    card_parts,
    evict,
    member_count,
    prime,
    sale_statements,
    sample_phones,
    time_cards,
)
from config import Settings
from ledger import journal
from ledger.service import Ledger
from ledger.verify import CHECKS

# Issue 10's acceptance (1M members, 10M entries, one run on this machine).
TARGETS = {"lookup_p99_ms": 1.0, "earn_ratio": 0.25, "earn_p99_ms": 2.0, "verify_1m_s": 10.0}
TRACED_SALES = 5  # members whose card and earns are traced for the statement counts


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
        run = uuid.uuid4().hex[:12]
        result["query_plans"], counts = sale_statements(
            led,
            sample_phones(rng, members, TRACED_SALES),
            lambda i: f"bench-{run}-trace-{i}",
        )
        result.update(counts)
        log(
            f"statements: card {counts['card_statements']}, earn {counts['earn_statements']}, "
            f"earn by member {counts['earn_by_member_statements']}"
        )
    return result


def _bare_db(path: Path) -> sqlite3.Connection:
    for part in files_of(path):
        part.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    return conn


def _bare_row(bare: sqlite3.Connection, value: str) -> None:
    bare.execute("BEGIN IMMEDIATE")
    bare.execute("INSERT INTO t (v) VALUES (?)", (value,))
    bare.execute("COMMIT")


STEPS = ("earn", "member", "bare")


def bench_earns(
    path: Path, settings: Settings, members: int, args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    """Durable earns against the big ledger vs one-row transactions in bare
    SQLite, in blocks: an earn by phone, an earn by the member on screen (the
    card lookup before it, as the counter does, is not timed), and the bare
    rows, in an order that turns by one each block so the disk's noise falls
    on all three."""
    blocks = max(1, args.blocks)
    per_block = max(1, args.earns // blocks)
    run = uuid.uuid4().hex[:12]
    bare_path = path.with_name("bare-sqlite.db")
    bare = _bare_db(bare_path)
    earn_ns: list[int] = []
    member_ns: list[int] = []
    bare_ns: list[int] = []
    earn_total = bare_total = 0.0
    clock = time.perf_counter_ns
    budget = args.earn_budget_s / blocks if args.earn_budget_s else math.inf
    capped = False

    def sales(block: int, tag: str) -> list[tuple[str, str, str]]:
        return [
            (
                phone,
                f"{rng.randint(20, 2000)}.{rng.randint(0, 99):02d}",
                f"bench-{run}-{block}-{tag}{i}",
            )
            for i, phone in enumerate(sample_phones(rng, members, per_block))
        ]

    with Ledger.open(path, settings) as led:
        # As 'pos run' does: checkpoints in a thread of their own, not in a sale.
        checkpointer = led.checkpoint_in_background()
        conn = led.core.conn
        seq_before = journal.latest(conn, TERMINAL_ID, 1)[0].seq
        # a few untimed earns and bare rows: imports, caches, the first WAL frames
        for i, phone in enumerate(sample_phones(rng, members, 20)):
            led.earn(phone, "100.00", f"bench-{run}-w{i}")
            led.earn(led.card(phone).member, "100.00", f"bench-{run}-wm{i}")
            _bare_row(bare, f"warm-{i}")
        for block in range(blocks):
            by_phone, by_member = sales(block, ""), sales(block, "m")
            for step in STEPS[block % 3 :] + STEPS[: block % 3]:
                started = time.perf_counter()
                if step == "earn":
                    for phone, amount, ref in by_phone:
                        t0 = clock()
                        led.earn(phone, amount, ref)
                        earn_ns.append(clock() - t0)
                        if time.perf_counter() - started > budget:
                            capped = True
                            break
                    earn_total += time.perf_counter() - started
                elif step == "member":
                    for phone, amount, ref in by_member:
                        member = led.card(phone).member  # already on screen at the counter
                        t0 = clock()
                        led.earn(member, amount, ref)
                        member_ns.append(clock() - t0)
                        if time.perf_counter() - started > budget:
                            capped = True
                            break
                else:
                    for i in range(per_block):
                        t0 = clock()
                        _bare_row(bare, f"{run}-{block}-{i}")
                        bare_ns.append(clock() - t0)
                    bare_total += time.perf_counter() - started
            log(
                f"earn block {block + 1}/{blocks}: earn {len(earn_ns) / earn_total:,.0f}/s, "
                f"by member {len(member_ns) / (sum(member_ns) / 1e9):,.0f}/s, "
                f"bare {(block + 1) * per_block / bare_total:,.0f}/s so far"
            )
        checkpoints = checkpointer.checkpoints
        expires = sum(
            entry.kind == "expire"
            for entry in journal.of_terminal(conn, TERMINAL_ID, after_seq=seq_before)
        )
    bare.close()
    for part in files_of(bare_path):
        part.unlink(missing_ok=True)
    earn_rate = len(earn_ns) / earn_total
    # The member's earns are timed call by call (the card lookups between them are not).
    member_rate = len(member_ns) / (sum(member_ns) / 1e9)
    bare_rate = blocks * per_block / bare_total
    return {
        "earns": len(earn_ns),
        "earn_blocks": blocks,
        "earn_per_s": round(earn_rate, 1),
        "bare_sqlite_per_s": round(bare_rate, 1),
        "earn_ratio": round(earn_rate / bare_rate, 3),
        "earn_p50_ms": round(pct(earn_ns, 50), 3),
        "earn_p99_ms": round(pct(earn_ns, 99), 3),
        "earn_by_member_n": len(member_ns),
        "earn_by_member_per_s": round(member_rate, 1),
        "earn_by_member_ratio": round(member_rate / bare_rate, 3),
        "earn_by_member_p50_ms": round(pct(member_ns, 50), 3),
        "earn_by_member_p99_ms": round(pct(member_ns, 99), 3),
        "bare_sqlite_p50_ms": round(pct(bare_ns, 50), 3),
        "bare_sqlite_p99_ms": round(pct(bare_ns, 99), 3),
        "earn_background_checkpoints": checkpoints,
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
            check(led.core.conn)
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
    p.add_argument("--blocks", type=_count, default=4, help="blocks of earns and bare rows")
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
        "earn_p99_ms": out.get("earn_p99_ms", math.inf) < TARGETS["earn_p99_ms"],
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
