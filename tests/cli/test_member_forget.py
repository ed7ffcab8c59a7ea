"""``pos member forget`` and ``pos member phone`` at one till, as a supervisor
runs them: erased means no file of the till holds the phone or the name any
more, the ledger still verifies, and without a supervisor nothing changes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import Settings
from ledger.service import Ledger
from pos.spool_files import tidy
from tests.cli.test_cli import NOT_FOUND, PIN, REFUSED, Shop

PHONE, DIGITS = "081-234-9123", "812349123"
NAME = "Kittisak Wongsawat"
THAI_NAME = "กิตติศักดิ์ วงศ์สวัสดิ์"


@pytest.fixture
def till(tmp_path: Path) -> Shop:
    terminal = Shop(tmp_path)
    terminal.setup()
    return terminal


def holding(root: Path, needles: list[bytes]) -> list[str]:
    """Every file under ``root`` that holds any of ``needles``, byte for byte."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            found += [f"{path.relative_to(root)}: {n!r}" for n in needles if n in data]
    return found


def needles(*texts: str) -> list[bytes]:
    return [t.encode("utf-8") for t in texts]


def test_forgotten_member_leaves_no_trace_in_any_file_and_the_ledger_verifies(
    till: Shop,
) -> None:
    # Another process has the ledger open all along (the app beside the commands):
    # the WAL lives on between them, holding every page as it was written.
    # (A process of its own: this one reads the files, which drops its locks.)
    beside = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(till.db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert beside.stdout is not None and beside.stdout.readline() == b"open\n"
        _forget_beside(till)
    finally:
        beside.communicate(b"", timeout=30)


_HOLD = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM members").fetchone()
print("open", flush=True)
sys.stdin.read()
"""


def _forget_beside(till: Shop) -> None:
    till.ok("member", "enroll", PHONE, "--name", NAME, "--consent")
    till.ok("earn", PHONE, "250", "--ref", "F-1", "--print")
    till.ok("earn", PHONE, "1000", "--ref", "F-2", "--print")
    # The row moves (its old copy freed) on every change: the name, the consent.
    till.ok("member", "consent", PHONE, "--withdraw")
    till.ok("member", "consent", PHONE, "--give")
    till.ok("member", "show", PHONE)
    # The slips are in the spool folder before: the search can find what it looks for.
    assert holding(till.home, needles(NAME)), "the preview slips name the member"
    assert holding(till.home, needles(DIGITS)), "the ledger holds the phone"

    wal = Path(f"{till.db}-wal")
    assert NAME.encode() in wal.read_bytes(), "the WAL holds the member's pages"

    body = till.ok("member", "forget", PHONE, "--approver", "sup", stdin=PIN + "\n")
    assert body["balance"] == 50 and body["approver_id"] == "sup"
    assert body["wal_truncated"] is True and body["slips_removed"] >= 2
    assert holding(till.home, needles(DIGITS, NAME, NAME.lower())) == []
    assert till.ok("ledger", "verify")["ok"] is True
    till.fails(NOT_FOUND, "member_not_found", "member", "show", PHONE)
    # The number is free: it enrols anew, with nothing of the forgotten member.
    again = till.ok("member", "enroll", PHONE, "--consent")
    assert again["member_id"] != body["member_id"] and again["balance"] == 0
    with sqlite3.connect(till.db) as db:
        kept = db.execute(
            "SELECT phone, name, consent_at, w.balance FROM members JOIN wallets w "
            "USING (wallet_id) WHERE member_id = ?",
            (body["member_id"],),
        ).fetchone()
        events = db.execute(
            "SELECT event, approver_id FROM member_events WHERE member_id = ?",
            (body["member_id"],),
        ).fetchall()
    assert kept == (None, None, None, 50)  # a pseudonym: points and entries stay
    assert events == [("forgotten", "sup")]


def test_a_thai_name_goes_too(till: Shop) -> None:
    till.ok("member", "enroll", PHONE, "--name", THAI_NAME, "--consent")
    till.ok("earn", PHONE, "250", "--ref", "T-1", "--print")
    till.ok("member", "forget", PHONE, "--approver", "sup", stdin=PIN + "\n")
    assert holding(till.home, needles(DIGITS, THAI_NAME, "กิตติศักดิ์")) == []


def test_forget_and_phone_change_without_a_supervisor_change_nothing(till: Shop) -> None:
    till.ok("member", "enroll", PHONE, "--name", NAME, "--consent")
    till.ok("earn", PHONE, "250", "--ref", "N-1")
    before = till.member(PHONE)
    till.fails(REFUSED, "not_permitted", "member", "forget", PHONE, "--approver", "cash1",
               stdin="1357\n")  # fmt: skip
    till.fails(REFUSED, "wrong_pin", "member", "forget", PHONE, "--approver", "sup",
               stdin="0000\n")  # fmt: skip
    till.fails(REFUSED, "not_permitted", "member", "phone", PHONE, "0899999999",
               "--approver", "cash1", stdin="1357\n")  # fmt: skip
    assert till.member(PHONE) == before
    till.fails(NOT_FOUND, "member_not_found", "member", "show", "0899999999")


def test_a_new_number_keeps_everything_and_frees_the_old_one(till: Shop) -> None:
    till.ok("member", "enroll", PHONE, "--name", NAME, "--consent")
    till.ok("earn", PHONE, "500", "--ref", "P-1")
    till.ok("member", "enroll", "0855555555", "--consent")
    before = till.member(PHONE)
    message = till.fails(REFUSED, "invalid_input", "member", "phone", PHONE, "0855555555",
                         "--approver", "sup", stdin=PIN + "\n")  # fmt: skip
    assert "another member" in message and "0855555555" not in message  # masked
    till.fails(REFUSED, "invalid_phone", "member", "phone", PHONE, "12345",
               "--approver", "sup", stdin=PIN + "\n")  # fmt: skip

    moved = till.ok("member", "phone", PHONE, "0866666666", "--approver", "sup",
                    stdin=PIN + "\n")  # fmt: skip
    assert moved["member"]["phone"] == "+66866666666"
    after = till.member("0866666666")
    assert (after["member_id"], after["balance"]) == (before["member_id"], before["balance"])
    assert till.ok("earn", "0866666666", "250", "--ref", "P-2")["balance"] == 30
    fresh = till.ok("member", "enroll", PHONE, "--consent")
    assert fresh["member_id"] != before["member_id"] and fresh["balance"] == 0
    assert till.ok("ledger", "verify")["ok"] is True


def test_old_previews_go_and_nothing_else_in_the_folder(tmp_path: Path, settings: Settings) -> None:
    """printer.keep_days: slips older than it go at the next tidy (app start, sync,
    forget); a file of someone else's, a folder and a link's target stay."""
    spool = tmp_path / "spool"
    spool.mkdir()
    cfg = settings.model_copy(
        update={"printer": settings.printer.model_copy(update={"spool_dir": spool, "keep_days": 7})}
    )
    book = Ledger.open(tmp_path / "shop.db", cfg)
    try:
        book.init("S1", "T1")
        now = time.time()
        old, new = spool / "sale-old.bin", spool / "sale-new.png"
        notes, kept = spool / "notes.txt", tmp_path / "elsewhere.bin"
        for path in (old, new, notes, kept):
            path.write_bytes(b"slip")
        link = spool / "link.bin"
        link.symlink_to(kept)
        (spool / "folder.bin").mkdir()
        for path in (old, notes, kept):
            os.utime(path, (now - 8 * 86400, now - 8 * 86400))
        assert tidy(cfg, book, now=now) == 1
        assert not old.exists()
        assert new.exists() and notes.exists() and kept.exists() and link.is_symlink()
        assert (spool / "folder.bin").is_dir()
    finally:
        book.close()


def test_an_imported_member_loses_the_old_systems_number_and_birthday_too(
    till: Shop, tmp_path: Path
) -> None:
    csv_file = tmp_path / "old.csv"
    csv_file.write_text(
        "phone,name,external_id,birthday,enrolled_at,consent_at,balance\n"
        f"{PHONE},{NAME},OLD-778899,1985-03-14,2024-01-05,2024-01-05,120\n",
        encoding="utf-8",
    )
    till.ok("import", "members", str(csv_file), "--commit", "--approver", "sup", stdin=PIN + "\n")
    assert till.member(PHONE)["balance"] == 120
    till.ok("member", "forget", PHONE, "--approver", "sup", stdin=PIN + "\n")
    csv_file.unlink()  # the shop's own file, not the product's
    assert holding(till.home, needles(DIGITS, NAME, "OLD-778899", "1985-03-14")) == []
    assert till.ok("ledger", "verify")["ok"] is True
