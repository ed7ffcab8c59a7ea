"""Issue 11's acceptance: ``pos run`` in a real terminal (a pty, 80x24), a
cashier or a barcode scanner typing "phone Enter amount Enter" as one burst,
5 ms per key, 100 times with different members: 100 sales, each to the right
member for the right amount, read back from the ledger file after the app
has exited."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import load_settings
from ledger.service import Ledger
from tests.app.test_e2e_pty import POS, Terminal, _env, _pos

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
]

SALES = 100
KEY_GAP = 0.005  # seconds between keys: a scanner, or a very fast cashier


def phone(n: int) -> str:
    return f"081{n:07d}"  # 0810000000, 0810000001, ...: last four digits differ


def amount(n: int) -> int:
    return 100 + 25 * n  # 4 + n points at 25 THB a point: each sale its own


def burst(term: Terminal, keys: str) -> None:
    for key in keys:
        os.write(term.master, key.encode())
        time.sleep(KEY_GAP)


def test_100_bursts_typed_into_pos_run_are_100_right_sales(tmp_path: Path) -> None:
    env = _env(tmp_path)
    db = tmp_path / "shop.db"
    _pos(env, "init", "--store", "S1", "--terminal", "T1", "--db", str(db))
    _pos(env, "staff", "add", "sup", "--role", "supervisor", "--db", str(db), stdin="2468\n")
    _pos(env, "staff", "add", "cash1", "--role", "cashier", "--db", str(db), stdin="1357\n")
    for n in range(3):  # the command line path...
        _pos(env, "member", "enroll", phone(n), "--db", str(db))
    book = Ledger.open(db, load_settings(env={}))  # ...and the rest quicker, in-process
    try:
        for n in range(3, SALES):
            book.enroll(phone(n))
    finally:
        book.close()

    term = Terminal([str(POS), "run", "--db", str(db)], env, (80, 24))
    try:
        term.wait_for("S1/T1", timeout=10)  # the status bar: the login screen is up
        time.sleep(0.4)
        term.type("cash1\r")
        mark = term.mark()
        term.type("1357\r", pause=0)
        term.wait_for("cash1 │", timeout=10, after=mark)  # logged in: the status bar says who
        time.sleep(0.4)
        for n in range(SALES):
            mark = term.mark()
            burst(term, f"{phone(n)}\r{amount(n)}\r")
            # Back on lookup: "+N points, balance N (08x-xxx-0042)", the masked
            # phone in brackets only there (the card shows it without).
            term.wait_for(f"xxx-{n:04d})", timeout=10, after=mark)
        term.type("\x11", pause=0)  # Ctrl+Q
        try:
            term.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:  # a quit that asks first: end it from outside
            term.proc.terminate()
            term.proc.wait(timeout=5)
    finally:
        term.close()
    assert "Traceback" not in term.text()

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        sales = conn.execute(
            "SELECT m.phone, e.amount_minor, e.points, e.cashier_id FROM entries e"
            " JOIN members m ON m.member_id = e.member_id WHERE e.kind = 'earn' ORDER BY e.seq"
        ).fetchall()
    expected = [(f"+6681{n:07d}", amount(n) * 100, amount(n) // 25, "cash1") for n in range(SALES)]
    assert sales == expected
