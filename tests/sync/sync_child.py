"""The sync process test_kill.py kills: it syncs in a loop and sells in between.

Usage: ``python sync_child.py DB_PATH BATCH``. Importing Python, the ledger and
httpx takes a while, so this process does that once, prints ``READY`` and then,
for each line ``go`` on stdin, forks a fresh process (the syncer) and prints
``PID <pid>``. The syncer opens the ledger and loops: one ``pos sync`` (pushes
in batches of BATCH, then pulls), ``SYNCED <pushed> <pulled>``, a few sales,
``SOLD``, until it is killed. When it is gone this process prints
``DEAD <pid> <exit status>`` and waits for the next ``go``. Every line is one
``write``, so lines never interleave.
"""

from __future__ import annotations

import os
import sys
import traceback
import uuid
from pathlib import Path

from config import Settings, load_settings
from ledger.service import Ledger
from sync import commands
from sync.client import ssl_context
from sync.engine import Retry

PHONES = [f"081-000-{n:04d}" for n in range(5)]
SALES_PER_ROUND = 10
ROUNDS = 100_000  # a safety stop should the parent forget to kill the syncer


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def syncer(db: Path, settings: Settings, batch: int) -> None:
    book = Ledger.open(db, settings)
    retry = Retry(attempts=3, base_s=0.01, cap_s=0.05)
    for _ in range(ROUNDS):
        done = commands.sync(book, batch=batch, retry=retry)
        say(f"SYNCED {done['pushed']} {done['pulled']}")
        for n in range(SALES_PER_ROUND):
            book.earn(PHONES[n % len(PHONES)], "125.00", f"K{uuid.uuid4().hex[:16]}")
        say("SOLD")


def main() -> int:
    db, batch = Path(sys.argv[1]), int(sys.argv[2])
    settings = load_settings(env={})
    ssl_context()  # loaded once here, not in every syncer
    say("READY")
    while True:
        if sys.stdin.readline().strip() != "go":
            return 0  # the parent is done with us
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 2
            try:
                syncer(db, settings, batch)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                status = 1
            os._exit(status)
        say(f"PID {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"DEAD {pid} {os.waitstatus_to_exitcode(status)}")


if __name__ == "__main__":
    sys.exit(main())
