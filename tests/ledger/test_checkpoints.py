"""A long-running till checkpoints the WAL from a thread of its own, so a
sale's commit never carries a checkpoint's writes and fsyncs (ledger.checkpoints)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from ledger.service import Ledger

PHONE = "0812345678"

# In a child process: reading the database file alone (immutable: the WAL
# ignored) in this process would close a descriptor of the live ledger's file.
_COUNT_IN_FILE = (
    "import sqlite3, sys; "
    "c = sqlite3.connect(f'file:{sys.argv[1]}?immutable=1', uri=True); "
    "print(c.execute('SELECT count(*) FROM entries').fetchone()[0])"
)


def entries_in_the_database_file(path: Path) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _COUNT_IN_FILE, str(path)],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    return int(out.stdout)


def test_sales_reach_the_database_file_without_a_sale_checkpointing(
    ledger: Ledger, db_path: Path
) -> None:
    ledger.enroll(PHONE)
    ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the tables, in the file
    checkpointer = ledger.checkpoint_in_background(interval_s=0.05)
    (limit,) = ledger.conn.execute("PRAGMA wal_autocheckpoint").fetchone()
    assert limit >= 20_000  # a sale's commit does not checkpoint any more
    for n in range(60):
        ledger.earn(PHONE, "100.00", f"B{n}")
    deadline = time.monotonic() + 10
    while entries_in_the_database_file(db_path) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    # The thread moved every sale into the database file (the WAL alone held them).
    assert entries_in_the_database_file(db_path) == 60
    assert checkpointer.checkpoints > 0
    ledger.close()  # stops the thread
    assert not checkpointer._thread.is_alive()


def test_without_the_thread_the_sales_wait_in_the_wal(ledger: Ledger, db_path: Path) -> None:
    # The same sales, no thread, the app's limit: nothing reaches the file yet,
    # which is what the test above relies on to see the thread's work.
    ledger.conn.execute("PRAGMA wal_autocheckpoint = 20000")
    ledger.enroll(PHONE)
    ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the tables, in the file
    for n in range(60):
        ledger.earn(PHONE, "100.00", f"B{n}")
    time.sleep(0.2)
    assert entries_in_the_database_file(db_path) == 0
