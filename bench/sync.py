"""Head-office sync benchmark: ``python -m bench.sync``.

Prints exactly one JSON object on stdout; progress goes to stderr. A benchmark,
never a test: it reports the numbers next to the targets and asserts nothing.

The server is the real one: ``pos-hq serve`` (uvicorn) in a subprocess on a
free loopback port, over a scratch database created on the PostgreSQL server
named by ``POS_HQ_DSN`` (default: the local server as ``postgres``) and
dropped at the end (``--keep`` keeps it).

Phases:

1. push: ``--entries`` synthetic journal entries (valid ENTRY_COLUMNS rows
   with a real per-terminal hash chain, UUIDv7 ids, ~92% earns) from
   ``--push-terminals`` terminals at once, in batches of ``--batch`` over HTTP.
   Bodies are encoded before the clock starts (the terminal's cost, not head
   office's). ``push_per_s`` = entries / wall time from first request to last
   reply; every reply is checked (all inserted, acked_seq right).
2. copy: the same rows, pre-rendered as COPY text, into a plain table (same
   columns and types, no index or constraint) in the same PostgreSQL with one
   ``COPY ... FROM STDIN``: ``copy_per_s``. ``push_ratio`` = push / copy
   (target >= 0.33). Push and COPY alternate in ``--rounds-vs-copy`` slices
   (so load from other processes falls on both alike), with a VACUUM and a
   CHECKPOINT before each timed part (autovacuum is off for the timed tables,
   so that a vacuum of one part never lands on the other). For context,
   ``copy_indexed_per_s`` is COPY into a copy of the journal table with its
   indexes, and ``push_cpu_us_per_entry`` the CPU the server process, its
   PostgreSQL backends and this process (the terminals) spent per entry.
3. crowd: ``--terminals`` terminals (a second scratch database, fresh server)
   each sync every ``--interval`` seconds (jittered) for ``--rounds`` rounds or
   ``--duration`` seconds: push ``--round-entries`` new entries, then pull up
   to ``--pull-limit`` changes after its cursor (other terminals' entries).
   ``errors`` counts non-200 replies, transport errors and wrong replies;
   ``p99_ms`` is over every request (targets: 0 and <= 1000).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from hq.db import migrate
from hq.terminals import service as terminals
from ledger.chain import GENESIS, entry_hash
from ledger.clock import iso, uuid7
from sync.protocol import ENTRY_COLUMNS, MAX_PUSH_ENTRIES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGETS = {"push_ratio": 0.33, "errors": 0, "p99_ms": 1000.0}
START = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
_COPY_COLUMNS = (
    "entry_id text, wallet_id text, member_id text, kind text, points bigint, "
    "balance_after bigint, amount_minor bigint, currency text, ref text, terminal_id text, "
    "store_id text, cashier_id text, approver_id text, reason text, reverses text, rules text, "
    "created_at text, seq bigint, prev_hash text, hash text"
)


def progress(message: str) -> None:
    print(f"[bench.sync] {message}", file=sys.stderr, flush=True)


# -- synthetic journals -----------------------------------------------------------


@dataclass
class Chain:
    """One terminal's journal: seq, hash chain and the balances it has seen."""

    store_id: str
    terminal_id: str
    wallets: list[str]
    rng: random.Random
    seq: int = 0
    last_hash: str = GENESIS
    moment: datetime = START
    balances: dict[str, int] = field(default_factory=dict)

    def row(self) -> list[Any]:
        self.seq += 1
        self.moment += timedelta(milliseconds=self.rng.randint(200, 4000))
        wallet = self.rng.choice(self.wallets)
        balance = self.balances.get(wallet, 0)
        roll = self.rng.random()
        amount: int | None = None
        rules: str | None = None
        if roll < 0.06 and balance >= 10:
            kind, points, ref = "redeem", -self.rng.randint(10, min(balance, 60)), f"R{self.seq}"
        elif roll < 0.08:
            kind, points, ref = "bonus", 50, None
            rules = '{"bonus":"birthday"}'
        else:
            kind, points = "earn", self.rng.randint(1, 40)
            amount, ref, rules = points * 2500, f"B{self.seq}", '{"base":"1/25","tier":"member"}'
        self.balances[wallet] = balance + points
        fields: list[Any] = [
            uuid7(self.moment),
            wallet,
            "m-" + wallet,
            kind,
            points,
            balance + points,
            amount,
            "THB" if amount is not None else None,
            ref,
            self.terminal_id,
            self.store_id,
            "cash1",
            "sup" if kind == "redeem" and points < -40 else None,
            None,
            None,
            rules,
            iso(self.moment),
            self.seq,
            self.last_hash,
        ]
        fields.append(entry_hash(fields))
        self.last_hash = fields[-1]
        return fields


