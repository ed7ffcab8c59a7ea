"""Timing helpers for ``bench.ledger``: the OS page cache, lookups, the steps
of a member card, and the SQL statements a real call runs.

Everything here goes through the ledger's named queries (``ledger.members``,
``ledger.lots``, ``ledger.journal`` over ``Ledger.core``), never copies of
their SQL, so a change to a query shows up here by itself.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import e164_of, files_of, national, pct
from ledger import journal, lots, members
from ledger.clock import iso
from ledger.service import Ledger


def evict(path: Path) -> bool:
    """Drop the file's pages from the OS page cache (only this file)."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for part in files_of(path)[:2]:
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
    """(members, entries): the bench's own counts, no ledger query asks them."""
    conn = led.core.conn
    (count,) = conn.execute("SELECT count(*) FROM members").fetchone()
    (entries,) = conn.execute("SELECT coalesce(sum(last_seq), 0) FROM terminals").fetchone()
    return int(count), int(entries)


def sample_phones(rng: random.Random, count_of_members: int, count: int) -> list[str]:
    return [national(e164_of(rng.randrange(count_of_members))) for _ in range(count)]


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


def card_parts(led: Ledger, phones: list[str]) -> dict[str, dict[str, float]]:
    """Time the steps ``ledger.members.card`` takes, one by one, through the
    same named queries: the clock guard's time, the phone, the member row,
    the 12-month spend, the lots due and the next expiry, the last 5 entries."""
    clock = time.perf_counter_ns
    names = ("now", "normalize", "member_row", "spend_12m", "next_expiry", "recent_5")
    parts: dict[str, list[int]] = {name: [] for name in names}
    core = led.core
    conn = core.conn
    for phone in phones:
        t0 = clock()
        now = core.now()
        t1 = clock()
        e164 = members.normalize(core, phone)
        t2 = clock()
        wallet_id = members.row_by_phone(core, e164)[3]
        t3 = clock()
        members.spend_12m(core, wallet_id, now)
        t4 = clock()
        lots.due_and_next(conn, wallet_id, iso(now))
        t5 = clock()
        journal.of_wallet(conn, wallet_id, 5)
        t6 = clock()
        steps = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)
        for name, dt in zip(names, steps, strict=True):
            parts[name].append(dt)
    return {
        name: {"p50_us": round(pct(v, 50) * 1000, 1), "p99_us": round(pct(v, 99) * 1000, 1)}
        for name, v in parts.items()
    }


# -- the statements a call runs -----------------------------------------------------


@contextmanager
def traced(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """The SQL statements run on ``conn`` inside the block, in order, with
    their values inlined (``sqlite3_expanded_sql``), BEGIN and COMMIT included.

    SQLite also reports each trigger program it starts (one or more per
    trigger, even one whose WHEN is false), and Python passes those on with
    the text of the statement that fired it: a repeat right after the same
    text is not counted as a statement of its own.
    """
    seen: list[str] = []

    def note(sql: str) -> None:
        if not seen or seen[-1] != sql:
            seen.append(sql)

    conn.set_trace_callback(note)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


# Blobs, strings, numbers, and NULL where a value goes (not "IS NOT NULL").
_LITERAL = re.compile(
    r"[xX]'[0-9a-fA-F]*'|'(?:[^']|'')*'|(?<![\w.])-?\d+(?:\.\d+)?\b|(?<=[(,=] )NULL\b"
)


def template(sql: str) -> str:
    """A statement as the code wrote it, near enough: literals become ``?``
    (those written in the SQL itself too, such as ``kind IN ('earn')``)."""
    return " ".join(_LITERAL.sub("?", sql).split())


def plans(conn: sqlite3.Connection, statements: Iterable[str]) -> list[dict[str, Any]]:
    """Each distinct statement once, in first-run order: how often it ran and
    ``EXPLAIN QUERY PLAN`` of its first run (values inlined, as it ran)."""
    runs: Counter[str] = Counter()
    first: dict[str, str] = {}
    for sql in statements:
        key = template(sql)
        runs[key] += 1
        first.setdefault(key, sql)
    out = []
    for key, sql in first.items():
        try:
            plan = [str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
        except sqlite3.Error as exc:
            plan = [f"(no plan: {exc})"]
        out.append({"sql": key, "runs": runs[key], "plan": plan})
    return out


def typical(counts: list[int]) -> int:
    """The most common count (an earn that also expires due lots runs more)."""
    return Counter(counts).most_common(1)[0][0] if counts else 0


def sale_statements(
    led: Ledger, phones: list[str], refs: Callable[[int], str]
) -> tuple[dict[str, Any], dict[str, int]]:
    """Trace, for each phone, a real ``card``, an ``earn`` by the member that
    card put on screen, and an ``earn`` by phone (``refs(i)`` makes the sale
    references). Returns the query plans per call and the typical number of
    statements per call."""
    conn = led.core.conn
    seen: dict[str, list[str]] = {"card": [], "earn": [], "earn_by_member": []}
    counts: dict[str, list[int]] = {name: [] for name in seen}

    def keep(name: str, statements: list[str]) -> None:
        seen[name] += statements
        counts[name].append(len(statements))

    for i, phone in enumerate(phones):
        member = led.card(phone).member
        with traced(conn) as statements:
            led.card(phone)
        keep("card", statements)
        with traced(conn) as statements:
            led.earn(member, "123.45", refs(2 * i))
        keep("earn_by_member", statements)
        with traced(conn) as statements:
            led.earn(phone, "123.45", refs(2 * i + 1))
        keep("earn", statements)
    query_plans = {name: plans(conn, statements) for name, statements in seen.items()}
    return query_plans, {f"{name}_statements": typical(c) for name, c in counts.items()}
