"""Importing a shop's members and sales from its old system (ledger.imports) on
real SQLite files: the dry run's bad rows by line, idempotent re-runs, opening
balances that verify accepts and that expire by the shop's policy, imported
sales moving a member's tier by their own date, and the imported members and
their opening entries reaching head office."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config import load_settings
from hq.db import Conn
from ledger import import_rows
from ledger.errors import ApprovalRequired, InvalidPhone, NotPermitted, WrongPin
from ledger.import_rows import ImportFileMissing, ImportRefused
from ledger.models import Credentials
from ledger.phone import normalize_phone
from ledger.service import Ledger
from tests.conftest import SUPERVISOR, FakeClock
from tests.sync.conftest import (
    Sync,
    add_terminal,
    admin_dsn,
    hq,
    hq_db,
    hq_dsn,
    joined,
    open_ledger,
    sync,
)

# Head office's fixtures (tests/sync/conftest.py), for the sync test.
__all__ = ["add_terminal", "admin_dsn", "hq", "hq_db", "hq_dsn", "joined", "open_ledger", "sync"]

HEADER = "phone,name,external_id,birthday,enrolled_at,consent_at,balance\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _counts(book: Ledger) -> tuple[int, ...]:
    return tuple(
        book.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("members", "wallets", "entries", "lots", "consents", "imported_sales")
    )


@pytest.fixture
def bangkok(tmp_path: Path, clock: FakeClock) -> Iterator[Ledger]:
    """A till in Bangkok (UTC+7): store S1, terminal T1, supervisor 'sup', cashier 'cash1'."""
    settings = load_settings(env={"POS_LOCALE__TIMEZONE": "Asia/Bangkok"})
    book = Ledger.open(tmp_path / "bkk.db", settings, clock=clock)
    book.init("S1", "T1")
    book.add_staff("sup", "supervisor", "2468", "Supervisor")
    book.add_staff("cash1", "cashier", "1357", "Cashier")
    yield book
    book.close()


HOSTILE = HEADER + (
    '0812345601,"Somchai, Jr. ""Tom"" สมชาย",OLD-1,1990-07-15,2020-01-05,2020-01-05,"1,200"\n'
    "12345,Bad Phone,OLD-2,,,,\n"
    "0812345601,Same Phone,OLD-3,,,,\n"
    "0812345602,Same Id,OLD-1,,,,\n"
    '0812345603,=HYPERLINK("http://x";"y"),OLD-4,,2021-02-03T10:30:00+07:00,,0\n'
    "0812345604,Bad Day,OLD-5,1990-02-30,,,\n"
    "0812345605,Tomorrow,OLD-6,,2026-01-16,,\n"
    "0812345606,Half Point,OLD-7,,,,1.5\n"
    "0812345607,Owes,OLD-8,,,,-20\n"
    "0812345608,Too,Many,Fields,,,,,\n"
    "\n"
    "๐๘๑๒๓๔๕๖๐๙,Thai Digits,OLD-9,,,,๕๐\n"
)


def test_the_dry_run_names_every_bad_line_and_writes_nothing(
    bangkok: Ledger, tmp_path: Path
) -> None:
    before = _counts(bangkok)
    report = bangkok.import_members(str(_write(tmp_path / "m.csv", HOSTILE)), commit=False)
    assert _counts(bangkok) == before
    bad = {(p.line, p.column, p.key) for p in report.problems}
    assert bad == {
        (3, "phone", "invalid_phone"),
        (4, "phone", "import_row.duplicate_phone"),
        (5, "external_id", "import_row.duplicate_external_id"),
        (7, "birthday", "import_row.birthday"),
        (8, "enrolled_at", "import_row.future"),
        (9, "balance", "import_row.balance"),
        (10, "balance", "import_row.balance_negative"),
        (11, None, "import_row.fields"),
    }
    assert (report.rows, report.good, report.skipped) == (11, 3, 0)
    assert report.points == 1200 + 50
    said = {p.line: p.message() for p in report.problems}
    assert "'12345' is not a valid phone number" in said[3]
    assert "line 2" in said[4] and "08x-xxx-5601" in said[4]  # masked, never the number
    assert "'1990-02-30'" in said[7]
    # The same problems in Thai, from the catalogue.
    assert all(p.message("th") != p.message("en") for p in report.problems)


def test_the_good_rows_go_in_as_typed_and_a_second_run_changes_nothing(
    bangkok: Ledger, tmp_path: Path, clock: FakeClock
) -> None:
    path = str(_write(tmp_path / "m.csv", HOSTILE))
    with pytest.raises(ApprovalRequired):  # opening balances: a supervisor approves
        bangkok.import_members(path, commit=True)
    with pytest.raises(NotPermitted):
        bangkok.import_members(path, commit=True, approval=Credentials("cash1", "1357"))
    with pytest.raises(WrongPin):
        bangkok.import_members(path, commit=True, approval=Credentials("sup", "0000"))
    assert _counts(bangkok)[0] == 0

    report = bangkok.import_members(path, commit=True, approval=SUPERVISOR)
    assert (report.good, report.skipped, len(report.problems)) == (3, 0, 8)
    tom = bangkok.member("0812345601")
    assert tom.name == 'Somchai, Jr. "Tom" สมชาย'
    assert (tom.external_id, tom.birthday, tom.balance) == ("OLD-1", "1990-07-15", 1200)
    # A date alone is the shop's midnight (Bangkok, UTC+7), stored in UTC.
    assert tom.enrolled_at == "2020-01-04T17:00:00.000000Z"
    assert (tom.consent_given, tom.consent_scope) == (True, "points-phone/0")
    formula = bangkok.member("0812345603")
    assert formula.name == '=HYPERLINK("http://x";"y")'  # data, stored as typed
    assert formula.enrolled_at == "2021-02-03T03:30:00.000000Z"
    assert (formula.balance, formula.consent_given, formula.consent_at) == (0, False, None)
    assert bangkok.member("0812345609").balance == 50  # Thai digits

    # The opening balance: one approved adjustment, its lot expiring a year from the import.
    card = bangkok.card("0812345601")
    assert [(e.kind, e.points, e.approver_id) for e in card.recent] == [("adjust", 1200, "sup")]
    assert card.recent[0].rules_applied == {"import": "opening_balance"}
    assert card.next_expiry is not None
    assert (card.next_expiry.points, card.next_expiry.expires_at[:10]) == (1200, "2027-01-15")
    assert bangkok.verify() == []

    counts = _counts(bangkok)
    clock.advance(hours=1)
    again = bangkok.import_members(path, commit=True, approval=SUPERVISOR)
    assert (again.good, again.skipped, len(again.problems)) == (0, 3, 8)
    assert _counts(bangkok) == counts
    assert bangkok.verify() == []


def test_a_phone_enrolled_at_the_counter_is_not_taken_over(bangkok: Ledger, tmp_path: Path) -> None:
    bangkok.enroll("0812345611", "Counter", consent=True)
    bangkok.import_members(
        str(_write(tmp_path / "a.csv", "phone,external_id\n0812345612,OLD-12\n")), commit=True
    )
    text = "phone,name,external_id\n0812345611,Old Name,OLD-11\n0812345613,Other,OLD-12\n"
    report = bangkok.import_members(str(_write(tmp_path / "m.csv", text)), commit=True)
    assert [(p.line, p.key) for p in report.problems] == [
        (2, "import_row.phone_held"),
        (3, "import_row.external_id_held"),
    ]
    assert bangkok.member("0812345611").name == "Counter"
    assert bangkok.member("0812345611").external_id is None


def _sales_file(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "s.csv",
        "phone,external_id,date,amount,ref\n"
        "0812345621,,2025-06-01,9000.00,B-1\n"  # within 12 months of 2026-01-15
        ",OLD-21,2025-12-31T23:30:00+07:00,500.5,\n"  # the same coffee twice, no bill number
        ",OLD-21,2025-12-31T23:30:00+07:00,500.5,\n"
        "0812345621,,2024-12-01,40000,B-2\n"  # over a year ago: history, not the tier
        "0812345699,,2025-06-01,100,B-3\n"
        ",OLD-99,2025-06-01,100,B-4\n"
        "0812345621,OLD-22,2025-06-01,100,B-5\n"
        "0812345621,,2025-06-01,100,B-1\n"
        "0812345621,,2025-06-01,0,B-6\n"
        "0812345621,,2025-06-01,2000000,B-7\n"
        ",,2025-06-01,100,B-8\n"
        "0812345621,,,100,B-9\n",
    )


def test_imported_sales_earn_nothing_and_move_the_tier_by_their_own_date(
    bangkok: Ledger, tmp_path: Path
) -> None:
    members = "phone,external_id\n0812345621,OLD-21\n0812345622,OLD-22\n"
    bangkok.import_members(str(_write(tmp_path / "m.csv", members)), commit=True)
    assert bangkok.member("0812345621").tier == "member"
    path = str(_sales_file(tmp_path))

    dry = bangkok.import_sales(path, commit=False)
    assert _counts(bangkok)[-1] == 0
    assert [(p.line, p.key) for p in dry.problems] == [
        (6, "import_row.unknown_phone"),
        (7, "import_row.unknown_external_id"),
        (8, "import_row.member_mismatch"),
        (9, "import_row.duplicate_ref"),
        (10, "invalid_amount.zero"),
        (11, "invalid_amount.too_large"),
        (12, "import_row.no_member"),
        (13, "import_row.date_required"),
    ]
    assert (dry.good, dry.amount_minor) == (4, 900000 + 2 * 50050 + 4000000)

    done = bangkok.import_sales(path, commit=True)
    assert done.good == 4
    member = bangkok.member("0812345621")
    assert member.spend_12m_minor == 900000 + 2 * 50050  # the 2024 sale is too old
    assert member.tier == "silver"
    assert (member.balance, _counts(bangkok)[2]) == (0, 0)  # no points, no entries
    (local,) = bangkok.conn.execute(
        "SELECT DISTINCT created_at FROM imported_sales WHERE ref IS NULL"
    ).fetchone()
    assert local == "2025-12-31T16:30:00.000000Z"
    # Silver's multiplier at the next sale: 250 * 1.25 / 25.
    assert bangkok.earn("0812345621", "250.00", "NEW-1", None, print_slip=False).points == 12
    assert bangkok.verify() == []

    again = bangkok.import_sales(path, commit=True)
    assert (again.good, again.skipped) == (0, 4)
    assert _counts(bangkok)[-1] == 4
    changed = _write(tmp_path / "s2.csv", "phone,date,amount,ref\n0812345621,2025-06-02,1,B-1\n")
    clash = bangkok.import_sales(str(changed), commit=True)
    assert [p.key for p in clash.problems] == ["import_row.ref_held"]


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"phone,name\n0812345678,\xff\xfeBad\n", "import_refused.not_utf8"),
        (b"", "import_refused.empty"),
        (b"name,balance\nAnn,10\n", "import_refused.missing_column"),
        (b"phone,phone\n1,2\n", "import_refused.duplicate_column"),
        (b"phone,name\n0812345678," + b"x" * 200_000 + b"\n", "import_refused.not_csv"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(
    ledger: Ledger, tmp_path: Path, content: bytes, key: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRefused) as refused:
        ledger.import_members(str(path), commit=True, approval=SUPERVISOR)
    assert refused.value.key == key
    assert str(path) in refused.value.message and refused.value.text("th") != refused.value.message
    assert _counts(ledger)[0] == 0


def test_a_missing_file_a_folder_and_a_byte_order_mark(ledger: Ledger, tmp_path: Path) -> None:
    with pytest.raises(ImportFileMissing):
        ledger.import_members(str(tmp_path / "nope.csv"), commit=False)
    with pytest.raises(ImportRefused) as refused:
        ledger.import_sales(str(tmp_path), commit=False)
    assert refused.value.key == "import_refused.not_a_file"
    with pytest.raises(ImportRefused) as refused:
        ledger.import_sales(str(_write(tmp_path / "s.csv", "date,amount\n")), commit=False)
    assert refused.value.key == "import_refused.member_column"
    path = _write(tmp_path / "bom.csv", "Phone, Name \n0812345631,Excel\n", "utf-8-sig")
    assert ledger.import_members(str(path), commit=True).good == 1
    assert ledger.member("0812345631").name == "Excel"


def test_imported_members_and_opening_entries_reach_head_office(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync, tmp_path: Path
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S2")
    a.add_staff("sup", "supervisor", "2468", "Supervisor")
    text = HEADER + "".join(
        f"08123470{n:02d},สมาชิก {n},OLD-{n},,2021-03-0{1 + n % 9},2021-03-01,{100 * (n + 1)}\n"
        for n in range(20)
    )
    report = a.import_members(str(_write(tmp_path / "m.csv", text)), commit=True,
                              approval=SUPERVISOR)  # fmt: skip
    assert report.good == 20
    sync(a)
    held = hq_db.execute(
        "SELECT count(*) FROM members WHERE member_id IN "
        "(SELECT member_id FROM entries WHERE kind = 'adjust')"
    ).fetchone()
    assert held == (20,)
    sync(b)
    there = b.card("0812347005")
    assert (there.member.name, there.member.balance) == ("สมาชิก 5", 600)
    assert there.next_expiry is not None and there.next_expiry.points == 600
    assert a.verify() == [] and b.verify() == []
    with sqlite3.connect(a.path) as db:
        assert db.execute("SELECT count(*) FROM entries WHERE kind = 'adjust'").fetchone() == (20,)


def test_imported_names_are_found_by_name_as_enrolled_ones(ledger: Ledger, tmp_path: Path) -> None:
    names = ["Somchai JAIDEE", "สมชาย ใจดี", "=cmd|' /C calc'!A0", "Ann", "Zoë O'Brien-Smith"]
    text = "phone,name\n" + "".join(f'08123480{n:02d},"{name}"\n' for n, name in enumerate(names))
    ledger.import_members(str(_write(tmp_path / "m.csv", text)), commit=True)
    for n, name in enumerate(names):
        ledger.enroll(f"08123481{n:02d}", name, consent=True)  # the trigger's grams
    grams = ledger.conn.execute(
        "SELECT m.name, m.phone, group_concat(g.gram, '|') FROM members m JOIN "
        "(SELECT * FROM member_grams ORDER BY gram) g ON g.member_rowid = m.rowid "
        "GROUP BY m.rowid ORDER BY m.name, m.phone"
    ).fetchall()
    assert len(grams) == 2 * len(names)
    by_name: dict[str, set[str]] = {}
    for name, _, held in grams:
        by_name.setdefault(name, set()).add(held)
    assert all(len(held) == 1 for held in by_name.values())
    assert len(ledger.find_by_name("jaidee")) == 2
    assert len(ledger.find_by_name("ใจดี")) == 2
    assert len(ledger.find_by_name("calc")) == 2
    assert ledger.verify() == []


def test_the_import_reads_national_numbers_as_the_counter_does() -> None:
    rng = random.Random(14)
    for region in ("TH", "DE", "VN", "GB", "JP", "AU"):
        for _ in range(3000):
            text = (
                "0"
                + str(rng.randint(1, 9))
                + "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(6, 10)))
            )
            try:
                expected: str | None = normalize_phone(text, region)
            except InvalidPhone:
                expected = None
            try:
                got: str | None = import_rows.phone(text, region)
            except import_rows.BadValue:
                got = None
            assert got == expected, (region, text)


def test_the_members_copy_holds_the_old_systems_number_and_sales(
    ledger: Ledger, tmp_path: Path
) -> None:
    members = "phone,external_id,birthday\n0812348201,OLD-201,1980-01-02\n"
    ledger.import_members(str(_write(tmp_path / "m.csv", members)), commit=True)
    sales = "external_id,date,amount\nOLD-201,2025-06-01,99.50\n"
    ledger.import_sales(str(_write(tmp_path / "s.csv", sales)), commit=True)
    doc = ledger.export_member("0812348201", SUPERVISOR).document()
    assert (doc["member"]["external_id"], doc["member"]["birthday"]) == ("OLD-201", "1980-01-02")
    assert [s["amount_minor"] for s in doc["imported_sales"]] == [9950]
