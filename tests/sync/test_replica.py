"""``ledger.replica`` without a head office: one ledger's journal applied to
another in random pages (resent at random), merges, coupons, settings. The
receiving ledger must verify after every apply."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import Settings
from ledger.models import ENTRY_COLUMNS
from ledger.replica import MERGE_REASON, Replica
from ledger.service import Ledger
from tests.conftest import SUPERVISOR, FakeClock

P1, P2, P3 = "081-111-1111", "081-222-2222", "081-333-3333"


@pytest.fixture
def pair(tmp_path: Path, settings: Settings, clock: FakeClock) -> Iterator[tuple[Ledger, Ledger]]:
    """Terminal X (the source of the journal) and terminal Y (the receiver)."""
    x = Ledger.open(tmp_path / "x.db", settings, clock=clock)
    y = Ledger.open(tmp_path / "y.db", settings, clock=clock)
    x.init("S1", "X")
    y.init("S2", "Y")
    for book in (x, y):
        book.add_staff("sup", "supervisor", SUPERVISOR.pin)
    yield x, y
    x.close()
    y.close()


def feed(book: Ledger) -> list[dict[str, Any]]:
    """The book's members, coupons and entries as head office would send them
    (coupon changes ahead of their entries, as a push stores them)."""
    conn = book.conn
    changes: list[dict[str, Any]] = []
    for row in conn.execute(
        "SELECT member_id, phone, name, wallet_id, consent_at, enrolled_at, terminal_id "
        "FROM members ORDER BY rowid"
    ):
        keys = ("member_id", "phone", "name", "wallet_id", "consent_at", "enrolled_at",
                "terminal_id")  # fmt: skip
        changes.append({"kind": "member", "member": dict(zip(keys, row, strict=True)),
                        "merged_into": None})  # fmt: skip
    for (
        code,
        entry_id,
        reward_id,
        member_id,
        status,
        issued_at,
        used_at,
        used_terminal,
    ) in conn.execute(
        "SELECT code, entry_id, reward_id, member_id, status, issued_at, used_at, "
        "used_terminal FROM coupons ORDER BY code"
    ):
        changes.append({"kind": "coupon", "coupon": {
            "code": code, "entry_id": entry_id, "reward_id": reward_id, "member_id": member_id,
            "status": status, "issued_at": issued_at, "used_at": used_at,
            "used_terminal_id": used_terminal, "voided_at": None,
        }})  # fmt: skip
    for row in conn.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries ORDER BY seq"):
        changes.append({"kind": "entry", "entry": dict(zip(ENTRY_COLUMNS, row, strict=True))})
    return changes


def busy_day(x: Ledger, clock: FakeClock) -> str:
    """Every kind of entry X can write; returns a used coupon's code."""
    for phone in (P1, P2, P3):
        x.enroll(phone)
    x.earn(P1, "2500.00", "E1")
    x.earn(P1, "250.00", "E2")
    first = x.earn(P2, "5000.00", "E3")
    x.redeem(P1, ref="R1", points=30)
    used = x.redeem(P2, ref="R2", reward_id="COFFEE").coupon
    voided = x.redeem(P2, ref="R3", reward_id="COFFEE").coupon
    assert used is not None and voided is not None
    x.use_coupon(used.code)
    x.reverse(voided.entry_id, "customer changed their mind", SUPERVISOR)
    x.adjust(P3, 40, "welcome gift", SUPERVISOR)
    clock.advance(days=200)
    x.earn(P1, "1000.00", "E4")
    x.reverse(first.entry_id, "wrong member", SUPERVISOR)  # takes P2 below zero
    clock.advance(days=200)
    assert x.expire()  # the first lots expire
    x.earn(P3, "100.00", "E5")
    return used.code


def wallets(book: Ledger) -> dict[str, int]:
    return dict(book.conn.execute("SELECT wallet_id, balance FROM wallets").fetchall())


