"""The dashboard's figures: daily totals per store, kept up to date inside each push.

``record`` runs in the push transaction (hq/entries/service.py calls it with
the entries stored now) as one statement: the entries grouped by store and
local day into ``daily_totals``, and each wallet's last visit into
``wallet_activity``. The dashboard then reads a few rows per store and day
(``figures``) and never sums the journal. New members are counted by a
trigger on ``members`` (hq/migrations/0005_backoffice.sql).

Totals are kept per terminal, whose pushes already wait for each other (the
push locks the terminal's row), so two tills of a store never wait on one
totals row; activity rows are locked in (store, wallet) order, so pushes
touching one wallet wait for each other rather than deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hq.db import Conn
from sync.protocol import ENTRY_COLUMNS

_STORE, _TERMINAL, _WALLET, _KIND, _POINTS, _AMOUNT, _AT = (
    ENTRY_COLUMNS.index(c)
    for c in (
        "store_id",
        "terminal_id",
        "wallet_id",
        "kind",
        "points",
        "amount_minor",
        "created_at",
    )
)

# Each distinct UTC hour of the batch is converted to the chain's local day once.
_RECORD = """
WITH pushed AS (
    SELECT * FROM unnest(%(store)s::text[], %(terminal)s::text[], %(wallet)s::text[],
                         %(kind)s::text[], %(points)s::bigint[], %(amount)s::bigint[],
                         %(hour)s::text[])
        AS p (store_id, terminal_id, wallet_id, kind, points, amount, hour)
), hours AS (
    SELECT hour, backoffice_day(hour) AS day FROM (SELECT DISTINCT hour FROM pushed) AS h
), dated AS (
    SELECT p.*, h.day FROM pushed p JOIN hours h USING (hour)
), totals AS (
    INSERT INTO daily_totals (store_id, day, terminal_id, sales, sales_minor, issued, redeemed,
                              expired, net)
    SELECT store_id, day, terminal_id,
           count(*) FILTER (WHERE kind = 'earn'),
           coalesce(sum(amount) FILTER (WHERE kind = 'earn'), 0),
           coalesce(sum(points) FILTER (WHERE kind IN ('earn', 'bonus', 'adjust')
                                         AND points > 0), 0),
           coalesce(-sum(points) FILTER (WHERE kind = 'redeem'), 0),
           coalesce(-sum(points) FILTER (WHERE kind = 'expire'), 0),
           sum(points)
    FROM dated GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, terminal_id) DO UPDATE SET
        sales = daily_totals.sales + excluded.sales,
        sales_minor = daily_totals.sales_minor + excluded.sales_minor,
        issued = daily_totals.issued + excluded.issued,
        redeemed = daily_totals.redeemed + excluded.redeemed,
        expired = daily_totals.expired + excluded.expired,
        net = daily_totals.net + excluded.net
)
INSERT INTO wallet_activity (store_id, wallet_id, last_day)
SELECT v.s, wallet_id, max(day)
FROM dated CROSS JOIN LATERAL (VALUES (store_id), ('*')) AS v (s)
WHERE kind IN ('earn', 'redeem')
GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (store_id, wallet_id) DO UPDATE SET last_day = excluded.last_day
    WHERE wallet_activity.last_day < excluded.last_day
"""


def record(conn: Conn, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add entries just stored (journal rows, ENTRY_COLUMNS order) to the totals."""
    if not rows:
        return
    conn.execute(
        _RECORD,
        {
            "store": [r[_STORE] for r in rows],
            "terminal": [r[_TERMINAL] for r in rows],
            "wallet": [r[_WALLET] for r in rows],
            "kind": [r[_KIND] for r in rows],
            "points": [r[_POINTS] for r in rows],
            "amount": [r[_AMOUNT] for r in rows],
            "hour": [r[_AT][:13] for r in rows],
        },
    )


PERIODS = (1, 7, 30)
"""Today, the last 7 days and the last 30 days (today included)."""


@dataclass
class StoreFigures:
    store_id: str
    name: str
    members: int = 0
    outstanding: int = 0
    new_members: dict[int, int] = field(default_factory=dict)
    active: dict[int, int] = field(default_factory=dict)
    sales: dict[int, int] = field(default_factory=dict)
    sales_minor: dict[int, int] = field(default_factory=dict)
    issued: dict[int, int] = field(default_factory=dict)
    redeemed: dict[int, int] = field(default_factory=dict)
    expired: dict[int, int] = field(default_factory=dict)


