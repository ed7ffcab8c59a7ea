"""RFM: recency, frequency and monetary value of every member over a window
ending at the report's day, scored 1..5 by quintiles and named by the segment
map (docs/reports.md, "RFM"; ledger.segments).

One statement: the visits grouped once per member (the journal read once),
the members merged into another folded into it, then three window functions
rank the members with a visit in the window. Python only shapes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ledger import segments
from ledger.core import Core
from ledger.reports_base import (
    AS_MEMBER,
    HIDDEN_CTE,
    VISITS_CTE,
    Masker,
    external_id_column,
    money_units,
    scope,
)
from ledger.reports_time import day_start, days_between_sql

DEFAULT_WINDOW_DAYS = 365
# Fewer members than quintiles: no scores (docs/reports.md).
MIN_SCORED = 5

COLUMNS = (
    "member_id",
    "external_id",
    "phone",
    "first_visit",
    "last_visit",
    "recency_days",
    "frequency",
    "monetary",
    "r",
    "f",
    "m",
    "segment",
)


@dataclass(slots=True)
class RfmReport:
    as_of: str
    window_days: int
    window_from: str
    timezone: str
    currency: str
    members: int
    """Members enrolled by the end of the day (merged members count once)."""
    scored: int
    """Members with a visit in the window (the quintiles are among them)."""
    lapsed: int
    """Members whose visits are all before the window: segment Lost, no scores."""
    hidden: int
    """Members with a visit left out of the rows (consent withdrawn, or erased)."""
    segments: dict[str, int]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    """In :data:`COLUMNS` order; phone masked, dates local, monetary in units."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "window_days": self.window_days,
            "window_from": self.window_from,
            "timezone": self.timezone,
            "currency": self.currency,
            "members": self.members,
            "scored": self.scored,
            "lapsed": self.lapsed,
            "hidden": self.hidden,
            "too_few_to_score": 0 < self.scored < MIN_SCORED,
            "segments": self.segments,
            "rows": [dict(zip(COLUMNS, row, strict=True)) for row in self.rows],
        }


def _statement(local_last: str, local_first: str, external_id: str) -> str:
    n = "count(*) OVER (PARTITION BY frequency > 0)"

    def score(value: str, order: str) -> str:
        # The member's middle position among the scored: 1 + floor(5 x (worse +
        # (tied - 1) / 2) / n), in integers. Ties share a score, and a value
        # everybody shares scores 3, not 1 or 5 (docs/reports.md).
        worse = f"rank() OVER (PARTITION BY frequency > 0 ORDER BY {value} {order}) - 1"
        tied = f"count(*) OVER (PARTITION BY frequency > 0, {value})"
        return f"1 + 5 * (2 * ({worse}) + {tied} - 1) / (2 * {n})"

    return f"""
WITH {VISITS_CTE}, {HIDDEN_CTE},
per_raw AS (
    SELECT member_id, min(at) AS first_at, max(at) AS last_at,
           count(*) FILTER (WHERE at >= :start) AS frequency,
           coalesce(sum(amount) FILTER (WHERE at >= :start), 0) AS monetary
    FROM raw_visits GROUP BY member_id),
per AS (
    SELECT {AS_MEMBER.format("per_raw.member_id")} AS member_id, min(first_at) AS first_at,
           max(last_at) AS last_at, sum(frequency) AS frequency, sum(monetary) AS monetary
    FROM per_raw GROUP BY 1),
measured AS (
    SELECT *, {days_between_sql(local_last, ":day")} AS recency FROM per),
scored AS (
    SELECT *, {score("recency", "DESC")} AS r, {score("frequency", "")} AS f,
           {score("monetary", "")} AS m, {n} AS n
    FROM measured)
SELECT s.member_id, {external_id}, m.phone, {local_first}, {local_last}, s.recency,
       s.frequency, s.monetary,
       CASE WHEN s.frequency > 0 AND s.n >= {MIN_SCORED} THEN s.r END,
       CASE WHEN s.frequency > 0 AND s.n >= {MIN_SCORED} THEN s.f END,
       CASE WHEN s.frequency > 0 AND s.n >= {MIN_SCORED} THEN s.m END,
       CASE WHEN s.frequency = 0 THEN '{segments.LAPSED}'
            WHEN s.n >= {MIN_SCORED} THEN {segments.segment_sql("s.r", "s.f")} END,
       s.member_id IN (SELECT member_id FROM hidden), m.enrolled_at >= :end
FROM scored s JOIN members m ON m.member_id = s.member_id
"""


def rfm(core: Core, as_of: date | None, window_days: int = DEFAULT_WINDOW_DAYS) -> RfmReport:
    """Every member's RFM as at the end of ``as_of`` over the last ``window_days``
    of the shop's days (as_of among them)."""
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    where = scope(core, as_of)
    first_day = where.as_of.day - timedelta(days=window_days - 1)
    conn = core.conn
    sql = _statement(
        where.local_date("last_at"),
        where.local_date("first_at"),
        external_id_column(conn),
    )
    params = {
        **where.params(),
        "start": day_start(first_day, where.zone),
        "day": where.as_of.day.isoformat(),
    }
    order = {name: n for n, name in enumerate(segments.NAMES)}
    counts = dict.fromkeys(segments.NAMES, 0)
    rows: list[tuple[Any, ...]] = []
    scored = lapsed = hidden = late = 0
    for row in conn.execute(sql, params):
        *shown, segment, is_hidden, enrolled_later = row
        if segment is not None:
            counts[segment] += 1
        if shown[6] > 0:
            scored += 1
        else:
            lapsed += 1
        late += enrolled_later  # imported history older than the member's enrolment
        if is_hidden:
            hidden += 1
            continue
        rows.append((*shown, segment))
    rows.sort(key=lambda r: (order.get(r[11], len(order)), -r[7], r[0]))
    mask = Masker(where.region)
    rows = [(*r[:2], mask(r[2]), *r[3:7], money_units(r[7]), *r[8:]) for r in rows]
    (enrolled,) = conn.execute(
        "SELECT count(*) FROM members m WHERE m.enrolled_at < :end AND m.member_id NOT IN "
        "(SELECT merged_member_id FROM wallet_merges WHERE merged_member_id != member_id)",
        params,
    ).fetchone()
    from ledger import localday

    return RfmReport(
        as_of=where.as_of.day.isoformat(),
        window_days=window_days,
        window_from=first_day.isoformat(),
        timezone=localday.zone_name(where.zone),
        currency=where.currency,
        members=enrolled + late,
        scored=scored,
        lapsed=lapsed,
        hidden=hidden,
        segments=counts,
        rows=rows,
    )