def lots(book: Ledger) -> dict[str, tuple[int, int]]:
    rows = book.conn.execute("SELECT entry_id, remaining, expired FROM lots").fetchall()
    return {e: (r, x) for e, r, x in rows}


@pytest.mark.parametrize("seed", range(8))
def test_apply_in_random_pages_keeps_the_receiver_verified(
    pair: tuple[Ledger, Ledger], clock: FakeClock, seed: int
) -> None:
    x, y = pair
    used_code = busy_day(x, clock)
    assert x.verify() == []
    changes = feed(x)
    rng = random.Random(seed)
    replica = Replica(y)
    cuts = sorted(rng.sample(range(1, len(changes)), rng.randint(1, 6)))
    pages = [changes[i:j] for i, j in zip([0, *cuts], [*cuts, len(changes)], strict=True)]
    for number, page in enumerate(pages):
        replica.apply(page, next_cursor=f"1.{number}")
        assert y.verify() == [], f"after page {number} (seed {seed})"
        if rng.random() < 0.5:  # a page sent again (a pull cut off before its cursor)
            again = replica.apply(pages[rng.randrange(number + 1)])
            assert again["entries"] == 0
            assert y.verify() == []
    assert replica.state()["pull_cursor"] == f"1.{len(pages) - 1}"

    # The receiver holds X's journal, balances, lots (expiries included) and coupons.
    assert wallets(y) == wallets(x)
    assert lots(y) == lots(x)
    assert y.conn.execute("SELECT last_seq, last_hash FROM terminals WHERE terminal_id = 'X'"
                          ).fetchone() == x.conn.execute(
        "SELECT last_seq, last_hash FROM terminals WHERE terminal_id = 'X'").fetchone()  # fmt: skip
    coupons = "SELECT code, entry_id, status FROM coupons ORDER BY code"
    assert y.conn.execute(coupons).fetchall() == x.conn.execute(coupons).fetchall()
    assert y.check_coupon(used_code).status == "used"
    assert "sync.pending_coupons" not in dict(y.conn.execute("SELECT key, value FROM meta"))

    # Y now works on X's members, and its own chain stays intact.
    y.earn(P1, "500.00", "Y1")
    y.redeem(P1, ref="Y2", points=y.member(P1).balance)
    assert y.member(P1).balance == 0
    assert y.verify() == []
    assert [e["terminal_id"] for e in replica.outbox().entries] == ["Y", "Y"]