def push_body(rows: list[list[Any]]) -> bytes:
    return json.dumps({"entries": rows}).encode()


def copy_text(rows: list[list[Any]]) -> bytes:
    # The synthetic values hold no tab, newline or backslash: no escaping needed.
    return "".join(
        "\t".join("\\N" if v is None else str(v) for v in r) + "\n" for r in rows
    ).encode()


# -- database and server -----------------------------------------------------------


@contextlib.contextmanager
def scratch_database(admin_dsn: str, suffix: str, keep: bool) -> Iterator[str]:
    name = f"hq_bench_{os.getpid()}_{suffix}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            migrate(conn)
        yield dsn
    finally:
        if keep:
            progress(f"kept database {name}")
        else:
            with psycopg.connect(admin_dsn, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def hq_server(dsn: str, pool_size: int, workers: int = 1) -> Iterator[tuple[str, int]]:
    """``pos-hq serve`` in a subprocess (its own interpreter: its own GIL)."""
    port = free_port()
    env = {
        **os.environ,
        "POS_HQ_DSN": dsn,
        "POS_HQ_POOL_SIZE": str(pool_size),
        "POS_HQ_POOL_MIN_SIZE": str(min(pool_size, 4)),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hq.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"pos-hq serve exited with status {proc.returncode}")
            try:
                if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("pos-hq serve did not come up in 60 s")
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def add_terminals(dsn: str, count: int, prefix: str) -> list[tuple[str, str, str]]:
    """(store_id, terminal_id, token) for ``count`` terminals over ten stores."""
    made = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for store in range(min(10, count)):
            terminals.add_store(conn, f"S{store:02d}", f"Store {store}")
        for i in range(count):
            store_id, terminal_id = f"S{i % 10:02d}", f"{prefix}{i:03d}"
            token = terminals.add_terminal(conn, store_id, terminal_id)["token"]
            made.append((store_id, terminal_id, token))
    return made


def checkpoint(dsn: str) -> None:
    """Settle the database before a timed part: vacuum what the last part wrote
    (autovacuum is off for the timed tables, so that it never lands on one side
    only) and write every dirty page out."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) entries, copy_baseline, copy_indexed")
        conn.execute("CHECKPOINT")


# -- phase 1 and 2: push vs COPY ----------------------------------------------------


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        if len(self.errors) < 20:
            self.errors.append(text)
        else:
            self.errors.append("...")

    def summary(self) -> dict[str, Any]:
        ms = sorted(x * 1000 for x in self.latencies)
        if not ms:
            return {"requests": 0}
        return {
            "requests": len(ms),
            "p50_ms": round(statistics.median(ms), 1),
            "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 1),
            "max_ms": round(ms[-1], 1),
        }


Batch = tuple[bytes, int, int, bytes]  # push body, rows, last seq, the rows as COPY text


def generate_push(
    args: argparse.Namespace, made: list[tuple[str, str, str]], wallets: list[str]
) -> list[list[Batch]]:
    """Per terminal, its batches in order."""
    per_terminal = args.entries // len(made)
    bodies: list[list[Batch]] = []
    started = time.perf_counter()
    for n, (store_id, terminal_id, _) in enumerate(made):
        chain = Chain(store_id, terminal_id, wallets, random.Random(n))
        mine: list[Batch] = []
        todo = per_terminal + (1 if n < args.entries % len(made) else 0)
        while todo:
            rows = [chain.row() for _ in range(min(args.batch, todo))]
            todo -= len(rows)
            mine.append((push_body(rows), len(rows), chain.seq, copy_text(rows)))
        bodies.append(mine)
        progress(
            f"generated {terminal_id}: {chain.seq} entries ({time.perf_counter() - started:.0f} s)"
        )
    return bodies


async def push_phase(
    base: str, made: list[tuple[str, str, str]], bodies: list[list[Batch]], stats: Stats
) -> float:
    """Every terminal pushes its batches in order, all terminals at once; the wall time."""

    async def terminal(client: httpx.AsyncClient, token: str, batches: list[Batch]) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for body, count, last_seq, _ in batches:
            t0 = time.perf_counter()
            try:
                reply = await client.post("/v1/push", content=body, headers=headers)
            except httpx.HTTPError as exc:
                stats.error(f"push: {type(exc).__name__}: {exc}")
                continue
            stats.latencies.append(time.perf_counter() - t0)
            if reply.status_code != 200:
                stats.error(f"push: HTTP {reply.status_code}: {reply.text[:200]}")
                continue
            got = reply.json()
            if got["inserted"] != count or got["acked_seq"] != last_seq:
                stats.error(f"push: inserted {got['inserted']}/{count}, acked {got['acked_seq']}")

    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(300.0)) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(terminal(client, t[2], b) for t, b in zip(made, bodies, strict=True))
        )
        return time.perf_counter() - started


def copy_phase(dsn: str, bodies: list[list[Batch]], table: str = "copy_baseline") -> float:
    """The same rows with one COPY into ``table``; the wall time."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        checkpoint(dsn)
        started = time.perf_counter()
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy,
        ):
            for batches in bodies:
                for *_, text in batches:
                    copy.write(text)
        return time.perf_counter() - started


