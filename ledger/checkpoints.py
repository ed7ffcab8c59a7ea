"""Checkpoints off the sale path.

In WAL mode SQLite copies the WAL back into the database file (a checkpoint)
from whichever connection commits past ``wal_autocheckpoint`` pages: every
70 or so sales, one sale's commit also writes and fsyncs a thousand pages
(measured here: earn p99 7 ms with it, 3 ms without). A long-running process
(the counter app, a benchmark) hands that work to a thread of its own with a
connection of its own (SQLite's: safe beside the ledger's, which a plain
``open()`` of the file is not). A passive checkpoint never blocks a writer.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from ledger.forget import scrub_wal
from ledger.meta import K_WAL_SCRUB

log = logging.getLogger("ledger.checkpoints")

# The ledger's own connection still checkpoints past this many pages (about
# 80 MB of WAL): only if this thread stops keeping up.
SAFETY_PAGES = 20_000


class Checkpointer:
    def __init__(self, path: Path, interval_s: float = 1.0) -> None:
        self.path = path
        self.interval_s = interval_s
        self.checkpoints = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ledger-checkpoint", daemon=True)

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> Checkpointer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            log.exception("background checkpoints not started")
            return
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            while not self._stop.wait(self.interval_s):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                    if conn.execute("SELECT 1 FROM meta WHERE key = ?", (K_WAL_SCRUB,)).fetchone():
                        # An erasure whose WAL a reader held then (ledger.forget).
                        scrub_wal(conn)
                except sqlite3.Error as exc:  # busy, a full disk: the next round tries again
                    log.warning("background checkpoint skipped: %s", exc)
        finally:
            conn.close()
