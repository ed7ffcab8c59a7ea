"""Onboarding by enrolment-month cohort (docs/reports.md, "Onboarding"): how
many members each local month brought, how many came within 30 days and came
back within 90, the median days to their first and second visit, the average
days between visits, and the share of the cohort that visited in each month
since it enrolled.

The visits are read once into a temporary table (member, local day), merged
members folded in; three statements aggregate it: per member, per cohort
(with the medians by window functions), and retention by month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger import localday
from ledger.core import Core
from ledger.reports_base import AS_MEMBER, VISITS_CTE, scope

COLUMNS = (
    "cohort", "enrolled", "activated_30d", "repeat_90d", "median_days_to_first_visit",
    "median_days_to_second_visit", "avg_days_between_visits",
)  # fmt: skip

# Per member: the cohort (local month of the enrolment: enrolled_at, or the
# first visit when earlier), days from enrolment to the first and second visit,
# visits within 30 and 90 days, and the span and count of their visits.
_PER_MEMBER = """
CREATE TEMP TABLE report_onboarding AS
WITH firsts AS (
    SELECT member_id, min(day) AS first_day, max(day) AS last_day, count(*) AS visits
    FROM temp.report_visits GROUP BY member_id),
base AS (
    SELECT m.member_id, min({enrol_day}, coalesce(f.first_day, {enrol_day})) AS enrol_day,
           f.first_day, f.last_day, coalesce(f.visits, 0) AS visits
    FROM members m LEFT JOIN firsts f ON f.member_id = m.member_id
    WHERE m.member_id NOT IN (SELECT merged_member_id FROM wallet_merges
                              WHERE merged_member_id != member_id)
      AND (m.enrolled_at < :end OR f.member_id IS NOT NULL)),
later AS (
    SELECT b.member_id,
           count(*) FILTER (WHERE v.day = b.first_day) AS on_first,
           min(v.day) FILTER (WHERE v.day > b.first_day) AS next_day,
           count(*) FILTER (WHERE julianday(v.day) - julianday(b.enrol_day) <= 30) AS in30,
           count(*) FILTER (WHERE julianday(v.day) - julianday(b.enrol_day) <= 90) AS in90
    FROM base b JOIN temp.report_visits v ON v.member_id = b.member_id GROUP BY b.member_id)
SELECT b.member_id, substr(b.enrol_day, 1, 7) AS cohort, b.enrol_day, b.visits,
       CAST(julianday(b.first_day) - julianday(b.enrol_day) AS INTEGER) AS to_first,
       CAST(julianday(CASE WHEN l.on_first >= 2 THEN b.first_day ELSE l.next_day END)
            - julianday(b.enrol_day) AS INTEGER) AS to_second,
       coalesce(l.in30, 0) > 0 AS activated, coalesce(l.in90, 0) >= 2 AS repeated,
       CAST(julianday(b.last_day) - julianday(b.first_day) AS INTEGER) AS span
FROM base b LEFT JOIN later l ON l.member_id = b.member_id
"""

_MEDIAN = """
SELECT cohort, avg(d) FROM (
    SELECT cohort, {col} AS d,
           row_number() OVER (PARTITION BY cohort ORDER BY {col}) AS n,
           count(*) OVER (PARTITION BY cohort) AS c
    FROM temp.report_onboarding WHERE {col} IS NOT NULL)
WHERE n IN ((c + 1) / 2, (c + 2) / 2) GROUP BY cohort
"""

_COHORTS = """
SELECT cohort, count(*), sum(activated), sum(repeated),
       sum(span) FILTER (WHERE visits >= 2), sum(visits - 1) FILTER (WHERE visits >= 2)
FROM temp.report_onboarding GROUP BY cohort ORDER BY cohort
"""

# Months since enrolment: the visit's local month less the cohort's month.
_RETENTION = """
SELECT o.cohort,
       (CAST(substr(v.day, 1, 4) AS INTEGER) * 12 + CAST(substr(v.day, 6, 2) AS INTEGER))
       - (CAST(substr(o.cohort, 1, 4) AS INTEGER) * 12 + CAST(substr(o.cohort, 6, 2) AS INTEGER))
         AS k,
       count(DISTINCT v.member_id)
FROM temp.report_onboarding o JOIN temp.report_visits v ON v.member_id = o.member_id
GROUP BY 1, 2 ORDER BY 1, 2
"""


@dataclass(slots=True)
class OnboardingReport:
    as_of: str
    timezone: str
    cohorts: list[dict[str, Any]]

    def rows(self) -> list[tuple[Any, ...]]:
        return [tuple(c[name] for name in COLUMNS) for c in self.cohorts]

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "timezone": self.timezone, "cohorts": self.cohorts}


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


def onboarding(core: Core, as_of: date | None) -> OnboardingReport:
    """Every enrolment-month cohort up to the end of ``as_of``."""
    where = scope(core, as_of)
    conn = core.conn
    params = where.params()
    conn.execute("DROP TABLE IF EXISTS temp.report_visits")
    conn.execute("DROP TABLE IF EXISTS temp.report_onboarding")
    try:
        conn.execute(
            f"CREATE TEMP TABLE report_visits AS WITH {VISITS_CTE} "
            f"SELECT {AS_MEMBER.format('raw_visits.member_id')} AS member_id, "
            f"{where.local_date('at')} AS day FROM raw_visits",
            params,
        )
        conn.execute("CREATE INDEX temp.report_visits_member ON report_visits (member_id, day)")
        conn.execute(_PER_MEMBER.format(enrol_day=where.local_date("m.enrolled_at")), params)
        medians = {
            col: dict(conn.execute(_MEDIAN.format(col=col)).fetchall())
            for col in ("to_first", "to_second")
        }
        retention: dict[str, list[int]] = {}
        for cohort, k, members in conn.execute(_RETENTION):
            months = retention.setdefault(cohort, [])
            months.extend([0] * (k + 1 - len(months)))
            months[k] = members
        cohorts = []
        last_month = where.as_of.day.year * 12 + where.as_of.day.month
        for cohort, enrolled, activated, repeated, span, gaps in conn.execute(_COHORTS):
            age = last_month - (int(cohort[:4]) * 12 + int(cohort[5:7]))
            months = retention.get(cohort, [])
            months = months + [0] * (age + 1 - len(months))
            cohorts.append({
                "cohort": cohort,
                "enrolled": enrolled,
                "activated_30d": activated,
                "repeat_90d": repeated,
                "activation_rate": round(activated / enrolled, 4),
                "repeat_rate": round(repeated / enrolled, 4),
                "median_days_to_first_visit": _number(medians["to_first"].get(cohort)),
                "median_days_to_second_visit": _number(medians["to_second"].get(cohort)),
                "avg_days_between_visits": _number(span / gaps) if gaps else None,
                "retention": [
                    {"month": k, "members": n, "rate": round(n / enrolled, 4)}
                    for k, n in enumerate(months)
                ],
            })  # fmt: skip
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.report_onboarding")
        conn.execute("DROP TABLE IF EXISTS temp.report_visits")
    return OnboardingReport(where.as_of.day.isoformat(), localday.zone_name(where.zone), cohorts)
