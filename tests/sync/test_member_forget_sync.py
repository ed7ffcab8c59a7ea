"""A member forgotten (at the till that enrolled them, or at head office) and a
new number, through two tills and a real head office: afterwards no file of
either till and no head-office table holds the phone's digits or the name,
both ``verify`` commands pass, the number enrols anew; a number change is seen
at the other till with the balance and the points' expiry intact."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from psycopg import sql

from hq.db import Conn
from hq.entries import audit
from hq.members import privacy
from ledger.errors import MemberNotFound, NotPermitted
from ledger.models import Credentials
from ledger.service import Ledger
from sync.commands import client_for
from sync.errors import SyncError
from tests.hq.test_cli import hq as hq_cli
from tests.sync.conftest import Sync

PHONE, DIGITS = "081-234-9123", "812349123"
NAME, OTHER_NAME = "Kittisak Wongsawat", "กิตติศักดิ์ วงศ์สวัสดิ์"
PIN = "2468"
SUP = Credentials("sup", PIN)


def _files_holding(root: Path, texts: list[str]) -> list[str]:
    """Every file under ``root`` holding one of ``texts`` (UTF-8), byte for byte.
    Read in a process of its own: closing a descriptor of a ledger file here
    would drop the locks this process's open ledgers hold."""
    script = (
        "import sys, pathlib, json\n"
        "root = pathlib.Path(sys.argv[1]); needles = json.loads(sys.argv[2])\n"
        "for p in sorted(root.rglob('*')):\n"
        "    if p.is_file() and not p.is_symlink():\n"
        "        data = p.read_bytes()\n"
        "        for n in needles:\n"
        "            if n.encode() in data: print(p.relative_to(root), repr(n))\n"
    )
    import json

    done = subprocess.run(
        [sys.executable, "-c", script, str(root), json.dumps(texts)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout.splitlines()


def _rows_holding(conn: Conn, texts: list[str]) -> list[str]:
    """Every head-office table's rows, as text, that hold one of ``texts``."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    ]
    found = []
    for table in tables:
        for (text,) in conn.execute(
            sql.SQL("SELECT t::text FROM {} t").format(sql.Identifier(table))
        ):
            found += [f"{table}: {n!r}" for n in texts if n in text]
    return found


def _three(joined: Callable[..., Ledger], sync: Sync) -> tuple[Ledger, Ledger, str]:
    """A (enrolled the member, 50 points there) and B (10 more), both in sync."""
    a, b = joined("A", store="S1"), joined("B", store="S2")
    a.add_staff("sup", "supervisor", PIN, "Supervisor")
    b.add_staff("sup", "supervisor", PIN, "Supervisor")
    member, _ = a.enroll(PHONE, name=NAME, consent=True)
    a.earn(PHONE, "250.00", "A-1")
    a.earn(PHONE, "1000.00", "A-2")
    sync(a)
    sync(b)
    b.earn(PHONE, "250.00", "B-1")
    a.change_consent(PHONE, give=False)  # the member's row moves: an old copy freed
    for book in (b, a, b):
        sync(book)
    assert b.member(PHONE).name == NAME and a.member(PHONE).balance == 60
    return a, b, member.member_id


def test_forgotten_at_the_enrolling_till_is_erased_everywhere(
    joined: Callable[..., Ledger],
    hq_db: Conn,
    sync: Sync,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # head office (served in this process) and the tills
    a, b, member_id = _three(joined, sync)
    # C has not pulled yet: head office keeps the member's snapshots for it.
    c = joined("C", store="S3")
    needles = [DIGITS, NAME]
    assert _files_holding(tmp_path, needles) and _rows_holding(hq_db, needles)

    with pytest.raises(NotPermitted, match="terminal A"):
        b.forget_member(PHONE, SUP)  # B did not enrol them: head office or A
    done = a.forget_member(PHONE, SUP)
    assert done.member_id == member_id and done.balance == 60
    for book in (a, b):
        sync(book)
    assert _rows_holding(hq_db, needles) == []  # C's snapshots too
    sync(c)
    assert c.conn.execute("SELECT phone, name FROM members").fetchall() == [(None, None)]

    assert _files_holding(tmp_path, needles) == []
    assert _rows_holding(hq_db, needles) == []
    assert caplog.records and not [n for n in needles if n in caplog.text]
    assert a.verify() == [] and b.verify() == []
    assert audit.verify(hq_db)["problems"] == []
    for book in (a, b):
        with pytest.raises(MemberNotFound):
            book.member(PHONE)
    # The number is free at every till and at head office: a new member, no points.
    fresh, created = b.enroll(PHONE, consent=True)
    assert created and fresh.member_id != member_id and fresh.balance == 0
    sync(b)
    sync(a)
    assert a.member(PHONE).member_id == fresh.member_id
    assert a.member(PHONE).balance == 0


def test_forgotten_at_head_office_with_a_merged_enrolment_and_a_late_push(
    joined: Callable[..., Ledger], hq_db: Conn, hq_dsn: str, sync: Sync, tmp_path: Path
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S2")
    a.enroll(PHONE, name=NAME, consent=True)
    a.earn(PHONE, "250.00", "A-1")
    b.enroll(PHONE, name=OTHER_NAME, consent=True)  # offline: the same phone twice
    b.earn(PHONE, "500.00", "B-1")
    for book in (a, b, a):
        sync(book)
    needles = [DIGITS, NAME, OTHER_NAME]
    assert any(r.startswith("conflicts:") for r in _rows_holding(hq_db, needles))  # the merge

    status, copy = hq_cli(hq_dsn, "member", "export", PHONE)
    assert status == 0 and copy["balance"] == 30
    assert {m["phone"] for m in copy["members"]} == {"+66" + DIGITS}
    assert sorted(e["kind"] for e in copy["entries"]) == ["earn", "earn", "transfer", "transfer"]
    assert len(copy["members"]) == 2
    ids = [m["member_id"] for m in copy["members"]]
    held = hq_db.execute(
        "SELECT entry_id FROM entries WHERE member_id = ANY(%(i)s) OR wallet_id IN "
        "(SELECT wallet_id FROM members WHERE member_id = ANY(%(i)s)) ORDER BY entry_id",
        {"i": ids},
    ).fetchall()
    assert sorted(e["entry_id"] for e in copy["entries"]) == [r[0] for r in held]
    assert len(copy["conflicts"]) == 1 and copy["member_merges"][0]["merged_member_id"] in ids

    # A changes the consent before it hears of the erasure: its push still
    # carries the phone and the name, and must not bring them back.
    a.change_consent(PHONE, give=False)
    status, body = hq_cli(hq_dsn, "member", "forget", PHONE)
    assert status == 0 and len(body["merged_member_ids"]) == 1
    assert _rows_holding(hq_db, needles) == []
    for book in (a, b, a, b):
        sync(book)
    assert _rows_holding(hq_db, needles) == []
    assert _files_holding(tmp_path, needles) == []
    assert a.verify() == [] and b.verify() == [] and audit.verify(hq_db)["problems"] == []
    status, _ = hq_cli(hq_dsn, "member", "export", PHONE)
    assert status == 3  # not found
    with pytest.raises(Exception, match="No member"):
        privacy.export(hq_db, "+66" + DIGITS)


def test_a_new_number_is_seen_at_the_other_till_with_balance_and_expiry(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b, member_id = _three(joined, sync)
    lots_before = b.conn.execute(
        "SELECT entry_id, remaining, expires_at FROM lots ORDER BY entry_id"
    ).fetchall()
    with pytest.raises(NotPermitted, match="terminal A"):
        b.change_phone(PHONE, "0866666666", SUP)
    a.change_phone(PHONE, "086-666-6666", SUP)
    sync(a)
    sync(b)
    moved = b.member("0866666666")
    assert (moved.member_id, moved.balance) == (member_id, 60)
    assert (
        b.conn.execute(
            "SELECT entry_id, remaining, expires_at FROM lots ORDER BY entry_id"
        ).fetchall()
        == lots_before
    )
    with pytest.raises(MemberNotFound):
        b.member(PHONE)
    assert b.enroll(PHONE, consent=True)[0].balance == 0  # the old number is free
    row = hq_db.execute("SELECT phone FROM members WHERE member_id = %s", (member_id,)).fetchone()
    assert row == ("+66866666666",)
    assert a.verify() == [] and b.verify() == []


def test_a_till_cannot_erase_another_tills_member_by_pushing_it_without_a_phone(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b, member_id = _three(joined, sync)
    wire = a.conn.execute(
        "SELECT member_id, wallet_id, enrolled_at FROM members WHERE member_id = ?", (member_id,)
    ).fetchone()
    forged = {"member_id": wire[0], "phone": None, "name": None, "wallet_id": wire[1],
              "enrolled_at": wire[2]}  # fmt: skip
    for claimed in ("A", "B", None):  # in A's name, in its own, in nobody's
        with client_for(b) as client, pytest.raises(SyncError, match=r"[Tt]erminal B may"):
            client.push([], [{**forged, "terminal_id": claimed}])
    row = hq_db.execute(
        "SELECT phone, name, erased_at FROM members WHERE member_id = %s", (member_id,)
    ).fetchone()
    assert row == ("+66" + DIGITS, NAME, None)
    sync(a)
    assert a.member(PHONE).name == NAME
