"""``export_member``: everything the till holds about one member (checked
against the database, table by table), nothing about anyone else, only with a
supervisor's PIN; the files it writes are new and private."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from ledger.errors import InvalidInput, NotPermitted, WrongPin
from ledger.export import TABLES, write_csv, write_json
from ledger.models import Credentials
from ledger.service import Ledger
from tests.conftest import FakeClock

PHONE, E164 = "081-234-5678", "+66812345678"
OTHER = "0898765432"
SUPERVISOR = Credentials("sup", "2468")
NAME = '=HYPERLINK("http://x")สมชาย'  # a name a spreadsheet would run as a formula
# Tables that hold nothing of a member's own: the till's settings and ids, the
# staff, and the name index (three-letter pieces of the name, derived from the
# members row, which the copy holds whole).
NOT_THE_MEMBERS = {"meta", "terminals", "staff", "pin_events", "member_grams"}


def _life(ledger: Ledger, clock: FakeClock) -> str:
    """A member with a bit of everything: consent answers, sales, a coupon
    issued and used, a reversal; and another member beside them."""
    member, _ = ledger.enroll(PHONE, name=NAME, consent=True)
    ledger.earn(PHONE, "2500.00", "B-1", "cash1")  # 100 points
    ledger.earn(PHONE, "100.00", "B-2", "cash1")
    clock.advance(days=2)
    coupon = ledger.redeem(PHONE, ref="R-1", reward_id="COFFEE", cashier_id="cash1").coupon
    assert coupon is not None
    ledger.use_coupon(coupon.code, "cash1")
    second = ledger.earn(PHONE, "50.00", "B-3", "cash1")
    ledger.reverse(second.entry_id, "wrong bill", SUPERVISOR)
    ledger.change_consent(PHONE, give=False)
    ledger.enroll(OTHER, name="Anan", consent=True)
    ledger.earn(OTHER, "500.00", "B-9", "cash1")
    return member.member_id


def _rows(ledger: Ledger, sql: str, *args: object) -> list[dict[str, Any]]:
    cursor = ledger.conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_the_copy_holds_everything_about_the_member_as_the_database_does(
    ledger: Ledger, clock: FakeClock
) -> None:
    member_id = _life(ledger, clock)
    (wallet_id,) = ledger.conn.execute(
        "SELECT wallet_id FROM members WHERE member_id = ?", (member_id,)
    ).fetchone()
    doc = ledger.export_member(PHONE, SUPERVISOR).document()

    assert doc["format"] == "loyalty-pos/member-export/1"
    assert (doc["terminal_id"], doc["store_id"], doc["approver_id"]) == ("T1", "S1", "sup")
    assert doc["member"] == _rows(ledger, "SELECT * FROM members WHERE member_id = ?", member_id)[0]
    assert doc["member"]["phone"] == E164 and doc["member"]["name"] == NAME  # the full phone
    assert doc["wallet"] == _rows(ledger, "SELECT * FROM wallets WHERE wallet_id = ?", wallet_id)[0]
    assert doc["wallet"]["balance"] == 4
    by = "ORDER BY rowid"
    assert doc["consents"] == _rows(ledger, f"SELECT * FROM consents WHERE member_id = ? {by}",
                                    member_id)  # fmt: skip
    assert [c["given"] for c in doc["consents"]] == [1, 0]
    entries = _rows(ledger, "SELECT * FROM entries WHERE wallet_id = ?", wallet_id)
    assert sorted(doc["entries"], key=lambda e: e["seq"]) == sorted(entries, key=lambda e: e["seq"])
    assert [e["kind"] for e in doc["entries"]] == ["earn", "earn", "redeem", "earn", "reverse"]
    assert doc["lots"] and sorted(doc["lots"], key=lambda r: r["entry_id"]) == _rows(
        ledger, "SELECT * FROM lots WHERE wallet_id = ? ORDER BY entry_id", wallet_id
    )
    coupons = _rows(ledger, "SELECT * FROM coupons WHERE member_id = ?", member_id)
    assert doc["coupons"] == coupons and coupons[0]["status"] == "used"
    assert doc["coupon_events"] == _rows(
        ledger, "SELECT * FROM coupon_events WHERE code = ? ORDER BY event_id", coupons[0]["code"]
    )
    assert [e["status"] for e in doc["coupon_events"]] == ["issued", "used"]
    assert doc["spend_days"] == _rows(
        ledger, "SELECT * FROM spend_days WHERE wallet_id = ? ORDER BY day", wallet_id
    )
    assert doc["merged_members"] == [] and doc["wallet_merges"] == []
    # Features this version lacks: said, not left out.
    assert doc["company_links"] == [] and doc["ratings"] == []
    assert {n["about"] for n in doc["notes"]} == {"company_links", "ratings"}
    assert all(n["en"] and n["th"] for n in doc["notes"])

    # Nothing of the other member.
    text = json.dumps(doc, ensure_ascii=False)
    assert "Anan" not in text and "+66898765432" not in text and "B-9" not in text


def test_no_table_of_the_ledger_holds_a_row_of_the_member_the_copy_leaves_out(
    ledger: Ledger, clock: FakeClock
) -> None:
    """Every table with a member, wallet, entry or coupon column: each row
    naming the member is in the copy; a table added later fails here until it
    is exported (or said to hold nothing of the member's own)."""
    member_id = _life(ledger, clock)
    exported = ledger.export_member(PHONE, SUPERVISOR)
    member = exported.document()["member"]
    keys = {
        "member_id": {member_id},
        "wallet_id": {member["wallet_id"]},
        "entry_id": {str(r[0]) for r in exported.tables["entries"].rows},
        "code": {str(r[0]) for r in exported.tables["coupons"].rows},
    }
    tables = [r[0] for r in ledger.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )]  # fmt: skip
    for table in tables:
        rows = _rows(ledger, f"SELECT * FROM {table}")  # names from sqlite_master
        theirs = [r for r in rows if any(r.get(col) in ids for col, ids in keys.items())]
        if table in NOT_THE_MEMBERS:
            continue
        if theirs:
            assert table in TABLES, f"{table} holds the member's rows and is not exported"
            copied = exported.tables[table].dicts()
            assert all(r in copied for r in theirs), table


