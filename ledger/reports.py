"""Read-only views of this terminal's journal: the day's totals, the latest entries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ledger import journal
from ledger.core import Core
from ledger.models import Entry


def day_summary(core: Core, day: datetime | None) -> dict[str, Any]:
    """This terminal's totals for one UTC day: per kind and per cashier."""
    moment = day or core.clock()
    start = moment.strftime("%Y-%m-%dT00:00:00.000000Z")
    end = (moment + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00.000000Z")
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
    return {"day": start[:10], "terminal_id": terminal_id, "kinds": kinds, "cashiers": cashiers}


def recent_entries(core: Core, limit: int) -> list[Entry]:
    """This terminal's latest entries, newest first."""
    return journal.latest(core.conn, core.terminal()[1], limit)
