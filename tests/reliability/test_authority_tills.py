"""Head office's authority as the tills see it (issue 9, breaks 3 and 13): real
ledgers, a real head office. Every conflict head office reports about a till's
push reaches the till in words; a till never makes a change head office would
refuse for good (a void of another terminal's coupon)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from config import Settings
from hq.conflicts import service as conflicts
from hq.db import Conn
from ledger.errors import NotReversible
from ledger.replica import Replica
from ledger.service import Ledger
from sync.client import Client, SyncError, SyncRefused
from sync.engine import _Run
from sync.protocol import NegativeBalance, PushResponse, Refusal
from tests.conftest import SUPERVISOR
from tests.reliability.test_restore import image, pos

# -- conflicts reach the till ----------------------------------------------------


def test_a_tampered_entry_pushed_again_is_told_to_the_till(
    joined: Callable[..., Any], hq_db: Conn, sync: Callable[..., dict[str, Any]]
) -> None:
    """Head office keeps its copy of an entry pushed again with a different body; the
    till is told why in words, and head office's conflict says it too."""
    a = joined("A")
    a.enroll("081-234-5678")
    a.earn("081-234-5678", "250.00", "A-1")
    a.earn("081-234-5678", "500.00", "A-2")
    assert sync(a)["acked_seq"] == 2
    # Someone edits the till's journal and makes it send everything again.
    a.conn.execute("DROP TRIGGER entries_no_update")
    a.conn.execute("UPDATE entries SET ref = 'A-1-edited' WHERE seq = 1")
    a.conn.execute("UPDATE meta SET value = '0' WHERE key = 'sync.acked_seq'")
    entry_id = a.conn.execute("SELECT entry_id FROM entries WHERE seq = 1").fetchone()[0]

    with pytest.raises(SyncError) as told:
        sync(a)

    assert "another entry number 1" in told.value.message
    assert "another entry number 1" in (Replica(a).state()["last_error"] or "")
    (recorded,) = conflicts.list_conflicts(hq_db, "entry_body_mismatch")
    assert recorded["message"] == (
        f"Terminal A: Entry {entry_id} is stored at head office with a different body (ref): "
        "not overwritten."
    )


def test_every_conflict_head_office_reports_gets_a_line_on_the_till(
    joined: Callable[..., Any],
) -> None:
    a = joined("A")
    run = _Run(Replica(a), None, None, 1, 1, a)  # type: ignore[arg-type]
    refusal = Refusal(entry_id="e9", seq=9, reason="chain_break", message="Entry e9 (...).")
    run.notice(
        PushResponse(
            acked_seq=8,
            inserted=0,
            duplicates=0,
            conflicts=2,
            refused=[refusal],
            coupon_conflicts=2,
            members_merged=1,
            negative_balances=[NegativeBalance(wallet_id="w", member_id=None, balance=-5)],
        )
    )
    assert run.notices == [
        "Head office refused entry 9 of this terminal: Entry e9 (...).",
        "Head office refused 1 more entry(ies) of this terminal (recorded as conflicts; see "
        "'pos-hq report conflicts').",
        "Head office: a member is at -5 points after redemptions at more than one terminal "
        "(recorded as a conflict).",
        "Head office: 2 coupon(s) used here were already used at another terminal (recorded "
        "as a conflict).",
        "Head office: 1 member(s) enrolled here were already enrolled elsewhere with the same "
        "phone; their points now count together.",
    ]


def test_a_till_reverses_only_its_own_redemptions_and_keeps_syncing(
    joined: Callable[..., Any], hq_db: Conn, sync: Callable[..., dict[str, Any]]
) -> None:
    """Head office refuses a void from a terminal that did not issue the coupon, so the
    till refuses to reverse another terminal's redemption (else every later sync of
    that till would be refused)."""
    a, b = joined("A"), joined("B")
    for book in (a, b):
        book.add_staff("sup", "supervisor", "2468", "Supervisor")
    a.enroll("081-234-5678")
    a.earn("081-234-5678", "2500.00", "A-1")
    redeemed = a.redeem("081-234-5678", ref="A-2", reward_id="COFFEE")
    sync(a)
    sync(b)
    with pytest.raises(NotReversible, match="made at terminal A: reverse it there"):
        b.reverse(redeemed.entry.entry_id, "wrong reward", SUPERVISOR)
    assert sync(b)["conflicts"] == 0
    a.reverse(redeemed.entry.entry_id, "wrong reward", SUPERVISOR)  # the issuer may
    assert sync(a)["coupon_events_pushed"] == 1
    assert hq_db.execute("SELECT status, issued_terminal_id FROM coupons").fetchall() == [
        ("void", "A")
    ]