@dataclass
class Dashboard:
    today: date
    total: StoreFigures
    stores: list[StoreFigures]
    flow: list[tuple[date, int, int]]
    """(day, issued, redeemed) for each of the last 30 days, oldest first."""


def today(conn: Conn) -> date:
    row = conn.execute(
        "SELECT (now() AT TIME ZONE (SELECT timezone FROM backoffice_clock))::date"
    ).fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


def figures(conn: Conn, stores: list[str] | None) -> Dashboard:
    """The dashboard for ``stores`` (None: the whole chain, its own active count)."""
    day0 = today(conn)
    since = {n: day0 - timedelta(days=n - 1) for n in PERIODS}
    params: dict[str, Any] = {"stores": stores, "all": stores is None}
    params.update({f"d{n}": d for n, d in since.items()})
    aggregates = [
        f"sum({col}) FILTER (WHERE day >= %(d{n})s) AS c{i}"
        for i, (col, n) in enumerate(
            (col, n)
            for col in ("new_members", "sales", "sales_minor", "issued", "redeemed", "expired")
            for n in PERIODS
        )
    ]
    # The periods' sums read the last 30 days' rows only; all time is two sums.
    rows = conn.execute(
        "SELECT s.store_id, s.name, coalesce(a.members, 0), coalesce(a.net, 0), "
        + ", ".join(f"coalesce(p.c{i}, 0)" for i in range(len(aggregates)))
        + " FROM stores s LEFT JOIN (SELECT store_id, sum(new_members) AS members, "
        "  sum(net) AS net FROM daily_totals GROUP BY 1) a ON a.store_id = s.store_id "
        "LEFT JOIN (SELECT store_id, "
        + ", ".join(aggregates)
        + "  FROM daily_totals WHERE day >= %(d30)s GROUP BY 1) p ON p.store_id = s.store_id "
        "WHERE %(all)s OR s.store_id = ANY(%(stores)s) ORDER BY 1",
        params,
    ).fetchall()
    names = ("new_members", "sales", "sales_minor", "issued", "redeemed", "expired")
    found: list[StoreFigures] = []
    for row in rows:
        figures_ = StoreFigures(row[0], row[1], int(row[2]), int(row[3]))
        values = iter(row[4:])
        for name in names:
            for n in PERIODS:
                getattr(figures_, name)[n] = int(next(values))
        found.append(figures_)
    keys = [f.store_id for f in found] + (["*"] if stores is None else [])
    active = {
        (r[0]): r[1:]
        for r in conn.execute(
            "SELECT store_id, "
            + ", ".join(f"count(*) FILTER (WHERE last_day >= %(d{n})s)" for n in PERIODS)
            + " FROM wallet_activity WHERE store_id = ANY(%(keys)s) AND last_day >= %(d30)s "
            "GROUP BY 1",
            {**params, "keys": keys},
        ).fetchall()
    }
    for f in found:
        f.active = dict(
            zip(PERIODS, (int(v) for v in active.get(f.store_id, (0, 0, 0))), strict=True)
        )
    total = StoreFigures("*", "")
    total.members = sum(f.members for f in found)
    total.outstanding = sum(f.outstanding for f in found)
    for name in names:
        for n in PERIODS:
            getattr(total, name)[n] = sum(getattr(f, name)[n] for f in found)
    # A member active at two of a manager's stores counts at each: a manager's total
    # is the sum of the stores; the chain's total counts each member once.
    chain = active.get("*", (0, 0, 0))
    for i, n in enumerate(PERIODS):
        total.active[n] = int(chain[i]) if stores is None else sum(f.active[n] for f in found)
    flow_rows = conn.execute(
        "SELECT day, sum(issued), sum(redeemed) FROM daily_totals "
        "WHERE day >= %(d30)s AND (%(all)s OR store_id = ANY(%(stores)s)) GROUP BY 1",
        params,
    ).fetchall()
    by_day = {r[0]: (int(r[1]), int(r[2])) for r in flow_rows}
    flow = [(d, *by_day.get(d, (0, 0))) for d in (since[30] + timedelta(days=i) for i in range(30))]
    return Dashboard(day0, total, found, flow)
