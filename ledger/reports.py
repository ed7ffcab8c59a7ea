"""Read-only views of this terminal's journal: the day's totals, the latest entries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ledger import journal, localday
from ledger.core import Core
from ledger.models import Entry

# The points a Z report names, whether or not the day had any.
POINT_KINDS = ("earn", "redeem", "reverse", "adjust", "expire")


def day_summary(core: Core, day: date | datetime | None) -> dict[str, Any]:
    """This terminal's totals for one of the shop's days (from local midnight,
    ``locale.timezone``): per kind and per cashier, and the end-of-day close
    (Z report): sales in money, points per kind, members enrolled here, and
    per cashier their sales, money and points. ``day``: the shop's date, or a
    moment in it; None: today.

    Money is the sale amounts of the earns, less the earns reversed that day
    (a reversal carries the negated amount). A reversal counts for the cashier
    of the sale it undoes: their takings shrink, not the approver's."""
    if day is None or isinstance(day, datetime):
        day = localday.day_of(day or core.clock(), core.zone)
    start, end = localday.day_range(day, core.zone)
    _, terminal_id = core.terminal()
    where = "terminal_id = ? AND created_at >= ? AND created_at < ?"
    args = (terminal_id, start, end)
    conn = core.conn
    kinds = {
        kind: {"count": count, "points": points}
        for kind, count, points in conn.execute(
            f"SELECT kind, count(*), sum(points) FROM entries WHERE {where} "
            "GROUP BY kind ORDER BY kind",
            args,
        )
    }
    cashiers = [
        {"cashier_id": cashier, "kind": kind, "count": count, "points": points}
        for cashier, kind, count, points in conn.execute(
            f"SELECT coalesce(cashier_id, '-'), kind, count(*), sum(points) FROM entries "
            f"WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2",
            args,
        )
    ]
    points = {kind: kinds.get(kind, {}).get("points", 0) for kind in POINT_KINDS}
    points.update({k: v["points"] for k, v in kinds.items() if k not in points})
    return {
        "day": day.isoformat(),
        "terminal_id": terminal_id,
        "timezone": localday.zone_name(core.zone),
        "from": start,
        "to": end,
        "kinds": kinds,
        "cashiers": cashiers,
        "currency": core.currency,
        "sales": _sales(conn, where, args),
        "points": points,
        "enrolled": conn.execute(
            "SELECT count(*) FROM members WHERE terminal_id = ? AND enrolled_at >= ? "
            "AND enrolled_at < ?",
            args,
        ).fetchone()[0],
        "by_cashier": _by_cashier(conn, args),
    }


def _sales(conn: Any, where: str, args: tuple[str, ...]) -> dict[str, int]:
    """Sales (earns) and the earns reversed that day, with the net amount."""
    count, reversed_, amount = conn.execute(
        "SELECT count(*) FILTER (WHERE kind = 'earn'), "
        "count(*) FILTER (WHERE kind = 'reverse' AND amount_minor IS NOT NULL), "
        "coalesce(sum(amount_minor), 0) "
        f"FROM entries WHERE {where} AND kind IN ('earn', 'reverse')",
        args,
    ).fetchone()
    return {"count": count, "reversed": reversed_, "amount_minor": amount}


def _by_cashier(conn: Any, args: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per cashier: sales, money (net of reversals) and points (net). An entry
    with no cashier (an adjustment, expiry) is under '-'; a reversal under the
    cashier of the entry it undoes."""
    rows = conn.execute(
        "SELECT coalesce(e.cashier_id, o.cashier_id, '-') AS who, "
        "count(*) FILTER (WHERE e.kind = 'earn'), "
        "coalesce(sum(e.amount_minor) FILTER (WHERE e.kind IN ('earn', 'reverse')), 0), "
        "sum(e.points), s.name "
        "FROM entries e LEFT JOIN entries o ON o.entry_id = e.reverses "
        "LEFT JOIN staff s ON s.staff_id = coalesce(e.cashier_id, o.cashier_id) "
        "WHERE e.terminal_id = ? AND e.created_at >= ? AND e.created_at < ? "
        "GROUP BY who ORDER BY who",
        args,
    )
    return [
        {"cashier_id": who, "name": name, "sales": sales, "amount_minor": amount, "points": pts}
        for who, sales, amount, pts, name in rows
    ]


def recent_entries(core: Core, limit: int) -> list[Entry]:
    """This terminal's latest entries, newest first."""
    return journal.latest(core.conn, core.terminal()[1], limit)
