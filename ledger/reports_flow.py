"""Points flow (docs/reports.md, "Points flow"): what this store's journal
issued, redeemed, expired, reversed, adjusted and transferred per local day,
week or month, the points outstanding at the end of each period (also in
money, at the catalog's best rate) and the breakage rate.

One scan of the journal up to the range's end: the rows before the range are
one group (the opening balance), the rest grouped by period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from ledger import localday
from ledger.core import Core
from ledger.errors import InvalidInput
from ledger.reports_base import money_units
from ledger.reports_time import AsOf, day_start, local_date_sql

if TYPE_CHECKING:
    from config.settings import Reward

By = Literal["day", "week", "month"]
BY: tuple[By, ...] = ("day", "week", "month")
# Rewards worth an amount of money: the ones a point's value in money is read from.
MONEY_KINDS = ("discount", "store_credit", "gift_voucher")
FLOWS = ("issued", "redeemed", "expired", "reversed", "adjusted", "transferred")
COLUMNS = ("start", "end", *FLOWS, "outstanding", "outstanding_value", "breakage_rate")


@dataclass(slots=True)
class Period:
    start: date
    end: date
    """The period's last day, inside the report's range."""
    issued: int = 0
    redeemed: int = 0
    expired: int = 0
    reversed: int = 0
    adjusted: int = 0
    transferred: int = 0
    outstanding: int = 0

    def flows(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in FLOWS)


def breakage(redeemed: int, expired: int) -> float | None:
    """Of the points members used up (redeemed or let expire), the share that expired."""
    used = redeemed + expired
    return None if used <= 0 else round(expired / used, 4)


def point_value(rewards: list[Reward]) -> tuple[Decimal, str] | None:
    """The most money one point buys in the catalog (value / points of its best
    money reward) and that reward's id; None without money rewards."""
    best: tuple[Decimal, str] | None = None
    for reward in rewards:
        if reward.kind in MONEY_KINDS and reward.value > 0:
            worth = Decimal(reward.value) / reward.points
            if best is None or worth > best[0]:
                best = (worth, reward.id)
    return best


@dataclass(slots=True)
class FlowReport:
    start: date
    end: date
    by: By
    timezone: str
    currency: str
    opening: int
    periods: list[Period]
    value: tuple[Decimal, str] | None

    def value_of(self, points: int) -> str | None:
        if self.value is None:
            return None
        minor = (points * self.value[0] * 100).quantize(Decimal(1), ROUND_HALF_UP)
        return money_units(int(minor))

    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(p, name) for p in self.periods) for name in FLOWS}

    def rows(self) -> list[tuple[Any, ...]]:
        return [
            (p.start.isoformat(), p.end.isoformat(), *p.flows(), p.outstanding,
             self.value_of(p.outstanding), breakage(p.redeemed, p.expired))
            for p in self.periods
        ]  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        totals = self.totals()
        closing = self.periods[-1].outstanding if self.periods else self.opening
        rate = None
        if self.value is not None:
            rate = {"reward_id": self.value[1], "points_per_unit": str(
                (1 / self.value[0]).quantize(Decimal("0.0001"), ROUND_HALF_UP))}  # fmt: skip
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "by": self.by,
            "timezone": self.timezone,
            "currency": self.currency,
            "rate": rate,
            "opening": self.opening,
            "opening_value": self.value_of(self.opening),
            "closing": closing,
            "closing_value": self.value_of(closing),
            "totals": totals,
            "breakage_rate": breakage(totals["redeemed"], totals["expired"]),
            "periods": [dict(zip(COLUMNS, row, strict=True)) for row in self.rows()],
        }


def _period_start(day: date, by: By) -> date:
    if by == "week":
        return day - timedelta(days=day.weekday())  # Monday
    if by == "month":
        return day.replace(day=1)
    return day


def _next_start(start: date, by: By) -> date:
    if by == "week":
        return start + timedelta(days=7)
    if by == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _periods(start: date, end: date, by: By) -> dict[str, Period]:
    """Every period touching [start, end], keyed as the SQL keys it, clipped to the range."""
    out: dict[str, Period] = {}
    first = _period_start(start, by)
    while first <= end:
        following = _next_start(first, by)
        key = first.isoformat()[:7] if by == "month" else first.isoformat()
        out[key] = Period(max(first, start), min(following - timedelta(days=1), end))
        first = following
    return out


def _key_sql(local: str, by: By) -> str:
    if by == "week":
        # SQLite's 'weekday 0' moves to the next Sunday (or stays): six days back is Monday.
        return f"date({local}, 'weekday 0', '-6 days')"
    if by == "month":
        return f"substr({local}, 1, 7)"
    return local


def flow(core: Core, start: date, end: date, by: By) -> FlowReport:
    """This store's points flow over the shop's days ``start`` to ``end`` (both in)."""
    if start > end:
        raise InvalidInput(
            key="invalid_input.report_range", start=start.isoformat(), end=end.isoformat()
        )
    store_id, _ = core.terminal()
    zone = core.zone
    periods = _periods(start, end, by)
    key = _key_sql(local_date_sql("created_at", zone, end), by)
    sql = f"""
SELECT CASE WHEN created_at < :start THEN NULL ELSE {key} END AS period,
       coalesce(sum(points), 0),
       coalesce(sum(points) FILTER (WHERE kind IN ('earn', 'bonus')), 0),
       -coalesce(sum(points) FILTER (WHERE kind = 'redeem'), 0),
       -coalesce(sum(points) FILTER (WHERE kind = 'expire'), 0),
       coalesce(sum(points) FILTER (WHERE kind = 'reverse'), 0),
       coalesce(sum(points) FILTER (WHERE kind = 'adjust'), 0),
       coalesce(sum(points) FILTER (WHERE kind = 'transfer'), 0)
FROM entries WHERE store_id = :store AND created_at < :end GROUP BY 1"""
    params = {"store": store_id, "start": day_start(start, zone), "end": AsOf.of(end, zone).end}
    opening = 0
    for period, net, *flows in core.conn.execute(sql, params):
        if period is None:
            opening = net
            continue
        held = periods[period]
        for name, points in zip(FLOWS, flows, strict=True):
            setattr(held, name, points)
    running = opening
    for held in periods.values():
        running += (held.issued - held.redeemed - held.expired + held.reversed
                    + held.adjusted + held.transferred)  # fmt: skip
        held.outstanding = running
    return FlowReport(
        start, end, by, localday.zone_name(zone), core.currency, opening,
        list(periods.values()), point_value(list(core.rewards.values())),
    )  # fmt: skip
