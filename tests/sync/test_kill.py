"""Pull the plug (SIGKILL) on ``pos sync`` at random moments, dozens of times,
while it pushes a few thousand entries, pulls another terminal's, and the
till keeps selling: afterwards one more sync completes, head office holds
every entry exactly once and both sides agree.

The syncer is a process forked by tests/sync/sync_child.py (which imports
everything once, so a restart costs milliseconds)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from config import load_settings
from hq.db import Conn
from ledger.replica import Replica
from ledger.service import Ledger
from tests.sync.conftest import PHONES, Sync, hq_balances, local_balances, sales

CHILD = Path(__file__).with_name("sync_child.py")
REPO = Path(__file__).resolve().parents[2]
KILLS = 60
PENDING = 3000
BATCH = 100
B_PHONES = [f"089-000-{n:04d}" for n in range(3)]


class Syncers:
    """sync_child.py: imports once, then forks a fresh syncer for each ``go``."""

    def __init__(self, db: Path, env: dict[str, str], err_path: Path) -> None:
        self.err_path = err_path
        with err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(CHILD), str(db), str(BATCH)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
                cwd=REPO,
            )
        assert self.line() == "READY"

    def line(self) -> str:
        assert self.proc.stdout is not None
        text = self.proc.stdout.readline().decode()
        if not text:
            self.proc.wait()
            pytest.fail(f"sync_child.py exited ({self.proc.returncode}):\n{self.errors()}")
        return text.strip()

    def errors(self) -> str:
        return self.err_path.read_text()

    def go(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()
        line = self.line()
        assert line.startswith("PID "), line
        return int(line.split()[1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(home / var.lower())
    env["POS_LOG_FILE"] = str(home / "pos.log")
    return env


@pytest.mark.slow
def test_sigkill_while_syncing_never_loses_or_doubles_an_entry(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync, tmp_path: Path
) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    note = f"(random seed {seed})"
    a, b = joined("A", store="S1"), joined("B", store="S2")
    sales(a, PENDING)
    sales(b, 30, prefix="B", phones=B_PHONES)
    sync(b)

    syncers = Syncers(a.path, child_env(tmp_path / "home"), tmp_path / "sync_child.err")
    in_sync = 0  # kills that landed while the syncer was syncing (not selling)
    try:
        for kill in range(KILLS):
            pid = syncers.go()
            lines = []
            if kill % 10 == 9:
                # Now and then the syncer finishes a round (a whole sync, then
                # sales) before it is killed, however slow the machine: the
                # pushes get through and selling interleaves with syncing.
                while (line := syncers.line()) != "SOLD":
                    assert not line.startswith("DEAD "), f"{line}\n{syncers.errors()} {note}"
                    lines.append(line)
                lines.append(line)
            time.sleep(rng.uniform(0.01, 0.2))
            os.kill(pid, signal.SIGKILL)
            while not (line := syncers.line()).startswith("DEAD "):
                lines.append(line)
            assert line == f"DEAD {pid} {-signal.SIGKILL}", f"{line}\n{syncers.errors()} {note}"
            if not lines or lines[-1] == "SOLD":
                in_sync += 1
            if kill % 6 == 0:  # B sells (to its members and to A's) and syncs meanwhile
                known = [p for p in PHONES if _knows(b, p)]
                sales(b, 5, prefix=f"B{kill}-", phones=B_PHONES + known[:2])
                sync(b)
    finally:
        syncers.stop()
    assert in_sync >= 10, f"only {in_sync} kills hit a sync {note}"
    print(f"{KILLS} kills, {in_sync} while syncing; acked {Replica(a).state()['acked_seq']}")

    # One more sync completes on both sides.
    for book in (a, b, a, b):
        sync(book)
    last_seq = a.conn.execute("SELECT last_seq FROM terminals WHERE terminal_id = 'A'")
    (top,) = last_seq.fetchone()
    assert top > PENDING, note
    state = Replica(a).state()
    assert (state["acked_seq"], state["pending_entries"], state["last_error"]) == (top, 0, None)

    # Head office holds every entry of A exactly once, and exactly A's entries.
    local_ids = {r[0] for r in a.conn.execute("SELECT entry_id FROM entries WHERE terminal_id='A'")}
    rows = hq_db.execute("SELECT entry_id FROM entries WHERE terminal_id = 'A'").fetchall()
    assert len(rows) == len(local_ids) == top, note
    assert {r[0] for r in rows} == local_ids, note
    acked = hq_db.execute("SELECT acked_seq FROM terminals WHERE terminal_id = 'A'").fetchone()
    assert acked == (top,), note
    assert hq_db.execute("SELECT count(*) FROM conflicts").fetchone() == (0,), note
    # B has all of it too; every balance agrees; both ledgers verify.
    for book in (a, b):
        (count,) = book.conn.execute("SELECT count(*) FROM entries").fetchone()
        assert count == hq_db.execute("SELECT count(*) FROM entries").fetchone()[0], note  # type: ignore[index]
        assert book.verify() == [], note
    assert hq_balances(hq_db) == local_balances(a) == local_balances(b), note
    # A fresh look at A's file from disk agrees with the open ledger.
    with Ledger.open(a.path, load_settings(env={})) as again:
        assert again.verify() == [] and Replica(again).state()["acked_seq"] == top


def _knows(book: Ledger, phone: str) -> bool:
    return bool(
        book.conn.execute(
            "SELECT 1 FROM members WHERE phone = ?", (book.normalize(phone),)
        ).fetchone()
    )
