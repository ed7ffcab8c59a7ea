"""Member lists (docs/reports.md): the top members by spend and by visits,
with their lifetime value, and the dormant members (no visit in N days).

Each is one statement over the visits grouped once per member; members whose
consent is withdrawn (or who were erased) are counted but never listed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ledger import localday
from ledger.core import Core
from ledger.reports_base import (
    AS_MEMBER,
    HIDDEN_CTE,
    VISITS_CTE,
    Masker,
    Scope,
    external_id_column,
    money_units,
    scope,
)
from ledger.reports_time import days_between_sql

DEFAULT_LIMIT = 20
DEFAULT_DORMANT_DAYS = 90

# Per member (merged members folded in): visits, spend, first and last visit,
# and the enrolment (enrolled_at, or the first visit when it is earlier: an
# imported member's history starts before the import). Parameters :store, :end.
_PER_MEMBER = f"""
CREATE TEMP TABLE report_per (
    member_id TEXT PRIMARY KEY, first_at TEXT, last_at TEXT, visits INTEGER, spend INTEGER);
INSERT INTO temp.report_per
WITH {VISITS_CTE},
per_raw AS (
    SELECT member_id, min(at) AS first_at, max(at) AS last_at, count(*) AS visits,
           sum(amount) AS spend
    FROM raw_visits GROUP BY member_id)
SELECT {AS_MEMBER.format("per_raw.member_id")}, min(first_at), max(last_at), sum(visits), sum(spend)
FROM per_raw GROUP BY 1 ORDER BY 1
"""
# The members listed (the per-member table above by its primary key).
_LISTED = f"""
WITH {HIDDEN_CTE},
merged(member_id) AS MATERIALIZED (
    SELECT merged_member_id FROM wallet_merges WHERE merged_member_id != member_id),
listed AS MATERIALIZED (
    SELECT m.member_id, m.phone, m.wallet_id, {{external_id}} AS external_id,
           min(m.enrolled_at, coalesce(p.first_at, m.enrolled_at)) AS enrolled_at,
           p.first_at, p.last_at, coalesce(p.visits, 0) AS visits,
           coalesce(p.spend, 0) AS spend,
           m.member_id IN (SELECT member_id FROM hidden) AS hidden
    FROM members m LEFT JOIN temp.report_per p ON p.member_id = m.member_id
    WHERE m.member_id NOT IN (SELECT member_id FROM merged)
      AND (m.enrolled_at < :end OR p.member_id IS NOT NULL))