def push_vs_copy(
    args: argparse.Namespace, dsn: str, made: list[tuple[str, str, str]], bodies: list[list[Batch]]
) -> tuple[float, float, float, Stats, dict[str, float]]:
    """Alternate push and COPY in ``--rounds-vs-copy`` slices, so that load from other
    processes on the machine falls on both alike; return the summed wall times of
    push, COPY into the plain table and COPY into a copy of the journal table."""
    stats = Stats()
    push_s = copy_s = indexed_s = 0.0
    cpu = {"server_cpu_s": 0.0, "pg_cpu_s": 0.0, "client_cpu_s": 0.0}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE copy_baseline ({_COPY_COLUMNS})")
        for table in ("entries", "copy_baseline"):
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        # For context only: the same indexes as the journal, no HTTP, no checks.
        conn.execute("CREATE TABLE copy_indexed (LIKE entries INCLUDING ALL)")
        conn.execute("ALTER TABLE copy_indexed SET (autovacuum_enabled = false)")
    with hq_server(dsn, args.pool_size, args.workers) as (base, server_pid):
        slices = args.rounds_vs_copy
        for r in range(slices):
            part = [b[len(b) * r // slices : len(b) * (r + 1) // slices] for b in bodies]
            count = sum(n for batches in part for _, n, _, _ in batches)
            checkpoint(dsn)
            before = _cpu_times(dsn, server_pid)
            took = asyncio.run(push_phase(base, made, part, stats))
            after = _cpu_times(dsn, server_pid)
            for key in cpu:
                cpu[key] += after[key] - before[key]
            push_s += took
            copied = copy_phase(dsn, part)
            copy_s += copied
            indexed = copy_phase(dsn, part, "copy_indexed")
            indexed_s += indexed
            progress(
                f"slice {r + 1}/{slices}: push {count / took:,.0f}/s, COPY {count / copied:,.0f}/s"
                f" (into an indexed copy of entries: {count / indexed:,.0f}/s)"
            )
    return push_s, copy_s, indexed_s, stats, cpu


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a local process (0 if it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_times(dsn: str, server_pid: int) -> dict[str, float]:
    """CPU used so far by the server and its PostgreSQL backends (when local)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        pids = [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'pos-hq'"
            ).fetchall()
        ]
    server = [server_pid, *_children(server_pid)]  # uvicorn workers, with --workers
    return {
        "server_cpu_s": sum(_proc_cpu(p) for p in server),
        "pg_cpu_s": sum(_proc_cpu(p) for p in pids),
        "client_cpu_s": time.process_time(),  # this process: the terminals' HTTP side
    }


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


# -- phase 3: a crowd of terminals ----------------------------------------------------


async def crowd_phase(
    base: str, made: list[tuple[str, str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    wallets = [str(uuid.UUID(int=random.Random(i).getrandbits(128))) for i in range(5000)]
    rng = random.Random(7)
    plans: list[list[bytes]] = []
    for n, (store_id, terminal_id, _) in enumerate(made):
        chain = Chain(store_id, terminal_id, wallets, random.Random(1000 + n))
        plans.append(
            [
                push_body([chain.row() for _ in range(args.round_entries)])
                for _ in range(args.rounds)
            ]
        )
    push_stats, pull_stats = Stats(), Stats()
    pulled = 0
    deadline = time.perf_counter() + args.duration

    async def terminal(
        client: httpx.AsyncClient, token: str, plan: list[bytes], delay: float
    ) -> None:
        nonlocal pulled
        headers = {"Authorization": f"Bearer {token}"}
        cursor = "0"
        await asyncio.sleep(delay)
        for round_no, body in enumerate(plan):
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            try:
                reply = await client.post(
                    "/v1/push",
                    content=body,
                    headers={**headers, "Content-Type": "application/json"},
                )
                push_stats.latencies.append(time.perf_counter() - t0)
                if reply.status_code != 200:
                    push_stats.error(f"push: HTTP {reply.status_code}: {reply.text[:200]}")
                elif reply.json()["acked_seq"] != (round_no + 1) * args.round_entries:
                    push_stats.error(f"push: acked_seq {reply.json()['acked_seq']}")
            except httpx.HTTPError as exc:
                push_stats.error(f"push: {type(exc).__name__}: {exc}")
            t0 = time.perf_counter()
            try:
                reply = await client.get(
                    "/v1/pull", params={"after": cursor, "limit": args.pull_limit}, headers=headers
                )
                pull_stats.latencies.append(time.perf_counter() - t0)
                if reply.status_code != 200:
                    pull_stats.error(f"pull: HTTP {reply.status_code}: {reply.text[:200]}")
                else:
                    page = reply.json()
                    cursor = page["next_cursor"]
                    pulled += len(page["changes"])
            except httpx.HTTPError as exc:
                pull_stats.error(f"pull: {type(exc).__name__}: {exc}")
            await asyncio.sleep(args.interval * rng.uniform(0.5, 1.5))

    limits = httpx.Limits(max_connections=len(made) + 8, max_keepalive_connections=len(made) + 8)
    async with httpx.AsyncClient(
        base_url=base, timeout=httpx.Timeout(60.0), limits=limits
    ) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                terminal(client, t[2], plan, rng.uniform(0, args.interval))
                for t, plan in zip(made, plans, strict=True)
            )
        )
        elapsed = time.perf_counter() - started
    every = Stats(
        push_stats.latencies + pull_stats.latencies, push_stats.errors + pull_stats.errors
    )
    return {
        "terminals": len(made),
        "seconds": round(elapsed, 1),
        "errors": len(every.errors),
        "error_samples": every.errors[:5],
        "p99_ms": every.summary().get("p99_ms"),
        "requests_per_s": round(len(every.latencies) / elapsed, 1),
        "push": push_stats.summary(),
        "pull": pull_stats.summary(),
        "changes_pulled": pulled,
        "workload": {
            "rounds": args.rounds,
            "interval_s": args.interval,
            "round_entries": args.round_entries,
            "pull_limit": args.pull_limit,
            "duration_limit_s": args.duration,
        },
    }


# -- main -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.split("\n")[0])
    p.add_argument("--entries", type=int, default=1_000_000, help="entries pushed in phase 1")
    p.add_argument("--batch", type=int, default=MAX_PUSH_ENTRIES, help="entries per push")
    p.add_argument(
        "--push-terminals", type=int, default=4, help="terminals pushing at once in phase 1"
    )
    p.add_argument(
        "--rounds-vs-copy",
        type=int,
        default=4,
        metavar="N",
        help="slices of phase 1, each pushed then COPYed (fair under varying load)",
    )
    p.add_argument("--terminals", type=int, default=200, help="terminals in phase 3")
    p.add_argument("--rounds", type=int, default=6, help="syncs per terminal in phase 3")
    p.add_argument(
        "--interval", type=float, default=10.0, help="seconds between a terminal's syncs"
    )
    p.add_argument("--round-entries", type=int, default=20, help="entries pushed per sync")
    p.add_argument("--pull-limit", type=int, default=500, help="changes per pull")
    p.add_argument("--duration", type=float, default=90.0, help="phase 3 stops after this")
    p.add_argument("--pool-size", type=int, default=16, help="server connection pool size")
    p.add_argument(
        "--workers", type=int, default=1, help="server processes (pos-hq serve --workers)"
    )
    p.add_argument("--skip-push", action="store_true", help="only phase 3")
    p.add_argument("--skip-crowd", action="store_true", help="only phases 1 and 2")
    p.add_argument("--keep", action="store_true", help="keep the scratch databases")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    admin = os.environ.get("POS_HQ_DSN", DEFAULT_DSN)
    out: dict[str, Any] = {
        "targets": TARGETS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    if not args.skip_push:
        with scratch_database(admin, "push", args.keep) as dsn:
            with psycopg.connect(dsn) as conn:
                out["machine"]["postgres"] = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            made = add_terminals(dsn, args.push_terminals, "P")
            wallets = [str(uuid.UUID(int=random.Random(i).getrandbits(128))) for i in range(50_000)]
            bodies = generate_push(args, made, wallets)
            progress(
                f"pushing {args.entries} entries from {len(made)} terminals, "
                f"alternating with COPY ..."
            )
            load = os.getloadavg()[0]
            push_s, copy_s, indexed_s, push_stats, cpu = push_vs_copy(args, dsn, made, bodies)
            progress(f"push {push_s:.1f} s, COPY {copy_s:.1f} s")
            with psycopg.connect(dsn) as conn:
                stored = conn.execute("SELECT count(*) FROM entries").fetchone()[0]  # type: ignore[index]
        push_per_s, copy_per_s = args.entries / push_s, args.entries / copy_s
        out.update(
            entries=args.entries,
            entries_stored=stored,
            push_per_s=round(push_per_s),
            copy_per_s=round(copy_per_s),
            push_ratio=round(push_per_s / copy_per_s, 3),
            copy_indexed_per_s=round(args.entries / indexed_s),
            push_seconds=round(push_s, 2),
            copy_seconds=round(copy_s, 2),
            push_terminals=args.push_terminals,
            batch=args.batch,
            push_errors=len(push_stats.errors),
            push_error_samples=push_stats.errors[:5],
            push_latency=push_stats.summary(),
            push_cpu_us_per_entry={
                "server": round(cpu["server_cpu_s"] / args.entries * 1e6, 1),
                "postgres": round(cpu["pg_cpu_s"] / args.entries * 1e6, 1),
                "client": round(cpu["client_cpu_s"] / args.entries * 1e6, 1),
            },
            load_average_before=round(load, 2),
        )
    if not args.skip_crowd:
        with scratch_database(admin, "crowd", args.keep) as dsn:
            made = add_terminals(dsn, args.terminals, "C")
            with hq_server(dsn, args.pool_size, args.workers) as (base, _):
                progress(f"{args.terminals} terminals syncing at once ...")
                crowd = asyncio.run(crowd_phase(base, made, args))
        out.update(
            terminals=crowd["terminals"],
            errors=crowd["errors"],
            p99_ms=crowd["p99_ms"],
            crowd=crowd,
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
