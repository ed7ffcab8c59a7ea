"""``pos import members|sales FILE.csv [--commit]`` as a shop owner runs it: a
real ``pos`` subprocess on a real ledger file. The dry run names each bad line
and writes nothing; --commit writes the good rows, a second run nothing; a
file that cannot be read is a refusal, never a traceback; a 10,000-row file
goes in and verifies."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

from tests.cli.test_cli import NOT_FOUND, OK, PIN, REFUSED, USAGE, Shop, shop

__all__ = ["shop"]  # the module's terminal, shared with test_cli

MEMBERS = (
    "phone,name,external_id,birthday,enrolled_at,consent_at,balance\n"
    '0812349001,"Nok, ""the boss"" นกน้อย",C-1,1985-04-01,2019-06-01,2019-06-01,300\n'
    "12345,Short,C-2,,,,\n"
    "0812349001,Twice,C-3,,,,\n"
    "0812349002,@SUM(A1:A9),C-4,,,,\n"
)


def _count(shop: Shop, sql: str) -> int:
    with sqlite3.connect(shop.db) as db:
        return int(db.execute(sql).fetchone()[0])


def test_the_dry_run_says_each_bad_line_and_the_commit_writes_the_rest(
    shop: Shop, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS, encoding="utf-8")
    before = _count(shop, "SELECT count(*) FROM members")

    dry = shop.pos("import", "members", str(path), json_out=False)
    assert dry.status == OK and dry.stderr == ""  # no progress bar: stderr is no terminal
    assert "Dry run: 2 members" in dry.stdout and "Nothing was written" in dry.stdout
    assert "line 3, phone: '12345' is not a valid phone number" in dry.stdout
    assert "line 4, phone: the phone 08x-xxx-9001 is also on line 2" in dry.stdout
    assert _count(shop, "SELECT count(*) FROM members") == before

    body = shop.ok("import", "members", str(path))
    assert (body["committed"], body["good"], body["bad"]) == (False, 2, 2)
    assert [(p["line"], p["column"], p["code"]) for p in body["problems"]] == [
        (3, "phone", "invalid_phone"),
        (4, "phone", "import_row.duplicate_phone"),
    ]

    # Opening balances: a supervisor approves, or nothing is written.
    shop.fails(REFUSED, "approval_required", "import", "members", str(path), "--commit")
    shop.fails(REFUSED, "wrong_pin", "import", "members", str(path), "--commit",
               "--approver", "sup", stdin="0000\n")  # fmt: skip
    assert _count(shop, "SELECT count(*) FROM members") == before
    done = shop.ok("import", "members", str(path), "--commit", "--approver", "sup",
                   stdin=PIN + "\n")  # fmt: skip
    assert (done["committed"], done["good"], done["opening_points"]) == (True, 2, 300)

    card = shop.member("0812349001")
    assert card["name"] == 'Nok, "the boss" นกน้อย'
    assert (card["external_id"], card["birthday"], card["balance"]) == ("C-1", "1985-04-01", 300)
    assert card["next_expiry"]["points"] == 300
    assert card["recent"][0]["rules"] == {"import": "opening_balance"}
    assert shop.member("0812349002")["name"] == "@SUM(A1:A9)"

    again = shop.ok("import", "members", str(path), "--commit", "--approver", "sup",
                    stdin=PIN + "\n")  # fmt: skip
    assert (again["good"], again["skipped"]) == (0, 2)
    assert shop.ok("ledger", "verify", "--local")["problems"] == []


def test_sales_move_the_tier_and_a_second_run_adds_nothing(shop: Shop, tmp_path: Path) -> None:
    members = tmp_path / "m.csv"
    members.write_text("phone,external_id\n0812349101,C-101\n", encoding="utf-8")
    shop.ok("import", "members", str(members), "--commit")
    sales = tmp_path / "s.csv"
    day = (date.today() - timedelta(days=30)).isoformat()  # within the tiers' 12 months
    sales.write_text(
        f"external_id,date,amount,ref\nC-101,{day},10000.00,OLD-1\nC-102,{day},5,OLD-2\n",
        encoding="utf-8",
    )
    body = shop.ok("import", "sales", str(sales), "--commit")
    assert (body["good"], body["bad"], body["amount_minor"]) == (1, 1, 1_000_000)
    assert body["problems"][0]["code"] == "import_row.unknown_external_id"
    card = shop.member("0812349101")
    assert (card["tier"], card["spend_12m"], card["balance"]) == ("silver", "10000.00", 0)
    assert shop.ok("import", "sales", str(sales), "--commit")["skipped"] == 1
    assert _count(shop, "SELECT count(*) FROM imported_sales") == 1


def test_a_file_that_cannot_be_imported_is_a_refusal_not_a_traceback(
    shop: Shop, tmp_path: Path
) -> None:
    message = shop.fails(NOT_FOUND, "import_refused", "import", "members",
                         str(tmp_path / "nope.csv"))  # fmt: skip
    assert "nope.csv" in message
    latin = tmp_path / "latin.csv"
    latin.write_bytes("phone,name\n0812349201,José\n".encode("latin-1"))
    message = shop.fails(REFUSED, "import_refused", "import", "members", str(latin), "--commit")
    assert "not UTF-8" in message and "line 2" in message
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("tel,name\n0812349202,Ann\n", encoding="utf-8")
    message = shop.fails(REFUSED, "import_refused", "import", "members", str(wrong))
    assert "no column 'phone'" in message
    said = shop.pos("import", "sales", str(wrong), json_out=False)
    assert said.status == REFUSED and "pos: " in said.stderr and "'date'" in said.stderr
    assert shop.pos("import", "members").status == USAGE


def test_ten_thousand_members_go_in_and_verify(shop: Shop, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"08{n:08d},Member {n} สมาชิก,BIG-{n},,2022-01-01,,\n"
                   for n in range(20_000_000, 20_010_000))  # fmt: skip
    path.write_text("phone,name,external_id,birthday,enrolled_at,consent_at,balance\n" + rows,
                    encoding="utf-8")  # fmt: skip
    dry = shop.ok("import", "members", str(path))
    assert (dry["rows"], dry["good"] + dry["bad"]) == (10_000, 10_000)
    done = shop.ok("import", "members", str(path), "--commit")
    assert done["good"] == dry["good"] and done["bad"] == dry["bad"]
    assert (
        _count(shop, "SELECT count(*) FROM members WHERE external_id LIKE 'BIG-%'") == (dry["good"])
    )
    again = shop.ok("import", "members", str(path), "--commit")
    assert (again["good"], again["skipped"]) == (0, dry["good"])
    assert shop.ok("ledger", "verify", "--local")["problems"] == []
