"""``pos ledger verify`` on a joined till: the journal against head office's copy.

A journal can be intact on its own and still not be the history head office
holds: a WAL deleted under a connection takes entries and the chain head
together, and a till restored from an old copy or cloned sells new entries
under numbers head office already holds. Only head office's copy shows that,
so verify asks for it (the terminal's own entries, ``GET /v1/restore``) and
compares entry by entry: same id and same hash under every number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from ledger.models import Problem
from ledger.replica import Replica
from sync.restore import PAGE, RestoreClient

if TYPE_CHECKING:
    from ledger.service import Ledger


def compare_with_head_office(
    ledger: Ledger, *, transport: httpx.BaseTransport | None = None
) -> list[Problem] | None:
    """Problems found against head office's copy; None when the till has not
    joined. Raises ``HeadOfficeUnreachable`` when head office does not answer."""
    replica = Replica(ledger)
    url, token = replica.hq_url(), replica.token()
    if not url or not token:
        return None
    _, terminal = ledger.terminal()
    ours = replica.own_chain()
    differ: list[int] = []
    missing: list[int] = []
    after, acked = 0, 0
    client = RestoreClient(url, token, transport=transport)
    try:
        while True:
            page = client.own_journal(after, PAGE)
            acked = page.acked_seq
            for entry in page.entries:
                mine = ours.get(entry["seq"])
                if mine is None:
                    missing.append(entry["seq"])
                elif mine != (entry["entry_id"], entry["hash"]):
                    differ.append(entry["seq"])
            if not page.more or not page.entries:
                break
            after = page.entries[-1]["seq"]
    finally:
        client.close()
    problems = []
    if differ:
        problems.append(
            Problem(
                "head_office",
                f"terminal {terminal}: entry {differ[0]} differs from head office's copy"
                + _more(len(differ))
                + ": this journal split from head office's history (a restored or cloned "
                "copy); do not sell on it, run 'pos ledger restore'",
                ours[differ[0]][0],
            )
        )
    if missing:
        problems.append(
            Problem(
                "head_office",
                f"terminal {terminal}: head office holds entry {missing[0]} (of {acked} "
                f"acknowledged) that this journal does not"
                + _more(len(missing))
                + ": entries were lost here; do not sell on it, run 'pos ledger restore'",
            )
        )
    return problems


def _more(count: int) -> str:
    return f" ({count - 1} more like it)" if count > 1 else ""
