"""Import benchmark: ``python -m bench.imports``.

Prints exactly one JSON object on stdout; progress goes to stderr. A
benchmark, never a test: it reports numbers next to the target, it asserts
nothing.

One run, one disk, the same rows:

1. writes a members file (phone, Thai and Latin names, external id, birthday,
   enrolment and consent dates, an opening balance for half of them) and a
   sales file (by external id or phone, two years of dates, half with a bill
   number) into a temporary folder;
2. ``pos import members`` and ``pos import sales`` through the ledger's front
   door (``Ledger.import_members`` / ``import_sales``): a dry run, the commit,
   and the same file again (every row skipped);
3. the same rows, already read from the CSV, inserted with a bare
   ``executemany`` into one plain table each in a new SQLite file (WAL,
   ``synchronous = FULL`` as the ledger), batches of the same size, each
   committed.

``ratio`` is the import's rows per second over the bare insert's; issue 14
asks for at least a third (at 1M members and 10M sales; this default is 100k).
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import bench_settings, e164_of, log, national
from ledger.imports import BATCH
from ledger.models import Credentials
from ledger.service import Ledger

TARGET_RATIO = 1 / 3
_FIRST = ("สมชาย", "Somchai", "วิภา", "Wipa", "Anan", "อนันต์", "Malee", "มาลี")
_LAST = ("ใจดี", "Jaidee", "Srisuk", "ศรีสุข", "Tan", "Smith, Jr.")


def write_members(path: Path, count: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["phone", "name", "external_id", "birthday", "enrolled_at", "consent_at",
                      "balance"])  # fmt: skip
        for n in range(count):
            year = 2015 + n % 10
            day = f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            out.writerow([
                national(e164_of(n)),
                f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                f"OLD-{n:07d}",
                f"{1950 + n % 50}-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 3 else "",
                day,
                day if n % 4 else "",
                str(rng.randrange(1, 5000)) if n % 2 else "",
            ])  # fmt: skip


def write_sales(path: Path, count: int, members: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["phone", "external_id", "date", "amount", "ref"])
        for n in range(count):
            who = rng.randrange(members)
            by_phone = n % 2 == 0
            out.writerow([
                national(e164_of(who)) if by_phone else "",
                "" if by_phone else f"OLD-{who:07d}",
                f"{2024 + n % 2}-{1 + n % 12:02d}-{1 + n % 28:02d}"
                + ("" if n % 3 else f"T{n % 24:02d}:15:00+07:00"),
                f"{rng.randrange(20, 5000)}.{rng.randrange(100):02d}",
                f"B{n:08d}" if n % 2 else "",
            ])  # fmt: skip


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        return header, list(reader)


def bare_insert(db: Path, name: str, header: list[str], rows: list[list[str]]) -> float:
    """Seconds to insert ``rows`` into a plain table, by batches of BATCH, each committed."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"CREATE TABLE {name} ({', '.join(c + ' TEXT' for c in header)})")
    sql = f"INSERT INTO {name} VALUES ({', '.join('?' * len(header))})"
    start = time.perf_counter()
    for at in range(0, len(rows), BATCH):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows[at : at + BATCH])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def _timed(what: str, call: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    log(f"{what}: {seconds:.2f} s")
    return seconds, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--sales", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", help="work folder (default: a temporary one, removed after)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(dir=args.dir) as work:
        folder = Path(work)
        members_csv, sales_csv = folder / "members.csv", folder / "sales.csv"
        log(f"writing {args.members} members and {args.sales} sales in {folder}")
        write_members(members_csv, args.members, rng)
        write_sales(sales_csv, args.sales, args.members, rng)

        book = Ledger.open(folder / "ledger.db", bench_settings())
        book.init("S1", "T1")
        book.add_staff("sup", "supervisor", "2468", "Supervisor")
        approval = Credentials("sup", "2468")
        result: dict[str, Any] = {"bench": "imports", "python": platform.python_version(),
                                  "sqlite": sqlite3.sqlite_version, "batch": BATCH}  # fmt: skip
        for kind, path, count in (("members", members_csv, args.members),
                                  ("sales", sales_csv, args.sales)):  # fmt: skip
            if kind == "members":

                def run(commit: bool, p: Path = path) -> Any:
                    return book.import_members(str(p), commit=commit, approval=approval)
            else:

                def run(commit: bool, p: Path = path) -> Any:
                    return book.import_sales(str(p), commit=commit)

            dry_s, dry = _timed(f"{kind}: dry run", lambda: run(False))
            commit_s, done = _timed(f"{kind}: commit", lambda: run(True))
            again_s, again = _timed(f"{kind}: again", lambda: run(True))
            header, rows = _rows(path)
            bare_s = bare_insert(folder / f"bare-{kind}.db", kind, header, rows)
            log(f"{kind}: bare executemany: {bare_s:.2f} s")
            rate, bare_rate = count / commit_s, count / bare_s
            result[kind] = {
                "rows": count,
                "imported": done.good,
                "bad": len(done.problems),
                "skipped_again": again.skipped,
                "dry_run_s": round(dry_s, 3),
                "commit_s": round(commit_s, 3),
                "again_s": round(again_s, 3),
                "rows_per_s": round(rate),
                "bare_executemany_s": round(bare_s, 3),
                "bare_rows_per_s": round(bare_rate),
                "ratio": round(rate / bare_rate, 4),
                "meets_target": rate / bare_rate >= TARGET_RATIO,
                "dry_run_bad": len(dry.problems),
            }
        problems = book.verify()
        result["verify_problems"] = [p.message for p in problems]
        book.close()
    result["target_ratio"] = round(TARGET_RATIO, 4)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