def test_a_coupon_from_head_office_that_matches_no_redemption_is_told_to_the_till(
    joined: Callable[..., Any], hq: Any, sync: Callable[..., dict[str, Any]]
) -> None:
    a, b = joined("A"), joined("B")
    a.enroll("081-234-5678")
    earn = a.earn("081-234-5678", "250.00", "A-1")
    sync(a)
    # Terminal A (its token) reports a coupon issued for an entry that is not a redemption.
    odd = {
        "code": "CPN-ODD",
        "entry_id": earn.entry_id,
        "reward_id": "COFFEE",
        "member_id": earn.member_id,
        "status": "issued",
        "at": earn.created_at,
        "terminal_id": "A",
    }
    reply = httpx.post(
        f"{hq.url}/v1/push",
        json={"coupon_events": [odd]},
        headers={"Authorization": f"Bearer {Replica(a).token()}"},
    )
    assert reply.status_code == 200, reply.text

    told = sync(b)

    assert told["conflicts"] == 1
    assert told["conflict_notices"] == [
        "Head office sent 1 coupon(s) that do not match a redemption in this terminal's "
        "journal: not added here."
    ]


def test_a_cloned_till_given_its_own_identity_keeps_the_coupons_it_issued(
    joined: Callable[..., Any],
    add_terminal: Callable[[str, str], str],
    sync: Callable[..., dict[str, Any]],
    hq_db: Conn,
    tmp_path: Path,
    settings: Settings,
) -> None:
    """A clone redeems under the shared identity; once it has its own terminal id
    (``pos ledger restore --as-new-terminal``) the coupon it issued is its own: head
    office records it as the issuer, and its reversal voids it."""
    till = joined("A")
    till.add_staff("sup", "supervisor", "2468")
    till.enroll("0812345678", consent=True)
    till.earn("0812345678", "2500", "A0")
    sync(till)
    clone = Ledger.open(image(till, tmp_path / "clone.db"), settings)
    till.earn("0812345678", "250", "A1")  # seq 2 at both: head office keeps the first
    sync(till)
    coupon = clone.redeem("0812345678", reward_id="COFFEE", ref="C1").coupon
    assert coupon is not None
    with pytest.raises(SyncError):
        sync(clone)
    clone.close()
    status, body = pos("ledger", "restore", "--as-new-terminal", add_terminal("S1", "B"),
                       db=tmp_path / "clone.db")  # fmt: skip
    assert status == 0, body

    with Ledger.open(tmp_path / "clone.db", settings) as clone:
        assert sync(clone)["conflicts"] == 0
        row = hq_db.execute(
            "SELECT status, issued_terminal_id FROM coupons WHERE code = %s", (coupon.code,)
        ).fetchone()
        assert row == ("issued", "B")
        carried = clone.coupon_of(row_entry(hq_db, coupon.code))
        assert carried is not None and carried.code == coupon.code
        clone.reverse(carried.entry_id, "wrong reward", SUPERVISOR)  # the issuer may void it
        assert sync(clone)["coupon_events_pushed"] == 1
    assert hq_db.execute(
        "SELECT status FROM coupons WHERE code = %s", (coupon.code,)
    ).fetchone() == ("void",)


def row_entry(conn: Conn, code: str) -> str:
    row = conn.execute("SELECT entry_id FROM coupons WHERE code = %s", (code,)).fetchone()
    assert row is not None
    return str(row[0])


def test_a_push_refused_for_acting_for_another_terminal_is_not_called_a_bad_token(
    joined: Callable[..., Any], hq: Any, sync: Callable[..., dict[str, Any]]
) -> None:
    """A push head office refuses with 403 because it acts for another terminal's
    member: the till's client says so, and does not send anyone to re-join."""
    a, b = joined("A"), joined("B")
    member, _ = a.enroll("081-234-5678", name="Somchai")
    sync(a)
    wire = {
        "member_id": member.member_id,
        "phone": "+66899999999",
        "name": "Thief",
        "wallet_id": member.wallet_id,
        "consent_at": None,
        "enrolled_at": "2026-01-15T03:00:00.000000Z",
        "terminal_id": "B",
    }
    with Client(hq.url, Replica(b).token()) as client, pytest.raises(SyncRefused) as refused:
        client.push([], [wire])
    assert refused.value.message.startswith("Head office refused this push: Member ")
    assert "pos join" not in refused.value.message
