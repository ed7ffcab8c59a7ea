"""End to end: ``pos run`` in a real pseudo-terminal (80x24, xterm-256color),
driven by keystrokes like a cashier at the counter: log in, look up a new
phone, enroll, type a sale, quit. Then ``pos member show`` reads the balance
back from the same database file.

Stdlib only (pty, termios/fcntl, subprocess). Keys go one field at a time with
short sleeps: a burst of keys in one write is not reliable."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
]

POS = Path(sys.executable).parent / "pos"
PHONE = "0812345678"
STEP = 0.4  # seconds between keystroke groups


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("POS_", "TEXTUAL"))}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(home / var.lower())
    env.update(
        POS_LOG_FILE=str(home / "pos.log"),
        TERM="xterm-256color",
        COLUMNS="80",
        LINES="24",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        TZ="UTC",
    )
    return env


def _pos(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(POS), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


class Terminal:
    """A child process on a pseudo-terminal, with everything it prints kept."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.master, slave = pty.openpty()
        columns, lines = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Drain all the time: a full pty buffer would block the app's writes.
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk

    def text(self) -> str:
        with self._lock:
            return self.output.decode("utf-8", "replace")

    def mark(self) -> int:
        with self._lock:
            return len(self.output)

    def since(self, mark: int) -> str:
        with self._lock:
            return self.output[mark:].decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float, *, after: int = 0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.since(after):
            if self.proc.poll() is not None:
                raise AssertionError(f"pos run exited ({self.proc.returncode}): {self.text()!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} did not appear; screen: {self.text()[-2000:]!r}")
            time.sleep(0.05)

    def type(self, keys: str, pause: float = STEP) -> None:
        os.write(self.master, keys.encode())
        time.sleep(pause)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=3)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=3)
        with contextlib.suppress(OSError):
            os.close(self.master)
        self._reader.join(timeout=2)


def test_a_sale_typed_into_pos_run_lands_in_the_ledger(tmp_path: Path) -> None:
    env = _env(tmp_path)
    db = tmp_path / "shop.db"
    _pos(env, "init", "--store", "S1", "--terminal", "T1", "--db", str(db))
    _pos(env, "staff", "add", "sup", "--role", "supervisor", "--db", str(db), stdin="2468\n")

    started = time.monotonic()
    term = Terminal([str(POS), "run", "--db", str(db)], env, (80, 24))
    try:
        term.wait_for("S1/T1", timeout=10)  # the status bar: the login screen is up
        time.sleep(STEP)
        term.type("sup")
        term.type("\r")
        term.type("2468")
        mark = term.mark()
        term.type("\r")
        term.wait_for("sup │", timeout=5, after=mark)  # logged in: the status bar says who
        time.sleep(STEP)
        term.type(PHONE)
        term.type("\r")  # unknown phone: the enroll offer
        term.type("c")  # the customer consents (Enter alone enrolls nobody)
        mark = term.mark()
        term.type("\r")  # enroll -> the member card
        term.wait_for("08x-xxx-5678", timeout=5, after=mark)
        time.sleep(STEP)
        term.type("1000")
        mark = term.mark()
        term.type("\r")  # the sale
        term.wait_for("+40", timeout=5, after=mark)  # back on lookup: "+40 แต้ม ..."
        mark = term.mark()
        term.type("\x11", pause=0)  # Ctrl+Q: it asks first
        term.wait_for("Loyalty POS?", timeout=5, after=mark)
        term.type("y", pause=0)
        assert term.proc.wait(timeout=5) == 0
    finally:
        term.close()
    assert time.monotonic() - started < 20

    shown = json.loads(_pos(env, "member", "show", PHONE, "--db", str(db), "--json").stdout)
    assert shown["phone"] == "+66812345678"
    assert shown["balance"] == 40
    (entry,) = shown["recent"]
    assert (entry["kind"], entry["points"], entry["cashier_id"]) == ("earn", 40, "sup")
    assert entry["amount"] == "1000.00"
    assert "Traceback" not in term.text()
