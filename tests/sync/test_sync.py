"""Two terminals and a real head office: earn at one, spend at the other."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable

import pytest

from hq.db import Conn
from hq.rules import service as rules
from ledger.errors import MemberNotFound
from ledger.replica import Replica
from ledger.service import Ledger
from sync import commands
from sync.client import Client, Unauthorized
from sync.engine import lookup_remote
from sync.errors import SyncError
from tests.conftest import SUPERVISOR
from tests.sync.conftest import HQServer, Sync, hq_balances, local_balances, wait_feed

PHONE = "081-234-5678"
E164 = "+66812345678"


def entry_count(conn: Conn, terminal_id: str) -> int:
    row = conn.execute("SELECT count(*) FROM entries WHERE terminal_id = %s", (terminal_id,))
    return int(row.fetchone()[0])  # type: ignore[index]


def test_two_terminals_earn_at_one_redeem_at_the_other(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S2")
    assert a.terminal() == ("S1", "A") and b.terminal() == ("S2", "B")

    a.enroll(PHONE, name="Somchai", consent=True)
    a.earn(PHONE, "2500.00", "A-1")  # 100 points
    a.earn(PHONE, "250.00", "A-2")  # 10 points
    first = sync(a)
    assert (first["pushed"], first["conflicts"]) == (2, 0)
    # Pulled at most the page token head office issued for the member (the slip's
    # QR): nothing of its own, and the token once the feed shows the push.
    assert first["pulled"] <= 1
    assert Replica(a).state()["pending_entries"] == 0

    got = sync(b)
    assert got["pushed"] == 0 and got["pulled"] >= 3  # a member and two entries
    member_b = b.member(PHONE)
    assert member_b.balance == 110 and member_b.name == "Somchai"
    assert member_b.member_id == a.member(PHONE).member_id

    # Spend at B: points and a coupon for a reward.
    b.redeem(PHONE, ref="B-1", points=4)
    coupon = b.redeem(PHONE, ref="B-2", reward_id="COFFEE").coupon
    assert coupon is not None
    assert sync(b)["pushed"] == 2
    assert sync(a)["pulled"] >= 3  # two entries and the coupon

    for book in (a, b):
        assert book.member(PHONE).balance == 6
        assert book.verify() == []
    assert a.check_coupon(coupon.code).status == "issued"

    # The coupon is used at A; B learns it on its next sync.
    a.use_coupon(coupon.code)
    sync(a)
    sync(b)
    assert b.check_coupon(coupon.code).status == "used"

    # Balances agree everywhere and equal the sum of the entries.
    wallet = a.member(PHONE).wallet_id
    for book in (a, b):
        (total,) = book.conn.execute(
            "SELECT sum(points) FROM entries WHERE wallet_id = ?", (wallet,)
        ).fetchone()
        assert total == book.member(PHONE).balance == 6
        assert book.verify() == []
    assert hq_balances(hq_db) == local_balances(a) == local_balances(b) == {wallet: 6}
    assert entry_count(hq_db, "A") == 2 and entry_count(hq_db, "B") == 2

    # Nothing left: running again changes nothing.
    for book in (a, b):
        again = sync(book)
        assert (again["pushed"], again["pulled"], again["conflicts"]) == (0, 0, 0)


def test_rules_and_catalog_reach_the_terminal(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    rules.set_settings(hq_db, {"promo": "double points"})
    a = joined("A")
    assert Replica(a).hq_settings() == (1, {"promo": "double points"})
    rules.set_settings(hq_db, {"promo": "triple points"})
    sync(a)
    assert Replica(a).hq_settings() == (2, {"promo": "triple points"})
    assert Replica(a).state()["settings_version"] == 2


def test_lookup_at_head_office_for_a_member_not_here(
    joined: Callable[..., Ledger], hq: HQServer, hq_db: Conn, sync: Sync
) -> None:
    a, b = joined("A"), joined("B")
    a.enroll(PHONE)
    a.earn(PHONE, "500.00", "A-1")
    sync(a)
    with pytest.raises(MemberNotFound):
        b.member(PHONE)
    wait_feed(hq_db)
    with Client(hq.url, Replica(b).token()) as client:
        info = lookup_remote(b, client, PHONE)
        assert info is not None and info.balance == 20 and info.member.phone == E164
        assert lookup_remote(b, client, "089-999-9999") is None
    assert b.member(PHONE).balance == 20
    assert b.verify() == []


def test_join_stores_token_in_secrets_file_and_keeps_an_old_coupon_key(
    hq: HQServer,
    add_terminal: Callable[[str, str], str],
    open_ledger: Callable[[str], Ledger],
    sync: Sync,
) -> None:
    book = open_ledger("A")
    book.init("S1", "A")
    book.add_staff("sup", "supervisor", SUPERVISOR.pin)
    book.enroll(PHONE)
    book.earn(PHONE, "2500.00", "A-1")
    old = book.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    assert old is not None
    old_key = json.loads(book.secrets_path.read_text())["coupon_key"]

    done = commands.join(book, hq.url + "/", add_terminal("S1", "A"))
    assert done["initialized"] is False and done["hq_url"] == hq.url
    assert done["previous_key_kept"] is True
    secrets = json.loads(book.secrets_path.read_text())
    assert stat.S_IMODE(os.stat(book.secrets_path).st_mode) == 0o600
    assert secrets["previous_keys"] == [old_key] and secrets["coupon_key"] != old_key
    token = secrets["hq_token"]
    assert token.startswith("lpt_")
    for path in (book.path, book.path.with_name("A.db-wal")):  # never in the database
        assert not path.exists() or token.encode() not in path.read_bytes(), path
    # New coupons are signed with the chain's key.
    book.earn(PHONE, "2500.00", "A-2")
    new = book.redeem(PHONE, ref="R2", reward_id="COFFEE").coupon
    assert new is not None and book.check_coupon(new.payload).status == "issued"
    assert sync(book)["pushed"] == 4


def test_join_a_new_ledger_takes_the_chain_key(
    hq: HQServer, add_terminal: Callable[[str, str], str], open_ledger: Callable[[str], Ledger]
) -> None:
    book = open_ledger("A")
    done = commands.join(book, hq.url, add_terminal("S1", "A").lower())  # case does not matter
    assert done["initialized"] is True and done["store_name"] == "Store S1"
    assert book.terminal() == ("S1", "A")
    secrets = json.loads(book.secrets_path.read_text())
    assert "previous_keys" not in secrets and done["previous_key_kept"] is False


def test_join_refusals_are_clear(
    hq: HQServer, add_terminal: Callable[[str, str], str], open_ledger: Callable[[str], Ledger]
) -> None:
    book = open_ledger("A")
    with pytest.raises(commands.NotJoined, match="run pos join HQ_URL SETUP_CODE first"):
        commands.sync(book)
    with pytest.raises(Unauthorized, match="Unknown setup code"):
        commands.join(book, hq.url, "ZZZZ-ZZZZ")
    code = add_terminal("S1", "A")
    other = open_ledger("X")
    other.init("S9", "X")
    with pytest.raises(
        commands.WrongTerminal, match=r"ledger is store S9, terminal X.*still valid"
    ):
        commands.join(other, hq.url, code)
    with pytest.raises(SyncError, match="not a head-office address"):
        commands.join(book, "hq.example.com", code)
    assert not book.is_initialized()
    # The code the wrong ledger tried is not used up: the right one joins with it.
    assert commands.join(book, hq.url, code)["terminal_id"] == "A"
    with pytest.raises(Unauthorized, match="already used"):
        commands.join(open_ledger("B"), hq.url, code)


def test_a_revoked_terminal_is_told_what_to_do(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    from hq.terminals import service as terminals

    a = joined("A")
    terminals.revoke_terminal(hq_db, "S1", "A")
    with pytest.raises(Unauthorized, match=r"revoked.*pos join HQ_URL SETUP_CODE"):
        sync(a)
    assert "revoked" in (Replica(a).state()["last_error"] or "")


def test_a_double_spend_is_told_to_the_terminal_and_kept_for_the_supervisor(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b = joined("A"), joined("B")
    a.enroll(PHONE)
    a.earn(PHONE, "2500.00", "A-1")  # 100 points
    sync(a)
    wait_feed(hq_db)
    sync(b)
    # Both offline: each spends 80 of the same 100 points.
    a.redeem(PHONE, ref="A-2", points=80)
    b.redeem(PHONE, ref="B-1", points=80)
    assert sync(a)["conflict_notices"] == []
    told = sync(b)
    assert told["conflicts"] == 1
    assert told["conflict_notices"] == [
        "Head office: member 08x-xxx-5678 is at -60 points after redemptions at more than "
        "one terminal (recorded as a conflict)."
    ]
    kept = Replica(b).state()["recent_conflicts"]
    assert [k["message"] for k in kept] == told["conflict_notices"]
    sync(b)  # nothing new: nothing added
    assert len(Replica(b).state()["recent_conflicts"]) == 1
    assert Replica(a).state()["recent_conflicts"] == []
