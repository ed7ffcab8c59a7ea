"""``pos member export`` and ``pos member consent`` as a supervisor runs them at
the till: the copy holds what the database holds, the files are private, and
without a supervisor's PIN nothing is read."""

from __future__ import annotations

import csv
import json
import sqlite3
import stat
from pathlib import Path

from tests.cli.test_cli import OK, PIN, REFUSED, USAGE, Shop, shop

__all__ = ["shop"]  # the module's terminal, shared with test_cli

PHONE, E164 = "0812349001", "+66812349001"


def _member(shop: Shop) -> dict[str, object]:
    return shop.ok("member", "enroll", PHONE, "--name", "Somchai", "--consent")


def test_the_copy_is_written_0600_and_holds_what_the_database_holds(
    shop: Shop, tmp_path: Path
) -> None:
    _member(shop)
    shop.ok("earn", PHONE, "250", "--ref", "EXP-1")
    shop.ok("earn", PHONE, "500", "--ref", "EXP-2")
    out = tmp_path / "somchai.json"
    body = shop.ok("member", "export", PHONE, "--approver", "sup", "--out", str(out),
                   stdin=PIN + "\n")  # fmt: skip
    assert body["out"] == str(out) and body["counts"]["entries"] == 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    copy = json.loads(out.read_text("utf-8"))

    with sqlite3.connect(shop.db) as db:  # a direct read of the ledger
        member = db.execute(
            "SELECT member_id, phone, name, wallet_id FROM members WHERE phone = ?", (E164,)
        ).fetchone()
        entries = db.execute(
            "SELECT entry_id, points, ref FROM entries WHERE wallet_id = ? ORDER BY seq",
            (member[3],),
        ).fetchall()
        consents = db.execute(
            "SELECT given, scope, at FROM consents WHERE member_id = ?", (member[0],)
        ).fetchall()
        lots = db.execute("SELECT entry_id FROM lots WHERE wallet_id = ?", (member[3],)).fetchall()
    got = copy["member"]
    assert (got["member_id"], got["phone"], got["name"], got["wallet_id"]) == member
    assert [(e["entry_id"], e["points"], e["ref"]) for e in copy["entries"]] == entries
    assert [(c["given"], c["scope"], c["at"]) for c in copy["consents"]] == consents
    assert sorted(r["entry_id"] for r in copy["lots"]) == sorted(r[0] for r in lots)
    assert copy["company_links"] == [] and copy["ratings"] == [] and copy["notes"]

    # Without --out, the copy itself is the answer; --csv adds a private file per table.
    folder = tmp_path / "csv"
    listed = shop.ok("member", "export", PHONE, "--approver", "sup", "--csv", str(folder),
                     stdin=PIN + "\n")  # fmt: skip
    assert all(stat.S_IMODE(Path(p).stat().st_mode) == 0o600 for p in listed["csv"])
    with (folder / "entries.csv").open(encoding="utf-8-sig", newline="") as f:
        assert [r["ref"] for r in csv.DictReader(f)] == ["EXP-1", "EXP-2"]
    shown = shop.ok("member", "export", PHONE, "--approver", "sup", stdin=PIN + "\n")
    assert shown["member"]["phone"] == E164 and len(shown["entries"]) == 2
    people = shop.pos("member", "export", PHONE, "--approver", "sup", stdin=PIN + "\n",
                      json_out=False)  # fmt: skip
    assert people.status == OK and json.loads(people.stdout)["member"]["name"] == "Somchai"

    # An existing file is never replaced.
    message = shop.fails(REFUSED, "invalid_input", "member", "export", PHONE, "--approver",
                         "sup", "--out", str(out), stdin=PIN + "\n")  # fmt: skip
    assert "already exists" in message
    assert json.loads(out.read_text("utf-8")) == copy


def test_without_a_supervisor_nothing_is_read_or_written(shop: Shop, tmp_path: Path) -> None:
    _member(shop)
    out = tmp_path / "copy.json"
    args = ("member", "export", PHONE, "--out", str(out))
    message = shop.fails(REFUSED, "not_permitted", *args, "--approver", "cash1",
                         stdin="1357\n")  # fmt: skip
    assert "cash1" in message
    shop.fails(REFUSED, "wrong_pin", *args, "--approver", "sup", stdin="0000\n")
    call = shop.pos(*args)  # no --approver
    assert call.status == USAGE and "--approver" in call.error["message"]
    shop.fails(USAGE, "usage", *args, "--approver", "sup")  # no PIN on stdin
    assert not out.exists()


def test_consent_is_withdrawn_and_given_again_from_the_command_line(shop: Shop) -> None:
    phone = "0812349002"
    shop.ok("member", "enroll", phone, "--consent")
    withdrawn = shop.ok("member", "consent", phone, "--withdraw")
    assert withdrawn["changed"] and withdrawn["consent"]["given"] is False
    assert withdrawn["consent"]["terminal_id"] == "T1" and withdrawn["consent"]["at"]
    assert shop.member(phone)["consent_given"] is False
    again = shop.pos("member", "consent", phone, "--withdraw", json_out=False)
    assert again.status == OK and "nothing changed" in again.stdout
    given = shop.pos("member", "consent", phone, "--give", json_out=False)
    assert given.status == OK and "Consent recorded" in given.stdout
    assert shop.member(phone)["consent_scope"] == "points-receipts-phone/1"

    assert shop.pos("member", "consent", phone).status == USAGE  # --give or --withdraw
    assert shop.pos("member", "consent", phone, "--give", "--withdraw").status == USAGE
    shop.fails(3, "member_not_found", "member", "consent", "0812349999", "--give")
