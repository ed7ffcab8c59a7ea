"""The reports of issue 14 on a generated ledger (docs/reports.md): RFM of every
member beside one bare GROUP BY over the same journal in the same run, the day
close, a year of points flow by day, and the member lists. One JSON object on
stdout; progress on stderr. A benchmark, never a test.

    .venv/bin/python -m bench.reports                                 # 100k members, 1M entries
    .venv/bin/python -m bench.reports --members 1000000 --entries 10000000   # the real size
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench.build import ensure_ledger
from bench.common import DATA, bench_settings, log
from ledger import localday
from ledger.clock import parse_iso
from ledger.service import Ledger

TARGETS = {"rfm_s": 15.0, "day_close_s": 0.2, "flow_year_by_day_s": 1.0}
BARE = (
    "SELECT wallet_id, count(*), sum(amount_minor), max(created_at) FROM entries GROUP BY wallet_id"
)


def timed(what: str, run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The best of ``repeat`` runs (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    log(f"{what}: {best:.3f} s")
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs of each")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    path = DATA / f"ledger-{args.members}-{args.entries}.db"
    build = ensure_ledger(path, args.members, args.entries, args.rebuild)
    settings = bench_settings()
    with Ledger.open(path, settings) as book:
        conn = book.conn
        (last_at,) = conn.execute("SELECT max(created_at) FROM entries").fetchone()
        last_day = localday.day_of(parse_iso(last_at), book.zone)
        n = args.repeat
        bare_s, bare = timed("bare GROUP BY", lambda: conn.execute(BARE).fetchall(), n)
        rfm_s, rfm = timed("rfm", lambda: book.report_rfm(last_day), n)
        day_s, _ = timed("day close", lambda: book.day_summary(last_day), n)
        start = last_day - timedelta(days=364)
        flow_s, flow = timed("flow, a year by day", lambda: book.report_flow(start, last_day), n)
        month_s, _ = timed("flow, a year by month",
                           lambda: book.report_flow(start, last_day, "month"), n)  # fmt: skip
        top_s, _ = timed("top 20", lambda: book.report_top(last_day), n)
        dormant_s, dormant = timed("dormant 90 days", lambda: book.report_dormant(last_day), n)
        onboarding_s, onboarding = timed("onboarding", lambda: book.report_onboarding(last_day), 1)
    result = {
        "ledger": {
            "members": args.members,
            "entries": build.get("entries"),
            "reused": build.get("reused"),
            "as_of": last_day.isoformat(),
        },
        "bare_group_by_s": round(bare_s, 3),
        "bare_groups": len(bare),
        "rfm_s": round(rfm_s, 3),
        "rfm_ratio_to_bare": round(rfm_s / bare_s, 2),
        "rfm_rows": len(rfm.rows),
        "rfm_segments": rfm.segments,
        "day_close_s": round(day_s, 4),
        "flow_year_by_day_s": round(flow_s, 3),
        "flow_periods": len(flow.periods),
        "flow_year_by_month_s": round(month_s, 3),
        "top_s": round(top_s, 3),
        "dormant_s": round(dormant_s, 3),
        "dormant_rows": len(dormant.rows),
        "onboarding_s": round(onboarding_s, 3),
        "onboarding_cohorts": len(onboarding.cohorts),
        "targets_at_1m_10m": TARGETS,
        "meets_targets": {
            key: round(result_s, 4) <= limit
            for key, limit, result_s in (
                ("rfm_s", TARGETS["rfm_s"], rfm_s),
                ("day_close_s", TARGETS["day_close_s"], day_s),
                ("flow_year_by_day_s", TARGETS["flow_year_by_day_s"], flow_s),
            )
        },
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
