"""Pull the plug (SIGKILL) on a till in the middle of earning, hundreds of times:
every acknowledged sale must be in the ledger exactly once, and the books must
still verify.

The till is a process forked by tests/ledger/crash_child.py (which imports the
ledger once, so a restart costs milliseconds, not 0.3 s); the parent kills it
with SIGKILL and restarts it from the sale after the last acknowledged one,
re-sending that last one to check it is not earned twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import load_settings
from ledger.money import parse_amount
from ledger.service import Ledger
from tests.ledger.crash_child import PHONE, amount_for

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 200
REPO = Path(__file__).resolve().parents[2]


class Tills:
    """crash_child.py: imports once, then forks a fresh till for each ``go``."""

    def __init__(self, db: Path, env: dict[str, str], err_path: Path) -> None:
        self.err_path = err_path
        with err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(CHILD), str(db)],
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
            pytest.fail(f"crash_child.py exited ({self.proc.returncode}):\n{self.errors()}")
        return text.strip()

    def errors(self) -> str:
        return self.err_path.read_text()

    def go(self, start: int, recheck: int) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"go {start} {recheck}\n".encode())
        self.proc.stdin.flush()

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


@pytest.mark.slow
def test_sigkill_while_earning_never_loses_or_doubles_a_sale(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    note = f"(random seed {seed})"

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(home / var.lower())
    env["POS_LOG_FILE"] = str(home / "pos.log")
    db = tmp_path / "ledger.db"
    settings = load_settings(env={})

    with Ledger.open(db, settings) as book:
        book.init("S1", "T1")
        book.enroll(PHONE)

    acked: list[int] = []  # acknowledged bill numbers, in order
    tills = Tills(db, env, tmp_path / "crash_child.err")
    try:
        for kill in range(KILLS):
            resume = acked[-1] + 1 if acked else 0
            recheck = acked[-1] if acked else -1
            tills.go(resume, recheck)

            # Wait until the till is earning, then pull the plug a moment later.
            lines: list[str] = []
            pid = 0
            while not pid or not any(line.startswith("ACK ") for line in lines):
                line = tills.line()
                if line.startswith("PID "):
                    pid = int(line.split()[1])
                elif line.startswith("DEAD "):
                    pytest.fail(f"the till died by itself: {line}\n{tills.errors()} {note}")
                else:
                    lines.append(line)
            time.sleep(rng.uniform(0.005, 0.08))
            os.kill(pid, signal.SIGKILL)
            while not (line := tills.line()).startswith("DEAD "):
                lines.append(line)
            assert line == f"DEAD {pid} {-signal.SIGKILL}", f"{line}\n{tills.errors()} {note}"

            # What the till said.
            new: list[int] = []
            for line in lines:
                word, ref, duplicate = line.split()
                number = int(ref[1:])
                if word == "DUP":
                    assert number == recheck, note
                    assert duplicate == "1", f"re-sent {ref} was earned again {note}"
                else:
                    assert word == "ACK", f"{line!r} {note}"
                    # Only the first bill after a kill may have been committed unacknowledged.
                    if duplicate == "1":
                        assert number == resume, f"{ref} duplicate unexpectedly {note}"
                    new.append(number)
            assert new == list(range(resume, resume + len(new))), note
            acked += new

            # What the ledger says after the crash.
            with Ledger.open(db, settings) as book:
                assert book.verify() == [], f"after kill {kill} {note}"
                counts = dict(
                    book.conn.execute(
                        "SELECT ref, count(*) FROM entries WHERE kind = 'earn' GROUP BY ref"
                    ).fetchall()
                )
                for number in new:
                    (count,) = book.conn.execute(
                        "SELECT count(*) FROM entries WHERE kind = 'earn' AND ref = ?",
                        (f"C{number}",),
                    ).fetchone()
                    assert count == 1, f"C{number} is there {count} times {note}"
                top = acked[-1]
                # Every acknowledged sale, plus at most the one being committed at the kill.
                assert set(counts) in (
                    {f"C{n}" for n in range(top + 1)},
                    {f"C{n}" for n in range(top + 2)},
                ), f"after kill {kill} {note}"
                assert set(counts.values()) == {1}, note
                member = book.member(PHONE)
                total, entries = book.conn.execute(
                    "SELECT sum(points), count(*) FROM entries WHERE wallet_id = ?",
                    (member.wallet_id,),
                ).fetchone()
                assert entries == len(counts)
                assert member.balance == total, note
                # The last acknowledged sale has the amount the till sent.
                (amount,) = book.conn.execute(
                    "SELECT amount_minor FROM entries WHERE kind = 'earn' AND ref = ?",
                    (f"C{top}",),
                ).fetchone()
                assert amount == parse_amount(amount_for(top)), note
    finally:
        tills.stop()

    assert len(acked) >= KILLS
