"""Networks fail: head office unreachable, a connection cut mid-batch, a reply
lost after head office committed. Afterwards head office holds every entry
exactly once and the terminal's acked seq catches up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hq.db import Conn
from ledger.replica import Replica
from ledger.service import Ledger
from sync.client import HeadOfficeUnreachable
from tests.sync.conftest import PHONES, Proxy, Sync, hq_balances, local_balances, sales


def hq_entries(conn: Conn, terminal_id: str) -> tuple[int, int, int]:
    """(rows, distinct ids, terminal's acked seq) at head office."""
    row = conn.execute(
        "SELECT count(*), count(DISTINCT entry_id), "
        "(SELECT acked_seq FROM terminals WHERE terminal_id = %(t)s) "
        "FROM entries WHERE terminal_id = %(t)s",
        {"t": terminal_id},
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def local_state(book: Ledger) -> dict[str, Any]:
    """Everything sync may change here, but the time and text of the last attempt."""
    conn = book.conn
    return {
        "entries": conn.execute("SELECT count(*), max(seq) FROM entries").fetchone(),
        "members": conn.execute("SELECT member_id, phone FROM members ORDER BY 1").fetchall(),
        "wallets": conn.execute("SELECT wallet_id, balance FROM wallets ORDER BY 1").fetchall(),
        "meta": conn.execute(
            "SELECT key, value FROM meta WHERE key NOT IN "
            "('sync.last_error', 'sync.last_attempt_at') ORDER BY key"
        ).fetchall(),
    }


def test_offline_sync_changes_nothing_and_sales_go_on(
    joined: Callable[..., Ledger], proxy: Proxy, sync: Sync
) -> None:
    a = joined("A", url=proxy.url)
    sales(a, 10)
    sync(a)
    sales(a, 5, prefix="T")
    proxy.down()
    before = local_state(a)
    with pytest.raises(HeadOfficeUnreachable) as caught:
        sync(a)
    message = caught.value.message
    assert f"Cannot reach head office at {proxy.url}" in message
    assert "check the internet connection" in message and "offline" in message
    assert caught.value.__suppress_context__  # no chained traceback to print
    assert local_state(a) == before
    state = Replica(a).state()
    assert state["last_error"] == message and state["pending_entries"] == 5

    entry = a.earn(PHONES[0], "100.00", "OFFLINE-1")  # the counter does not care
    assert entry.points == 4 and not entry.duplicate

    proxy.up()
    assert sync(a)["pushed"] == 6
    assert Replica(a).state()["last_error"] is None


def test_connection_cut_mid_batch(
    joined: Callable[..., Ledger], proxy: Proxy, hq_db: Conn, sync: Sync
) -> None:
    a = joined("A", url=proxy.url)
    sales(a, 300)
    proxy.arm("cut", faults=1000)  # every push dies after 1,500 bytes
    with pytest.raises(HeadOfficeUnreachable, match="was cut"):
        sync(a, batch=100)
    assert hq_entries(hq_db, "A") == (0, 0, 0)
    assert Replica(a).state()["acked_seq"] == 0

    proxy.arm("cut", faults=2)  # two cuts, retried within the same sync
    done = sync(a, batch=100)
    assert done["pushed"] == 300 and done["retries"] == 2
    assert hq_entries(hq_db, "A") == (300, 300, 300)
    assert Replica(a).state()["acked_seq"] == 300
    assert a.verify() == []
    assert hq_balances(hq_db) == local_balances(a)


def test_reply_lost_after_head_office_committed(
    joined: Callable[..., Ledger], proxy: Proxy, hq_db: Conn, sync: Sync
) -> None:
    a = joined("A", url=proxy.url)
    sales(a, 250)
    proxy.arm("drop", faults=1000)  # head office commits, the answer never arrives
    with pytest.raises(HeadOfficeUnreachable, match="was cut"):
        sync(a, batch=100)
    # The first batch is stored (once, although it was sent three times) ...
    assert hq_entries(hq_db, "A") == (100, 100, 100)
    # ... but only head office's answer moves the terminal's cursor.
    assert Replica(a).state()["acked_seq"] == 0

    proxy.arm("drop", faults=1)  # one more lost answer, retried within the sync
    done = sync(a, batch=100)
    assert done["pushed"] == 250 and done["retries"] == 1
    assert hq_entries(hq_db, "A") == (250, 250, 250)
    assert Replica(a).state()["acked_seq"] == 250
    assert hq_db.execute("SELECT count(*) FROM conflicts").fetchone() == (0,)
    assert a.verify() == []
    assert hq_balances(hq_db) == local_balances(a)