"""


def _per_member(conn: sqlite3.Connection, params: dict[str, Any]) -> None:
    """Fill temp.report_per: one row per member (merged members folded in)."""
    conn.execute("DROP TABLE IF EXISTS temp.report_per")
    create, insert = _PER_MEMBER.split(";", 1)
    conn.execute(create)
    conn.execute(insert, params)


def _query(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    try:
        _per_member(conn, {k: params[k] for k in ("store", "end")})
        return conn.execute(sql, params).fetchall()
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.report_per")


TOP_COLUMNS = (
    "list", "rank", "member_id", "external_id", "phone", "visits", "spend",
    "first_visit", "last_visit", "months", "value_per_month",
)  # fmt: skip
DORMANT_COLUMNS = (
    "member_id", "external_id", "phone", "enrolled", "last_visit", "days_quiet",
    "visits", "spend", "balance",
)  # fmt: skip


@dataclass(slots=True)
class MemberList:
    as_of: str
    timezone: str
    currency: str
    columns: tuple[str, ...]
    totals: dict[str, Any]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "timezone": self.timezone,
            "currency": self.currency,
            **self.totals,
            "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
        }


def _local(where: Scope, column: str) -> str:
    return where.local_date(column)


def top(core: Core, as_of: date | None, limit: int = DEFAULT_LIMIT) -> MemberList:
    """The ``limit`` members with the most spend, and the ``limit`` with the most
    visits, over all their visits up to the end of ``as_of``; with lifetime
    value: spend, and spend per month of membership (30 days, the first counted)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    where = scope(core, as_of)
    conn = core.conn
    months = f"(({days_between_sql(_local(where, 'enrolled_at'), ':day')} + 30) / 30)"
    shown = (
        f"member_id, external_id, phone, visits, spend, {_local(where, 'first_at')}, "
        f"{_local(where, 'last_at')}, {months}"
    )
    sql = (
        _LISTED.format(external_id=external_id_column(conn))
        + f"""
SELECT 'spend', {shown} FROM (SELECT * FROM listed WHERE visits > 0 AND NOT hidden
    ORDER BY spend DESC, visits DESC, member_id LIMIT :limit)
UNION ALL
SELECT 'visits', {shown} FROM (SELECT * FROM listed WHERE visits > 0 AND NOT hidden
    ORDER BY visits DESC, spend DESC, member_id LIMIT :limit)
UNION ALL
SELECT 'totals', count(*) FILTER (WHERE visits > 0), NULL, NULL, sum(visits), sum(spend),
       count(*), NULL, NULL FROM listed"""
    )
    params = {**where.params(), "limit": limit, "day": where.as_of.day.isoformat()}
    mask = Masker(where.region)
    rows: list[tuple[Any, ...]] = []
    ranks = {"spend": 0, "visits": 0}
    totals: dict[str, Any] = {}
    for which, member_id, external_id, phone, visits, spend, first, last, n in _query(
        conn, sql, params
    ):
        if which == "totals":
            totals = {"members": first, "with_visits": member_id,
                      "visits": visits or 0, "spend": money_units(spend or 0)}  # fmt: skip
            continue
        ranks[which] += 1
        rows.append((which, ranks[which], member_id, external_id, mask(phone), visits,
                     money_units(spend), first, last, n, money_units(spend // n)))  # fmt: skip
    return MemberList(
        where.as_of.day.isoformat(), localday.zone_name(where.zone), where.currency,
        TOP_COLUMNS, {"limit": limit, **totals}, rows,
    )  # fmt: skip


def dormant(core: Core, as_of: date | None, days: int = DEFAULT_DORMANT_DAYS) -> MemberList:
    """Members with no visit in the last ``days`` of the shop's days up to
    ``as_of`` (their last visit, or their enrolment if they never came, is at
    least ``days`` days before it); the most recently quiet first."""
    if days < 1:
        raise ValueError("days must be at least 1")
    where = scope(core, as_of)
    conn = core.conn
    last_day = f"{_local(where, 'coalesce(last_at, enrolled_at)')}"
    quiet = days_between_sql(last_day, ":day")
    sql = (
        _LISTED.format(external_id=external_id_column(conn))
        + f"""
, quiet AS (SELECT *, {quiet} AS days_quiet FROM listed WHERE {last_day} <= :cutoff)
SELECT * FROM (SELECT member_id, external_id, phone, {_local(where, "enrolled_at")},
       {_local(where, "last_at")}, days_quiet, visits, spend,
       (SELECT coalesce(sum(points), 0) FROM entries e
        WHERE e.wallet_id = q.wallet_id AND e.created_at < :end), hidden
FROM quiet q
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, count(*), NULL, NULL, NULL FROM listed)
ORDER BY member_id IS NULL, days_quiet, member_id"""
    )
    cutoff = (where.as_of.day - timedelta(days=days)).isoformat()
    params = {**where.params(), "day": where.as_of.day.isoformat(), "cutoff": cutoff}
    mask = Masker(where.region)
    rows: list[tuple[Any, ...]] = []
    hidden = members = 0
    for *row, is_hidden in _query(conn, sql, params):
        if row[0] is None:
            members = row[6]
            continue
        if is_hidden:
            hidden += 1
            continue
        row[2] = mask(row[2])
        row[7] = money_units(row[7])
        rows.append(tuple(row))
    totals = {"days": days, "quiet_since": cutoff, "members": members,
              "dormant": len(rows) + hidden, "hidden": hidden}  # fmt: skip
    return MemberList(
        where.as_of.day.isoformat(), localday.zone_name(where.zone), where.currency,
        DORMANT_COLUMNS, totals, rows,
    )  # fmt: skip
