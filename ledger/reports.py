"""Read-only views of this terminal's journal: the day's totals, the latest entries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ledger import journal, localday
from ledger.core import Core
from ledger.models import Entry


def day_summary(core: Core, day: date | datetime | None) -> dict[str, Any]:
    """This terminal's totals for one of the shop's days (from local midnight,
    ``locale.timezone``): per kind and per cashier. ``day``: the shop's date, or
    a moment in it; None: today."""
    if day is None or isinstance(day, datetime):
        day = localday.day_of(day or core.clock(), core.zone)
    start, end = localday.day_range(day, core.zone)
    _, terminal_id = core.terminal()
    where = "terminal_id = ? AND created_at >= ? AND created_at < ?"
    args = (terminal_id, start, end)
    kinds = {
        kind: {"count": count, "points": points}
        for kind, count, points in core.conn.execute(
            f"SELECT kind, count(*), sum(points) FROM entries WHERE {where} "
            "GROUP BY kind ORDER BY kind",
            args,
        )
    }
    cashiers = [
        {"cashier_id": cashier, "kind": kind, "count": count, "points": points}
        for cashier, kind, count, points in core.conn.execute(
            f"SELECT coalesce(cashier_id, '-'), kind, count(*), sum(points) FROM entries "
            f"WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2",
            args,
        )
    ]
    return {
        "day": day.isoformat(),
        "terminal_id": terminal_id,
        "kinds": kinds,
        "cashiers": cashiers,
    }


def recent_entries(core: Core, limit: int) -> list[Entry]:
    """This terminal's latest entries, newest first."""
    return journal.latest(core.conn, core.terminal()[1], limit)
