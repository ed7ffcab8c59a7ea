"""The till that test_crash.py kills: it earns in a loop and acknowledges each sale.

Usage: ``python crash_child.py DB_PATH``. Importing Python and the ledger takes
~0.3 s, so this process does that once, prints ``READY`` and then, for each line
``go START RECHECK`` on stdin, forks a fresh process (the till) and prints
``PID <pid>``. The till opens the ledger, re-sends sale ``C<RECHECK>`` (if
RECHECK >= 0) and prints ``DUP C<n> <0|1>``, then earns ``C<START>``,
``C<START+1>``, ... printing ``ACK C<n> <0|1>`` after each one is committed (the
number says whether the ledger saw it as a duplicate), until it is killed. When
the till is gone this process prints ``DEAD <pid> <exit status>`` and waits for
the next ``go``. Every line is one ``write`` to the shared stdout pipe, so lines
never interleave and everything the till wrote comes before its ``DEAD`` line.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from config import Settings, load_settings
from ledger.service import Ledger

PHONE = "081-234-5678"
LIMIT = 1_000_000  # a safety stop should the parent forget to kill the till


def amount_for(index: int) -> str:
    """The sale amount of bill C<index>: the same on every retry."""
    return f"{25 + (index * 37) % 900}.{index % 100:02d}"


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def till(db: Path, settings: Settings, start: int, recheck: int) -> None:
    book = Ledger.open(db, settings)
    if recheck >= 0:
        entry = book.earn(PHONE, amount_for(recheck), f"C{recheck}")
        say(f"DUP C{recheck} {int(entry.duplicate)}")
    for index in range(start, start + LIMIT):
        entry = book.earn(PHONE, amount_for(index), f"C{index}")
        say(f"ACK C{index} {int(entry.duplicate)}")


def main() -> int:
    db = Path(sys.argv[1])
    settings = load_settings(env={})
    say("READY")
    while True:
        words = sys.stdin.readline().split()
        if len(words) != 3 or words[0] != "go":
            return 0  # the parent is done with us
        start, recheck = int(words[1]), int(words[2])
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 2
            try:
                till(db, settings, start, recheck)
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
