"""The back office's dashboard at scale: ``python -m bench.backoffice``.

Fills a scratch database (POS_HQ_BENCH_DSN, default the local PostgreSQL as
postgres) with what a chain of 1M members leaves in the dashboard's tables
(100 stores of 3 tills x 3 years of daily totals; every wallet's last visit per store and
chain-wide, a third of them in the last 30 days) and times the dashboard's
queries (hq.backoffice.totals.figures), chain-wide and for a manager of 3 stores.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid

import psycopg
from psycopg import sql

from hq.backoffice import totals
from hq.db import migrate

ADMIN = os.environ.get("POS_HQ_BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
MEMBERS, STORES, DAYS = 1_000_000, 100, 3 * 365


def main() -> None:
    name = f"hq_bench_bo_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        dsn = psycopg.conninfo.make_conninfo(ADMIN, dbname=name)
        with psycopg.connect(dsn, autocommit=True) as conn:
            migrate(conn)
            started = time.perf_counter()
            conn.execute(
                "INSERT INTO stores (store_id, name) "
                "SELECT 'S' || s, 'Store ' || s FROM generate_series(1, %s) s",
                (STORES,),
            )
            conn.execute(
                "INSERT INTO daily_totals (store_id, day, terminal_id, new_members, sales, "
                "issued, redeemed, net) SELECT 'S' || s, current_date - d, 'T' || s || '-' || t, "
                "3, 100, 1000, 300, 700 "
                "FROM generate_series(1, %s) s, generate_series(0, %s) d, generate_series(1, 3) t",
                (STORES, DAYS - 1),
            )
            conn.execute(
                "INSERT INTO wallet_activity (store_id, wallet_id, last_day) "
                "SELECT v.s, 'w' || w, current_date - (w::bigint * 7919 %% 90)::int "
                "FROM generate_series(1, %s) w "
                "CROSS JOIN LATERAL (VALUES ('S' || (1 + w %% %s)), ('*')) AS v (s)",
                (MEMBERS, STORES),
            )
            conn.execute("VACUUM ANALYZE daily_totals")
            conn.execute("VACUUM ANALYZE wallet_activity")
            print(f"filled in {time.perf_counter() - started:.1f} s")
            conn.execute("SET jit = off")  # as the service's connections (hq.db.configure)
            for label, scope in (("chain", None), ("manager of 3 stores", ["S1", "S2", "S3"])):
                times = []
                for _ in range(30):
                    t0 = time.perf_counter()
                    totals.figures(conn, scope)
                    times.append((time.perf_counter() - t0) * 1000)
                times.sort()
                p95 = times[int(len(times) * 0.95) - 1]
                print(
                    f"dashboard ({label}): median {statistics.median(times):.1f} ms, "
                    f"p95 {p95:.1f} ms"
                )
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


if __name__ == "__main__":
    main()
