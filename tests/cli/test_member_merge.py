"""``pos member merge KEEP OTHER --approver STAFF_ID`` as a supervisor runs it at
the till: OTHER's points, with their expiry, are KEEP's, OTHER's phone finds
KEEP, the ledger verifies; without a supervisor, or for a member of another
till, nothing changes. (Through two tills and head office: tests/sync.)"""

from __future__ import annotations

import sqlite3

from tests.cli.test_cli import NOT_FOUND, OK, PIN, REFUSED, USAGE, Shop, shop

__all__ = ["shop"]  # the module's terminal, shared with test_cli

KEEP, OTHER = "0812347001", "0812347002"


def _lots(shop: Shop, phone: str) -> list[tuple[int, str]]:
    """(points left, expiry) of the open lots of the wallet the phone's own row holds."""
    with sqlite3.connect(shop.db) as db:
        return db.execute(
            "SELECT l.remaining, l.expires_at FROM lots l JOIN members m USING (wallet_id) "
            "WHERE m.phone = '+66' || substr(?, 2) AND l.remaining > 0 ORDER BY l.expires_at",
            (phone,),
        ).fetchall()


def _verify(shop: Shop) -> None:
    body = shop.ok("ledger", "verify", "--local")
    assert body["problems"] == [], body


def test_a_supervisor_merges_two_members_and_the_other_phone_finds_the_kept_one(
    shop: Shop,
) -> None:
    keep = shop.ok("member", "enroll", KEEP, "--name", "Keep", "--consent")
    other = shop.ok("member", "enroll", OTHER, "--name", "Other", "--consent")
    shop.ok("earn", KEEP, "250", "--ref", "MG-1")  # 10
    shop.ok("earn", OTHER, "250", "--ref", "MG-2")  # 10
    shop.ok("earn", OTHER, "500", "--ref", "MG-3")  # 20
    lots = _lots(shop, OTHER)
    assert [p for p, _ in lots] == [10, 20]

    done = shop.ok("member", "merge", KEEP, OTHER, "--approver", "sup", stdin=PIN + "\n")
    assert done["merged"] and done["approver_id"] == "sup"
    assert (done["points_moved"], done["lots_moved"], done["coupons_moved"]) == (30, 2, 0)
    assert done["other_member_id"] == other["member_id"]
    assert done["member"]["member_id"] == keep["member_id"]
    assert done["member"]["balance"] == 40

    shown = shop.member(OTHER)  # OTHER's phone: KEEP's card
    assert shown["member_id"] == keep["member_id"] and shown["balance"] == 40
    assert set(lots) <= set(_lots(shop, KEEP))  # the same expiry, not a new year
    _verify(shop)
    earned = shop.ok("earn", OTHER, "250", "--ref", "MG-4")
    assert earned["balance"] == 50 and earned["member_id"] == keep["member_id"]
    assert shop.member(KEEP)["balance"] == 50

    # Again: nothing changes, and it says so.
    again = shop.pos("member", "merge", KEEP, OTHER, "--approver", "sup", stdin=PIN + "\n",
                     json_out=False)  # fmt: skip
    assert again.status == OK and "nothing changed" in again.stdout
    with sqlite3.connect(shop.db) as db:
        (pairs,) = db.execute("SELECT count(*) FROM entries WHERE kind = 'transfer'").fetchone()
    assert pairs == 2
    _verify(shop)


def test_without_a_supervisor_or_for_the_wrong_members_nothing_changes(shop: Shop) -> None:
    keep, other, third = "0812347011", "0812347012", "0812347013"
    for phone in (keep, other, third):
        shop.ok("member", "enroll", phone)
    shop.ok("earn", other, "250", "--ref", "MG-11")
    args = ("member", "merge", keep, other)
    message = shop.fails(REFUSED, "not_permitted", *args, "--approver", "cash1",
                         stdin="1357\n")  # fmt: skip
    assert "cash1" in message
    shop.fails(REFUSED, "wrong_pin", *args, "--approver", "sup", stdin="0000\n")
    assert shop.pos(*args).status == USAGE  # no --approver
    shop.fails(USAGE, "usage", *args, "--approver", "sup")  # no PIN on stdin
    approve = ("--approver", "sup")
    pin = {"stdin": PIN + "\n"}
    shop.fails(REFUSED, "invalid_input", "member", "merge", keep, keep, *approve, **pin)
    message = shop.fails(NOT_FOUND, "member_not_found", "member", "merge", keep, "0812347999",
                         *approve, **pin)  # fmt: skip
    assert "0812347999" not in message  # masked
    assert shop.member(other)["balance"] == 10 and shop.member(keep)["balance"] == 0

    # A member another till enrolled (pulled from head office): merged there.
    with sqlite3.connect(shop.db) as db:
        db.execute("UPDATE members SET terminal_id = 'T9' WHERE phone = '+66812347013'")
    message = shop.fails(REFUSED, "not_permitted", "member", "merge", keep, third, *approve,
                         **pin)  # fmt: skip
    assert "terminal T9" in message and "head office" in message
    # Into a member merged away, or merging one merged away: refused with why.
    shop.ok("member", "merge", keep, other, *approve, **pin)
    message = shop.fails(REFUSED, "invalid_input", "member", "merge", other, keep, *approve,
                         **pin)  # fmt: skip
    assert "merged into another member" in message
    assert shop.member(other)["member_id"] == shop.member(keep)["member_id"]
    _verify(shop)