def test_a_coupon_waits_for_its_entry(pair: tuple[Ledger, Ledger], clock: FakeClock) -> None:
    x, y = pair
    x.enroll(P1)
    x.earn(P1, "2500.00", "E1")
    coupon = x.redeem(P1, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None
    changes = feed(x)
    coupon_change = [c for c in changes if c["kind"] == "coupon"]
    replica = Replica(y)
    assert replica.apply(coupon_change)["coupons"] == 0  # its redemption is not here yet
    assert y.verify() == []
    replica.apply([c for c in changes if c["kind"] != "coupon"])
    row = y.conn.execute("SELECT status, payload, expires_at FROM coupons").fetchone()
    assert row == ("issued", "", coupon.expires_at)
    assert y.verify() == []


def test_settings_keep_the_newest_version(pair: tuple[Ledger, Ledger]) -> None:
    _, y = pair
    replica = Replica(y)
    replica.apply([{"kind": "settings", "version": 3, "settings": {"rate": 3}}])
    replica.apply([{"kind": "settings", "version": 2, "settings": {"rate": 2}}])
    assert replica.hq_settings() == (3, {"rate": 3})
    assert replica.apply([{"kind": "something new", "x": 1}])["skipped"] == 1


def test_merge_moves_phone_and_points_to_the_canonical_member(
    pair: tuple[Ledger, Ledger], clock: FakeClock
) -> None:
    x, y = pair
    x.enroll(P1, name="First")  # enrolled earlier: head office keeps this one
    clock.advance(minutes=5)
    y.enroll(P1, name="Second")
    x.earn(P1, "250.00", "X1")
    y.earn(P1, "500.00", "Y1")
    y.redeem(P1, ref="Y2", points=5)
    canonical, late = x.member(P1), y.member(P1)
    replica = Replica(y)

    # X's member arrives: the phone is taken here, so it waits (and is asked about).
    replica.apply(feed(x))
    assert y.member(P1).member_id == late.member_id
    assert replica.unresolved_phones() == ["+66811111111"]
    assert not replica.settle_phone("+66811111111", canonical.member_id)
    assert y.verify() == []

    # Head office merged Y's member into X's: phone and points move over.
    merge = {"kind": "merge", "merged_member_id": late.member_id,
             "merged_wallet_id": late.wallet_id, "member_id": canonical.member_id,
             "wallet_id": canonical.wallet_id}  # fmt: skip
    counts = replica.apply([merge])
    assert counts["transfers"] == 1
    member = y.member(P1)
    assert (member.member_id, member.balance) == (canonical.member_id, 10 + 15)
    assert replica.settle_phone("+66811111111", canonical.member_id)
    assert replica.unresolved_phones() == []
    transfers = [e for e in replica.outbox().entries if e["kind"] == "transfer"]
    assert [(t["wallet_id"], t["points"]) for t in transfers] == [
        (late.wallet_id, -15),
        (canonical.wallet_id, 15),
    ]
    assert {t["reason"] for t in transfers} == {MERGE_REASON}
    assert y.verify() == []

    # The same merge again (a resent page) moves nothing twice.
    assert replica.apply([merge])["transfers"] == 0
    assert y.member(P1).balance == 25 and y.verify() == []
    # The merged member is not pushed (again) with its phone gone.
    assert late.member_id not in {m["member_id"] for m in replica.outbox().members}


def test_outbox_and_acknowledge(pair: tuple[Ledger, Ledger]) -> None:
    x, _ = pair
    replica = Replica(x)
    x.enroll(P1)
    x.enroll(P2)
    for n in range(5):
        x.earn(P1, "100.00", f"E{n}")
    box = replica.outbox(limit=3)
    assert [e["seq"] for e in box.entries] == [1, 2, 3]
    assert [m["phone"] for m in box.members] == ["+66811111111", "+66812222222"]
    assert set(box.entries[0]) == set(ENTRY_COLUMNS)
    replica.acknowledge(3, box.members_upto, box.events_upto)
    box = replica.outbox(limit=3)
    assert [e["seq"] for e in box.entries] == [4, 5] and box.members == []
    assert replica.state()["pending_entries"] == 2
    # Head office holds less than we thought (restored, or a new one): everything again.
    replica.acknowledge(0, box.members_upto, box.events_upto)
    again = replica.outbox()
    assert len(again.entries) == 5 and len(again.members) == 2


def test_set_hq_keeps_secrets_out_of_the_database(pair: tuple[Ledger, Ledger]) -> None:
    x, _ = pair
    replica = Replica(x)
    key = "ab" * 32
    done = replica.set_hq("http://hq.example", "lpt_secret", key)
    assert done == {"hq_url": "http://hq.example", "coupon_key_replaced": True,
                    "previous_key_kept": False}  # fmt: skip
    secrets = json.loads(x.secrets_path.read_text())
    pepper = secrets.pop("pin_pepper")  # the staff PINs' pepper stays as it was
    assert secrets == {"coupon_key": key, "hq_token": "lpt_secret"}
    assert x.authenticate("sup", "2468") and len(pepper) == 64
    assert replica.token() == "lpt_secret"
    meta = dict(x.conn.execute("SELECT key, value FROM meta").fetchall())
    assert "lpt_secret" not in json.dumps(meta)
    # The ledger signs with the new key at once.
    x.enroll(P1)
    x.earn(P1, "2500.00", "E1")
    coupon = x.redeem(P1, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None and x.check_coupon(coupon.payload).status == "issued"
    with pytest.raises(Exception, match="64 hex digits"):
        replica.set_hq("http://hq.example", "lpt_secret", "nothex")