def test_only_a_supervisor_reads_the_copy(ledger: Ledger, clock: FakeClock) -> None:
    _life(ledger, clock)
    with pytest.raises(NotPermitted) as not_approver:
        ledger.export_member(PHONE, Credentials("cash1", "1357"))
    assert not_approver.value.key == "not_permitted.not_approver"
    with pytest.raises(WrongPin):
        ledger.export_member(PHONE, Credentials("sup", "9999"))
    wrong = ledger.conn.execute(
        "SELECT count(*) FROM pin_events WHERE staff_id = 'sup' AND event = 'wrong_pin'"
    ).fetchone()[0]
    assert wrong == 1  # a wrong PIN counts towards the lock, as for every approval


def test_the_files_are_new_private_and_safe_to_open_in_a_spreadsheet(
    ledger: Ledger, clock: FakeClock, tmp_path: Path
) -> None:
    _life(ledger, clock)
    exported = ledger.export_member(PHONE, SUPERVISOR)
    out = write_json(exported, tmp_path / "copy.json")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text("utf-8")) == exported.document()

    folder = tmp_path / "csv"
    paths = write_csv(exported, folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {p.name for p in paths} == {f"{name}.csv" for name in TABLES}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in paths)
    with (folder / "members.csv").open(encoding="utf-8-sig", newline="") as f:
        (member,) = list(csv.DictReader(f))
    assert member["name"] == "'" + NAME  # not a formula
    assert member["phone"] == E164  # a phone is no formula: kept as it is
    with (folder / "entries.csv").open(encoding="utf-8-sig", newline="") as f:
        points = [row["points"] for row in csv.DictReader(f)]
    assert points == ["100", "4", "-100", "2", "-2"]
    with (folder / "wallet_merges.csv").open(encoding="utf-8-sig", newline="") as f:
        assert f.read().strip() == "merged_wallet_id,merged_member_id,wallet_id,member_id"

    # Never over an existing file, nor through a link.
    before = out.read_bytes()
    with pytest.raises(InvalidInput) as exists:
        write_json(exported, out)
    assert exists.value.key == "invalid_input.export_exists" and out.read_bytes() == before
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(InvalidInput):
        write_json(exported, link)
    assert not (tmp_path / "elsewhere.json").exists()
    with pytest.raises(InvalidInput):
        write_csv(exported, folder)  # its files are there already
    with pytest.raises(InvalidInput) as no_folder:
        write_json(exported, tmp_path / "nowhere" / "copy.json")
    assert "nowhere" in no_folder.value.text("th")
