"""An orphaned counter app does not spin (issue 11): when its terminal goes
away (SIGHUP, or the other end of its pty closed without one), ``pos run``
exits at once, closes its ledger, and spends no CPU on the way out."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.app.test_e2e_pty import POS, _env, _pos

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


@pytest.mark.parametrize("how", ["terminal closed", "SIGHUP"])
def test_pos_run_exits_cleanly_when_its_terminal_goes_away(tmp_path: Path, how: str) -> None:
    env = _env(tmp_path)
    db = tmp_path / "shop.db"
    _pos(env, "init", "--store", "S1", "--terminal", "T1", "--db", str(db))
    _pos(env, "staff", "add", "sup", "--role", "supervisor", "--db", str(db), stdin="2468\n")

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    # A session of its own without the pty as its controlling terminal: closing
    # the pty sends no SIGHUP, the app only reads end-of-file (or EIO).
    proc = subprocess.Popen(
        [str(POS), "run", "--db", str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    try:
        shown = b""
        deadline = time.monotonic() + 10
        while b"S1/T1" not in shown:  # the status bar: the app is up
            assert time.monotonic() < deadline, shown[-500:]
            if select.select([master], [], [], 0.1)[0]:
                shown += os.read(master, 65536)
        time.sleep(0.3)
        before = cpu_seconds(proc.pid)
        if how == "SIGHUP":
            os.kill(proc.pid, signal.SIGHUP)
        else:
            os.close(master)
        deadline = time.monotonic() + 5
        spent = 0.0
        while proc.poll() is None and time.monotonic() < deadline:
            # Read while it is there: a spinning app burns a CPU second a second.
            spent = cpu_seconds(proc.pid) - before
            time.sleep(0.05)
        assert proc.poll() is not None, f"still running {how}: {spent:.2f} s of CPU since"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if how == "SIGHUP":
            os.close(master)
    assert proc.returncode == 0  # exited, not killed by the signal
    assert spent < 0.5
    assert not Path(f"{db}-wal").exists()  # the ledger was closed, not left open
    verified = subprocess.run(
        [str(POS), "ledger", "verify", "--db", str(db)], env=env, capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Traceback" not in (tmp_path / "pos.log").read_text()
